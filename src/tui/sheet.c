/* The sheet: a dataset as a scrollable grid with typed column headers.
 * Sorting and searching only change the view; filtering makes a dataset
 * with `load NAME_filtered --sql ...`, so it is a recorded command and the
 * expression is checked by SQLite on the real data.  That dataset stays in
 * the workspace, so the prompt names it (and says when it replaces one)
 * before Enter, and the status line after. */
#include "internal.h"

#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH_SAMPLE 1000   /* rows looked at to size the columns */
#define MAX_COL_WIDTH 40
#define GAP 2

struct sheet {
	struct view v;
	char *name;
	char *base, *filter;     /* a filtered sheet: its source dataset and expression */
	struct frame *f;         /* re-fetched after every command: it may be replaced */
	unsigned gen;
	bool synced;
	char fp[17];
	char *err;
	size_t ncols;
	int *width;
	bool *right;
	size_t *perm;            /* display order when sorted */
	char *sort_col;          /* by name: survives a reload of the dataset */
	bool sort_desc;
	size_t col, left;
	int colx[512][2];        /* screen columns of the visible columns, last draw */
	size_t ncolx, colx_first;
};

static size_t row_at(const struct sheet *sh, size_t i)
{
	return sh->perm ? sh->perm[i] : i;
}

/* ---- sorting ------------------------------------------------------------------- */
struct sort_ctx {
	const double *num;       /* numeric columns */
	const uint32_t *rank;    /* string columns: rank of each dictionary code */
	const uint32_t *code;
	const uint8_t *valid;
	bool desc;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	bool vx = c->valid[x], vy = c->valid[y];
	/* missing values last, whichever the direction */
	if (vx != vy)
		return vx ? -1 : 1;
	int r = 0;
	if (vx) {
		if (c->num) {
			double p = c->num[x], q = c->num[y];
			bool nx = isnan(p), ny = isnan(q);
			if (nx != ny)
				return nx ? 1 : -1;
			r = nx ? 0 : (p > q) - (p < q);
		} else {
			uint32_t p = c->rank[c->code[x]], q = c->rank[c->code[y]];
			r = (p > q) - (q > p);
		}
		if (c->desc)
			r = -r;
	}
	if (r)
		return r;
	return (x > y) - (x < y); /* stable: equal values keep the file's order */
}

