/* Comparing two datasets: the table of `compare A B` (L-infinity with the
 * value where it is largest, Jensen-Shannon divergence, PSI and KS per
 * shared feature) sorted by distance with the threshold drawn as a rule
 * and the features over it highlighted; opened from a schema view, each
 * feature with a skew threshold in the schema is held to that one, as
 * `validate --baseline` does.  Enter shows one feature's two distributions
 * side by side (`plot hist A F --vs B`).  Numbers are formatted as the
 * commands print them. */
#include "internal.h"

#include "plot/plot.h"
#include "validate/validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A distance as the tables print it; "-" when there is none. */
static const char *dist_text(json_t *v, char *buf, size_t n)
{
	return json_is_number(v) ? render_num(json_number_value(v), buf, n) : "-";
}

/* ---- the table ------------------------------------------------------------------ */
/* The orders: by distance over its threshold, by each distance of the
 * view (dist_table's in_tui, k), by name. */
enum { SORT_DISTANCE = -1, SORT_NAME = DIST_N };
typedef int sort_key;

static const char *sort_field(sort_key k)
{
	return k == SORT_DISTANCE ? "distance" : k == SORT_NAME ? "name" : dist_table[k].name;
}

static sort_key sort_next(sort_key k)
{
	do
		k = k == SORT_NAME ? SORT_DISTANCE : k + 1;
	while (k != SORT_DISTANCE && k != SORT_NAME && !dist_table[k].in_tui);
	return k;
}

struct cmpview {
	struct view v;
	char **args;        /* compare's words after "compare": A B [options] */
	char *schema;       /* lends per-feature skew thresholds, or NULL */
	struct schema *sc;
	json_t *res;
	char *err;
	char *run_key;
	unsigned gen;
	bool synced;
	json_t **order;     /* the features in display order (borrowed from res) */
	size_t n;
	sort_key sort;
	size_t rule;        /* rows above the threshold rule when sorted by distance */
	size_t top;         /* first line shown: rows and the rule */
};

/* By distance means by distance over its threshold, as the command's
 * table sorts: L-infinity and JSD have thresholds of their own, so the
 * rule parts the features over theirs from the rest. */
static double sort_value(json_t *f, sort_key k)
{
	json_t *v = json_object_get(f, sort_field(k));
	if (!json_is_number(v))
		return -1;
	json_t *th = json_object_get(f, "threshold");
	if (k == SORT_DISTANCE && json_is_number(th) && json_number_value(th) > 0)
		return json_number_value(v) / json_number_value(th);
	return json_number_value(v);
}

struct sort_item {
	json_t *f;
	size_t i;
	sort_key k;
};

/* Descending distance, features without one last; ties keep A's column
 * order, as the command's table does. */
static int cmp_items(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	if (a->k == SORT_NAME) {
		int c = strcmp(tui_jstr(a->f, "name"), tui_jstr(b->f, "name"));
		if (c)
			return c;
	} else {
		double x = sort_value(a->f, a->k), y = sort_value(b->f, b->k);
		if (x != y)
			return x > y ? -1 : 1;
	}
	return (a->i > b->i) - (a->i < b->i);
}

/* The schema's skew comparator of feature f, or NULL. */
static const struct schema_comparator *schema_skew(const struct cmpview *cv, json_t *f)
{
	if (!cv->sc)
		return NULL;
	const struct schema_feature *sf = schema_find(cv->sc, tui_jstr(f, "name"));
	return sf && schema_comparator_any(&sf->skew, false) ? &sf->skew : NULL;
}

/* Over its threshold: the schema's skew thresholds where it has them
 * (L-infinity for categories, JSD for numbers, as validate checks), else
 * the command's threshold on the headline distance. */
static bool row_over(const struct cmpview *cv, json_t *f)
{
	const struct schema_comparator *c = schema_skew(cv, f);
	if (!c)
		return json_is_true(json_object_get(f, "over_threshold"));
	for (size_t k = 0; k < DIST_N; k++) {
		json_t *v = json_object_get(f, dist_table[k].name);
		if (c->has[k] && json_is_number(v) && json_number_value(v) > c->t[k])
			return true;
	}
	return false;
}

/* The threshold a row is held to, named: the schema's comparator, else
 * the one of its headline distance ("L∞ 0.05" for a category, "JSD 0.03"
 * for a number). */
static void limit_text(const struct cmpview *cv, const struct tui *t, json_t *f, struct sbuf *b)
{
	const struct schema_comparator *c = schema_skew(cv, f);
	if (c) {
		tui_comparator_text(t, c, b);
		return;
	}
	char num[32];
	const char *kind = tui_jstr(f, "distance_kind");
	const struct dist_info *d = dist_find(kind);
	json_t *th = json_object_get(f, "threshold");
	if (!json_is_number(th))   /* an older result: the top-level one */
		th = json_object_get(cv->res, "threshold");
	sbuf_printf(b, "%s%s%s", d ? (t->utf8 ? d->heading_utf8 : d->heading) : "", *kind ? " " : "",
		    render_num(json_number_value(th), num, sizeof num));
}

