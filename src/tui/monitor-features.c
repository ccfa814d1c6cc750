/* Skew and drift of a model's features on the Monitor screen: the rows the
 * dashboard shows (as many as fit) and the view of every feature, the
 * largest distance first, each with its bar against its threshold. */
#include "internal.h"

#include "plot/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A distance to four decimals, as `monitor` prints them. */
void feat_dist_text(json_t *v, int width, char *buf, size_t n)
{
	if (json_is_number(v))
		tui_fmt_num(round(json_number_value(v) * 1e4) / 1e4, width, buf, n);
	else
		snprintf(buf, n, "-");
}

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
json_t **feat_sorted(json_t *r, size_t *n)
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


void feat_layout(struct feat_layout *L, json_t **fs, size_t n, int x, int w)
{
	int longest = 7;
	for (size_t i = 0; i < n; i++) {
		int lw = utf8_width(tui_jstr(fs[i], "name"));
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

void feat_header(struct tui *t, const struct feat_layout *L, int y)
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
	feat_dist_text(v, L->val_w, num, sizeof num);
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

void feat_row(struct tui *t, const struct feat_layout *L, json_t *f, int y, bool cur)
{
	bool alert = json_is_true(json_object_get(f, "alert"));
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	tui_cell(t, y, L->name_x, L->name_w, alert ? (cur ? S_WARN_CUR : S_WARN) : st,
		 tui_jstr(f, "name"), false);
	tui_cell(t, y, L->dist_x, 4, cur ? st : S_TYPE, tui_jstr(f, "distance"), false);
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
	return tui_strcasestr(tui_jstr(((struct featlist *)lv)->fs[i], "name"), pat) != NULL;
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

struct view *featlist_new(json_t *res)
{
	struct featlist *fl = xcalloc(1, sizeof *fl);
	listview_init(&fl->lv, &featlist_class, "features", &fl_ops, feat_cols, F_NCOLS);
	fl->res = json_incref(res);
	fl->fs = feat_sorted(fl->res, &fl->lv.n);
	fl->lv.v.sc.n = fl->lv.n;
	return &fl->lv.v;
}

