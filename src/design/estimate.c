/* Estimates from measurements.  Every number names where it came from:
 * the run whose epochs measured rows/s, the probe that measured the
 * predict rate, the server that built a table, the request log whose key
 * frequencies give a hybrid table's hit rate; a number nothing measured
 * says what to run instead.  Costs print their arithmetic, so a reader
 * can check them by hand. */
#include "design.h"
#include "data/data.h"
#include "train/train.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void design_run_measured(const struct run_detail *rd, double *rows, double *secs)
{
	*rows = *secs = 0;
	for (size_t k = 0; k < rd->nep; k++)
		if (rd->ep[k].rows > 0 && rd->ep[k].seconds > 0) {
			*rows += (double)rd->ep[k].rows;
			*secs += rd->ep[k].seconds;
		}
}

#define HOURS_PER_MONTH 730.0   /* 365 × 24 / 12 */
#define DESIGN_LOG_REQUESTS_S "100000"
#define PROBE_HINT "no measurement: run `design probe %s`"

static const char *g(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.6g", v);
	return buf;
}

/* ---- training --------------------------------------------------------------------- */
/* The newest finished run of the model that recorded rows/s. */
static json_t *training_estimate(struct workspace *ws, json_t *d, const struct frame *f)
{
	const char *model = json_string_value(json_object_get(d, "model"));
	json_int_t epochs = json_integer_value(json_object_get(d, "epochs"));
	struct run_brief *runs;
	size_t n;
	struct pm_err e;
	json_t *out = json_pack("{s:I}", "rows", (json_int_t)f->nrows);
	if (run_briefs(ws, &runs, &n, &e) < 0) {
		json_object_set_new(out, "source", json_string(e.msg));
		return out;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(runs[i].model, model) || strcmp(runs[i].state, "done"))
			continue;
		struct run_detail rd;
		if (run_detail_read(ws, runs[i].id, &rd, &e) < 0)
			continue;
		double rows, secs;
		design_run_measured(&rd, &rows, &secs);
		size_t nep = rd.nep;
		int64_t version = rd.version;
		run_detail_free(&rd);
		if (!(secs > 0))
			continue;
		double rate = rows / secs;
		if (epochs <= 0)
			epochs = (json_int_t)nep;
		double t = (double)f->nrows * (double)epochs / rate;
		char a[32], b[32], c[32];
		json_object_set_new(out, "epochs", json_integer(epochs));
		json_object_set_new(out, "rows_per_s", json_num(rate));
		json_object_set_new(out, "seconds", json_num(t));
		json_object_set_new(out, "run", json_integer(runs[i].id));
		char *ar = xasprintf("%zu rows × %lld epochs / %s rows/s = %s s", f->nrows,
				     (long long)epochs, g(rate, a, sizeof a), g(t, b, sizeof b));
		json_object_set_new(out, "arithmetic", json_string(ar));
		free(ar);
		char *src = xasprintf("run %lld (%s:%lld, %zu epochs: %s rows in %s s)",
				      (long long)runs[i].id, model, (long long)version, nep,
				      g(rows, a, sizeof a), g(secs, c, sizeof c));
		json_object_set_new(out, "source", json_string(src));
		free(src);
		run_briefs_free(runs, n);
		return out;
	}
	run_briefs_free(runs, n);
	/* no run: a training probe's epoch */
	json_t *p = design_probe_last(ws, json_string_value(json_object_get(d, "name")), "train");
	double rate = json_real_value(json_object_get(p, "rows_per_s"));
	if (p && rate > 0) {
		if (epochs <= 0)
			epochs = 1;
		double t = (double)f->nrows * (double)epochs / rate;
		char a[32], b[32];
		json_object_set_new(out, "epochs", json_integer(epochs));
		json_object_set_new(out, "rows_per_s", json_num(rate));
		json_object_set_new(out, "seconds", json_num(t));
		char *ar = xasprintf("%zu rows × %lld epochs / %s rows/s = %s s", f->nrows,
				     (long long)epochs, g(rate, a, sizeof a), g(t, b, sizeof b));
		json_object_set_new(out, "arithmetic", json_string(ar));
		free(ar);
		char *src = xasprintf("probe %lld (one epoch of %lld rows, %d threads)",
				      (long long)json_integer_value(json_object_get(p, "id")),
				      (long long)json_integer_value(json_object_get(p, "rows")),
				      (int)json_integer_value(json_object_get(p, "threads")));
		json_object_set_new(out, "source", json_string(src));
		json_object_set_new(out, "probe", json_integer(json_integer_value(json_object_get(p, "id"))));
		free(src);
		json_decref(p);
		return out;
	}
	json_decref(p);
	char *src = xasprintf("no measurement: model %s has no finished run with rows/s (train it, "
			      "or run `design probe %s`)",
			      model, json_string_value(json_object_get(d, "name")));
	json_object_set_new(out, "source", json_string(src));
	free(src);
	return out;
}