static void order_rows(struct cmpview *cv)
{
	json_t *feats = json_object_get(cv->res, "features");
	size_t n = json_array_size(feats);
	struct sort_item *it = xcalloc(n + 1, sizeof *it);
	for (size_t i = 0; i < n; i++)
		it[i] = (struct sort_item){json_array_get(feats, i), i, cv->sort};
	qsort(it, n, sizeof *it, cmp_items);
	free(cv->order);
	cv->order = xcalloc(n + 1, sizeof *cv->order);
	cv->rule = 0;
	for (size_t i = 0; i < n; i++) {
		cv->order[i] = it[i].f;
		if (json_is_true(json_object_get(it[i].f, "over_threshold")))
			cv->rule = i + 1;
	}
	cv->n = n;
	cv->v.sc.n = n;
	free(it);
	scroller_fix(&cv->v.sc);
}

static size_t nargs(char **args)
{
	size_t n = 0;
	while (args[n])
		n++;
	return n;
}

/* Runs compare when the view is new, an option changed, or the content of
 * A, B or the schema did; the cursor stays on its feature. */
static void sync(struct cmpview *cv, struct tui *t)
{
	if (cv->synced && cv->gen == t->gen)
		return;
	cv->synced = true;
	cv->gen = t->gen;
	struct sbuf key = {0};
	for (size_t i = 0; cv->args[i]; i++) {
		sbuf_printf(&key, "%s\n", cv->args[i]);
		if (i < 2) {
			char *fp = tui_fingerprint(t, cv->args[i]);
			sbuf_printf(&key, "%s\n", fp);
			free(fp);
		}
	}
	schema_free(cv->sc);
	cv->sc = NULL;
	if (cv->schema) {
		char *text = NULL;
		struct pm_err err = {0};
		struct workspace *ws;
		if (session_ws(t->s, &ws, &err) == 0 &&
		    schema_fetch(ws, cv->schema, &cv->sc, &err) == 0)
			text = schema_to_text(cv->sc);   /* what tells a changed schema */
		else
			cv->sc = NULL;
		sbuf_printf(&key, "%s", text ? text : "");
		free(text);
	}
	if (cv->run_key && strcmp(cv->run_key, key.s) == 0) {
		sbuf_free(&key);
		if (cv->res)
			order_rows(cv);
		return;
	}
	free(cv->run_key);
	cv->run_key = sbuf_steal(&key);
	char *cur = cv->n && cv->v.sc.cur < cv->n
			    ? xstrdup(tui_jstr(cv->order[cv->v.sc.cur], "name"))
			    : NULL;
	size_t na = nargs(cv->args);
	char **words = xcalloc(na + 2, sizeof *words);
	words[0] = "compare";
	for (size_t i = 0; i < na; i++)
		words[i + 1] = cv->args[i];
	json_decref(cv->res);
	cv->res = NULL;
	free(cv->order);
	cv->order = NULL;
	cv->n = cv->v.sc.n = 0;
	free(cv->err);
	cv->err = NULL;
	struct pm_err err = {0};
	if (tui_exec_json(t, words, &cv->res, &err) < 0) {
		cv->res = NULL;
		cv->err = xstrdup(err.msg);
	}
	free(words);
	/* comparing bumped the generation; nothing changed since */
	cv->gen = t->gen;
	if (cv->res)
		order_rows(cv);
	for (size_t i = 0; cur && i < cv->n; i++)
		if (strcmp(tui_jstr(cv->order[i], "name"), cur) == 0)
			cv->v.sc.cur = i;
	free(cur);
	scroller_fix(&cv->v.sc);
}

/* The columns: the feature, its type, each distance of the view (dist_table's
 * in_tui) with, after one that has it, the value where it is largest, and
 * the threshold when a schema lends them. */
enum col_what { C_NAME, C_TYPE, C_DIST, C_AT, C_LIMIT };
#define CC_MAX (3 + 2 * DIST_N)

struct cv_layout {
	int n;
	enum col_what what[CC_MAX];
	int dist[CC_MAX];          /* C_DIST, C_AT: the distance */
	int x[CC_MAX], w[CC_MAX];  /* w 0: not shown */
};

static int col_find(const struct cv_layout *L, enum col_what what)
{
	for (int c = 0; c < L->n; c++)
		if (L->what[c] == what)
			return c;
	return -1;
}

static void col_add(struct cv_layout *L, enum col_what what, int dist, int w)
{
	L->what[L->n] = what;
	L->dist[L->n] = dist;
	L->w[L->n++] = w;
}

