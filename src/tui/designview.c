/* A design's architecture as a diagram: data → validate → transform →
 * train on the top row, train ↓ registry, then registry → serve → monitor
 * back along the bottom row (right to left, so the arrows stay short), and
 * the retrain loop from monitor around the right edge back into train.
 * Each box shows the design's choice for its stage and the estimates of
 * `design show NAME` that belong to it; the foot shows where the cursor's
 * box's figures came from.  Choices change from keys (s, t, i) or from the
 * command line prefilled with `design set NAME KEY ` (Enter): each is a
 * command, so it is in the history, and the diagram reads `design show`
 * again after every command.
 *
 * The layout is fixed (seven stages, one loop) rather than dagview's
 * layered layout, which has no cycles; ddiag_layout knows no terminal, so
 * the unit test checks it. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { ST_DATA, ST_VALIDATE, ST_TRANSFORM, ST_TRAIN, ST_REGISTRY, ST_SERVE, ST_MONITOR, ST_N };

static const char *const stage_name[ST_N] = {"data", "validate", "transform", "train",
					     "registry", "serve", "monitor"};
/* the `design set` key that Enter prefills for each box ("" : none) */
static const char *const stage_key[ST_N] = {"data", "", "keys", "training", "model", "serving",
					    "monitor.drift"};

#define DD_GAP 3
#define DD_LOOP 3   /* columns right of the boxes for the retrain loop */

int ddiag_layout(int w, int h, struct ddiag *L, struct pm_err *err)
{
	memset(L, 0, sizeof *L);
	L->bw = (w - 3 * DD_GAP - DD_LOOP) / 4;
	if (L->bw > 30)
		L->bw = 30;
	L->bh = h >= 20 ? 7 : 6;
	if (L->bw < 12 || h < 2 * L->bh + 4)
		return pm_errf(err, "the design diagram needs %d×%d cells, not %d×%d",
			       4 * 12 + 3 * DD_GAP + DD_LOOP, 2 * 6 + 4, w, h);
	for (int i = 0; i < 4; i++) {
		L->x[i] = i * (L->bw + DD_GAP);
		L->y[i] = 0;
	}
	/* the bottom row runs back: registry under train, monitor under validate */
	for (int i = 0; i < 3; i++) {
		L->x[ST_REGISTRY + i] = L->x[3 - i];
		L->y[ST_REGISTRY + i] = L->bh + 2;
	}
	L->loop_x = L->x[ST_TRAIN] + L->bw + DD_LOOP - 1;
	L->loop_y = 2 * L->bh + 3;
	L->width = L->loop_x + 1;
	L->height = L->loop_y + 1;
	return 0;
}

/* ---- the view -------------------------------------------------------------------------- */
struct designview {
	struct view v;
	char *name;
	json_t *res;     /* `design show NAME` */
	char *err;       /* why the last read failed */
	unsigned gen;
};

static json_t *dsgn(struct designview *d)
{
	return json_object_get(d->res, "design");
}

static json_t *est(struct designview *d, const char *what)
{
	return json_object_get(json_object_get(d->res, "estimates"), what);
}

static void reread(struct designview *d, struct tui *t)
{
	char *words[] = {"design", "show", d->name, NULL};
	json_t *r;
	struct pm_err err = {0};
	int rc = tui_read_json(t, words, &r, &err);
	d->gen = t->gen;
	free(d->err);
	d->err = NULL;
	if (rc < 0) {
		d->err = xstrdup(err.msg);
		return;
	}
	json_decref(d->res);
	d->res = r;
}

/* "label value unit" in a box of inner columns: the number made to fit */
static void num_text(json_t *v, const char *label, const char *unit, int inner, struct sbuf *b)
{
	char buf[32];
	int room = inner - (int)strlen(label) - 1 - (int)strlen(unit);
	tui_json_num(v, room < 4 ? 4 : room, buf, sizeof buf);
	sbuf_printf(b, "%s %s%s\n", label, buf, json_is_number(v) ? unit : "");
}

