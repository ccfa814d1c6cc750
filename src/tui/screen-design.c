/* The Design screen: the designs of the workspace (`design list`, with
 * each one's monthly cost from `design show`) → a design's architecture as
 * a diagram (designview.c).  Two marked designs side by side are `design
 * compare A B`.  The list is read through the commands, as the diagram is,
 * so what the screen shows is what the commands print as JSON. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct dlist {
	struct listview lv;
	json_t *rows;   /* `design list`'s designs */
	json_t *cost;   /* name -> estimates.cost of `design show NAME` */
};

static void dl_clear(struct listview *lv)
{
	struct dlist *l = (struct dlist *)lv;
	json_decref(l->rows);
	json_decref(l->cost);
	l->rows = l->cost = NULL;
}

static int dl_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	(void)ws;
	struct dlist *l = (struct dlist *)lv;
	char *words[] = {"design", "list", NULL};
	json_t *r;
	if (tui_read_json(t, words, &r, err) < 0)
		return -1;
	l->rows = json_incref(json_object_get(r, "designs"));
	json_decref(r);
	l->cost = json_object();
	*n = json_array_size(l->rows);
	for (size_t i = 0; i < *n; i++) {
		const char *name = tui_jstr(json_array_get(l->rows, i), "name");
		char *show[] = {"design", "show", (char *)name, NULL};
		json_t *s;
		struct pm_err e2 = {0};
		/* a design whose estimate fails still lists; its cost shows "-" */
		if (tui_read_json(t, show, &s, &e2) < 0)
			continue;
		json_t *c = json_object_get(json_object_get(s, "estimates"), "cost");
		if (c)
			json_object_set(l->cost, name, c);
		json_decref(s);
	}
	return 0;
}

static json_t *dl_row(struct listview *lv, size_t i)
{
	return json_array_get(((struct dlist *)lv)->rows, i);
}

static char *dl_key(struct listview *lv, size_t i)
{
	return xstrdup(tui_jstr(dl_row(lv, i), "name"));
}

static bool dl_match(struct listview *lv, size_t i, const char *pat)
{
	json_t *r = dl_row(lv, i);
	return tui_strcasestr(tui_jstr(r, "name"), pat) || tui_strcasestr(tui_jstr(r, "model"), pat);
}

enum { D_NAME, D_MODEL, D_SERVING, D_TRAINING, D_INFERENCE, D_COST, D_DATA, D_NCOLS };
static const struct tui_col dl_cols[D_NCOLS] = {
	[D_NAME] = {"design", 12, .flex = true},
	[D_MODEL] = {"model", 12},
	[D_SERVING] = {"serving", 8},
	[D_TRAINING] = {"training", 12},
	[D_INFERENCE] = {"inference", 9, false, 2},
	[D_COST] = {"cost/month", 10, true},
	[D_DATA] = {"data", 10, false, 1},
};

static enum style dl_cell(struct listview *lv, size_t i, int c, bool cur, int width, enum style st,
			  struct sbuf *b)
{
	json_t *r = dl_row(lv, i);
	switch (c) {
	case D_NAME: sbuf_puts(b, tui_jstr(r, "name")); return cur ? S_CELL_CUR : st;
	case D_MODEL: sbuf_puts(b, tui_jstr(r, "model")); break;
	case D_SERVING: sbuf_puts(b, tui_jstr(r, "serving")); break;
	case D_TRAINING: sbuf_puts(b, tui_jstr(r, "training")); break;
	case D_INFERENCE: sbuf_puts(b, tui_jstr(r, "inference")); break;
	case D_DATA: sbuf_puts(b, tui_jstr(r, "data")); return cur ? st : S_INFO;
	case D_COST: {
		json_t *cost = json_object_get(((struct dlist *)lv)->cost, tui_jstr(r, "name"));
		char buf[32];
		tui_json_num(json_object_get(cost, "monthly"), width, buf, sizeof buf);
		sbuf_puts(b, buf);
		return !strcmp(buf, "-") && !cur ? S_NA : st;
	}
	}
	return st;
}

