/* Commands of the monitoring group: monitor, monitor ingest, monitor
 * compact, alerts, alerts ack. */
#include "cmd/cmd.h"
#include "data/data.h"
#include "monitor/monitor.h"
#include "plot/plot.h"
#include "registry/registry.h"
#include "workspace/workspace.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "90s", "30m", "1h", "2d" (a bare number is seconds) in microseconds. */
static int parse_duration(const char *opt, const char *s, int64_t *us, struct pm_err *err)
{
	char *end;
	double v = strtod(s, &end);
	double unit = 1;
	if (end == s || v <= 0 || !isfinite(v))
		goto bad;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60, end++;
	else if (*end == 'h')
		unit = 3600, end++;
	else if (*end == 'd')
		unit = 86400, end++;
	if (*end)
		goto bad;
	*us = (int64_t)(v * unit * 1e6);
	if (*us > 0)
		return 0;
bad:
	return pm_errcf(err, PM_E_USAGE, "%s: expected a duration such as 90s, 30m, 1h or 2d, got \"%s\"",
			opt, s);
}

static int opt_time(const struct cmd_call *call, const char *opt, int64_t *us, struct pm_err *err)
{
	const char *v = call_opt(call, opt);
	if (!v)
		return 0;
	if (!ts_parse(v, strlen(v), us))
		return pm_errcf(err, PM_E_USAGE, "%s: expected a time such as 2026-01-31T12:00:00, got \"%s\"",
				opt, v);
	return 0;
}

static int exec_ingest(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct frame *f;
	const char *model = call->argv[0];
	int64_t start = 1767225600000000LL;   /* 2026-01-01T00:00:00Z */
	long long step_ms, version, batch;
	if (!reg_name_valid(model))
		return pm_errcf(err, PM_E_USAGE, "monitor ingest: bad model name \"%s\"", model);
	if (opt_time(call, "--start", &start, err) ||
	    call_opt_int(call, "--step-ms", 1000, &step_ms, err) ||
	    call_opt_int(call, "--version", 0, &version, err) ||
	    call_opt_int(call, "--batch", 1, &batch, err))
		return -1;
	if (step_ms < 0 || batch < 1 || version < 0)
		return pm_errcf(err, PM_E_USAGE,
				"monitor ingest: --step-ms, --batch and --version must be positive");
	if (session_ws(s, &ws, err) || session_frame(s, call_opt(call, "--data"), &f, err))
		return -1;
	if (ws_begin(ws, err))
		return -1;
	int64_t nreq = 0;
	char buf[64];
	for (size_t r0 = 0; r0 < f->nrows; r0 += (size_t)batch) {
		size_t r1 = r0 + (size_t)batch < f->nrows ? r0 + (size_t)batch : f->nrows;
		json_t *rows = json_array();
		for (size_t r = r0; r < r1; r++) {
			json_t *o = json_object();
			for (size_t c = 0; c < f->ncols; c++) {
				const struct column *col = &f->cols[c];
				json_t *v;
				if (!column_present(col, r))
					v = json_null();
				else if (col->type == PM_STRING || col->type == PM_TIMESTAMP)
					v = json_string(column_text(col, r, buf, sizeof buf));
				else if (col->type == PM_BOOL)
					v = json_boolean(col->v.b[r]);
				else if (col->type == PM_INT)
					v = json_integer(col->v.i64[r]);
				else
					v = json_num(col->v.f64[r]);
				json_object_set_new(o, col->name, v);
			}
			json_array_append_new(rows, o);
		}
		char *text = json_dumps(rows, JSON_COMPACT);
		json_decref(rows);
		/* Synthetic latencies that repeat every 100 requests: 1.00 ms to
		 * 10.90 ms in steps of 0.1 ms, visited in the order k*37 mod 100,
		 * so percentiles are known by hand. */
		struct monitor_request q = {
			.time_us = start + nreq * step_ms * 1000,
			.model = model,
			.version = version,
			.status = 200,
			.latency_us = 1000 + (nreq * 37 % 100) * 100,
			.rows = (int64_t)(r1 - r0),
			.features = text,
		};
		int rc = monitor_log_insert(ws, &q, err);
		free(text);
		if (rc) {
			struct pm_err e2 = {0};
			ws_exec(ws, "ROLLBACK", &e2);
			return -1;
		}
		nreq++;
	}
	if (ws_commit(ws, err))
		return -1;
	call->result = json_pack("{s:s,s:s,s:I,s:I}", "model", model, "dataset", f->name,
				 "requests", (json_int_t)nreq, "rows", (json_int_t)f->nrows);
	return 0;
}

