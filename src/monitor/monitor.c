/* The request log's writer for labs and tests, percentiles, options and
 * alerts.  The dashboard is in summary.c, feedback and live quality in
 * feedback.c, retention in rollup.c. */
#include "monitor/internal.h"
#include "validate/validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int monitor_db_fail(struct workspace *ws, struct pm_err *err)
{
	return pm_errf(err, "workspace database: %s", ws_errmsg(ws));
}

int monitor_log_insert(struct workspace *ws, const struct monitor_request *r, struct pm_err *err)
{
	struct db_stmt *st;
	char iso[64];
	if (ws_prepare(ws,
		       "INSERT INTO requests (time, time_us, model, version, api, status, latency_us,"
		       " rows, features, prediction, error) VALUES (?,?,?,?,'log',?,?,?,?,?,?)",
		       &st, err))
		return -1;
	ts_format(r->time_us, iso, sizeof iso);
	db_bind_text(st, 1, iso, -1, DB_TRANSIENT);
	db_bind_int64(st, 2, r->time_us);
	db_bind_text(st, 3, r->model, -1, DB_STATIC);
	if (r->version > 0)
		db_bind_int64(st, 4, r->version);
	db_bind_int(st, 5, r->status);
	db_bind_int64(st, 6, r->latency_us);
	db_bind_int64(st, 7, r->rows);
	if (r->features)
		db_bind_text(st, 8, r->features, -1, DB_STATIC);
	if (r->prediction)
		db_bind_text(st, 9, r->prediction, -1, DB_STATIC);
	if (r->error)
		db_bind_text(st, 10, r->error, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? 0 : monitor_db_fail(ws, err);
}

int monitor_served_version(struct workspace *ws, const char *model, int64_t *version,
			   struct pm_err *err)
{
	struct db_stmt *st;
	*version = 0;
	if (ws_prepare(ws,
		       "SELECT version FROM (SELECT version, time_us AS t FROM requests"
		       " WHERE model = ?1 AND version > 0 UNION ALL"
		       " SELECT version, minute_us AS t FROM rollups WHERE model = ?1 AND version > 0)"
		       " ORDER BY t DESC LIMIT 1",
		       &st, err))
		return -1;
	db_bind_text(st, 1, model, -1, DB_STATIC);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*version = db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : monitor_db_fail(ws, err);
}

double monitor_percentile(const int64_t *sorted, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double k = ceil(p / 100.0 * (double)n);
	size_t i = k < 1 ? 0 : (size_t)k - 1;
	if (i >= n)
		i = n - 1;
	return (double)sorted[i];
}

int64_t monitor_round3(int64_t us)
{
	if (us < 1000 && us > -1000)
		return us;
	int64_t a = us < 0 ? -us : us, p = 1;
	while (a / p >= 1000)
		p *= 10;
	/* half up: 12345 -> 12300, 12350 -> 12400 */
	int64_t r = (a + p / 2) / p * p;
	return us < 0 ? -r : r;
}

void monitor_options_init(struct monitor_options *o)
{
	*o = (struct monitor_options){
		.since_us = INT64_MIN,
		.window_us = 3600000000LL,
		.missing_threshold = DRIFT_DEFAULT_MISSING,
		.alpha = DRIFT_DEFAULT_ALPHA,
		.error_rate = MONITOR_DEFAULT_ERROR_RATE,
		.latency_p99_ms = MONITOR_DEFAULT_LATENCY_P99_MS,
		.min_requests = MONITOR_DEFAULT_MIN_REQUESTS,
		.quality_drop = MONITOR_DEFAULT_QUALITY_DROP,
		.quality_min_rows = MONITOR_DEFAULT_QUALITY_MIN_ROWS,
	};
	for (size_t k = 0; k < DIST_N; k++)
		o->threshold[k] = dist_table[k].default_threshold;
}

int monitor_alert_add(struct workspace *ws, const struct monitor_alert *a, bool *opened,
		      struct pm_err *err)
{
	struct db_stmt *st;
	*opened = false;
	if (ws_prepare(ws,
		       a->has_window
			       ? "SELECT id FROM alerts WHERE model = ?1 AND kind = ?2 AND feature IS ?3"
				 " AND version IS ?4 AND window_us = ?5"
			       : "SELECT id FROM alerts WHERE model = ?1 AND kind = ?2 AND feature IS ?3"
				 " AND version IS ?4 AND window_us IS NULL AND status = 'open'",
		       &st, err))
		return -1;
	db_bind_text(st, 1, a->model, -1, DB_STATIC);
	db_bind_text(st, 2, a->kind, -1, DB_STATIC);
	if (a->feature)
		db_bind_text(st, 3, a->feature, -1, DB_STATIC);
	if (a->version > 0)
		db_bind_int64(st, 4, a->version);
	if (a->has_window)
		db_bind_int64(st, 5, a->window_us);
	int rc = db_step(st);
	db_finalize(st);
	if (rc == DB_ROW)
		return 0;
	if (rc != DB_DONE)
		return monitor_db_fail(ws, err);
	if (ws_prepare(ws,
		       "INSERT INTO alerts (time, model, kind, feature, value, threshold, status,"
		       " window_us, version) VALUES (?,?,?,?,?,?,'open',?,?)",
		       &st, err))
		return -1;
	char now[64];
	ts_now_iso(now, sizeof now);
	db_bind_text(st, 1, now, -1, DB_TRANSIENT);
	db_bind_text(st, 2, a->model, -1, DB_STATIC);
	db_bind_text(st, 3, a->kind, -1, DB_STATIC);
	if (a->feature)
		db_bind_text(st, 4, a->feature, -1, DB_STATIC);
	db_bind_double(st, 5, a->value);
	db_bind_double(st, 6, a->threshold);
	if (a->has_window)
		db_bind_int64(st, 7, a->window_us);
	if (a->version > 0)
		db_bind_int64(st, 8, a->version);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return monitor_db_fail(ws, err);
	*opened = true;
	return 0;
}

int monitor_alert_raise(struct workspace *ws, const char *model, const char *kind,
			const char *feature, double value, double threshold, bool *opened,
			struct pm_err *err)
{
	struct monitor_alert a = {.model = model, .kind = kind, .feature = feature, .value = value,
				  .threshold = threshold};
	return monitor_alert_add(ws, &a, opened, err);
}

int monitor_alerts_raise(struct workspace *ws, const char *model, json_t *due, json_t **opened,
			 struct pm_err *err)
{
	json_t *out = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(due, i, d)
	{
		json_t *w = json_object_get(d, "window_us");
		struct monitor_alert a = {
			.model = model,
			.kind = json_string_value(json_object_get(d, "kind")),
			.feature = json_string_value(json_object_get(d, "feature")),
			.version = json_integer_value(json_object_get(d, "version")),
			.has_window = json_is_integer(w),
			.window_us = json_integer_value(w),
			.value = json_number_value(json_object_get(d, "value")),
			.threshold = json_number_value(json_object_get(d, "threshold")),
		};
		bool op;
		if (!a.kind || monitor_alert_add(ws, &a, &op, err)) {
			json_decref(out);
			return a.kind ? -1 : pm_errf(err, "monitor: an alert without a kind");
		}
		if (op)
			json_array_append(out, d);
	}
	*opened = out;
	return 0;
}

int monitor_alert_list(struct workspace *ws, bool include_closed, json_t **out,
		       struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       include_closed
			       ? "SELECT id, time, model, kind, feature, value, threshold, status,"
				 " window_us, version FROM alerts ORDER BY id"
			       : "SELECT id, time, model, kind, feature, value, threshold, status,"
				 " window_us, version FROM alerts WHERE status = 'open' ORDER BY id",
		       &st, err))
		return -1;
	json_t *a = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *f = (const char *)db_column_text(st, 4);
		char win[64];
		bool has_w = db_column_type(st, 8) != DB_NULL;
		if (has_w)
			ts_format(db_column_int64(st, 8), win, sizeof win);
		bool has_v = db_column_type(st, 9) != DB_NULL;
		json_array_append_new(
			a, json_pack("{s:I,s:s,s:s,s:s,s:o,s:f,s:f,s:s,s:o,s:o}", "id",
				     (json_int_t)db_column_int64(st, 0), "time",
				     (const char *)db_column_text(st, 1), "model",
				     (const char *)db_column_text(st, 2), "kind",
				     (const char *)db_column_text(st, 3), "feature",
				     f ? json_string(f) : json_null(), "value",
				     db_column_double(st, 5), "threshold",
				     db_column_double(st, 6), "status",
				     (const char *)db_column_text(st, 7), "window",
				     has_w ? json_string(win) : json_null(), "version",
				     has_v ? json_integer(db_column_int64(st, 9)) : json_null()));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(a);
		return monitor_db_fail(ws, err);
	}
	*out = a;
	return 0;
}

int monitor_alert_ack(struct workspace *ws, int64_t id, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "UPDATE alerts SET status = 'acked', acked = ? WHERE id = ? AND"
			   " status = 'open'",
		       &st, err))
		return -1;
	char now[64];
	ts_now_iso(now, sizeof now);
	db_bind_text(st, 1, now, -1, DB_TRANSIENT);
	db_bind_int64(st, 2, id);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return monitor_db_fail(ws, err);
	if (db_changes(ws->db) == 0) {
		pm_errf(err, "no open alert %lld", (long long)id);
		err->code = PM_E_NOTFOUND;
		return -1;
	}
	return 0;
}

