/* The monitoring engine: reads the request log, compares the logged
 * features with the training data using the validation engine's distances
 * (L-infinity for categorical features, Jensen-Shannon for numeric ones, as
 * Vertex AI Model Monitoring), and keeps alerts and rollups. */
#include "monitor/monitor.h"
#include "validate/validate.h"
#include "workspace/workspace.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int db_fail(struct workspace *ws, struct pm_err *err)
{
	return pm_errf(err, "workspace database: %s", sqlite3_errmsg(ws->db));
}

int monitor_log_insert(struct workspace *ws, const struct monitor_request *r, struct pm_err *err)
{
	sqlite3_stmt *st;
	char iso[64];
	if (ws_prepare(ws,
		       "INSERT INTO requests (time, time_us, model, version, api, status, latency_us,"
		       " rows, features, prediction, error) VALUES (?,?,?,?,'log',?,?,?,?,?,?)",
		       &st, err))
		return -1;
	ts_format(r->time_us, iso, sizeof iso);
	sqlite3_bind_text(st, 1, iso, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, r->time_us);
	sqlite3_bind_text(st, 3, r->model, -1, SQLITE_STATIC);
	if (r->version > 0)
		sqlite3_bind_int64(st, 4, r->version);
	sqlite3_bind_int(st, 5, r->status);
	sqlite3_bind_int64(st, 6, r->latency_us);
	sqlite3_bind_int64(st, 7, r->rows);
	if (r->features)
		sqlite3_bind_text(st, 8, r->features, -1, SQLITE_STATIC);
	if (r->prediction)
		sqlite3_bind_text(st, 9, r->prediction, -1, SQLITE_STATIC);
	if (r->error)
		sqlite3_bind_text(st, 10, r->error, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(ws, err);
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

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The values one feature took in a set of rows: numbers or texts. */
struct fvals {
	double *num;
	size_t nnum, capnum;
	struct value_count *vc;  /* value owned (strdup) */
	size_t nvc, capvc;
	size_t missing;
};

static void fv_num(struct fvals *v, double x)
{
	if (v->nnum == v->capnum) {
		v->capnum = v->capnum ? 2 * v->capnum : 64;
		v->num = realloc(v->num, v->capnum * sizeof *v->num);
	}
	v->num[v->nnum++] = x;
}

static void fv_text(struct fvals *v, const char *s, size_t len)
{
	for (size_t i = 0; i < v->nvc; i++)
		if (v->vc[i].len == len && memcmp(v->vc[i].value, s, len) == 0) {
			v->vc[i].count++;
			return;
		}
	if (v->nvc == v->capvc) {
		v->capvc = v->capvc ? 2 * v->capvc : 16;
		v->vc = realloc(v->vc, v->capvc * sizeof *v->vc);
	}
	char *c = xmalloc(len + 1);
	memcpy(c, s, len);
	c[len] = 0;
	v->vc[v->nvc++] = (struct value_count){.value = c, .len = (uint32_t)len, .count = 1};
}

static void fv_free(struct fvals *v)
{
	free(v->num);
	for (size_t i = 0; i < v->nvc; i++)
		free((char *)v->vc[i].value);
	free(v->vc);
	memset(v, 0, sizeof *v);
}

static bool col_categorical(const struct column *c)
{
	return c->type == PM_STRING || c->type == PM_BOOL;
}

static void fv_from_column(const struct column *c, size_t nrows, struct fvals *v)
{
	char buf[64];
	for (size_t r = 0; r < nrows; r++) {
		if (!column_present(c, r)) {
			v->missing++;
			continue;
		}
		if (col_categorical(c)) {
			const char *t = column_text(c, r, buf, sizeof buf);
			fv_text(v, t, strlen(t));
		} else {
			fv_num(v, column_num(c, r));
		}
	}
}

static void fv_add_json(struct fvals *v, bool categorical, json_t *x)
{
	if (!x || json_is_null(x)) {
		v->missing++;
		return;
	}
	if (categorical) {
		char buf[64];
		if (json_is_string(x))
			fv_text(v, json_string_value(x), json_string_length(x));
		else if (json_is_true(x) || json_is_false(x))
			fv_text(v, json_is_true(x) ? "true" : "false", json_is_true(x) ? 4 : 5);
		else if (json_is_integer(x)) {
			int n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(x));
			fv_text(v, buf, (size_t)n);
		} else
			v->missing++;
	} else {
		if (json_is_number(x))
			fv_num(v, json_number_value(x));
		else if (json_is_string(x)) {
			double d;
			int64_t us;
			/* Timestamps are logged as text; the training column holds microseconds. */
			if (parse_double(json_string_value(x), json_string_length(x), &d))
				fv_num(v, d);
			else if (ts_parse(json_string_value(x), json_string_length(x), &us))
				fv_num(v, (double)us);
			else
				v->missing++;
		} else
			v->missing++;
	}
}

/* Distance between two samples of one feature: L-infinity of the value
 * shares for categorical features, JSD of the standard histograms for
 * numeric ones.  NaN when either side has no values. */
static double fv_distance(struct fvals *a, struct fvals *b, bool categorical, struct pm_err *err,
			  int *fail)
{
	if (categorical) {
		if (!a->nvc || !b->nvc)
			return NAN;
		return dist_linf(a->vc, a->nvc, b->vc, b->nvc, NULL, NULL);
	}
	if (!a->nnum || !b->nnum)
		return NAN;
	struct num_stats sa, sb;
	double *ca = xmalloc(a->nnum * sizeof *ca), *cb = xmalloc(b->nnum * sizeof *cb);
	memcpy(ca, a->num, a->nnum * sizeof *ca);
	memcpy(cb, b->num, b->nnum * sizeof *cb);
	numstats_compute(ca, a->nnum, false, &sa);
	numstats_compute(cb, b->nnum, false, &sb);
	free(ca);
	free(cb);
	struct histogram ha = numstats_histogram(&sa), hb = numstats_histogram(&sb);
	double d = NAN;
	if (dist_jsd_hist(&ha, &hb, &d, err))
		*fail = 1;
	return d;
}

static size_t fv_total(const struct fvals *v)
{
	size_t n = v->missing + v->nnum;
	for (size_t i = 0; i < v->nvc; i++)
		n += (size_t)v->vc[i].count;
	return n;
}

static bool fv_has(const struct fvals *v, const struct value_count *x)
{
	for (size_t i = 0; i < v->nvc; i++)
		if (v->vc[i].len == x->len && memcmp(v->vc[i].value, x->value, x->len) == 0)
			return true;
	return false;
}

/* Values of `a` that `b` lacks, as a JSON array (at most 10). */
static json_t *fv_missing_from(const struct fvals *a, const struct fvals *b)
{
	json_t *out = json_array();
	for (size_t i = 0; i < a->nvc && json_array_size(out) < 10; i++)
		if (!fv_has(b, &a->vc[i]))
			json_array_append_new(out, json_stringn(a->vc[i].value, a->vc[i].len));
	return out;
}

static json_t *rate_or_null(size_t part, size_t whole)
{
	return whole ? json_real((double)part / (double)whole) : json_null();
}

struct logrow {
	int64_t time_us, latency_us, rows;
	int status;
	int64_t version;
	json_t *features;  /* array or NULL */
};

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

int monitor_summary(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    json_t **out, struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws,
		       "SELECT time_us, latency_us, rows, status, COALESCE(version,0), features"
		       " FROM requests WHERE model = ? AND time_us >= ? ORDER BY time_us, id",
		       &st, err))
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, opt->since_us);
	struct logrow *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			rows = realloc(rows, cap * sizeof *rows);
		}
		struct logrow *r = &rows[n++];
		r->time_us = sqlite3_column_int64(st, 0);
		r->latency_us = sqlite3_column_int64(st, 1);
		r->rows = sqlite3_column_int64(st, 2);
		r->status = sqlite3_column_int(st, 3);
		r->version = sqlite3_column_int64(st, 4);
		const char *f = (const char *)sqlite3_column_text(st, 5);
		r->features = f ? json_loads(f, 0, NULL) : NULL;
		if (r->features && !json_is_array(r->features)) {
			json_decref(r->features);
			r->features = NULL;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < n; i++)
			json_decref(rows[i].features);
		free(rows);
		return db_fail(ws, err);
	}

	json_t *res = json_object();
	json_object_set_new(res, "model", json_string(model));
	size_t nerr = 0, totrows = 0;
	int64_t *lat = xmalloc((n ? n : 1) * sizeof *lat);
	json_t *bystatus = json_object();
	int64_t maxbatch = 0;
	for (size_t i = 0; i < n; i++) {
		lat[i] = rows[i].latency_us;
		totrows += (size_t)rows[i].rows;
		if (rows[i].rows > maxbatch)
			maxbatch = rows[i].rows;
		if (rows[i].status >= 400) {
			nerr++;
			char k[16];
			snprintf(k, sizeof k, "%d", rows[i].status);
			json_t *c = json_object_get(bystatus, k);
			json_object_set_new(bystatus, k,
					    json_integer((c ? json_integer_value(c) : 0) + 1));
		}
	}
	qsort(lat, n, sizeof *lat, cmp_i64);
	json_object_set_new(res, "requests", json_integer((json_int_t)n));
	json_object_set_new(res, "errors", json_integer((json_int_t)nerr));
	json_object_set_new(res, "errors_by_status", bystatus);
	json_t *l = json_object();
	static const double ps[] = {50, 90, 95, 99};
	static const char *const pn[] = {"p50", "p90", "p95", "p99"};
	for (int i = 0; i < 4; i++)
		json_object_set_new(l, pn[i], num_or_null(monitor_percentile(lat, n, ps[i]) / 1000.0));
	json_object_set_new(res, "latency", l);   /* milliseconds */
	free(lat);
	json_object_set_new(res, "rows", json_integer((json_int_t)totrows));
	json_object_set_new(res, "batch",
			    json_pack("{s:o,s:I}", "mean",
				      n ? json_real((double)totrows / (double)n) : json_null(),
				      "max", (json_int_t)maxbatch));
	if (n) {
		char a[64], b[64];
		ts_format(rows[0].time_us, a, sizeof a);
		ts_format(rows[n - 1].time_us, b, sizeof b);
		json_object_set_new(res, "first", json_string(a));
		json_object_set_new(res, "last", json_string(b));
	}

	/* Requests per minute, for the dashboard's sparkline. */
	json_t *perm = json_array();
	if (n) {
		int64_t m0 = rows[0].time_us / 60000000, m1 = rows[n - 1].time_us / 60000000;
		if (m1 - m0 < 10000) {
			size_t nm = (size_t)(m1 - m0 + 1);
			int64_t *cnt = xcalloc(nm, sizeof *cnt);
			for (size_t i = 0; i < n; i++)
				cnt[rows[i].time_us / 60000000 - m0]++;
			for (size_t i = 0; i < nm; i++)
				json_array_append_new(perm, json_integer(cnt[i]));
			free(cnt);
		}
	}
	json_object_set_new(res, "per_minute", perm);

	/* Windows for drift: the last window_us of the log against the one before. */
	int64_t end = n ? rows[n - 1].time_us + 1 : 0;
	int64_t cur_lo = end - opt->window_us, prev_lo = cur_lo - opt->window_us;

	json_t *win = json_object();
	for (int w = 0; w < 2; w++) {
		int64_t lo = w ? prev_lo : cur_lo, hi = w ? cur_lo : INT64_MAX;
		int64_t *wl = xmalloc((n ? n : 1) * sizeof *wl);
		size_t nw = 0, nwerr = 0;
		json_t *vers = json_array();
		int64_t lastv = -1;
		for (size_t i = 0; i < n; i++) {
			if (rows[i].time_us < lo || rows[i].time_us >= hi)
				continue;
			wl[nw++] = rows[i].latency_us;
			nwerr += rows[i].status >= 400;
			if (rows[i].version != lastv) {
				bool seen = false;
				size_t k;
				json_t *x;
				json_array_foreach(vers, k, x) seen |= json_integer_value(x) == rows[i].version;
				if (!seen)
					json_array_append_new(vers, json_integer(rows[i].version));
				lastv = rows[i].version;
			}
		}
		qsort(wl, nw, sizeof *wl, cmp_i64);
		json_object_set_new(
			win, w ? "previous" : "window",
			json_pack("{s:I,s:I,s:o,s:o}", "requests", (json_int_t)nw, "errors",
				  (json_int_t)nwerr, "p99", num_or_null(monitor_percentile(wl, nw, 99) / 1000.0),
				  "versions", vers));
		free(wl);
	}
	json_object_set_new(res, "windows", win);

	json_t *feats = json_array();
	int fail = 0;
	if (opt->baseline) {
		const struct frame *bf = opt->baseline;
		for (size_t c = 0; c < bf->ncols && !fail; c++) {
			const struct column *col = &bf->cols[c];
			bool cat = col_categorical(col);
			struct fvals train = {0}, all = {0}, cur = {0}, prev = {0};
			size_t present = 0;
			for (size_t i = 0; i < n; i++) {
				json_t *fa = rows[i].features;
				size_t k;
				json_t *row;
				if (!fa)
					continue;
				json_array_foreach(fa, k, row)
				{
					json_t *x = json_is_object(row) ? json_object_get(row, col->name) : NULL;
					if (x)
						present++;
					fv_add_json(&all, cat, x);
					if (rows[i].time_us >= cur_lo)
						fv_add_json(&cur, cat, x);
					else if (rows[i].time_us >= prev_lo)
						fv_add_json(&prev, cat, x);
				}
			}
			if (!present) {   /* not an input of the model (the label, say) */
				fv_free(&all), fv_free(&cur), fv_free(&prev);
				continue;
			}
			fv_from_column(col, bf->nrows, &train);
			double skew = fv_distance(&train, &all, cat, err, &fail);
			double drift = fv_distance(&prev, &cur, cat, err, &fail);
			bool alert = (isfinite(skew) && skew > opt->threshold) ||
				     (isfinite(drift) && drift > opt->threshold);
			json_t *fj = json_pack(
				"{s:s,s:s,s:o,s:o,s:f,s:b,s:o,s:o,s:o}", "name", col->name, "distance",
				cat ? "linf" : "jsd", "skew", num_or_null(skew), "drift",
				num_or_null(drift), "threshold", opt->threshold, "alert", alert,
				"missing_rate", rate_or_null(all.missing, fv_total(&all)),
				"missing_rate_window", rate_or_null(cur.missing, fv_total(&cur)),
				"missing_rate_previous", rate_or_null(prev.missing, fv_total(&prev)));
			if (cat && cur.nvc && prev.nvc) {
				json_object_set_new(fj, "new_values", fv_missing_from(&cur, &prev));
				json_object_set_new(fj, "vanished_values", fv_missing_from(&prev, &cur));
			}
			json_array_append_new(feats, fj);
			fv_free(&train), fv_free(&all), fv_free(&cur), fv_free(&prev);
		}
	}
	json_object_set_new(res, "features", feats);
	for (size_t i = 0; i < n; i++)
		json_decref(rows[i].features);
	free(rows);
	if (fail) {
		json_decref(res);
		return -1;
	}
	*out = res;
	return 0;
}

