/* Design commands: new, set, show, list, compare, drop, probe, apply.
 * The engine (src/design) keeps the designs and computes the estimates;
 * apply runs the commands a design stands for through this table, as a
 * person would type them. */
#include "cmd.h"
#include "data/data.h"
#include "design/design.h"
#include "features/features.h"
#include "model/model.h"
#include "pipeline/pipeline.h"
#include "registry/registry.h"
#include "serve/serve.h"
#include "train/train.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* gpu_why: where env->gpu_missing points */
static void design_env_of(struct session *s, struct design_env *env, struct pm_err *gpu_why)
{
	(void)s;
	*env = (struct design_env){.ncpus = pm_ncpu()};
	struct gpu_info gi;
	if (gpu_probe(&gi, gpu_why) < 0)
		env->gpu_missing = gpu_why->msg;
#ifdef HAVE_MPI
	env->have_mpi = true;
#endif
}

/* The model's newest version (loaded when m is not NULL). */
static int latest_version(struct workspace *ws, const char *model, struct reg_version *v,
			  struct model **m, struct pm_err *err)
{
	struct reg_version *all;
	size_t n;
	if (reg_versions(ws, model, &all, &n, err) < 0)
		return -1;
	if (n == 0) {
		free(all);
		return pm_errcf(err, PM_E_NOTFOUND, "no model %s (see `models`; `train %s ...` makes one)",
				model, model);
	}
	*v = all[n - 1];
	for (size_t i = 0; i + 1 < n; i++)
		reg_version_free(&all[i]);
	free(all);
	if (m && reg_load_model(ws, v, m, err) < 0) {
		reg_version_free(v);
		return -1;
	}
	return 0;
}

/* The input columns (NULL-terminated; free with str_list_free) and outputs
 * of the model's newest version; none when it cannot be loaded. */
static char **model_inputs(struct workspace *ws, const char *model, int *nout)
{
	struct reg_version v;
	struct model *m;
	struct pm_err e;
	*nout = 1;
	if (latest_version(ws, model, &v, &m, &e) < 0)
		return NULL;
	char **in = xcalloc(m->tf->ninputs + 1, sizeof *in);
	for (size_t i = 0; i < m->tf->ninputs; i++)
		in[i] = xstrdup(m->tf->inputs[i].name);
	*nout = m->nout;
	model_free(m);
	reg_version_free(&v);
	return in;
}

static int open_design(struct session *s, const char *name, struct workspace **ws, json_t **d,
		       struct frame **f, struct pm_err *err)
{
	if (session_ws(s, ws, err) < 0 || design_fetch(*ws, name, d, err) < 0)
		return -1;
	const char *data = json_string_value(json_object_get(*d, "data"));
	if (f && session_frame(s, data, f, err) < 0) {
		pm_errf(err, "design %s: %s", name, err->msg);
		json_decref(*d);
		return -1;
	}
	return 0;
}

/* ---- new, set, drop, list -------------------------------------------------------- */
static int exec_new(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct frame *f;
	struct reg_version v;
	const char *model = call_opt(call, "--model"), *data = call_opt(call, "--data");
	if (!model || !data)
		return pm_errcf(err, PM_E_USAGE, "design new needs --model M and --data D");
	if (session_ws(s, &ws, err) < 0 || latest_version(ws, model, &v, NULL, err) < 0)
		return -1;
	reg_version_free(&v);
	if (session_frame(s, data, &f, err) < 0)
		return -1;
	json_t *d;
	if (design_create(ws, call->argv[0], model, data, &d, err) < 0)
		return -1;
	call->result = json_pack("{s:o}", "design", d);
	return 0;
}

static int exec_set(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct frame *f;
	json_t *d;
	if (open_design(s, call->argv[0], &ws, &d, &f, err) < 0)
		return -1;
	struct sbuf v = {0};
	for (int i = 2; i < call->argc; i++)
		sbuf_printf(&v, "%s%s", i > 2 ? " " : "", call->argv[i]);
	struct design_env env;
	struct pm_err gpu_why = {0};
	design_env_of(s, &env, &gpu_why);
	int nout;
	char **inputs = model_inputs(ws, json_string_value(json_object_get(d, "model")), &nout);
	int rc = design_set(d, f, inputs, &env, call->argv[1], v.s ? v.s : "", err);
	str_list_free(inputs);
	if (rc == 0) {
		char *action = xasprintf("design set %s", call->argv[1]);
		rc = design_save(ws, d, action, err);
		free(action);
	}
	if (rc == 0)
		call->result = json_pack("{s:s,s:s,s:s,s:O}", "name", call->argv[0], "key", call->argv[1],
					 "value", v.s ? v.s : "", "design", d);
	sbuf_free(&v);
	json_decref(d);
	return rc;
}

static void render_set(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	sbuf_printf(out, "design %s: %s = %s\n", json_string_value(json_object_get(r, "name")),
		    json_string_value(json_object_get(r, "key")),
		    json_string_value(json_object_get(r, "value")));
}

static int exec_drop(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0 || design_drop(ws, call->argv[0], err) < 0)
		return -1;
	call->result = json_pack("{s:s,s:b}", "name", call->argv[0], "dropped", 1);
	return 0;
}

static void render_drop(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	sbuf_printf(out, "design %s dropped\n", json_string_value(json_object_get(r, "name")));
}

static int exec_list(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	return design_list(ws, &call->result, err);
}

static void render_list(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	json_t *arr = json_object_get(r, "designs"), *j;
	size_t i;
	if (!json_array_size(arr)) {
		sbuf_puts(out, "no designs (`design new NAME --model M --data D` makes one)\n");
		return;
	}
	static const char *const head[] = {"name", "model", "data", "training", "serving", "inference",
					   "applied"};
	struct table *t = table_new(7, head, NULL);
	json_array_foreach(arr, i, j)
	{
		for (int k = 0; k < 6; k++)
			table_str(t, json_string_value(json_object_get(j, head[k])));
		json_t *ap = json_object_get(j, "applied");
		if (json_is_object(ap))
			table_cell(t, "v%lld", (long long)json_integer_value(json_object_get(ap, "version")));
		else
			table_str(t, "-");
	}
	table_render(t, out);
}

/* ---- show, compare ------------------------------------------------------------------- */
/* The design and its estimates: {"design","estimates"}. */
static int show_one(struct session *s, const char *name, json_t **out, struct pm_err *err)
{
	struct workspace *ws;
	struct frame *f;
	json_t *d;
	if (open_design(s, name, &ws, &d, &f, err) < 0)
		return -1;
	int nout;
	char **inputs = model_inputs(ws, json_string_value(json_object_get(d, "model")), &nout);
	struct design_env env;
	struct pm_err gpu_why = {0};
	design_env_of(s, &env, &gpu_why);
	json_t *e;
	int rc = design_estimate(ws, d, f, inputs, nout, &env, &e, err);
	str_list_free(inputs);
	if (rc < 0) {
		json_decref(d);
		return -1;
	}
	*out = json_pack("{s:o,s:o}", "design", d, "estimates", e);
	return 0;
}

static int exec_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	return show_one(s, call->argv[0], &call->result, err);
}

