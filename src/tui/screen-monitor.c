/* The Monitor screen: the models with logged requests → a model's
 * dashboard, the `monitor MODEL` result as panels (traffic per minute,
 * latency percentiles, errors, the prediction distribution when the result
 * has one, skew and drift of every feature against its threshold) above the
 * model's open alerts → every alert of the workspace.
 *
 * The dashboard runs `monitor MODEL` as a command, so that it is in the
 * session history and opens the alerts the command opens.  While shown it
 * checks the request log (a count and the last id: cheap) every few seconds
 * and runs the command again when the log moved; a refresh that repeats the
 * command just recorded is recorded once.  Acknowledging an alert (`alerts
 * ack ID`) and diagnosing (`monitor diagnose MODEL`) are commands too; lists
 * are read from the workspace. */
#include "internal.h"

#include "monitor/monitor.h"
#include "plot/plot.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LIST_REFRESH_S 2.0
/* the log is looked at this often at least, and at most every tenth of
 * the time `monitor` took, so a long log does not keep the screen busy */
#define CHECK_S 2.0
#define CHECK_FACTOR 10

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *jstr(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

static void fmt_num(json_t *v, int width, char *buf, size_t n)
{
	if (json_is_number(v))
		tui_fmt_num(json_number_value(v), width, buf, n);
	else
		snprintf(buf, n, "-");
}

/* A distance to four decimals, as `monitor` prints them. */
static void dist_text(json_t *v, int width, char *buf, size_t n)
{
	if (json_is_number(v))
		tui_fmt_num(round(json_number_value(v) * 1e4) / 1e4, width, buf, n);
	else
		snprintf(buf, n, "-");
}

/* ---- alerts: rows shared by the dashboard and the alerts view ----------------------- */
enum { A_ID, A_TIME, A_MODEL, A_KIND, A_FEATURE, A_VALUE, A_THRESHOLD, A_STATUS, A_NCOLS };
static const struct tui_col alert_cols[A_NCOLS] = {
	[A_ID] = {"id", 3, true},
	[A_TIME] = {"opened", 16},
	[A_MODEL] = {"model", 10},
	[A_KIND] = {"kind", 10},
	[A_FEATURE] = {"feature", 12, .flex = true},
	[A_VALUE] = {"value", 7, true},
	[A_THRESHOLD] = {"threshold", 9, true},
	[A_STATUS] = {"status", 6, false, 1},
};

/* The alerts of one model (NULL: all); open ones only unless all. */
static int alerts_read(struct workspace *ws, const char *model, bool all, json_t **out,
		       struct pm_err *err)
{
	json_t *list;
	if (monitor_alert_list(ws, all, &list, err) < 0)
		return -1;
	json_t *keep = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a)
	{
		if (!model || !strcmp(str_of(a, "model"), model))
			json_array_append(keep, a);
	}
	json_decref(list);
	*out = keep;
	return 0;
}

/* Lays out (and draws the header of) the alert columns; the dashboard's
 * alerts are all of its model and all open. */
static void alerts_header(struct tui *t, bool with_model, int y, int x, int w, int *cx, int *cw)
{
	struct tui_col c[A_NCOLS];
	int map[A_NCOLS], n = 0;
	for (int i = 0; i < A_NCOLS; i++) {
		cx[i] = -1;
		cw[i] = 0;
		if (!with_model && (i == A_MODEL || i == A_STATUS))
			continue;
		map[n] = i;
		c[n++] = alert_cols[i];
	}
	int x2[A_NCOLS], w2[A_NCOLS];
	tui_cols_layout(c, n, x, w, x2, w2);
	for (int k = 0; k < n; k++) {
		cx[map[k]] = x2[k];
		cw[map[k]] = w2[k];
	}
	tui_cols_header(t, c, n, x2, w2, y);
}

/* Alert a's column c: its text into b and its style (st: the row's). */
static enum style alert_cell(json_t *a, int c, bool cur, int width, enum style st,
			     struct sbuf *b)
{
	bool open = !strcmp(str_of(a, "status"), "open");
	char buf[64];
	enum style cs = st;
	buf[0] = 0;
	switch (c) {
	case A_ID:
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(a, "id")));
		cs = cur ? S_CELL_CUR : st;
		break;
	case A_TIME:
		tui_short_time(str_of(a, "time"), buf, sizeof buf);
		cs = cur ? st : S_INFO;
		break;
	case A_MODEL: snprintf(buf, sizeof buf, "%s", str_of(a, "model")); break;
	case A_KIND:
		snprintf(buf, sizeof buf, "%s", str_of(a, "kind"));
		cs = cur ? S_WARN_CUR : open ? S_WARN : S_INFO;
		break;
	case A_FEATURE:
		snprintf(buf, sizeof buf, "%s",
			 json_is_string(json_object_get(a, "feature")) ? str_of(a, "feature") : "-");
		break;
	case A_VALUE: dist_text(json_object_get(a, "value"), width, buf, sizeof buf); break;
	case A_THRESHOLD: fmt_num(json_object_get(a, "threshold"), width, buf, sizeof buf); break;
	case A_STATUS:
		snprintf(buf, sizeof buf, "%s", str_of(a, "status"));
		cs = cur || open ? st : S_INFO;
		break;
	}
	sbuf_puts(b, buf);
	return cs;
}

/* A row of the dashboard's alerts. */
static void alert_row(struct tui *t, json_t *a, int y, int x, int w, const int *cx,
		      const int *cw, bool cur)
{
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	if (cur)
		tui_fill(t, y, x, w, st);
	for (int c = 0; c < A_NCOLS; c++) {
		if (cx[c] < 0)
			continue;
		struct sbuf b = {0};
		enum style cs = alert_cell(a, c, cur, cw[c], st, &b);
		tui_cell(t, y, cx[c], cw[c], cs, b.s ? b.s : "", alert_cols[c].right);
		sbuf_free(&b);
	}
}