/* ---- the request log's key frequencies ----------------------------------------------- */
/* A logged value as the table keys it (src/serve/lookup.c's lookup_json_key). */
static const char *json_key(json_t *v, char *buf, size_t n)
{
	if (!v)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	case JSON_REAL: {
		double x = json_real_value(v);
		if (x == trunc(x) && fabs(x) < 9.2e18)
			snprintf(buf, n, "%lld", (long long)x);
		else
			fmt_double(x, buf, n);
		return buf;
	}
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

static int cmp_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

int design_hit_rate(struct workspace *ws, const char *model, const char *key, size_t k,
		    json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	/* the newest requests, so that a long log costs a bounded read */
	if (ws_prepare(ws, "SELECT features, time_us FROM requests WHERE model = ? AND status = 200"
			   " AND features IS NOT NULL ORDER BY id DESC LIMIT " DESIGN_LOG_REQUESTS_S,
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, model, -1, DB_TRANSIENT);
	struct strdict *keys = strdict_new();
	size_t *count = NULL, cap = 0, rows = 0, keyed = 0, requests = 0;
	int64_t first_us = 0, last_us = 0;
	char buf[64];
	while (db_step(st) == DB_ROW) {
		json_t *arr = json_loads((const char *)db_column_text(st, 0), 0, NULL);
		int64_t t = db_column_int64(st, 1);
		if (!requests++)
			first_us = last_us = t;
		first_us = t < first_us ? t : first_us;
		last_us = t > last_us ? t : last_us;
		size_t i;
		json_t *row;
		json_array_foreach(arr, i, row)
		{
			rows++;
			const char *kt = json_key(json_object_get(row, key), buf, sizeof buf);
			if (!kt)
				continue;
			keyed++;
			uint32_t c = strdict_intern(keys, kt, strlen(kt));
			if (c >= cap) {
				size_t old = cap;
				xgrow((void **)&count, &cap, (size_t)c + 1, sizeof *count);
				memset(count + old, 0, (cap - old) * sizeof *count);
			}
			count[c]++;
		}
		json_decref(arr);
	}
	db_finalize(st);
	size_t nk = keys->n, top = k && k < nk ? k : nk, hits = 0;
	if (nk)
		qsort(count, nk, sizeof *count, cmp_desc);
	for (size_t i = 0; i < top; i++)
		hits += count[i];
	*out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "requests", (json_int_t)requests, "rows",
			 (json_int_t)rows, "keyed_rows", (json_int_t)keyed, "keys", (json_int_t)nk, "top",
			 (json_int_t)top, "hits", (json_int_t)hits, "hit_rate",
			 json_num(keyed ? (double)hits / (double)keyed : NAN), "seconds",
			 json_num(requests > 1 ? (double)(last_us - first_us) / 1e6 : NAN));
	free(count);
	strdict_free(keys);
	return 0;
}

/* ---- the table of static and hybrid serving ------------------------------------------ */
static json_t *table_estimate(struct workspace *ws, json_t *d, const struct frame *f, int nout,
			      json_t *probe, json_t **hit_out)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *model = json_string_value(json_object_get(d, "model"));
	const char *serving = json_string_value(json_object_get(d, "serving"));
	json_t *keys = json_object_get(d, "keys");
	struct design_keyspace ks;
	struct pm_err e;
	char a[32], b[32], c[32];
	if (!json_array_size(keys) || design_keyspace(f, keys, NULL, &ks, &e) < 0)
		return NULL;
	json_t *out = json_object();
	size_t size = (size_t)json_integer_value(json_object_get(d, "table_size"));
	bool hybrid = strcmp(serving, "hybrid") == 0;
	size_t entries = hybrid && size && size < ks.observed ? size : ks.observed;
	/* the kept keys' text: the observed keys' mean length when only some are kept */
	double kbytes = entries == ks.observed ? (double)ks.key_bytes
			: (double)ks.key_bytes / (double)ks.observed * (double)entries;
	double bytes = design_table_bytes(entries, (size_t)llround(kbytes), nout);
	json_t *cols = json_array();
	struct sbuf prod = {0};
	for (size_t i = 0; i < ks.ncols; i++) {
		json_array_append_new(cols, json_pack("{s:s,s:s,s:I,s:b}", "name", ks.cols[i].name, "type",
						      ks.cols[i].type, "distinct",
						      (json_int_t)ks.cols[i].distinct, "continuous",
						      ks.cols[i].continuous));
		sbuf_printf(&prod, "%s%zu", i ? " × " : "", ks.cols[i].distinct);
	}
	json_object_set_new(out, "columns", cols);
	json_object_set_new(out, "key_space", json_num(ks.product));
	json_object_set_new(out, "observed", json_integer((json_int_t)ks.observed));
	json_object_set_new(out, "entries", json_integer((json_int_t)entries));
	json_object_set_new(out, "key_bytes", json_num(kbytes));
	json_object_set_new(out, "bytes", json_num(bytes));
	char *ar = xasprintf("key space %s = %s; %zu keys seen in %s%s; %zu entries × (%d outputs × 8 + "
			     "13) + %s bytes of key text + hash slots = %s bytes",
			     prod.s, g(ks.product, a, sizeof a), ks.observed, f->name,
			     entries < ks.observed ? " (the most frequent kept)" : "", entries, nout,
			     g(kbytes, b, sizeof b), g(bytes, c, sizeof c));
	json_object_set_new(out, "arithmetic", json_string(ar));
	free(ar);
	char *src = xasprintf("dataset %s (%zu rows)", f->name, f->nrows);
	json_object_set_new(out, "source", json_string(src));
	free(src);
	sbuf_free(&prod);
	/* a server that built such a table measured its size */
	struct db_stmt *st;
	const char *key0 = json_string_value(json_array_get(keys, 0));
	if (ks.ncols == 1 && ws_prepare(ws, "SELECT id, lookup_entries, lookup_bytes FROM servers"
					    " WHERE model = ? AND lookup = ? AND lookup_bytes IS NOT NULL"
					    " ORDER BY id DESC LIMIT 1",
					&st, &e) == 0) {
		db_bind_text(st, 1, model, -1, DB_TRANSIENT);
		db_bind_text(st, 2, key0, -1, DB_TRANSIENT);
		if (db_step(st) == DB_ROW) {
			char *s = xasprintf("server %lld", (long long)db_column_int64(st, 0));
			json_object_set_new(out, "measured",
					    json_pack("{s:I,s:I,s:s}", "entries",
						      (json_int_t)db_column_int64(st, 1), "bytes",
						      (json_int_t)db_column_int64(st, 2), "source", s));
			free(s);
		}
		db_finalize(st);
	}
	/* precomputing it: the keys at the probed predict rate */
	double rate = json_real_value(json_object_get(probe, "rows_per_s"));
	if (probe && rate > 0) {
		double t = (double)entries / rate;
		json_object_set_new(out, "precompute_s", json_num(t));
		char *p = xasprintf("%zu keys / %s rows/s = %s s (probe %lld: %lld rows in %s s, %d threads)",
				    entries, g(rate, a, sizeof a), g(t, b, sizeof b),
				    (long long)json_integer_value(json_object_get(probe, "id")),
				    (long long)json_integer_value(json_object_get(probe, "rows")),
				    g(json_real_value(json_object_get(probe, "seconds")), c, sizeof c),
				    (int)json_integer_value(json_object_get(probe, "threads")));
		json_object_set_new(out, "precompute", json_string(p));
		free(p);
	} else {
		json_object_set_new(out, "precompute_s", json_null());
		char *p = xasprintf(PROBE_HINT, name);
		json_object_set_new(out, "precompute", json_string(p));
		free(p);
	}
	/* hybrid: the hit rate of the logged traffic */
	json_t *hr = NULL;
	if (ks.ncols == 1 && design_hit_rate(ws, model, key0, size, &hr, &e) == 0) {
		char *s;
		if (json_integer_value(json_object_get(hr, "keyed_rows")) == 0)
			s = xasprintf("no measurement: the request log has no row of model %s with key %s "
				      "(serve it, or see `monitor %s`)",
				      model, key0, model);
		else
			s = xasprintf("request log: %lld rows of model %s with key %s, %lld distinct keys; "
				      "the %lld most requested take %lld rows",
				      (long long)json_integer_value(json_object_get(hr, "keyed_rows")), model,
				      key0, (long long)json_integer_value(json_object_get(hr, "keys")),
				      (long long)json_integer_value(json_object_get(hr, "top")),
				      (long long)json_integer_value(json_object_get(hr, "hits")));
		json_object_set_new(hr, "source", json_string(s));
		free(s);
	}
	*hit_out = hr;
	design_keyspace_free(&ks);
	return out;
}