static void render_ingest(struct session *s, const struct cmd_call *call, json_t *r,
			  struct sbuf *out)
{
	(void)s, (void)call;
	sbuf_printf(out, "logged %lld requests (%lld rows of %s) for %s\n",
		    (long long)json_integer_value(json_object_get(r, "requests")),
		    (long long)json_integer_value(json_object_get(r, "rows")),
		    json_string_value(json_object_get(r, "dataset")),
		    json_string_value(json_object_get(r, "model")));
}

/* Runs the command of setting `key` once an alert opened; its failure is
 * reported but the monitoring result stands. */
static void run_hook(struct session *s, const char *key)
{
	const char *line = session_get(s, key);
	struct pm_err e = {0};
	if (line && *line && cmd_run_line(s, line, key, &e))
		fprintf(s->errs, "%s: %s\n", key, e.msg);
}

static int draw_panels(json_t *res, const char *path, struct pm_err *err)
{
	json_t *feats = json_object_get(res, "features");
	size_t n = json_array_size(feats);
	if (n == 0)
		return pm_errf(err, "monitor --out: no features to draw");
	const char **labels = xcalloc(n, sizeof *labels);
	double *skew = xcalloc(n, sizeof *skew), *drift = xcalloc(n, sizeof *drift);
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(feats, i);
		labels[i] = json_string_value(json_object_get(f, "name"));
		skew[i] = json_is_number(json_object_get(f, "skew"))
				  ? json_number_value(json_object_get(f, "skew")) : 0;
		drift[i] = json_is_number(json_object_get(f, "drift"))
				   ? json_number_value(json_object_get(f, "drift")) : 0;
	}
	struct plot_hist h = {.title = json_string_value(json_object_get(res, "model")),
			      .xlabel = "feature", .ylabel = "distance", .nbins = n,
			      .labels = labels, .nseries = 2, .names = {"skew", "drift"},
			      .values = {skew, drift}};
	int rc = plot_hist_file(&h, path, err);
	free(labels), free(skew), free(drift);
	return rc;
}

/* The summary of `monitor` and `monitor diagnose`: options, the baseline
 * (the served version's training data unless --baseline), the log. */
static int collect(struct session *s, struct cmd_call *call, struct workspace **wsp,
		   struct monitor_options *op, json_t **resp, struct pm_err *err)
{
	struct workspace *ws;
	const char *model = call->argv[0];
	struct monitor_options o = {.since_us = INT64_MIN, .window_us = 3600000000LL};
	const char *w = call_opt(call, "--window");
	if (w && parse_duration("--window", w, &o.window_us, err))
		return -1;
	if (opt_time(call, "--since", &o.since_us, err))
		return -1;
	double dflt = MONITOR_DEFAULT_THRESHOLD;
	const char *set = session_get(s, "monitor.threshold");
	if (set && (!parse_double(set, strlen(set), &dflt) || dflt <= 0))
		return pm_errcf(err, PM_E_USAGE, "setting monitor.threshold: expected a positive number, got \"%s\"",
				set);
	if (call_opt_double(call, "--threshold", dflt, &o.threshold, err))
		return -1;
	if (session_ws(s, &ws, err))
		return -1;
	const char *base = call_opt(call, "--baseline");
	struct reg_version v = {0};
	bool have_v = false;
	if (!base) {
		struct pm_err e2 = {0};
		if (reg_resolve(ws, model, &v, &e2) == 0) {
			have_v = true;
			base = v.train_dataset;
		} else if (e2.code != PM_E_NOTFOUND) {
			*err = e2;
			return -1;
		}
	}
	struct frame *bf = NULL;
	if (base && session_frame(s, base, &bf, err)) {
		if (have_v)
			reg_version_free(&v);
		return -1;
	}
	o.baseline = bf;
	json_t *res;
	char name[256];
	snprintf(name, sizeof name, "%s", model);
	char *colon = strpbrk(name, ":@");
	if (colon)
		*colon = 0;
	int rc = monitor_summary(ws, name, &o, &res, err);
	if (rc == 0) {
		if (base)
			json_object_set_new(res, "baseline", json_string(base));
		if (have_v)
			json_object_set_new(res, "version", json_integer(v.version));
	}
	if (have_v)
		reg_version_free(&v);
	if (rc)
		return -1;
	json_object_set_new(res, "model", json_string(name));
	*wsp = ws;
	*op = o;
	*resp = res;
	return 0;
}

