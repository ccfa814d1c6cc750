/* Validation commands: stats, schema infer|show|set|save|load|list, validate,
 * compare, plot hist. */
#include "cmd.h"

#include "data/data.h"
#include "plot/plot.h"
#include "validate/validate.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SLICES 100

static struct stats_options stats_opts_for(struct session *s)
{
	return (struct stats_options){.threads = session_threads(s), .progress = &s->progress};
}

static int frame_stats(struct session *s, const char *name, bool keep_sorted, struct frame **f,
		       struct dataset_stats **st, struct pm_err *err)
{
	if (session_frame(s, name, f, err) < 0)
		return -1;
	struct stats_options o = stats_opts_for(s);
	o.keep_sorted = keep_sorted;
	if (stats_compute(*f, &o, st, err) < 0)
		return -1;
	/* the dataset's name, not the frame's (a renamed copy keeps its own) */
	free((*st)->dataset);
	(*st)->dataset = xstrdup(name);
	return 0;
}

/* ---- number formatting for tables --------------------------------------------- */

static const char *num7(double v, char *buf, size_t n)
{
	return render_num(v, buf, n);
}

static const char *jnum7(json_t *v, char *buf, size_t n)
{
	if (!v || json_is_null(v))
		return "-";
	return num7(json_number_value(v), buf, n);
}

/* ---- stats ---------------------------------------------------------------------- */

static int exec_stats(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *name = call->argv[0], *slice = call_opt(call, "--slice");
	struct workspace *ws;
	struct frame *f;
	struct ws_dataset rec;
	if (session_ws(s, &ws, err) < 0 || ws_dataset_get(ws, name, &rec, err) < 0)
		return -1;
	json_t *res = NULL;
	int rc = 0;
	if (!call_flag(call, "--no-cache") &&
	    stats_cache_get(ws, rec.fingerprint, slice ? slice : "", &res, err) < 0) {
		ws_dataset_free(&rec);
		return -1;
	}
	if (res) {
		json_object_set_new(res, "dataset", json_string(name));
		json_object_set_new(res, "cached", json_true());
		call->result = res;
		ws_dataset_free(&rec);
		return 0;
	}
	struct dataset_stats *st = NULL;
	if (session_frame(s, name, &f, err) < 0)
		goto fail;
	struct stats_options o = stats_opts_for(s);
	if (slice) {
		/* check the column before the long part */
		if (frame_col_index(f, slice) < 0) {
			pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", slice, name);
			goto fail;
		}
	}
	if (stats_compute(f, &o, &st, err) < 0)
		goto fail;
	free(st->dataset);
	st->dataset = xstrdup(name);
	res = stats_to_json(st);
	json_object_set_new(res, "fingerprint", json_string(rec.fingerprint));
	stats_free(st);
	st = NULL;
	if (slice) {
		struct slices sl;
		if (slices_make(f, slice, MAX_SLICES, &sl, err) < 0)
			goto fail;
		json_t *arr = json_array();
		for (size_t k = 0; k < sl.n; k++) {
			struct stats_options so = o;
			so.rows = sl.rows[k];
			so.nrows = sl.nrows[k];
			struct dataset_stats *ss;
			if (stats_compute(f, &so, &ss, err) < 0) {
				json_decref(arr);
				slices_free(&sl);
				goto fail;
			}
			json_t *e = json_object();
			json_object_set_new(e, "value",
					    sl.labels[k] ? json_string(sl.labels[k]) : json_null());
			json_object_set_new(e, "rows", json_integer((json_int_t)ss->rows));
			json_t *sj = stats_to_json(ss);
			json_object_set(e, "features", json_object_get(sj, "features"));
			json_decref(sj);
			json_array_append_new(arr, e);
			stats_free(ss);
		}
		slices_free(&sl);
		json_object_set_new(res, "slice", json_string(slice));
		json_object_set_new(res, "slices", arr);
	}
	json_object_set_new(res, "stats_version", json_integer(STATS_VERSION));
	/* a failed cache write costs speed next time, not this result */
	struct pm_err ignore = {0};
	stats_cache_put(ws, rec.fingerprint, slice ? slice : "", res, &ignore);
	json_object_set_new(res, "cached", json_false());
	call->result = res;
	ws_dataset_free(&rec);
	return 0;
fail:
	rc = -1;
	if (res)
		json_decref(res);
	stats_free(st);
	ws_dataset_free(&rec);
	return rc;
}

/* Share of rows missing, in at most 5 columns. */
static char *miss_text(json_int_t miss, json_int_t rows)
{
	if (miss == 0)
		return xstrdup("0");
	double p = rows ? 100.0 * (double)miss / (double)rows : 0;
	if (p < 0.1)
		return xstrdup("<0.1%");
	return xasprintf(p >= 99.95 ? "%.0f%%" : "%.1f%%", p);
}

static const char *feature_type(json_t *f)
{
	return json_string_value(json_object_get(f, "type"));
}