/* ---- cost ----------------------------------------------------------------------------- */
struct cost {
	json_t *items;
	double monthly;
	bool known;
};

static void cost_item(struct cost *c, const char *what, double v, char *arith)
{
	json_array_append_new(c->items, json_pack("{s:s,s:o,s:s}", "what", what, "monthly", json_num(v),
						  "arithmetic", arith));
	free(arith);
	if (isfinite(v))
		c->monthly += v;
	else
		c->known = false;
}

/* Runs per month of the training trigger (NaN: it depends on arrivals). */
static double runs_per_month(json_t *d, char **why)
{
	json_t *tr = json_object_get(d, "training");
	const char *kind = json_string_value(json_object_get(tr, "kind"));
	int64_t us;
	if (strcmp(kind, "static") == 0) {
		*why = xstrdup("static training: no retraining");
		return 0;
	}
	if (strcmp(kind, "schedule") == 0 &&
	    duration_parse(json_string_value(json_object_get(tr, "every")), &us)) {
		double r = HOURS_PER_MONTH * 3600e6 / (double)us;
		char a[32];
		*why = xasprintf("730 h / every %s = %s runs", json_string_value(json_object_get(tr, "every")),
				 g(r, a, sizeof a));
		return r;
	}
	*why = xasprintf("%s: as often as %s (not estimated)", kind,
			 strcmp(kind, "on-drift") == 0 ? "drift alerts open" : "files arrive");
	return NAN;
}