static int cmp_codes(const void *a, const void *b, void *arg)
{
	const struct strdict *d = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t lx = d->len[x], ly = d->len[y];
	int c = memcmp(d->str[x], d->str[y], lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

static void apply_sort(struct sheet *sh)
{
	free(sh->perm);
	sh->perm = NULL;
	if (!sh->sort_col || !sh->f)
		return;
	int ci = frame_col_index(sh->f, sh->sort_col);
	if (ci < 0) {
		free(sh->sort_col);
		sh->sort_col = NULL;
		return;
	}
	const struct column *c = &sh->f->cols[ci];
	size_t n = sh->f->nrows;
	struct sort_ctx ctx = {.valid = c->valid, .desc = sh->sort_desc};
	double *num = NULL;
	uint32_t *rank = NULL;
	if (c->type == PM_STRING) {
		/* compare ranks of the dictionary codes: one string sort per value */
		size_t nd = c->dict ? c->dict->n : 0;
		uint32_t *codes = xmalloc((nd + 1) * sizeof *codes);
		for (size_t i = 0; i < nd; i++)
			codes[i] = (uint32_t)i;
		qsort_r(codes, nd, sizeof *codes, cmp_codes, (void *)c->dict);
		rank = xcalloc(nd + 1, sizeof *rank);
		for (size_t i = 0; i < nd; i++)
			rank[codes[i]] = (uint32_t)i;
		free(codes);
		ctx.rank = rank;
		ctx.code = c->v.code;
	} else {
		num = xmalloc((n + 1) * sizeof *num);
		for (size_t r = 0; r < n; r++)
			num[r] = column_num(c, r);
		ctx.num = num;
	}
	sh->perm = xmalloc((n + 1) * sizeof *sh->perm);
	for (size_t r = 0; r < n; r++)
		sh->perm[r] = r;
	qsort_r(sh->perm, n, sizeof *sh->perm, cmp_rows, &ctx);
	free(num);
	free(rank);
}

/* ---- keeping up with the workspace ---------------------------------------------- */
static void measure(struct sheet *sh)
{
	struct frame *f = sh->f;
	free(sh->width);
	free(sh->right);
	sh->ncols = f->ncols;
	sh->width = xcalloc(f->ncols + 1, sizeof *sh->width);
	sh->right = xcalloc(f->ncols + 1, sizeof *sh->right);
	size_t stride = f->nrows > WIDTH_SAMPLE ? f->nrows / WIDTH_SAMPLE : 1;
	char buf[128];
	for (size_t c = 0; c < f->ncols; c++) {
		const struct column *col = &f->cols[c];
		int w = utf8_width(col->name) + 2; /* room for a sort arrow */
		int tw = (int)strlen(pm_type_name(col->type));
		if (tw > w)
			w = tw;
		if (w < 2)
			w = 2;
		for (size_t r = 0; r < f->nrows; r += stride) {
			int vw = utf8_width(column_text(col, r, buf, sizeof buf));
			if (vw > w)
				w = vw;
		}
		sh->width[c] = w > MAX_COL_WIDTH ? MAX_COL_WIDTH : w;
		sh->right[c] = col->type == PM_INT || col->type == PM_FLOAT;
	}
}

static bool sync(struct sheet *sh, struct tui *t)
{
	if (sh->synced && sh->gen == t->gen)
		return sh->f != NULL;
	sh->synced = true;
	sh->gen = t->gen;
	struct pm_err err = {0};
	struct workspace *ws;
	struct ws_dataset d = {0};
	struct frame *f;
	if (session_ws(t->s, &ws, &err) < 0 || ws_dataset_get(ws, sh->name, &d, &err) < 0 ||
	    session_frame(t->s, sh->name, &f, &err) < 0) {
		ws_dataset_free(&d);
		free(sh->err);
		sh->err = xstrdup(err.msg);
		sh->f = NULL;
		return false;
	}
	free(sh->err);
	sh->err = NULL;
	sh->f = f;
	bool changed = strcmp(sh->fp, d.fingerprint ? d.fingerprint : "") != 0 || !sh->width ||
		       sh->ncols != f->ncols;
	snprintf(sh->fp, sizeof sh->fp, "%s", d.fingerprint ? d.fingerprint : "");
	ws_dataset_free(&d);
	if (changed) {
		measure(sh);
		apply_sort(sh);
		sh->v.sc.n = f->nrows;
		if (sh->col >= f->ncols)
			sh->col = f->ncols ? f->ncols - 1 : 0;
		if (sh->left > sh->col)
			sh->left = sh->col;
		scroller_fix(&sh->v.sc);
	}
	return true;
}

/* ---- drawing ------------------------------------------------------------------------- */
/* Moves `left` so that the cursor's column is on screen. */
static void fix_left(struct sheet *sh, int w)
{
	if (sh->col < sh->left)
		sh->left = sh->col;
	for (;;) {
		int x = 1;
		for (size_t c = sh->left; c < sh->col; c++)
			x += sh->width[c] + GAP;
		if (sh->left >= sh->col || x + sh->width[sh->col] <= w)
			break;
		sh->left++;
	}
}

static void sh_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sync(sh, t)) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, sh->err ? sh->err : "no such dataset");
		return;
	}
	struct frame *f = sh->f;
	if (f->ncols == 0) {
		tui_put(t, y + 1, x + 1, w - 2, S_INFO, "This dataset has no columns.");
		return;
	}
	int rows = h - 3;
	v->sc.page = rows > 0 ? rows : 1;
	scroller_fix(&v->sc);
	fix_left(sh, w);
	/* the column layout */
	sh->ncolx = 0;
	sh->colx_first = sh->left;
	int cx = x + 1;
	for (size_t c = sh->left; c < f->ncols && cx < x + w && sh->ncolx < 512; c++) {
		int cw = sh->width[c];
		if (cx + cw > x + w)
			cw = x + w - cx;
		sh->colx[sh->ncolx][0] = cx;
		sh->colx[sh->ncolx][1] = cw;
		sh->ncolx++;
		cx += sh->width[c] + GAP;
	}
	/* headers: names, types, a rule */
	for (size_t k = 0; k < sh->ncolx; k++) {
		size_t c = sh->colx_first + k;
		const struct column *col = &f->cols[c];
		int hx = sh->colx[k][0], hw = sh->colx[k][1];
		bool cur = c == sh->col;
		char *name = xstrdup(col->name);
		if (sh->sort_col && strcmp(sh->sort_col, col->name) == 0) {
			char *s = xasprintf("%s %s", name, sh->sort_desc ? t->g->down : t->g->up);
			free(name);
			name = s;
		}
		tui_cell(t, y, hx, hw, cur ? S_HEADER_CUR : S_HEADER, name, sh->right[c]);
		tui_cell(t, y + 1, hx, hw, S_TYPE, pm_type_name(col->type), sh->right[c]);
		free(name);
	}
	for (int i = 0; i < w; i++)
		tui_put(t, y + 2, x + i, 1, S_RULE, t->g->hline);
	char buf[256];
	for (int r = 0; r < rows; r++) {
		size_t i = v->sc.top + (size_t)r;
		if (i >= f->nrows)
			break;
		size_t row = row_at(sh, i);
		bool cur_row = i == v->sc.cur;
		int yy = y + 3 + r;
		if (cur_row)
			tui_fill(t, yy, x, w, S_ROW_CUR);
		for (size_t k = 0; k < sh->ncolx; k++) {
			size_t c = sh->colx_first + k;
			const struct column *col = &f->cols[c];
			bool cur = cur_row && c == sh->col;
			bool present = column_present(col, row);
			const char *text = present ? column_text(col, row, buf, sizeof buf) : "NA";
			enum style st = cur	       ? S_CELL_CUR
					: !present ? (cur_row ? S_NA_CUR : S_NA)
					: cur_row  ? S_ROW_CUR
						   : S_NORMAL;
			char *one = str_visible(text);
			tui_cell(t, yy, sh->colx[k][0], sh->colx[k][1], st, one ? one : text,
				 sh->right[c]);
			free(one);
		}
	}
	if (f->nrows == 0)
		tui_put(t, y + 3, x + 1, w - 2, S_INFO, "No rows.");
}

