/* A parallel for-loop over pthreads: items are claimed with an atomic
 * counter, so uneven items still keep every thread busy. */
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

int pm_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

struct par {
	size_t n;
	atomic_size_t next;
	void (*fn)(void *, size_t);
	void *ctx;
};

static void *par_worker(void *arg)
{
	struct par *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		p->fn(p->ctx, i);
	}
	return NULL;
}

void par_for(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	if (threads <= 0)
		threads = pm_ncpu();
	if ((size_t)threads > n)
		threads = (int)n;
	if (threads <= 1) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	struct par p = {.n = n, .fn = fn, .ctx = ctx};
	atomic_init(&p.next, 0);
	pthread_t tid[64];
	int started = 0;
	if (threads > 64)
		threads = 64;
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tid[started], NULL, par_worker, &p) == 0)
			started++;
	par_worker(&p);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

struct par_err {
	int (*fn)(void *ctx, size_t i, struct pm_err *err);
	void *ctx;
	struct pm_err *errs;
	bool *failed;
};

static void par_err_item(void *ctx, size_t i)
{
	struct par_err *p = ctx;
	if (p->fn(p->ctx, i, &p->errs[i]) < 0)
		p->failed[i] = true;
}

int par_for_err(size_t n, int threads, int (*fn)(void *ctx, size_t i, struct pm_err *err),
		void *ctx, struct pm_err *err)
{
	struct par_err p = {.fn = fn, .ctx = ctx, .errs = xcalloc(n + 1, sizeof *p.errs),
			    .failed = xcalloc(n + 1, sizeof *p.failed)};
	par_for(n, threads, par_err_item, &p);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (p.failed[i]) {
			*err = p.errs[i];
			rc = -1;
			break;
		}
	free(p.errs);
	free(p.failed);
	return rc;
}