/* Runs `alerts ack ID` for the alert a. */
static void ack(struct tui *t, json_t *a)
{
	if (strcmp(str_of(a, "status"), "open") != 0) {
		tui_error(t, "alert %lld is %s already",
			  (long long)json_integer_value(json_object_get(a, "id")), str_of(a, "status"));
		return;
	}
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(a, "id")));
	char *what = json_is_string(json_object_get(a, "feature"))
			     ? xasprintf("%s of %s", str_of(a, "kind"), str_of(a, "feature"))
			     : xstrdup(str_of(a, "kind"));
	char *model = xstrdup(str_of(a, "model"));
	char *words[] = {"alerts", "ack", id, NULL};
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, NULL, &err) < 0)
		tui_error(t, "%s", err.msg);
	else
		tui_msg(t, "alert %s acknowledged: %s, %s", id, model, what);
	free(what);
	free(model);
}

/* ---- the dashboard ----------------------------------------------------------------- */
struct dash {
	struct view v;
	char *model;
	char *window;       /* --window, or NULL for the command's default */
	json_t *res;        /* the last result of `monitor` */
	char *err;
	json_t *alerts;     /* the model's open alerts: the cursor's rows */
	int64_t log_n, log_last; /* the request log when res was made */
	double checked, run_s;
	unsigned gen;
	bool ran;
	bool features_cut;  /* not every feature fitted */
};

/* The requests logged for model: how many and the last id. */
static int log_mark(struct tui *t, const char *model, int64_t *n, int64_t *last,
		    struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(t->s, &ws, err) < 0)
		return -1;
	return monitor_log_mark(ws, model, n, last, err);
}

/* The history keeps one of two equal commands in a row: a refresh of
 * the dashboard adds nothing to replay. */
static void history_fold(struct session *s, size_t before)
{
	if (s->nhistory == before + 1 && before > 0 &&
	    !strcmp(s->history[before], s->history[before - 1])) {
		free(s->history[before]);
		s->nhistory--;
	}
}

static void read_alerts(struct dash *d, struct tui *t)
{
	json_decref(d->alerts);
	d->alerts = NULL;
	struct pm_err err = {0};
	struct workspace *ws;
	if (session_ws(t->s, &ws, &err) < 0 || alerts_read(ws, d->model, false, &d->alerts, &err) < 0) {
		d->alerts = json_array();
		if (!d->err)
			d->err = xstrdup(err.msg);
	}
	d->v.sc.n = json_array_size(d->alerts);
	scroller_fix(&d->v.sc);
}

static void run_monitor(struct dash *d, struct tui *t)
{
	char *words[6] = {"monitor", d->model, NULL};
	if (d->window) {
		words[2] = "--window";
		words[3] = d->window;
	}
	struct pm_err err = {0};
	int64_t n = 0, last = 0;
	log_mark(t, d->model, &n, &last, &err);
	size_t before = t->s->nhistory;
	double t0 = now_seconds();
	json_t *res;
	if (tui_exec_json(t, words, &res, &err) < 0) {
		free(d->err);
		d->err = xstrdup(err.msg);
	} else {
		history_fold(t->s, before);
		json_decref(d->res);
		d->res = res;
		free(d->err);
		d->err = NULL;
	}
	d->run_s = now_seconds() - t0;
	d->log_n = n;
	d->log_last = last;
	d->ran = true;
	d->checked = now_seconds();
	read_alerts(d, t);
	d->gen = t->gen;
}

static void dash_sync(struct dash *d, struct tui *t)
{
	if (!d->ran) {
		run_monitor(d, t);
		return;
	}
	double period = d->run_s * CHECK_FACTOR > CHECK_S ? d->run_s * CHECK_FACTOR : CHECK_S;
	bool moved = d->gen != t->gen;
	if (!moved && !tui_due(&d->checked, period))
		return;
	int64_t n, last;
	struct pm_err err = {0};
	if (log_mark(t, d->model, &n, &last, &err) == 0 && (n != d->log_n || last != d->log_last)) {
		run_monitor(d, t);
		return;
	}
	if (moved) {
		read_alerts(d, t);
		d->gen = t->gen;
	}
}

/* Values summed into buckets so that n of them fit in w columns; *per
 * gets the values per column. */
static double *bucketed(const double *v, size_t n, int w, size_t *nb, int *per)
{
	int k = w > 0 && n > (size_t)w ? (int)((n + (size_t)w - 1) / (size_t)w) : 1;
	*nb = (n + (size_t)k - 1) / (size_t)k;
	double *b = xcalloc(*nb ? *nb : 1, sizeof *b);
	for (size_t i = 0; i < n; i++)
		b[i / (size_t)k] += v[i];
	*per = k;
	return b;
}