static int exec_monitor(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct monitor_options o;
	json_t *res;
	if (collect(s, call, &ws, &o, &res, err))
		return -1;
	const char *name = json_string_value(json_object_get(res, "model"));
	/* Alerts: one open alert per model, kind and feature. */
	bool fire_skew = false, fire_drift = false;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(res, "features"), i, f)
	{
		const char *fn = json_string_value(json_object_get(f, "name"));
		static const char *const kinds[] = {"skew", "drift"};
		for (int k = 0; k < 2; k++) {
			json_t *d = json_object_get(f, kinds[k]);
			bool opened;
			if (!json_is_number(d) || json_number_value(d) <= o.threshold)
				continue;
			if (monitor_alert_raise(ws, name, kinds[k], fn, json_number_value(d),
						o.threshold, &opened, err)) {
				json_decref(res);
				return -1;
			}
			if (opened)
				*(k ? &fire_drift : &fire_skew) = true;
		}
	}
	const char *out = call_opt(call, "--out");
	if (out && draw_panels(res, out, err)) {
		json_decref(res);
		return -1;
	}
	call->result = res;
	if (fire_skew)
		run_hook(s, "alert.on_skew");
	if (fire_drift)
		run_hook(s, "alert.on_drift");
	return 0;
}

static void add_cause(json_t *causes, const char *kind, const char *feature, double score,
		      char *text)
{
	json_array_append_new(causes, json_pack("{s:s,s:o,s:f,s:s}", "kind", kind, "feature",
						feature ? json_string(feature) : json_null(),
						"score", score, "text", text));
	free(text);
}

static int by_score(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
	double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));
	return (x < y) - (x > y);
}

static char *fmt_list(json_t *a)
{
	struct sbuf b = {0};
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) sbuf_printf(&b, "%s\"%s\"", i ? ", " : "", json_string_value(x));
	return sbuf_steal(&b);
}

static int exec_diagnose(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct monitor_options o;
	json_t *res;
	if (collect(s, call, &ws, &o, &res, err))
		return -1;
	json_t *causes = json_array();
	size_t i;
	json_t *f;
	char *t;
	json_array_foreach(json_object_get(res, "features"), i, f)
	{
		const char *fn = json_string_value(json_object_get(f, "name"));
		const char *d = json_string_value(json_object_get(f, "distance"));
		const char *dn = strcmp(d, "linf") == 0 ? "L-infinity distance" : "Jensen-Shannon divergence";
		json_t *dr = json_object_get(f, "drift"), *sk = json_object_get(f, "skew");
		if (json_is_number(dr) && json_number_value(dr) >= 0.05) {
			asprintf(&t, "%s drifted: %s %.4f between the last window and the one before (threshold %g)",
				 fn, dn, json_number_value(dr), o.threshold);
			add_cause(causes, "drift", fn, json_number_value(dr), t);
		}
		if (json_is_number(sk) && json_number_value(sk) >= 0.05) {
			asprintf(&t, "%s differs from the training data: %s %.4f (threshold %g)", fn, dn,
				 json_number_value(sk), o.threshold);
			add_cause(causes, "skew", fn, json_number_value(sk), t);
		}
		json_t *nv = json_object_get(f, "new_values"), *vv = json_object_get(f, "vanished_values");
		if (json_array_size(nv)) {
			char *l = fmt_list(nv);
			asprintf(&t, "%s has %zu new value(s) in the last window: %s", fn, json_array_size(nv), l);
			free(l);
			add_cause(causes, "new_values", fn, 1.0, t);
		}
		if (json_array_size(vv)) {
			char *l = fmt_list(vv);
			asprintf(&t, "%s lost %zu value(s) in the last window: %s", fn, json_array_size(vv), l);
			free(l);
			add_cause(causes, "vanished_values", fn, 1.0, t);
		}
		json_t *mw = json_object_get(f, "missing_rate_window"), *mp = json_object_get(f, "missing_rate_previous");
		if (json_is_number(mw) && json_is_number(mp) &&
		    fabs(json_number_value(mw) - json_number_value(mp)) >= 0.05) {
			asprintf(&t, "%s missing rate went from %.1f%% to %.1f%%", fn,
				 100 * json_number_value(mp), 100 * json_number_value(mw));
			add_cause(causes, "missing_rate", fn,
				  fabs(json_number_value(mw) - json_number_value(mp)), t);
		}
	}
	json_t *w = json_object_get(json_object_get(res, "windows"), "window");
	json_t *p = json_object_get(json_object_get(res, "windows"), "previous");
	json_t *lw = json_object_get(w, "p99"), *lp = json_object_get(p, "p99");
	if (json_is_number(lw) && json_is_number(lp) && json_number_value(lp) > 0 &&
	    json_number_value(lw) >= 1.5 * json_number_value(lp)) {
		asprintf(&t, "latency spike: p99 %.2f ms in the last window, %.2f ms before",
			 json_number_value(lw), json_number_value(lp));
		add_cause(causes, "latency", NULL, json_number_value(lw) / json_number_value(lp) - 1, t);
	}
	json_t *vw = json_object_get(w, "versions"), *vp = json_object_get(p, "versions");
	if (json_array_size(vw) && json_array_size(vp) && !json_equal(vw, vp)) {
		char *a = json_dumps(vp, JSON_COMPACT), *b = json_dumps(vw, JSON_COMPACT);
		asprintf(&t, "version change: versions %s served before, %s in the last window", a, b);
		free(a), free(b);
		add_cause(causes, "version", NULL, 1.0, t);
	}
	size_t n = json_array_size(causes);
	json_t **arr = xcalloc(n ? n : 1, sizeof *arr);
	for (i = 0; i < n; i++)
		arr[i] = json_incref(json_array_get(causes, i));
	qsort(arr, n, sizeof *arr, by_score);
	json_t *sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(sorted, arr[i]);
	free(arr);
	json_decref(causes);
	call->result = json_pack("{s:O,s:o}", "model", json_object_get(res, "model"), "causes", sorted);
	json_decref(res);
	return 0;
}