static void render_features(json_t *feats, json_int_t rows, struct sbuf *out)
{
	bool uni = plot_unicode();
	char a[32];
	size_t nnum = 0, ncat = 0, nts = 0;
	for (size_t i = 0; i < json_array_size(feats); i++) {
		const char *t = feature_type(json_array_get(feats, i));
		if (strcmp(t, "string") == 0)
			ncat++;
		else if (strcmp(t, "timestamp") == 0)
			nts++;
		else
			nnum++;
	}
	if (nnum) {
		static const char *const head[8] = {"numeric", "miss", "mean",   "std",
						    "min",     "median", "max", "histogram"};
		static const bool right[8] = {false, true, true, true, true, true, true, false};
		struct table *tb = table_new(8, head, right);
		table_narrow(tb);
		for (size_t i = 0; i < json_array_size(feats); i++) {
			json_t *f = json_array_get(feats, i);
			const char *t = feature_type(f);
			if (strcmp(t, "string") == 0 || strcmp(t, "timestamp") == 0)
				continue;
			json_int_t miss = json_integer_value(json_object_get(f, "missing"));
			double h[STATS_BUCKETS] = {0};
			json_t *hist = json_object_get(f, "histogram");
			size_t nh = json_array_size(hist);
			for (size_t k = 0; k < nh && k < STATS_BUCKETS; k++)
				h[k] = json_number_value(json_object_get(json_array_get(hist, k), "count"));
			struct sbuf sp = {0};
			plot_sparkline(&sp, h, nh, uni);
			table_take(tb, render_cut(json_string_value(json_object_get(f, "name")), 20));
			table_take(tb, miss_text(miss, rows));
			static const char *const stat[] = {"mean", "std", "min", "median", "max"};
			for (size_t k = 0; k < PM_ARRAY_LEN(stat); k++)
				table_str(tb, jnum7(json_object_get(f, stat[k]), a, sizeof a));
			table_take(tb, sbuf_steal(&sp));
		}
		table_render(tb, out);
	}
	if (ncat) {
		if (nnum)
			sbuf_putc(out, '\n');
		static const char *const head[5] = {"categorical", "miss", "unique", "avg len",
						    "top values (share)"};
		static const bool right[5] = {false, true, true, true, false};
		struct table *tb = table_new(5, head, right);
		table_narrow(tb);
		for (size_t i = 0; i < json_array_size(feats); i++) {
			json_t *f = json_array_get(feats, i);
			if (strcmp(feature_type(f), "string") != 0)
				continue;
			json_int_t miss = json_integer_value(json_object_get(f, "missing"));
			json_int_t cnt = json_integer_value(json_object_get(f, "count"));
			json_t *top = json_object_get(f, "top");
			struct sbuf tv = {0};
			for (size_t k = 0; k < json_array_size(top) && k < 3; k++) {
				json_t *x = json_array_get(top, k);
				char *v = render_cut(json_string_value(json_object_get(x, "value")), 14);
				double share = cnt ? (double)json_integer_value(json_object_get(x, "count")) /
							     (double)cnt
						   : 0;
				sbuf_printf(&tv, "%s%s %.0f%%", k ? ", " : "", v, share * 100);
				free(v);
			}
			table_take(tb, render_cut(json_string_value(json_object_get(f, "name")), 20));
			table_take(tb, miss_text(miss, rows));
			table_cell(tb, "%lld", (long long)json_integer_value(json_object_get(f, "unique")));
			table_str(tb, num7(json_number_value(json_object_get(f, "avg_length")), a, sizeof a));
			table_take(tb, render_cut(tv.s ? tv.s : "", 38));
			sbuf_free(&tv);
		}
		table_render(tb, out);
	}
	if (nts) {
		if (nnum || ncat)
			sbuf_putc(out, '\n');
		static const char *const head[5] = {"timestamp", "miss", "min", "median", "max"};
		static const bool right[5] = {false, true, false, false, false};
		struct table *tb = table_new(5, head, right);
		table_narrow(tb);
		for (size_t i = 0; i < json_array_size(feats); i++) {
			json_t *f = json_array_get(feats, i);
			if (strcmp(feature_type(f), "timestamp") != 0)
				continue;
			json_int_t miss = json_integer_value(json_object_get(f, "missing"));
			table_take(tb, render_cut(json_string_value(json_object_get(f, "name")), 20));
			table_take(tb, miss_text(miss, rows));
			static const char *const when[] = {"min_time", "median_time", "max_time"};
			for (size_t k = 0; k < PM_ARRAY_LEN(when); k++)
				table_str(tb, json_string_value(json_object_get(f, when[k])) ?: "-");
		}
		table_render(tb, out);
	}
}

static void render_stats(struct session *s, const struct cmd_call *call, json_t *r,
			 struct sbuf *out)
{
	json_int_t rows = json_integer_value(json_object_get(r, "rows"));
	sbuf_printf(out, "%s: %lld rows%s\n", json_string_value(json_object_get(r, "dataset")),
		    (long long)rows,
		    json_is_true(json_object_get(r, "cached")) ? " (statistics from the cache)" : "");
	render_features(json_object_get(r, "features"), rows, out);
	json_t *slices = json_object_get(r, "slices");
	const char *col = json_string_value(json_object_get(r, "slice"));
	for (size_t k = 0; k < json_array_size(slices); k++) {
		json_t *sl = json_array_get(slices, k);
		json_t *v = json_object_get(sl, "value");
		json_int_t n = json_integer_value(json_object_get(sl, "rows"));
		sbuf_printf(out, "\nslice %s = %s: %lld rows\n", col,
			    json_is_null(v) ? "(missing)" : json_string_value(v), (long long)n);
		render_features(json_object_get(sl, "features"), n, out);
	}
}

/* ---- schemas in the workspace ------------------------------------------------------- */

static json_t *schema_result(const struct schema *sc)
{
	json_t *j = schema_to_json(sc);
	char *text = schema_to_text(sc);
	json_object_set_new(j, "text", json_string(text));
	free(text);
	return j;
}

static int exec_schema_infer(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *name = call->argv[0];
	const char *as = call_opt(call, "--as");
	if (!as)
		as = name;
	struct frame *f;
	struct dataset_stats *st;
	if (frame_stats(s, name, false, &f, &st, err) < 0)
		return -1;
	struct schema *sc = schema_infer(st, as, call_flag(call, "--ranges"));
	stats_free(st);
	char *src = xasprintf("inferred from %s", name);
	struct workspace *ws;
	int rc = session_ws(s, &ws, err) < 0 ? -1
		 : schema_store(ws, sc, src, "schema infer", src, err);
	free(src);
	if (rc == 0) {
		call->result = schema_result(sc);
		json_object_set_new(call->result, "dataset", json_string(name));
	}
	schema_free(sc);
	return rc;
}

static void render_schema(struct session *s, const struct cmd_call *call, json_t *r,
			  struct sbuf *out)
{
	sbuf_puts(out, json_string_value(json_object_get(r, "text")));
	json_t *ds = json_object_get(r, "dataset");
	if (ds)
		sbuf_printf(out, "\n# schema %s from %s (%zu features): review it, then `schema set`\n",
			    json_string_value(json_object_get(r, "name")), json_string_value(ds),
			    json_array_size(json_object_get(r, "features")));
}

static int exec_schema_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct schema *sc;
	if (session_ws(s, &ws, err) < 0 || schema_fetch(ws, call->argv[0], &sc, err) < 0)
		return -1;
	call->result = schema_result(sc);
	schema_free(sc);
	return 0;
}