/* A field of every window of the series ("requests", "errors"). */
static double *series_values(json_t *r, const char *key, size_t *n)
{
	json_t *series = json_object_get(r, "series");
	*n = json_array_size(series);
	double *v = xcalloc(*n ? *n : 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = json_number_value(json_object_get(json_array_get(series, i), key));
	return v;
}

static void sparkline(struct tui *t, int y, int x, int w, const double *v, size_t n)
{
	struct sbuf b = {0};
	plot_sparkline(&b, v, n, t->utf8);
	tui_put(t, y, x, w, S_SPARK, b.s);
	sbuf_free(&b);
}

/* Requests per minute over the whole log (buckets of several minutes when
 * it is long), or per window of the series when the minutes are too many
 * for the result to list them. */
static int panel_traffic(struct tui *t, json_t *r, const char *window, int y, int x, int w)
{
	json_t *pm = json_object_get(r, "per_minute");
	size_t n = json_array_size(pm), nb;
	double *v;
	const char *unit = "minute";
	if (n) {
		v = xcalloc(n, sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = (double)json_integer_value(json_array_get(pm, i));
	} else {
		v = series_values(r, "requests", &n);
		unit = window ? window : "1h";
	}
	int per;
	double *b = bucketed(v, n, w, &nb, &per);
	int at = x + tui_put(t, y, x, w, S_SECTION, "Traffic");
	if (per == 1)
		tui_putf(t, y, at, x + w - at, S_INFO, "  requests per %s", unit);
	else
		tui_putf(t, y, at, x + w - at, S_INFO, "  requests per %d %s%s", per, unit,
			 strcmp(unit, "minute") ? " windows" : "s");
	double peak = 0;
	for (size_t i = 0; i < nb; i++)
		peak = b[i] > peak ? b[i] : peak;
	if (nb)
		sparkline(t, y + 1, x, w, b, nb);
	else
		tui_put(t, y + 1, x, w, S_INFO, "no requests");
	char a[32];
	tui_fmt_num(peak, 8, a, sizeof a);
	tui_putf(t, y + 2, x, w, S_NORMAL, "%lld requests  %lld rows  peak %s",
		 (long long)json_integer_value(json_object_get(r, "requests")),
		 (long long)json_integer_value(json_object_get(r, "rows")), a);
	free(v);
	free(b);
	return 3;
}

static int panel_errors(struct tui *t, json_t *r, const char *window, int y, int x, int w)
{
	long long n = (long long)json_integer_value(json_object_get(r, "requests"));
	long long e = (long long)json_integer_value(json_object_get(r, "errors"));
	int at = x + tui_put(t, y, x, w, S_SECTION, "Errors");
	char pct[32] = "";
	if (n)
		snprintf(pct, sizeof pct, " (%.2f%%)", 100.0 * (double)e / (double)n);
	tui_putf(t, y, at, x + w - at, e ? S_WARN : S_NORMAL, "  %lld of %lld%s", e, n, pct);
	struct sbuf b = {0};
	const char *k;
	json_t *c;
	json_object_foreach(json_object_get(r, "errors_by_status"), k, c)
		sbuf_printf(&b, "%s%s %s%lld", b.len ? "  " : "", k, t->g->times,
			    (long long)json_integer_value(c));
	tui_putf(t, y + 1, x, w, b.len ? S_WARN : S_INFO, "by status: %s", b.len ? b.s : "none");
	sbuf_free(&b);
	/* the last two windows of the series, which counts rolled-up requests too */
	json_t *ser = json_object_get(r, "series");
	size_t ns = json_array_size(ser);
	json_t *cur = ns ? json_array_get(ser, ns - 1) : NULL;
	json_t *prev = ns > 1 ? json_array_get(ser, ns - 2) : NULL;
	if (cur)
		tui_putf(t, y + 2, x, w, S_NORMAL, "last %s: %lld of %lld, before: %lld of %lld",
			 window ? window : "1h",
			 (long long)json_integer_value(json_object_get(cur, "errors")),
			 (long long)json_integer_value(json_object_get(cur, "requests")),
			 (long long)json_integer_value(json_object_get(prev, "errors")),
			 (long long)json_integer_value(json_object_get(prev, "requests")));
	int rows = cur ? 3 : 2;
	size_t n_s;
	double *ev = series_values(r, "errors", &n_s);
	double emax = 0;
	for (size_t i = 0; i < n_s; i++)
		emax = ev[i] > emax ? ev[i] : emax;
	if (n_s > 1 && emax == 0) {
		tui_putf(t, y + rows++, x, w, S_INFO, "per %s: none in %zu windows",
			 window ? window : "1h", n_s);
	} else if (n_s > 1) {
		int per;
		size_t nb;
		int lab = tui_putf(t, y + rows, x, w, S_NORMAL, "per %s: ", window ? window : "1h");
		double *b = bucketed(ev, n_s, w - lab, &nb, &per);
		sparkline(t, y + rows++, x + lab, w - lab, b, nb);
		free(b);
	}
	free(ev);
	return rows;
}

static int panel_latency(struct tui *t, json_t *r, int y, int x, int w)
{
	json_t *lat = json_object_get(r, "latency");
	tui_put(t, y, x, w, S_SECTION, "Latency ms");
	static const char *const ps[] = {"p50", "p90", "p95", "p99"};
	double max = 0;
	for (int i = 0; i < 4; i++) {
		json_t *v = json_object_get(lat, ps[i]);
		if (json_is_number(v) && json_number_value(v) > max)
			max = json_number_value(v);
	}
	int bw = w - 4 - 9;
	int rows = 1;
	for (int i = 0; i < 4; i++) {
		json_t *v = json_object_get(lat, ps[i]);
		if (!v)
			continue;
		int yy = y + rows++;
		tui_put(t, yy, x, 4, S_NORMAL, ps[i]);
		if (bw >= 4) {
			struct sbuf b = {0};
			plot_bar(&b, json_is_number(v) ? json_number_value(v) : 0, max, bw, t->utf8);
			tui_put(t, yy, x + 4, bw, S_SPARK, b.s);
			sbuf_free(&b);
		}
		char num[32] = "-";
		if (json_is_number(v))
			snprintf(num, sizeof num, "%.2f", json_number_value(v));
		tui_cell(t, yy, x + w - 8, 8, S_NORMAL, num, true);
	}
	return rows;
}

/* The prediction distribution of `monitor`: {"kind":"histogram","edges",
 * "counts","mean","rows"} for numbers, {"kind":"classes","classes",
 * "counts","shares","rows"} for classes. */
static int panel_predictions(struct tui *t, json_t *p, int y, int x, int w)
{
	int at = x + tui_put(t, y, x, w, S_SECTION, "Predictions");
	tui_putf(t, y, at, x + w - at, S_INFO, "  %lld rows",
		 (long long)json_integer_value(json_object_get(p, "rows")));
	int rows = 1;
	json_t *counts = json_object_get(p, "counts");
	size_t n = json_array_size(counts);
	if (!strcmp(str_of(p, "kind"), "histogram") && n) {
		double *v = xcalloc(n, sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = json_number_value(json_array_get(counts, i));
		/* a bucket a column, up to three when there is room */
		int per = (int)((size_t)w / n);
		per = per > 3 ? 3 : per < 1 ? 1 : per;
		struct sbuf b = {0};
		plot_sparkline(&b, v, n, t->utf8);
		const char *s = b.s;
		for (size_t i = 0; i < n && (int)(i + 1) * per <= w; i++) {
			size_t len = utf8_fit(s, 1);
			char *glyph = xstrndup(s, len);
			for (int k = 0; k < per; k++)
				tui_put(t, y + rows, x + (int)i * per + k, 1, S_SPARK, glyph);
			free(glyph);
			s += len;
		}
		sbuf_free(&b);
		free(v);
		rows++;
		json_t *edges = json_object_get(p, "edges");
		char lo[32], hi[32], mean[32];
		fmt_num(json_array_get(edges, 0), 9, lo, sizeof lo);
		fmt_num(json_array_get(edges, json_array_size(edges) - 1), 9, hi, sizeof hi);
		fmt_num(json_object_get(p, "mean"), 9, mean, sizeof mean);
		tui_putf(t, y + rows++, x, w, S_NORMAL, "%s to %s, mean %s", lo, hi, mean);
	} else if (n) {
		/* the classes by share, the largest first */
		json_t *names = json_object_get(p, "classes"), *shares = json_object_get(p, "shares");
		size_t *o = xcalloc(n, sizeof *o);
		for (size_t i = 0; i < n; i++)
			o[i] = i;
		for (size_t i = 1; i < n; i++)
			for (size_t k = i; k > 0 && json_number_value(json_array_get(counts, o[k])) >
							   json_number_value(json_array_get(counts, o[k - 1]));
			     k--) {
				size_t tmp = o[k];
				o[k] = o[k - 1];
				o[k - 1] = tmp;
			}
		int lines = n < 3 ? (int)n : 3;
		int lw = 1;
		for (int i = 0; i < lines; i++) {
			int nw = utf8_width(jstr(json_array_get(names, o[i])));
			lw = nw > lw ? nw : lw;
		}
		lw = lw > 12 ? 12 : lw;
		for (int i = 0; i < lines; i++) {
			double sh = json_number_value(json_array_get(shares, o[i]));
			tui_cell(t, y + rows, x, lw, S_NORMAL,
				 jstr(json_array_get(names, o[i])), false);
			struct sbuf b = {0};
			int bw = w - lw - 1 - 7;
			if (bw >= 4) {
				plot_bar(&b, sh, 1.0, bw, t->utf8);
				tui_put(t, y + rows, x + lw + 1, bw, S_SPARK, b.s);
			}
			sbuf_free(&b);
			char pct[32];
			snprintf(pct, sizeof pct, "%.1f%%", 100 * sh);
			tui_cell(t, y + rows++, x + w - 6, 6, S_NORMAL, pct, true);
		}
		free(o);
	}
	return rows;
}

/* ---- skew and drift bars ---------------------------------------------------------- */
/* Features by their larger distance, the largest first: what needs a look
 * comes first. */
static double worst(json_t *f)
{
	double m = -1;
	static const char *const k[] = {"skew", "drift"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(f, k[i]);
		if (json_is_number(v) && json_number_value(v) > m)
			m = json_number_value(v);
	}
	return m;
}

static int by_worst(const void *a, const void *b)
{
	double x = worst(*(json_t *const *)a), y = worst(*(json_t *const *)b);
	return (x < y) - (x > y);
}

/* The features of a result, sorted; the array is freed by the caller, the
 * objects are borrowed. */
static json_t **sorted_features(json_t *r, size_t *n)
{
	json_t *fs = json_object_get(r, "features");
	*n = json_array_size(fs);
	json_t **v = xcalloc(*n ? *n : 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = json_array_get(fs, i);
	/* a merge sort would be stable; names break the ties instead */
	qsort(v, *n, sizeof *v, by_worst);
	return v;
}

struct feat_layout {
	int name_x, name_w, dist_x, skew_x, drift_x, thr_x, val_w, bar_w;
};

static void feat_layout(struct feat_layout *L, json_t **fs, size_t n, int x, int w)
{
	int longest = 7;
	for (size_t i = 0; i < n; i++) {
		int lw = utf8_width(str_of(fs[i], "name"));
		longest = lw > longest ? lw : longest;
	}
	L->name_w = longest < 10 ? 10 : longest > 20 ? 20 : longest;
	L->val_w = 6;
	/* name, distance kind, two (value, bar) pairs, threshold */
	int fixed = 1 + L->name_w + 2 + 4 + 2 + (L->val_w + 1) * 2 + 2 + 2 + 9 + 1;
	L->bar_w = (w - fixed) / 2;
	if (L->bar_w > 40)
		L->bar_w = 40;
	if (L->bar_w < 3)
		L->bar_w = 0;
	L->name_x = x + 1;
	L->dist_x = L->name_x + L->name_w + 2;
	L->skew_x = L->dist_x + 4 + 2;
	L->drift_x = L->skew_x + L->val_w + 1 + L->bar_w + 2;
	L->thr_x = L->drift_x + L->val_w + 1 + L->bar_w + 2;
}

/* The columns of a feature row: the skew and drift ones hold a value and its bar. */
enum { F_NAME, F_DIST, F_SKEW, F_DRIFT, F_THRESHOLD, F_NCOLS };
static const struct tui_col feat_cols[F_NCOLS] = {
	{"feature"}, {"dist"}, {"skew (vs training)"}, {"drift (vs before)"}, {"threshold", 0, true},
};

static void feat_cols_of(const struct feat_layout *L, int *cx, int *cw)
{
	int bw = L->val_w + 1 + L->bar_w;
	int x[F_NCOLS] = {L->name_x, L->dist_x, L->skew_x, L->drift_x, L->thr_x};
	int w[F_NCOLS] = {L->name_w, 4, bw, bw, 9};
	memcpy(cx, x, sizeof x);
	memcpy(cw, w, sizeof w);
}

static void feat_header(struct tui *t, const struct feat_layout *L, int y)
{
	int cx[F_NCOLS], cw[F_NCOLS];
	feat_cols_of(L, cx, cw);
	tui_cols_header(t, feat_cols, F_NCOLS, cx, cw, y);
}

/* The threshold of one side ("skew", "drift"): its own when the result
 * has one (a schema may set them apart), else the feature's. */
static double side_threshold(json_t *f, const char *side)
{
	char k[32];
	snprintf(k, sizeof k, "%s_threshold", side);
	json_t *th = json_object_get(f, k);
	if (!json_is_number(th))
		th = json_object_get(f, "threshold");
	return json_is_number(th) ? json_number_value(th) : INFINITY;
}

static bool side_alert(json_t *f, const char *side)
{
	char k[32];
	snprintf(k, sizeof k, "%s_alert", side);
	json_t *a = json_object_get(f, k);
	if (json_is_boolean(a))
		return json_is_true(a);
	json_t *v = json_object_get(f, side);
	return json_is_number(v) && json_number_value(v) > side_threshold(f, side);
}

/* A distance and its bar on [0, 1], the threshold marked where the bar
 * does not reach it; over the threshold it is in the warning style. */
static void dist_cell(struct tui *t, int y, int x, const struct feat_layout *L, json_t *f,
		      const char *side, bool cur)
{
	json_t *v = json_object_get(f, side);
	double thr = side_threshold(f, side);
	char num[32];
	dist_text(v, L->val_w, num, sizeof num);
	bool over = side_alert(f, side);
	enum style st = over ? (cur ? S_WARN_CUR : S_WARN) : cur ? S_ROW_CUR : S_NORMAL;
	tui_cell(t, y, x, L->val_w, st, num, true);
	if (!L->bar_w)
		return;
	double d = json_is_number(v) ? json_number_value(v) : 0;
	struct sbuf b = {0};
	plot_bar(&b, d, 1.0, L->bar_w, t->utf8);
	enum style bs = over ? (cur ? S_WARN_CUR : S_WARN) : cur ? S_SPARK_CUR : S_SPARK;
	tui_put(t, y, x + L->val_w + 1, L->bar_w, bs, b.s);
	sbuf_free(&b);
	int tx = isfinite(thr) ? (int)(thr * L->bar_w) : L->bar_w;
	if (thr > 0 && tx < L->bar_w && (int)(d * L->bar_w) < tx)
		tui_put(t, y, x + L->val_w + 1 + tx, 1, cur ? S_ROW_CUR : S_RULE, t->g->vline);
}

static void feat_row(struct tui *t, const struct feat_layout *L, json_t *f, int y, bool cur)
{
	bool alert = json_is_true(json_object_get(f, "alert"));
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	tui_cell(t, y, L->name_x, L->name_w, alert ? (cur ? S_WARN_CUR : S_WARN) : st,
		 str_of(f, "name"), false);
	tui_cell(t, y, L->dist_x, 4, cur ? st : S_TYPE, str_of(f, "distance"), false);
	dist_cell(t, y, L->skew_x, L, f, "skew", cur);
	dist_cell(t, y, L->drift_x, L, f, "drift", cur);
	/* one threshold, or the skew's and the drift's when they differ */
	double ts = side_threshold(f, "skew"), td = side_threshold(f, "drift");
	char a[32], b[32], num[64];
	tui_fmt_num(ts, 4, a, sizeof a);
	tui_fmt_num(td, 4, b, sizeof b);
	if (strcmp(a, b) != 0)
		snprintf(num, sizeof num, "%s/%s", a, b);
	else
		tui_fmt_num(ts, 9, num, sizeof num);
	tui_cell(t, y, L->thr_x, 9, st, num, true);
}

static void dash_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct dash *d = (struct dash *)v;
	dash_sync(d, t);
	int yy = y;
	if (d->err)
		tui_put(t, yy++, x + 1, w - 2, S_WARN, d->err);
	json_t *r = d->res;
	if (!r)
		return;
	/* what the numbers are of */
	int at = x + 1 + tui_put(t, yy, x + 1, w - 2, S_TITLE, d->model);
	struct sbuf b = {0};
	if (json_object_get(r, "version"))
		sbuf_printf(&b, "  version %lld",
			    (long long)json_integer_value(json_object_get(r, "version")));
	if (json_object_get(r, "baseline"))
		sbuf_printf(&b, "  baseline %s", str_of(r, "baseline"));
	sbuf_printf(&b, "  window %s", d->window ? d->window : "1h");
	if (json_object_get(r, "first")) {
		/* the day once when the log is within one day */
		const char *f = str_of(r, "first"), *l = str_of(r, "last");
		bool same_day = strlen(f) >= 16 && strlen(l) >= 16 && !strncmp(f, l, 11);
		sbuf_printf(&b, "  %.16s to %.*s", f, same_day ? 5 : 16, same_day ? l + 11 : l);
	}
	tui_put(t, yy++, at, x + w - 1 - at, S_INFO, b.s ? b.s : "");
	sbuf_free(&b);
	yy++;
	/* the panels: traffic and errors on the left, latency and predictions
	 * on the right */
	int lw = (w - 3) / 2, rx = x + 2 + lw + 1, rw = x + w - 1 - rx;
	int left = panel_traffic(t, r, d->window, yy, x + 1, lw);
	left += 1 + panel_errors(t, r, d->window, yy + left + 1, x + 1, lw);
	int right = panel_latency(t, r, yy, rx, rw);
	json_t *pred = json_object_get(r, "predictions");
	if (json_is_object(pred))
		right += 1 + panel_predictions(t, pred, yy + right + 1, rx, rw);
	yy += (left > right ? left : right) + 1;
	/* skew and drift: as many features as fit above the alerts */
	size_t nf;
	json_t **fs = sorted_features(r, &nf);
	size_t na = json_array_size(d->alerts);
	int alert_rows = na ? (na < 3 ? (int)na : 3) + 2 : 2;
	int room = y + h - yy - 1 - alert_rows - 1;
	d->features_cut = false;
	if (nf && room >= 1 && room < 3) {
		/* no room for the table: what it would say */
		size_t over = 0;
		for (size_t i = 0; i < nf; i++)
			over += json_is_true(json_object_get(fs[i], "alert"));
		d->features_cut = true;
		tui_putf(t, yy++, x + 1, w - 2, over ? S_WARN : S_INFO,
			 "Skew and drift: %zu feature%s, %zu over the threshold (f lists them)", nf,
			 nf == 1 ? "" : "s", over);
	} else if (nf && room >= 3) {
		struct feat_layout L;
		feat_layout(&L, fs, nf, x, w);
		feat_header(t, &L, yy++);
		size_t shown = nf <= (size_t)(room - 1) ? nf : (size_t)(room - 2);
		for (size_t i = 0; i < shown; i++)
			feat_row(t, &L, fs[i], yy++, false);
		if (shown < nf) {
			d->features_cut = true;
			tui_putf(t, yy++, x + 1, w - 2, S_INFO, "%zu more features: f lists them all",
				 nf - shown);
		}
	} else if (!nf) {
		json_int_t nreq = json_integer_value(json_object_get(r, "requests"));
		tui_put(t, yy++, x + 1, w - 2, S_INFO,
			!json_object_get(r, "baseline")
				? "No skew or drift: no training data to compare with (monitor --baseline NAME)."
			: nreq && json_integer_value(json_object_get(r, "rolled_up")) == nreq
				? "No features: these requests are rolled up, and rollups keep no feature values."
				: "No features: the logged requests carry none of the training data's columns.");
	}
	free(fs);
	yy++;
	/* the open alerts, with the cursor */
	if (yy >= y + h)
		return;
	at = x + 1 + tui_put(t, yy, x + 1, w - 2, S_SECTION, "Open alerts");
	tui_putf(t, yy++, at, x + w - 1 - at, S_INFO, "  %zu", na);
	if (!na) {
		tui_put(t, yy, x + 1, w - 2, S_INFO, "none");
		return;
	}
	int cx[A_NCOLS], cw[A_NCOLS];
	alerts_header(t, false, yy++, x, w, cx, cw);
	int rows = y + h - yy;
	v->sc.page = rows > 0 ? rows : 1;
	scroller_fix(&v->sc);
	for (int i = 0; i < rows; i++) {
		size_t k = v->sc.top + (size_t)i;
		if (k >= na)
			break;
		alert_row(t, json_array_get(d->alerts, k), yy + i, x, w, cx, cw, k == v->sc.cur);
	}
}

static void dash_enter(struct view *v, struct tui *t)
{
	dash_sync((struct dash *)v, t);
}

static void dash_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct dash *d = (struct dash *)v;
	size_t na = json_array_size(d->alerts);
	if (!d->res)
		snprintf(buf, n, "%s", d->err ? "failed" : "");
	else
		snprintf(buf, n, "%lld requests, %zu open alert%s",
			 (long long)json_integer_value(json_object_get(d->res, "requests")), na,
			 na == 1 ? "" : "s");
}

static void dash_free(struct view *v)
{
	struct dash *d = (struct dash *)v;
	free(d->model);
	free(d->window);
	json_decref(d->res);
	json_decref(d->alerts);
	free(d->err);
}

static void k_ack(struct tui *t, struct view *v, int key)
{
	struct dash *d = (struct dash *)v;
	dash_sync(d, t);
	if (!json_array_size(d->alerts)) {
		tui_error(t, "%s has no open alerts", d->model);
		return;
	}
	ack(t, json_array_get(d->alerts, v->sc.cur));
}

static void k_refresh(struct tui *t, struct view *v, int key)
{
	run_monitor((struct dash *)v, t);
}

/* `monitor diagnose MODEL`: the likely causes, most likely first. */
static void diagnose(struct tui *t, const char *model, const char *window)
{
	char *m = xstrdup(model);
	char *w = window ? xstrdup(window) : NULL;
	char *words[] = {"monitor", "diagnose", m, w ? "--window" : NULL, w, NULL};
	char *out = NULL;
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, &out, &err) < 0) {
		tui_error(t, "%s", err.msg);
	} else {
		char *title = xasprintf("diagnose %s", m);
		tui_push(t, textview_new(title, out ? out : ""));
		free(title);
	}
	free(out);
	free(m);
	free(w);
}