static void training_text(json_t *tr, struct sbuf *b)
{
	const char *kind = tui_jstr(tr, "kind");
	if (!strcmp(kind, "schedule"))
		sbuf_printf(b, "every %s", tui_jstr(tr, "every"));
	else if (!strcmp(kind, "on-data"))
		sbuf_printf(b, "on data %s", tui_jstr(tr, "glob"));
	else
		sbuf_puts(b, *kind ? kind : "-");
}

static void keys_text(json_t *d, struct sbuf *b)
{
	json_t *k = json_object_get(d, "keys");
	if (!json_array_size(k)) {
		sbuf_puts(b, "no key");
		return;
	}
	sbuf_puts(b, "key ");
	for (size_t i = 0; i < json_array_size(k); i++)
		sbuf_printf(b, "%s%s", i ? "," : "", json_string_value(json_array_get(k, i)));
}

/* The monthly cost of one item ("training", "serving"), or NULL. */
static json_t *cost_item(json_t *cost, const char *what)
{
	json_t *it;
	size_t i;
	json_array_foreach(json_object_get(cost, "items"), i, it)
		if (!strcmp(tui_jstr(it, "what"), what))
			return json_object_get(it, "monthly");
	return NULL;
}

/* A box's lines: its choice, then its figures (measured or estimated). */
static void box_text(struct designview *d, int st, int inner, struct sbuf *b)
{
	json_t *g = dsgn(d), *cost = est(d, "cost");
	switch (st) {
	case ST_DATA: {
		sbuf_printf(b, "%s\n", tui_jstr(g, "data"));
		json_t *tpd = json_object_get(g, "traffic_per_day");
		if (json_is_number(tpd))
			num_text(tpd, "traffic", "/d", inner, b);
		else
			sbuf_puts(b, "traffic: log\n");
		break;
	}
	case ST_VALIDATE: sbuf_printf(b, "schema of %s\n", tui_jstr(g, "data")); break;
	case ST_TRANSFORM: {
		keys_text(g, b);
		long long ts = (long long)json_integer_value(json_object_get(g, "table_size"));
		if (ts)
			sbuf_printf(b, " top %lld", ts);
		sbuf_putc(b, '\n');
		json_t *stc = est(d, "static");
		sbuf_printf(b, "static %s\n", json_is_true(json_object_get(stc, "offered")) ? "ok" : "no");
		break;
	}
	case ST_TRAIN: {
		training_text(json_object_get(g, "training"), b);
		json_t *hw = json_object_get(g, "hardware");
		long long th = (long long)json_integer_value(json_object_get(hw, "threads"));
		sbuf_printf(b, ", %s", *tui_jstr(hw, "kind") ? tui_jstr(hw, "kind") : "cpu");
		if (th)
			sbuf_printf(b, " %lld", th);
		sbuf_putc(b, '\n');
		num_text(json_object_get(est(d, "training"), "seconds"), "s/run", "", inner, b);
		num_text(cost_item(cost, "training"), "cost/mo", "", inner, b);
		num_text(json_object_get(est(d, "freshness"), "mean_staleness_s"), "stale", " s", inner,
			 b);
		break;
	}
	case ST_REGISTRY: {
		sbuf_printf(b, "%s\n", tui_jstr(g, "model"));
		json_t *ap = json_object_get(g, "applied");
		if (json_is_object(ap))
			sbuf_printf(b, "applied v%lld\n",
				    (long long)json_integer_value(json_object_get(ap, "version")));
		else
			sbuf_puts(b, "not applied\n");
		long long cn = (long long)json_integer_value(json_object_get(g, "canary"));
		if (cn > 0)
			sbuf_printf(b, "canary %lld%% newest\n", cn);
		break;
	}
	case ST_SERVE: {
		sbuf_printf(b, "%s, ", tui_jstr(g, "serving"));
		keys_text(g, b);
		long long mb = (long long)json_integer_value(
			json_object_get(json_object_get(g, "batching"), "max_batch"));
		if (mb)
			sbuf_printf(b, ", batch %lld", mb);
		sbuf_printf(b, ", %s\n", tui_jstr(g, "inference"));
		if (strcmp(tui_jstr(g, "serving"), "dynamic") != 0) {
			num_text(json_object_get(est(d, "table"), "bytes"), "table", " B", inner, b);
			num_text(json_object_get(est(d, "hit_rate"), "hit_rate"), "hit", "", inner, b);
			/* a table built by `design apply` or a probe: its real size */
			json_t *m = json_object_get(est(d, "table"), "measured");
			if (json_is_object(m))
				num_text(json_object_get(m, "bytes"), "built", " B", inner, b);
		} else {
			num_text(json_object_get(est(d, "predict"), "rows_per_s"), "rows/s", "", inner, b);
		}
		/* online: the load probe's (or the applied server's) latency */
		json_t *sv = est(d, "serving");
		if (json_is_number(json_object_get(sv, "p99_ms")))
			num_text(json_object_get(sv, "p99_ms"), "p99", " ms", inner, b);
		/* the batching sweep's best setting, when one was measured */
		json_t *bt = est(d, "batching");
		json_t *best = json_array_get(json_object_get(bt, "settings"),
					      (size_t)json_integer_value(json_object_get(bt, "best")));
		if (json_is_integer(json_object_get(bt, "best")) && best) {
			int bmb = (int)json_integer_value(json_object_get(best, "max_batch"));
			if (bmb > 1)
				sbuf_printf(b, "best batch %d/%lldus\n", bmb,
					    (long long)json_integer_value(json_object_get(best, "max_wait_us")));
			else
				sbuf_puts(b, "best batch off\n");
		}
		break;
	}
	case ST_MONITOR: {
		json_t *m = json_object_get(g, "monitor");
		if (!json_object_size(m))
			sbuf_puts(b, "defaults\n");
		else {
			const char *k;
			json_t *v;
			json_object_foreach(m, k, v) {
				char buf[32];
				tui_json_num(v, 8, buf, sizeof buf);
				sbuf_printf(b, "%s %s\n", k, buf);
			}
		}
		num_text(json_object_get(cost, "monthly"), "cost/mo", "", inner, b);
		num_text(json_object_get(cost, "per_million"), "per 1M", "", inner, b);
		break;
	}
	}
}