int monitor_alert_raise(struct workspace *ws, const char *model, const char *kind,
			const char *feature, double value, double threshold, bool *opened,
			struct pm_err *err)
{
	sqlite3_stmt *st;
	*opened = false;
	if (ws_prepare(ws,
		       "SELECT id FROM alerts WHERE model = ? AND kind = ? AND feature IS ? AND"
		       " status = 'open'",
		       &st, err))
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (feature)
		sqlite3_bind_text(st, 3, feature, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return db_fail(ws, err);
	if (ws_prepare(ws,
		       "INSERT INTO alerts (time, model, kind, feature, value, threshold, status)"
		       " VALUES (?,?,?,?,?,?,'open')",
		       &st, err))
		return -1;
	char now[64];
	ts_now_iso(now, sizeof now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (feature)
		sqlite3_bind_text(st, 4, feature, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, value);
	sqlite3_bind_double(st, 6, threshold);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(ws, err);
	*opened = true;
	return 0;
}

int monitor_alert_list(struct workspace *ws, bool include_closed, json_t **out,
		       struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws,
		       include_closed
			       ? "SELECT id, time, model, kind, feature, value, threshold, status FROM"
				 " alerts ORDER BY id"
			       : "SELECT id, time, model, kind, feature, value, threshold, status FROM"
				 " alerts WHERE status = 'open' ORDER BY id",
		       &st, err))
		return -1;
	json_t *a = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(st, 4);
		json_array_append_new(
			a, json_pack("{s:I,s:s,s:s,s:s,s:o,s:f,s:f,s:s}", "id",
				     (json_int_t)sqlite3_column_int64(st, 0), "time",
				     (const char *)sqlite3_column_text(st, 1), "model",
				     (const char *)sqlite3_column_text(st, 2), "kind",
				     (const char *)sqlite3_column_text(st, 3), "feature",
				     f ? json_string(f) : json_null(), "value",
				     sqlite3_column_double(st, 5), "threshold",
				     sqlite3_column_double(st, 6), "status",
				     (const char *)sqlite3_column_text(st, 7)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_fail(ws, err);
	}
	*out = a;
	return 0;
}

int monitor_alert_ack(struct workspace *ws, int64_t id, struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws, "UPDATE alerts SET status = 'acked', acked = ? WHERE id = ? AND"
			   " status = 'open'",
		       &st, err))
		return -1;
	char now[64];
	ts_now_iso(now, sizeof now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(ws, err);
	if (sqlite3_changes(ws->db) == 0) {
		pm_errf(err, "no open alert %lld", (long long)id);
		err->code = PM_E_NOTFOUND;
		return -1;
	}
	return 0;
}

