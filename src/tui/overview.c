/* The overview of a dataset, in the way of Facets Overview: a table of
 * numeric features (count, missing, zeros, mean, std, min, median, max and
 * a histogram sparkline), one of timestamps and one of categorical
 * features (unique, top values), with high missing and zero rates
 * highlighted.  The numbers are the `stats` command's (a recorded command,
 * so the engine's statistics are the only ones). */
#include "internal.h"

#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WARN_MISSING 0.10   /* a missing rate from here on is highlighted */
#define WARN_ZEROS 0.10     /* so is a rate of zeros */
#define HIST_BUCKETS 10

enum ov_kind { OV_NUM, OV_TIME, OV_CAT, OV_NKINDS };

struct ov_line {
	int kind;      /* -1: section title, -2: header, -3: blank, else a feature line */
	enum ov_kind table;
	json_t *feat;  /* borrowed from stats */
};

struct overview {
	struct view v;
	char *name;
	json_t *stats;
	char *source;          /* how the numbers were made */
	char fp[17];
	unsigned gen;
	bool synced;
	char *err;
	struct ov_line *lines;
	size_t nlines;
	size_t *feat_line;     /* feature (display order) -> line */
	size_t top;            /* first line shown */
	int hscroll;
};

static enum ov_kind kind_of(json_t *feat)
{
	const char *type = json_string_value(json_object_get(feat, "type"));
	if (!type)
		return OV_CAT;
	if (strcmp(type, "timestamp") == 0)
		return OV_TIME;
	if (strcmp(type, "string") == 0)
		return OV_CAT;
	return OV_NUM;
}

static void add_line(struct overview *ov, size_t *cap, int kind, enum ov_kind table, json_t *feat)
{
	xgrow((void **)&ov->lines, cap, ov->nlines + 1, sizeof *ov->lines);
	ov->lines[ov->nlines++] = (struct ov_line){kind, table, feat};
}

static void layout_lines(struct overview *ov)
{
	free(ov->lines);
	free(ov->feat_line);
	ov->lines = NULL;
	ov->nlines = 0;
	json_t *feats = json_object_get(ov->stats, "features");
	size_t nf = json_array_size(feats);
	ov->feat_line = xcalloc(nf + 1, sizeof *ov->feat_line);
	size_t cap = 0, k = 0;
	for (int table = 0; table < OV_NKINDS; table++) {
		size_t count = 0;
		for (size_t i = 0; i < nf; i++)
			count += kind_of(json_array_get(feats, i)) == (enum ov_kind)table;
		if (!count)
			continue;
		if (ov->nlines)
			add_line(ov, &cap, -3, table, NULL);
		add_line(ov, &cap, -1, table, NULL);
		add_line(ov, &cap, -2, table, NULL);
		for (size_t i = 0; i < nf; i++) {
			json_t *f = json_array_get(feats, i);
			if (kind_of(f) != (enum ov_kind)table)
				continue;
			ov->feat_line[k++] = ov->nlines;
			add_line(ov, &cap, (int)i, table, f);
		}
	}
	ov->v.sc.n = k;
	scroller_fix(&ov->v.sc);
}

static bool sync(struct overview *ov, struct tui *t)
{
	if (ov->synced && ov->gen == t->gen)
		return ov->stats != NULL;
	ov->synced = true;
	ov->gen = t->gen;
	struct pm_err err = {0};
	struct workspace *ws;
	struct ws_dataset d = {0};
	if (session_ws(t->s, &ws, &err) < 0 || ws_dataset_get(ws, ov->name, &d, &err) < 0) {
		ws_dataset_free(&d);
		goto fail;
	}
	bool same = ov->stats && strcmp(ov->fp, d.fingerprint ? d.fingerprint : "") == 0;
	snprintf(ov->fp, sizeof ov->fp, "%s", d.fingerprint ? d.fingerprint : "");
	ws_dataset_free(&d);
	if (same)
		return true;
	json_decref(ov->stats);
	ov->stats = NULL;
	free(ov->source);
	char *words[] = {"stats", ov->name, NULL};
	if (tui_exec_json(t, words, &ov->stats, &err) < 0)
		goto fail;
	/* running stats bumped the generation; nothing changed since */
	ov->gen = t->gen;
	ov->source = xasprintf("stats %s", ov->name);
	free(ov->err);
	ov->err = NULL;
	layout_lines(ov);
	return true;
fail:
	free(ov->err);
	ov->err = xstrdup(err.msg);
	json_decref(ov->stats);
	ov->stats = NULL;
	return false;
}