/* Where the cursor's box's figures came from, as `design show` says. */
static void foot_text(struct designview *d, int st, struct sbuf *b)
{
	const char *what[4] = {NULL};
	const char *key[4] = {NULL};
	switch (st) {
	case ST_TRANSFORM: what[0] = "static", key[0] = "why"; break;
	case ST_TRAIN:
		what[0] = "training", key[0] = "source";
		what[1] = "training", key[1] = "arithmetic";
		what[2] = "freshness", key[2] = "source";
		break;
	case ST_SERVE:
		/* the table's figures only where there is a table */
		if (strcmp(tui_jstr(dsgn(d), "serving"), "dynamic") != 0) {
			what[0] = "table", key[0] = "arithmetic";
			what[1] = "hit_rate", key[1] = "source";
			what[2] = "serving", key[2] = "source";
		} else {
			what[0] = "predict", key[0] = "source";
			what[1] = "serving", key[1] = "source";
		}
		break;
	case ST_MONITOR: what[0] = "cost", key[0] = "per_million_arithmetic"; break;
	}
	for (int i = 0; i < 4 && what[i]; i++) {
		const char *s = tui_jstr(est(d, what[i]), key[i]);
		if (*s)
			sbuf_printf(b, "%s: %s\n", what[i], s);
	}
	if (st == ST_TRAIN) {
		/* each hardware choice: its time per run, or how to measure it */
		json_t *hw;
		size_t i;
		json_array_foreach(json_object_get(est(d, "training"), "by_hardware"), i, hw)
		{
			char buf[32];
			tui_json_num(json_object_get(hw, "seconds"), 10, buf, sizeof buf);
			if (json_is_true(json_object_get(hw, "measured")))
				sbuf_printf(b, "%s%s: %s s/run (%s)\n", tui_jstr(hw, "hardware"),
					    json_is_true(json_object_get(hw, "design")) ? " (design)" : "", buf,
					    tui_jstr(hw, "source"));
			else
				sbuf_printf(b, "%s%s: %s\n", tui_jstr(hw, "hardware"),
					    json_is_true(json_object_get(hw, "design")) ? " (design)" : "",
					    tui_jstr(hw, "source"));
		}
	}
	if (st == ST_SERVE) {
		/* the sweep: each setting's figures, then which is best and why */
		json_t *bt = est(d, "batching"), *one;
		size_t i;
		json_array_foreach(json_object_get(bt, "settings"), i, one)
		{
			int mb = (int)json_integer_value(json_object_get(one, "max_batch"));
			char *set = mb > 1 ? xasprintf("batch %d/%lldus", mb,
						       (long long)json_integer_value(json_object_get(one, "max_wait_us")))
					   : xstrdup("batch off");
			sbuf_printf(b, "%s: %.4g req/s, p50 %.3g ms, p99 %.3g ms%s\n", set,
				    json_number_value(json_object_get(one, "req_per_s")),
				    json_number_value(json_object_get(one, "p50_ms")),
				    json_number_value(json_object_get(one, "p99_ms")),
				    json_integer_value(json_object_get(bt, "design")) == (json_int_t)i &&
						    json_is_integer(json_object_get(bt, "design"))
					    ? " (design)"
					    : "");
			free(set);
		}
		if (json_is_string(json_object_get(bt, "pick")))
			sbuf_printf(b, "batching: %s (%s)\n", tui_jstr(bt, "pick"), tui_jstr(bt, "why"));
	}
	if (st == ST_TRAIN || st == ST_SERVE || st == ST_MONITOR) {
		json_t *it;
		size_t i;
		json_array_foreach(json_object_get(est(d, "cost"), "items"), i, it)
			if (!strcmp(tui_jstr(it, "what"), st == ST_TRAIN ? "training" : "serving") ||
			    st == ST_MONITOR)
				sbuf_printf(b, "cost %s: %s\n", tui_jstr(it, "what"), tui_jstr(it, "arithmetic"));
	}
}

