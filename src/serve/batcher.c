/* Dynamic batching: the transformed rows of concurrent requests queue
 * here, and a worker runs them together once max_batch rows wait or the
 * oldest has waited timeout_us.  The queue is bounded in rows, so overload
 * is refused (503) instead of growing memory without end. */
#include "internal.h"

#include <stdlib.h>
#include <time.h>

struct batcher {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sv_job *head, *tail;
	size_t depth, cap, max_batch;
	int64_t timeout_us;
	bool stop, flush;
	pthread_t *th;
	int nth;
	struct sv_metrics *mt;
};

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *worker(void *arg)
{
	struct batcher *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && !b->head)
			pthread_cond_wait(&b->cv, &b->mu);
		if (!b->head)
			break;
		if (b->depth < b->max_batch && !b->flush && !b->stop) {
			int64_t deadline = b->head->enqueued_us + b->timeout_us;
			if (mono_us() < deadline) {
				struct timespec ts = {.tv_sec = deadline / 1000000,
						      .tv_nsec = (deadline % 1000000) * 1000};
				pthread_cond_timedwait(&b->cv, &b->mu, &ts);
				continue;
			}
		}
		/* whole jobs, at least one, up to max_batch rows */
		struct sv_job *first = b->head, *last = NULL, *j = b->head;
		size_t rows = 0;
		while (j && (rows == 0 || rows + j->n <= b->max_batch)) {
			rows += j->n;
			last = j;
			j = j->next;
		}
		b->head = j;
		if (!j)
			b->tail = NULL;
		last->next = NULL;
		b->depth -= rows;
		/* more may be ready for another worker */
		if (b->head)
			pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
		for (j = first; j; j = j->next)
			model_predict_rows(j->sm->m, j->dense, j->cat, j->n, j->out);
		sv_metrics_batch(b->mt, rows);
		for (j = first; j;) {
			struct sv_job *next = j->next;
			j->done(j); /* j may be gone after this */
			j = next;
		}
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

struct batcher *batcher_new(int workers, size_t max_batch, int64_t timeout_us, size_t cap_rows,
			    struct sv_metrics *mt)
{
	struct batcher *b = xcalloc(1, sizeof *b);
	pthread_mutex_init(&b->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->cv, &ca);
	pthread_condattr_destroy(&ca);
	b->max_batch = max_batch ? max_batch : 1;
	b->timeout_us = timeout_us;
	b->cap = cap_rows;
	b->mt = mt;
	if (workers < 1)
		workers = 1;
	b->th = xcalloc((size_t)workers, sizeof *b->th);
	for (int i = 0; i < workers; i++)
		if (pthread_create(&b->th[b->nth], NULL, worker, b) == 0)
			b->nth++;
	return b;
}

bool batcher_submit(struct batcher *b, struct sv_job *job)
{
	job->next = NULL;
	job->enqueued_us = mono_us();
	pthread_mutex_lock(&b->mu);
	/* one request larger than the whole queue still runs, alone */
	if (b->stop || (b->depth && b->depth + job->n > b->cap)) {
		pthread_mutex_unlock(&b->mu);
		return false;
	}
	if (b->tail)
		b->tail->next = job;
	else
		b->head = job;
	b->tail = job;
	b->depth += job->n;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return true;
}

size_t batcher_depth(struct batcher *b)
{
	pthread_mutex_lock(&b->mu);
	size_t d = b->depth;
	pthread_mutex_unlock(&b->mu);
	return d;
}

size_t batcher_capacity(struct batcher *b)
{
	return b->cap;
}

void batcher_flush(struct batcher *b)
{
	pthread_mutex_lock(&b->mu);
	b->flush = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

void batcher_free(struct batcher *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	for (int i = 0; i < b->nth; i++)
		pthread_join(b->th[i], NULL);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->th);
	free(b);
}