static void sh_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sh->f) {
		buf[0] = 0;
		return;
	}
	snprintf(buf, n, "row %zu/%zu  col %zu/%zu", sh->f->nrows ? v->sc.cur + 1 : 0, sh->f->nrows,
		 sh->col + 1, sh->f->ncols);
}

static void sh_enter(struct view *v, struct tui *t)
{
	sync((struct sheet *)v, t);
}

static void sh_free(struct view *v)
{
	struct sheet *sh = (struct sheet *)v;
	free(sh->name);
	free(sh->base);
	free(sh->filter);
	free(sh->err);
	free(sh->width);
	free(sh->right);
	free(sh->perm);
	free(sh->sort_col);
}

/* How a search looks at one column: strings through their dictionary (each
 * distinct value is tested once), numbers only when the pattern could be
 * part of one; anything else by formatting the cell. */
struct col_match {
	uint8_t *code_hit;  /* strings: per dictionary code */
	bool never;         /* no value of this column can contain the pattern */
};

static bool only_chars(const char *s, const char *allowed)
{
	for (; *s; s++)
		if (!strchr(allowed, *s))
			return false;
	return true;
}

static void col_match_init(struct col_match *m, const struct column *col, const char *pat)
{
	memset(m, 0, sizeof *m);
	switch (col->type) {
	case PM_STRING: {
		size_t nd = col->dict ? col->dict->n : 0;
		m->code_hit = xcalloc(nd + 1, 1);
		for (size_t d = 0; d < nd; d++)
			m->code_hit[d] = tui_strcasestr(col->dict->str[d], pat) != NULL;
		break;
	}
	case PM_INT: m->never = !only_chars(pat, "0123456789-"); break;
	case PM_FLOAT: m->never = !only_chars(pat, "0123456789-+.eEinfaINFA"); break;
	case PM_TIMESTAMP: m->never = !only_chars(pat, "0123456789-: ."); break;
	case PM_BOOL: m->never = !tui_strcasestr("true", pat) && !tui_strcasestr("false", pat); break;
	}
}