static void dd_hline(struct tui *t, int y, int x, int n, enum style st)
{
	for (int i = 0; i < n; i++)
		tui_put(t, y, x + i, 1, st, t->g->hline);
}

static void dd_vline(struct tui *t, int y, int x, int n, enum style st)
{
	for (int i = 0; i < n; i++)
		tui_put(t, y + i, x, 1, st, t->g->vline);
}

static void draw_box(struct designview *d, struct tui *t, const struct ddiag *L, int st, int y0,
		     int x0, bool cur)
{
	const char *tl = t->utf8 ? "┌" : "+", *tr = t->utf8 ? "┐" : "+";
	const char *bl = t->utf8 ? "└" : "+", *br = t->utf8 ? "┘" : "+";
	int y = y0 + L->y[st], x = x0 + L->x[st], bw = L->bw, bh = L->bh;
	enum style rs = cur ? S_HEADER_CUR : S_RULE;
	tui_put(t, y, x, 1, rs, tl);
	dd_hline(t, y, x + 1, bw - 2, rs);
	tui_put(t, y, x + bw - 1, 1, rs, tr);
	tui_putf(t, y, x + 2, bw - 4, cur ? S_HEADER_CUR : S_SECTION, " %s ", stage_name[st]);
	dd_vline(t, y + 1, x, bh - 2, rs);
	dd_vline(t, y + 1, x + bw - 1, bh - 2, rs);
	tui_put(t, y + bh - 1, x, 1, rs, bl);
	dd_hline(t, y + bh - 1, x + 1, bw - 2, rs);
	tui_put(t, y + bh - 1, x + bw - 1, 1, rs, br);
	struct sbuf b = {0};
	box_text(d, st, bw - 4, &b);
	/* the choice wraps over two lines when it is long; figures take one each */
	int row = 0, inner = bw - 4;
	const char *p = b.s ? b.s : "";
	for (int line = 0; *p && row < bh - 2; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *one = xstrndup(p, len);
		enum style s = line == 0 ? S_NORMAL : strstr(one, " -") ? S_NA : S_INFO;
		if (line == 0 && (int)len > inner && row + 1 < bh - 2) {
			struct sbuf w = {0};
			tui_wrap(&w, one, inner);
			const char *q = w.s;
			for (int k = 0; k < 2 && q && *q && row < bh - 2; k++) {
				const char *e = strchr(q, '\n');
				char *part = xstrndup(q, e ? (size_t)(e - q) : strlen(q));
				tui_cell(t, y + 1 + row++, x + 2, inner, s, part, false);
				free(part);
				q = e ? e + 1 : "";
			}
			sbuf_free(&w);
		} else {
			tui_cell(t, y + 1 + row++, x + 2, inner, s, one, false);
		}
		free(one);
		p = nl ? nl + 1 : p + len;
	}
	sbuf_free(&b);
}