/* The choices as (label, text) lines. */
static char *choice(json_t *d, const char *what)
{
	if (strcmp(what, "training") == 0) {
		json_t *t = json_object_get(d, "training");
		const char *k = json_string_value(json_object_get(t, "kind"));
		const char *arg = json_string_value(json_object_get(t, strcmp(k, "schedule") == 0 ? "every" : "glob"));
		return arg ? xasprintf("%s %s", k, arg) : xstrdup(k);
	}
	if (strcmp(what, "hardware") == 0) {
		json_t *h = json_object_get(d, "hardware");
		json_int_t n = json_integer_value(json_object_get(h, "threads"));
		return n > 0 ? xasprintf("cpu %lld threads", (long long)n) : xstrdup("cpu (all CPUs)");
	}
	if (strcmp(what, "batching") == 0) {
		json_t *b = json_object_get(d, "batching");
		json_int_t mb = json_integer_value(json_object_get(b, "max_batch"));
		return mb > 1 ? xasprintf("max batch %lld, max wait %lld us", (long long)mb,
					  (long long)json_integer_value(json_object_get(b, "max_wait_us")))
			      : xstrdup("off");
	}
	if (strcmp(what, "keys") == 0) {
		json_t *k = json_object_get(d, "keys");
		struct sbuf b = {0};
		for (size_t i = 0; i < json_array_size(k); i++)
			sbuf_printf(&b, "%s%s", i ? "," : "", json_string_value(json_array_get(k, i)));
		json_int_t size = json_integer_value(json_object_get(d, "table_size"));
		if (!b.len)
			sbuf_puts(&b, "-");
		else if (size > 0)
			sbuf_printf(&b, " (table of the top %lld)", (long long)size);
		return b.s;
	}
	if (strcmp(what, "canary") == 0) {
		json_int_t p = json_integer_value(json_object_get(d, "canary"));
		return p > 0 ? xasprintf("%lld%% of requests to the newest version", (long long)p)
			     : xstrdup("off");
	}
	if (strcmp(what, "traffic") == 0) {
		json_t *t = json_object_get(d, "traffic_per_day");
		char buf[32];
		if (!json_is_number(t))
			return xstrdup("from the request log");
		fmt_double(json_number_value(t), buf, sizeof buf);
		return xasprintf("%s predictions/day", buf);
	}
	if (strcmp(what, "monitor") == 0 || strcmp(what, "prices") == 0) {
		json_t *o = json_object_get(d, what), *v;
		const char *k;
		struct sbuf b = {0};
		json_object_foreach(o, k, v)
		{
			char buf[32];
			fmt_double(json_number_value(v), buf, sizeof buf);
			sbuf_printf(&b, "%s%s %s", b.len ? ", " : "", k, buf);
		}
		return b.s ? b.s : xstrdup(strcmp(what, "monitor") == 0 ? "monitoring's defaults" : "-");
	}
	json_t *v = json_object_get(d, what);
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	return xstrdup(json_is_string(v) ? json_string_value(v) : "-");
}

static const char *const choices[] = {"model", "data", "training", "serving", "inference",
				      "hardware", "batching", "keys", "epochs", "traffic", "port", "canary",
				      "monitor", "prices", NULL};

static char *num(json_t *v)
{
	char buf[32];
	if (!json_is_number(v))
		return xstrdup("-");
	double x = json_number_value(v);
	/* counts and bytes whole, the rest to 4 significant digits */
	if (x == trunc(x) && fabs(x) < 1e15)
		snprintf(buf, sizeof buf, "%.0f", x);
	else
		snprintf(buf, sizeof buf, "%.4g", x);
	return xstrdup(buf);
}

/* The estimates as (label, value, source) rows. */
static void estimate_rows(json_t *e, void (*row)(void *, const char *, char *, const char *), void *ctx)
{
	json_t *st = json_object_get(e, "static"), *tr = json_object_get(e, "training");
	json_t *tb = json_object_get(e, "table"), *hr = json_object_get(e, "hit_rate");
	json_t *pr = json_object_get(e, "predict"), *c = json_object_get(e, "cost");
	row(ctx, "static serving", xstrdup(json_is_true(json_object_get(st, "offered")) ? "offered" : "not offered"),
	    json_string_value(json_object_get(st, "why")));
	char *t = num(json_object_get(tr, "seconds"));
	row(ctx, "training s/run", t,
	    json_object_get(tr, "arithmetic")
		    ? json_string_value(json_object_get(tr, "arithmetic"))
		    : json_string_value(json_object_get(tr, "source")));
	if (json_object_get(tr, "run"))
		row(ctx, "", xstrdup(""), json_string_value(json_object_get(tr, "source")));
	json_t *hw;
	size_t h;
	json_array_foreach(json_object_get(tr, "by_hardware"), h, hw)
	{
		/* "train cpu 2": the label column's width; the JSON's "hardware" says it whole */
		json_int_t n = json_integer_value(json_object_get(hw, json_object_get(hw, "threads") ? "threads" : "workers"));
		char *label = n ? xasprintf("train %s %lld", json_string_value(json_object_get(hw, "kind")), (long long)n)
				: xasprintf("train %s", json_string_value(json_object_get(hw, "kind")));
		bool mine = json_is_true(json_object_get(hw, "design"));
		if (json_is_true(json_object_get(hw, "measured"))) {
			char *src = xasprintf("%s%s; %s", mine ? "(the design's) " : "",
					      json_string_value(json_object_get(hw, "arithmetic")),
					      json_string_value(json_object_get(hw, "source")));
			row(ctx, label, num(json_object_get(hw, "seconds")), src);
			free(src);
		} else {
			char *src = xasprintf("%s%s", mine ? "(the design's) " : "",
					      json_string_value(json_object_get(hw, "source")));
			row(ctx, label, xstrdup("-"), src);
			free(src);
		}
		free(label);
	}
	json_t *fr = json_object_get(e, "freshness");
	if (json_is_number(json_object_get(fr, "mean_staleness_s"))) {
		row(ctx, "staleness s", num(json_object_get(fr, "mean_staleness_s")),
		    json_string_value(json_object_get(fr, "arithmetic")));
		row(ctx, "", xstrdup(""), json_string_value(json_object_get(fr, "source")));
	} else
		row(ctx, "staleness s", xstrdup("-"), json_string_value(json_object_get(fr, "source")));
	row(ctx, "predict rows/s", num(json_object_get(pr, "rows_per_s")),
	    json_string_value(json_object_get(pr, "source")));
	json_t *sv = json_object_get(e, "serving");
	row(ctx, "serve req/s", num(json_object_get(sv, "req_per_s")),
	    json_string_value(json_object_get(sv, "source")));
	if (json_object_get(sv, "p50_ms")) {
		row(ctx, "serve p50 ms", num(json_object_get(sv, "p50_ms")), "");
		row(ctx, "serve p99 ms", num(json_object_get(sv, "p99_ms")), "");
	}
	json_t *bt = json_object_get(e, "batching");
	if (json_is_array(json_object_get(bt, "settings"))) {
		json_t *one;
		size_t k;
		json_int_t best = json_is_integer(json_object_get(bt, "best")) ? json_integer_value(json_object_get(bt, "best")) : -1;
		json_int_t own = json_is_integer(json_object_get(bt, "design")) ? json_integer_value(json_object_get(bt, "design")) : -1;
		json_array_foreach(json_object_get(bt, "settings"), k, one)
		{
			int mb = (int)json_integer_value(json_object_get(one, "max_batch"));
			char *label = mb > 1 ? xasprintf("batch %d/%lldus", mb,
							 (long long)json_integer_value(json_object_get(one, "max_wait_us")))
					     : xstrdup("batch off");
			char *src = xasprintf("req/s; p50 %.3g ms, p99 %.3g ms, %lld errors%s",
					      json_number_value(json_object_get(one, "p50_ms")),
					      json_number_value(json_object_get(one, "p99_ms")),
					      (long long)json_integer_value(json_object_get(one, "errors")),
					      (json_int_t)k == best && (json_int_t)k == own ? " (best; the design's)"
					      : (json_int_t)k == best			 ? " (best)"
					      : (json_int_t)k == own			 ? " (the design's)"
											 : "");
			row(ctx, label, num(json_object_get(one, "req_per_s")), src);
			free(src);
			free(label);
		}
		json_t *bs = json_array_get(json_object_get(bt, "settings"), (size_t)best);
		int bmb = (int)json_integer_value(json_object_get(bs, "max_batch"));
		row(ctx, "batching best",
		    best < 0    ? xstrdup("-")
		    : bmb > 1 ? xasprintf("%d/%lldus", bmb, (long long)json_integer_value(json_object_get(bs, "max_wait_us")))
			      : xstrdup("off"),
		    json_string_value(json_object_get(bt, "why")));
		if (json_is_string(json_object_get(bt, "pick")))
			row(ctx, "", xstrdup(""), json_string_value(json_object_get(bt, "pick")));
		row(ctx, "", xstrdup(""), json_string_value(json_object_get(bt, "source")));
	} else
		row(ctx, "batching sweep", xstrdup("-"), json_string_value(json_object_get(bt, "source")));
	if (json_is_object(tb)) {
		row(ctx, "table entries", num(json_object_get(tb, "entries")),
		    json_string_value(json_object_get(tb, "source")));
		row(ctx, "table bytes", num(json_object_get(tb, "bytes")),
		    json_string_value(json_object_get(tb, "arithmetic")));
		json_t *m = json_object_get(tb, "measured");
		if (m) {
			char *src = xasprintf("measured by %s (%lld entries)",
					      json_string_value(json_object_get(m, "source")),
					      (long long)json_integer_value(json_object_get(m, "entries")));
			row(ctx, "", num(json_object_get(m, "bytes")), src);
			free(src);
		}
		row(ctx, "precompute s", num(json_object_get(tb, "precompute_s")),
		    json_string_value(json_object_get(tb, "precompute")));
	}
	if (json_is_object(hr))
		row(ctx, "hit rate", num(json_object_get(hr, "hit_rate")),
		    json_string_value(json_object_get(hr, "source")));
	json_t *items = json_object_get(c, "items"), *it;
	size_t i;
	if (!items) {
		row(ctx, "cost/month", xstrdup("-"), json_string_value(json_object_get(c, "source")));
		return;
	}
	json_array_foreach(items, i, it)
	{
		char *label = xasprintf("cost %s", json_string_value(json_object_get(it, "what")));
		row(ctx, label, num(json_object_get(it, "monthly")),
		    json_string_value(json_object_get(it, "arithmetic")));
		free(label);
	}
	row(ctx, "cost/month", num(json_object_get(c, "monthly")), "sum of the above");
	row(ctx, "cost/1M preds", num(json_object_get(c, "per_million")),
	    json_string_value(json_object_get(c, "per_million_arithmetic")));
}