static void k_diagnose(struct tui *t, struct view *v, int key)
{
	struct dash *d = (struct dash *)v;
	diagnose(t, d->model, d->window);
}

static struct view *features_new(struct dash *d);

static void k_features(struct tui *t, struct view *v, int key)
{
	struct dash *d = (struct dash *)v;
	if (!d->res || !json_array_size(json_object_get(d->res, "features"))) {
		tui_error(t, "no features to list");
		return;
	}
	tui_push(t, features_new(d));
}

/* The drift window last picked on model's dashboard, or NULL (1h). */
static const char *window_of(const struct tui *t, const char *model)
{
	return settings_get(t->windows, model);
}

static void window_accept(struct tui *t, struct view *v, const char *text)
{
	struct dash *d = (struct dash *)v;
	char *old = d->window;
	d->window = xstrdup(text);
	run_monitor(d, t);
	if (d->err) {
		/* a bad duration: the dashboard stays as it was */
		tui_error(t, "%s", d->err);
		free(d->err);
		d->err = NULL;
		free(d->window);
		d->window = old;
		return;
	}
	free(old);
	settings_put(&t->windows, d->model, d->window);
}

static void k_window(struct tui *t, struct view *v, int key)
{
	struct dash *d = (struct dash *)v;
	prompt_open(t, P_COLUMN, "drift window (90s, 30m, 1h, 2d): ", d->window ? d->window : "1h",
		    v, window_accept);
	prompt_set_words(t, str_split("10m,30m,1h,6h,1d,7d", ',', NULL));
}

