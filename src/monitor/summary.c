/* The dashboard: service metrics per window and version from the raw
 * request log and the rollups of compacted minutes, prediction
 * distributions, live quality, and the training-serving skew and drift of
 * the logged features (features.c). */
#include "model/model.h"
#include "monitor/internal.h"
#include "validate/validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the log ---------------------------------------------------------------------- */

struct rollrow {
	int64_t version, minute_us;
	struct agg a;
};

static json_t *parse_array(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	if (j && !json_is_array(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static int read_log(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    struct logrow **out, size_t *nout, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT time_us, latency_us, rows, status, COALESCE(version,0), features,"
		       " prediction FROM requests WHERE model = ? AND time_us >= ? ORDER BY time_us, id",
		       &st, err))
		return -1;
	db_bind_text(st, 1, model, -1, DB_STATIC);
	db_bind_int64(st, 2, opt->since_us);
	struct logrow *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)&rows, &cap, n + 1, sizeof *rows);
		struct logrow *r = &rows[n++];
		r->time_us = db_column_int64(st, 0);
		r->latency_us = db_column_int64(st, 1);
		r->rows = db_column_int64(st, 2);
		r->status = db_column_int(st, 3);
		r->version = db_column_int64(st, 4);
		if (r->version == 0)
			r->version = opt->version;
		r->features = opt->baseline || opt->stored ? parse_array((const char *)db_column_text(st, 5)) : NULL;
		r->pred = parse_array((const char *)db_column_text(st, 6));
	}
	db_finalize(st);
	*out = rows;
	*nout = n;
	return rc == DB_DONE ? 0 : monitor_db_fail(ws, err);
}

static int read_rollups(struct workspace *ws, const char *model, const struct monitor_options *opt,
			struct rollrow **out, size_t *nout, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT version, minute_us, requests, errors, rows, latency_sum_us,"
		       " latency_max_us, statuses, latency_hist, batches, predictions FROM rollups"
		       " WHERE model = ? AND minute_us >= ? ORDER BY minute_us, version",
		       &st, err))
		return -1;
	db_bind_text(st, 1, model, -1, DB_STATIC);
	db_bind_int64(st, 2, opt->since_us);
	struct rollrow *rr = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)&rr, &cap, n + 1, sizeof *rr);
		struct rollrow *r = &rr[n++];
		memset(r, 0, sizeof *r);
		r->version = db_column_int64(st, 0);
		if (r->version == 0)
			r->version = opt->version;
		r->minute_us = db_column_int64(st, 1);
		rollup_agg_read(st, 2, &r->a);
	}
	db_finalize(st);
	*out = rr;
	*nout = n;
	return rc == DB_DONE ? 0 : monitor_db_fail(ws, err);
}

/* ---- JSON of an aggregate ------------------------------------------------------------ */

static json_t *latency_json(const struct agg *a)
{
	size_t *o = cmap_order(&a->latency);
	json_t *l = json_object();
	static const double ps[] = {50, 90, 95, 99};
	static const char *const pn[] = {"p50", "p90", "p95", "p99"};
	for (int i = 0; i < 4; i++)   /* milliseconds */
		json_object_set_new(l, pn[i], json_num(cmap_percentile(&a->latency, o, ps[i]) / 1000.0));
	free(o);
	return l;
}

static json_t *status_json(const struct agg *a)
{
	json_t *o = json_object();
	size_t *ord = cmap_order(&a->status);
	for (size_t i = 0; i < a->status.n; i++) {
		char k[32];
		snprintf(k, sizeof k, "%.0f", a->status.key[ord[i]]);
		json_object_set_new(o, k, json_integer(a->status.count[ord[i]]));
	}
	free(ord);
	return o;
}

static json_t *batch_json(const struct agg *a)
{
	size_t *o = cmap_order(&a->batch);
	json_t *b = json_pack("{s:o,s:I,s:o,s:o}", "mean",
			      a->requests ? json_real((double)a->rows / (double)a->requests) : json_null(),
			      "max", (json_int_t)a->rows_max, "p50",
			      json_num(cmap_percentile(&a->batch, o, 50)), "p99",
			      json_num(cmap_percentile(&a->batch, o, 99)));
	free(o);
	return b;
}

/* Equal-width bins shared by every window's prediction histogram. */
struct pbins {
	double lo, hi;
	size_t n;
};

