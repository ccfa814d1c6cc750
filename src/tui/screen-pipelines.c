/* The Pipelines screen: the pipelines of the workspace (`pipeline list`),
 * a pipeline's runs newest first (`pipeline runs P`), reread every second
 * while one of them goes on, and a run's DAG (dagview.c).  Starting a run
 * (`pipeline run P --detach`, edited on the command line), a rerun with a
 * run's parameters and a resume run as commands, so they are in the session
 * history; a run is always a background job, so the workbench never waits
 * for one. */
#include "internal.h"

#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>

static long long int_of(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static bool run_live(json_t *r)
{
	const char *st = tui_jstr(r, "state");
	return !strcmp(st, "queued") || !strcmp(st, "running");
}

static enum style state_style(const char *st)
{
	if (!strcmp(st, "failed"))
		return S_WARN;
	if (!strcmp(st, "running") || !strcmp(st, "queued"))
		return S_SPARK;
	return S_NORMAL;
}

/* "2 done, 1 failed": a run's steps by state. */
static void counts_text(json_t *r, struct sbuf *b)
{
	const char *key;
	json_t *c;
	json_object_foreach(json_object_get(r, "counts"), key, c)
		sbuf_printf(b, "%s%lld %s", b->len ? ", " : "", (long long)json_integer_value(c), key);
}

/* ---- shared with the DAG: rerun and resume ---------------------------------------------- */
void pipelines_rerun(struct tui *t, json_t *run)
{
	json_t *params = json_object_get(run, "params");
	size_t np = json_object_size(params), nw = 0;
	char **words = xcalloc(2 * np + 6, sizeof *words);
	words[nw++] = xstrdup("pipeline");
	words[nw++] = xstrdup("run");
	words[nw++] = xstrdup(tui_jstr(run, "pipeline"));
	const char *key;
	json_t *v;
	json_object_foreach(params, key, v) {
		words[nw++] = xstrdup("--param");
		words[nw++] = xasprintf("%s=%s", key, json_string_value(v) ? json_string_value(v) : "");
	}
	words[nw++] = xstrdup("--detach");
	json_t *r;
	struct pm_err err = {0};
	if (tui_exec_json(t, words, &r, &err) < 0) {
		tui_error(t, "%s", err.msg);
	} else {
		struct view *dv = dagview_open(t, int_of(r, "run"));
		if (dv)
			tui_push(t, dv);
		tui_msg(t, "pipeline %s run %lld started as job %lld", tui_jstr(r, "pipeline"), int_of(r, "run"),
			int_of(r, "job"));
		json_decref(r);
	}
	str_list_free(words);
}

bool pipelines_resume(struct tui *t, json_t *run)
{
	char id[32];
	snprintf(id, sizeof id, "%lld", int_of(run, "run"));
	char *words[] = {"pipeline", "resume", id, "--detach", NULL};
	json_t *r;
	struct pm_err err = {0};
	if (tui_exec_json(t, words, &r, &err) < 0) {
		tui_error(t, "%s", err.msg);
		return false;
	}
	tui_msg(t, "run %s resumed as job %lld", id, int_of(r, "job"));
	json_decref(r);
	return true;
}

/* ---- a pipeline's runs ---------------------------------------------------------------------- */
struct runlist {
	struct listview lv;
	char *pipeline;
	json_t *rows;       /* `pipeline runs P` */
};

static void rl_clear(struct listview *lv)
{
	struct runlist *l = (struct runlist *)lv;
	json_decref(l->rows);
	l->rows = NULL;
}

static int rl_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n, struct pm_err *err)
{
	struct runlist *l = (struct runlist *)lv;
	json_t *r;
	if (pipeline_runs(ws, l->pipeline, &r, err) < 0)
		return -1;
	l->rows = json_incref(json_object_get(r, "runs"));
	json_decref(r);
	*n = json_array_size(l->rows);
	lv->live = false;
	for (size_t i = 0; i < *n; i++)
		lv->live |= run_live(json_array_get(l->rows, i));
	return 0;
}

static char *rl_key(struct listview *lv, size_t i)
{
	return xasprintf("%lld", int_of(json_array_get(((struct runlist *)lv)->rows, i), "run"));
}

static bool rl_match(struct listview *lv, size_t i, const char *pat)
{
	json_t *r = json_array_get(((struct runlist *)lv)->rows, i);
	return tui_strcasestr(tui_jstr(r, "state"), pat) || tui_strcasestr(tui_jstr(r, "failed_step"), pat);
}

enum { R_RUN, R_STATE, R_STEPS, R_CREATED, R_SECONDS, R_NCOLS };
static const struct tui_col rl_cols[R_NCOLS] = {
	[R_RUN] = {"run", 4, true},
	[R_STATE] = {"state", 7},
	[R_STEPS] = {"steps", 30, .flex = true},
	[R_CREATED] = {"created", 16, false, 2},
	[R_SECONDS] = {"seconds", 7, true, 1},
};