static struct view *alertlist_new(void);

static void k_alerts(struct tui *t, struct view *v, int key)
{
	tui_push(t, alertlist_new());
}

static const struct key_binding dash_b[] = {
	{{'a'}, "acknowledge the selected alert (alerts ack ID)", "ack", k_ack},
	{{'d'}, "the likely causes (monitor diagnose MODEL)", "diagnose", k_diagnose},
	{{'f'}, "every feature's skew and drift", "features", k_features},
	{{'w'}, "drift window: the last one against the one before (--window)", "window",
	 k_window},
	{{'r'}, "run monitor now (it reruns by itself on new requests)", NULL, k_refresh},
	{{'A'}, "the alerts of every model", "alerts", k_alerts},
	{{0}},
};
static const struct key_table dash_keys = {"Dashboard", dash_b};

const struct view_class dash_class = {
	.name = "dashboard",
	.about = "Dashboard: `monitor MODEL` as panels (traffic, latency, errors, predictions, "
		 "skew and drift against the thresholds) and the model's open alerts; Up and "
		 "Down pick an alert.  It reruns monitor when new requests are logged.",
	.keys = {&dash_keys, &nav_keys, NULL},
	.draw = dash_draw,
	.enter = dash_enter,
	.free = dash_free,
	.info = dash_info,
};

