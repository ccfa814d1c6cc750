/* The request log: records queue in memory and a thread of their own
 * writes them to the workspace (table requests) in one transaction per
 * round, so a request never waits on the database.  A full queue drops the
 * record and counts it (prodml_request_log_dropped_total).  The same thread
 * applies the retention once an hour (monitor_compact), so a server that
 * runs for months keeps the workspace bounded. */
#include "internal.h"
#include "../monitor/monitor.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_CAP 65536
#define LOG_ROUND 512

struct reqlog {
	struct workspace *ws;
	char *model;
	int64_t server_id;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct reqlog_rec *ring;
	size_t head, n;
	bool stop;
	pthread_t th;
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

static void iso_time(int64_t us, char *buf, size_t n)
{
	/* "YYYY-MM-DDTHH:MM:SS.ffffffZ": sorts as text, reads back with ts_parse */
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

static void write_round(struct reqlog *l, struct reqlog_rec *recs, size_t n)
{
	struct pm_err err;
	sqlite3_stmt *st = NULL;
	if (ws_begin(l->ws, &err) < 0)
		goto out;
	if (ws_prepare(l->ws,
		       "INSERT INTO requests (time, time_us, server, model, version, api, status, "
		       "latency_us, rows, lookup_hits, features, prediction, error) "
		       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
		       &st, &err) < 0) {
		ws_rollback(l->ws);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct reqlog_rec *r = &recs[i];
		char t[40];
		iso_time(r->time_us, t, sizeof t);
		sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, r->time_us);
		if (l->server_id)
			sqlite3_bind_int64(st, 3, l->server_id);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_text(st, 4, l->model, -1, SQLITE_STATIC);
		if (r->version)
			sqlite3_bind_int64(st, 5, r->version);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, r->api, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, r->status);
		sqlite3_bind_int64(st, 8, r->latency_us);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)r->rows);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)r->lookup_hits);
		sqlite3_bind_text(st, 11, r->features, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, r->prediction, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, r->error, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	if (ws_commit(l->ws, &err) < 0) {
		ws_rollback(l->ws);
		goto out;
	}
	atomic_fetch_add(&l->mt->logged, n);
	return;
out:
	atomic_fetch_add(&l->mt->log_dropped, n);
}

static void *writer(void *arg)
{
	struct reqlog *l = arg;
	struct reqlog_rec *batch = xmalloc(LOG_ROUND * sizeof *batch);
	pthread_mutex_lock(&l->mu);
	for (;;) {
		if (!l->n && l->stop)
			break;
		if (l->n < LOG_ROUND && !l->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&l->cv, &l->mu, &ts);
			if (!l->n) {
				pthread_mutex_unlock(&l->mu);
				maybe_compact(l);
				pthread_mutex_lock(&l->mu);
				continue;
			}
		}
		size_t k = 0;
		while (l->n && k < LOG_ROUND) {
			batch[k++] = l->ring[l->head];
			l->head = (l->head + 1) % LOG_CAP;
			l->n--;
		}
		pthread_mutex_unlock(&l->mu);
		write_round(l, batch, k);
		for (size_t i = 0; i < k; i++)
			rec_free(&batch[i]);
		maybe_compact(l);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	free(batch);
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
	l->model = xstrdup(model);
	l->server_id = server_id;
	l->mt = mt;
	l->ring = xcalloc(LOG_CAP, sizeof *l->ring);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (pthread_create(&l->th, NULL, writer, l) != 0) {
		ws_close(l->ws);
		free(l->ring);
		free(l->model);
		free(l);
		return pm_errf(err, "request log: cannot start its thread");
	}
	*out = l;
	return 0;
}

void reqlog_add(struct reqlog *l, struct reqlog_rec *r)
{
	pthread_mutex_lock(&l->mu);
	if (l->n == LOG_CAP || l->stop) {
		pthread_mutex_unlock(&l->mu);
		atomic_fetch_add(&l->mt->log_dropped, 1);
		rec_free(r);
		return;
	}
	l->ring[(l->head + l->n) % LOG_CAP] = *r;
	l->n++;
	if (l->n >= LOG_ROUND)
		pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

void reqlog_close(struct reqlog *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->th, NULL);
	ws_close(l->ws);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->ring);
	free(l->model);
	free(l);
}