/* ---- drawing ---------------------------------------------------------------------------------- */
struct layout {
	int namew, countw, pctw, numw, sparkw, timew, uniqw;
	int gap;    /* blanks between cells */
};

static double jd(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void plan(struct overview *ov, int w, struct layout *L)
{
	json_t *feats = json_object_get(ov->stats, "features");
	int namew = 7;
	for (size_t i = 0; i < json_array_size(feats); i++) {
		int nw = utf8_width(json_string_value(json_object_get(json_array_get(feats, i), "name")));
		if (nw > namew)
			namew = nw;
	}
	if (namew > 24)
		namew = 24;
	char num[32];
	int cw = snprintf(num, sizeof num, "%.0f", jd(ov->stats, "rows"));
	L->countw = cw < 5 ? 5 : cw;
	L->namew = namew;
	L->pctw = 7;
	L->numw = 9;
	L->sparkw = 2 * HIST_BUCKETS;
	L->uniqw = 6;
	L->gap = 2;
	/* narrower until the numeric table fits: histogram, gaps, numbers,
	 * rates, names */
	for (;;) {
		int g = L->gap;
		int total = 1 + L->namew + g + L->countw + 2 * (g + L->pctw) + 5 * (g + L->numw) + g +
			    L->sparkw;
		if (total <= w)
			break;
		if (L->sparkw > HIST_BUCKETS)
			L->sparkw = HIST_BUCKETS;
		else if (L->gap > 1)
			L->gap = 1;
		else if (L->numw > 7)
			L->numw--;
		else if (L->pctw > 5)
			L->pctw = 5;
		else if (L->numw > 6)
			L->numw--;
		else if (L->namew > 10)
			L->namew--;
		else
			break;
	}
	/* timestamps: date and time when they fit, else the date */
	int g = L->gap;
	L->timew = 1 + L->namew + g + L->countw + g + L->pctw + 3 * (16 + g) + g + L->sparkw <= w ? 16 : 10;
}

void tui_pct(double part, double whole, char *buf, size_t n)
{
	if (!(whole > 0)) {
		snprintf(buf, n, "-");
		return;
	}
	double p = 100 * part / whole;
	if (p == 0)
		snprintf(buf, n, "0%%");
	else if (p < 0.1)
		snprintf(buf, n, "<0.1%%");
	else if (p < 10 || (p < 100 && p != floor(p)))
		snprintf(buf, n, "%.1f%%", p);
	else
		snprintf(buf, n, "%.0f%%", p);
	if (strlen(buf) > 5 && p < 100) /* "12.3%" fits 5; "99.95%" -> "100%" is wrong, so cut */
		snprintf(buf, n, "%.0f%%", floor(p));
}

static void spark(struct tui *t, int y, int x, int w, enum style st, json_t *hist, int sparkw)
{
	size_t nb = json_array_size(hist);
	if (!nb || w <= 0)
		return;
	double max = 0;
	for (size_t i = 0; i < nb; i++) {
		double c = jd(json_array_get(hist, i), "count");
		if (c > max)
			max = c;
	}
	int per = nb == 1 ? 1 : sparkw / (int)nb;
	if (per < 1)
		per = 1;
	int col = 0;
	for (size_t i = 0; i < nb && col < w; i++) {
		double c = jd(json_array_get(hist, i), "count");
		int lvl = c > 0 && max > 0 ? (int)ceil(c * 8 / max) : 0;
		if (lvl > 8)
			lvl = 8;
		for (int k = 0; k < per && col < w; k++, col++)
			tui_put(t, y, x + col, 1, st, t->g->spark[lvl]);
	}
}

static void draw_header(struct tui *t, int y, int x, int w, enum ov_kind table,
			const struct layout *L, int hs)
{
	int cx = x + 1;
	tui_cell(t, y, cx, L->namew, S_HEADER, "feature", false);
	cx += L->namew + L->gap;
	int start = cx;
	/* the scrollable part */
	struct {
		const char *name;
		int w;
		bool right;
	} cols[12];
	int nc = 0;
	cols[nc++] = (typeof(cols[0])){"count", L->countw, true};
	cols[nc++] = (typeof(cols[0])){L->pctw >= 7 ? "missing" : "miss", L->pctw, true};
	if (table == OV_NUM) {
		cols[nc++] = (typeof(cols[0])){"zeros", L->pctw, true};
		static const char *const n[] = {"mean", "std", "min", "median", "max"};
		for (int i = 0; i < 5; i++)
			cols[nc++] = (typeof(cols[0])){n[i], L->numw, true};
		cols[nc++] = (typeof(cols[0])){"histogram", L->sparkw, false};
	} else if (table == OV_TIME) {
		static const char *const n[] = {"min", "median", "max"};
		for (int i = 0; i < 3; i++)
			cols[nc++] = (typeof(cols[0])){n[i], L->timew, false};
		cols[nc++] = (typeof(cols[0])){"histogram", L->sparkw, false};
	} else {
		cols[nc++] = (typeof(cols[0])){"unique", L->uniqw, true};
		cols[nc++] = (typeof(cols[0])){"top values", x + w - cx, false};
	}
	int off = 0;
	for (int i = 0; i < nc; i++) {
		int cw = cols[i].w;
		int vx = start + off - hs;
		off += cw + L->gap;
		if (vx < start || vx >= x + w)
			continue;
		if (vx + cw > x + w)
			cw = x + w - vx;
		tui_cell(t, y, vx, cw, S_HEADER, cols[i].name, cols[i].right);
	}
}

/* Draws a feature row's cells after the name, shifted left by hs columns
 * (cells that would start left of the name column are not drawn). */
struct rowpen {
	struct tui *t;
	int y, start, right, hs, off, gap;
};

static void pen_cell(struct rowpen *p, int w, enum style st, const char *s, bool right)
{
	int vx = p->start + p->off - p->hs;
	p->off += w + p->gap;
	if (vx < p->start || vx >= p->right)
		return;
	if (vx + w > p->right)
		w = p->right - vx;
	tui_cell(p->t, p->y, vx, w, st, s, right);
}

static void pen_spark(struct rowpen *p, int w, enum style st, json_t *hist, int sparkw)
{
	int vx = p->start + p->off - p->hs;
	p->off += w + p->gap;
	if (vx < p->start || vx >= p->right)
		return;
	if (vx + w > p->right)
		w = p->right - vx;
	spark(p->t, p->y, vx, w, st, hist, sparkw);
}

static void draw_feature(struct overview *ov, struct tui *t, int y, int x, int w,
			 const struct ov_line *ln, const struct layout *L, bool cur)
{
	json_t *f = ln->feat;
	double rows = jd(ov->stats, "rows");
	double count = jd(f, "count"), missing = jd(f, "missing");
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	enum style warn = cur ? S_WARN_CUR : S_WARN;
	if (cur)
		tui_fill(t, y, x, w, S_ROW_CUR);
	tui_cell(t, y, x + 1, L->namew, cur ? S_CELL_CUR : st,
		 json_string_value(json_object_get(f, "name")), false);
	struct rowpen p = {t, y, x + 1 + L->namew + L->gap, x + w, ov->hscroll, 0, L->gap};
	char buf[64];
	snprintf(buf, sizeof buf, "%.0f", count);
	pen_cell(&p, L->countw, st, buf, true);
	tui_pct(missing, rows, buf, sizeof buf);
	pen_cell(&p, L->pctw, rows > 0 && missing / rows >= WARN_MISSING ? warn : st, buf, true);
	if (ln->table == OV_NUM) {
		double zeros = jd(f, "zeros");
		tui_pct(zeros, count, buf, sizeof buf);
		pen_cell(&p, L->pctw, count > 0 && zeros / count >= WARN_ZEROS ? warn : st, buf, true);
		static const char *const k[] = {"mean", "std", "min", "median", "max"};
		for (int i = 0; i < 5; i++) {
			double v = jd(f, k[i]);
			tui_fmt_num(v, L->numw, buf, sizeof buf);
			pen_cell(&p, L->numw, isnan(v) ? (cur ? S_NA_CUR : S_NA) : st,
				 isnan(v) ? "-" : buf, true);
		}
		pen_spark(&p, L->sparkw, cur ? S_SPARK_CUR : S_SPARK, json_object_get(f, "histogram"),
			  L->sparkw);
	} else if (ln->table == OV_TIME) {
		static const char *const k[] = {"min_time", "median_time", "max_time"};
		static const char *const kn[] = {"min", "median", "max"};
		for (int i = 0; i < 3; i++) {
			const char *s = json_string_value(json_object_get(f, k[i]));
			char tb[64] = "-";
			if (s) {
				snprintf(tb, sizeof tb, "%s", s);
			} else if (isfinite(jd(f, kn[i]))) {
				ts_format((int64_t)jd(f, kn[i]), tb, sizeof tb);
			}
			tb[L->timew < (int)sizeof tb ? L->timew : (int)sizeof tb - 1] = 0;
			pen_cell(&p, L->timew, st, tb, false);
		}
		pen_spark(&p, L->sparkw, cur ? S_SPARK_CUR : S_SPARK, json_object_get(f, "histogram"),
			  L->sparkw);
	} else {
		snprintf(buf, sizeof buf, "%.0f", jd(f, "unique"));
		pen_cell(&p, L->uniqw, st, buf, true);
		json_t *top = json_object_get(f, "top");
		struct sbuf b = {0};
		for (size_t i = 0; i < json_array_size(top); i++) {
			json_t *e = json_array_get(top, i);
			char *v = tui_oneline(json_string_value(json_object_get(e, "value")));
			char pc[16];
			tui_pct(jd(e, "count"), count, pc, sizeof pc);
			sbuf_printf(&b, "%s%s %s", i ? "  " : "", *v ? v : "\"\"", pc);
			free(v);
			if (b.len > 400)
				break;
		}
		int rest = x + w - (p.start + p.off - p.hs);
		if (rest > 0)
			pen_cell(&p, rest, st, b.s ? b.s : "", false);
		sbuf_free(&b);
	}
}

static void ov_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct overview *ov = (struct overview *)v;
	if (!sync(ov, t)) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, ov->err ? ov->err : "no statistics");
		return;
	}
	struct layout L;
	plan(ov, w - 1, &L);
	scroller_fix(&v->sc);
	/* keep the cursor's line on screen */
	if (v->sc.n) {
		size_t cl = ov->feat_line[v->sc.cur];
		/* show the section title and header above the first feature */
		size_t want_top = v->sc.cur == 0 ? 0 : cl;
		if (want_top < ov->top)
			ov->top = want_top;
		if (cl >= ov->top + (size_t)h)
			ov->top = cl - (size_t)h + 1;
		if (cl > 0 && ov->lines[cl - 1].kind == -2 && ov->top == cl)
			ov->top = cl >= 2 ? cl - 2 : 0;
	}
	if (ov->nlines > (size_t)h && ov->top > ov->nlines - (size_t)h)
		ov->top = ov->nlines - (size_t)h;
	json_t *feats = json_object_get(ov->stats, "features");
	for (int r = 0; r < h; r++) {
		size_t li = ov->top + (size_t)r;
		if (li >= ov->nlines)
			break;
		const struct ov_line *ln = &ov->lines[li];
		int yy = y + r;
		if (ln->kind == -1) {
			size_t count = 0;
			for (size_t i = 0; i < json_array_size(feats); i++)
				count += kind_of(json_array_get(feats, i)) == ln->table;
			static const char *const names[] = {"Numeric features", "Timestamps",
							    "Categorical features"};
			tui_putf(t, yy, x + 1, w - 2, S_SECTION, "%s (%zu)", names[ln->table], count);
		} else if (ln->kind == -2) {
			draw_header(t, yy, x, w, ln->table, &L, ov->hscroll);
		} else if (ln->kind >= 0) {
			bool cur = v->sc.n && ov->feat_line[v->sc.cur] == li;
			draw_feature(ov, t, yy, x, w, ln, &L, cur);
		}
	}
	if (json_array_size(feats) == 0)
		tui_put(t, y + 1, x + 1, w - 2, S_INFO, "This dataset has no columns.");
}