static const char *dl_empty(struct listview *lv, struct sbuf *b)
{
	(void)lv, (void)b;
	return "No designs yet.\n"
	       ":design new NAME --model M --data D makes one (see `help design`).";
}

static const struct listview_ops dl_ops = {
	.load = dl_load,
	.free_rows = dl_clear,
	.key = dl_key,
	.match = dl_match,
	.cell = dl_cell,
	.empty = dl_empty,
};

static const char *dl_current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t,
			      "no designs: :design new NAME --model M --data D makes one", &i))
		return NULL;
	return tui_jstr(dl_row((struct listview *)v, i), "name");
}

static void k_open(struct tui *t, struct view *v, int key)
{
	(void)key;
	const char *name = dl_current(t, v);
	if (!name)
		return;
	char *n = xstrdup(name);
	struct view *dv = designview_open(t, n);
	if (dv)
		tui_push(t, dv);
	free(n);
}

static void k_mark(struct tui *t, struct view *v, int key)
{
	(void)key;
	struct listview *lv = (struct listview *)v;
	if (!dl_current(t, v))
		return;
	lv->marked[v->sc.cur] = !lv->marked[v->sc.cur];
	if (v->sc.cur + 1 < v->sc.n)
		v->sc.cur++;
	scroller_fix(&v->sc);
}

static void k_compare(struct tui *t, struct view *v, int key)
{
	(void)key;
	struct listview *lv = (struct listview *)v;
	if (!dl_current(t, v))
		return;
	const char *names[2] = {NULL, NULL};
	size_t nm = 0;
	for (size_t i = 0; i < lv->n; i++)
		if (lv->marked[i]) {
			if (nm < 2)
				names[nm] = tui_jstr(dl_row(lv, i), "name");
			nm++;
		}
	if (nm != 2) {
		tui_error(t, "mark two designs with Space to compare them (%zu marked)", nm);
		return;
	}
	char *line = xasprintf("design compare %s %s", names[0], names[1]);
	tui_command(t, line);
	free(line);
}

static void k_drop(struct tui *t, struct view *v, int key)
{
	(void)key;
	const char *name = dl_current(t, v);
	if (!name)
		return;
	char *init = xasprintf("design drop %s", name);
	tui_command_prompt(t, v, init);
	free(init);
}

static void k_new(struct tui *t, struct view *v, int key)
{
	(void)key;
	tui_command_prompt(t, v, "design new NAME --model M --data D");
}

static void dl_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	(void)t;
	struct listview *lv = (struct listview *)v;
	size_t k = lv->n, marked = listview_marked(lv);
	if (marked)
		snprintf(buf, n, "%zu design%s, %zu marked", k, k == 1 ? "" : "s", marked);
	else
		snprintf(buf, n, "%zu design%s", k, k == 1 ? "" : "s");
}

static const struct key_binding dl_b[] = {
	{{K_ENTER}, "the design's architecture as a diagram (design show NAME)", "diagram", k_open},
	{{' '}, "mark a design (two marked: compare)", "mark", k_mark},
	{{'c'}, "the two marked designs side by side (design compare A B)", "compare", k_compare},
	{{'a'}, "a new design: `design new NAME --model M --data D` to edit", "new", k_new},
	{{'x'}, "drop the design: `design drop NAME` to confirm with Enter", "drop", k_drop},
	{{0}},
};
static const struct key_table dl_keys = {"Designs", dl_b};

const struct view_class designlist_class = {
	.name = "designs",
	.about = "Designs: the architectures of the workspace, their choices and monthly cost "
		 "(design list, design show)",
	.keys = {&dl_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = dl_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *design_screen_open(struct tui *t)
{
	(void)t;
	struct dlist *l = xcalloc(1, sizeof *l);
	listview_init(&l->lv, &designlist_class, "Designs", &dl_ops, dl_cols, D_NCOLS);
	l->lv.marks = true;
	return &l->lv.v;
}
