/* The request log, written ahead of the answer.  The request thread
 * appends its record to the server's spool (spool.c) before the response
 * is queued, so a request that was answered is in the spool even if the
 * server is killed the next moment (a write() into the page cache survives
 * the process).  Threads that log at the same time share one write: the
 * first takes every record queued and writes them, the others wait for it
 * (group commit).  A mover thread of idle priority (SCHED_IDLE) moves the
 * spool into the workspace (table requests), one transaction per round.
 * So a request never waits on the database, and the database work takes
 * only CPU time the requests leave over: under saturation the records wait
 * in the spool (at most SPOOL_MAX bytes of them; past that a record is
 * dropped and counted in prodml_request_log_dropped_total) and are moved
 * when the load falls, or on shutdown, or by the next process that finds
 * the spool of a server that was killed.  The mover also applies the
 * retention once an hour (monitor_compact), so a server that runs for
 * months keeps the workspace bounded. */
#include "internal.h"
#include "monitor/monitor.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MOVE_ROUND 128         /* records per transaction of the mover */
#define SPOOL_MAX (1ull << 30) /* bytes spooled and not yet moved */

struct reqlog {
	struct workspace *ws;  /* the mover's (then the closing thread's) */
	struct spool *sp;
	pthread_mutex_t mu;    /* the queue and the write turn */
	pthread_cond_t cv;     /* a write ended */
	struct reqlog_rec *queue, *batch; /* swapped at each write */
	size_t n, qcap, bcap;
	uint64_t queued, done; /* records queued, and written or dropped */
	bool writing, stop;
	pthread_t mover;
	pthread_mutex_t pos_mu; /* written */
	pthread_cond_t pos_cv;
	struct spool_pos written, moved_to;
	atomic_bool mover_stop;
	atomic_ullong bytes_written, bytes_moved;
	struct sv_metrics *mt;
	int64_t keep_us, rollup_us;  /* keep_us < 0: no retention */
	int64_t next_compact_us;
};

#define COMPACT_EVERY_US 3600000000LL

/* Rolls up the raw requests past the retention, at most once an hour; a
 * failure (the database busy beyond its timeout) is retried next time. */
static void maybe_compact(struct reqlog *l)
{
	if (l->keep_us < 0)
		return;
	int64_t now = now_unix_us();
	if (now < l->next_compact_us)
		return;
	l->next_compact_us = now + COMPACT_EVERY_US;
	struct monitor_compact_result res;
	struct pm_err err = {0};
	if (monitor_compact(l->ws, now - l->keep_us, now - l->rollup_us, &res, &err) == 0)
		atomic_fetch_add(&l->mt->log_compacted, (uint64_t)res.rolled);
}

static void rec_free(struct reqlog_rec *r)
{
	free(r->api);
	free(r->features);
	free(r->prediction);
	free(r->error);
}

/* Writes the k records of l->batch to the spool; called with l->mu not
 * held, by the thread whose turn it is. */
static void write_batch(struct reqlog *l, size_t k)
{
	struct spool_pos end;
	struct pm_err err;
	if (atomic_load(&l->bytes_written) - atomic_load(&l->bytes_moved) > SPOOL_MAX ||
	    spool_append(l->sp, l->batch, k, &end, &err) < 0) {
		atomic_fetch_add(&l->mt->log_dropped, k);
	} else {
		atomic_fetch_add(&l->mt->log_spooled, k);
		/* the round, and the header of a segment it began */
		uint64_t bytes = end.seg == l->written.seg ? end.off - l->written.off : end.off;
		atomic_fetch_add(&l->bytes_written, bytes);
		pthread_mutex_lock(&l->pos_mu);
		l->written = end;
		pthread_cond_signal(&l->pos_cv);
		pthread_mutex_unlock(&l->pos_mu);
	}
	for (size_t i = 0; i < k; i++)
		rec_free(&l->batch[i]);
}

/* Moves what was written up to now: *stop ends it between transactions. */
static int move_written(struct reqlog *l, const atomic_bool *stop, struct pm_err *err)
{
	pthread_mutex_lock(&l->pos_mu);
	struct spool_pos upto = l->written;
	pthread_mutex_unlock(&l->pos_mu);
	struct spool_counts n = {0};
	int rc = spool_move(l->sp, l->ws, &l->moved_to, upto, MOVE_ROUND, stop, &n, err);
	atomic_fetch_add(&l->mt->logged, n.records);
	atomic_fetch_add(&l->bytes_moved, n.bytes);
	/* the large requests of a burst pass through here once more */
	sv_budget_trim(n.bytes);
	return rc;
}

