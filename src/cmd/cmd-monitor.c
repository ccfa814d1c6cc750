/* Commands of the monitoring group: monitor, monitor diagnose, monitor
 * ingest, monitor feedback, monitor compact, alerts, alerts ack. */
#include "cmd/cmd.h"
#include "data/data.h"
#include "model/model.h"
#include "monitor/monitor.h"
#include "plot/plot.h"
#include "registry/registry.h"
#include "serve/serve.h"
#include "validate/validate.h"
#include "workspace/workspace.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "90s", "30m", "1h", "2d" (a bare number is seconds) in microseconds. */
static int parse_duration(const char *opt, const char *s, int64_t *us, struct pm_err *err)
{
	if (duration_parse(s, us))
		return 0;
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

/* The workspace, with the requests that servers killed before their
 * spool was moved left (spool_recover) in the table. */
static int log_ws(struct session *s, struct workspace **ws, struct pm_err *err)
{
	struct spool_counts r;
	if (session_ws(s, ws, err))
		return -1;
	return spool_recover(*ws, &r, err);
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
	/* A registered version scores the rows, so that the log carries its
	 * predictions as the server's would. */
	struct model *m = NULL;
	double *pred = NULL;
	if (version > 0) {
		struct reg_version v = {0};
		struct pm_err e2 = {0};
		if (reg_version_get(ws, model, version, &v, &e2) == 0) {
			int rc = reg_load_model(ws, &v, &m, err);
			reg_version_free(&v);
			if (rc)
				return -1;
		} else if (e2.code != PM_E_NOTFOUND) {
			*err = e2;
			return -1;
		}
	}
	if (m) {
		pred = xmalloc((f->nrows ? f->nrows : 1) * (size_t)m->nout * sizeof *pred);
		if (model_predict_frame(m, f, NULL, f->nrows, session_threads(s), pred, err)) {
			free(pred);
			model_free(m);
			return pm_err_prefix(err, "monitor ingest: scoring %s with %s:%lld", f->name,
					     model, version);
		}
	}
	if (ws_begin(ws, err)) {
		free(pred);
		model_free(m);
		return -1;
	}
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
		char *ptext = NULL;
		if (m) {
			json_t *pa = json_array();
			for (size_t r = r0; r < r1; r++) {
				const double *o = pred + r * (size_t)m->nout;
				if (m->task != TASK_MULTICLASS) {
					json_array_append_new(pa, json_num(o[0]));
					continue;
				}
				json_t *pr = json_array();
				for (int k = 0; k < m->nout; k++)
					json_array_append_new(pr, json_num(o[k]));
				json_array_append_new(pa, pr);
			}
			ptext = json_dumps(pa, JSON_COMPACT);
			json_decref(pa);
		}
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
			.prediction = ptext,
		};
		int rc = monitor_log_insert(ws, &q, err);
		free(text);
		free(ptext);
		if (rc) {
			ws_rollback(ws);
			free(pred);
			model_free(m);
			return -1;
		}
		nreq++;
	}
	free(pred);
	bool scored = m != NULL;
	model_free(m);
	if (ws_commit(ws, err))
		return -1;
	call->result = json_pack("{s:s,s:s,s:I,s:I,s:b}", "model", model, "dataset", f->name,
				 "requests", (json_int_t)nreq, "rows", (json_int_t)f->nrows,
				 "scored", scored);
	return 0;
}

static void render_ingest(struct session *s, const struct cmd_call *call, json_t *r,
			  struct sbuf *out)
{
	(void)s, (void)call;
	long long nreq = (long long)json_integer_value(json_object_get(r, "requests"));
	sbuf_printf(out, "logged %lld request%s (%lld rows of %s) for %s\n", nreq, nreq == 1 ? "" : "s",
		    (long long)json_integer_value(json_object_get(r, "rows")),
		    json_string_value(json_object_get(r, "dataset")),
		    json_string_value(json_object_get(r, "model")));
	if (json_is_true(json_object_get(r, "scored")))
		sbuf_puts(out, "with the predictions of that version\n");
}

/* Runs the command of setting `key` once an alert opened; its failure is
 * reported but the monitoring result stands. */
static void run_hook(struct session *s, const char *key)
{
	const char *line = session_get(s, key);
	struct pm_err e = {0};
	if (!line || !*line)
		return;
	/* what the hook prints would pass for the output of the command that
	 * raised the alert */
	cmd_echo(s, key, line);
	if (cmd_run_line(s, line, key, &e))
		fprintf(s->errs, "%s: %s\n", key, e.msg);
}

/* Raises the alerts a summary calls for and answers them: the pipeline
 * triggers on these alerts (`pipeline trigger P --on-alert KIND MODEL`)
 * start their runs as background jobs (a monitor in the workbench must
 * not wait for a pipeline), which go into res as "triggered", and the hook of
 * each kind (alert.on_skew, alert.on_drift, alert.on_error_rate,
 * alert.on_latency, alert.on_quality: a one-command trigger of this
 * session) runs once when alerts of that kind opened.  The opened alerts
 * go into res as "opened". */
static int raise_and_hook(struct session *s, struct workspace *ws, const char *model, json_t *due,
			  json_t *res, struct pm_err *err)
{
	json_t *opened;
	if (monitor_alerts_raise(ws, model, due, &opened, err))
		return -1;
	static const char *const kinds[] = {"skew", "drift", "missing", "error_rate", "latency",
					    "quality"};
	bool fire[PM_ARRAY_LEN(kinds)] = {0};
	size_t i;
	json_t *a;
	json_array_foreach(opened, i, a)
	{
		const char *k = json_string_value(json_object_get(a, "kind"));
		for (size_t j = 0; j < PM_ARRAY_LEN(kinds); j++)
			fire[j] |= k && strcmp(k, kinds[j]) == 0;
	}
	json_object_set_new(res, "opened", opened);
	for (size_t j = 0; j < PM_ARRAY_LEN(kinds); j++) {
		if (!fire[j])
			continue;
		char key[64];
		snprintf(key, sizeof key, "alert.on_%s", kinds[j]);
		run_hook(s, key);
	}
	if (json_array_size(opened)) {
		json_t *runs = pipeline_answer_alerts(s, ws);
		if (json_array_size(runs))
			json_object_set(res, "triggered", runs);
		json_decref(runs);
	}
	return 0;
}

/* ---- the figure ----------------------------------------------------------------------- */

static double num_at(json_t *o, const char *k1, const char *k2)
{
	json_t *x = json_object_get(o, k1);
	if (k2)
		x = json_object_get(x, k2);
	return json_is_number(x) ? json_number_value(x) : NAN;
}

/* The figure's panels: skew and drift per feature, requests and errors,
 * latency p50 and p99 per window, the predictions (histogram or class
 * shares) and live quality per window when there is feedback. */