static void render_diagnose(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	(void)s, (void)call;
	json_t *c = json_object_get(r, "causes");
	if (!json_array_size(c)) {
		sbuf_printf(out, "%s: no likely cause found\n", json_string_value(json_object_get(r, "model")));
		return;
	}
	sbuf_printf(out, "likely causes for %s, most likely first:\n", json_string_value(json_object_get(r, "model")));
	size_t i;
	json_t *x;
	json_array_foreach(c, i, x) sbuf_printf(out, "%2zu. %s\n", i + 1, json_string_value(json_object_get(x, "text")));
}

static const char *fmt_num(json_t *v, char *buf, size_t n, const char *fmt)
{
	if (json_is_number(v))
		snprintf(buf, n, fmt, json_number_value(v));
	else
		snprintf(buf, n, "-");
	return buf;
}

static void render_monitor(struct session *s, const struct cmd_call *call, json_t *r,
			   struct sbuf *out)
{
	(void)s, (void)call;
	json_t *lat = json_object_get(r, "latency");
	char a[32], b[32], c[32], d[32];
	sbuf_printf(out, "model %s", json_string_value(json_object_get(r, "model")));
	if (json_object_get(r, "version"))
		sbuf_printf(out, " version %lld",
			    (long long)json_integer_value(json_object_get(r, "version")));
	sbuf_printf(out, ": %lld requests, %lld errors, %lld rows\n",
		    (long long)json_integer_value(json_object_get(r, "requests")),
		    (long long)json_integer_value(json_object_get(r, "errors")),
		    (long long)json_integer_value(json_object_get(r, "rows")));
	if (json_object_get(r, "first"))
		sbuf_printf(out, "from %s to %s\n", json_string_value(json_object_get(r, "first")),
			    json_string_value(json_object_get(r, "last")));
	sbuf_printf(out, "latency ms: p50 %s  p90 %s  p95 %s  p99 %s\n",
		    fmt_num(json_object_get(lat, "p50"), a, sizeof a, "%.2f"),
		    fmt_num(json_object_get(lat, "p90"), b, sizeof b, "%.2f"),
		    fmt_num(json_object_get(lat, "p95"), c, sizeof c, "%.2f"),
		    fmt_num(json_object_get(lat, "p99"), d, sizeof d, "%.2f"));
	json_t *pm = json_object_get(r, "per_minute");
	size_t np = json_array_size(pm);
	if (np > 1) {
		double *v = xmalloc(np * sizeof *v);
		for (size_t i = 0; i < np; i++)
			v[i] = (double)json_integer_value(json_array_get(pm, i));
		sbuf_puts(out, "requests/min: ");
		plot_sparkline(out, v, np, plot_unicode());
		sbuf_putc(out, '\n');
		free(v);
	}
	json_t *feats = json_object_get(r, "features");
	size_t n = json_array_size(feats);
	if (!n)
		return;
	sbuf_putc(out, '\n');
	const char *hdr[] = {"feature", "distance", "skew", "drift", "threshold", "alert"};
	char (*cells)[32] = xcalloc(n * 6, sizeof *cells);
	const char **pc = xcalloc(n * 6, sizeof *pc);
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(feats, i);
		snprintf(cells[i * 6], 32, "%s", json_string_value(json_object_get(f, "name")));
		snprintf(cells[i * 6 + 1], 32, "%s", json_string_value(json_object_get(f, "distance")));
		fmt_num(json_object_get(f, "skew"), cells[i * 6 + 2], 32, "%.4f");
		fmt_num(json_object_get(f, "drift"), cells[i * 6 + 3], 32, "%.4f");
		fmt_num(json_object_get(f, "threshold"), cells[i * 6 + 4], 32, "%g");
		snprintf(cells[i * 6 + 5], 32, "%s",
			 json_is_true(json_object_get(f, "alert")) ? "ALERT" : "");
		for (int k = 0; k < 6; k++)
			pc[i * 6 + k] = cells[i * 6 + k];
	}
	static const bool right[] = {false, false, true, true, true, false};
	render_table(out, 6, hdr, pc, n, right);
	free(cells);
	free(pc);
}