static void show_row(void *ctx, const char *label, char *value, const char *source)
{
	struct sbuf *out = ctx;
	if (source && *source)
		sbuf_printf(out, "  %-17s %-11s %s", label, value, source);
	else
		sbuf_printf(out, "  %-17s %s", label, value);
	sbuf_putc(out, '\n');
	free(value);
}

static void render_show(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	json_t *d = json_object_get(r, "design");
	sbuf_printf(out, "design %s\n", json_string_value(json_object_get(d, "name")));
	for (const char *const *c = choices; *c; c++) {
		char *v = choice(d, *c);
		sbuf_printf(out, "  %-10s %s\n", *c, v);
		free(v);
	}
	json_t *ap = json_object_get(d, "applied");
	if (json_is_object(ap)) {
		sbuf_printf(out, "  %-10s version %lld, server %lld, pipeline %s", "applied",
			    (long long)json_integer_value(json_object_get(ap, "version")),
			    (long long)json_integer_value(json_object_get(ap, "server")),
			    json_string_value(json_object_get(ap, "pipeline")));
		if (json_is_integer(json_object_get(ap, "trigger")))
			sbuf_printf(out, ", trigger %lld", (long long)json_integer_value(json_object_get(ap, "trigger")));
		sbuf_putc(out, '\n');
	}
	if (!json_object_get(r, "estimates"))
		return;
	sbuf_puts(out, "estimates (value, then where it came from)\n");
	estimate_rows(json_object_get(r, "estimates"), show_row, out);
}

static int exec_compare(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	json_t *a, *b;
	if (show_one(s, call->argv[0], &a, err) < 0)
		return -1;
	if (show_one(s, call->argv[1], &b, err) < 0) {
		json_decref(a);
		return -1;
	}
	call->result = json_pack("{s:[o,o]}", "designs", a, b);
	return 0;
}

struct rows {
	char **label, **value;
	size_t n;
};

static void collect(void *ctx, const char *label, char *value, const char *source)
{
	(void)source;
	struct rows *r = ctx;
	r->label = xrealloc(r->label, (r->n + 1) * sizeof *r->label);
	r->value = xrealloc(r->value, (r->n + 1) * sizeof *r->value);
	r->label[r->n] = xstrdup(label);
	r->value[r->n++] = value;
}

static void render_compare(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	json_t *x = json_array_get(json_object_get(r, "designs"), 0);
	json_t *y = json_array_get(json_object_get(r, "designs"), 1);
	json_t *dx = json_object_get(x, "design"), *dy = json_object_get(y, "design");
	const char *head[] = {"", json_string_value(json_object_get(dx, "name")),
			      json_string_value(json_object_get(dy, "name"))};
	struct table *t = table_new(3, head, NULL);
	for (const char *const *c = choices; *c; c++) {
		table_str(t, *c);
		table_take(t, choice(dx, *c));
		table_take(t, choice(dy, *c));
	}
	struct rows rx = {0}, ry = {0};
	estimate_rows(json_object_get(x, "estimates"), collect, &rx);
	estimate_rows(json_object_get(y, "estimates"), collect, &ry);
	/* rows by label: a table row exists on one side only when it has keys */
	for (size_t i = 0; i < rx.n; i++) {
		if (!*rx.label[i])
			continue;
		size_t j = 0;
		while (j < ry.n && strcmp(ry.label[j], rx.label[i]))
			j++;
		table_str(t, rx.label[i]);
		table_str(t, rx.value[i]);
		table_str(t, j < ry.n ? ry.value[j] : "-");
	}
	for (size_t j = 0; j < ry.n; j++) {
		size_t i = 0;
		while (i < rx.n && strcmp(ry.label[j], rx.label[i]))
			i++;
		if (i == rx.n && *ry.label[j]) {
			table_str(t, ry.label[j]);
			table_str(t, "-");
			table_str(t, ry.value[j]);
		}
	}
	for (size_t i = 0; i < rx.n; i++)
		free(rx.label[i]), free(rx.value[i]);
	for (size_t i = 0; i < ry.n; i++)
		free(ry.label[i]), free(ry.value[i]);
	free(rx.label), free(rx.value), free(ry.label), free(ry.value);
	table_render(t, out);
}

/* ---- probe ----------------------------------------------------------------------------- */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One epoch over the sample with the configuration of the version's run
 * (at most 10 s): the model trained is thrown away, nothing registered.
 * 0 with *probe NULL when the version has no run to take it from. */
static int probe_train(struct workspace *ws, const struct reg_version *v, const struct frame *sample,
		       int threads, const char *name, json_t **probe, struct pm_err *err)
{
	*probe = NULL;
	json_t *run;
	if (v->run <= 0 || run_get(ws, v->run, &run, err) < 0)
		return 0;
	struct train_config cfg;
	int rc = train_config_from_json(json_object_get(run, "config"), &cfg, err);
	json_decref(run);
	if (rc < 0)
		return -1;
	cfg.epochs = 1;
	cfg.auto_epochs = false;
	cfg.patience = 0;
	free(cfg.eval);
	cfg.eval = NULL;
	cfg.threads = threads;
	cfg.max_seconds = 10;
	struct train_result res = {0};
	rc = train_model(&cfg, sample, NULL, NULL, 0, NULL, &res, err);
	if (rc == 0 && res.seconds > 0) {
		rc = design_probe_record(ws, name, "train", v->version, (int64_t)res.train_rows, res.seconds,
					 threads, err);
		if (rc == 0)
			*probe = json_pack("{s:I,s:o,s:o}", "rows", (json_int_t)res.train_rows, "seconds",
					   json_num(res.seconds), "rows_per_s",
					   json_num((double)res.train_rows / res.seconds));
	}
	train_result_free(&res);
	train_config_free(&cfg);
	return rc;
}

static int probe_serve(struct session *s, struct cmd_call *call, struct pm_err *err);