int monitor_compact(struct workspace *ws, int64_t before_us, int64_t *rolled,
		    struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_begin(ws, err))
		return -1;
	/* Rollups add up, so a minute split over two compactions stays right. */
	if (ws_prepare(ws,
		       "INSERT INTO rollups (model, version, minute_us, requests, errors, rows,"
		       " latency_sum_us, latency_max_us)"
		       " SELECT model, COALESCE(version,0), (time_us / 60000000) * 60000000, COUNT(*),"
		       " SUM(status >= 400), SUM(rows), SUM(latency_us), MAX(latency_us)"
		       " FROM requests WHERE time_us < ?1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
		       " ON CONFLICT (model, version, minute_us) DO UPDATE SET"
		       " requests = requests + excluded.requests, errors = errors + excluded.errors,"
		       " rows = rows + excluded.rows,"
		       " latency_sum_us = latency_sum_us + excluded.latency_sum_us,"
		       " latency_max_us = MAX(latency_max_us, excluded.latency_max_us)",
		       &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, before_us);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(ws, err);
		goto fail;
	}
	if (ws_prepare(ws, "DELETE FROM requests WHERE time_us < ?", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, before_us);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(ws, err);
		goto fail;
	}
	*rolled = sqlite3_changes(ws->db);
	return ws_commit(ws, err);
fail:;
	struct pm_err e2 = {0};
	ws_exec(ws, "ROLLBACK", &e2);
	return -1;
}