static int draw_panels(json_t *res, const char *path, struct pm_err *err)
{
	struct plot_hist p[5];
	size_t np = 0;
	const char *model = json_string_value(json_object_get(res, "model"));
	json_t *feats = json_object_get(res, "features");
	size_t nf = json_array_size(feats);
	json_t *series = json_object_get(res, "series");
	size_t nw = json_array_size(series);
	const char **flabels = xcalloc(nf ? nf : 1, sizeof *flabels);
	double *skew = xcalloc(nf ? nf : 1, sizeof *skew), *drift = xcalloc(nf ? nf : 1, sizeof *drift);
	const char **wlabels = xcalloc(nw ? nw : 1, sizeof *wlabels);
	double *reqs = xcalloc(nw ? nw : 1, sizeof *reqs), *errs = xcalloc(nw ? nw : 1, sizeof *errs);
	double *p50 = xcalloc(nw ? nw : 1, sizeof *p50), *p99 = xcalloc(nw ? nw : 1, sizeof *p99);
	double *qual = xcalloc(nw ? nw : 1, sizeof *qual);
	double *pedges = NULL, *pcounts = NULL;
	const char **plabels = NULL;
	char title[5][160];
	for (size_t i = 0; i < nf; i++) {
		json_t *f = json_array_get(feats, i);
		flabels[i] = json_string_value(json_object_get(f, "name"));
		skew[i] = num_at(f, "skew", NULL);
		drift[i] = num_at(f, "drift", NULL);
		skew[i] = isfinite(skew[i]) ? skew[i] : 0;
		drift[i] = isfinite(drift[i]) ? drift[i] : 0;
	}
	if (nf) {
		snprintf(title[np], sizeof title[np], "%s: skew and drift", model);
		p[np] = (struct plot_hist){.title = title[np], .xlabel = "feature", .ylabel = "distance",
					     .nbins = nf, .labels = flabels, .nseries = 2,
					     .names = {"skew", "drift"}, .values = {skew, drift}};
		np++;
	}
	bool have_q = false;
	for (size_t i = 0; i < nw; i++) {
		json_t *w = json_array_get(series, i);
		wlabels[i] = json_string_value(json_object_get(w, "start"));
		reqs[i] = num_at(w, "requests", NULL);
		errs[i] = num_at(w, "errors", NULL);
		p50[i] = num_at(w, "latency", "p50");
		p99[i] = num_at(w, "latency", "p99");
		p50[i] = isfinite(p50[i]) ? p50[i] : 0;
		p99[i] = isfinite(p99[i]) ? p99[i] : 0;
		const char *metric = json_string_value(json_object_get(json_object_get(res, "quality"), "metric"));
		double q = metric ? num_at(json_object_get(w, "quality"), "metrics", metric) : NAN;
		have_q |= isfinite(q);
		qual[i] = isfinite(q) ? q : 0;
	}
	if (nw) {
		snprintf(title[np], sizeof title[np], "%s: requests per window", model);
		p[np] = (struct plot_hist){.title = title[np], .xlabel = "window", .ylabel = "requests",
					     .nbins = nw, .labels = wlabels, .nseries = 2,
					     .names = {"requests", "errors"}, .values = {reqs, errs},
					     .lines = true};
		np++;
		snprintf(title[np], sizeof title[np], "%s: latency", model);
		p[np] = (struct plot_hist){.title = title[np], .xlabel = "window", .ylabel = "ms",
					     .nbins = nw, .labels = wlabels, .nseries = 2,
					     .names = {"p50", "p99"}, .values = {p50, p99}, .lines = true};
		np++;
	}
	json_t *pr = json_object_get(res, "predictions");
	if (pr) {
		bool hist = json_is_array(json_object_get(pr, "edges"));
		json_t *counts = json_object_get(pr, "counts");
		size_t nb = json_array_size(counts);
		pcounts = xcalloc(nb ? nb : 1, sizeof *pcounts);
		for (size_t i = 0; i < nb; i++)
			pcounts[i] = (double)json_integer_value(json_array_get(counts, i));
		if (hist) {
			pedges = xcalloc(nb + 1, sizeof *pedges);
			for (size_t i = 0; i <= nb; i++)
				pedges[i] = json_number_value(json_array_get(json_object_get(pr, "edges"), i));
		} else {
			plabels = xcalloc(nb ? nb : 1, sizeof *plabels);
			for (size_t i = 0; i < nb; i++)
				plabels[i] = json_string_value(json_array_get(json_object_get(pr, "classes"), i));
		}
		if (nb) {
			snprintf(title[np], sizeof title[np], "%s: predictions", model);
			p[np] = (struct plot_hist){.title = title[np], .xlabel = hist ? "prediction" : "class",
						     .ylabel = "rows", .nbins = nb, .edges = pedges,
						     .labels = plabels, .nseries = 1, .names = {"rows"},
						     .values = {pcounts}};
			np++;
		}
	}
	if (have_q) {
		const char *metric = json_string_value(json_object_get(json_object_get(res, "quality"), "metric"));
		snprintf(title[np], sizeof title[np], "%s: live %s", model, metric);
		p[np] = (struct plot_hist){.title = title[np], .xlabel = "window", .ylabel = metric,
					     .nbins = nw, .labels = wlabels, .nseries = 1,
					     .names = {metric}, .values = {qual}, .lines = true};
		np++;
	}
	int rc = np ? plot_panels_file(p, np, path, err)
		    : pm_errf(err, "monitor --out: the log of %s is empty: nothing to draw", model);
	free(flabels), free(skew), free(drift), free(wlabels), free(reqs), free(errs);
	free(p50), free(p99), free(qual), free(pedges), free(pcounts), free(plabels);
	return rc;
}

/* ---- options ------------------------------------------------------------------------ */

/* A number from a setting (dflt when unset); min_ok: the smallest value allowed. */
static int setting_num(struct session *s, const char *key, double min_ok, bool strict, double *v,
		       struct pm_err *err)
{
	const char *t = session_get(s, key);
	double d;
	if (!t || !*t)
		return 0;
	if (!parse_double(t, strlen(t), &d) || !isfinite(d) || d < min_ok || (strict && d == min_ok))
		return pm_errcf(err, PM_E_USAGE, "setting %s: expected a %s number, got \"%s\"", key,
				strict ? "positive" : "non-negative", t);
	*v = d;
	return 0;
}

/* The model name of a reference "M", "M:V" or "M@ALIAS". */
static void model_name(const char *ref, char *name, size_t n)
{
	snprintf(name, n, "%s", ref);
	char *c = strpbrk(name, ":@");
	if (c)
		*c = 0;
}

/* What `monitor`, `monitor diagnose` and `monitor feedback` share: the
 * settings, the served version (its model, its training data as the
 * baseline unless --baseline) and the schema of per-feature thresholds. */