static json_t *cost_estimate(json_t *d, const struct frame *f, json_t *train, json_t *table,
			     json_t *probe, json_t *hit, const struct design_env *env)
{
	json_t *prices = json_object_get(d, "prices");
	json_t *hw = json_object_get(d, "hardware");
	double cpu = json_number_value(json_object_get(prices, "cpu_hour"));
	double gb = json_number_value(json_object_get(prices, "gb_month"));
	bool has_cpu = json_object_get(prices, "cpu_hour") != NULL;
	int threads = (int)json_integer_value(json_object_get(hw, "threads"));
	if (threads <= 0)
		threads = env->ncpus;
	struct cost c = {json_array(), 0, true};
	char a[32], b[32], x[32], y[32];
	json_t *out = json_object();
	if (!has_cpu) {
		char *s = xasprintf("no prices: `design set %s price.cpu_hour X` (and price.gb_month)",
				    json_string_value(json_object_get(d, "name")));
		json_object_set_new(out, "source", json_string(s));
		free(s);
		json_decref(c.items);
		return out;
	}
	bool online = strcmp(json_string_value(json_object_get(d, "inference")), "online") == 0;
	char *why;
	double runs = runs_per_month(d, &why);
	/* training: runs × hours per run × threads × price */
	double ts = json_number_value(json_object_get(train, "seconds"));
	if (runs == 0)
		cost_item(&c, "training", 0, xasprintf("%s", why));
	else if (json_object_get(train, "seconds") && isfinite(runs)) {
		double v = runs * ts / 3600 * threads * cpu;
		cost_item(&c, "training", v,
			  xasprintf("%s × %s h × %d threads × %s = %s", why, g(ts / 3600, a, sizeof a),
				    threads, g(cpu, b, sizeof b), g(v, x, sizeof x)));
	} else
		cost_item(&c, "training", NAN,
			  xasprintf("%s%s", why, json_object_get(train, "seconds") ? "" : "; no training rate"));
	free(why);
	if (online) {
		double v = threads * cpu * HOURS_PER_MONTH;
		cost_item(&c, "serving", v,
			  xasprintf("%d threads × %s per cpu-hour × 730 h = %s", threads, g(cpu, a, sizeof a),
				    g(v, b, sizeof b)));
		double bytes = json_number_value(json_object_get(table, "bytes"));
		if (table && json_object_get(prices, "gb_month")) {
			double t = bytes / 1e9 * gb;
			cost_item(&c, "table memory", t,
				  xasprintf("%s bytes / 1e9 × %s per GB-month = %s", g(bytes, a, sizeof a),
					    g(gb, b, sizeof b), g(t, x, sizeof x)));
		}
	} else {
		/* batch inference: a predict of the dataset per training run */
		double rate = json_real_value(json_object_get(probe, "rows_per_s"));
		double r = isfinite(runs) && runs > 0 ? runs : 1;
		if (rate > 0) {
			double s = (double)f->nrows / rate, v = r * s / 3600 * threads * cpu;
			cost_item(&c, "batch prediction", v,
				  xasprintf("%s runs × %zu rows / %s rows/s / 3600 × %d threads × %s = %s",
					    g(r, a, sizeof a), f->nrows, g(rate, b, sizeof b), threads,
					    g(cpu, x, sizeof x), g(v, y, sizeof y)));
		} else
			cost_item(&c, "batch prediction", NAN,
				  xasprintf(PROBE_HINT, json_string_value(json_object_get(d, "name"))));
	}
	json_object_set_new(out, "items", c.items);
	json_object_set_new(out, "monthly", c.known ? json_num(c.monthly) : json_null());
	/* predictions per month: the design's traffic, else the request log's rate */
	double per_day = json_number_value(json_object_get(d, "traffic_per_day"));
	const char *src = "traffic (design)";
	if (!json_is_number(json_object_get(d, "traffic_per_day"))) {
		double rows = (double)json_integer_value(json_object_get(hit, "rows"));
		double secs = json_number_value(json_object_get(hit, "seconds"));
		per_day = secs > 0 ? rows / secs * 86400 : NAN;
		src = "request log";
	}
	double preds = per_day * HOURS_PER_MONTH / 24;
	if (c.known && preds > 0) {
		double pm = c.monthly / (preds / 1e6);
		json_object_set_new(out, "predictions_per_month", json_num(preds));
		json_object_set_new(out, "per_million", json_num(pm));
		char *s = xasprintf("%s / (%s predictions/day × 30.4167 days / 1e6) = %s (%s)",
				    g(c.monthly, a, sizeof a), g(per_day, b, sizeof b), g(pm, x, sizeof x), src);
		json_object_set_new(out, "per_million_arithmetic", json_string(s));
		free(s);
	} else {
		json_object_set_new(out, "per_million", json_null());
		char *s = xasprintf("no traffic: `design set %s traffic N` (predictions per day) or serve "
				    "requests to log",
				    json_string_value(json_object_get(d, "name")));
		json_object_set_new(out, "per_million_arithmetic", json_string(s));
		free(s);
	}
	json_object_set_new(out, "source", json_string("prices (design)"));
	return out;
}