static bool cell_matches(const struct col_match *m, const struct column *col, size_t row,
			 const char *pat)
{
	if (m->never || !column_present(col, row))
		return false;
	if (m->code_hit)
		return col->v.code[row] < (col->dict ? col->dict->n : 0) && m->code_hit[col->v.code[row]];
	char buf[256];
	return tui_strcasestr(column_text(col, row, buf, sizeof buf), pat) != NULL;
}

static bool sh_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sync(sh, t) || sh->f->nrows == 0 || sh->f->ncols == 0)
		return false;
	struct frame *f = sh->f;
	size_t nc = f->ncols, total = f->nrows * nc;
	struct col_match *m = xcalloc(nc, sizeof *m);
	for (size_t c = 0; c < nc; c++)
		col_match_init(&m[c], &f->cols[c], pat);
	/* cell by cell from the cursor, row by row, wrapping around; with
	 * next the cursor's own cell comes last */
	size_t start = v->sc.cur * nc + sh->col;
	bool found = false;
	for (size_t k = next ? 1 : 0; k < total + (next ? 1 : 0) && !found; k++) {
		size_t off = k % total;
		size_t cell = dir > 0 ? (start + off) % total : (start + total - off) % total;
		size_t i = cell / nc, c = cell % nc;
		if (cell_matches(&m[c], &f->cols[c], row_at(sh, i), pat)) {
			v->sc.cur = i;
			sh->col = c;
			scroller_fix(&v->sc);
			found = true;
		}
	}
	for (size_t c = 0; c < nc; c++)
		free(m[c].code_hit);
	free(m);
	return found;
}

static void sh_click(struct view *v, struct tui *t, int y, int x)
{
	struct sheet *sh = (struct sheet *)v;
	for (size_t k = 0; k < sh->ncolx; k++)
		if (x >= sh->colx[k][0] && x < sh->colx[k][0] + sh->colx[k][1] + GAP)
			sh->col = sh->colx_first + k;
	if (y >= 3 && v->sc.top + (size_t)(y - 3) < v->sc.n)
		v->sc.cur = v->sc.top + (size_t)(y - 3);
}

/* ---- keys ------------------------------------------------------------------------------- */
static void k_left(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (sh->col > 0)
		sh->col--;
}

static void k_right(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (sh->f && sh->col + 1 < sh->f->ncols)
		sh->col++;
}

static void k_first_col(struct tui *t, struct view *v, int key)
{
	((struct sheet *)v)->col = 0;
}

static void k_last_col(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (sh->f && sh->f->ncols)
		sh->col = sh->f->ncols - 1;
}