static int exec_probe(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	if (call_flag(call, "--serve"))
		return probe_serve(s, call, err);
	struct workspace *ws;
	struct frame *f;
	json_t *d;
	long long nrows;
	if (call_opt_int(call, "--rows", 10000, &nrows, err) < 0)
		return -1;
	if (nrows < 1)
		return pm_errcf(err, PM_E_USAGE, "design probe --rows: %lld is not a number of rows, 1 or more", nrows);
	if (open_design(s, call->argv[0], &ws, &d, &f, err) < 0)
		return -1;
	struct reg_version v;
	struct model *m;
	int rc = latest_version(ws, json_string_value(json_object_get(d, "model")), &v, &m, err);
	if (rc < 0) {
		json_decref(d);
		return -1;
	}
	int threads = (int)json_integer_value(json_object_get(json_object_get(d, "hardware"), "threads"));
	if (threads <= 0)
		threads = pm_ncpu();
	long long want;
	if (call_opt_int(call, "--threads", threads, &want, err) < 0) {
		reg_version_free(&v);
		model_free(m);
		json_decref(d);
		return -1;
	}
	if (want < 1 || want > pm_ncpu()) {
		reg_version_free(&v);
		model_free(m);
		json_decref(d);
		return pm_errcf(err, PM_E_USAGE, "design probe --threads: %lld is not 1 to %d (the CPUs of this machine)",
				want, pm_ncpu());
	}
	threads = (int)want;
	/* a bounded sample: the first rows of the dataset */
	size_t n = (size_t)nrows < f->nrows ? (size_t)nrows : f->nrows;
	size_t *rows = xmalloc((n + 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = i;
	struct frame *sample = frame_take(f, f->name, rows, n);
	free(rows);
	char *out = xasprintf("%s/design-probe.%ld.csv", s->ws_dir, (long)getpid());
	struct predict_opts o = {.out = out, .threads = threads};
	struct predict_stats st = {0};
	double t0 = now_s();
	rc = predict_frame(m, sample, &o, &st, err);
	double secs = now_s() - t0;
	unlink(out);
	if (st.rejects_path)
		unlink(st.rejects_path);
	free(out);
	model_free(m);
	if (rc == 0)
		rc = design_probe_record(ws, call->argv[0], "predict", v.version, (int64_t)st.predicted, secs,
					 threads, err);
	json_t *tp = NULL;
	if (rc == 0)
		rc = probe_train(ws, &v, sample, threads, call->argv[0], &tp, err);
	frame_free(sample);
	if (rc == 0)
		call->result = json_pack("{s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:i}", "name", call->argv[0],
					 "kind", "predict", "model", v.model, "version", (json_int_t)v.version, "rows",
					 (json_int_t)st.predicted, "seconds", json_num(secs), "rows_per_s",
					 json_num(secs > 0 ? (double)st.predicted / secs : NAN), "threads",
					 threads);
	if (call->result)
		json_object_set_new(call->result, "train", tp ? tp : json_null());
	else
		json_decref(tp);
	predict_stats_free(&st);
	reg_version_free(&v);
	json_decref(d);
	return rc;
}

/* The sweep's settings, a line each, the best and the design's marked. */
static void render_sweep(json_t *sw, struct sbuf *out)
{
	static const char *const head[] = {"batching", "req/s", "p50 ms", "p99 ms", "errors", ""};
	static const bool right[] = {false, true, true, true, true, false};
	struct table *t = table_new(6, head, right);
	json_t *one;
	size_t i;
	json_int_t best = json_is_integer(json_object_get(sw, "best")) ? json_integer_value(json_object_get(sw, "best")) : -1;
	json_int_t own = json_is_integer(json_object_get(sw, "design")) ? json_integer_value(json_object_get(sw, "design")) : -1;
	json_array_foreach(json_object_get(sw, "settings"), i, one)
	{
		table_take(t, design_batching_text((int)json_integer_value(json_object_get(one, "max_batch")),
						   json_integer_value(json_object_get(one, "max_wait_us"))));
		table_cell(t, "%.4g", json_number_value(json_object_get(one, "req_per_s")));
		table_cell(t, "%.3g", json_number_value(json_object_get(one, "p50_ms")));
		table_cell(t, "%.3g", json_number_value(json_object_get(one, "p99_ms")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(one, "errors")));
		table_str(t, (json_int_t)i == best && (json_int_t)i == own ? "best, the design's"
			     : (json_int_t)i == best			  ? "best"
			     : (json_int_t)i == own			  ? "the design's"
									  : NULL);
	}
	table_render(t, out);
	sbuf_printf(out, "best: %s\n", json_string_value(json_object_get(sw, "why")));
	if (json_is_string(json_object_get(sw, "pick")))
		sbuf_printf(out, "%s\n", json_string_value(json_object_get(sw, "pick")));
}

static void render_probe(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	if (strcmp(json_string_value(json_object_get(r, "kind")), "serve") == 0) {
		sbuf_printf(out, "design %s: server %lld (%s:%lld) answered %lld of %lld requests from %d "
				 "connections in %.3g s: %.4g req/s, p50 %.3g ms, p99 %.3g ms\n",
			    json_string_value(json_object_get(r, "name")),
			    (long long)json_integer_value(json_object_get(r, "server")),
			    json_string_value(json_object_get(r, "model")),
			    (long long)json_integer_value(json_object_get(r, "version")),
			    (long long)json_integer_value(json_object_get(r, "answered")),
			    (long long)json_integer_value(json_object_get(r, "requests")),
			    (int)json_integer_value(json_object_get(r, "concurrency")),
			    json_number_value(json_object_get(r, "seconds")),
			    json_number_value(json_object_get(r, "req_per_s")),
			    json_number_value(json_object_get(r, "p50_ms")),
			    json_number_value(json_object_get(r, "p99_ms")));
		json_t *sw = json_object_get(r, "sweep");
		if (json_is_object(sw))
			render_sweep(sw, out);
		return;
	}
	sbuf_printf(out, "design %s: predicted %lld rows with %s:%lld on %lld threads in %.3g s (%.4g rows/s)\n",
		    json_string_value(json_object_get(r, "name")),
		    (long long)json_integer_value(json_object_get(r, "rows")),
		    json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    (long long)json_integer_value(json_object_get(r, "threads")),
		    json_number_value(json_object_get(r, "seconds")),
		    json_number_value(json_object_get(r, "rows_per_s")));
	json_t *t = json_object_get(r, "train");
	if (json_is_object(t))
		sbuf_printf(out, "  trained one epoch of %lld rows in %.3g s (%.4g rows/s)\n",
			    (long long)json_integer_value(json_object_get(t, "rows")),
			    json_number_value(json_object_get(t, "seconds")),
			    json_number_value(json_object_get(t, "rows_per_s")));
	else
		sbuf_puts(out, "  no training probe: the version has no run to take its options from\n");
}

/* ---- apply ----------------------------------------------------------------------------- */
/* Runs one command line with its result captured as JSON. */
static int run_captured(struct session *s, const char *line, json_t **result, struct pm_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return pm_errf(err, "cannot capture the output of `%s`", line);
	FILE *old_out = s->out;
	enum out_format old_format = s->format;
	s->out = mem;
	s->format = OUT_JSON;
	size_t nhistory = s->nhistory;
	int rc = cmd_run_line(s, line, "design apply", err);
	/* the history holds `design apply` alone: a replay of it runs these again */
	while (s->nhistory > nhistory)
		free(s->history[--s->nhistory]);
	s->format = old_format;
	s->out = old_out;
	fclose(mem);
	if (rc < 0)
		pm_errf(err, "`%s`: %s", line, err->msg);
	else if (result)
		*result = json_loads(buf ? buf : "", JSON_DISABLE_EOF_CHECK, NULL);
	free(buf);
	return rc;
}

/* The version a canary runs beside (0: none), with where it came from:
 * the version the design's earlier apply served (its own "current" when
 * that apply was a canary of the newest already, so applying again plans
 * the same), else the one the production alias names, else the version
 * before the newest. */
static int64_t current_version(struct workspace *ws, json_t *d, int64_t newest, char **why)
{
	json_t *ap = json_object_get(d, "applied");
	const char *model = json_string_value(json_object_get(d, "model"));
	int64_t v = json_integer_value(json_object_get(ap, "version"));
	int64_t cur = json_integer_value(json_object_get(ap, "current"));
	if (v == newest && cur > 0) {
		*why = xasprintf("version %lld is the one the design's canary runs beside", (long long)cur);
		return cur;
	}
	if (v > 0) {
		*why = xasprintf("version %lld is the one the design's earlier apply serves", (long long)v);
		return v;
	}
	struct reg_version rv;
	struct pm_err e;
	char *ref = xasprintf("%s@production", model);
	int rc = reg_resolve(ws, ref, &rv, &e);
	free(ref);
	if (rc == 0) {
		v = rv.version;
		reg_version_free(&rv);
		*why = xasprintf("version %lld is the one alias production names", (long long)v);
		return v;
	}
	*why = xasprintf("version %lld is the one before the newest", (long long)(newest - 1));
	return newest > 1 ? newest - 1 : 0;
}

/* The plan of d (design_plan) for the model's newest version, v. */
static int plan_of(struct session *s, struct workspace *ws, json_t *d, struct reg_version *v, json_t **plan,
		   struct pm_err *err)
{
	struct ws_dataset ds = {0};
	struct model *m;
	if (latest_version(ws, json_string_value(json_object_get(d, "model")), v, &m, err) < 0)
		return -1;
	struct sbuf feats = {0};
	for (size_t i = 0; i < m->tf->ninputs; i++)
		sbuf_printf(&feats, "%s%s", i ? "," : "", m->tf->inputs[i].name);
	model_free(m);
	char *dir = xasprintf("%s/designs", s->ws_dir);
	struct pm_err e;
	char *current_why = NULL;
	int64_t current = current_version(ws, d, v->version, &current_why);
	bool have_ds = ws_dataset_get(ws, json_string_value(json_object_get(d, "data")), &ds, &e) == 0;
	struct design_plan_in in = {.label = v->label, .type = v->type, .features = feats.s ? feats.s : "",
				    .version = v->version,
				    .current = current,
				    .current_why = current_why,
				    .source = have_ds && ds.source && access(ds.source, R_OK) == 0 ? ds.source : NULL,
				    .dir = dir};
	int rc = design_plan(d, &in, plan, err);
	free(current_why);
	if (have_ds)
		ws_dataset_free(&ds);
	free(dir);
	sbuf_free(&feats);
	if (rc < 0)
		reg_version_free(v);
	return rc;
}

/* What an earlier apply started that still stands: its server when it is
 * running (*server_id, else 0) and its trigger when it exists (*trigger_id,
 * else 0). */
static void applied_live(struct session *s, struct workspace *ws, json_t *ap, json_int_t *server_id,
			 json_int_t *trigger_id)
{
	*server_id = *trigger_id = 0;
	json_int_t sid = json_integer_value(json_object_get(ap, "server"));
	json_int_t tid = json_integer_value(json_object_get(ap, "trigger"));
	json_t *list = NULL, *sv;
	struct pm_err e;
	size_t i;
	/* `servers` looks at the process, so a server that died reads so */
	if (sid && run_captured(s, "servers --all", &list, &e) == 0)
		json_array_foreach(json_object_get(list, "servers"), i, sv)
			if (json_integer_value(json_object_get(sv, "id")) == sid &&
			    json_is_string(json_object_get(sv, "status")) &&
			    strcmp(json_string_value(json_object_get(sv, "status")), "running") == 0)
				*server_id = sid;
	json_decref(list);
	json_t *tr;
	if (tid && pipeline_triggers(ws, NULL, &list, &e) == 0) {
		json_array_foreach(json_object_get(list, "triggers"), i, tr)
			if (json_integer_value(json_object_get(tr, "trigger")) == tid)
				*trigger_id = tid;
		json_decref(list);
	}
}

/* A design applied before: the same plan with all it started standing is
 * applied already (0, *done set); --replace stops its server and deletes
 * its trigger first; otherwise the apply is refused, naming them. */
static int apply_again(struct session *s, struct cmd_call *call, struct workspace *ws, json_t *d,
		       json_t *plan, bool *done, struct pm_err *err)
{
	*done = false;
	json_t *ap = json_object_get(d, "applied");
	if (!json_is_object(ap))
		return 0;
	const char *name = call->argv[0];
	json_int_t sid, tid;
	applied_live(s, ws, ap, &sid, &tid);
	bool want_server = !json_is_null(json_object_get(plan, "serve"));
	bool want_trigger = false;
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(plan, "commands"), i, c)
		if (strncmp(json_string_value(c), "pipeline trigger ", 17) == 0)
			want_trigger = true;
	bool same = json_equal(json_object_get(ap, "commands"), json_object_get(plan, "commands")) &&
		    (sid != 0) == want_server && (tid != 0) == want_trigger;
	if (call_flag(call, "--replace")) {
		char *line = NULL;
		int rc = 0;
		if (sid) {
			line = xasprintf("serve stop %lld", (long long)sid);
			rc = run_captured(s, line, NULL, err);
			free(line);
		}
		if (rc == 0 && tid) {
			line = xasprintf("pipeline trigger delete %lld", (long long)tid);
			rc = run_captured(s, line, NULL, err);
			free(line);
		}
		return rc;
	}
	if (same) {
		*done = true;
		return 0;
	}
	struct sbuf what = {0};
	if (sid)
		sbuf_printf(&what, "server %lld (running)", (long long)sid);
	if (tid)
		sbuf_printf(&what, "%strigger %lld of pipeline %s", what.len ? " and " : "", (long long)tid,
			    json_string_value(json_object_get(ap, "pipeline")));
	int rc = pm_errcf(err, PM_E_USAGE,
			  "design %s was applied at %s (version %lld) and started %s; the design, its "
			  "model's newest version or what it started has changed since: `design apply %s "
			  "--replace` %s, `design apply %s --dry-run` shows the new plan",
			  name, json_string_value(json_object_get(ap, "time")),
			  (long long)json_integer_value(json_object_get(ap, "version")),
			  what.len ? what.s : "nothing that still runs", name,
			  what.len ? "stops and deletes them, then applies it" : "applies it anew", name);
	sbuf_free(&what);
	return rc;
}

static int exec_apply(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	json_t *d;
	if (open_design(s, call->argv[0], &ws, &d, NULL, err) < 0)
		return -1;
	const char *model = json_string_value(json_object_get(d, "model"));
	struct reg_version v;
	json_t *plan;
	if (plan_of(s, ws, d, &v, &plan, err) < 0) {
		json_decref(d);
		return -1;
	}
	char *dir = xasprintf("%s/designs", s->ws_dir);
	int rc = 0;
	if (call_flag(call, "--dry-run")) {
		json_object_set_new(plan, "name", json_string(call->argv[0]));
		json_object_set_new(plan, "dry_run", json_true());
		call->result = plan;
		goto out;
	}
	bool done;
	if ((rc = apply_again(s, call, ws, d, plan, &done, err)) < 0 || done) {
		if (rc == 0) {
			/* applied already: nothing is run again */
			json_t *ap = json_object_get(d, "applied");
			json_object_set_new(plan, "name", json_string(call->argv[0]));
			json_object_set_new(plan, "model", json_string(model));
			json_object_set_new(plan, "version", json_integer(v.version));
			json_object_set_new(plan, "unchanged", json_true());
			json_object_set_new(plan, "server",
					    json_pack("{s:O,s:O}", "id", json_object_get(ap, "server"), "url",
						      json_object_get(ap, "url")));
			json_object_set_new(plan, "trigger", json_incref(json_object_get(ap, "trigger")));
			json_object_set_new(plan, "applied_time", json_incref(json_object_get(ap, "time")));
			call->result = plan;
		} else
			json_decref(plan);
		goto out;
	}
	rc = -1;
	const char *file = json_string_value(json_object_get(plan, "pipeline_file"));
	const char *text = json_string_value(json_object_get(plan, "pipeline_text"));
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		pm_errf(err, "%s: %s", dir, strerror(errno));
		json_decref(plan);
		goto out;
	}
	if (fs_write_atomic(file, text, strlen(text), err) < 0) {
		json_decref(plan);
		goto out;
	}
	json_t *cmds = json_object_get(plan, "commands"), *c, *results = json_array(), *server = NULL;
	json_int_t trigger = 0;
	size_t i;
	rc = 0;
	json_array_foreach(cmds, i, c)
	{
		json_t *r = NULL;
		if ((rc = run_captured(s, json_string_value(c), &r, err)) < 0)
			break;
		if (json_equal(c, json_object_get(plan, "serve")))
			server = json_incref(r);
		if (strncmp(json_string_value(c), "pipeline trigger ", 17) == 0)
			trigger = json_integer_value(json_object_get(r, "trigger"));
		json_array_append_new(results, r ? r : json_null());
	}
	if (rc == 0) {
		char now[40];
		ts_now_iso(now, sizeof now);
		json_object_set_new(d, "applied",
				    json_pack("{s:I,s:O,s:O,s:s,s:o,s:O,s:s}", "version", (json_int_t)v.version,
					      "server", server ? json_object_get(server, "id") : json_null(), "url",
					      server ? json_object_get(server, "url") : json_null(), "pipeline",
					      json_string_value(json_object_get(plan, "pipeline")), "trigger",
					      trigger ? json_integer(trigger) : json_null(), "commands",
					      json_object_get(plan, "commands"), "time", now));
		json_t *cn = json_object_get(plan, "canary");
		if (json_is_object(cn))
			json_object_set(json_object_get(d, "applied"), "current", json_object_get(cn, "current"));
		rc = design_save(ws, d, "design apply", err);
	}
	if (rc == 0) {
		json_object_set_new(plan, "name", json_string(call->argv[0]));
		json_object_set_new(plan, "model", json_string(model));
		json_object_set_new(plan, "version", json_integer(v.version));
		json_object_set_new(plan, "results", results);
		json_object_set_new(plan, "server", server ? server : json_null());
		call->result = plan;
	} else {
		json_decref(results);
		json_decref(server);
		json_decref(plan);
	}
out:
	free(dir);
	reg_version_free(&v);
	json_decref(d);
	return rc;
}