struct view *monitor_dashboard_new(struct tui *t, const char *model)
{
	struct dash *d = xcalloc(1, sizeof *d);
	view_init(&d->v, &dash_class, model);
	d->model = xstrdup(model);
	const char *w = window_of(t, model);
	d->window = w ? xstrdup(w) : NULL;
	return &d->v;
}

/* ---- every feature of a dashboard ---------------------------------------------------- */
struct featlist {
	struct listview lv;
	json_t *res;        /* the dashboard's result when opened */
	json_t **fs;        /* its features, sorted */
	struct feat_layout L;
};

static void fl_clear(struct listview *lv)
{
	struct featlist *fl = (struct featlist *)lv;
	free(fl->fs);
	fl->fs = NULL;
	json_decref(fl->res);
	fl->res = NULL;
}

static bool fl_match(struct listview *lv, size_t i, const char *pat)
{
	return tui_strcasestr(str_of(((struct featlist *)lv)->fs[i], "name"), pat) != NULL;
}

static void fl_layout(struct listview *lv, int x, int w, int *cx, int *cw)
{
	struct featlist *fl = (struct featlist *)lv;
	feat_layout(&fl->L, fl->fs, lv->n, x, w);
	feat_cols_of(&fl->L, cx, cw);
}

static void fl_row(struct listview *lv, struct tui *t, size_t i, int y, int x, int w,
		   const int *cx, const int *cw, bool cur)
{
	struct featlist *fl = (struct featlist *)lv;
	feat_row(t, &fl->L, fl->fs[i], y, cur);
}

