/* The one list view of the workbench: rows under a header of columns, a
 * row cursor, search, clicks and marks, and rereading that keeps the cursor
 * (and the marks) on their rows.  What the rows are, how they are read and
 * what their cells say is the list's (struct listview_ops); the rest is
 * here, once, for every list. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void tui_cols_layout(const struct tui_col *c, int n, int x0, int w, int *x, int *cw)
{
	bool shown[TUI_MAX_COLS];
	int total = 1;
	for (int i = 0; i < n; i++) {
		shown[i] = true;
		total += c[i].w + (i ? 2 : 0);
	}
	/* the droppable columns go, the highest drop rank first, until it fits */
	while (total > w) {
		int worst = -1;
		for (int i = 0; i < n; i++)
			if (shown[i] && c[i].drop && (worst < 0 || c[i].drop > c[worst].drop))
				worst = i;
		if (worst < 0)
			break;
		shown[worst] = false;
		total -= c[worst].w + 2;
	}
	int at = x0 + 1;
	for (int i = 0; i < n; i++) {
		if (!shown[i]) {
			x[i] = -1;
			cw[i] = 0;
			continue;
		}
		cw[i] = c[i].w + (c[i].flex && total < w ? w - total : 0);
		if (at + cw[i] > x0 + w)
			cw[i] = x0 + w - at;
		if (cw[i] < 0)
			cw[i] = 0;
		x[i] = at;
		at += cw[i] + 2;
	}
}

void tui_cols_header(struct tui *t, const struct tui_col *c, int n, const int *x, const int *cw,
		     int y)
{
	for (int i = 0; i < n; i++)
		if (x[i] >= 0)
			tui_cell(t, y, x[i], cw[i], S_HEADER, c[i].head, c[i].right);
}

bool tui_due(double *last, double period)
{
	double now = now_seconds();
	if (*last > 0 && now - *last < period)
		return false;
	*last = now;
	return true;
}

void listview_init(struct listview *lv, const struct view_class *cls, const char *title,
		   const struct listview_ops *ops, const struct tui_col *cols, int ncols)
{
	view_init(&lv->v, cls, title);
	lv->ops = ops;
	lv->cols = cols;
	lv->ncols = ncols;
}

static void rows_clear(struct listview *lv)
{
	if (lv->ops->free_rows)
		lv->ops->free_rows(lv);
	lv->n = 0;
	free(lv->marked);
	lv->marked = NULL;
}

void listview_sync(struct listview *lv, struct tui *t, bool force)
{
	const struct listview_ops *o = lv->ops;
	if (!o->load)
		return;
	if (!force && lv->loaded && lv->gen == t->gen && !lv->live &&
	    !(o->period > 0 && tui_due(&lv->read_at, o->period)))
		return;
	if (o->period > 0)
		lv->read_at = now_seconds();
	/* what the cursor and the marks are on, by key */
	char *cur = lv->want;
	lv->want = NULL;
	if (!cur && lv->v.sc.cur < lv->n)
		cur = o->key(lv, lv->v.sc.cur);
	char **marks = xcalloc(lv->n + 1, sizeof *marks);
	size_t nm = 0;
	for (size_t i = 0; lv->marked && i < lv->n; i++)
		if (lv->marked[i])
			marks[nm++] = o->key(lv, i);
	rows_clear(lv);
	free(lv->err);
	lv->err = NULL;
	lv->live = false;
	struct workspace *ws;
	struct pm_err err = {0};
	if (session_ws(t->s, &ws, &err) < 0 || o->load(lv, t, ws, &lv->n, &err) < 0) {
		rows_clear(lv);
		lv->err = xstrdup(err.msg);
	}
	lv->loaded = true;
	lv->gen = t->gen;
	lv->v.sc.n = lv->n;
	lv->marked = xcalloc(lv->n ? lv->n : 1, sizeof *lv->marked);
	for (size_t i = 0; (cur || nm) && i < lv->n; i++) {
		char *k = o->key(lv, i);
		if (cur && strcmp(k, cur) == 0)
			lv->v.sc.cur = i;
		for (size_t m = 0; m < nm; m++)
			if (strcmp(k, marks[m]) == 0)
				lv->marked[i] = true;
		free(k);
	}
	for (size_t m = 0; m < nm; m++)
		free(marks[m]);
	free(marks);
	free(cur);
	scroller_fix(&lv->v.sc);
}

