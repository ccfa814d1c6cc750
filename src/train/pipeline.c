/* The input pipeline, in the way of tf.data: source -> shuffle buffer ->
 * batch -> prefetch.  A producer thread fills batch slots while the trainer
 * computes on the previous one; the time the trainer spends waiting for a
 * slot is what tells an input-bound run from a compute-bound one. */
#include "train.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NSLOTS 3

struct slot {
	size_t n;
	size_t drawn;              /* rows of the global batch (n of them this worker's) */
	double *dense, *y;
	uint32_t *cat;
	bool full;
};

struct pipeline {
	struct pipe_source src;
	size_t batch, buffer, nd, nc;
	struct rng rng;
	struct slot slots[NSLOTS];
	size_t head, tail;         /* produce into slots[head % N], consume slots[tail % N] */
	bool done, stop, failed;
	bool consumer_holds;       /* the last returned slot is still in use */
	size_t last_drawn;
	struct pm_err err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started;
	/* the shuffle buffer */
	size_t *buf, fill, next;
	size_t *idx;               /* rows of the batch being gathered */
	struct ft_value *vals;
};

/* Next row index out of the shuffle buffer (tf.data's algorithm: draw a
 * random element of the buffer, refill its place from the stream); false
 * at the end of the epoch. */
static bool shuffle_next(struct pipeline *p, size_t *row)
{
	if (p->fill == 0)
		return false;
	size_t j = (size_t)rng_below(&p->rng, p->fill);
	*row = p->buf[j];
	if (p->next < p->src.n)
		p->buf[j] = p->next++;
	else
		p->buf[j] = p->buf[--p->fill];
	return true;
}

static int fill_slot(struct pipeline *p, struct slot *s)
{
	const struct pipe_source *src = &p->src;
	size_t k = 0, row;
	if (src->dense || !src->tf) {
		/* draw the batch's rows first, then gather them with the next
		 * rows' cache lines requested ahead: a full shuffle reads the
		 * cache in random order, and memory latency would dominate */
		size_t *idx = p->idx;
		size_t n = 0, drawn = 0;
		while (drawn < p->batch && shuffle_next(p, &row)) {
			drawn++;
			if (!src->mine || src->mine[row])
				idx[n++] = row;
		}
		s->drawn = drawn;
		for (k = 0; k < n; k++) {
			if (k + 8 < n) {
				__builtin_prefetch(src->dense + idx[k + 8] * p->nd);
				__builtin_prefetch(src->cat + idx[k + 8] * p->nc);
				__builtin_prefetch(src->y + idx[k + 8]);
			}
			row = idx[k];
			if (p->nd)
				memcpy(s->dense + k * p->nd, src->dense + row * p->nd, p->nd * sizeof(double));
			if (p->nc)
				memcpy(s->cat + k * p->nc, src->cat + row * p->nc, p->nc * sizeof(uint32_t));
			s->y[k] = src->y[row];
		}
		s->n = n;
		return 0;
	}
	s->drawn = 0;
	while (s->drawn < p->batch && shuffle_next(p, &row)) {
		s->drawn++;
		if (src->mine && !src->mine[row])
			continue;
		size_t frow = src->rows ? src->rows[row] : row;
		transform_row_values(src->tf, src->frame, src->colmap, frow, p->vals);
		if (transform_apply(src->tf, p->vals, s->dense + k * p->nd, s->cat + k * p->nc,
				    &p->err) < 0) {
			pm_err_prefix(&p->err, "dataset '%s' row %zu", src->frame->name, frow + 1);
			return -1;
		}
		s->y[k] = src->y[row];
		k++;
	}
	s->n = k;
	return 0;
}

static void *producer(void *arg)
{
	struct pipeline *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->slots[p->head % NSLOTS].full)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		struct slot *s = &p->slots[p->head % NSLOTS];
		pthread_mutex_unlock(&p->mu);
		/* the slot is ours until it is marked full */
		int rc = fill_slot(p, s);
		pthread_mutex_lock(&p->mu);
		if (rc < 0) {
			p->failed = true;
			s->n = s->drawn = 0;
		}
		s->full = true;
		p->head++;
		bool end = rc < 0 || s->drawn == 0;
		if (end)
			p->done = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (end)
			return NULL;
	}
}

int pipeline_start(const struct pipe_source *src, size_t batch, size_t buffer, uint64_t seed,
		   struct pipeline **out, struct pm_err *err)
{
	if (batch == 0)
		return pm_errcf(err, PM_E_USAGE, "--batch must be at least 1");
	struct pipeline *p = xcalloc(1, sizeof *p);
	p->src = *src;
	p->batch = batch;
	p->buffer = buffer == 0 || buffer > src->n ? src->n : buffer;
	const struct transform *tf = src->tf;
	p->nd = tf->ndense;
	p->nc = tf->ncat;
	rng_seed(&p->rng, seed);
	for (int i = 0; i < NSLOTS; i++) {
		p->slots[i].dense = xmalloc((batch * p->nd + 1) * sizeof(double));
		p->slots[i].cat = xmalloc((batch * p->nc + 1) * sizeof(uint32_t));
		p->slots[i].y = xmalloc(batch * sizeof(double));
	}
	p->buf = xmalloc((p->buffer + 1) * sizeof *p->buf);
	p->idx = xmalloc((batch + 1) * sizeof *p->idx);
	for (size_t i = 0; i < p->buffer; i++)
		p->buf[i] = i;
	p->fill = p->buffer;
	p->next = p->buffer;
	if (!src->dense)
		p->vals = xmalloc((tf->ninputs + 1) * sizeof *p->vals);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, producer, p) != 0) {
		pipeline_stop(p);
		return pm_errf(err, "cannot start the prefetch thread");
	}
	p->started = true;
	*out = p;
	return 0;
}

int pipeline_next(struct pipeline *p, struct batch *b, double *wait, struct pm_err *err)
{
	double t0 = now_seconds();
	pthread_mutex_lock(&p->mu);
	if (p->consumer_holds) {
		/* hand the previous batch's slot back to the producer */
		p->slots[p->tail % NSLOTS].full = false;
		p->tail++;
		p->consumer_holds = false;
		pthread_cond_broadcast(&p->cv);
	}
	while (!p->slots[p->tail % NSLOTS].full)
		pthread_cond_wait(&p->cv, &p->mu);
	struct slot *s = &p->slots[p->tail % NSLOTS];
	bool failed = p->failed && s->drawn == 0;
	pthread_mutex_unlock(&p->mu);
	*wait = now_seconds() - t0;
	if (failed) {
		*err = p->err;
		return -1;
	}
	p->consumer_holds = true;
	p->last_drawn = s->drawn;
	b->n = s->n;
	b->dense = s->dense;
	b->cat = s->cat;
	b->y = s->y;
	return 0;
}

size_t pipeline_drawn(const struct pipeline *p)
{
	return p->last_drawn;
}

void pipeline_stop(struct pipeline *p)
{
	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (int i = 0; i < NSLOTS; i++) {
		free(p->slots[i].dense);
		free(p->slots[i].cat);
		free(p->slots[i].y);
	}
	free(p->buf);
	free(p->idx);
	free(p->vals);
	free(p);
}