static int exec_compact(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	long long days;
	if (call_opt_int(call, "--keep-days", 30, &days, err))
		return -1;
	if (days < 0)
		return pm_errcf(err, PM_E_USAGE, "monitor compact: --keep-days must be 0 or more");
	char now[64];
	int64_t now_us;
	ts_now_iso(now, sizeof now);
	if (!ts_parse(now, strlen(now), &now_us))
		return pm_errf(err, "monitor compact: cannot read the clock");
	if (session_ws(s, &ws, err))
		return -1;
	int64_t rolled;
	if (monitor_compact(ws, now_us - (int64_t)days * 86400000000LL, &rolled, err))
		return -1;
	sqlite3_stmt *st;
	json_int_t nroll = 0, nreq = 0;
	if (ws_prepare(ws, "SELECT (SELECT COUNT(*) FROM rollups), (SELECT COUNT(*) FROM requests)",
		       &st, err))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		nroll = sqlite3_column_int64(st, 0), nreq = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	call->result = json_pack("{s:I,s:I,s:I,s:I}", "keep_days", (json_int_t)days, "compacted",
				 (json_int_t)rolled, "requests_left", nreq, "rollups", nroll);
	return 0;
}

static int exec_alerts(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	json_t *a;
	if (session_ws(s, &ws, err) || monitor_alert_list(ws, call_flag(call, "--all"), &a, err))
		return -1;
	call->result = json_pack("{s:o}", "alerts", a);
	return 0;
}

static void render_alerts(struct session *s, const struct cmd_call *call, json_t *r,
			  struct sbuf *out)
{
	json_t *a = json_object_get(r, "alerts");
	if (json_array_size(a) == 0) {
		sbuf_puts(out, "no open alerts\n");
		return;
	}
	(void)s, (void)call;
	render_generic(a, out);
}

static int exec_ack(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t id;
	const char *a = call->argv[0];
	if (!parse_int64(a, strlen(a), &id) || id < 1)
		return pm_errcf(err, PM_E_USAGE, "alerts ack: expected an alert id, got \"%s\"", a);
	if (session_ws(s, &ws, err) || monitor_alert_ack(ws, id, err))
		return -1;
	call->result = json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", "acked");
	return 0;
}

static const struct cmd_opt monitor_opts[] = {
	{"--window", 0, "DUR", COMPLETE_NONE, NULL,
	 "drift window: the last DUR of the log against the DUR before it (90s, 30m, 1h, 2d; default 1h)"},
	{"--since", 0, "TIME", COMPLETE_NONE, NULL, "only requests logged at or after TIME"},
	{"--baseline", 0, "NAME", COMPLETE_DATASET, NULL,
	 "training data for skew (default: the served version's training dataset)"},
	{"--threshold", 0, "X", COMPLETE_NONE, NULL,
	 "alert threshold of the distances (default: setting monitor.threshold, else 0.3)"},
	{"--out", 0, "FILE", COMPLETE_FILE, NULL, "also draw skew and drift per feature into FILE (.png, .svg, .ps)"},
	{0}};