static void k_sort(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sync(sh, t) || sh->f->ncols == 0)
		return;
	const char *name = sh->f->cols[sh->col].name;
	bool desc = key == ']' || key == 'S';
	/* the same key again puts the rows back in their order */
	if (sh->sort_col && strcmp(sh->sort_col, name) == 0 && sh->sort_desc == desc) {
		free(sh->sort_col);
		sh->sort_col = NULL;
		tui_msg(t, "rows in their original order");
	} else {
		free(sh->sort_col);
		sh->sort_col = xstrdup(name);
		sh->sort_desc = desc;
		tui_msg(t, "sorted by %s, %s (missing values last)", name,
			desc ? "descending" : "ascending");
	}
	apply_sort(sh);
	/* the first rows are what a sort is for */
	v->sc.cur = v->sc.top = 0;
}

/* The dataset a filter of sh makes: a filtered sheet is filtered further in
 * place; others get NAME_filtered. */
static char *filter_target(const struct sheet *sh)
{
	return sh->base ? xstrdup(sh->name) : xasprintf("%s_filtered", sh->name);
}

static bool dataset_exists(struct tui *t, const char *name)
{
	char *fp = tui_fingerprint(t, name);
	bool there = *fp != 0;
	free(fp);
	return there;
}

static void filter_accept(struct tui *t, struct view *v, const char *expr)
{
	struct sheet *sh = (struct sheet *)v;
	if (v != tui_top(t))
		return;
	const char *base = sh->base ? sh->base : sh->name;
	char *where = sh->filter ? xasprintf("(%s) AND (%s)", sh->filter, expr) : xstrdup(expr);
	char *target = filter_target(sh);
	bool replaced = dataset_exists(t, target);
	char *sql = frame_filter_sql(base, where);
	char *words[] = {"load", target, "--sql", sql, NULL};
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, NULL, &err) < 0) {
		/* "load taxi_filtered: SQL: no such column: fre" -> the SQL part */
		const char *m = err.msg;
		char *pre = xasprintf("load %s: ", target);
		if (str_prefix(m, pre))
			m += strlen(pre);
		free(pre);
		tui_error(t, "filter %s: %s", expr, m);
	} else {
		struct view *nv = sheet_new(t, target, base, where);
		if (sh->base)
			tui_replace(t, nv);
		else
			tui_push(t, nv);
		struct sheet *ns = (struct sheet *)nv;
		tui_msg(t, "%s dataset %s: %zu rows where %s", replaced ? "replaced" : "new", target,
			ns->f ? ns->f->nrows : 0, where);
	}
	free(where);
	free(target);
	free(sql);
}

static char **column_words(struct sheet *sh)
{
	char **w = xcalloc(sh->f->ncols + 1, sizeof *w);
	for (size_t c = 0; c < sh->f->ncols; c++)
		w[c] = xstrdup(sh->f->cols[c].name);
	return w;
}

static void k_filter(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sync(sh, t))
		return;
	char *target = filter_target(sh);
	char *label = sh->base ? xasprintf("filter %s further (replaces it) where: ", target)
		      : dataset_exists(t, target)
			      ? xasprintf("filter %s into %s (replaces it) where: ", sh->name, target)
			      : xasprintf("filter %s into new dataset %s where: ", sh->name, target);
	prompt_open(t, P_FILTER, label, NULL, v, filter_accept);
	prompt_set_words(t, column_words(sh));
	free(label);
	free(target);
}

bool sheet_goto_column(struct view *v, const char *name)
{
	if (strcmp(v->cls->name, "sheet") != 0)
		return false;
	struct sheet *sh = (struct sheet *)v;
	if (!sh->f)
		return false;
	/* exact, then ignoring case, then a prefix, then anywhere in the name */
	for (int pass = 0; pass < 4; pass++)
		for (size_t c = 0; c < sh->f->ncols; c++) {
			const char *cn = sh->f->cols[c].name;
			bool hit = pass == 0   ? strcmp(cn, name) == 0
				   : pass == 1 ? str_eq_ci(cn, name)
				   : pass == 2 ? strncasecmp(cn, name, strlen(name)) == 0
					       : tui_strcasestr(cn, name) != NULL;
			if (hit) {
				sh->col = c;
				return true;
			}
		}
	return false;
}