struct ctx {
	struct workspace *ws;
	struct monitor_options o;
	struct reg_version v;
	bool have_v;
	struct model *m;
	struct schema *schema;
	struct baseline base;        /* the version's kept baseline, when used */
	char *baseline_note;         /* why skew reads the dataset as it is now, or NULL */
	char name[256];
};

static void ctx_free(struct ctx *c)
{
	baseline_free(&c->base);
	free(c->baseline_note);
	if (c->have_v)
		reg_version_free(&c->v);
	model_free(c->m);
	if (c->schema)
		schema_free(c->schema);
}

static int ctx_open(struct session *s, struct cmd_call *call, bool features, struct ctx *c,
		    struct pm_err *err)
{
	memset(c, 0, sizeof *c);
	struct monitor_options *o = &c->o;
	monitor_options_init(o);
	const char *ref = call->argv[0];
	model_name(ref, c->name, sizeof c->name);
	const char *w = call_opt(call, "--window");
	if (w && parse_duration("--window", w, &o->window_us, err))
		return -1;
	if (opt_time(call, "--since", &o->since_us, err))
		return -1;
	double minreq = (double)o->min_requests, minrows = (double)o->quality_min_rows, both = -1;
	if (setting_num(s, "monitor.threshold", 0, true, &both, err))
		return -1;
	for (size_t k = 0; k < DIST_N; k++) {
		if (!dist_table[k].comparator)
			continue;
		char key[64];
		snprintf(key, sizeof key, "monitor.%s_threshold", dist_table[k].name);
		if (both > 0)   /* one threshold for all distances, as before they had their own */
			o->threshold[k] = both;
		if (setting_num(s, key, 0, true, &o->threshold[k], err))
			return -1;
	}
	if (setting_num(s, "monitor.missing_threshold", 0, true, &o->missing_threshold, err) ||
	    setting_num(s, "monitor.alpha", 0, true, &o->alpha, err) ||
	    setting_num(s, "monitor.error_rate", 0, false, &o->error_rate, err) ||
	    setting_num(s, "monitor.latency_p99_ms", 0, false, &o->latency_p99_ms, err) ||
	    setting_num(s, "monitor.min_requests", 0, false, &minreq, err) ||
	    setting_num(s, "monitor.quality_drop", 0, false, &o->quality_drop, err) ||
	    setting_num(s, "monitor.quality_min_rows", 0, false, &minrows, err))
		return -1;
	o->min_requests = (int64_t)minreq;
	o->quality_min_rows = (int64_t)minrows;
	if (call_opt(call, "--threshold")) {
		if (call_opt_double(call, "--threshold", 0, &both, err))
			return -1;
		if (!(both > 0))
			return pm_errcf(err, PM_E_USAGE,
					"--threshold: expected a positive number, got \"%s\"",
					call_opt(call, "--threshold"));
		for (size_t k = 0; k < DIST_N; k++)
			if (dist_table[k].comparator)
				o->threshold[k] = both;
	}
	if (call_opt_double(call, "--missing-threshold", o->missing_threshold,
			    &o->missing_threshold, err) ||
	    call_opt_double(call, "--alpha", o->alpha, &o->alpha, err))
		return -1;
	if (!(o->missing_threshold > 0))
		return pm_errcf(err, PM_E_USAGE,
				"--missing-threshold: expected a positive number, got \"%s\"",
				call_opt(call, "--missing-threshold"));
	if (!(o->alpha > 0 && o->alpha <= 1))
		return pm_errcf(err, PM_E_USAGE,
				"--alpha: expected a number above 0 and at most 1, got \"%s\"",
				call_opt(call, "--alpha"));
	if (log_ws(s, &c->ws, err))
		return -1;
	/* A bare model name is the version that served its latest request. */
	char vref[300];
	int64_t served = 0;
	if (!strpbrk(ref, ":@")) {
		if (monitor_served_version(c->ws, ref, &served, err))
			return -1;
		if (served > 0) {
			snprintf(vref, sizeof vref, "%s:%lld", ref, (long long)served);
			ref = vref;
		}
	}
	struct pm_err e2 = {0};
	int rr = reg_resolve(c->ws, ref, &c->v, &e2);
	if (rr && served > 0 && e2.code == PM_E_NOTFOUND) {
		ref = call->argv[0];   /* that version is gone from the registry */
		e2 = (struct pm_err){0};
		rr = reg_resolve(c->ws, ref, &c->v, &e2);
	}
	if (rr == 0) {
		c->have_v = true;
		o->version = c->v.version;
		if (reg_load_model(c->ws, &c->v, &c->m, err))
			goto fail;
		o->model = c->m;
	} else if (e2.code != PM_E_NOTFOUND || strpbrk(ref, ":@")) {
		*err = e2;   /* a version or alias that does not exist is an error */
		goto fail;
	}
	if (features) {
		o->all_columns = call_flag(call, "--all-columns");
		const char *base = call_opt(call, "--baseline");
		if (!base && c->have_v && c->v.baseline && !o->all_columns) {
			if (baseline_from_json(c->v.baseline, &c->base, err)) {
				pm_err_prefix(err, "model %s:%lld", c->v.model, (long long)c->v.version);
				goto fail;
			}
			o->stored = &c->base;
		} else if (!base && c->have_v) {
			base = c->v.train_dataset;
			c->baseline_note =
				c->v.baseline
					? xasprintf("--all-columns: skew against dataset '%s' as it is now (version "
						    "%lld keeps the training statistics of its inputs only)",
						    base ? base : "", (long long)c->v.version)
					: xasprintf("skew against dataset '%s' as it is now: version %lld was "
						    "registered without its training statistics",
						    base ? base : "", (long long)c->v.version);
		}
		struct frame *bf = NULL;
		if (base && session_frame(s, base, &bf, err))
			goto fail;
		o->baseline = bf;
		const char *sn = call_opt(call, "--schema");
		if (!sn)
			sn = session_get(s, "monitor.schema");
		if (sn && *sn) {
			struct workspace *ws;
			if (session_ws(s, &ws, err) < 0 || schema_fetch(ws, sn, &c->schema, err) < 0)
				goto fail;
			o->schema = c->schema;
			o->schema_name = c->schema->name;
		}
	}
	return 0;
fail:
	ctx_free(c);
	memset(c, 0, sizeof *c);
	return -1;
}