bool listview_current(struct listview *lv, struct tui *t, const char *none, size_t *i)
{
	listview_sync(lv, t, false);
	if (lv->n == 0) {
		tui_error(t, "%s", none);
		return false;
	}
	*i = lv->v.sc.cur;
	return true;
}

size_t listview_marked(const struct listview *lv)
{
	size_t k = 0;
	for (size_t i = 0; lv->marked && i < lv->n; i++)
		k += lv->marked[i];
	return k;
}

void listview_fini(struct listview *lv)
{
	rows_clear(lv);
	free(lv->err);
	free(lv->want);
}

void listview_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct listview *lv = (struct listview *)v;
	const struct listview_ops *o = lv->ops;
	listview_sync(lv, t, false);
	if (lv->err) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, lv->err);
		return;
	}
	if (lv->n == 0 && o->empty) {
		struct sbuf b = {0};
		char **lines = str_split(o->empty(lv, &b), '\n', NULL);
		/* the title, a blank line, the help */
		for (size_t i = 0; lines[i]; i++)
			tui_put(t, y + 1 + (i ? 1 : 0) + (int)i, x + 1, w - 2, i ? S_NORMAL : S_INFO,
				lines[i]);
		str_list_free(lines);
		sbuf_free(&b);
		return;
	}
	int above = o->above ? o->above(lv, t, y, x, w) : 0;
	int cx[TUI_MAX_COLS], cw[TUI_MAX_COLS];
	/* the marks take the first column */
	int lead = lv->marks ? 1 : 0;
	if (o->layout)
		o->layout(lv, x, w, cx, cw);
	else
		tui_cols_layout(lv->cols, lv->ncols, x + lead, w - lead - lv->margin, cx, cw);
	lv->head_y = above;
	tui_cols_header(t, lv->cols, lv->ncols, cx, cw, y + above);
	int room = h - 1 - above;
	int rows = o->rows ? o->rows(lv, room) : room;
	v->sc.page = rows;
	scroller_fix(&v->sc);
	struct sbuf b = {0};
	for (int r = 0; r < rows; r++) {
		size_t i = v->sc.top + (size_t)r;
		if (i >= lv->n)
			break;
		bool cur = i == v->sc.cur;
		enum style st = cur ? S_ROW_CUR : S_NORMAL;
		int yy = y + above + 1 + r;
		if (cur)
			tui_fill(t, yy, x, w, st);
		if (o->row) {
			o->row(lv, t, i, yy, x, w, cx, cw, cur);
			continue;
		}
		if (lv->marked && lv->marked[i])
			tui_put(t, yy, x + 1, 1, cur ? st : S_WARN, "*");
		for (int c = 0; c < lv->ncols; c++) {
			if (cx[c] < 0)
				continue;
			b.len = 0;
			if (b.s)
				b.s[0] = 0;
			enum style cs = o->cell(lv, i, c, cur, cw[c], st, &b);
			tui_cell(t, yy, cx[c], cw[c], cs, b.s ? b.s : "", lv->cols[c].right);
		}
	}
	sbuf_free(&b);
	if (o->foot && rows < room)
		o->foot(lv, t, y + above + 1 + rows, x, room - rows, w);
}

void listview_enter(struct view *v, struct tui *t)
{
	listview_sync((struct listview *)v, t, false);
}

struct lv_match {
	struct listview *lv;
	const char *pat;
};

static bool lv_matches(void *ctx, size_t i)
{
	struct lv_match *m = ctx;
	return m->lv->ops->match(m->lv, i, m->pat);
}

bool listview_search(struct view *v, struct tui *t, const char *pattern, int dir, bool next)
{
	struct listview *lv = (struct listview *)v;
	listview_sync(lv, t, false);
	struct lv_match m = {lv, pattern};
	return scroller_find(&v->sc, dir, next, lv_matches, &m);
}

void listview_click(struct view *v, struct tui *t, int y, int x)
{
	int first = ((struct listview *)v)->head_y + 1;
	if (y >= first && v->sc.top + (size_t)(y - first) < v->sc.n) {
		v->sc.cur = v->sc.top + (size_t)(y - first);
		scroller_fix(&v->sc);
	}
}

void listview_free(struct view *v)
{
	listview_fini((struct listview *)v);
}