const char *sheet_dataset(struct view *v)
{
	return strcmp(v->cls->name, "sheet") == 0 ? ((struct sheet *)v)->name : NULL;
}

static void column_accept(struct tui *t, struct view *v, const char *name)
{
	if (v != tui_top(t))
		return;
	if (!sheet_goto_column(v, name))
		tui_error(t, "no column \"%s\" in %s", name, ((struct sheet *)v)->name);
}

static void k_column(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sync(sh, t))
		return;
	prompt_open(t, P_COLUMN, "column: ", NULL, v, column_accept);
	prompt_set_words(t, column_words(sh));
}

static void k_overview(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	tui_push(t, overview_new(t, sh->name));
}

/* Enter: the current row as a list of column: value, for wide datasets. */
static void k_record(struct tui *t, struct view *v, int key)
{
	struct sheet *sh = (struct sheet *)v;
	if (!sync(sh, t) || sh->f->nrows == 0)
		return;
	size_t row = row_at(sh, v->sc.cur);
	int nw = 0;
	for (size_t c = 0; c < sh->f->ncols; c++)
		if (utf8_width(sh->f->cols[c].name) > nw)
			nw = utf8_width(sh->f->cols[c].name);
	struct sbuf b = {0};
	char buf[256];
	for (size_t c = 0; c < sh->f->ncols; c++) {
		const struct column *col = &sh->f->cols[c];
		const char *text = column_present(col, row) ? column_text(col, row, buf, sizeof buf) : "NA";
		char *one = str_visible(text);
		sbuf_printf(&b, "%s%*s  %-9s  %s\n", col->name, nw - utf8_width(col->name), "",
			    pm_type_name(col->type), one ? one : text);
		free(one);
	}
	char *title = xasprintf("row %zu", row + 1);
	tui_push(t, textview_new(title, b.s));
	free(title);
	sbuf_free(&b);
}

static const struct key_binding sheet_b[] = {
	{{'[', 's'}, "sort by this column, ascending (again: unsorted)", "sort", k_sort},
	{{']', 'S'}, "sort by this column, descending (again: unsorted)", NULL, k_sort},
	{{'f', '|'}, "filter rows (SQL: fare > 20) into the dataset NAME_filtered", "filter",
	 k_filter},
	{{'o'}, "overview: statistics of every column", "overview", k_overview},
	{{'c'}, "jump to a column by name (Tab completes)", "column", k_column},
	{{K_ENTER}, "the current row, one column per line", "row", k_record},
	{{'h', K_LEFT}, "column to the left", NULL, k_left},
	{{'l', K_RIGHT}, "column to the right", NULL, k_right},
	{{'0', '^'}, "first column", NULL, k_first_col},
	{{'$'}, "last column", NULL, k_last_col},
	{{0}},
};
static const struct key_table sheet_keys = {"Sheet", sheet_b};

const struct view_class sheet_class = {
	.name = "sheet",
	.about = "Sheet: the rows of a dataset. / searches every cell from the cursor on.",
	.keys = {&sheet_keys, &nav_keys, NULL},
	.draw = sh_draw,
	.enter = sh_enter,
	.free = sh_free,
	.info = sh_info,
	.search = sh_search,
	.click = sh_click,
};

struct view *sheet_new(struct tui *t, const char *dataset, const char *base, const char *filter)
{
	struct sheet *sh = xcalloc(1, sizeof *sh);
	char *title = filter ? xasprintf("%s (%s)", dataset, filter) : xstrdup(dataset);
	view_init(&sh->v, &sheet_class, title);
	free(title);
	sh->name = xstrdup(dataset);
	sh->base = base ? xstrdup(base) : NULL;
	sh->filter = filter ? xstrdup(filter) : NULL;
	sync(sh, t);
	return &sh->v;
}