/* The summary of `monitor` and `monitor diagnose`. */
static int collect(struct session *s, struct cmd_call *call, struct ctx *c, json_t **resp,
		   struct pm_err *err)
{
	if (ctx_open(s, call, true, c, err))
		return -1;
	json_t *res;
	if (monitor_summary(c->ws, c->name, &c->o, &res, err)) {
		ctx_free(c);
		return -1;
	}
	if (c->o.stored) {
		json_object_set_new(res, "baseline", json_string(c->v.train_dataset ? c->v.train_dataset : ""));
		json_object_set_new(res, "baseline_source", json_string("version"));
	} else if (c->o.baseline) {
		json_object_set_new(res, "baseline", json_string(c->o.baseline->name));
		json_object_set_new(res, "baseline_source", json_string("dataset"));
	}
	if (c->baseline_note && c->o.baseline)
		json_object_set_new(res, "baseline_note", json_string(c->baseline_note));
	if (c->have_v)
		json_object_set_new(res, "version", json_integer(c->v.version));
	if (c->schema)
		json_object_set_new(res, "schema", json_string(c->schema->name));
	*resp = res;
	return 0;
}

static int exec_monitor(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct ctx c;
	json_t *res;
	if (collect(s, call, &c, &res, err))
		return -1;
	const char *out = call_opt(call, "--out");
	int rc = out ? draw_panels(res, out, err) : 0;
	if (rc == 0)
		rc = raise_and_hook(s, c.ws, c.name, json_object_get(res, "due"), res, err);
	ctx_free(&c);
	if (rc) {
		json_decref(res);
		return -1;
	}
	call->result = res;
	return 0;
}

static int exec_diagnose(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct ctx ctx;
	json_t *res;
	if (collect(s, call, &ctx, &res, err))
		return -1;
	ctx_free(&ctx);
	json_t *sorted = monitor_diagnose(res);
	call->result = json_pack("{s:O,s:o}", "model", json_object_get(res, "model"), "causes", sorted);
	if (json_object_get(res, "baseline_note"))
		json_object_set(call->result, "baseline_note", json_object_get(res, "baseline_note"));
	json_decref(res);
	return 0;
}

static void render_diagnose(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	(void)s, (void)call;
	json_t *c = json_object_get(r, "causes");
	if (json_object_get(r, "baseline_note"))
		sbuf_printf(out, "note: %s\n", json_string_value(json_object_get(r, "baseline_note")));
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

static void spark_line(struct sbuf *out, const char *label, const double *v, size_t n)
{
	sbuf_puts(out, label);
	plot_sparkline(out, v, n, plot_unicode());
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
	char a[32], b[32];
	if (lo <= hi)
		sbuf_printf(out, "  %s..%s", render_num(lo, a, sizeof a), render_num(hi, b, sizeof b));
	sbuf_putc(out, '\n');
}

/* "a 40.0% b 60.0%" or "mean 1.23" */
static void pred_brief(json_t *p, char *buf, size_t n)
{
	buf[0] = 0;
	if (!p)
		return;
	if (json_object_get(p, "edges")) {
		fmt_num(json_object_get(p, "mean"), buf, n, "mean %.4g");
		return;
	}
	size_t off = 0, i;
	json_t *x;
	json_array_foreach(json_object_get(p, "classes"), i, x)
	{
		/* a share is null when the window predicted nothing: shown as -, not 0% */
		char sh[32];
		json_t *v = json_array_get(json_object_get(p, "shares"), i);
		if (json_is_number(v))
			snprintf(sh, sizeof sh, "%.1f%%", 100 * json_number_value(v));
		else
			snprintf(sh, sizeof sh, "-");
		if (off < n)
			off += (size_t)snprintf(buf + off, n - off, "%s%s %s", i ? " " : "",
						json_string_value(x), sh);
	}
}

static void render_predictions(json_t *p, struct sbuf *out)
{
	if (!p)
		return;
	char buf[256];
	if (json_object_get(p, "edges")) {
		json_t *e = json_object_get(p, "edges"), *c = json_object_get(p, "counts");
		size_t nb = json_array_size(c);
		double *v = xcalloc(nb ? nb : 1, sizeof *v);
		for (size_t i = 0; i < nb; i++)
			v[i] = (double)json_integer_value(json_array_get(c, i));
		char a[32], b[32], m[32];
		sbuf_printf(out, "predictions: %lld rows, mean %s, histogram %s..%s: ",
			    (long long)json_integer_value(json_object_get(p, "rows")),
			    render_num(num_at(p, "mean", NULL), m, sizeof m),
			    render_num(json_number_value(json_array_get(e, 0)), a, sizeof a),
			    render_num(json_number_value(json_array_get(e, nb)), b, sizeof b));
		plot_sparkline(out, v, nb, plot_unicode());
		sbuf_putc(out, '\n');
		free(v);
		return;
	}
	pred_brief(p, buf, sizeof buf);
	sbuf_printf(out, "predicted classes (%lld rows): %s\n",
		    (long long)json_integer_value(json_object_get(p, "rows")), buf);
}

static void render_quality(json_t *q, struct sbuf *out)
{
	if (!q)
		return;
	const char *metric = json_string_value(json_object_get(q, "metric"));
	char a[32];
	sbuf_printf(out, "live quality: %s %s on %lld labelled rows", metric ? metric : "-",
		    render_num(metric ? num_at(q, "metrics", metric) : NAN, a, sizeof a),
		    (long long)json_integer_value(json_object_get(q, "rows")));
	json_t *ws = json_object_get(q, "windows");
	json_t *last = json_array_get(ws, json_array_size(ws) ? json_array_size(ws) - 1 : 0);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(last, "versions"), i, v)
	{
		char l[32], e[32], lim[32];
		if (!json_object_get(v, "eval"))
			continue;
		sbuf_printf(out, "; last window version %lld: %s (evaluated %s, limit %s)%s",
			    (long long)json_integer_value(json_object_get(v, "version")),
			    render_num(num_at(v, "live", NULL), l, sizeof l),
			    render_num(num_at(v, "eval", NULL), e, sizeof e),
			    render_num(num_at(v, "limit", NULL), lim, sizeof lim),
			    json_is_true(json_object_get(v, "drop")) ? " DROP" : "");
	}
	sbuf_putc(out, '\n');
}

#define SERIES_TABLE_MAX 12