/* One load probe of the server the design d would start, with batching b
 * (NULL: the design's own), on an ephemeral port of 127.0.0.1: started,
 * loaded with the dataset's first rows, stopped (its request log flushed).
 * *server gets its id, *version the model version it served. */
static int serve_once(struct session *s, struct workspace *ws, json_t *d, const struct frame *f,
		      const struct design_batching *b, size_t nreq, int conc, double max_s,
		      struct design_load *ld, json_int_t *server, int64_t *version, struct pm_err *err)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *model = json_string_value(json_object_get(d, "model"));
	/* on a port of its own so that it runs beside an applied server */
	json_t *probe_d = json_deep_copy(d);
	json_object_set_new(probe_d, "port", json_integer(0));
	/* a probe measures the version the design serves, alone */
	json_object_del(probe_d, "canary");
	if (b)
		json_object_set_new(probe_d, "batching", json_pack("{s:i,s:I}", "max_batch", b->max_batch,
								   "max_wait_us", (json_int_t)b->max_wait_us));
	struct reg_version v;
	json_t *plan;
	int rc = plan_of(s, ws, probe_d, &v, &plan, err);
	json_decref(probe_d);
	if (rc < 0)
		return -1;
	*version = v.version;
	reg_version_free(&v);
	json_t *sv = NULL;
	rc = run_captured(s, json_string_value(json_object_get(plan, "serve")), &sv, err);
	json_decref(plan);
	json_int_t id = json_integer_value(json_object_get(sv, "id"));
	const char *url = json_string_value(json_object_get(sv, "url"));
	const char *colon = url ? strrchr(url, ':') : NULL;
	if (rc == 0 && (!id || !colon))
		rc = pm_errf(err, "design %s: the server started without an id or address", name);
	if (rc == 0) {
		int nout;
		char **inputs = model_inputs(ws, model, &nout);
		char **bodies = design_load_bodies(f, json_object_get(d, "keys"), inputs, nreq);
		size_t nb = 0;
		while (bodies[nb])
			nb++;
		char *path = xasprintf("/v1/models/%s:predict", model);
		struct design_load_in in = {.port = atoi(colon + 1), .path = path, .bodies = bodies,
					    .nbodies = nb, .requests = nreq, .max_s = max_s,
					    .concurrency = conc};
		rc = design_load(&in, ld, err);
		if (rc < 0)
			pm_errf(err, "design %s: %s", name, err->msg);
		free(path);
		str_list_free(bodies);
		str_list_free(inputs);
	}
	if (id) {
		/* stopped whatever the load did: it drains and flushes its request log */
		char *stop = xasprintf("serve stop %lld", (long long)id);
		struct pm_err e;
		int src = run_captured(s, stop, NULL, rc < 0 ? &e : err);
		free(stop);
		if (rc == 0)
			rc = src;
	}
	json_decref(sv);
	*server = id;
	return rc;
}