static void plan(struct cmpview *cv, int x, int w, struct cv_layout *L)
{
	memset(L, 0, sizeof *L);
	int namew = 7, atw = 0;  /* no category: no column for the value */
	for (size_t i = 0; i < cv->n; i++) {
		int nw = utf8_width(tui_jstr(cv->order[i], "name"));
		int aw = utf8_width(tui_jstr(cv->order[i], "linf_value"));
		if (nw > namew)
			namew = nw;
		if (aw > atw)
			atw = aw;
	}
	if (namew > 24)
		namew = 24;
	if (atw && atw < 8)
		atw = 8;  /* "at value" */
	if (atw > 24)
		atw = 24;
	col_add(L, C_NAME, -1, namew);
	col_add(L, C_TYPE, -1, 9);
	for (int k = 0; k < DIST_N; k++)
		if (dist_table[k].in_tui) {
			col_add(L, C_DIST, k, 7);
			if (dist_table[k].where)
				col_add(L, C_AT, k, atw);
		}
	col_add(L, C_LIMIT, -1, cv->sc ? 15 : 0);
	int ct = col_find(L, C_TYPE), ca = col_find(L, C_AT), cn = col_find(L, C_NAME),
	    cl = col_find(L, C_LIMIT);
	/* narrower until it fits: the type goes first, then the value of
	 * L-infinity and the names give way */
	for (;;) {
		int used = 1;
		for (int c = 0; c < L->n; c++)
			if (L->w[c])
				used += L->w[c] + (L->what[c] == C_AT ? 1 : 2);
		if (used <= w)
			break;
		if (L->w[ct])
			L->w[ct] = 0;
		else if (ca >= 0 && L->w[ca] > 10)
			L->w[ca]--;
		else if (L->w[cn] > 12)
			L->w[cn]--;
		else if (L->w[cl] > 9)
			L->w[cl]--;
		else
			break;
	}
	int cx = x + 1;
	for (int c = 0; c < L->n; c++) {
		if (!L->w[c])
			continue;
		L->x[c] = cx;
		bool at_next = c + 1 < L->n && L->what[c + 1] == C_AT && L->w[c + 1];
		cx += L->w[c] + (at_next ? 1 : 2);
	}
}

static const char *col_head(const struct tui *t, const struct cv_layout *L, int c)
{
	switch (L->what[c]) {
	case C_NAME: return "feature";
	case C_TYPE: return "type";
	case C_DIST: return t->utf8 ? dist_table[L->dist[c]].heading_utf8 : dist_table[L->dist[c]].heading;
	case C_AT: return "at value";
	default: return "threshold";
	}
}

/* The column of the order, or -1. */
static int sort_col(const struct cv_layout *L, sort_key k)
{
	for (int c = 0; k != SORT_DISTANCE && c < L->n; c++)
		if (k == SORT_NAME ? L->what[c] == C_NAME : L->what[c] == C_DIST && L->dist[c] == k)
			return c;
	return -1;
}

static void draw_head(struct cmpview *cv, struct tui *t, int y, const struct cv_layout *L)
{
	int sc = sort_col(L, cv->sort);
	for (int c = 0; c < L->n; c++) {
		if (!L->w[c])
			continue;
		bool right = L->what[c] == C_DIST;
		char *h = sc == c ? xasprintf("%s%s", col_head(t, L, c),
					      L->what[c] == C_NAME ? t->g->up : t->g->down)
				  : xstrdup(col_head(t, L, c));
		tui_cell(t, y, L->x[c], L->w[c], sc == c ? S_HEADER_CUR : S_HEADER, h, right);
		free(h);
	}
}

static void draw_rule(struct cmpview *cv, struct tui *t, int y, int x, int w)
{
	char num[32];
	struct sbuf b = {0};
	for (int i = 0; i < 2; i++)
		sbuf_puts(&b, t->g->hline);
	/* with a schema, the rule is for the features it sets no threshold for */
	json_t *th = json_object_get(cv->res, "thresholds");
	sbuf_puts(&b, " threshold");
	bool first = true;
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].comparator) {
			sbuf_printf(&b, "%s %s %s", first ? "" : ",",
				    t->utf8 ? dist_table[k].heading_utf8 : dist_table[k].heading,
				    render_num(json_number_value(json_object_get(th, dist_table[k].name)),
					       num, sizeof num));
			first = false;
		}
	sbuf_printf(&b, "%s ", cv->sc ? " where the schema sets none" : "");
	for (int i = utf8_width(b.s); i < w - 2; i++)
		sbuf_puts(&b, t->g->hline);
	tui_put(t, y, x + 1, w - 2, S_RULE, b.s);
	sbuf_free(&b);
}

static void draw_row(struct cmpview *cv, struct tui *t, int y, int x, int w,
		     const struct cv_layout *L, size_t i, bool cur)
{
	json_t *f = cv->order[i];
	bool over = row_over(cv, f);
	enum style st = over ? (cur ? S_WARN_CUR : S_WARN) : cur ? S_ROW_CUR : S_NORMAL;
	enum style na = cur ? S_NA_CUR : S_NA;
	if (cur)
		tui_fill(t, y, x, w, S_ROW_CUR);
	for (int c = 0; c < L->n; c++) {
		if (!L->w[c] && L->what[c] != C_AT && L->what[c] != C_DIST)
			continue;
		switch (L->what[c]) {
		case C_NAME:
			tui_cell(t, y, L->x[c], L->w[c], cur && !over ? S_CELL_CUR : st, tui_jstr(f, "name"),
				 false);
			break;
		case C_TYPE:
			tui_cell(t, y, L->x[c], L->w[c], cur || over ? st : S_TYPE, tui_jstr(f, "type"),
				 false);
			break;
		case C_DIST: {
			char buf[32];
			json_t *v = json_object_get(f, dist_table[L->dist[c]].name);
			tui_cell(t, y, L->x[c], L->w[c], json_is_number(v) ? st : na,
				 dist_text(v, buf, sizeof buf), true);
			break;
		}
		case C_AT: {
			char key[64];
			snprintf(key, sizeof key, "%s_value", dist_table[L->dist[c]].name);
			char *at = tui_oneline(tui_jstr(f, key));
			tui_cell(t, y, L->x[c], L->w[c], st, at, false);
			free(at);
			break;
		}
		case C_LIMIT: {
			const struct schema_comparator *sc = schema_skew(cv, f);
			struct sbuf b = {0};
			limit_text(cv, t, f, &b);
			tui_cell(t, y, L->x[c], L->w[c], sc || over ? st : cur ? S_ROW_CUR : S_INFO, b.s,
				 false);
			sbuf_free(&b);
			break;
		}
		}
	}
}