/* The windows: sparklines over all of them, a table of the last ones. */
static void render_series(json_t *r, struct sbuf *out)
{
	json_t *series = json_object_get(r, "series");
	size_t n = json_array_size(series);
	if (!n)
		return;
	const char *metric = json_string_value(json_object_get(json_object_get(r, "quality"), "metric"));
	double secs = num_at(r, "window_seconds", NULL);
	char wl[32];
	if (secs >= 86400 && fmod(secs, 86400) == 0)
		snprintf(wl, sizeof wl, "%gd", secs / 86400);
	else if (secs >= 3600 && fmod(secs, 3600) == 0)
		snprintf(wl, sizeof wl, "%gh", secs / 3600);
	else if (secs >= 60 && fmod(secs, 60) == 0)
		snprintf(wl, sizeof wl, "%gm", secs / 60);
	else
		snprintf(wl, sizeof wl, "%gs", secs);
	sbuf_printf(out, "\n%zu window(s) of %s\n", n, wl);
	if (n > 1) {
		double *v = xcalloc(n, sizeof *v);
		static const char *const what[] = {"requests", "errors", "p99 ms", "prediction", "quality"};
		for (int k = 0; k < 5; k++) {
			bool any = false;
			for (size_t i = 0; i < n; i++) {
				json_t *w = json_array_get(series, i);
				v[i] = k == 0 ? num_at(w, "requests", NULL)
				       : k == 1 ? num_at(w, "errors", NULL)
				       : k == 2 ? num_at(w, "latency", "p99")
				       : k == 3 ? num_at(w, "predictions", "mean")
				       : metric ? num_at(json_object_get(w, "quality"), "metrics", metric) : NAN;
				any |= isfinite(v[i]);
			}
			if (!any)
				continue;
			char label[64];
			snprintf(label, sizeof label, "  %-12s ",
				 k == 3 ? "pred. mean" : k == 4 ? metric : what[k]);
			spark_line(out, label, v, n);
		}
		free(v);
	}
	size_t first = n > SERIES_TABLE_MAX ? n - SERIES_TABLE_MAX : 0;
	size_t rows = n - first;
	enum { NC = 8 };
	const char *hdr[NC] = {"window", "requests", "errors", "p50 ms", "p99 ms", "batch",
			       "predictions", metric ? metric : "quality"};
	static const bool right[NC] = {false, true, true, true, true, true, false, true};
	struct table *t = table_new(NC, hdr, right);
	for (size_t i = 0; i < rows; i++) {
		json_t *w = json_array_get(series, first + i);
		char b[64];
		table_str(t, json_string_value(json_object_get(w, "start")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(w, "requests")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(w, "errors")));
		table_num(t, json_object_get(json_object_get(w, "latency"), "p50"), 1, "%.2f");
		table_num(t, json_object_get(json_object_get(w, "latency"), "p99"), 1, "%.2f");
		table_num(t, json_object_get(json_object_get(w, "batch"), "mean"), 1, "%.3g");
		pred_brief(json_object_get(w, "predictions"), b, sizeof b);
		table_str(t, b);
		/* a window without feedback leaves its quality empty */
		double q = metric ? num_at(json_object_get(w, "quality"), "metrics", metric) : NAN;
		table_str(t, isnan(q) ? "" : render_num(q, b, sizeof b));
	}
	table_render(t, out);
}

static void render_opened(json_t *a, struct sbuf *out)
{
	if (!json_array_size(a))
		return;
	sbuf_printf(out, "new alerts:");
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		const char *f = json_string_value(json_object_get(x, "feature"));
		char v[32], t[32];
		sbuf_printf(out, "%s %s%s%s %s (threshold %s)", i ? "," : "",
			    json_string_value(json_object_get(x, "kind")), f ? " " : "", f ? f : "",
			    render_num(num_at(x, "value", NULL), v, sizeof v),
			    render_num(num_at(x, "threshold", NULL), t, sizeof t));
		json_t *w = json_object_get(x, "window");
		if (w)
			sbuf_printf(out, " in window %s", json_string_value(w));
	}
	sbuf_putc(out, '\n');
}

/* The pipeline runs that the new alerts started. */
static void render_triggered(json_t *a, struct sbuf *out)
{
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		const char *e = json_string_value(json_object_get(x, "error"));
		json_t *run = json_object_get(x, "run");
		if (!json_object_get(x, "trigger")) {
			sbuf_printf(out, "alert triggers: %s\n", e ? e : "?");
			continue;
		}
		sbuf_printf(out, "trigger %lld: pipeline %s", (long long)json_integer_value(json_object_get(x, "trigger")),
			    json_string_value(json_object_get(x, "pipeline")));
		if (run)
			sbuf_printf(out, " run %lld", (long long)json_integer_value(run));
		sbuf_printf(out, " (%s)", json_string_value(json_object_get(x, "reason")));
		if (e)
			sbuf_printf(out, ": %s\n", e);
		else
			sbuf_printf(out, " started as job %lld (`pipeline run show %lld --wait`)\n",
				    (long long)json_integer_value(json_object_get(x, "job")),
				    (long long)json_integer_value(run));
	}
}

static void render_features(json_t *feats, struct sbuf *out);

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
	render_predictions(json_object_get(r, "predictions"), out);
	render_quality(json_object_get(r, "quality"), out);
	render_series(r, out);
	json_t *feats = json_object_get(r, "features");
	size_t n = json_array_size(feats);
	if (n) {
		sbuf_putc(out, '\n');
		if (json_object_get(r, "baseline_note"))
			sbuf_printf(out, "note: %s\n", json_string_value(json_object_get(r, "baseline_note")));
		render_features(feats, out);
	}
	render_opened(json_object_get(r, "opened"), out);
	render_triggered(json_object_get(r, "triggered"), out);
}

static void render_features(json_t *feats, struct sbuf *out)
{
	enum { NC = 8 };
	size_t n = json_array_size(feats);
	const char *hdr[NC] = {"feature", "distance", "skew",    "drift",
			       "threshold", "p",      "missing", "alert"};
	static const bool right[NC] = {false, false, true, true, true, true, true, false};
	struct table *t = table_new(NC, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(feats, i);
		char b[32];
		table_str(t, json_string_value(json_object_get(f, "name")));
		/* one distance and threshold, or the skew side's/the drift side's */
		const char *sd = json_string_value(json_object_get(f, "skew_distance"));
		const char *dd = json_string_value(json_object_get(f, "drift_distance"));
		double st = num_at(f, "skew_threshold", NULL), dt = num_at(f, "drift_threshold", NULL);
		if (sd && dd && strcmp(sd, dd) != 0)
			table_cell(t, "%s/%s", sd, dd);
		else
			table_str(t, json_string_value(json_object_get(f, "distance")));
		table_num(t, json_object_get(f, "skew"), 1, "%.4f");
		table_num(t, json_object_get(f, "drift"), 1, "%.4f");
		if (isfinite(st) && isfinite(dt) && st != dt)
			table_cell(t, "%g/%g", st, dt);
		else
			table_num(t, json_object_get(f, "threshold"), 1, "%g");
		/* the smaller p of the two sides: the one that can alert */
		double sp = num_at(f, "skew_p", NULL), dp = num_at(f, "drift_p", NULL);
		double p = isnan(sp) ? dp : isnan(dp) ? sp : fmin(sp, dp);
		table_str(t, render_p(p, b, sizeof b));
		/* the missing share's change against training */
		table_num(t, json_object_get(f, "missing_skew"), 1, "%.4f");
		struct sbuf a = {0};
		static const char *const why[][2] = {
			{"skew_alert", "skew"}, {"drift_alert", "drift"}, {"missing_alert", "missing"}};
		for (size_t k = 0; k < PM_ARRAY_LEN(why); k++)
			if (json_is_true(json_object_get(f, why[k][0])))
				sbuf_printf(&a, "%s%s", a.len ? "," : "ALERT ", why[k][1]);
		table_take(t, sbuf_steal(&a));
	}
	table_render(t, out);
}

