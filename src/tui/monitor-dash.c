/* A model's dashboard on the Monitor screen: the `monitor MODEL` result as
 * panels (traffic per minute, latency percentiles, errors, the prediction
 * distribution when the result has one, skew and drift of every feature
 * against its threshold) above the model's open alerts.
 *
 * The dashboard runs `monitor MODEL` as a command, so that it is in the
 * session history and opens the alerts the command opens.  While shown it
 * checks the request log (a count and the last id: cheap) every few seconds
 * and runs the command again when the log moved; a refresh that repeats the
 * command just recorded is recorded once.  Acknowledging an alert (`alerts
 * ack ID`) and diagnosing (`monitor diagnose MODEL`) are commands too. */
#include "internal.h"

#include "monitor/monitor.h"
#include "plot/plot.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the log is looked at this often at least, and at most every tenth of
 * the time `monitor` took, so a long log does not keep the screen busy */
#define CHECK_S 2.0
#define CHECK_FACTOR 10

static const char *jstr(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

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
	if (!strcmp(tui_jstr(p, "kind"), "histogram") && n) {
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
		tui_json_num(json_array_get(edges, 0), 9, lo, sizeof lo);
		tui_json_num(json_array_get(edges, json_array_size(edges) - 1), 9, hi, sizeof hi);
		tui_json_num(json_object_get(p, "mean"), 9, mean, sizeof mean);
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

/* What the numbers are of: the model, version, baseline, window and the
 * time the log spans. */
static void dash_title(struct dash *d, struct tui *t, int y, int x, int w)
{
	json_t *r = d->res;
	int at = x + 1 + tui_put(t, y, x + 1, w - 2, S_TITLE, d->model);
	struct sbuf b = {0};
	if (json_object_get(r, "version"))
		sbuf_printf(&b, "  version %lld",
			    (long long)json_integer_value(json_object_get(r, "version")));
	if (json_object_get(r, "baseline"))
		sbuf_printf(&b, "  baseline %s", tui_jstr(r, "baseline"));
	sbuf_printf(&b, "  window %s", d->window ? d->window : "1h");
	if (json_object_get(r, "first")) {
		/* the day once when the log is within one day */
		const char *f = tui_jstr(r, "first"), *l = tui_jstr(r, "last");
		bool same_day = strlen(f) >= 16 && strlen(l) >= 16 && !strncmp(f, l, 11);
		sbuf_printf(&b, "  %.16s to %.*s", f, same_day ? 5 : 16, same_day ? l + 11 : l);
	}
	tui_put(t, y, at, x + w - 1 - at, S_INFO, b.s ? b.s : "");
	sbuf_free(&b);
}

/* Skew and drift: as many features as fit in room lines (a line that
 * counts them when the table does not fit); returns the next line. */
static int dash_features(struct dash *d, struct tui *t, int yy, int x, int w, int room)
{
	json_t *r = d->res;
	size_t nf;
	json_t **fs = feat_sorted(r, &nf);
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
	return yy;
}

/* The open alerts, with the cursor, from line yy to the bottom. */
static void dash_alerts(struct dash *d, struct tui *t, int yy, int x, int w, int bottom)
{
	struct view *v = &d->v;
	size_t na = json_array_size(d->alerts);
	if (yy >= bottom)
		return;
	int at = x + 1 + tui_put(t, yy, x + 1, w - 2, S_SECTION, "Open alerts");
	tui_putf(t, yy++, at, x + w - 1 - at, S_INFO, "  %zu", na);
	if (!na) {
		tui_put(t, yy, x + 1, w - 2, S_INFO, "none");
		return;
	}
	int cx[TUI_MAX_COLS], cw[TUI_MAX_COLS];
	alerts_header(t, false, yy++, x, w, cx, cw);
	int rows = bottom - yy;
	v->sc.page = rows > 0 ? rows : 1;
	scroller_fix(&v->sc);
	for (int i = 0; i < rows; i++) {
		size_t k = v->sc.top + (size_t)i;
		if (k >= na)
			break;
		alert_row(t, json_array_get(d->alerts, k), yy + i, x, w, cx, cw, k == v->sc.cur);
	}
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
	dash_title(d, t, yy++, x, w);
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
	/* the features above the alerts' title, header and first three */
	size_t na = json_array_size(d->alerts);
	int alert_rows = na ? (na < 3 ? (int)na : 3) + 2 : 2;
	yy = dash_features(d, t, yy, x, w, y + h - yy - 1 - alert_rows - 1);
	dash_alerts(d, t, yy + 1, x, w, y + h);
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
	alert_ack(t, json_array_get(d->alerts, v->sc.cur));
}

static void k_refresh(struct tui *t, struct view *v, int key)
{
	run_monitor((struct dash *)v, t);
}

/* `monitor diagnose MODEL`: the likely causes, most likely first. */
void dash_diagnose(struct tui *t, const char *model, const char *window)
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
	dash_diagnose(t, d->model, d->window);
}

static void k_features(struct tui *t, struct view *v, int key)
{
	struct dash *d = (struct dash *)v;
	if (!d->res || !json_array_size(json_object_get(d->res, "features"))) {
		tui_error(t, "no features to list");
		return;
	}
	tui_push(t, featlist_new(d->res));
}

const char *dash_window(const struct tui *t, const char *model)
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

static const struct key_binding dash_b[] = {
	{{'a'}, "acknowledge the selected alert (alerts ack ID)", "ack", k_ack},
	{{'d'}, "the likely causes (monitor diagnose MODEL)", "diagnose", k_diagnose},
	{{'f'}, "every feature's skew and drift", "features", k_features},
	{{'w'}, "drift window: the last one against the one before (--window)", "window",
	 k_window},
	{{'r'}, "run monitor now (it reruns by itself on new requests)", NULL, k_refresh},
	{{'A'}, "the alerts of every model", "alerts", alertlist_key},
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
	const char *w = dash_window(t, model);
	d->window = w ? xstrdup(w) : NULL;
	return &d->v;
}