static void draw_arrows(struct tui *t, const struct ddiag *L, int y0, int x0)
{
	const char *right = t->utf8 ? "→" : ">", *left = t->utf8 ? "←" : "<";
	const char *down = t->utf8 ? "↓" : "v";
	int mid = L->bh / 2;
	for (int i = 0; i < 3; i++) {
		int x = x0 + L->x[i] + L->bw;
		dd_hline(t, y0 + mid, x, DD_GAP - 1, S_RULE);
		tui_put(t, y0 + mid, x + DD_GAP - 1, 1, S_RULE, right);
		if (i < 2) {
			int yb = y0 + L->y[ST_REGISTRY] + mid, xb = x0 + L->x[ST_REGISTRY + i + 1] + L->bw;
			tui_put(t, yb, xb, 1, S_RULE, left);
			dd_hline(t, yb, xb + 1, DD_GAP - 1, S_RULE);
		}
	}
	/* train ↓ registry */
	int xt = x0 + L->x[ST_TRAIN] + L->bw / 2;
	dd_vline(t, y0 + L->bh, xt, 1, S_RULE);
	tui_put(t, y0 + L->bh + 1, xt, 1, S_RULE, down);
	/* the retrain loop: out of monitor's bottom, right under the row, up the
	 * right edge and left into train */
	int xm = x0 + L->x[ST_MONITOR] + L->bw / 2, yl = y0 + L->loop_y, xr = x0 + L->loop_x;
	dd_vline(t, yl - 1, xm, 1, S_RULE);
	tui_put(t, yl, xm, 1, S_RULE, t->utf8 ? "└" : "+");
	dd_hline(t, yl, xm + 1, xr - xm - 1, S_RULE);
	tui_put(t, yl, xr, 1, S_RULE, t->utf8 ? "┘" : "+");
	dd_vline(t, y0 + mid + 1, xr, yl - (y0 + mid + 1), S_RULE);
	tui_put(t, y0 + mid, xr, 1, S_RULE, t->utf8 ? "┐" : "+");
	int xin = x0 + L->x[ST_TRAIN] + L->bw;
	tui_put(t, y0 + mid, xin, 1, S_RULE, left);
	dd_hline(t, y0 + mid, xin + 1, xr - xin - 1, S_RULE);
	tui_put(t, yl, xm + 2, xr - xm - 3, S_INFO, " retrain ");
}