/* A whole number of days from an option, else a setting, else dflt. */
static int days_opt(struct session *s, const struct cmd_call *call, const char *opt,
		    const char *key, long long dflt, long long *out, struct pm_err *err)
{
	double d = (double)dflt;
	if (setting_num(s, key, 0, false, &d, err))
		return -1;
	if (d != floor(d) || d > 100000)
		return pm_errcf(err, PM_E_USAGE, "setting %s: expected a whole number of days, got \"%s\"",
				key, session_get(s, key));
	if (call_opt_int(call, opt, (long long)d, out, err))
		return -1;
	if (*out < 0 || *out > 100000)
		return pm_errcf(err, PM_E_USAGE, "%s: %s must be 0 to 100000 days", call->entry->name,
				opt);
	return 0;
}

int monitor_retention_days(struct session *s, const struct cmd_call *call, long long *keep,
			   long long *rollup, struct pm_err *err)
{
	if (days_opt(s, call, "--keep-days", "monitor.retention_days", MONITOR_DEFAULT_KEEP_DAYS,
		     keep, err) ||
	    days_opt(s, call, "--rollup-days", "monitor.rollup_days", MONITOR_DEFAULT_ROLLUP_DAYS,
		     rollup, err))
		return -1;
	if (*rollup < *keep)
		return pm_errcf(err, PM_E_USAGE,
				"%s: rollups (%lld days) must be kept at least as long as "
				"raw requests (%lld days)",
				call->entry->name, *rollup, *keep);
	return 0;
}

static int exec_compact(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	long long days, rdays;
	if (monitor_retention_days(s, call, &days, &rdays, err))
		return -1;
	int64_t now_us;
	char now[64];
	if (call_opt(call, "--now")) {
		if (opt_time(call, "--now", &now_us, err))
			return -1;
	} else {
		ts_now_iso(now, sizeof now);
		if (!ts_parse(now, strlen(now), &now_us))
			return pm_errf(err, "monitor compact: cannot read the clock");
	}
	if (log_ws(s, &ws, err))
		return -1;
	struct monitor_compact_result cr;
	int64_t before = now_us - (int64_t)days * 86400000000LL;
	int64_t drop = now_us - (int64_t)rdays * 86400000000LL;
	if (monitor_compact(ws, before, drop, &cr, err))
		return -1;
	int64_t nroll, nreq;
	if (monitor_log_size(ws, &nreq, &nroll, err))
		return -1;
	char tb[64], td[64];
	ts_format(before, tb, sizeof tb);
	ts_format(drop, td, sizeof td);
	call->result = json_pack("{s:I,s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "keep_days", (json_int_t)days,
				 "rollup_days", (json_int_t)rdays, "rolled_before", tb, "dropped_before",
				 td, "compacted", (json_int_t)cr.rolled, "rollups_dropped",
				 (json_int_t)cr.rollups_dropped, "feedback_dropped",
				 (json_int_t)cr.feedback_dropped, "requests_left", (json_int_t)nreq, "rollups", (json_int_t)nroll);
	return 0;
}

/* ---- feedback --------------------------------------------------------------------------------- */

static int exec_feedback(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *dname = call_opt(call, "--data");
	if (!dname)
		return pm_errcf(err, PM_E_USAGE, "monitor feedback: --data NAME is required");
	struct ctx c;
	if (ctx_open(s, call, false, &c, err))
		return -1;
	struct frame *f;
	char **keys = NULL;
	json_t *res = NULL, *q = NULL, *due = json_array();
	int rc = -1;
	if (session_frame(s, dname, &f, err))
		goto out;
	const char *label = call_opt(call, "--label");
	if (!label && c.have_v)
		label = c.v.label;
	if (!label) {
		pm_errcf(err, PM_E_USAGE,
			 "monitor feedback: %s has no registered version to take the label from; "
			 "name it with --label COL",
			 c.name);
		goto out;
	}
	const char *k = call_opt(call, "--key");
	if (k) {
		/* COL[,COL..] */
		size_t n = 1;
		for (const char *p = k; *p; p++)
			n += *p == ',';
		keys = xcalloc(n + 1, sizeof *keys);
		const char *p = k;
		for (size_t i = 0; i < n; i++) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (!len) {
				pm_errcf(err, PM_E_USAGE, "--key: expected COL[,COL..], got \"%s\"", k);
				goto out;
			}
			keys[i] = xstrndup(p, len);
			p = e ? e + 1 : p + len;
		}
	}
	struct monitor_feedback_options fo = {
		.data = f,
		.keys = (const char *const *)keys,
		.label = label,
		.regression = c.m && c.m->task == TASK_REGRESSION,
		.since_us = c.o.since_us,
	};
	if (!c.m) {
		int lc = frame_col_index(f, label);
		fo.regression = lc >= 0 && pm_type_numeric(f->cols[lc].type) && f->cols[lc].type != PM_BOOL;
	}
	if (monitor_feedback_join(c.ws, c.name, &fo, &res, err))
		goto out;
	if (monitor_quality(c.ws, c.name, &c.o, &q, due, err))
		goto out;
	json_object_set(res, "quality", q);
	if (raise_and_hook(s, c.ws, c.name, due, res, err))
		goto out;
	rc = 0;
out:
	if (keys)
		for (char **p = keys; *p; p++)
			free(*p);
	free(keys);
	json_decref(q);
	json_decref(due);
	ctx_free(&c);
	if (rc)
		json_decref(res);
	else
		call->result = res;
	return rc;
}

/* "a", "b" */
static char *fmt_list(json_t *a)
{
	struct sbuf b = {0};
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) sbuf_printf(&b, "%s\"%s\"", i ? ", " : "", json_string_value(x));
	return sbuf_steal(&b);
}