/* Display lines: the rows, with the threshold rule between them when the
 * order is by distance. */
static size_t nlines(const struct cmpview *cv)
{
	return cv->n + (cv->sort == SORT_DISTANCE && cv->n ? 1 : 0);
}

static size_t line_of(const struct cmpview *cv, size_t row)
{
	return row + (cv->sort == SORT_DISTANCE && row >= cv->rule ? 1 : 0);
}

static void cv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct cmpview *cv = (struct cmpview *)v;
	sync(cv, t);
	if (cv->err) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, cv->err);
		return;
	}
	json_t *r = cv->res;
	/* A and B, and the features only one of them has */
	int cx = x + 1;
	cx += tui_putf(t, y, cx, w - 2, S_INFO, "A = %s (%lld rows), B = %s (%lld rows)",
		       tui_jstr(r, "a"), (long long)json_integer_value(json_object_get(r, "rows_a")),
		       tui_jstr(r, "b"), (long long)json_integer_value(json_object_get(r, "rows_b")));
	for (int k = 0; k < 2; k++) {
		json_t *only = json_object_get(r, k ? "only_in_b" : "only_in_a");
		if (!json_array_size(only))
			continue;
		struct sbuf b = {0};
		sbuf_printf(&b, "; only in %s:", k ? "B" : "A");
		for (size_t i = 0; i < json_array_size(only); i++)
			sbuf_printf(&b, " %s", json_string_value(json_array_get(only, i)));
		cx += tui_put(t, y, cx, x + w - 1 - cx, S_INFO, b.s);
		sbuf_free(&b);
	}
	struct cv_layout L;
	plan(cv, x, w, &L);
	draw_head(cv, t, y + 1, &L);
	int rows = h - 2;
	v->sc.page = rows;
	scroller_fix(&v->sc);
	size_t nl = nlines(cv);
	if (cv->n) {
		size_t cl = line_of(cv, v->sc.cur);
		if (cl < cv->top)
			cv->top = cl;
		if (cl >= cv->top + (size_t)rows)
			cv->top = cl - (size_t)rows + 1;
	}
	if (nl > (size_t)rows && cv->top > nl - (size_t)rows)
		cv->top = nl - (size_t)rows;
	for (int k = 0; k < rows; k++) {
		size_t li = cv->top + (size_t)k;
		if (li >= nl)
			break;
		if (cv->sort == SORT_DISTANCE && li == cv->rule) {
			draw_rule(cv, t, y + 2 + k, x, w);
			continue;
		}
		size_t row = cv->sort == SORT_DISTANCE && li > cv->rule ? li - 1 : li;
		draw_row(cv, t, y + 2 + k, x, w, &L, row, row == v->sc.cur);
	}
	if (!cv->n)
		tui_put(t, y + 3, x + 1, w - 2, S_INFO, "The two datasets share no feature.");
}

static size_t count_over(const struct cmpview *cv)
{
	size_t k = 0;
	for (size_t i = 0; i < cv->n; i++)
		k += row_over(cv, cv->order[i]);
	return k;
}

static void cv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct cmpview *cv = (struct cmpview *)v;
	if (!cv->res) {
		buf[0] = 0;
		return;
	}
	snprintf(buf, n, "%zu features, %zu over%s, by %s", cv->n, count_over(cv),
		 cv->sc ? " their thresholds" : " the threshold",
		 cv->sort == SORT_DISTANCE || cv->sort == SORT_NAME ? sort_field(cv->sort)
								    : dist_table[cv->sort].short_label);
}

static void cv_enter(struct view *v, struct tui *t)
{
	sync((struct cmpview *)v, t);
}

static void cv_free(struct view *v)
{
	struct cmpview *cv = (struct cmpview *)v;
	str_list_free(cv->args);
	free(cv->schema);
	schema_free(cv->sc);
	json_decref(cv->res);
	free(cv->err);
	free(cv->run_key);
	free(cv->order);
}

struct cv_match {
	struct cmpview *cv;
	const char *pat;
};

static bool cv_match(void *ctx, size_t i)
{
	struct cv_match *m = ctx;
	return tui_strcasestr(tui_jstr(m->cv->order[i], "name"), m->pat) != NULL;
}