static void dv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct designview *d = (struct designview *)v;
	if (d->gen != t->gen)
		reread(d, t);
	json_t *g = dsgn(d);
	tui_putf(t, y, x + 1, w - 2, S_TITLE, "design %s: model %s over %s", d->name,
		 tui_jstr(g, "model"), tui_jstr(g, "data"));
	if (d->err) {
		tui_put(t, y + 1, x + 1, w - 2, S_MSG_ERROR, d->err);
		if (!d->res)
			return;
	}
	struct ddiag L;
	struct pm_err err = {0};
	int room = h - 2;
	if (ddiag_layout(w - 2, room, &L, &err) < 0) {
		tui_put(t, y + 2, x + 1, w - 2, S_MSG_ERROR, err.msg);
		return;
	}
	int y0 = y + 2, x0 = x + 1;
	draw_arrows(t, &L, y0, x0);
	for (int i = 0; i < ST_N; i++)
		draw_box(d, t, &L, i, y0, x0, (size_t)i == v->sc.cur);
	/* the corner below data: the cost of the whole */
	json_t *cost = est(d, "cost");
	char buf[32];
	int cy = y0 + L.y[ST_REGISTRY] + 1;
	tui_json_num(json_object_get(cost, "monthly"), 10, buf, sizeof buf);
	tui_putf(t, cy, x0, L.bw, S_SECTION, "cost/month %s", buf);
	tui_json_num(json_object_get(cost, "per_million"), 10, buf, sizeof buf);
	tui_putf(t, cy + 1, x0, L.bw, S_INFO, "per 1M %s", buf);
	/* the foot: where the cursor's figures came from */
	int fy = y0 + L.height, fh = y + h - fy;
	if (fh > 0) {
		struct sbuf b = {0};
		foot_text(d, (int)v->sc.cur, &b);
		/* each source wrapped on its own lines */
		struct sbuf wr = {0};
		const char *q = b.s ? b.s : "";
		while (*q) {
			const char *e = strchr(q, '\n');
			char *one = xstrndup(q, e ? (size_t)(e - q) : strlen(q));
			tui_wrap(&wr, one, w - 2);
			if (wr.len && wr.s[wr.len - 1] != '\n')
				sbuf_putc(&wr, '\n');
			free(one);
			q = e ? e + 1 : q + strlen(q);
		}
		const char *p = wr.s ? wr.s : "";
		for (int r = 0; r < fh && *p; r++) {
			const char *nl = strchr(p, '\n');
			char *one = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
			tui_put(t, fy + r, x + 1, w - 2, S_INFO, one);
			free(one);
			p = nl ? nl + 1 : "";
		}
		sbuf_free(&wr);
		sbuf_free(&b);
	}
}

static void dv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	(void)t;
	struct designview *d = (struct designview *)v;
	snprintf(buf, n, "%s, box %zu of %d", tui_jstr(dsgn(d), "name"), v->sc.cur + 1, ST_N);
}

static void dv_free(struct view *v)
{
	struct designview *d = (struct designview *)v;
	json_decref(d->res);
	free(d->name);
	free(d->err);
}

/* Runs `design set NAME KEY VALUE`: an engine's refusal goes to the status line. */
static void set_choice(struct tui *t, struct designview *d, const char *key, const char *value)
{
	char *words[] = {"design", "set", d->name, (char *)key, (char *)value, NULL};
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, NULL, &err) < 0)
		tui_error(t, "%s", err.msg);
	else
		tui_msg(t, "design %s: %s = %s", d->name, key, value);
	reread(d, t);
}

/* The value after cur in the cycle vals (NULL-terminated). */
static const char *next_of(const char *const *vals, const char *cur)
{
	for (size_t i = 0; vals[i]; i++)
		if (!strcmp(vals[i], cur))
			return vals[i + 1] ? vals[i + 1] : vals[0];
	return vals[0];
}

static void k_serving(struct tui *t, struct view *v, int key)
{
	(void)key;
	struct designview *d = (struct designview *)v;
	static const char *const vals[] = {"dynamic", "static", "hybrid", NULL};
	set_choice(t, d, "serving", next_of(vals, tui_jstr(dsgn(d), "serving")));
	v->sc.cur = ST_SERVE;
}