/* ---- online serving without a load probe: the server the design applied ------------- */
/* Its own figures (server-side latencies of its recent requests, its rate
 * over the last second), once it has answered requests; NULL otherwise. */
static json_t *applied_server_estimate(struct workspace *ws, json_t *d)
{
	json_int_t id = json_integer_value(json_object_get(json_object_get(d, "applied"), "server"));
	struct db_stmt *st;
	struct pm_err e;
	if (!id || ws_prepare(ws, "SELECT requests, rps, p50_us, p99_us, status FROM servers"
				  " WHERE id = ? AND requests > 0 AND p50_us IS NOT NULL",
			      &st, &e) < 0)
		return NULL;
	db_bind_int64(st, 1, id);
	json_t *o = NULL;
	if (db_step(st) == DB_ROW) {
		char *src = xasprintf("server %lld (applied, %s): %lld requests; its rate over the last "
				      "second and the server-side latency of its recent requests",
				      (long long)id, (const char *)db_column_text(st, 4),
				      (long long)db_column_int64(st, 0));
		o = json_pack("{s:o,s:o,s:o,s:I,s:I,s:s}", "req_per_s",
			      db_column_type(st, 1) == DB_NULL ? json_null()
									: json_num(db_column_double(st, 1)),
			      "p50_ms", json_num(db_column_double(st, 2) / 1e3), "p99_ms",
			      json_num(db_column_double(st, 3) / 1e3), "server", id, "answered",
			      (json_int_t)db_column_int64(st, 0), "source", src);
		free(src);
	}
	db_finalize(st);
	return o;
}