static bool cv_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct cmpview *cv = (struct cmpview *)v;
	sync(cv, t);
	struct cv_match m = {cv, pat};
	return scroller_find(&v->sc, dir, next, cv_match, &m);
}

static void cv_click(struct view *v, struct tui *t, int y, int x)
{
	struct cmpview *cv = (struct cmpview *)v;
	if (y < 2)
		return;
	size_t li = cv->top + (size_t)(y - 2);
	for (size_t i = 0; i < cv->n; i++)
		if (line_of(cv, i) == li)
			v->sc.cur = i;
}

static void k_sort(struct tui *t, struct view *v, int key)
{
	struct cmpview *cv = (struct cmpview *)v;
	const char *cur = cv->n ? tui_jstr(cv->order[v->sc.cur], "name") : NULL;
	char *keep = cur ? xstrdup(cur) : NULL;
	cv->sort = sort_next(cv->sort);
	if (cv->res)
		order_rows(cv);
	for (size_t i = 0; keep && i < cv->n; i++)
		if (strcmp(tui_jstr(cv->order[i], "name"), keep) == 0)
			v->sc.cur = i;
	free(keep);
	scroller_fix(&v->sc);
}

/* "X" sets both thresholds, "X Y" (or "X,Y") L-infinity's and JSD's. */
static void threshold_accept(struct tui *t, struct view *v, const char *text)
{
	struct cmpview *cv = (struct cmpview *)v;
	char num[2][64];
	double x[2];
	int k = 0;
	const char *p = text;
	while (*p && k < 3) {
		p += strspn(p, " ,/");
		size_t len = strcspn(p, " ,/");
		if (!len)
			break;
		if (k < 2) {
			snprintf(num[k], sizeof num[k], "%.*s", (int)len, p);
			if (!parse_double(p, len, &x[k]) || !(x[k] >= 0 && x[k] <= 1))
				k = 3;
		}
		k++;
		p += len;
	}
	if (k < 1 || k > 2) {
		tui_error(t, "thresholds: one number from 0 to 1 for both, or two (L-infinity, JSD), not \"%s\"",
			  text);
		return;
	}
	if (k == 1)
		memcpy(num[1], num[0], sizeof num[1]);
	/* the options replace earlier ones */
	static const char *const opts[] = {"--threshold", "--linf-threshold", "--jsd-threshold"};
	size_t n = nargs(cv->args), j = 0;
	char **args = xcalloc(n + 5, sizeof *args);
	for (size_t i = 0; i < n; i++) {
		bool drop = false;
		for (size_t o = 0; o < PM_ARRAY_LEN(opts); o++)
			drop |= strcmp(cv->args[i], opts[o]) == 0 && i + 1 < n;
		if (drop) {
			i++;
			continue;
		}
		args[j++] = xstrdup(cv->args[i]);
	}
	args[j++] = xstrdup("--linf-threshold");
	args[j++] = xstrdup(num[0]);
	args[j++] = xstrdup("--jsd-threshold");
	args[j++] = xstrdup(num[1]);
	str_list_free(cv->args);
	cv->args = args;
	cv->synced = false;
}

static void k_threshold(struct tui *t, struct view *v, int key)
{
	struct cmpview *cv = (struct cmpview *)v;
	char num[140] = "";
	if (cv->res) {
		json_t *th = json_object_get(cv->res, "thresholds");
		char a[64], b[64];
		fmt_double(json_number_value(json_object_get(th, "linf")), a, sizeof a);
		fmt_double(json_number_value(json_object_get(th, "jsd")), b, sizeof b);
		snprintf(num, sizeof num, "%s %s", a, b);
	}
	prompt_open(t, P_COLUMN, t->utf8 ? "thresholds L\u221e JSD (0 to 1): " : "thresholds Linf JSD (0 to 1): ",
		    num, v, threshold_accept);
}

static struct view *distview_new(struct tui *t, const struct cmpview *cv, json_t *feat);

static void k_detail(struct tui *t, struct view *v, int key)
{
	struct cmpview *cv = (struct cmpview *)v;
	sync(cv, t);
	if (!cv->n) {
		tui_error(t, "%s", cv->err ? cv->err : "no shared features");
		return;
	}
	tui_push(t, distview_new(t, cv, cv->order[v->sc.cur]));
}

static const struct key_binding cv_b[] = {
	{{K_ENTER}, "both distributions side by side (plot hist A F --vs B)", "distributions",
	 k_detail},
	{{'s'}, "sort by: distance, L-infinity, JSD, PSI, KS, name", "sort", k_sort},
	{{'t'}, "thresholds: L-infinity (categories), JSD (numbers)", "thresholds", k_threshold},
	{{0}},
};
static const struct key_table cv_keys = {"Compare", cv_b};

const struct view_class cmpview_class = {
	.name = "compare",
	.about = "Compare: the distance between two datasets' distributions of each shared "
		 "feature, as `compare A B` computes them: L-infinity between value frequencies "
		 "(with the value where it is largest) for categories, Jensen-Shannon divergence, "
		 "PSI against A's deciles, and KS for numbers. Sorted by distance (L-infinity, or "
		 "JSD over A's deciles for numbers) with the threshold drawn as a rule; features over it are "
		 "highlighted. Opened from a schema, a feature with a skew threshold in the schema "
		 "is held to that one.",
	.keys = {&cv_keys, &nav_keys, NULL},
	.draw = cv_draw,
	.enter = cv_enter,
	.free = cv_free,
	.info = cv_info,
	.search = cv_search,
	.click = cv_click,
};