static int exec_schema_set(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	const char *name = call->argv[0], *feature = call->argv[1], *key = call->argv[2];
	struct schema *sc;
	if (session_ws(s, &ws, err) < 0 || schema_fetch(ws, name, &sc, err) < 0)
		return -1;
	int rc = schema_set(sc, feature, key, call->argv + 3, (size_t)call->argc - 3, err);
	if (rc == 0) {
		struct sbuf d = {0};
		sbuf_printf(&d, "%s %s", feature, key);
		for (int i = 3; i < call->argc; i++)
			sbuf_printf(&d, " %s", call->argv[i]);
		rc = schema_store(ws, sc, NULL, "schema set", d.s, err);
		sbuf_free(&d);
	}
	if (rc == 0) {
		json_t *j = schema_to_json(sc), *feat = NULL;
		json_t *fs = json_object_get(j, "features");
		for (size_t i = 0; i < json_array_size(fs); i++)
			if (strcmp(json_string_value(json_object_get(json_array_get(fs, i), "name")),
				   feature) == 0)
				feat = json_array_get(fs, i);
		call->result = json_pack("{s:s, s:O}", "schema", name, "feature",
					 feat ? feat : json_null());
		json_decref(j);
		/* the feature's block as the schema file now reads */
		struct schema one = {.name = sc->name, .f = schema_find(sc, feature), .n = 1};
		char *text = schema_to_text(&one);
		const char *block = strstr(text, "\nfeature ");
		json_object_set_new(call->result, "text", json_string(block ? block + 1 : text));
		free(text);
	}
	schema_free(sc);
	return rc;
}

static void render_schema_set(struct session *s, const struct cmd_call *call, json_t *r,
			      struct sbuf *out)
{
	sbuf_printf(out, "schema %s now reads:\n%s", json_string_value(json_object_get(r, "schema")),
		    json_string_value(json_object_get(r, "text")));
}

static int exec_schema_save(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct schema *sc;
	if (session_ws(s, &ws, err) < 0 || schema_fetch(ws, call->argv[0], &sc, err) < 0)
		return -1;
	char *text = schema_to_text(sc);
	int rc = fs_write_atomic(call->argv[1], text, strlen(text), err);
	if (rc == 0)
		call->result = json_pack("{s:s, s:s, s:I}", "schema", sc->name, "file", call->argv[1],
					 "features", (json_int_t)sc->n);
	free(text);
	schema_free(sc);
	return rc;
}

static int exec_schema_load(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *name = call->argv[0], *path = call->argv[1];
	char *data;
	size_t len;
	if (fs_read_all(path, &data, &len, err) < 0)
		return -1;
	struct schema *sc;
	int rc = schema_parse(data, len, path, name, &sc, err);
	free(data);
	if (rc < 0)
		return -1;
	struct workspace *ws;
	rc = session_ws(s, &ws, err) < 0 ? -1 : schema_store(ws, sc, path, "schema load", path, err);
	if (rc == 0)
		call->result = json_pack("{s:s, s:s, s:I}", "schema", name, "file", path, "features",
					 (json_int_t)sc->n);
	schema_free(sc);
	return rc;
}

static void render_schema_file(struct session *s, const struct cmd_call *call, json_t *r,
			       struct sbuf *out)
{
	bool save = strcmp(call->entry->name, "schema save") == 0;
	sbuf_printf(out, "schema %s (%lld features) %s %s\n",
		    json_string_value(json_object_get(r, "schema")),
		    (long long)json_integer_value(json_object_get(r, "features")),
		    save ? "written to" : "loaded from",
		    json_string_value(json_object_get(r, "file")));
}

static int exec_schema_list(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	json_t *arr;
	if (session_ws(s, &ws, err) < 0 || schema_list(ws, &arr, err) < 0)
		return -1;
	call->result = json_pack("{s:o}", "schemas", arr);
	return 0;
}

static void render_schema_list(struct session *s, const struct cmd_call *call, json_t *r,
			       struct sbuf *out)
{
	json_t *arr = json_object_get(r, "schemas");
	if (json_array_size(arr) == 0) {
		sbuf_puts(out, "no schemas yet: `schema infer DATASET` makes one\n");
		return;
	}
	render_generic(arr, out);
}

/* ---- validate ------------------------------------------------------------------------------ */

static int exec_validate(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *name = call->argv[0], *sname = call_opt(call, "--schema");
	const char *env = call_opt(call, "--env");
	const char *base = call_opt(call, "--baseline"), *prev = call_opt(call, "--previous");
	if (!sname)
		return pm_errcf(err, PM_E_USAGE, "validate: --schema S is required (see `schema "
						 "infer`)");
	struct workspace *ws;
	struct schema *sc = NULL;
	struct dataset_stats *st = NULL, *bst = NULL, *pst = NULL;
	struct frame *f, *bf, *pf;
	struct anomalies an = {0};
	int rc = -1;
	if (session_ws(s, &ws, err) < 0 || schema_fetch(ws, sname, &sc, err) < 0)
		goto out;
	if (frame_stats(s, name, false, &f, &st, err) < 0)
		goto out;
	if (base && frame_stats(s, base, false, &bf, &bst, err) < 0)
		goto out;
	if (prev && frame_stats(s, prev, false, &pf, &pst, err) < 0)
		goto out;
	struct validate_options vo = {.env = env,
				      .baseline = bst,
				      .baseline_name = base,
				      .previous = pst,
				      .previous_name = prev};
	if (validate_dataset(f, st, sc, &vo, &an, err) < 0)
		goto out;
	json_t *res = anomalies_to_json(&an);
	json_object_set_new(res, "dataset", json_string(name));
	json_object_set_new(res, "schema", json_string(sname));
	json_object_set_new(res, "env", env ? json_string(env) : json_null());
	if (base)
		json_object_set_new(res, "baseline", json_string(base));
	if (prev)
		json_object_set_new(res, "previous", json_string(prev));
	json_object_set_new(res, "count", json_integer((json_int_t)an.n));
	call->result = res;
	rc = 0;
	if (an.n && call_flag(call, "--fail-on-anomaly")) {
		/* the result is still printed (cmd_run prints a failed command's
		 * result when it left one), then scripts stop with exit 1 */
		rc = pm_errf(err, "validate: %zu anomal%s in %s (--fail-on-anomaly)", an.n,
			     an.n == 1 ? "y" : "ies", name);
	}
out:
	anomalies_free(&an);
	schema_free(sc);
	stats_free(st);
	stats_free(bst);
	stats_free(pst);
	return rc;
}