int design_estimate(struct workspace *ws, json_t *d, const struct frame *f, char *const *inputs, int nout,
		    const struct design_env *env, json_t **out, struct pm_err *err)
{
	(void)err;
	const char *name = json_string_value(json_object_get(d, "name"));
	json_t *probe = design_probe_last(ws, name, "predict");
	json_t *train = training_estimate(ws, d, f);
	/* every hardware choice over the same epochs as the estimate above */
	json_int_t epochs = json_is_integer(json_object_get(train, "epochs"))
				    ? json_integer_value(json_object_get(train, "epochs"))
				    : json_integer_value(json_object_get(d, "epochs"));
	json_object_set_new(train, "by_hardware",
			    design_hardware_estimates(ws, d, (int64_t)f->nrows, epochs, env));
	json_t *hit = NULL;
	json_t *table = table_estimate(ws, d, f, nout, probe, &hit);
	json_t *cost = cost_estimate(d, f, train, table, probe, hit, env);
	struct design_keyspace ks;
	struct pm_err e;
	char *why = NULL;
	if (design_keyspace(f, json_object_get(d, "keys"), inputs, &ks, &e) == 0) {
		why = design_static_why(&ks, f->name);
		design_keyspace_free(&ks);
	} else
		why = xstrdup(e.msg);
	json_t *predict;
	if (probe) {
		predict = json_deep_copy(probe);
		char *s = xasprintf("probe %lld", (long long)json_integer_value(json_object_get(probe, "id")));
		json_object_set_new(predict, "source", json_string(s));
		free(s);
	} else {
		char *s = xasprintf(PROBE_HINT, name);
		predict = json_pack("{s:s}", "source", s);
		free(s);
	}
	json_decref(probe);
	/* online serving: the newest load probe of the design's server */
	json_t *serving = design_probe_last(ws, name, "serve");
	if (serving) {
		char *s = xasprintf("probe %lld (`design probe --serve`: server %lld, %lld requests from %lld "
				    "connections in %.3g s)",
				    (long long)json_integer_value(json_object_get(serving, "id")),
				    (long long)json_integer_value(json_object_get(serving, "server")),
				    (long long)json_integer_value(json_object_get(serving, "answered")),
				    (long long)json_integer_value(json_object_get(serving, "threads")),
				    json_number_value(json_object_get(serving, "seconds")));
		json_object_set_new(serving, "source", json_string(s));
		free(s);
	} else
		serving = applied_server_estimate(ws, d);
	if (!serving) {
		char *s = xasprintf("no measurement: run `design probe %s --serve`", name);
		serving = json_pack("{s:s}", "source", s);
		free(s);
	}
	json_t *fresh = design_freshness(ws, d, train);
	json_t *sweep = design_probe_last(ws, name, "batching");
	json_t *batching = design_sweep_estimate(d, sweep);
	json_decref(sweep);
	*out = json_pack("{s:{s:b,s:s?},s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "static", "offered", why == NULL, "why",
			 why, "training", train, "freshness", fresh, "predict", predict, "serving", serving,
			 "batching", batching, "table", table ? table : json_null(), "hit_rate",
			 hit ? hit : json_null(), "cost", cost);
	free(why);
	return 0;
}