static void k_training(struct tui *t, struct view *v, int key)
{
	(void)key;
	struct designview *d = (struct designview *)v;
	json_t *tr = json_object_get(dsgn(d), "training");
	const char *kind = tui_jstr(tr, "kind");
	/* static → every day → on drift → static; other schedules from Enter */
	const char *next = !strcmp(kind, "static") ? "schedule 1d" : !strcmp(kind, "schedule") ? "on-drift"
											     : "static";
	set_choice(t, d, "training", next);
	v->sc.cur = ST_TRAIN;
}

static void k_inference(struct tui *t, struct view *v, int key)
{
	(void)key;
	struct designview *d = (struct designview *)v;
	static const char *const vals[] = {"online", "batch", NULL};
	set_choice(t, d, "inference", next_of(vals, tui_jstr(dsgn(d), "inference")));
	v->sc.cur = ST_SERVE;
}

static void k_set(struct tui *t, struct view *v, int key)
{
	(void)key;
	struct designview *d = (struct designview *)v;
	const char *k = stage_key[v->sc.cur];
	char *init = *k ? xasprintf("design set %s %s ", d->name, k) : xasprintf("design set %s ", d->name);
	tui_command_prompt(t, v, init);
	free(init);
}

static void k_move(struct tui *t, struct view *v, int key)
{
	(void)t;
	/* l and h follow the arrows: forward along the flow, back against it */
	if (key == 'l' || key == K_RIGHT)
		v->sc.cur = (v->sc.cur + 1) % ST_N;
	else
		v->sc.cur = (v->sc.cur + ST_N - 1) % ST_N;
}

static void k_probe(struct tui *t, struct view *v, int key)
{
	(void)key;
	char *line = xasprintf("design probe %s", ((struct designview *)v)->name);
	tui_command(t, line);
	free(line);
}

static const struct key_binding dv_b[] = {
	{{K_ENTER}, "change the box's choice: `design set NAME KEY ` to complete", "set", k_set},
	{{'s'}, "serving: dynamic → static → hybrid (design set NAME serving V)", "serving",
	 k_serving},
	{{'t'}, "training: static → schedule 1d → on-drift (design set NAME training V)", "training",
	 k_training},
	{{'i'}, "inference: online ↔ batch (design set NAME inference V)", "inference", k_inference},
	{{'p'}, "measure what has no measurement (design probe NAME)", "probe", k_probe},
	{{'l', 'h', K_RIGHT, K_LEFT}, "next / previous box along the flow", NULL, k_move},
	{{0}},
};
static const struct key_table dv_keys = {"Design", dv_b};

static bool dv_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	(void)t;
	for (int k = next ? 1 : 0; k <= ST_N; k++) {
		size_t at = dir > 0 ? (v->sc.cur + (size_t)k) % ST_N : (v->sc.cur + ST_N - (size_t)k % ST_N) % ST_N;
		if (tui_strcasestr(stage_name[at], pat)) {
			v->sc.cur = at;
			return true;
		}
	}
	return false;
}

const struct view_class designview_class = {
	.name = "design",
	.about = "Design: the architecture as boxes and arrows, data to monitor and the retrain "
		 "loop, each box its choice and its figures from `design show`; j and k (or h and l) "
		 "move from box to box",
	.keys = {&dv_keys, &nav_keys, NULL},
	.draw = dv_draw,
	.free = dv_free,
	.info = dv_info,
	.search = dv_search,
};

struct view *designview_open(struct tui *t, const char *name)
{
	struct designview *d = xcalloc(1, sizeof *d);
	d->name = xstrdup(name);
	reread(d, t);
	if (!d->res) {
		tui_error(t, "%s", d->err ? d->err : "no such design");
		free(d->name);
		free(d->err);
		free(d);
		return NULL;
	}
	char *title = xasprintf("design %s", name);
	view_init(&d->v, &designview_class, title);
	free(title);
	d->v.sc.n = ST_N;
	d->v.sc.cursorless = false;
	return &d->v;
}