static struct view *cmpview_new(char **args, const char *schema)
{
	struct cmpview *cv = xcalloc(1, sizeof *cv);
	cv->sort = SORT_DISTANCE;
	char *title = xasprintf("%s vs %s", args[0], args[1]);
	view_init(&cv->v, &cmpview_class, title);
	free(title);
	cv->args = args;
	cv->schema = schema ? xstrdup(schema) : NULL;
	return &cv->v;
}

static void compare_accept(struct tui *t, struct view *v, const char *line)
{
	char ***cmds = NULL;
	struct pm_err err = {0};
	int nc = cmdline_parse(line, &cmds, &err);
	if (nc < 0) {
		tui_error(t, "%s", err.msg);
		return;
	}
	char **w = nc == 1 ? cmds[0] : NULL;
	size_t n = w ? nargs(w) : 0;
	if (n >= 3 && strcmp(w[0], "compare") == 0 && w[1][0] != '-' && w[2][0] != '-') {
		char **args = xcalloc(n, sizeof *args);
		for (size_t i = 1; i < n; i++)
			args[i - 1] = xstrdup(w[i]);
		tui_push(t, cmpview_new(args, schema_view_schema(v, w[1], w[2])));
		struct cmpview *cv = (struct cmpview *)tui_top(t);
		/* a command that fails (no such dataset) is an error here, not a view */
		if (cv->err) {
			char *msg = xstrdup(cv->err);
			tui_pop(t);
			tui_error(t, "%s", msg);
			free(msg);
		} else {
			size_t over = count_over(cv);
			tui_msg(t, "%zu of %zu features over %s", over, cv->n,
				cv->sc ? "their thresholds" : "the threshold");
		}
	} else {
		/* edited into another command: run it as typed */
		tui_command(t, line);
	}
	cmdline_free(cmds);
}

void compare_prompt(struct tui *t, struct view *v, const char *a, const char *b)
{
	struct sbuf init = {0};
	sbuf_puts(&init, "compare ");
	cmd_quote_word(&init, a);
	sbuf_putc(&init, ' ');
	if (b)
		cmd_quote_word(&init, b);
	prompt_open(t, P_COMMAND, ":", init.s, v, compare_accept);
	tui_msg(t, "the dataset to compare %s with (Tab completes)", a);
	sbuf_free(&init);
}

/* ---- one feature's distributions ------------------------------------------------------- */
enum drow_kind { D_BLANK, D_HEAD, D_STAT, D_BIN, D_NOTE };

struct drow {
	enum drow_kind kind;
	char *label, *a, *b;   /* D_STAT: texts; D_HEAD: titles */
	double sa, sb;         /* D_BIN: shares */
	bool mark;             /* the value where L-infinity is largest */
};

struct distview {
	struct view v;
	char *a, *b, *feature;
	json_t *feat;          /* the compare row */
	double thr;
	bool over;
	char *limit;           /* the threshold that applies, as text */
	bool loaded;
	char *err;
	struct drow *rows;
	size_t n;
	double maxshare;
};

static void add_row(struct distview *d, size_t *cap, struct drow r)
{
	xgrow((void **)&d->rows, cap, d->n + 1, sizeof *d->rows);
	d->rows[d->n++] = r;
}

static void add_stat(struct distview *d, size_t *cap, const char *label, char *a, char *b)
{
	add_row(d, cap, (struct drow){.kind = D_STAT, .label = xstrdup(label), .a = a, .b = b});
}

/* Counts in full; other numbers as the statistics table prints them,
 * whether or not the JSON holds them as integers (a whole mean). */
