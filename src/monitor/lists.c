/* What the lists and status lines read of the monitoring tables: the
 * monitored models, the size of the request log, the open alerts. */
#include "monitor/internal.h"
#include <stdlib.h>

int monitor_log_mark(struct workspace *ws, const char *model, int64_t *n, int64_t *last,
		     struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT count(*), coalesce(max(id), 0) FROM requests WHERE model = ?", &st,
		       err) < 0)
		return -1;
	db_bind_text(st, 1, model, -1, DB_TRANSIENT);
	int rc = db_step(st);
	*n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	*last = rc == DB_ROW ? db_column_int64(st, 1) : 0;
	db_finalize(st);
	if (rc != DB_ROW)
		return pm_errf(err, "reading the request log: %s", ws_errmsg(ws));
	return 0;
}

int monitor_log_size(struct workspace *ws, int64_t *requests, int64_t *rollups,
		     struct pm_err *err)
{
	struct db_stmt *st;
	*requests = *rollups = 0;
	if (ws_prepare(ws, "SELECT (SELECT COUNT(*) FROM rollups), (SELECT COUNT(*) FROM requests)",
		       &st, err))
		return -1;
	if (db_step(st) == DB_ROW)
		*rollups = db_column_int64(st, 0), *requests = db_column_int64(st, 1);
	db_finalize(st);
	return 0;
}

void monitor_models_free(struct monitor_model *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].model);
	free(m);
}

int monitor_models(struct workspace *ws, struct monitor_model **out, size_t *n,
		   struct pm_err *err)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT model, sum(n), sum(e), max(t),"
		       " (SELECT count(*) FROM alerts a WHERE a.model = r.model AND a.status = 'open'),"
		       " (SELECT count(*) FROM servers s WHERE s.model = r.model"
		       "  AND s.status IN ('running', 'starting'))"
		       " FROM (SELECT model, count(*) AS n, sum(status >= 400) AS e, max(time_us) AS t"
		       "  FROM requests GROUP BY model UNION ALL"
		       "  SELECT model, sum(requests), sum(errors), max(minute_us) FROM rollups"
		       "  GROUP BY model) r GROUP BY model ORDER BY model",
		       &st, err) < 0)
		return -1;
	struct monitor_model *rows = NULL;
	size_t k = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)&rows, &cap, k + 1, sizeof *rows);
		struct monitor_model *r = &rows[k++];
		const unsigned char *name = db_column_text(st, 0);
		r->model = xstrdup(name ? (const char *)name : "");
		r->requests = db_column_int64(st, 1);
		r->errors = db_column_int64(st, 2);
		r->last_us = db_column_int64(st, 3);
		r->alerts = db_column_int64(st, 4);
		r->servers = db_column_int64(st, 5);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		monitor_models_free(rows, k);
		return pm_errf(err, "reading the request log: %s", ws_errmsg(ws));
	}
	*out = rows;
	*n = k;
	return 0;
}

int monitor_alert_count_open(struct workspace *ws, int64_t *n, struct pm_err *err)
{
	struct db_stmt *st;
	*n = 0;
	if (ws_prepare(ws, "SELECT count(*) FROM alerts WHERE status = 'open'", &st, err) < 0)
		return -1;
	if (db_step(st) == DB_ROW)
		*n = db_column_int64(st, 0);
	db_finalize(st);
	return 0;
}