static const struct cmd_opt ingest_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "dataset whose rows become logged requests (required)"},
	{"--start", 0, "TIME", COMPLETE_NONE, NULL, "time of the first request (default 2026-01-01T00:00:00)"},
	{"--step-ms", 0, "N", COMPLETE_NONE, NULL, "milliseconds between requests (default 1000)"},
	{"--batch", 0, "N", COMPLETE_NONE, NULL, "rows per request (default 1)"},
	{"--version", 0, "V", COMPLETE_NONE, NULL, "model version recorded with the requests"},
	{0}};

static const struct cmd_opt compact_opts[] = {
	{"--keep-days", 0, "N", COMPLETE_NONE, NULL, "keep raw requests of the last N days (default 30)"},
	{0}};

static const struct cmd_opt alerts_opts[] = {
	{"--all", 0, NULL, COMPLETE_NONE, NULL, "also list acknowledged alerts"},
	{0}};

static int exec_ingest_check(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	if (!call_opt(call, "--data"))
		return pm_errcf(err, PM_E_USAGE, "monitor ingest: --data NAME is required");
	return exec_ingest(s, call, err);
}

const struct cmd_entry cmd_group_monitor[] = {
	{.name = "monitor", .group = "monitoring", .args = "MODEL", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = monitor_opts,
	 .summary = "service metrics, skew and drift of a served model from the request log",
	 .help = "Reads the request log of MODEL and shows requests, errors by status, batch "
		 "sizes, latency percentiles (nearest rank: the smallest logged latency with at "
		 "least p% of the requests at or below it) and, for every input feature, the "
		 "training-serving skew (logged values against the training data) and the drift "
		 "(the last window against the one before).  Categorical features are compared "
		 "with the L-infinity distance of their value shares, numeric ones with the "
		 "Jensen-Shannon divergence of their histograms.\n\n"
		 "A distance above the threshold opens an alert (see `alerts`) and runs the "
		 "command of the setting alert.on_skew or alert.on_drift, if set: "
		 "`set alert.on_drift \"train ...\"` retrains on drift.",
	 .exec = exec_monitor, .render = render_monitor},
	{.name = "monitor diagnose", .group = "monitoring", .args = "MODEL", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = monitor_opts,
	 .summary = "rank the likely causes of a change in a served model's traffic",
	 .help = "Compares the last window of the request log with the one before and with "
		 "the training data and lists, most likely first and with the numbers behind "
		 "each: features that drifted or differ from training (distance 0.05 or more), "
		 "categorical values that appeared or vanished, missing-value rates that moved "
		 "by 5 points or more, a p99 latency at least 1.5 times the previous window's, "
		 "and a change of the served version.",
	 .exec = exec_diagnose, .render = render_diagnose},
	{.name = "monitor ingest", .group = "monitoring", .args = "MODEL", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = ingest_opts,
	 .summary = "log a dataset's rows as requests to MODEL (for labs and tests)",
	 .help = "Writes the rows of a dataset into the request log as if MODEL had served "
		 "them: --batch rows per request, one request every --step-ms milliseconds from "
		 "--start, status 200, synthetic latencies from 1.0 to 10.9 ms that repeat every "
		 "100 requests.",
	 .exec = exec_ingest_check, .render = render_ingest},
	{.name = "monitor compact", .group = "monitoring", .args = "", .min_args = 0,
	 .max_args = 0, .opts = compact_opts,
	 .summary = "roll old requests up into per-minute rollups and delete them",
	 .help = "Retention: raw requests older than --keep-days days are added to per-minute "
		 "rollups (requests, errors, rows, latency sum and maximum per model and version) "
		 "and deleted.  Rollups are kept.",
	 .exec = exec_compact},
	{.name = "alerts", .group = "monitoring", .args = "", .min_args = 0, .max_args = 0,
	 .opts = alerts_opts, .summary = "open monitoring alerts",
	 .help = "Lists the open alerts (skew, drift) with their time, model, feature, value "
		 "and threshold.  `alerts ack ID` closes one.",
	 .exec = exec_alerts, .render = render_alerts},
	{.name = "alerts ack", .group = "monitoring", .args = "ID", .min_args = 1, .max_args = 1,
	 .summary = "acknowledge (close) an alert",
	 .help = "Closes the open alert ID; a later distance over the threshold opens a new one.",
	 .exec = exec_ack},
	{0}};