static enum style rl_cell(struct listview *lv, size_t i, int c, bool cur, int width, enum style st,
			  struct sbuf *b)
{
	json_t *r = json_array_get(((struct runlist *)lv)->rows, i);
	char buf[64];
	switch (c) {
	case R_RUN: sbuf_printf(b, "%lld", int_of(r, "run")); return cur ? S_CELL_CUR : st;
	case R_STATE: sbuf_puts(b, tui_jstr(r, "state")); return cur ? st : state_style(tui_jstr(r, "state"));
	case R_STEPS: counts_text(r, b); break;
	case R_CREATED:
		tui_short_time(tui_jstr(r, "created"), buf, sizeof buf);
		sbuf_puts(b, buf);
		return cur ? st : S_INFO;
	case R_SECONDS: {
		json_t *s = json_object_get(r, "seconds");
		if (json_is_number(s))
			sbuf_printf(b, "%.1fs", json_number_value(s));
		else
			sbuf_puts(b, "-");
		break;
	}
	}
	return st;
}

static const char *rl_empty(struct listview *lv, struct sbuf *b)
{
	sbuf_printf(b, "No runs of %s yet.\nn starts one: pipeline run %s --detach", ((struct runlist *)lv)->pipeline,
		    ((struct runlist *)lv)->pipeline);
	return b->s;
}

static const struct listview_ops rl_ops = {
	.load = rl_load,
	.free_rows = rl_clear,
	.key = rl_key,
	.match = rl_match,
	.cell = rl_cell,
	.empty = rl_empty,
	.period = 1.0,
};

static json_t *rl_current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t, "no runs here: n starts one", &i))
		return NULL;
	return json_array_get(((struct runlist *)v)->rows, i);
}

static void rl_open(struct tui *t, struct view *v, int key)
{
	json_t *r = rl_current(t, v);
	struct view *dv = r ? dagview_open(t, int_of(r, "run")) : NULL;
	if (dv)
		tui_push(t, dv);
}

static void rl_rerun(struct tui *t, struct view *v, int key)
{
	json_t *r = rl_current(t, v);
	if (r) {
		r = json_incref(r);
		pipelines_rerun(t, r);
		json_decref(r);
	}
}

static void rl_resume(struct tui *t, struct view *v, int key)
{
	json_t *r = rl_current(t, v);
	if (r && pipelines_resume(t, r))
		listview_sync((struct listview *)v, t, true);
}

static void new_run(struct tui *t, struct view *v, const char *pipeline)
{
	char *init = xasprintf("pipeline run %s --detach", pipeline);
	tui_command_prompt(t, v, init);
	free(init);
}

static void rl_new(struct tui *t, struct view *v, int key)
{
	new_run(t, v, ((struct runlist *)v)->pipeline);
}

static void rl_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct runlist *l = (struct runlist *)v;
	size_t total = json_array_size(l->rows), on = 0;
	for (size_t i = 0; i < total; i++)
		on += run_live(json_array_get(l->rows, i));
	snprintf(buf, n, "%zu run%s%s", total, total == 1 ? "" : "s", on ? ", one going on" : "");
}

static void rl_free(struct view *v)
{
	free(((struct runlist *)v)->pipeline);
	listview_free(v);
}

static const struct key_binding rl_b[] = {
	{{K_ENTER}, "the run's DAG (pipeline run show ID)", "DAG", rl_open},
	{{'n'}, "start a run: `pipeline run P --detach` to edit", "new", rl_new},
	{{'r'}, "run again with the run's parameters (pipeline run P --param .. --detach)", "rerun", rl_rerun},
	{{'u'}, "resume the run from its first unfinished step (pipeline resume ID --detach)", "resume",
	 rl_resume},
	{{0}},
};
static const struct key_table rl_keys = {"Runs", rl_b};

const struct view_class plrunlist_class = {
	.name = "pipeline runs",
	.about = "Pipeline runs: a pipeline's runs, newest first, reread every second while one goes on",
	.keys = {&rl_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = rl_free,
	.info = rl_info,
	.search = listview_search,
	.click = listview_click,
};

static struct view *runlist_new(const char *pipeline)
{
	struct runlist *l = xcalloc(1, sizeof *l);
	char *title = xasprintf("%s runs", pipeline);
	listview_init(&l->lv, &plrunlist_class, title, &rl_ops, rl_cols, R_NCOLS);
	free(title);
	l->pipeline = xstrdup(pipeline);
	return &l->lv.v;
}

/* ---- the pipelines -------------------------------------------------------------------------- */
struct pllist {
	struct listview lv;
	json_t *rows;       /* `pipeline list` */
};

static void pl_clear(struct listview *lv)
{
	struct pllist *l = (struct pllist *)lv;
	json_decref(l->rows);
	l->rows = NULL;
}

static int pl_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n, struct pm_err *err)
{
	struct pllist *l = (struct pllist *)lv;
	json_t *r;
	if (pipeline_list(ws, &r, err) < 0)
		return -1;
	l->rows = json_incref(json_object_get(r, "pipelines"));
	json_decref(r);
	*n = json_array_size(l->rows);
	return 0;
}