static void render_validate(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	json_t *arr = json_object_get(r, "anomalies");
	const char *ds = json_string_value(json_object_get(r, "dataset"));
	const char *sc = json_string_value(json_object_get(r, "schema"));
	json_t *env = json_object_get(r, "env");
	size_t n = json_array_size(arr);
	char envtext[128] = "";
	if (json_is_string(env))
		snprintf(envtext, sizeof envtext, ", environment %s", json_string_value(env));
	if (n == 0) {
		sbuf_printf(out, "%s matches schema %s%s: no anomalies\n", ds, sc, envtext);
		return;
	}
	sbuf_printf(out, "%zu anomal%s in %s (schema %s%s):\n", n, n == 1 ? "y" : "ies", ds, sc,
		    envtext);
	static const char *const head[3] = {"#", "feature", "anomaly"};
	static const bool right[3] = {true, false, false};
	struct table *t = table_new(3, head, right);
	table_narrow(t);
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(arr, i);
		table_cell(t, "%zu", i + 1);
		table_take(t, render_cut(json_string_value(json_object_get(a, "feature")), 20));
		table_str(t, json_string_value(json_object_get(a, "type")));
	}
	table_render(t, out);
	sbuf_putc(out, '\n');
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(arr, i);
		const char *feat = json_string_value(json_object_get(a, "feature"));
		sbuf_printf(out, "%zu. %s: %s\n", i + 1, *feat ? feat : "(dataset)",
			    anomaly_summary(json_string_value(json_object_get(a, "type"))));
		render_wrap(out, json_string_value(json_object_get(a, "description")), 3, 79);
	}
}

/* ---- compare ------------------------------------------------------------------------------------ */

static json_t *dist_or_null(bool has, double v)
{
	return has ? json_num(v) : json_null();
}

static int exec_compare(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *an = call->argv[0], *bn = call->argv[1], *feature = call_opt(call, "--feature");
	struct alert_rule rule;
	alert_rule_init(&rule);
	double thr;
	if (call_opt_double(call, "--threshold", -1, &thr, err) < 0 ||
	    call_opt_double(call, "--missing-threshold", rule.missing, &rule.missing, err) < 0 ||
	    call_opt_double(call, "--alpha", rule.alpha, &rule.alpha, err) < 0)
		return -1;
	if (call_opt(call, "--threshold")) {
		if (!(thr >= 0 && thr <= 1))
			return pm_errcf(err, PM_E_USAGE, "compare: --threshold must be between 0 and 1");
		for (size_t k = 0; k < DIST_N; k++)
			if (dist_table[k].comparator)
				rule.threshold[k] = thr;
	}
	/* each distance's own threshold wins over the one --threshold sets */
	for (size_t k = 0; k < DIST_N; k++) {
		if (!dist_table[k].comparator)
			continue;
		char own[64];
		snprintf(own, sizeof own, "--%s-threshold", dist_table[k].name);
		double *dst = &rule.threshold[k];
		if (call_opt_double(call, own, *dst, dst, err) < 0)
			return -1;
		if (!(*dst >= 0 && *dst <= 1))
			return pm_errcf(err, PM_E_USAGE, "compare: %s must be between 0 and 1", own);
	}
	if (!(rule.missing >= 0 && rule.missing <= 1))
		return pm_errcf(err, PM_E_USAGE, "compare: --missing-threshold must be between 0 and 1");
	if (!(rule.alpha > 0 && rule.alpha <= 1))
		return pm_errcf(err, PM_E_USAGE, "compare: --alpha must be above 0 and at most 1");
	struct frame *fa, *fb;
	struct dataset_stats *sa = NULL, *sb = NULL;
	struct feature_distance *d = NULL;
	size_t n = 0;
	int rc = -1;
	if (frame_stats(s, an, true, &fa, &sa, err) < 0 ||
	    frame_stats(s, bn, true, &fb, &sb, err) < 0 ||
	    compare_stats(sa, sb, feature, &d, &n, err) < 0)
		goto out;
	compare_judge(d, n, &rule);
	json_t *feats = json_array();
	for (size_t i = 0; i < n; i++) {
		struct feature_distance *x = &d[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(x->name));
		json_object_set_new(o, "type", json_string(pm_type_name(x->type)));
		if (x->b->type != x->type)
			json_object_set_new(o, "type_b", json_string(pm_type_name(x->b->type)));
		for (size_t k = 0; k < DIST_N; k++) {
			const struct dist_info *di = &dist_table[k];
			if (di->optional && !x->has[k])
				continue;
			json_object_set_new(o, di->name, dist_or_null(x->has[k], x->v[k]));
			if (di->where) {
				char key[64];
				snprintf(key, sizeof key, "%s_value", di->name);
				json_object_set_new(o, key, x->has[k] ? json_stringn(x->linf_value,
										     x->linf_value_len)
								      : json_null());
			}
		}
		/* The headline (dist_table's): L-infinity over value frequencies
		 * for categories and, for numbers, JSD over the bins between A's
		 * deciles, which one outlier cannot stretch (TFDV's equal-width
		 * form stays in "jsd_tfdv").  It alerts when over its threshold
		 * and significant. */
		enum dist_kind h = dist_headline(x->categorical);
		json_object_set_new(o, "distance", dist_or_null(x->has[h], x->v[h]));
		json_object_set_new(o, "distance_kind",
				    x->has[h] ? json_string(dist_table[h].name) : json_null());
		json_object_set_new(o, "threshold", json_real(x->threshold));
		json_object_set_new(o, "p", dist_or_null(x->has_test, x->p));
		json_object_set_new(o, "over_threshold", json_boolean(x->over));
		json_object_set_new(o, "missing_a", dist_or_null(true, x->missing_a));
		json_object_set_new(o, "missing_b", dist_or_null(true, x->missing_b));
		json_object_set_new(o, "p_missing", dist_or_null(true, x->p_missing));
		json_object_set_new(o, "missing_alert", json_boolean(x->missing_alert));
		json_object_set_new(o, "alert", json_boolean(x->alert));
		json_object_set_new(o, "a", feature_stats_to_json(x->a));
		json_object_set_new(o, "b", feature_stats_to_json(x->b));
		json_array_append_new(feats, o);
	}
	json_t *only_a = json_array(), *only_b = json_array();
	if (!feature) {
		for (size_t i = 0; i < sa->n; i++)
			if (!stats_feature(sb, sa->f[i].name))
				json_array_append_new(only_a, json_string(sa->f[i].name));
		for (size_t i = 0; i < sb->n; i++)
			if (!stats_feature(sa, sb->f[i].name))
				json_array_append_new(only_b, json_string(sb->f[i].name));
	}
	/* "threshold" is the one --threshold sets (the first comparator's) */
	json_t *ths = json_object();
	double first = NAN;
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].comparator) {
			json_object_set_new(ths, dist_table[k].name, json_real(rule.threshold[k]));
			if (isnan(first))
				first = rule.threshold[k];
		}
	json_object_set_new(ths, "missing", json_real(rule.missing));
	call->result = json_pack("{s:s, s:s, s:I, s:I, s:f, s:o, s:f, s:o, s:o, s:o}", "a", an,
				 "b", bn, "rows_a", (json_int_t)sa->rows, "rows_b",
				 (json_int_t)sb->rows, "threshold", first, "thresholds", ths,
				 "alpha", rule.alpha, "features", feats, "only_in_a", only_a,
				 "only_in_b", only_b);
	rc = 0;