static json_t *load_json(const struct design_load *ld, json_int_t server)
{
	return json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:I}", "requests", (json_int_t)ld->sent, "answered",
			 (json_int_t)ld->ok, "errors", (json_int_t)ld->errors, "seconds", json_num(ld->seconds),
			 "req_per_s", json_num((double)ld->ok / ld->seconds), "p50_ms",
			 json_num(ld->p50_s * 1e3), "p99_ms", json_num(ld->p99_s * 1e3), "server", server);
}

/* The sweep: each setting of design_sweep_grid measured as the design's own
 * was, recorded together as one "batching" probe. */
static int sweep_batching(struct session *s, struct workspace *ws, json_t *d, const struct frame *f,
			  size_t nreq, int conc, json_t **out, struct pm_err *err)
{
	struct design_batching grid[DESIGN_SWEEP_MAX];
	size_t n = design_sweep_grid(d, grid);
	json_t *settings = json_array();
	double secs = 0;
	int64_t answered = 0, version = 0;
	for (size_t i = 0; i < n; i++) {
		struct design_load ld = {0};
		json_int_t id = 0;
		/* a shorter bound per setting: the sweep stays a probe */
		if (serve_once(s, ws, d, f, &grid[i], nreq, conc, 2, &ld, &id, &version, err) < 0) {
			json_decref(settings);
			return -1;
		}
		json_t *one = load_json(&ld, id);
		json_object_set_new(one, "max_batch", json_integer(grid[i].max_batch));
		json_object_set_new(one, "max_wait_us", json_integer(grid[i].max_wait_us));
		json_array_append_new(settings, one);
		secs += ld.seconds;
		answered += (int64_t)ld.ok;
	}
	json_t *detail = json_pack("{s:O,s:I}", "settings", settings, "requests", (json_int_t)nreq);
	int rc = design_probe_record_detail(ws, json_string_value(json_object_get(d, "name")), "batching",
					    version, answered, secs, conc, detail, err);
	json_decref(detail);
	if (rc < 0) {
		json_decref(settings);
		return -1;
	}
	*out = settings;
	return 0;
}

/* `design probe --serve`: the design's server under a bounded load, its
 * rate and latencies recorded; then, unless --no-sweep, the batching sweep. */