static void render_feedback(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	(void)s, (void)call;
	char *keys = fmt_list(json_object_get(r, "keys"));
	sbuf_printf(out,
		    "joined %lld of %lld logged rows of %s to labels %s of %s by %s "
		    "(%lld feedback rows unmatched, %lld logged rows without a key, %lld unscored)\n",
		    (long long)json_integer_value(json_object_get(r, "joined")),
		    (long long)json_integer_value(json_object_get(r, "logged_rows")),
		    json_string_value(json_object_get(r, "model")),
		    json_string_value(json_object_get(r, "label")),
		    json_string_value(json_object_get(r, "dataset")), keys,
		    (long long)json_integer_value(json_object_get(r, "unmatched")),
		    (long long)json_integer_value(json_object_get(r, "no_key")),
		    (long long)json_integer_value(json_object_get(r, "unscored")));
	free(keys);
	json_t *q = json_object_get(r, "quality");
	const char *metric = json_string_value(json_object_get(q, "metric"));
	if (!metric)
		return;
	render_quality(q, out);
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(q, "windows"), i, w)
	{
		char a[32];
		sbuf_printf(out, "  %s  %6lld rows  %s %s", json_string_value(json_object_get(w, "start")),
			    (long long)json_integer_value(json_object_get(w, "rows")), metric,
			    render_num(num_at(w, "metrics", metric), a, sizeof a));
		size_t j;
		json_t *v;
		json_array_foreach(json_object_get(w, "versions"), j, v)
		{
			if (json_is_true(json_object_get(v, "drop")))
				sbuf_printf(out, "  DROP (version %lld)",
					    (long long)json_integer_value(json_object_get(v, "version")));
		}
		sbuf_putc(out, '\n');
	}
	render_opened(json_object_get(r, "opened"), out);
	render_triggered(json_object_get(r, "triggered"), out);
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
	/* 0.38969995080527253 says no more than 0.3897 beside a threshold of
	 * 0.3: the table rounds to 4 significant digits, JSON keeps them all */
	json_t *shown = json_deep_copy(a);
	size_t i;
	json_t *al;
	json_array_foreach(shown, i, al) {
		const char *k;
		json_t *v;
		json_object_foreach(al, k, v) {
			if (json_is_real(v)) {
				char t[32];
				snprintf(t, sizeof t, "%.4g", json_real_value(v));
				json_real_set(v, strtod(t, NULL));
			}
		}
	}
	render_generic(shown, out);
	json_decref(shown);
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
	 "window of the series and of drift (the last DUR of the log against the DUR before it): "
	 "90s, 30m, 1h, 2d; default 1h"},
	{"--since", 0, "TIME", COMPLETE_NONE, NULL, "only requests logged at or after TIME"},
	{"--baseline", 0, "NAME", COMPLETE_DATASET, NULL,
	 "training data for skew (default: the statistics of its training data that the "
	 "served version keeps)"},
	{"--schema", 0, "S", COMPLETE_NONE, NULL,
	 "per-feature skew and drift thresholds from schema S (default: setting monitor.schema)"},
	{"--threshold", 0, "X", COMPLETE_NONE, NULL,
	 "threshold of both distances where the schema sets none (default: settings "
	 "monitor.linf_threshold, else 0.05, and monitor.jsd_threshold, else 0.02)"},
	{"--missing-threshold", 0, "X", COMPLETE_NONE, NULL,
	 "threshold of the change of a feature's missing share (default: setting "
	 "monitor.missing_threshold, else 0.05)"},
	{"--alpha", 0, "A", COMPLETE_NONE, NULL,
	 "significance level of the tests, after Holm's correction (default: setting "
	 "monitor.alpha, else 0.005)"},
	{"--all-columns", 0, NULL, COMPLETE_NONE, NULL,
	 "skew and drift of every logged column of the baseline, not only of the model's "
	 "inputs (the label too, when the logged rows carry it); the version keeps its "
	 "inputs' statistics only, so the training dataset is read as it is now"},
	{"--out", 0, "FILE", COMPLETE_FILE, NULL,
	 "also draw the panels (skew and drift, requests, latency, predictions, quality) into "
	 "FILE (.png, .svg, .ps)"},
	{0}};

static const struct cmd_opt ingest_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "dataset whose rows become logged requests (required)"},
	{"--start", 0, "TIME", COMPLETE_NONE, NULL, "time of the first request (default 2026-01-01T00:00:00)"},
	{"--step-ms", 0, "N", COMPLETE_NONE, NULL, "milliseconds between requests (default 1000)"},
	{"--batch", 0, "N", COMPLETE_NONE, NULL, "rows per request (default 1)"},
	{"--version", 0, "V", COMPLETE_NONE, NULL,
	 "model version recorded with the requests; a registered one also scores them"},
	{0}};

static const struct cmd_opt feedback_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "dataset with the labels (required)"},
	{"--key", 0, "COL[,COL]", COMPLETE_COLUMN, NULL,
	 "join columns, logged with the requests (default: every column of the data but the "
	 "label that the logged requests carry)"},
	{"--label", 0, "COL", COMPLETE_COLUMN, NULL, "label column (default: the model's label)"},
	{"--since", 0, "TIME", COMPLETE_NONE, NULL, "only requests logged at or after TIME"},
	{"--window", 0, "DUR", COMPLETE_NONE, NULL, "window of the live quality (default 1h)"},
	{0}};