out:
	free(d);
	stats_free(sa);
	stats_free(sb);
	return rc;
}

/* How far a feature is over its thresholds (above 1: over): the headline
 * distance or the change of the missing share, whichever is further. */
static double headline(json_t *f, json_t *res)
{
	json_t *d = json_object_get(f, "distance");
	double thr = json_number_value(json_object_get(f, "threshold"));
	double r = json_is_number(d) && thr > 0 ? json_number_value(d) / thr : -1;
	json_t *ma = json_object_get(f, "missing_a"), *mb = json_object_get(f, "missing_b");
	double mt = json_number_value(json_object_get(json_object_get(res, "thresholds"), "missing"));
	if (json_is_number(ma) && json_is_number(mb) && mt > 0)
		r = fmax(r, fabs(json_number_value(mb) - json_number_value(ma)) / mt);
	return r;
}

struct ranked_feature {
	json_t *f;
	double r;
};

static int cmp_headline(const void *pa, const void *pb)
{
	double a = ((const struct ranked_feature *)pa)->r, b = ((const struct ranked_feature *)pb)->r;
	return a > b ? -1 : a < b;
}

/* The side-by-side figure of a feature: its mean, or for categories the
 * share of the value with the largest difference. */
static char *side(json_t *f, json_t *st, char *buf, size_t n)
{
	json_t *lv = json_object_get(f, "linf_value");
	if (json_is_string(lv)) {
		json_int_t cnt = json_integer_value(json_object_get(st, "count"));
		json_t *top = json_object_get(st, "top");
		double c = 0;
		for (size_t k = 0; k < json_array_size(top); k++) {
			json_t *x = json_array_get(top, k);
			if (strcmp(json_string_value(json_object_get(x, "value")),
				   json_string_value(lv)) == 0)
				c = (double)json_integer_value(json_object_get(x, "count"));
		}
		if (c == 0 && json_array_size(top) >= STATS_TOP)
			return xstrdup("-"); /* beyond the top values kept in the statistics */
		snprintf(buf, n, "%.1f%%", cnt ? 100 * c / (double)cnt : 0.0);
		return xstrdup(buf);
	}
	json_t *mean = json_object_get(st, "mean");
	const char *type = json_string_value(json_object_get(f, "type"));
	if (type && strcmp(type, "timestamp") == 0 && json_is_number(mean)) {
		/* microseconds since 1970 read as 1.42e15; to the minute is what a
		 * mean time is good for */
		double us = round(json_number_value(mean) / 60e6) * 60e6;
		char t[48];
		ts_format((int64_t)us, t, sizeof t);
		snprintf(buf, n, "%.16s", t);
		return xstrdup(buf);
	}
	return xstrdup(jnum7(mean, buf, n));
}