static void ov_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct overview *ov = (struct overview *)v;
	if (!ov->stats) {
		buf[0] = 0;
		return;
	}
	snprintf(buf, n, "%.0f rows %s %zu features  (%s)", jd(ov->stats, "rows"), t->g->times,
		 json_array_size(json_object_get(ov->stats, "features")), ov->source);
}

static void ov_enter(struct view *v, struct tui *t)
{
	struct overview *ov = (struct overview *)v;
	/* the breadcrumb names the dataset unless the sheet below does */
	const char *bds = v->below ? sheet_dataset(v->below) : NULL;
	free(v->title);
	v->title = bds && strcmp(bds, ov->name) == 0 ? xstrdup("overview")
						      : xasprintf("%s overview", ov->name);
	sync(ov, t);
}

static void ov_free(struct view *v)
{
	struct overview *ov = (struct overview *)v;
	json_decref(ov->stats);
	free(ov->name);
	free(ov->source);
	free(ov->err);
	free(ov->lines);
	free(ov->feat_line);
}

static json_t *feature_at(struct overview *ov, size_t k)
{
	return ov->lines[ov->feat_line[k]].feat;
}

struct ov_match {
	struct overview *ov;
	const char *pat;
};

static bool ov_match(void *ctx, size_t i)
{
	struct ov_match *m = ctx;
	return tui_strcasestr(json_string_value(json_object_get(feature_at(m->ov, i), "name")),
			      m->pat) != NULL;
}