static char *stat_num(json_t *st, const char *k)
{
	static const char *const counts[] = {"count", "missing", "unique", "zeros"};
	bool count = false;
	for (size_t i = 0; i < PM_ARRAY_LEN(counts); i++)
		count |= strcmp(k, counts[i]) == 0;
	char buf[32];
	json_t *v = json_object_get(st, k);
	if (count && json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	return xstrdup(json_is_number(v) ? render_num(json_number_value(v), buf, sizeof buf) : "-");
}

static char *stat_str(json_t *st, const char *k)
{
	const char *s = json_string_value(json_object_get(st, k));
	return xstrdup(s ? s : "-");
}

/* A numeric bin as text: [low, high), the last one closed; timestamps
 * by the day they start. */
static char *bin_label(json_t *bin, bool last, bool time)
{
	double lo = json_number_value(json_object_get(bin, "low"));
	double hi = json_number_value(json_object_get(bin, "high"));
	if (time) {
		char ts[64];
		ts_format((int64_t)lo, ts, sizeof ts);
		ts[10] = 0;
		return xasprintf("from %s", ts);
	}
	char a[32], b[32];
	return xasprintf("[%s, %s%c", render_num(lo, a, sizeof a), render_num(hi, b, sizeof b),
			 last ? ']' : ')');
}

static void dist_load(struct distview *d, struct tui *t)
{
	if (d->loaded)
		return;
	d->loaded = true;
	size_t cap = 0;
	json_t *sa = json_object_get(d->feat, "a"), *sb = json_object_get(d->feat, "b");
	const char *type = tui_jstr(d->feat, "type");
	bool cat = strcmp(type, "string") == 0 || json_is_string(json_object_get(d->feat, "linf_value"));
	bool time = strcmp(type, "timestamp") == 0;
	add_row(d, &cap, (struct drow){.kind = D_HEAD, .label = xstrdup(""), .a = xstrdup(d->a),
				       .b = xstrdup(d->b)});
	add_stat(d, &cap, "count", stat_num(sa, "count"), stat_num(sb, "count"));
	add_stat(d, &cap, "missing", stat_num(sa, "missing"), stat_num(sb, "missing"));
	if (cat) {
		add_stat(d, &cap, "unique", stat_num(sa, "unique"), stat_num(sb, "unique"));
		add_stat(d, &cap, "avg length", stat_num(sa, "avg_length"), stat_num(sb, "avg_length"));
	} else if (time) {
		static const char *const k[] = {"min_time", "median_time", "max_time"};
		static const char *const l[] = {"min", "median", "max"};
		for (int i = 0; i < 3; i++)
			add_stat(d, &cap, l[i], stat_str(sa, k[i]), stat_str(sb, k[i]));
	} else {
		static const char *const k[] = {"mean", "std", "zeros", "min", "median", "max"};
		for (int i = 0; i < 6; i++)
			add_stat(d, &cap, k[i], stat_num(sa, k[i]), stat_num(sb, k[i]));
	}
	add_row(d, &cap, (struct drow){.kind = D_BLANK});
	char *words[] = {"plot", "hist", d->a, d->feature, "--vs", d->b, NULL};
	json_t *h = NULL;
	struct pm_err err = {0};
	if (tui_exec_json(t, words, &h, &err) < 0) {
		d->err = xstrdup(err.msg);
		return;
	}
	char *ha = xasprintf("share of %s", d->a), *hb = xasprintf("share of %s", d->b);
	add_row(d, &cap, (struct drow){.kind = D_HEAD, .label = xstrdup(cat ? "value" : "bin"),
				       .a = ha, .b = hb});
	json_t *bins = json_object_get(h, "bins");
	const char *lv = json_string_value(json_object_get(d->feat, "linf_value"));
	for (size_t i = 0; i < json_array_size(bins); i++) {
		json_t *bin = json_array_get(bins, i);
		struct drow r = {.kind = D_BIN};
		r.sa = json_number_value(json_object_get(bin, "share"));
		r.sb = json_number_value(json_object_get(bin, "share_vs"));
		if (cat) {
			r.label = tui_oneline(tui_jstr(bin, "value"));
			r.mark = lv && strcmp(tui_jstr(bin, "value"), lv) == 0;
		} else {
			r.label = bin_label(bin, i + 1 == json_array_size(bins), time);
		}
		if (r.sa > d->maxshare)
			d->maxshare = r.sa;
		if (r.sb > d->maxshare)
			d->maxshare = r.sb;
		add_row(d, &cap, r);
	}
	json_int_t odd = json_integer_value(json_object_get(h, "nan_or_inf"));
	if (odd)
		add_row(d, &cap, (struct drow){.kind = D_NOTE,
					       .label = xasprintf("%lld NaN or infinite values are "
								  "not in the bins",
								  (long long)odd)});
	json_decref(h);
}

static void draw_share(struct tui *t, int y, int x, int w, double share, double max, bool warn)
{
	char pct[32];
	tui_pct(share, 1, pct, sizeof pct);
	int barw = w - 7;
	if (barw > 0) {
		struct sbuf b = {0};
		plot_bar(&b, share, max, barw, t->utf8);
		tui_put(t, y, x, barw, S_SPARK, b.s ? b.s : "");
		sbuf_free(&b);
	}
	tui_cell(t, y, x + (barw > 0 ? barw : 0), w - (barw > 0 ? barw : 0), warn ? S_WARN : S_NORMAL,
		 pct, true);
}

static void dv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct distview *d = (struct distview *)v;
	dist_load(d, t);
	/* the feature and its distances */
	int cx = x + 1;
	cx += tui_putf(t, y, cx, w - 2, S_SECTION, "%s", d->feature);
	cx += tui_putf(t, y, cx, x + w - 1 - cx, S_TYPE, " (%s)", tui_jstr(d->feat, "type"));
	tui_putf(t, y, cx, x + w - 1 - cx, S_INFO, "  A = %s, B = %s", d->a, d->b);
	/* the distances this feature has; the headline one highlighted when over */
	const char *kind = tui_jstr(d->feat, "distance_kind");
	cx = x + 1;
	for (size_t i = 0; i < DIST_N; i++) {
		const struct dist_info *di = &dist_table[i];
		json_t *val = json_object_get(d->feat, di->name);
		if (!di->in_tui || !json_is_number(val))
			continue;
		char num[32];
		struct sbuf b = {0};
		sbuf_printf(&b, "%s%s %s", cx > x + 1 ? "   " : "", t->utf8 ? di->heading_utf8 : di->heading,
			    dist_text(val, num, sizeof num));
		char key[64];
		snprintf(key, sizeof key, "%s_value", di->name);
		json_t *lv = json_object_get(d->feat, key);
		if (di->where && json_is_string(lv)) {
			char *one = tui_oneline(json_string_value(lv));
			char *cut = render_cut(one, 24);
			sbuf_printf(&b, " at %s", cut);
			free(cut);
			free(one);
		}
		bool head = strcmp(kind, di->name) == 0 && d->over;
		cx += tui_put(t, y + 1, cx, x + w - 1 - cx, head ? S_WARN : S_NORMAL, b.s);
		sbuf_free(&b);
	}
	tui_putf(t, y + 1, cx, x + w - 1 - cx, d->over ? S_WARN : S_INFO, "   threshold %s%s",
		 d->limit, d->over ? ": over" : "");
	/* the rest scrolls: statistics, then the bins side by side */
	int rows = h - 3;
	v->sc.n = d->n + (d->err ? 1 : 0);
	v->sc.page = rows;
	scroller_fix(&v->sc);
	int labw = 7;
	for (size_t i = 0; i < d->n; i++)
		if (d->rows[i].label && utf8_width(d->rows[i].label) > labw)
			labw = utf8_width(d->rows[i].label);
	if (labw > w / 4)
		labw = w / 4;
	int sidew = (w - 2 - labw - 4) / 2;
	int ax = x + 1 + labw + 2, bx = ax + sidew + 2;
	for (int r = 0; r < rows; r++) {
		size_t i = v->sc.top + (size_t)r;
		int yy = y + 3 + r;
		if (i == d->n && d->err) {
			tui_put(t, yy, x + 1, w - 2, S_WARN, d->err);
			break;
		}
		if (i >= d->n)
			break;
		const struct drow *row = &d->rows[i];
		switch (row->kind) {
		case D_BLANK: break;
		case D_NOTE: tui_put(t, yy, x + 1, w - 2, S_INFO, row->label); break;
		case D_HEAD:
			tui_cell(t, yy, x + 1, labw, S_HEADER, row->label, false);
			tui_cell(t, yy, ax, sidew, S_HEADER, row->a, false);
			tui_cell(t, yy, bx, sidew, S_HEADER, row->b, false);
			break;
		case D_STAT:
			tui_cell(t, yy, x + 1, labw, S_INFO, row->label, false);
			tui_cell(t, yy, ax, sidew, S_NORMAL, row->a, false);
			tui_cell(t, yy, bx, sidew, S_NORMAL, row->b, false);
			break;
		case D_BIN:
			tui_cell(t, yy, x + 1, labw, row->mark ? S_WARN : S_NORMAL, row->label, false);
			draw_share(t, yy, ax, sidew, row->sa, d->maxshare, row->mark);
			draw_share(t, yy, bx, sidew, row->sb, d->maxshare, row->mark);
			break;
		}
	}
}