static void *mover(void *arg)
{
	struct reqlog *l = arg;
#ifdef SCHED_IDLE
	struct sched_param sp = {0};
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
#endif
	for (;;) {
		pthread_mutex_lock(&l->pos_mu);
		if (!spool_before(l->moved_to, l->written) && !atomic_load(&l->mover_stop)) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&l->pos_cv, &l->pos_mu, &ts);
		}
		pthread_mutex_unlock(&l->pos_mu);
		if (atomic_load(&l->mover_stop))
			break;
		struct pm_err err;
		if (move_written(l, &l->mover_stop, &err) < 0) {
			/* the database busy past its timeout, or the disk: try again */
			struct timespec ts = {1, 0};
			nanosleep(&ts, NULL);
		}
		maybe_compact(l);
	}
	return NULL;
}

int reqlog_open(const char *ws_dir, const char *model, int64_t server_id, int64_t keep_days,
		int64_t rollup_days, struct sv_metrics *mt, struct reqlog **out, struct pm_err *err)
{
	struct reqlog *l = xcalloc(1, sizeof *l);
	l->keep_us = keep_days <= 0 ? -1 : keep_days * 86400000000LL;
	l->rollup_us = (rollup_days < keep_days ? keep_days : rollup_days) * 86400000000LL;
	if (ws_open(ws_dir, &l->ws, err) < 0) {
		free(l);
		return pm_err_prefix(err, "request log");
	}
	/* what killed servers left in their spools comes first */
	struct spool_counts rec;
	if (spool_recover(l->ws, &rec, err) < 0 ||
	    spool_open(l->ws->dir, model, server_id, &l->sp, err) < 0) {
		ws_close(l->ws);
		free(l);
		return -1;
	}
	l->written = l->moved_to = spool_start(l->sp);
	l->mt = mt;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	pthread_mutex_init(&l->pos_mu, NULL);
	pthread_cond_init(&l->pos_cv, NULL);
	if (pthread_create(&l->mover, NULL, mover, l) != 0) {
		spool_close(l->sp, l->ws);
		ws_close(l->ws);
		free(l);
		return pm_errf(err, "request log: cannot start its thread");
	}
	*out = l;
	return 0;
}

void reqlog_add(struct reqlog *l, struct reqlog_rec *r)
{
	pthread_mutex_lock(&l->mu);
	if (l->stop) {
		pthread_mutex_unlock(&l->mu);
		atomic_fetch_add(&l->mt->log_dropped, 1);
		rec_free(r);
		return;
	}
	if (l->n == l->qcap) {
		l->qcap = l->qcap ? 2 * l->qcap : 16;
		l->queue = xrealloc(l->queue, l->qcap * sizeof *l->queue);
	}
	l->queue[l->n++] = *r;
	uint64_t mine = ++l->queued;
	/* returns once a write holds this record: ours, or one that another
	 * thread began after we queued it */
	while (l->done < mine) {
		if (l->writing) {
			pthread_cond_wait(&l->cv, &l->mu);
			continue;
		}
		l->writing = true;
		size_t k = l->n;
		struct reqlog_rec *t = l->batch;
		size_t tcap = l->bcap;
		l->batch = l->queue;
		l->bcap = l->qcap;
		l->queue = t;
		l->qcap = tcap;
		l->n = 0;
		pthread_mutex_unlock(&l->mu);
		write_batch(l, k);
		pthread_mutex_lock(&l->mu);
		l->done += k;
		l->writing = false;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
}

void reqlog_close(struct reqlog *l)
{
	if (!l)
		return;
	/* no more records; a write in progress ends first */
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	while (l->writing)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
	/* the mover ends its transaction; this thread, at its own priority,
	 * moves the rest */
	atomic_store(&l->mover_stop, true);
	pthread_mutex_lock(&l->pos_mu);
	pthread_cond_signal(&l->pos_cv);
	pthread_mutex_unlock(&l->pos_mu);
	pthread_join(l->mover, NULL);
	struct pm_err err;
	bool all = move_written(l, NULL, &err) == 0 && !spool_before(l->moved_to, l->written);
	/* not all moved (the database unwritable): the spool stays for
	 * spool_recover */
	spool_close(l->sp, all ? l->ws : NULL);
	ws_close(l->ws);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->pos_mu);
	pthread_cond_destroy(&l->pos_cv);
	free(l->queue);
	free(l->batch);
	free(l);
}