static bool ov_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct overview *ov = (struct overview *)v;
	if (!sync(ov, t))
		return false;
	struct ov_match m = {ov, pat};
	return scroller_find(&v->sc, dir, next, ov_match, &m);
}

static void ov_click(struct view *v, struct tui *t, int y, int x)
{
	struct overview *ov = (struct overview *)v;
	size_t li = ov->top + (size_t)y;
	for (size_t k = 0; k < v->sc.n; k++)
		if (ov->feat_line[k] == li)
			v->sc.cur = k;
}

/* Enter: the sheet of the dataset with the cursor on this feature. */
static void k_open(struct tui *t, struct view *v, int key)
{
	struct overview *ov = (struct overview *)v;
	if (!ov->stats || v->sc.n == 0)
		return;
	char *col = xstrdup(json_string_value(json_object_get(feature_at(ov, v->sc.cur), "name")));
	struct view *below = v->below;
	const char *bds = below ? sheet_dataset(below) : NULL;
	if (bds && strcmp(bds, ov->name) == 0) {
		tui_pop(t);
		sheet_goto_column(tui_top(t), col);
	} else {
		struct view *sh = sheet_new(t, ov->name, NULL, NULL);
		sheet_goto_column(sh, col);
		tui_push(t, sh);
	}
	free(col);
}