static const struct listview_ops fl_ops = {
	.free_rows = fl_clear,
	.match = fl_match,
	.row = fl_row,
	.layout = fl_layout,
};

static void fl_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct featlist *fl = (struct featlist *)v;
	size_t alerts = 0, i;
	json_t *f;
	json_array_foreach(json_object_get(fl->res, "features"), i, f)
		alerts += json_is_true(json_object_get(f, "alert"));
	snprintf(buf, n, "%zu features, %zu over the threshold", v->sc.n, alerts);
}

const struct view_class featlist_class = {
	.name = "features",
	.about = "Features: skew (logged values against the training data) and drift (the last "
		 "window against the one before) of every input, the largest first; L-infinity "
		 "distance for categorical features, Jensen-Shannon divergence for numeric ones.",
	.keys = {&nav_keys, NULL},
	.draw = listview_draw,
	.free = listview_free,
	.info = fl_info,
	.search = listview_search,
	.click = listview_click,
};

static struct view *features_new(struct dash *d)
{
	struct featlist *fl = xcalloc(1, sizeof *fl);
	listview_init(&fl->lv, &featlist_class, "features", &fl_ops, feat_cols, F_NCOLS);
	fl->res = json_incref(d->res);
	fl->fs = sorted_features(fl->res, &fl->lv.n);
	fl->lv.v.sc.n = fl->lv.n;
	return &fl->lv.v;
}

/* ---- every alert ---------------------------------------------------------------------- */
struct alertlist {
	struct listview lv;
	json_t *rows;
	bool all;           /* acknowledged ones too (alerts --all) */
};

static void al_clear(struct listview *lv)
{
	struct alertlist *l = (struct alertlist *)lv;
	json_decref(l->rows);
	l->rows = NULL;
}

static int al_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	struct alertlist *l = (struct alertlist *)lv;
	if (alerts_read(ws, NULL, l->all, &l->rows, err) < 0)
		return -1;
	*n = json_array_size(l->rows);
	return 0;
}

static char *al_key(struct listview *lv, size_t i)
{
	json_t *a = json_array_get(((struct alertlist *)lv)->rows, i);
	return xasprintf("%lld", (long long)json_integer_value(json_object_get(a, "id")));
}

static bool al_match(struct listview *lv, size_t i, const char *pat)
{
	static const char *const keys[] = {"model", "kind", "feature", "status", NULL};
	json_t *a = json_array_get(((struct alertlist *)lv)->rows, i);
	for (const char *const *k = keys; *k; k++)
		if (tui_strcasestr(str_of(a, *k), pat))
			return true;
	return false;
}

static enum style al_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			  enum style st, struct sbuf *b)
{
	return alert_cell(json_array_get(((struct alertlist *)lv)->rows, i), c, cur, width, st, b);
}

static void al_empty(struct listview *lv, struct tui *t, int y, int x, int h, int w)
{
	tui_put(t, y + 1, x + 1, w - 2, S_INFO,
		((struct alertlist *)lv)->all ? "No alerts yet." : "No open alerts.");
	tui_put(t, y + 3, x + 1, w - 2, S_NORMAL,
		"monitor MODEL opens one when a feature's skew or drift passes its threshold.");
}

static const struct listview_ops al_ops = {
	.load = al_load,
	.free_rows = al_clear,
	.key = al_key,
	.match = al_match,
	.cell = al_cell,
	.empty = al_empty,
	.period = LIST_REFRESH_S,
};

static void al_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct alertlist *l = (struct alertlist *)v;
	size_t k = json_array_size(l->rows), open = 0, i;
	json_t *a;
	json_array_foreach(l->rows, i, a) open += !strcmp(str_of(a, "status"), "open");
	if (l->all)
		snprintf(buf, n, "%zu alert%s, %zu open", k, k == 1 ? "" : "s", open);
	else
		snprintf(buf, n, "%zu open alert%s", k, k == 1 ? "" : "s");
}

static json_t *al_current(struct tui *t, struct view *v)
{
	struct alertlist *l = (struct alertlist *)v;
	size_t i;
	if (!listview_current(&l->lv, t, &i)) {
		tui_error(t, l->all ? "no alerts" : "no open alerts");
		return NULL;
	}
	return json_array_get(l->rows, i);
}

static void k_al_ack(struct tui *t, struct view *v, int key)
{
	json_t *a = al_current(t, v);
	if (a)
		ack(t, a);
}

static void k_al_all(struct tui *t, struct view *v, int key)
{
	struct alertlist *l = (struct alertlist *)v;
	l->all = !l->all;
	listview_sync(&l->lv, t, true);
	tui_msg(t, l->all ? "every alert, acknowledged ones too" : "open alerts");
}

static void k_al_open(struct tui *t, struct view *v, int key)
{
	json_t *a = al_current(t, v);
	if (!a)
		return;
	char *model = xstrdup(str_of(a, "model"));
	tui_push(t, monitor_dashboard_new(t, model));
	free(model);
}

