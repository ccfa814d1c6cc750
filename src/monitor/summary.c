/* The dashboard: service metrics per window and version from the raw
 * request log and the rollups of compacted minutes, prediction
 * distributions, live quality, and training-serving skew and drift of the
 * logged features with the validation engine's distances (L-infinity for
 * categorical features, Jensen-Shannon for numeric ones, as Vertex AI Model
 * Monitoring), each feature against its own thresholds when a schema sets
 * them. */
#include "model/model.h"
#include "monitor/internal.h"
#include "validate/validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the values one feature took in a set of rows ---------------------------- */
struct fvals {
	double *num;
	size_t nnum, capnum;
	struct strdict *dict;   /* categorical values, counted in cnt */
	double *cnt;
	size_t capcnt;
	size_t missing;
};

static void fv_num(struct fvals *v, double x)
{
	xgrow((void **)&v->num, &v->capnum, v->nnum + 1, sizeof *v->num);
	v->num[v->nnum++] = x;
}

static void fv_text(struct fvals *v, const char *s, size_t len)
{
	if (!v->dict)
		v->dict = strdict_new();
	uint32_t code = strdict_intern(v->dict, s, len);
	if (code >= v->capcnt) {
		size_t old = v->capcnt;
		xgrow((void **)&v->cnt, &v->capcnt, (size_t)code + 1, sizeof *v->cnt);
		memset(v->cnt + old, 0, (v->capcnt - old) * sizeof *v->cnt);
	}
	v->cnt[code]++;
}

static size_t fv_nvalues(const struct fvals *v)
{
	return v->dict ? v->dict->n : 0;
}

