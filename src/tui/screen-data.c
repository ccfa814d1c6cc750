/* The Data screen: the list of datasets in the workspace, the root of the
 * stack that goes on to a sheet and an overview. */
#include "internal.h"

#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

struct dslist {
	struct view v;
	struct ws_dataset *list;
	size_t n;
	unsigned gen;
	bool loaded;
	char *err;
};

static void free_list(struct dslist *d)
{
	for (size_t i = 0; i < d->n; i++)
		ws_dataset_free(&d->list[i]);
	free(d->list);
	d->list = NULL;
	d->n = 0;
}

/* Rereads the list after a command ran; the cursor stays on its dataset. */
static void sync(struct dslist *d, struct tui *t)
{
	if (d->loaded && d->gen == t->gen)
		return;
	char *cur = d->n && d->v.sc.cur < d->n ? xstrdup(d->list[d->v.sc.cur].name) : NULL;
	free_list(d);
	free(d->err);
	d->err = NULL;
	struct workspace *ws;
	struct pm_err err = {0};
	if (session_ws(t->s, &ws, &err) < 0 || ws_dataset_list(ws, &d->list, &d->n, &err) < 0) {
		d->err = xstrdup(err.msg);
		d->list = NULL;
		d->n = 0;
	}
	d->loaded = true;
	d->gen = t->gen;
	d->v.sc.n = d->n;
	if (cur)
		for (size_t i = 0; i < d->n; i++)
			if (strcmp(d->list[i].name, cur) == 0)
				d->v.sc.cur = i;
	free(cur);
	scroller_fix(&d->v.sc);
}

static void ds_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct dslist *d = (struct dslist *)v;
	sync(d, t);
	if (d->err) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, d->err);
		return;
	}
	if (d->n == 0) {
		tui_put(t, y + 1, x + 1, w - 2, S_INFO, "No datasets yet.");
		tui_put(t, y + 3, x + 1, w - 2, S_NORMAL,
			":load NAME FILE.csv adds one (Tab completes file names);");
		tui_put(t, y + 4, x + 1, w - 2, S_NORMAL,
			":load NAME --sql \"SELECT ...\" makes one from others.");
		return;
	}
	/* columns: name, rows, cols, created, source (the rest of the width) */
	int namew = 4;
	char num[32];
	int roww = 4, colw = 7;
	for (size_t i = 0; i < d->n; i++) {
		int nw = utf8_width(d->list[i].name);
		if (nw > namew)
			namew = nw;
		int rw = snprintf(num, sizeof num, "%lld", (long long)d->list[i].rows);
		if (rw > roww)
			roww = rw;
	}
	if (namew > 32)
		namew = 32;
	int timew = 16;
	int cx[5], cw[5];
	cx[0] = x + 1;
	cw[0] = namew;
	cx[1] = cx[0] + namew + 2;
	cw[1] = roww;
	cx[2] = cx[1] + roww + 2;
	cw[2] = colw;
	cx[3] = cx[2] + colw + 2;
	cw[3] = timew;
	cx[4] = cx[3] + timew + 2;
	cw[4] = x + w - 1 - cx[4];
	static const char *const heads[5] = {"name", "rows", "columns", "created", "source"};
	for (int c = 0; c < 5; c++)
		tui_cell(t, y, cx[c], cw[c], S_HEADER, heads[c], c == 1 || c == 2);
	int rows = h - 1;
	v->sc.page = rows;
	scroller_fix(&v->sc);
	for (int r = 0; r < rows; r++) {
		size_t i = v->sc.top + (size_t)r;
		if (i >= d->n)
			break;
		const struct ws_dataset *ds = &d->list[i];
		bool cur = i == v->sc.cur;
		enum style st = cur ? S_ROW_CUR : S_NORMAL;
		int yy = y + 1 + r;
		if (cur)
			tui_fill(t, yy, x, w, st);
		tui_cell(t, yy, cx[0], cw[0], cur ? S_CELL_CUR : st, ds->name, false);
		snprintf(num, sizeof num, "%lld", (long long)ds->rows);
		tui_cell(t, yy, cx[1], cw[1], st, num, true);
		snprintf(num, sizeof num, "%lld", (long long)ds->cols);
		tui_cell(t, yy, cx[2], cw[2], st, num, true);
		char tm[32];
		tui_short_time(ds->created, tm, sizeof tm);
		tui_cell(t, yy, cx[3], cw[3], cur ? st : S_INFO, tm, false);
		char *src = tui_oneline(ds->source ? ds->source : "");
		tui_cell(t, yy, cx[4], cw[4], st, src, false);
		free(src);
	}
}