static const struct cmd_opt compact_opts[] = {
	{"--keep-days", 0, "N", COMPLETE_NONE, NULL,
	 "keep raw requests of the last N days (default: setting monitor.retention_days, else 30)"},
	{"--rollup-days", 0, "N", COMPLETE_NONE, NULL,
	 "keep rollups and feedback of the last N days (default: setting monitor.rollup_days, "
	 "else 400)"},
	{"--now", 0, "TIME", COMPLETE_NONE, NULL, "count the days back from TIME instead of now"},
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
	 .summary = "service metrics, predictions, quality, skew and drift of a served model",
	 .help = "Reads the request log of MODEL (M, M:V or M@ALIAS; the version's model and "
		 "training data are used when it is registered) and shows requests, errors by "
		 "status, batch sizes, latency percentiles (nearest rank: the smallest logged "
		 "latency with at least p% of the requests at or below it), the distribution of "
		 "the predictions (a histogram of values, or the shares of the predicted classes), "
		 "live quality where `monitor feedback` joined labels, and, for every input "
		 "feature, the training-serving skew (logged values against the training data) "
		 "and the drift (the last window against the one before).  Only the inputs of the "
		 "version's model are compared, and only they raise skew and drift alerts: other "
		 "columns the logged rows carry (an id, or the label of a dataset fed through "
		 "`monitor ingest`) are left out unless --all-columns asks for every column of the "
		 "baseline; a model with no registered version has every column compared.  "
		 "Categorical features "
		 "are compared with the L-infinity distance of their value shares (threshold 0.05), "
		 "numeric ones with the Jensen-Shannon divergence over the bins between the "
		 "training data's deciles (threshold 0.02; TFDV's equal-width form is given as "
		 "SIDE_jsd_tfdv in JSON), and every feature's missing share against training and "
		 "between windows (threshold 0.05); the skew and drift comparators of a schema "
		 "(`schema set S F skew linf 0.1`, `--schema S`) choose the distance and "
		 "threshold of a feature instead.  A check alerts only when its distance is over "
		 "its threshold and the rows make the difference significant: a chi-square test "
		 "of the value or decile-bin counts (rare cells pooled), Fisher's exact test of "
		 "the missing shares, with Holm's correction over every check of the dashboard "
		 "that could reject (one missing on neither side cannot), "
		 "at the level --alpha (default 0.005; 1 leaves the distances alone to decide).  "
		 "The text shows the smaller adjusted p of a feature and its missing share's "
		 "change against training.\n\n"
		 "The training side is what the version kept when it was registered: per input, "
		 "its rows, missing values, decile edges and the rows between them, and the "
		 "count of each category (`models show M:V -o json`, \"baseline\"), so reloading "
		 "or dropping the training dataset afterwards moves no number.  A version "
		 "registered before prodml kept them is compared with its training dataset as it "
		 "is now, and the dashboard says so in a note.\n\n"
		 "The same numbers are given per window of --window (aligned on multiples of it) "
		 "and per model version: the series.  Raw requests and the per-minute rollups of "
		 "`monitor compact` are combined, so the counts stay exact after compaction and "
		 "latency percentiles within 0.5% (rollups keep latencies to 3 significant "
		 "digits, counted per value).\n\n"
		 "Alerts (see `alerts`): a feature whose check alerts (skew, drift, missing); per window and version, an error rate over the setting "
		 "monitor.error_rate (default 0.05) or a p99 latency over monitor.latency_p99_ms "
		 "(default 500) when the window has at least monitor.min_requests requests "
		 "(default 10); a live quality worse than the version's evaluation by more than "
		 "monitor.quality_drop (relative, default 0.1) on at least "
		 "monitor.quality_min_rows labelled rows (default 30).\n"
		 "An alert that opens starts the runs of the pipelines triggered by it "
		 "(`pipeline trigger P --on-alert KIND MODEL`, kept in the workspace): each run "
		 "starts as a background job, reported after the new alerts (\"trigger 1: "
		 "pipeline retrain run 4 (alert 2: drift of taxi on payment_type) started as job "
		 "3\"; `pipeline run show 4 --wait` waits for it); a run that cannot start "
		 "because the pipeline is running is left to `pipeline scheduler`.  It also runs "
		 "the command of the setting alert.on_KIND "
		 "(alert.on_skew, alert.on_drift, alert.on_missing, alert.on_error_rate, "
		 "alert.on_latency, alert.on_quality), once per kind: the one-command alert "
		 "trigger of a session, for any model (`set alert.on_drift \"train ...\"`).",
	 .exec = exec_monitor, .render = render_monitor},
	{.name = "monitor diagnose", .group = "monitoring", .args = "MODEL", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = monitor_opts,
	 .summary = "rank the likely causes of a change in a served model's traffic",
	 .help = "Compares the last window of the request log with the one before and with "
		 "the training data and lists, most likely first and with the numbers behind "
		 "each: a live quality under its limit (concept drift when no feature is over "
		 "its threshold), features that drifted or differ from training (distance 0.05 "
		 "or more), categorical values that appeared or vanished, missing-value rates "
		 "that moved by 5 points or more, an error rate that at least doubled (to 1% or "
		 "more), a p99 latency at least 1.5 times the previous window's, and a change of "
		 "the served version.  As in `monitor`, the features are the model's inputs "
		 "unless --all-columns.",
	 .exec = exec_diagnose, .render = render_diagnose},
	{.name = "monitor ingest", .group = "monitoring", .args = "MODEL", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = ingest_opts,
	 .summary = "log a dataset's rows as requests to MODEL (for labs and tests)",
	 .help = "Writes the rows of a dataset into the request log as if MODEL had served "
		 "them: --batch rows per request, one request every --step-ms milliseconds from "
		 "--start, status 200, synthetic latencies from 1.0 to 10.9 ms that repeat every "
		 "100 requests.  When --version names a registered version of MODEL, it scores "
		 "the rows and their predictions are logged too.",
	 .exec = exec_ingest_check, .render = render_ingest},
	{.name = "monitor feedback", .group = "monitoring", .args = "MODEL", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = feedback_opts,
	 .summary = "join late ground truth to logged predictions: live quality per window",
	 .help = "Labels often arrive after the predictions.  Joins the rows of dataset --data "
		 "to the rows logged for MODEL by the key columns (which the logged request "
		 "features carry, such as a passed-through id) and stores each match with its "
		 "logged prediction; joining again replaces earlier matches.  Two rows of the "
		 "data with one key and different labels are an error.\n\n"
		 "Shows the live quality per window and per version with the model engine's "
		 "metrics (accuracy, AUC, log loss for classification; RMSE, MAE for "
		 "regression), against each version's evaluation; a window whose primary metric "
		 "(the registry's: AUC for binary, accuracy for multiclass, RMSE for regression) "
		 "is worse than the evaluation by more than the setting monitor.quality_drop "
		 "(relative, default 0.1) on at least monitor.quality_min_rows rows opens a "
		 "quality alert, which starts the pipelines triggered by it (`pipeline trigger P "
		 "--on-alert quality MODEL`) and runs alert.on_quality.  `monitor MODEL` shows "
		 "the stored quality per window too.",
	 .exec = exec_feedback, .render = render_feedback},
	{.name = "monitor compact", .group = "monitoring", .args = "", .min_args = 0,
	 .max_args = 0, .opts = compact_opts,
	 .summary = "retention: roll old requests up into per-minute rollups",
	 .help = "Raw requests older than --keep-days days are rolled up into one row per "
		 "model, version and minute (requests, errors by status, rows, batch sizes, "
		 "latencies to 3 significant digits and predictions, each counted per value) and "
		 "deleted; rollups and feedback older than --rollup-days days are dropped.  A "
		 "minute compacted twice adds up.  `monitor` reads rollups and raw requests "
		 "together; rollups keep no feature values, so skew and drift are of the raw "
		 "requests only.",
	 .exec = exec_compact},
	{.name = "alerts", .group = "monitoring", .args = "", .min_args = 0, .max_args = 0,
	 .opts = alerts_opts, .summary = "open monitoring alerts",
	 .help = "Lists the open alerts (skew, drift, error_rate, latency, quality) with their "
		 "time, model, feature (or metric), value and threshold, and for per-window "
		 "alerts the window and version.  `alerts ack ID` closes one.",
	 .exec = exec_alerts, .render = render_alerts},
	{.name = "alerts ack", .group = "monitoring", .args = "ID", .min_args = 1, .max_args = 1,
	 .summary = "acknowledge (close) an alert",
	 .help = "Closes the open alert ID; a later distance over the threshold opens a new one "
		 "(a per-window alert is raised once per window).",
	 .exec = exec_ack},
	{0}};