static int probe_serve(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	long long nreq, conc;
	if (call_opt_int(call, "--requests", 200, &nreq, err) < 0 ||
	    call_opt_int(call, "--concurrency", 4, &conc, err) < 0)
		return -1;
	if (nreq < 1 || nreq > 100000)
		return pm_errcf(err, PM_E_USAGE, "design probe --requests: %lld is not 1 to 100000", nreq);
	if (conc < 1 || conc > 64)
		return pm_errcf(err, PM_E_USAGE, "design probe --concurrency: %lld is not 1 to 64", conc);
	struct workspace *ws;
	struct frame *f;
	json_t *d;
	if (open_design(s, call->argv[0], &ws, &d, &f, err) < 0)
		return -1;
	const char *name = call->argv[0], *model = json_string_value(json_object_get(d, "model"));
	if (strcmp(json_string_value(json_object_get(d, "inference")), "online")) {
		json_decref(d);
		return pm_errcf(err, PM_E_USAGE,
				"design %s: batch inference starts no server to probe (`design set %s "
				"inference online`)",
				name, name);
	}
	struct design_load ld = {0};
	json_int_t id = 0;
	int64_t version = 0;
	int rc = serve_once(s, ws, d, f, NULL, (size_t)nreq, (int)conc, 5, &ld, &id, &version, err);
	json_t *detail = NULL;
	if (rc == 0) {
		detail = load_json(&ld, id);
		json_object_del(detail, "seconds");
		rc = design_probe_record_detail(ws, name, "serve", version, (int64_t)ld.ok, ld.seconds,
						ld.concurrency, detail, err);
	}
	json_t *sweep = NULL;
	if (rc == 0 && !call_flag(call, "--no-sweep"))
		rc = sweep_batching(s, ws, d, f, (size_t)nreq, (int)conc, &sweep, err);
	if (rc == 0) {
		call->result = json_pack("{s:s,s:s,s:s,s:I,s:o,s:i}", "name", name, "kind", "serve", "model",
					 model, "version", (json_int_t)version, "seconds", json_num(ld.seconds),
					 "concurrency", ld.concurrency);
		json_object_update(call->result, detail);
		if (sweep) {
			/* which setting the design would pick, as `design show` says it */
			json_t *tmp = json_pack("{s:O}", "settings", sweep);
			json_t *est = design_sweep_estimate(d, tmp);
			json_decref(tmp);
			json_object_set_new(call->result, "sweep",
					    json_pack("{s:o,s:O,s:O,s:O,s:O}", "settings", sweep, "best",
						      json_object_get(est, "best"), "design",
						      json_object_get(est, "design"), "why",
						      json_object_get(est, "why"), "pick",
						      json_object_get(est, "pick") ? json_object_get(est, "pick")
										   : json_null()));
			json_decref(est);
		}
	} else
		json_decref(sweep);
	json_decref(detail);
	json_decref(d);
	return rc;
}

static void render_apply(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	(void)s, (void)call;
	if (json_is_true(json_object_get(r, "unchanged"))) {
		json_t *sv = json_object_get(r, "server");
		sbuf_printf(out, "design %s is applied already (%s): ", json_string_value(json_object_get(r, "name")),
			    json_string_value(json_object_get(r, "applied_time")));
		if (json_is_integer(json_object_get(sv, "id")))
			sbuf_printf(out, "server %lld at %s", (long long)json_integer_value(json_object_get(sv, "id")),
				    json_string_value(json_object_get(sv, "url")));
		if (json_is_integer(json_object_get(r, "trigger")))
			sbuf_printf(out, "%strigger %lld of pipeline %s",
				    json_is_integer(json_object_get(sv, "id")) ? ", " : "",
				    (long long)json_integer_value(json_object_get(r, "trigger")),
				    json_string_value(json_object_get(r, "pipeline")));
		sbuf_puts(out, "; nothing run\n");
		return;
	}
	bool dry = json_is_true(json_object_get(r, "dry_run"));
	sbuf_printf(out, "# %s %s\n", json_string_value(json_object_get(r, "pipeline_file")),
		    dry ? "(would be written)" : "(written)");
	sbuf_puts(out, json_string_value(json_object_get(r, "pipeline_text")));
	sbuf_printf(out, "# commands%s\n", dry ? " (not run: --dry-run)" : "");
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(r, "commands"), i, c)
		sbuf_printf(out, "%s\n", json_string_value(c));
	json_t *sv = json_object_get(r, "server"), *cn = json_object_get(r, "canary");
	if (json_is_object(sv) && json_is_object(cn)) {
		long long pct = (long long)json_integer_value(json_object_get(cn, "percent"));
		sbuf_printf(out, "server %lld: %s (pid %lld), %s split: version %lld takes %lld%% of the "
				 "requests, the newest, %lld, %lld%% (canary)\n",
			    (long long)json_integer_value(json_object_get(sv, "id")),
			    json_string_value(json_object_get(sv, "url")),
			    (long long)json_integer_value(json_object_get(sv, "pid")),
			    json_string_value(json_object_get(r, "model")),
			    (long long)json_integer_value(json_object_get(cn, "current")), 100 - pct,
			    (long long)json_integer_value(json_object_get(cn, "version")), pct);
	} else if (json_is_object(sv))
		sbuf_printf(out, "server %lld: %s (pid %lld), %s:%lld\n",
			    (long long)json_integer_value(json_object_get(sv, "id")),
			    json_string_value(json_object_get(sv, "url")),
			    (long long)json_integer_value(json_object_get(sv, "pid")),
			    json_string_value(json_object_get(r, "model")),
			    (long long)json_integer_value(json_object_get(r, "version")));
}

/* The keys' help, from src/design's list. */
#define DESIGN_KEYS_HELP \
	"Keys and values: training static|schedule EVERY|on-data GLOB|on-drift; serving " \
	"dynamic|static|hybrid; inference online|batch; hardware cpu [THREADS]|gpu|workers N; " \
	"batching off|MAX_BATCH [MAX_WAIT] (microseconds, or with us, ms, s); keys COL[,COL]; " \
	"table_size N (hybrid: the N most frequent keys); epochs N; traffic N|log (predictions " \
	"per day); port N; canary PERCENT (online: apply serves the newest version to PERCENT of " \
	"the requests beside the current one, 0 to 99, 0: off); monitor.drift, monitor.skew, monitor.p99_ms, monitor.error_rate X; " \
	"price.cpu_hour, price.gpu_hour, price.gb_month X.\n"

/* ---- the table ----------------------------------------------------------------------- */
static const struct cmd_opt no_opts[] = {{0}};
static const struct cmd_opt new_opts[] = {
	{"--model", 0, "M", COMPLETE_MODEL, NULL, "the model the design is for (it has a version)"},
	{"--data", 0, "D", COMPLETE_DATASET, NULL, "the dataset it trains on and serves keys of"},
	{0}};
static const struct cmd_opt probe_opts[] = {
	{"--rows", 0, "N", COMPLETE_NONE, NULL, "rows of the dataset predicted (default 10000)"},
	{"--threads", 0, "N", COMPLETE_NONE, NULL, "CPU threads to measure on (default: the design's)"},
	{"--serve", 0, NULL, COMPLETE_NONE, NULL, "load-probe the design's server instead"},
	{"--requests", 0, "N", COMPLETE_NONE, NULL, "--serve: requests sent (default 200, at most 5 s)"},
	{"--concurrency", 0, "N", COMPLETE_NONE, NULL, "--serve: client connections at once (default 4)"},
	{"--no-sweep", 0, NULL, COMPLETE_NONE, NULL, "--serve: the design's own batching only, no sweep"},
	{0}};
static const struct cmd_opt apply_opts[] = {
	{"--dry-run", 0, NULL, COMPLETE_NONE, NULL, "print the pipeline and the commands; run nothing"},
	{"--replace", 0, NULL, COMPLETE_NONE, NULL, "stop the server and delete the trigger an earlier apply started"},
	{0}};