static char *pl_key(struct listview *lv, size_t i)
{
	return xstrdup(tui_jstr(json_array_get(((struct pllist *)lv)->rows, i), "name"));
}

static bool pl_match(struct listview *lv, size_t i, const char *pat)
{
	return tui_strcasestr(tui_jstr(json_array_get(((struct pllist *)lv)->rows, i), "name"), pat);
}

enum { P_NAME, P_STEPS, P_RUNS, P_LAST, P_STATE, P_FILE, P_NCOLS };
static const struct tui_col pl_cols[P_NCOLS] = {
	[P_NAME] = {"pipeline", 14},
	[P_STEPS] = {"steps", 5, true},
	[P_RUNS] = {"runs", 4, true},
	[P_LAST] = {"last run", 8, true},
	[P_STATE] = {"state", 7},
	[P_FILE] = {"file", 20, .flex = true, .drop = 1},
};

static enum style pl_cell(struct listview *lv, size_t i, int c, bool cur, int width, enum style st,
			  struct sbuf *b)
{
	json_t *p = json_array_get(((struct pllist *)lv)->rows, i);
	json_t *last = json_object_get(p, "last_run");
	switch (c) {
	case P_NAME: sbuf_puts(b, tui_jstr(p, "name")); return cur ? S_CELL_CUR : st;
	case P_STEPS: sbuf_printf(b, "%lld", int_of(p, "steps")); break;
	case P_RUNS: sbuf_printf(b, "%lld", int_of(p, "runs")); break;
	case P_LAST:
		if (json_is_integer(last))
			sbuf_printf(b, "%lld", (long long)json_integer_value(last));
		else
			sbuf_puts(b, "-");
		break;
	case P_STATE:
		sbuf_puts(b, json_is_integer(last) ? tui_jstr(p, "last_state") : "-");
		return cur ? st : state_style(tui_jstr(p, "last_state"));
	case P_FILE: sbuf_puts(b, tui_jstr(p, "file")); return cur ? st : S_INFO;
	}
	return st;
}

static const char *pl_empty(struct listview *lv, struct sbuf *b)
{
	return "No pipelines yet.\n"
	       ":pipeline load FILE adds one (see `help pipeline load` for the file's form).";
}

static const struct listview_ops pl_ops = {
	.load = pl_load,
	.free_rows = pl_clear,
	.key = pl_key,
	.match = pl_match,
	.cell = pl_cell,
	.empty = pl_empty,
	.period = 1.0,
};

static json_t *pl_current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t, "no pipelines: :pipeline load FILE adds one", &i))
		return NULL;
	return json_array_get(((struct pllist *)v)->rows, i);
}

static void pl_open(struct tui *t, struct view *v, int key)
{
	json_t *p = pl_current(t, v);
	if (p)
		tui_push(t, runlist_new(tui_jstr(p, "name")));
}

static void pl_new(struct tui *t, struct view *v, int key)
{
	json_t *p = pl_current(t, v);
	if (p)
		new_run(t, v, tui_jstr(p, "name"));
}

static void pl_show(struct tui *t, struct view *v, int key)
{
	json_t *p = pl_current(t, v);
	if (!p)
		return;
	char *line = xasprintf("pipeline show %s", tui_jstr(p, "name"));
	tui_command(t, line);
	free(line);
}

static void pl_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	size_t k = json_array_size(((struct pllist *)v)->rows);
	snprintf(buf, n, "%zu pipeline%s", k, k == 1 ? "" : "s");
}

static const struct key_binding pl_b[] = {
	{{K_ENTER}, "the pipeline's runs, newest first", "runs", pl_open},
	{{'n'}, "start a run: `pipeline run P --detach` to edit", "new run", pl_new},
	{{'s'}, "the pipeline's definition (pipeline show P)", "show", pl_show},
	{{0}},
};
static const struct key_table pl_keys = {"Pipelines", pl_b};

const struct view_class pllist_class = {
	.name = "pipelines",
	.about = "Pipelines: the pipelines of the workspace, their last runs",
	.keys = {&pl_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = pl_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *pipelines_screen_open(struct tui *t)
{
	struct pllist *l = xcalloc(1, sizeof *l);
	listview_init(&l->lv, &pllist_class, "Pipelines", &pl_ops, pl_cols, P_NCOLS);
	return &l->lv.v;
}