static void ds_enter(struct view *v, struct tui *t)
{
	sync((struct dslist *)v, t);
}

static void ds_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct dslist *d = (struct dslist *)v;
	snprintf(buf, n, "%zu dataset%s", d->n, d->n == 1 ? "" : "s");
}

struct ds_match {
	struct dslist *d;
	const char *pat;
};

static bool ds_match(void *ctx, size_t i)
{
	struct ds_match *m = ctx;
	const struct ws_dataset *ds = &m->d->list[i];
	return tui_strcasestr(ds->name, m->pat) || (ds->source && tui_strcasestr(ds->source, m->pat));
}

static bool ds_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct dslist *d = (struct dslist *)v;
	sync(d, t);
	struct ds_match m = {d, pat};
	return scroller_find(&v->sc, dir, next, ds_match, &m);
}

static void ds_click(struct view *v, struct tui *t, int y, int x)
{
	if (y >= 1 && v->sc.top + (size_t)(y - 1) < v->sc.n) {
		v->sc.cur = v->sc.top + (size_t)(y - 1);
		scroller_fix(&v->sc);
	}
}

static void ds_free(struct view *v)
{
	struct dslist *d = (struct dslist *)v;
	free_list(d);
	free(d->err);
}

static const char *current(struct tui *t, struct view *v)
{
	struct dslist *d = (struct dslist *)v;
	sync(d, t);
	if (d->n == 0) {
		tui_error(t, "no datasets yet: :load NAME FILE.csv adds one");
		return NULL;
	}
	return d->list[v->sc.cur].name;
}

static void k_open(struct tui *t, struct view *v, int key)
{
	const char *name = current(t, v);
	if (name)
		tui_push(t, sheet_new(t, name, NULL, NULL));
}

static void k_overview(struct tui *t, struct view *v, int key)
{
	const char *name = current(t, v);
	if (name)
		tui_push(t, overview_new(t, name));
}

static void k_schema(struct tui *t, struct view *v, int key)
{
	const char *name = current(t, v);
	if (name)
		tui_push(t, schema_view_open(t, name));
}

static void k_compare(struct tui *t, struct view *v, int key)
{
	const char *name = current(t, v);
	if (name)
		compare_prompt(t, v, name, NULL);
}

static void drop_accept(struct tui *t, struct view *v, const char *ans)
{
	const char *name = current(t, v);
	if (!name)
		return;
	char *nm = xstrdup(name);
	char *words[] = {"drop", nm, NULL};
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, NULL, &err) < 0)
		tui_error(t, "%s", err.msg);
	else
		tui_msg(t, "dropped %s", nm);
	free(nm);
}

static void k_drop(struct tui *t, struct view *v, int key)
{
	const char *name = current(t, v);
	if (!name)
		return;
	char *q = xasprintf("drop dataset %s? (y/n) ", name);
	prompt_open(t, P_CONFIRM, q, NULL, v, drop_accept);
	free(q);
}

static void load_accept(struct tui *t, struct view *v, const char *line)
{
	char *cmd = xasprintf("load %s", line);
	tui_command(t, cmd);
	free(cmd);
}

static void k_load(struct tui *t, struct view *v, int key)
{
	prompt_open(t, P_COMMAND, ":load ", NULL, v, load_accept);
}

static const struct key_binding ds_b[] = {
	{{K_ENTER}, "open the dataset as a sheet", "open", k_open},
	{{'o'}, "overview: statistics of every column", "overview", k_overview},
	{{'v'}, "schema and anomalies: validate the dataset against a schema", "schema",
	 k_schema},
	{{'C'}, "compare with another dataset: distances per feature", "compare", k_compare},
	{{'L'}, "load a file: NAME PATH (as :load)", "load", k_load},
	{{'d'}, "drop the dataset (asks first)", NULL, k_drop},
	{{0}},
};
static const struct key_table ds_keys = {"Datasets", ds_b};

const struct view_class dslist_class = {
	.name = "datasets",
	.about = "Datasets: every dataset of the workspace",
	.keys = {&ds_keys, &nav_keys, NULL},
	.draw = ds_draw,
	.enter = ds_enter,
	.free = ds_free,
	.info = ds_info,
	.search = ds_search,
	.click = ds_click,
};

struct view *data_screen_open(struct tui *t)
{
	struct dslist *d = xcalloc(1, sizeof *d);
	view_init(&d->v, &dslist_class, "Datasets");
	return &d->v;
}