static void render_compare(struct session *s, const struct cmd_call *call, json_t *r,
			   struct sbuf *out)
{
	json_t *feats = json_object_get(r, "features");
	size_t n = json_array_size(feats);
	json_t *th = json_object_get(r, "thresholds");
	char t1[32], t3[32], t4[32];
	sbuf_printf(out, "A = %s (%lld rows), B = %s (%lld rows); thresholds",
		    json_string_value(json_object_get(r, "a")),
		    (long long)json_integer_value(json_object_get(r, "rows_a")),
		    json_string_value(json_object_get(r, "b")),
		    (long long)json_integer_value(json_object_get(r, "rows_b")));
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].comparator)
			sbuf_printf(out, " %s %s,", dist_table[k].name,
				    jnum7(json_object_get(th, dist_table[k].name), t1, sizeof t1));
	sbuf_printf(out, " missing %s; alpha %s\n", jnum7(json_object_get(th, "missing"), t3, sizeof t3),
		    jnum7(json_object_get(r, "alpha"), t4, sizeof t4));
	struct ranked_feature *order = xcalloc(n + 1, sizeof *order);
	for (size_t i = 0; i < n; i++) {
		order[i].f = json_array_get(feats, i);
		order[i].r = headline(order[i].f, r);
	}
	qsort(order, n, sizeof *order, cmp_headline);
	/* the feature, each distance of dist_table but the optional ones, the rest */
	enum { NC_MAX = 6 + DIST_N };
	const char *head[NC_MAX] = {"feature"};
	bool right[NC_MAX] = {false};
	size_t nc = 1;
	for (size_t k = 0; k < DIST_N; k++)
		if (!dist_table[k].optional) {
			head[nc] = dist_table[k].name;
			right[nc++] = true;
		}
	static const char *const tail[] = {"missing", "p", "A", "B", "largest diff"};
	for (size_t c = 0; c < PM_ARRAY_LEN(tail); c++) {
		head[nc] = tail[c];
		right[nc++] = c + 1 < PM_ARRAY_LEN(tail);
	}
	struct table *t = table_new(nc, head, right);
	table_narrow(t);
	bool marked = false;
	for (size_t i = 0; i < n; i++) {
		json_t *f = order[i].f;
		bool over = order[i].r > 1;
		bool alert = json_is_true(json_object_get(f, "alert"));
		if (!over && !marked && i > 0) {
			/* the thresholds as a rule between the rows above and below them */
			table_str(t, "-- threshold --");
			for (size_t c = 1; c < nc; c++)
				table_str(t, "");
		}
		if (!over)
			marked = true;
		char a[32], e[32], m[32], p[32];
		json_t *lv = json_object_get(f, "linf_value");
		json_t *ma = json_object_get(f, "missing_a"), *mb = json_object_get(f, "missing_b");
		if (json_is_number(ma) && json_is_number(mb)) {
			double dm = json_number_value(mb) - json_number_value(ma);
			snprintf(m, sizeof m, "%s%s", dm > 0 ? "+" : "", num7(dm, e, sizeof e));
		} else {
			snprintf(m, sizeof m, "-");
		}
		char *name = render_cut(json_string_value(json_object_get(f, "name")), 16);
		table_cell(t, "%s%s", name, alert ? " !" : "");
		free(name);
		for (size_t k = 0; k < DIST_N; k++)
			if (!dist_table[k].optional)
				table_str(t, jnum7(json_object_get(f, dist_table[k].name), a, sizeof a));
		table_str(t, m);
		table_str(t, render_p(json_is_number(json_object_get(f, "p"))
					      ? json_number_value(json_object_get(f, "p"))
					      : NAN,
				      p, sizeof p));
		table_take(t, side(f, json_object_get(f, "a"), e, sizeof e));
		table_take(t, side(f, json_object_get(f, "b"), e, sizeof e));
		table_take(t, json_is_string(lv) ? render_cut(json_string_value(lv), 12) : NULL);
	}
	free(order);
	table_render(t, out);
	sbuf_puts(out, "(sorted by distance over threshold: linf for categories, jsd over A's "
		       "deciles for numbers,\n"
		       " or the change of the missing share; ! over a threshold and significant, "
		       "p after Holm;\n"
		       " A/B: the mean, or the share of the value with the largest difference)\n");
	json_t *oa = json_object_get(r, "only_in_a"), *ob = json_object_get(r, "only_in_b");
	for (int k = 0; k < 2; k++) {
		json_t *l = k ? ob : oa;
		if (json_array_size(l) == 0)
			continue;
		sbuf_printf(out, "only in %s:", k ? "B" : "A");
		for (size_t i = 0; i < json_array_size(l); i++)
			sbuf_printf(out, " %s", json_string_value(json_array_get(l, i)));
		sbuf_putc(out, '\n');
	}
}

/* ---- plot hist ---------------------------------------------------------------------------------- */

static int exec_plot_hist(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *name = call->argv[0], *col = call->argv[1];
	const char *vs = call_opt(call, "--vs"), *outp = call_opt(call, "--out");
	long long bins;
	if (call_opt_int(call, "--bins", 10, &bins, err) < 0)
		return -1;
	if (bins < 1 || bins > 200)
		return pm_errcf(err, PM_E_USAGE, "plot hist: --bins must be between 1 and 200");
	struct frame *fr[2];
	if (session_frame(s, name, &fr[0], err) < 0)
		return -1;
	if (vs && session_frame(s, vs, &fr[1], err) < 0)
		return -1;
	struct col_hist h;
	if (col_hist_compute((const struct frame *const *)fr, vs ? 2 : 1, col, (size_t)bins, &h,
			     err) < 0)
		return -1;
	/* two datasets of different sizes compare by shares, one by counts */
	bool share = vs != NULL;
	json_t *jbins = json_array();
	double *vals[2] = {NULL, NULL};
	for (size_t k = 0; k < h.nframes; k++) {
		vals[k] = xcalloc(h.nbins + 1, sizeof *vals[k]);
		for (size_t i = 0; i < h.nbins; i++)
			vals[k][i] = share ? (h.total[k] ? h.counts[k][i] / (double)h.total[k] : 0)
					   : h.counts[k][i];
	}
	for (size_t i = 0; i < h.nbins; i++) {
		json_t *o = json_object();
		if (h.categorical) {
			json_object_set_new(o, "value", json_string(h.labels[i]));
		} else {
			json_object_set_new(o, "low", json_real(h.edges[i]));
			json_object_set_new(o, "high", json_real(h.edges[i + 1]));
		}
		json_object_set_new(o, "count", json_integer((json_int_t)h.counts[0][i]));
		if (vs) {
			json_object_set_new(o, "count_vs", json_integer((json_int_t)h.counts[1][i]));
			json_object_set_new(o, "share", json_real(vals[0][i]));
			json_object_set_new(o, "share_vs", json_real(vals[1][i]));
		}
		json_array_append_new(jbins, o);
	}
	char *title = vs ? xasprintf("%s: %s vs %s", col, name, vs) : xasprintf("%s: %s", col, name);
	struct plot_hist ph = {.title = title,
			       .xlabel = col,
			       .ylabel = share ? "share of values" : "count",
			       .nbins = h.nbins,
			       .edges = h.categorical ? NULL : h.edges,
			       .labels = (const char *const *)h.labels,
			       .nseries = h.nframes,
			       .names = {name, vs},
			       .values = {vals[0], vals[1]}};
	int rc = 0;
	json_t *res = json_object();
	json_object_set_new(res, "dataset", json_string(name));
	json_object_set_new(res, "column", json_string(col));
	if (vs)
		json_object_set_new(res, "vs", json_string(vs));
	json_object_set_new(res, "bins", jbins);
	json_object_set_new(res, "values", json_integer((json_int_t)h.total[0]));
	if (vs)
		json_object_set_new(res, "values_vs", json_integer((json_int_t)h.total[1]));
	if (h.outside[0] || (vs && h.outside[1]))
		json_object_set_new(res, "nan_or_inf",
				    json_integer((json_int_t)(h.outside[0] + (vs ? h.outside[1] : 0))));
	if (outp) {
		rc = plot_hist_file(&ph, outp, err);
		if (rc == 0)
			json_object_set_new(res, "file", json_string(outp));
	} else {
		struct sbuf b = {0};
		plot_hist_text(&ph, &b, 80, plot_unicode());
		json_object_set_new(res, "text", json_string(b.s ? b.s : ""));
		sbuf_free(&b);
	}
	if (rc == 0)
		call->result = res;
	else
		json_decref(res);
	free(title);
	free(vals[0]);
	free(vals[1]);
	col_hist_free(&h);
	return rc;
}