static void dv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct distview *d = (struct distview *)v;
	size_t bins = 0;
	for (size_t i = 0; i < d->n; i++)
		bins += d->rows[i].kind == D_BIN;
	snprintf(buf, n, "%zu %s", bins, bins == 1 ? "bin" : "bins");
}

static void dv_free(struct view *v)
{
	struct distview *d = (struct distview *)v;
	for (size_t i = 0; i < d->n; i++) {
		free(d->rows[i].label);
		free(d->rows[i].a);
		free(d->rows[i].b);
	}
	free(d->rows);
	free(d->a);
	free(d->b);
	free(d->feature);
	json_decref(d->feat);
	free(d->limit);
	free(d->err);
}

const struct view_class distview_class = {
	.name = "distributions",
	.about = "Distributions: one feature in both datasets side by side: their statistics, "
		 "then the share of each dataset's values in each bin (`plot hist A F --vs B`: "
		 "equal-width bins over both for numbers, the most frequent values for "
		 "categories). The value where the L-infinity distance is largest is highlighted.",
	.keys = {&nav_keys, NULL},
	.draw = dv_draw,
	.free = dv_free,
	.info = dv_info,
};

static struct view *distview_new(struct tui *t, const struct cmpview *cv, json_t *feat)
{
	struct distview *d = xcalloc(1, sizeof *d);
	view_init(&d->v, &distview_class, tui_jstr(feat, "name"));
	d->v.sc.cursorless = true;
	d->a = xstrdup(tui_jstr(cv->res, "a"));
	d->b = xstrdup(tui_jstr(cv->res, "b"));
	d->feature = xstrdup(tui_jstr(feat, "name"));
	d->feat = json_incref(feat);
	d->over = row_over(cv, feat);
	struct sbuf b = {0};
	limit_text(cv, t, feat, &b);
	if (schema_skew(cv, feat))
		sbuf_puts(&b, " (schema)");
	d->limit = sbuf_steal(&b);
	return &d->v;
}