static void fv_free(struct fvals *v)
{
	free(v->num);
	free(v->cnt);
	if (v->dict)
		strdict_free(v->dict);
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

/* Value counts of a sample: categorical values as they are, numbers by
 * their exact value (for an L-infinity distance a schema asks of a numeric
 * feature).  Caller frees the array (and, for numbers, its texts). */
static struct value_count *fv_counts(const struct fvals *v, bool categorical, size_t *n)
{
	if (categorical) {
		*n = fv_nvalues(v);
		struct value_count *vc = xmalloc((*n ? *n : 1) * sizeof *vc);
		for (size_t i = 0; i < *n; i++)
			vc[i] = (struct value_count){v->dict->str[i], v->dict->len[i], v->cnt[i]};
		return vc;
	}
	struct cmap m = {0};
	for (size_t i = 0; i < v->nnum; i++)
		cmap_add(&m, v->num[i], 1);
	*n = m.n;
	struct value_count *vc = xmalloc((m.n ? m.n : 1) * sizeof *vc);
	for (size_t i = 0; i < m.n; i++) {
		char buf[64];
		fmt_double(m.key[i], buf, sizeof buf);
		vc[i] = (struct value_count){xstrdup(buf), (uint32_t)strlen(buf), (double)m.count[i]};
	}
	cmap_free(&m);
	return vc;
}

static void counts_free(struct value_count *vc, size_t n, bool categorical)
{
	if (!categorical)
		for (size_t i = 0; i < n; i++)
			free((char *)vc[i].value);
	free(vc);
}

static bool fv_empty(const struct fvals *v, bool categorical)
{
	return categorical ? fv_nvalues(v) == 0 : v->nnum == 0;
}

/* One distance between two samples of a feature: L-infinity of the value
 * shares, or Jensen-Shannon (TFDV's histogram approximation for numbers,
 * exact over the value counts of categorical features).  NaN when either
 * side is empty. */
static int fv_distance(const struct fvals *a, const struct fvals *b, bool categorical,
		       bool linf, double *out, struct pm_err *err)
{
	*out = NAN;
	if (fv_empty(a, categorical) || fv_empty(b, categorical))
		return 0;
	if (linf || categorical) {
		size_t na, nb;
		struct value_count *ca = fv_counts(a, categorical, &na), *cb = fv_counts(b, categorical, &nb);
		int rc = 0;
		if (linf)
			*out = dist_linf(ca, na, cb, nb, NULL, NULL);
		else
			rc = dist_jsd_counts(ca, na, cb, nb, out, err);
		counts_free(ca, na, categorical);
		counts_free(cb, nb, categorical);
		return rc;
	}
	struct num_stats sa, sb;
	double *ca = xmalloc(a->nnum * sizeof *ca), *cb = xmalloc(b->nnum * sizeof *cb);
	memcpy(ca, a->num, a->nnum * sizeof *ca);
	memcpy(cb, b->num, b->nnum * sizeof *cb);
	numstats_compute(ca, a->nnum, false, &sa);
	numstats_compute(cb, b->nnum, false, &sb);
	free(ca);
	free(cb);
	struct histogram ha = numstats_histogram(&sa), hb = numstats_histogram(&sb);
	return dist_jsd_hist(&ha, &hb, out, err);
}

static size_t fv_total(const struct fvals *v)
{
	size_t n = v->missing + v->nnum;
	for (size_t i = 0; i < fv_nvalues(v); i++)
		n += (size_t)v->cnt[i];
	return n;
}

/* Values of `a` that `b` lacks, as a JSON array (at most 10). */
static json_t *fv_missing_from(const struct fvals *a, const struct fvals *b)
{
	json_t *out = json_array();
	for (size_t i = 0; i < fv_nvalues(a) && json_array_size(out) < 10; i++)
		if (!b->dict || strdict_find(b->dict, a->dict->str[i], a->dict->len[i]) < 0)
			json_array_append_new(out, json_stringn(a->dict->str[i], a->dict->len[i]));
	return out;
}

static json_t *rate_or_null(size_t part, size_t whole)
{
	return whole ? json_real((double)part / (double)whole) : json_null();
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* ---- the log ---------------------------------------------------------------------- */
struct logrow {
	int64_t time_us, latency_us, rows;
	int status;
	int64_t version;
	json_t *features;  /* array or NULL */
	json_t *pred;      /* array or NULL */
};

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
	sqlite3_stmt *st;
	if (ws_prepare(ws,
		       "SELECT time_us, latency_us, rows, status, COALESCE(version,0), features,"
		       " prediction FROM requests WHERE model = ? AND time_us >= ? ORDER BY time_us, id",
		       &st, err))
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, opt->since_us);
	struct logrow *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)&rows, &cap, n + 1, sizeof *rows);
		struct logrow *r = &rows[n++];
		r->time_us = sqlite3_column_int64(st, 0);
		r->latency_us = sqlite3_column_int64(st, 1);
		r->rows = sqlite3_column_int64(st, 2);
		r->status = sqlite3_column_int(st, 3);
		r->version = sqlite3_column_int64(st, 4);
		if (r->version == 0)
			r->version = opt->version;
		r->features = opt->baseline ? parse_array((const char *)sqlite3_column_text(st, 5)) : NULL;
		r->pred = parse_array((const char *)sqlite3_column_text(st, 6));
	}
	sqlite3_finalize(st);
	*out = rows;
	*nout = n;
	return rc == SQLITE_DONE ? 0 : monitor_db_fail(ws, err);
}

static int read_rollups(struct workspace *ws, const char *model, const struct monitor_options *opt,
			struct rollrow **out, size_t *nout, struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws,
		       "SELECT version, minute_us, requests, errors, rows, latency_sum_us,"
		       " latency_max_us, statuses, latency_hist, batches, predictions FROM rollups"
		       " WHERE model = ? AND minute_us >= ? ORDER BY minute_us, version",
		       &st, err))
		return -1;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, opt->since_us);
	struct rollrow *rr = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)&rr, &cap, n + 1, sizeof *rr);
		struct rollrow *r = &rr[n++];
		memset(r, 0, sizeof *r);
		r->version = sqlite3_column_int64(st, 0);
		if (r->version == 0)
			r->version = opt->version;
		r->minute_us = sqlite3_column_int64(st, 1);
		rollup_agg_read(st, 2, &r->a);
	}
	sqlite3_finalize(st);
	*out = rr;
	*nout = n;
	return rc == SQLITE_DONE ? 0 : monitor_db_fail(ws, err);
}

/* ---- JSON of an aggregate ------------------------------------------------------------ */