static void render_plot_hist(struct session *s, const struct cmd_call *call, json_t *r,
			     struct sbuf *out)
{
	json_t *file = json_object_get(r, "file");
	if (file)
		sbuf_printf(out, "wrote %s\n", json_string_value(file));
	else
		sbuf_puts(out, json_string_value(json_object_get(r, "text")));
}

/* ---- the table ------------------------------------------------------------------------------------ */

static const struct cmd_opt stats_opts[] = {
	{"--slice", 0, "COL", COMPLETE_COLUMN, NULL,
	 "also the statistics of each value of COL (at most 100 distinct values)"},
	{"--no-cache", 0, NULL, COMPLETE_NONE, NULL,
	 "compute again even when statistics of this content are stored"},
	{0}};

static const struct cmd_opt infer_opts[] = {
	{"--as", 0, "S", COMPLETE_SCHEMA, NULL, "name of the schema (default: the dataset's name)"},
	{"--ranges", 0, NULL, COMPLETE_NONE, NULL,
	 "also record each int and float feature's observed min and max as its range"},
	{0}};

static const struct cmd_opt validate_opts[] = {
	{"--schema", 0, "S", COMPLETE_SCHEMA, NULL, "the schema to check against (required)"},
	{"--env", 0, "ENV", COMPLETE_WORDS, "training|serving",
	 "the environment: features marked not_in_env ENV are not expected"},
	{"--baseline", 0, "NAME", COMPLETE_DATASET, NULL,
	 "dataset to check skew against (usually the training data), with the schema's skew "
	 "thresholds"},
	{"--previous", 0, "NAME", COMPLETE_DATASET, NULL,
	 "the previous span, to check drift against with the schema's drift thresholds"},
	{"--fail-on-anomaly", 0, NULL, COMPLETE_NONE, NULL,
	 "fail (exit status 1 in scripts) when anything is found"},
	{0}};

static const struct cmd_opt compare_opts[] = {
	{"--feature", 0, "F", COMPLETE_COLUMN, NULL, "only this feature"},
	{"--threshold", 0, "X", COMPLETE_NONE, NULL,
	 "threshold of the headline distance, L-infinity for categories and JSD over A's "
	 "deciles for numbers (default 0.05 and 0.02)"},
	{"--linf-threshold", 0, "X", COMPLETE_NONE, NULL,
	 "threshold of L-infinity alone, for categories (over --threshold)"},
	{"--jsd-threshold", 0, "X", COMPLETE_NONE, NULL,
	 "threshold of JSD over A's deciles alone, for numbers (over --threshold)"},
	{"--missing-threshold", 0, "X", COMPLETE_NONE, NULL,
	 "threshold of the change of a feature's missing share (default 0.05)"},
	{"--alpha", 0, "A", COMPLETE_NONE, NULL,
	 "significance level of the tests, after Holm's correction (default 0.005)"},
	{0}};

static const struct cmd_opt plot_opts[] = {
	{"--vs", 0, "NAME2", COMPLETE_DATASET, NULL,
	 "overlay the same column of a second dataset (bars become shares of values)"},
	{"--out", 0, "FILE", COMPLETE_FILE, NULL,
	 "write a figure (.png, .svg or .ps) instead of a terminal histogram"},
	{"--bins", 0, "N", COMPLETE_NONE, NULL,
	 "number of bins for a numeric column, or of values shown for a categorical one "
	 "(default 10)"},
	{0}};

static const struct cmd_opt no_opts[] = {{0}};

/* what each command reads and writes (pipelines take their data edges from these) */
static const struct cmd_io reads_dataset_io[] = {{"1", IO_DATASET, false}, {0}};
static const struct cmd_io infer_io[] = {
	{"1", IO_DATASET, false}, {"--as", IO_SCHEMA, true, .fallback = "1"}, {0}};
static const struct cmd_io schema_save_io[] = {{"1", IO_SCHEMA, false}, {"2", IO_FILE, true}, {0}};
static const struct cmd_io schema_load_io[] = {{"2", IO_FILE, false}, {"1", IO_SCHEMA, true}, {0}};
static const struct cmd_io validate_io[] = {
	{"1", IO_DATASET, false}, {"--schema", IO_SCHEMA, false}, {"--baseline", IO_DATASET, false},
	{"--previous", IO_DATASET, false}, {0}};
static const struct cmd_io compare_io[] = {{"1", IO_DATASET, false}, {"2", IO_DATASET, false}, {0}};
static const struct cmd_io plot_io[] = {
	{"1", IO_DATASET, false}, {"--vs", IO_DATASET, false}, {"--out", IO_FILE, true}, {0}};