static void k_schema(struct tui *t, struct view *v, int key)
{
	struct overview *ov = (struct overview *)v;
	tui_push(t, schema_view_open(t, ov->name));
}

static void k_compare(struct tui *t, struct view *v, int key)
{
	struct overview *ov = (struct overview *)v;
	compare_prompt(t, v, ov->name, NULL);
}

static void k_right(struct tui *t, struct view *v, int key)
{
	struct overview *ov = (struct overview *)v;
	if (ov->hscroll < 200)
		ov->hscroll += 8;
}

static void k_left(struct tui *t, struct view *v, int key)
{
	struct overview *ov = (struct overview *)v;
	ov->hscroll = ov->hscroll > 8 ? ov->hscroll - 8 : 0;
}

static const struct key_binding ov_b[] = {
	{{K_ENTER}, "the sheet, at this feature's column", "sheet", k_open},
	{{'v'}, "schema and anomalies: validate the dataset against a schema", "schema",
	 k_schema},
	{{'C'}, "compare with another dataset: distances per feature", "compare", k_compare},
	{{'l', K_RIGHT}, "scroll the statistics right", NULL, k_right},
	{{'h', K_LEFT}, "scroll the statistics left", NULL, k_left},
	{{0}},
};
static const struct key_table ov_keys = {"Overview", ov_b};

const struct view_class overview_class = {
	.name = "overview",
	.about = "Overview: statistics of every feature, as Facets shows them. Missing and zero "
		 "rates of 10% or more are highlighted; the histogram has ten equal-width buckets "
		 "from min to max.",
	.keys = {&ov_keys, &nav_keys, NULL},
	.draw = ov_draw,
	.enter = ov_enter,
	.free = ov_free,
	.info = ov_info,
	.search = ov_search,
	.click = ov_click,
};

bool overview_goto_feature(struct view *v, const char *dataset, const char *name)
{
	if (v->cls != &overview_class)
		return false;
	struct overview *ov = (struct overview *)v;
	if (strcmp(ov->name, dataset) != 0 || !ov->stats)
		return false;
	for (size_t k = 0; k < v->sc.n; k++)
		if (strcmp(json_string_value(json_object_get(feature_at(ov, k), "name")), name) == 0) {
			v->sc.cur = k;
			return true;
		}
	return false;
}

struct view *overview_new(struct tui *t, const char *dataset)
{
	struct overview *ov = xcalloc(1, sizeof *ov);
	view_init(&ov->v, &overview_class, "overview");
	ov->name = xstrdup(dataset);
	return &ov->v;
}
