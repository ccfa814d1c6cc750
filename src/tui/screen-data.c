/* The Data screen: the list of datasets in the workspace, the root of the
 * stack that goes on to a sheet and an overview. */
#include "internal.h"

#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

enum { C_NAME, C_ROWS, C_COLS, C_CREATED, C_SOURCE, NCOLS };

struct dslist {
	struct listview lv;
	struct ws_dataset *list;
	/* the name and rows columns are as wide as the widest value */
	struct tui_col cols[NCOLS];
};

static void ds_clear(struct listview *lv)
{
	struct dslist *d = (struct dslist *)lv;
	for (size_t i = 0; i < lv->n; i++)
		ws_dataset_free(&d->list[i]);
	free(d->list);
	d->list = NULL;
}

static int ds_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	struct dslist *d = (struct dslist *)lv;
	if (ws_dataset_list(ws, &d->list, n, err) < 0) {
		d->list = NULL;
		*n = 0;
		return -1;
	}
	int namew = 4, roww = 4;
	char num[32];
	for (size_t i = 0; i < *n; i++) {
		int nw = utf8_width(d->list[i].name);
		if (nw > namew)
			namew = nw;
		int rw = snprintf(num, sizeof num, "%lld", (long long)d->list[i].rows);
		if (rw > roww)
			roww = rw;
	}
	d->cols[C_NAME].w = namew > 32 ? 32 : namew;
	d->cols[C_ROWS].w = roww;
	return 0;
}

static char *ds_key(struct listview *lv, size_t i)
{
	return xstrdup(((struct dslist *)lv)->list[i].name);
}

static bool ds_match(struct listview *lv, size_t i, const char *pat)
{
	const struct ws_dataset *ds = &((struct dslist *)lv)->list[i];
	return tui_strcasestr(ds->name, pat) || (ds->source && tui_strcasestr(ds->source, pat));
}

static enum style ds_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			  enum style st, struct sbuf *b)
{
	const struct ws_dataset *ds = &((struct dslist *)lv)->list[i];
	char tm[32];
	switch (c) {
	case C_NAME: sbuf_puts(b, ds->name); return cur ? S_CELL_CUR : st;
	case C_ROWS: sbuf_printf(b, "%lld", (long long)ds->rows); break;
	case C_COLS: sbuf_printf(b, "%lld", (long long)ds->cols); break;
	case C_CREATED:
		tui_short_time(ds->created, tm, sizeof tm);
		sbuf_puts(b, tm);
		return cur ? st : S_INFO;
	case C_SOURCE: {
		char *src = tui_oneline(ds->source ? ds->source : "");
		sbuf_puts(b, src);
		free(src);
		break;
	}
	}
	return st;
}

static const char *ds_empty(struct listview *lv, struct sbuf *b)
{
	return "No datasets yet.\n"
	       ":load NAME FILE.csv adds one (Tab completes file names);\n"
	       ":load NAME --sql \"SELECT ...\" makes one from others.";
}

static const struct listview_ops ds_ops = {
	.load = ds_load,
	.free_rows = ds_clear,
	.key = ds_key,
	.match = ds_match,
	.cell = ds_cell,
	.empty = ds_empty,
};

static const struct tui_col ds_cols[NCOLS] = {
	[C_NAME] = {"name", 4},
	[C_ROWS] = {"rows", 4, true},
	[C_COLS] = {"columns", 7, true},
	[C_CREATED] = {"created", 16},
	/* the source takes the rest of the width */
	[C_SOURCE] = {"source", 0, .flex = true},
};

static void ds_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct listview *lv = (struct listview *)v;
	snprintf(buf, n, "%zu dataset%s", lv->n, lv->n == 1 ? "" : "s");
}

static const char *current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t,
			      "no datasets yet: :load NAME FILE.csv adds one", &i))
		return NULL;
	return ((struct dslist *)v)->list[i].name;
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
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = ds_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *data_screen_open(struct tui *t)
{
	struct dslist *d = xcalloc(1, sizeof *d);
	memcpy(d->cols, ds_cols, sizeof d->cols);
	listview_init(&d->lv, &dslist_class, "Datasets", &ds_ops, d->cols, NCOLS);
	d->lv.margin = 1;
	return &d->lv.v;
}