const struct cmd_entry cmd_group_design[] = {
	{.name = "design new", .group = "design", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = new_opts, .summary = "a new architecture design for a model and its data",
	 .help = "A design names the choices of a training/serving architecture for one model and "
		 "dataset: training (static, schedule EVERY, on-data GLOB, on-drift), serving (dynamic, "
		 "static, hybrid), inference (online, batch), hardware, batching, the lookup keys, "
		 "monitoring thresholds and prices (see `design set`). It starts from the defaults "
		 "the course advises until the data says otherwise: static training, dynamic serving, "
		 "online inference, all CPUs, no batching. The model must have a version and the "
		 "dataset must exist. Designs live in the workspace (table designs).",
	 .exec = exec_new, .render = render_show},
	{.name = "design set", .group = "design", .args = "NAME KEY VALUE..", .min_args = 3, .max_args = -1,
	 .opts = no_opts, .summary = "change one choice of a design",
	 .help = DESIGN_KEYS_HELP
	 "A choice the data or this machine cannot carry is refused with the reason: static or "
	 "hybrid serving over a continuous key column (a float or a timestamp: the message names the "
	 "column and its distinct count), a hardware choice that is not built or not present (gpu, "
	 "workers, more CPU threads than the machine has), a price or threshold that is not a "
	 "number, an unknown key.",
	 .exec = exec_set, .render = render_set},
	{.name = "design show", .group = "design", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = no_opts, .summary = "a design's choices and its estimates, each with its source",
	 .help = "Prints the choices, then each estimate with where its number came from:\n"
		 "static serving: offered, or why not (no key columns, or a continuous key);\n"
		 "training s/run: the dataset's rows × epochs / the rows/s measured by the model's newest "
		 "finished run (its epochs' rows over their seconds);\n"
		 "train HARDWARE: the same per hardware choice, over the same epochs: the design's own "
		 "and one CPU thread always, and any thread count, MPI workers (`train --workers`) or "
		 "GPU a run or probe measured; each from the newest finished run of the model on it, "
		 "else the newest training probe with those threads (`design probe --threads N`); one "
		 "nothing measured says \"not measured\" and the command that measures it;\n"
		 "staleness s: the mean age of the served model under the training trigger, the "
		 "interval between runs / 2 + a run's seconds (at worst the interval + a run): the "
		 "schedule's period; on-data, the mean interval between the modification times of the "
		 "files the glob matches; on-drift, the mean interval between the model's drift alerts "
		 "(alerts of one time count once); with fewer than two arrivals, or static training, "
		 "the reason it is not estimated;\n"
		 "predict rows/s: measured by `design probe`;\n"
		 "serve req/s, p50 and p99 ms (online serving): measured by `design probe --serve`, "
		 "a client's view of the design's server; without a probe, the applied server's own "
		 "figures once it has answered requests (its rate over the last second, the server-side "
		 "latency of its recent requests);\n"
		 "batch SETTING req/s: the batching sweep of `design probe --serve`, each setting's "
		 "req/s, p50 and p99, the design's marked; batching best: the setting with the most "
		 "req/s among those that answered every request within monitor.p99_ms (when set; "
		 "none within it: the lowest p99), why, and the `design set` that picks it;\n"
		 "table entries and bytes (static, hybrid): the distinct keys seen in the dataset (the "
		 "key space, the product of the key columns' distinct counts, is shown beside them), "
		 "hybrid's top table_size of them, and the bytes serve --lookup's table takes: per entry "
		 "the key's text and NUL, a pointer and a length (13 bytes) and 8 per output, plus 4 per "
		 "hash slot (a power of two, at least 16 and twice the entries); a server that built "
		 "such a table shows its measured bytes too;\n"
		 "precompute s: the entries / the probed predict rate;\n"
		 "hit rate: of a table of the table_size most requested keys, over the rows of the "
		 "model's request log that carry the key column;\n"
		 "cost: from the prices, per month (730 hours) and per million predictions (the design's "
		 "traffic, else the request log's rate), with the arithmetic.\n"
		 "A number nothing measured says what to run. With -o json: {\"design\",\"estimates\"}.",
	 .exec = exec_show, .render = render_show},
	{.name = "design list", .group = "design", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "the designs of the workspace",
	 .help = "One line per design: model, data, training, serving, inference and the version "
		 "it deployed when applied. With -o json: {\"designs\":[{\"name\",\"model\",\"data\","
		 "\"training\",\"serving\",\"inference\",\"applied\",\"updated\"}]}.",
	 .exec = exec_list, .render = render_list},
	{.name = "design compare", .group = "design", .args = "A B", .min_args = 2, .max_args = 2,
	 .opts = no_opts, .summary = "two designs' choices and estimates side by side",
	 .help = "The choices and the estimates of `design show` of both, a row each. With -o json: "
		 "{\"designs\":[SHOW_A, SHOW_B]}.",
	 .exec = exec_compare, .render = render_compare},
	{.name = "design drop", .group = "design", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = no_opts, .summary = "remove a design and its probes",
	 .help = "Removes the design and the measurements its probes recorded; a pipeline or "
		 "server it applied stays.",
	 .exec = exec_drop, .render = render_drop},
	{.name = "design probe", .group = "design", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = probe_opts, .summary = "measure the predict and training rates, or the server and its batching",
	 .help = "Predicts the first --rows rows of the design's dataset with the model's newest "
		 "version on the design's CPU threads, then trains one epoch over them with the "
		 "options of the run that made that version (at most 10 seconds; the model trained "
		 "is thrown away, nothing is registered), and records the rows, seconds and threads "
		 "of each: `design show` turns them into the time to precompute a lookup table, the "
		 "cost of batch prediction, and, when the model has no finished run of its own, the "
		 "training time per run.\n"
		 "With --serve it measures online serving instead: it starts the server `design apply` "
		 "would start (the design's model version, threads, batching and lookup table) on an "
		 "ephemeral port of 127.0.0.1, sends --requests requests (default 200; at most 5 "
		 "seconds) of one row each, the dataset's first rows with the key columns and the "
		 "model's inputs, from --concurrency client connections at once (default 4), stops the "
		 "server (it flushes its request log) and records the answered requests per second and "
		 "the p50 and p99 latency a client saw: `design show` gives them as the online serving "
		 "estimate. Then it sweeps batching the same way, a server per setting (at most 2 "
		 "seconds each): no batching, --max-batch 4 and 16 × --batch-timeout-us 250 and 2000, "
		 "and the design's own setting; each setting's req/s, p50 and p99 are recorded together, "
		 "and `design show` names the best and why. A batch larger than the connections in "
		 "flight never fills, so it waits its whole timeout: the sweep shows that price. "
		 "--no-sweep measures the design's own setting only. Batch inference has no server to "
		 "probe. --threads N measures the predict and training rates on N CPU threads instead "
		 "of the design's (`design show` gives the training time per thread count measured).",
	 .exec = exec_probe, .render = render_probe},
	{.name = "design apply", .group = "design", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = apply_opts, .summary = "write and load the design's pipeline and start its server",
	 .help = "Writes the pipeline the design stands for to WORKSPACE/designs/design-NAME.pipeline "
		 "(a train step with the model's label and type, after a load step of each new file "
		 "for on-data training, and a predict step for batch inference), loads it with "
		 "`pipeline load`, adds its trigger (`pipeline trigger --every`, `--on-file` or "
		 "`--on-alert drift`), and for online inference starts `serve M:V --detach` with the "
		 "design's port, threads, batching and lookup table (--lookup KEY --lookup-data D, "
		 "hybrid with --lookup-size), V being the model's newest version. With a canary share "
		 "(`design set NAME canary 10`) the server is `serve M --split CUR=90,V=10` instead: the "
		 "newest version takes that share of the requests beside the current one (the version "
		 "the design's earlier apply serves, else the one alias production names, else the one "
		 "before the newest; a canary with no other version is refused), and apply says which "
		 "version takes what. The design records the version, server and pipeline it deployed "
		 "(and a canary's current version). --dry-run prints the file and the commands without "
		 "running them.\n"
		 "Applying again runs nothing when the plan is the one applied and its server and "
		 "trigger still stand: it says so. When the design, the model's newest version or "
		 "what was started has changed (a server stopped or died, a trigger deleted), it is "
		 "refused, naming the server and trigger the earlier apply started; --replace stops "
		 "that server (`serve stop`) and deletes that trigger (`pipeline trigger delete`) "
		 "before applying.",
	 .exec = exec_apply, .render = render_apply},
	{0}};