static const struct key_binding al_b[] = {
	{{K_ENTER}, "the dashboard of the alert's model", "dashboard", k_al_open},
	{{'a'}, "acknowledge the selected alert (alerts ack ID)", "ack", k_al_ack},
	{{'t'}, "also list acknowledged alerts (alerts --all)", "all", k_al_all},
	{{0}},
};
static const struct key_table al_keys = {"Alerts", al_b};

const struct view_class alertlist_class = {
	.name = "alerts",
	.about = "Alerts: skew and drift over their thresholds, one open alert per model, kind "
		 "and feature until acknowledged; monitor MODEL opens them.",
	.keys = {&al_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = al_info,
	.search = listview_search,
	.click = listview_click,
};

static struct view *alertlist_new(void)
{
	struct alertlist *l = xcalloc(1, sizeof *l);
	listview_init(&l->lv, &alertlist_class, "alerts", &al_ops, alert_cols, A_NCOLS);
	return &l->lv.v;
}

/* ---- the models with logged requests ----------------------------------------------- */
struct monlist {
	struct listview lv;
	struct monitor_model *rows;
};

static void ml_clear(struct listview *lv)
{
	struct monlist *m = (struct monlist *)lv;
	monitor_models_free(m->rows, lv->n);
	m->rows = NULL;
}

static int ml_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	return monitor_models(ws, &((struct monlist *)lv)->rows, n, err);
}

static char *ml_key(struct listview *lv, size_t i)
{
	return xstrdup(((struct monlist *)lv)->rows[i].model);
}

static bool ml_matches(struct listview *lv, size_t i, const char *pat)
{
	return tui_strcasestr(((struct monlist *)lv)->rows[i].model, pat) != NULL;
}

enum { M_MODEL, M_REQ, M_ERR, M_RATE, M_ALERTS, M_SERVERS, M_LAST, M_NCOLS };
static const struct tui_col mon_cols[M_NCOLS] = {
	[M_MODEL] = {"model", 14, .flex = true},
	[M_REQ] = {"requests", 9, true},
	[M_ERR] = {"errors", 7, true},
	[M_RATE] = {"error %", 7, true},
	[M_ALERTS] = {"alerts", 6, true},
	[M_SERVERS] = {"servers", 7, true, 1},
	[M_LAST] = {"last request", 16},
};

static enum style ml_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			  enum style st, struct sbuf *b)
{
	const struct monitor_model *r = &((struct monlist *)lv)->rows[i];
	char buf[64];
	switch (c) {
	case M_MODEL: sbuf_puts(b, r->model); return cur ? S_CELL_CUR : st;
	case M_REQ: sbuf_printf(b, "%lld", (long long)r->requests); break;
	case M_ERR:
		sbuf_printf(b, "%lld", (long long)r->errors);
		return r->errors && !cur ? S_WARN : st;
	case M_RATE:
		sbuf_printf(b, "%.2f", r->requests ? 100.0 * (double)r->errors / (double)r->requests : 0);
		break;
	case M_ALERTS:
		sbuf_printf(b, "%lld", (long long)r->alerts);
		return r->alerts && !cur ? S_WARN : st;
	case M_SERVERS: sbuf_printf(b, "%lld", (long long)r->servers); break;
	case M_LAST: {
		char last[64];
		ts_format(r->last_us, last, sizeof last);
		tui_short_time(last, buf, sizeof buf);
		sbuf_puts(b, buf);
		return cur ? st : S_INFO;
	}
	}
	return st;
}

static void ml_empty(struct listview *lv, struct tui *t, int y, int x, int h, int w)
{
	tui_put(t, y + 1, x + 1, w - 2, S_INFO, "No requests logged yet.");
	tui_put(t, y + 3, x + 1, w - 2, S_NORMAL,
		"Start a server on the Serve screen (4) and send it requests, or log a");
	tui_put(t, y + 4, x + 1, w - 2, S_NORMAL,
		"dataset's rows as requests: monitor ingest MODEL --data NAME");
}

static const struct listview_ops ml_ops = {
	.load = ml_load,
	.free_rows = ml_clear,
	.key = ml_key,
	.match = ml_matches,
	.cell = ml_cell,
	.empty = ml_empty,
	.period = LIST_REFRESH_S,
};

static void ml_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	size_t k = ((struct listview *)v)->n;
	snprintf(buf, n, "%zu model%s with requests", k, k == 1 ? "" : "s");
}

static const char *ml_current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t, &i)) {
		tui_error(t, "no requests logged yet: serve a model (4) or monitor ingest MODEL --data NAME");
		return NULL;
	}
	return ((struct monlist *)v)->rows[i].model;
}

static void k_ml_open(struct tui *t, struct view *v, int key)
{
	const char *model = ml_current(t, v);
	if (model)
		tui_push(t, monitor_dashboard_new(t, model));
}

static void k_ml_diagnose(struct tui *t, struct view *v, int key)
{
	const char *model = ml_current(t, v);
	if (model) {
		char *m = xstrdup(model);
		diagnose(t, m, window_of(t, m));
		free(m);
	}
}

static const struct key_binding ml_b[] = {
	{{K_ENTER}, "the model's dashboard (runs monitor MODEL)", "dashboard", k_ml_open},
	{{'d'}, "the likely causes (monitor diagnose MODEL)", "diagnose", k_ml_diagnose},
	{{'A'}, "the alerts of every model", "alerts", k_alerts},
	{{0}},
};
static const struct key_table ml_keys = {"Monitored models", ml_b};

const struct view_class monlist_class = {
	.name = "monitored",
	.about = "Monitored models: the models with requests in the request log, their errors, "
		 "open alerts and running servers.",
	.keys = {&ml_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = ml_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *monitor_screen_open(struct tui *t)
{
	struct monlist *m = xcalloc(1, sizeof *m);
	listview_init(&m->lv, &monlist_class, "Monitored models", &ml_ops, mon_cols, M_NCOLS);
	return &m->lv.v;
}

/* The status line: open alerts, whatever the tab. */
void monitor_status(struct tui *t, char *buf, size_t n)
{
	struct workspace *ws;
	struct pm_err err = {0};
	int64_t k;
	if (session_ws(t->s, &ws, &err) < 0 || monitor_alert_count_open(ws, &k, &err) < 0)
		return;
	if (k)
		snprintf(buf, n, "%lld open alert%s", (long long)k, k == 1 ? "" : "s");
}