static json_t *predictions_json(const struct agg *a, const struct model *m, const struct pbins *pb)
{
	bool classify = m ? m->task != TASK_REGRESSION : a->pclasses.n > 0;
	if (classify) {
		size_t k = m ? (size_t)m->classes.n : 0;
		for (size_t i = 0; i < a->pclasses.n; i++)
			if (a->pclasses.key[i] + 1 > (double)k)
				k = (size_t)a->pclasses.key[i] + 1;
		if (k > 1000)
			k = 1000;
		json_t *names = json_array(), *counts = json_array(), *shares = json_array();
		int64_t total = cmap_total(&a->pclasses);
		for (size_t c = 0; c < k; c++) {
			int64_t cnt = 0;
			for (size_t i = 0; i < a->pclasses.n; i++)
				if (a->pclasses.key[i] == (double)c)
					cnt = a->pclasses.count[i];
			if (m && c < m->classes.n)
				json_array_append_new(names, json_stringn(m->classes.str[c], m->classes.len[c]));
			else
				json_array_append_new(names, json_sprintf("%zu", c));
			json_array_append_new(counts, json_integer(cnt));
			json_array_append_new(shares, total ? json_real((double)cnt / (double)total) : json_null());
		}
		return json_pack("{s:s,s:o,s:o,s:o,s:I}", "kind", "classes", "classes", names, "counts",
				 counts, "shares", shares, "rows", (json_int_t)total);
	}
	json_t *edges = json_array(), *counts = json_array();
	int64_t total = cmap_total(&a->pvalues);
	double sum = 0;
	int64_t *c = xcalloc(pb->n ? pb->n : 1, sizeof *c);
	for (size_t i = 0; i < a->pvalues.n; i++) {
		double v = a->pvalues.key[i];
		sum += v * (double)a->pvalues.count[i];
		size_t b = 0;
		if (pb->hi > pb->lo) {
			double f = (v - pb->lo) / (pb->hi - pb->lo) * (double)pb->n;
			b = f < 0 ? 0 : f >= (double)pb->n ? pb->n - 1 : (size_t)f;
		}
		if (pb->n)
			c[b] += a->pvalues.count[i];
	}
	for (size_t b = 0; b <= pb->n && pb->n; b++)
		json_array_append_new(edges, json_real(pb->n == 1 ? (b ? pb->hi : pb->lo)
							     : pb->lo + (pb->hi - pb->lo) * (double)b / (double)pb->n));
	for (size_t b = 0; b < pb->n; b++)
		json_array_append_new(counts, json_integer(c[b]));
	free(c);
	return json_pack("{s:s,s:o,s:o,s:o,s:I}", "kind", "histogram", "edges", edges, "counts", counts,
			 "mean", total ? json_real(sum / (double)total) : json_null(), "rows",
			 (json_int_t)total);
}

static json_t *agg_json(const struct agg *a, const struct model *m, const struct pbins *pb)
{
	json_t *j = json_object();
	json_object_set_new(j, "requests", json_integer(a->requests));
	json_object_set_new(j, "errors", json_integer(a->errors));
	json_object_set_new(j, "errors_by_status", status_json(a));
	json_object_set_new(j, "error_rate",
			    a->requests ? json_real((double)a->errors / (double)a->requests) : json_null());
	json_object_set_new(j, "latency", latency_json(a));
	json_object_set_new(j, "rows", json_integer(a->rows));
	json_object_set_new(j, "batch", batch_json(a));
	json_object_set_new(j, "rolled_up", json_integer(a->rolled));
	if (a->pvalues.n || a->pclasses.n)
		json_object_set_new(j, "predictions", predictions_json(a, m, pb));
	return j;
}

/* ---- windows ----------------------------------------------------------------------------- */
struct vagg {
	int64_t version;
	struct agg a;
};

struct bucket {
	int64_t start;
	struct agg all;
	struct vagg *v;
	size_t nv, capv;
};

static struct agg *bucket_version(struct bucket *b, int64_t version)
{
	for (size_t i = 0; i < b->nv; i++)
		if (b->v[i].version == version)
			return &b->v[i].a;
	xgrow((void **)&b->v, &b->capv, b->nv + 1, sizeof *b->v);
	b->v[b->nv] = (struct vagg){.version = version};
	return &b->v[b->nv++].a;
}

static int by_version(const void *x, const void *y)
{
	int64_t a = ((const struct vagg *)x)->version, b = ((const struct vagg *)y)->version;
	return (a > b) - (a < b);
}

void monitor_due_add(json_t *due, const char *kind, const char *feature, int64_t version,
		    bool has_window, int64_t window_us, double value, double threshold)
{
	json_t *d = json_pack("{s:s,s:o,s:o,s:f,s:f}", "kind", kind, "feature",
			      feature ? json_string(feature) : json_null(), "version",
			      version > 0 ? json_integer(version) : json_null(), "value", value,
			      "threshold", threshold);
	if (has_window) {
		char t[64];
		ts_format(window_us, t, sizeof t);
		json_object_set_new(d, "window_us", json_integer(window_us));
		json_object_set_new(d, "window", json_string(t));
	}
	json_array_append_new(due, d);
}

/* ---- the summary ------------------------------------------------------------------------- */