static json_t *latency_json(const struct agg *a)
{
	size_t *o = cmap_order(&a->latency);
	json_t *l = json_object();
	static const double ps[] = {50, 90, 95, 99};
	static const char *const pn[] = {"p50", "p90", "p95", "p99"};
	for (int i = 0; i < 4; i++)   /* milliseconds */
		json_object_set_new(l, pn[i], num_or_null(cmap_percentile(&a->latency, o, ps[i]) / 1000.0));
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
			      num_or_null(cmap_percentile(&a->batch, o, 50)), "p99",
			      num_or_null(cmap_percentile(&a->batch, o, 99)));
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

static void due_add(json_t *due, const char *kind, const char *feature, int64_t version,
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

/* ---- features ---------------------------------------------------------------------------- */
struct check {
	bool linf;
	double threshold;
};

/* The comparators of one side (skew or drift) of a feature: the schema's,
 * else the default distance of its type with the default threshold. */
static size_t checks_of(const struct schema_comparator *c, bool categorical, double dflt,
			struct check out[2])
{
	size_t n = 0;
	if (c && c->has_linf)
		out[n++] = (struct check){true, c->linf};
	if (c && c->has_jsd)
		out[n++] = (struct check){false, c->jsd};
	if (n == 0)
		out[n++] = (struct check){categorical, dflt};
	return n;
}

/* Runs the checks of one side and reports the one furthest over (or
 * closest to) its threshold; with two, both are listed under SIDE_checks.
 * Returns the check that decides, and its distance in *value. */
static int run_checks(const struct fvals *a, const struct fvals *b, bool categorical,
		      const struct check *ck, size_t n, json_t *fj, const char *side,
		      bool *alert, struct pm_err *err)
{
	double best_ratio = -1, best_v = NAN;
	size_t best = 0;
	json_t *list = n > 1 ? json_array() : NULL;
	*alert = false;
	for (size_t i = 0; i < n; i++) {
		double d;
		if (fv_distance(a, b, categorical, ck[i].linf, &d, err)) {
			json_decref(list);
			return -1;
		}
		if (list)
			json_array_append_new(list, json_pack("{s:s,s:o,s:f}", "distance",
							      ck[i].linf ? "linf" : "jsd", "value",
							      num_or_null(d), "threshold", ck[i].threshold));
		if (isfinite(d) && d > ck[i].threshold)
			*alert = true;
		double ratio = isfinite(d) ? d / ck[i].threshold : -1;
		if (ratio > best_ratio) {
			best_ratio = ratio;
			best_v = d;
			best = i;
		}
	}
	char k[32];
	json_object_set_new(fj, side, num_or_null(best_v));
	snprintf(k, sizeof k, "%s_distance", side);
	json_object_set_new(fj, k, json_string(ck[best].linf ? "linf" : "jsd"));
	snprintf(k, sizeof k, "%s_threshold", side);
	json_object_set_new(fj, k, json_real(ck[best].threshold));
	snprintf(k, sizeof k, "%s_alert", side);
	json_object_set_new(fj, k, json_boolean(*alert));
	if (list) {
		snprintf(k, sizeof k, "%s_checks", side);
		json_object_set_new(fj, k, list);
	}
	return 0;
}

static int features_json(const struct logrow *rows, size_t n, const struct monitor_options *opt,
			 int64_t cur_lo, int64_t prev_lo, json_t *feats, json_t *due,
			 struct pm_err *err)
{
	const struct frame *bf = opt->baseline;
	for (size_t c = 0; c < bf->ncols; c++) {
		const struct column *col = &bf->cols[c];
		/* a column the model does not read (an id, or the label of a
		 * dataset fed through `monitor ingest`) does not move its
		 * predictions: by default it gets no row and raises no alert */
		if (opt->model && !opt->all_columns && transform_input_index(opt->model->tf, col->name) < 0)
			continue;
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
		if (!present) {   /* the requests do not carry it */
			fv_free(&all), fv_free(&cur), fv_free(&prev);
			continue;
		}
		fv_from_column(col, bf->nrows, &train);
		const struct schema_feature *sf = opt->schema ? schema_find(opt->schema, col->name) : NULL;
		struct check sk[2], dr[2];
		size_t nsk = checks_of(sf ? &sf->skew : NULL, cat, opt->threshold, sk);
		size_t ndr = checks_of(sf ? &sf->drift : NULL, cat, opt->threshold, dr);
		bool from_schema = sf && (sf->skew.has_linf || sf->skew.has_jsd || sf->drift.has_linf ||
					  sf->drift.has_jsd);
		json_t *fj = json_object();
		json_object_set_new(fj, "name", json_string(col->name));
		bool alert[2];
		int rc = run_checks(&train, &all, cat, sk, nsk, fj, "skew", &alert[0], err);
		if (rc == 0)
			rc = run_checks(&prev, &cur, cat, dr, ndr, fj, "drift", &alert[1], err);
		if (rc) {
			json_decref(fj);
			fv_free(&train), fv_free(&all), fv_free(&cur), fv_free(&prev);
			return pm_err_prefix(err, "feature %s", col->name);
		}
		/* the keys of DESIGN.md: distance and threshold are the skew side's */
		json_object_set(fj, "distance", json_object_get(fj, "skew_distance"));
		json_object_set(fj, "threshold", json_object_get(fj, "skew_threshold"));
		json_object_set_new(fj, "alert", json_boolean(alert[0] || alert[1]));
		char src[300];
		snprintf(src, sizeof src, "schema %s", opt->schema_name ? opt->schema_name : "");
		json_object_set_new(fj, "threshold_source", json_string(from_schema ? src : "default"));
		json_object_set_new(fj, "missing_rate", rate_or_null(all.missing, fv_total(&all)));
		json_object_set_new(fj, "missing_rate_window", rate_or_null(cur.missing, fv_total(&cur)));
		json_object_set_new(fj, "missing_rate_previous", rate_or_null(prev.missing, fv_total(&prev)));
		if (cat && fv_nvalues(&cur) && fv_nvalues(&prev)) {
			json_object_set_new(fj, "new_values", fv_missing_from(&cur, &prev));
			json_object_set_new(fj, "vanished_values", fv_missing_from(&prev, &cur));
		}
		/* one alert per side that is over: the comparator furthest over */
		static const char *const side[] = {"skew", "drift"};
		for (int s = 0; s < 2; s++) {
			if (!alert[s])
				continue;
			char k[32];
			snprintf(k, sizeof k, "%s_checks", side[s]);
			json_t *cl = json_object_get(fj, k);
			double v = json_number_value(json_object_get(fj, side[s]));
			snprintf(k, sizeof k, "%s_threshold", side[s]);
			double thr = json_number_value(json_object_get(fj, k));
			size_t ci;
			json_t *cx;
			json_array_foreach(cl, ci, cx)
			{
				double cv = json_number_value(json_object_get(cx, "value"));
				double ct = json_number_value(json_object_get(cx, "threshold"));
				if (json_is_number(json_object_get(cx, "value")) && cv > ct && !(v > thr)) {
					v = cv;
					thr = ct;
				}
			}
			due_add(due, side[s], col->name, opt->version, false, 0, v, thr);
		}
		json_array_append_new(feats, fj);
		fv_free(&train), fv_free(&all), fv_free(&cur), fv_free(&prev);
	}
	return 0;
}

/* ---- the summary ------------------------------------------------------------------------- */

static void service_due(json_t *due, const struct monitor_options *opt, int64_t start,
			int64_t version, const struct agg *a)
{
	if (a->requests == 0 || a->requests < opt->min_requests)
		return;
	double rate = (double)a->errors / (double)a->requests;
	if (opt->error_rate > 0 && rate > opt->error_rate)
		due_add(due, "error_rate", NULL, version, true, start, rate, opt->error_rate);
	if (opt->latency_p99_ms > 0) {
		size_t *o = cmap_order(&a->latency);
		double p99 = cmap_percentile(&a->latency, o, 99) / 1000.0;
		free(o);
		if (p99 > opt->latency_p99_ms)
			due_add(due, "latency", NULL, version, true, start, p99, opt->latency_p99_ms);
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
					      num_or_null(cmap_percentile(&a->latency, o, 99) / 1000.0),
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
	if (opt->baseline && features_json(rows, n, opt, cur_lo, prev_lo, feats, due, err))
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