const struct cmd_entry cmd_group_validate[] = {
	{.name = "stats", .group = "validation", .args = "NAME", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_DATASET}, .opts = stats_opts,
	 .summary = "feature statistics of a dataset, as TFDV computes them",
	 .help = "For every feature: count of values, missing values and type. Numeric features "
		 "(int, float, bool, timestamp): mean, std (population, ddof 0, as TFDV), zeros, "
		 "min, median (exact), max, NaN and infinity counts, the deciles, a standard "
		 "histogram of 10 equal-width buckets over the finite values and a quantiles "
		 "histogram of 10 buckets of equal count. String features: unique values, average "
		 "length in bytes and the 20 most frequent values. Tables show numeric and "
		 "categorical features apart, with a sparkline of each histogram.\n"
		 "Statistics are stored in the workspace under the dataset's content fingerprint: "
		 "asking again for unchanged data is instant (\"cached\": true).",
	 .io = reads_dataset_io, .exec = exec_stats, .render = render_stats},
	{.name = "schema infer", .group = "validation", .args = "NAME", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_DATASET}, .opts = infer_opts,
	 .summary = "infer a schema from a dataset's statistics and store it",
	 .help = "Each feature gets its type; presence min_fraction 1 when it is never missing; a "
		 "domain of its values when a string feature has at most 100 distinct values; "
		 "with --ranges, the observed min and max of numeric features. Review the result "
		 "and adjust it with `schema set`: an inferred schema describes the data you have, "
		 "not yet the data you want.",
	 .io = infer_io, .exec = exec_schema_infer, .render = render_schema},
	{.name = "schema show", .group = "validation", .args = "S", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_SCHEMA}, .opts = no_opts,
	 .summary = "print a stored schema in its text form",
	 .help = "The text form is what `schema save` writes: one block per feature with the "
		 "lines type, presence min_fraction X, range min X max Y, domain \"a\" \"b\" ..., "
		 "min_domain_mass X, not_in_env ENV, skew linf|jsd X and drift linf|jsd X.",
	 .exec = exec_schema_show, .render = render_schema},
	{.name = "schema set", .group = "validation", .args = "S FEATURE KEY VALUE [VALUE]",
	 .min_args = 4, .max_args = 5,
	 .pos_complete = {COMPLETE_SCHEMA, COMPLETE_COLUMN},
	 .opts = no_opts, .summary = "change one expectation of a schema",
	 .help = "KEY is one of: type T (int, float, bool, string, timestamp; setting the type of "
		 "an unknown feature adds it); min_fraction X (share of rows that must have a "
		 "value); domain+ VALUE and domain- VALUE (add or remove an allowed string); min X "
		 "and max X (the numeric range); min_domain_mass X (share of values that must be "
		 "in the domain, 1 by default); not_in_env ENV and in_env ENV (e.g. the label is "
		 "not in serving data); skew linf|jsd X (threshold against --baseline); drift "
		 "linf|jsd X (threshold against --previous). The value none clears a setting.",
	 .exec = exec_schema_set, .render = render_schema_set},
	{.name = "schema save", .group = "validation", .args = "S FILE", .min_args = 2,
	 .max_args = 2, .pos_complete = {COMPLETE_SCHEMA, COMPLETE_FILE}, .opts = no_opts,
	 .summary = "write a schema to a text file",
	 .help = "The file is readable and diff-friendly, meant to be kept in version control; "
		 "it is written under a temporary name and renamed.",
	 .io = schema_save_io, .exec = exec_schema_save, .render = render_schema_file},
	{.name = "schema load", .group = "validation", .args = "S FILE", .min_args = 2,
	 .max_args = 2, .pos_complete = {COMPLETE_SCHEMA, COMPLETE_FILE}, .opts = no_opts,
	 .summary = "read a schema text file and store it as S",
	 .help = "A malformed file is an error naming FILE:LINE and what is wrong; nothing is "
		 "stored then.",
	 .io = schema_load_io, .exec = exec_schema_load, .render = render_schema_file},
	{.name = "schema list", .group = "validation", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "list the stored schemas",
	 .help = "Name, number of features, where each came from and when it last changed.",
	 .exec = exec_schema_list, .render = render_schema_list},
	{.name = "validate", .group = "validation", .args = "NAME", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_DATASET}, .opts = validate_opts,
	 .summary = "check a dataset against a schema and report anomalies",
	 .help = "Reports each anomaly with its feature, a stable type code and what to do: "
		 "SCHEMA_MISSING_COLUMN, SCHEMA_NEW_COLUMN, ENUM_TYPE_UNEXPECTED_STRING_VALUES, "
		 "DOMAIN_MASS_BELOW_MIN, UNEXPECTED_DATA_TYPE, FEATURE_PRESENCE_BELOW_MIN_FRACTION, "
		 "VALUE_BELOW_MIN, VALUE_ABOVE_MAX, NAN_OR_INF_PRESENT, COMPARATOR_L_INFINITY_HIGH, "
		 "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH and NO_DATA_IN_SPAN.\n"
		 "With --env serving, features marked not_in_env serving (the label) are not "
		 "expected. With --baseline TRAIN, features with a skew threshold are compared "
		 "with the training data (L-infinity for categories, Jensen-Shannon divergence "
		 "over aligned histograms for numbers, as TFDV); with --previous, features with a "
		 "drift threshold with the previous span.",
	 .io = validate_io, .exec = exec_validate, .render = render_validate},
	{.name = "compare", .group = "validation", .args = "A B", .min_args = 2, .max_args = 2,
	 .pos_complete = {COMPLETE_DATASET, COMPLETE_DATASET}, .opts = compare_opts,
	 .summary = "distances between the feature distributions of two datasets",
	 .help = "Per shared feature: the L-infinity distance between normalized value "
		 "frequencies and the value where it is largest (categories, as TFDV); the "
		 "approximate Jensen-Shannon divergence (over value frequencies for categories, "
		 "over the bins between the baseline A's deciles for numbers, which outliers cannot "
		 "stretch); TFDV's approximate JSD as jsd_tfdv (over the standard histograms "
		 "aligned on shared bins for numbers, as TFDV); the population stability index "
		 "(over A's deciles for numbers); the two-sample Kolmogorov-Smirnov statistic for "
		 "numbers; and the change of the missing share. A feature is marked (alert) when "
		 "its headline distance (L-infinity for categories, JSD for numbers) or its "
		 "missing share's change is over its threshold and significant: a chi-square "
		 "test of the value or decile-bin counts, Fisher's exact test of the missing "
		 "shares, with Holm's correction over all the features, at --alpha. The table is "
		 "sorted by how far each feature is over its thresholds, with the thresholds "
		 "drawn as a rule; JSON also holds both datasets' statistics side by side.",
	 .io = compare_io, .exec = exec_compare, .render = render_compare},
	{.name = "plot hist", .group = "validation", .args = "NAME COL", .min_args = 2,
	 .max_args = 2, .pos_complete = {COMPLETE_DATASET, COMPLETE_COLUMN}, .opts = plot_opts,
	 .summary = "histogram of a column, in the terminal or as a PNG/SVG/PS figure",
	 .help = "Numeric columns get equal-width bins, string and bool columns one bar per "
		 "value. With --vs, the same column of a second dataset on the same bins, as "
		 "shares of each dataset's values. Without --out the histogram is drawn in the "
		 "terminal (Unicode blocks; ASCII with LANG=C or NO_COLOR).",
	 .io = plot_io, .exec = exec_plot_hist, .render = render_plot_hist},
	{0}};