static void service_due(json_t *due, const struct monitor_options *opt, int64_t start,
			int64_t version, const struct agg *a)
{
	if (a->requests == 0 || a->requests < opt->min_requests)
		return;
	double rate = (double)a->errors / (double)a->requests;
	if (opt->error_rate > 0 && rate > opt->error_rate)
		monitor_due_add(due, "error_rate", NULL, version, true, start, rate, opt->error_rate);
	if (opt->latency_p99_ms > 0) {
		size_t *o = cmap_order(&a->latency);
		double p99 = cmap_percentile(&a->latency, o, 99) / 1000.0;
		free(o);
		if (p99 > opt->latency_p99_ms)
			monitor_due_add(due, "latency", NULL, version, true, start, p99, opt->latency_p99_ms);
	}
}

int monitor_summary(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    json_t **out, struct pm_err *err)
{
	struct logrow *rows = NULL;
	struct rollrow *rr = NULL;
	size_t n = 0, nr = 0;
	int rc = -1;
	json_t *res = NULL, *due = json_array(), *quality = NULL;
	struct bucket *bk = NULL;
	size_t nb = 0;
	int64_t w = opt->window_us > 0 ? opt->window_us : 3600000000LL;
	bool binary = opt->model && opt->model->task == TASK_BINARY;
	struct agg all = {0}, dw = {0}, dp = {0};

	if (read_log(ws, model, opt, &rows, &n, err) || read_rollups(ws, model, opt, &rr, &nr, err))
		goto out;
	if (monitor_quality(ws, model, opt, &quality, due, err))
		goto out;

	res = json_object();
	json_object_set_new(res, "model", json_string(model));

	/* the time range of raw requests and rolled-up minutes */
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	if (n)
		tmin = rows[0].time_us, tmax = rows[n - 1].time_us;
	for (size_t i = 0; i < nr; i++) {
		if (rr[i].minute_us < tmin)
			tmin = rr[i].minute_us;
		if (rr[i].minute_us > tmax)
			tmax = rr[i].minute_us;
	}

	/* windows of the series, aligned on multiples of the window */
	int64_t b0 = 0;
	if (tmin <= tmax) {
		b0 = monitor_floor_div(tmin, w);
		int64_t b1 = monitor_floor_div(tmax, w);
		if (b1 - b0 + 1 > MONITOR_MAX_WINDOWS)
			b0 = b1 - MONITOR_MAX_WINDOWS + 1;
		nb = (size_t)(b1 - b0 + 1);
		bk = xcalloc(nb, sizeof *bk);
		for (size_t i = 0; i < nb; i++)
			bk[i].start = (b0 + (int64_t)i) * w;
	}

	/* drift windows: the last window of the raw log against the one before */
	int64_t end = n ? rows[n - 1].time_us + 1 : 0;
	int64_t cur_lo = end - w, prev_lo = cur_lo - w;
	json_t *vers_w = json_array(), *vers_p = json_array();

	for (size_t i = 0; i < n; i++) {
		struct agg one = {0};
		agg_add_request(&one, rows[i].status, rows[i].latency_us, rows[i].rows, rows[i].pred, binary);
		agg_merge(&all, &one);
		int64_t b = monitor_floor_div(rows[i].time_us, w) - b0;
		if (bk && b >= 0 && (size_t)b < nb) {
			agg_merge(&bk[b].all, &one);
			agg_merge(bucket_version(&bk[b], rows[i].version), &one);
		}
		if (rows[i].time_us >= prev_lo) {
			bool cur = rows[i].time_us >= cur_lo;
			agg_merge(cur ? &dw : &dp, &one);
			json_t *vl = cur ? vers_w : vers_p, *x;
			bool seen = false;
			size_t k;
			json_array_foreach(vl, k, x) seen |= json_integer_value(x) == rows[i].version;
			if (!seen)
				json_array_append_new(vl, json_integer(rows[i].version));
		}
		agg_free(&one);
	}
	for (size_t i = 0; i < nr; i++) {
		agg_merge(&all, &rr[i].a);
		int64_t b = monitor_floor_div(rr[i].minute_us, w) - b0;
		if (bk && b >= 0 && (size_t)b < nb) {
			agg_merge(&bk[b].all, &rr[i].a);
			agg_merge(bucket_version(&bk[b], rr[i].version), &rr[i].a);
		}
	}

	/* the numbers of DESIGN.md and their companions, over everything */
	struct pbins pb = {0, 0, 10};
	if (all.pvalues.n) {
		pb.lo = INFINITY, pb.hi = -INFINITY;
		for (size_t i = 0; i < all.pvalues.n; i++) {
			pb.lo = fmin(pb.lo, all.pvalues.key[i]);
			pb.hi = fmax(pb.hi, all.pvalues.key[i]);
		}
		if (!(pb.hi > pb.lo))
			pb.n = 1;
	}
	json_t *aj = agg_json(&all, opt->model, &pb);
	static const char *const keys[] = {"requests", "errors", "errors_by_status", "latency",
					   "rows", "batch", "rolled_up", "predictions"};
	for (size_t k = 0; k < PM_ARRAY_LEN(keys); k++)
		if (json_object_get(aj, keys[k]))
			json_object_set(res, keys[k], json_object_get(aj, keys[k]));
	json_decref(aj);
	if (tmin <= tmax) {
		char a[64], b[64];
		ts_format(tmin, a, sizeof a);
		ts_format(tmax, b, sizeof b);
		json_object_set_new(res, "first", json_string(a));
		json_object_set_new(res, "last", json_string(b));
	}

	/* requests per minute, for the dashboard's sparkline */
	json_t *perm = json_array();
	if (tmin <= tmax) {
		int64_t m0 = monitor_floor_div(tmin, 60000000), m1 = monitor_floor_div(tmax, 60000000);
		if (m1 - m0 < 10000) {
			size_t nm = (size_t)(m1 - m0 + 1);
			int64_t *cnt = xcalloc(nm, sizeof *cnt);
			for (size_t i = 0; i < n; i++)
				cnt[monitor_floor_div(rows[i].time_us, 60000000) - m0]++;
			for (size_t i = 0; i < nr; i++)
				cnt[monitor_floor_div(rr[i].minute_us, 60000000) - m0] += rr[i].a.requests;
			for (size_t i = 0; i < nm; i++)
				json_array_append_new(perm, json_integer(cnt[i]));
			free(cnt);
		}
	}
	json_object_set_new(res, "per_minute", perm);

	json_t *win = json_object();
	for (int k = 0; k < 2; k++) {
		struct agg *a = k ? &dp : &dw;
		size_t *o = cmap_order(&a->latency);
		json_object_set_new(win, k ? "previous" : "window",
				    json_pack("{s:I,s:I,s:o,s:o}", "requests", (json_int_t)a->requests,
					      "errors", (json_int_t)a->errors, "p99",
					      json_num(cmap_percentile(&a->latency, o, 99) / 1000.0),
					      "versions", k ? vers_p : vers_w));
		free(o);
	}
	json_object_set_new(res, "windows", win);

	/* the series */
	json_t *qw = json_object_get(quality, "windows");
	json_t *series = json_array();
	for (size_t i = 0; i < nb; i++) {
		struct bucket *b = &bk[i];
		char a[64], e[64];
		ts_format(b->start, a, sizeof a);
		ts_format(b->start + w, e, sizeof e);
		json_t *bj = agg_json(&b->all, opt->model, &pb);
		json_object_set_new(bj, "start", json_string(a));
		json_object_set_new(bj, "end", json_string(e));
		json_object_set_new(bj, "start_us", json_integer(b->start));
		qsort(b->v, b->nv, sizeof *b->v, by_version);
		json_t *vl = json_array();
		for (size_t k = 0; k < b->nv; k++) {
			json_t *vj = agg_json(&b->v[k].a, opt->model, &pb);
			json_object_set_new(vj, "version", b->v[k].version > 0 ? json_integer(b->v[k].version)
									       : json_null());
			json_array_append_new(vl, vj);
			service_due(due, opt, b->start, b->v[k].version, &b->v[k].a);
		}
		json_object_set_new(bj, "versions", vl);
		size_t q;
		json_t *x;
		json_array_foreach(qw, q, x)
		{
			if (json_integer_value(json_object_get(x, "start_us")) == b->start)
				json_object_set(bj, "quality", x);
		}
		json_array_append_new(series, bj);
	}
	json_object_set_new(res, "window_seconds", json_real((double)w / 1e6));
	json_object_set_new(res, "series", series);
	if (json_integer_value(json_object_get(quality, "labelled")) > 0)
		json_object_set(res, "quality", quality);

	json_t *feats = json_array();
	json_object_set_new(res, "features", feats);
	if ((opt->baseline || opt->stored) && monitor_features(rows, n, opt, cur_lo, prev_lo, feats, due, err))
		goto out;
	json_object_set(res, "due", due);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		json_decref(rows[i].features);
		json_decref(rows[i].pred);
	}
	free(rows);
	for (size_t i = 0; i < nr; i++)
		agg_free(&rr[i].a);
	free(rr);
	for (size_t i = 0; i < nb; i++) {
		agg_free(&bk[i].all);
		for (size_t k = 0; k < bk[i].nv; k++)
			agg_free(&bk[i].v[k].a);
		free(bk[i].v);
	}
	free(bk);
	agg_free(&all), agg_free(&dw), agg_free(&dp);
	json_decref(due);
	json_decref(quality);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}
