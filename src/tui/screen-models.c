/* The Models screen: the models of the registry → the versions of one
 * (metrics, aliases, created, by whom) → a version's detail (`models show
 * M:V`: metrics overall and per slice, hyperparameters; then `models
 * lineage M:V`).  Lists are read from
 * the registry directly; every action (detail, promote, rollback, compare,
 * and evaluate, predict, alias, tag, export, policy on a prefilled command
 * line) runs as a command so it lands in the session history. */
#include "internal.h"

#include "registry/registry.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared ------------------------------------------------------------------ */
/* "rmse 7.7163": the task's primary metric, or the empty string. */
static void metric_text(const struct reg_version *rv, char *buf, size_t n)
{
	bool hb;
	const char *m = model_primary_metric(rv->task, &hb);
	json_t *val = m && rv->metrics ? json_object_get(rv->metrics, m) : NULL;
	if (!val || !json_is_number(val)) {
		snprintf(buf, n, "-");
		return;
	}
	char num[32];
	tui_fmt_num(json_number_value(val), 8, num, sizeof num);
	snprintf(buf, n, "%s %s", m, num);
}

static char *aliases_text(struct workspace *ws, const struct reg_version *rv)
{
	char **al = NULL;
	struct pm_err err = {0};
	struct sbuf b = {0};
	if (reg_aliases_of(ws, rv->model, rv->version, &al, &err) == 0 && al)
		for (size_t i = 0; al[i]; i++)
			sbuf_printf(&b, "%s%s", i ? "," : "", al[i]);
	str_list_free(al);
	return sbuf_steal(&b);
}

/* ---- rows of a list: one string per column ----------------------------------- */
#define NCOL 6
struct row {
	char *col[NCOL];
	char *key;          /* model name, or "M:V" */
};

struct mlist {
	struct listview lv;
	char *model;        /* NULL: the list of models */
	struct row *rows;
};

static void free_rows(struct listview *lv)
{
	struct mlist *m = (struct mlist *)lv;
	for (size_t i = 0; i < lv->n; i++) {
		for (int c = 0; c < NCOL; c++)
			free(m->rows[i].col[c]);
		free(m->rows[i].key);
	}
	free(m->rows);
	m->rows = NULL;
}

static int load_models(struct mlist *m, struct workspace *ws, size_t *n, struct pm_err *err)
{
	char **names = NULL;
	size_t nn = 0;
	if (reg_models(ws, &names, &nn, err) < 0)
		return -1;
	m->rows = xcalloc(nn ? nn : 1, sizeof *m->rows);
	for (size_t i = 0; i < nn; i++) {
		struct reg_version *vs = NULL;
		size_t nv = 0;
		struct row *r = &m->rows[(*n)++];
		r->key = xstrdup(names[i]);
		r->col[0] = xstrdup(names[i]);
		if (reg_versions(ws, names[i], &vs, &nv, err) < 0) {
			for (size_t k = 0; k < nn; k++)
				free(names[k]);
			free(names);
			return -1;
		}
		char buf[64];
		r->col[1] = xasprintf("%zu", nv);
		if (nv) {
			struct reg_version *last = &vs[nv - 1];
			r->col[2] = xstrdup(last->type ? last->type : "");
			metric_text(last, buf, sizeof buf);
			r->col[3] = xstrdup(buf);
			/* the aliases of every version: "production=2" */
			struct sbuf b = {0};
			for (size_t k = 0; k < nv; k++) {
				char **al = NULL;
				struct pm_err e2 = {0};
				if (reg_aliases_of(ws, names[i], vs[k].version, &al, &e2) == 0 && al)
					for (size_t a = 0; al[a]; a++)
						sbuf_printf(&b, "%s%s=%lld", b.len ? "," : "", al[a],
							    (long long)vs[k].version);
				str_list_free(al);
			}
			r->col[5] = sbuf_steal(&b);
			tui_short_time(last->created, buf, sizeof buf);
			r->col[4] = xstrdup(buf);
		}
		for (size_t k = 0; k < nv; k++)
			reg_version_free(&vs[k]);
		free(vs);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int load_versions(struct mlist *m, struct workspace *ws, size_t *n, struct pm_err *err)
{
	struct reg_version *vs = NULL;
	size_t nv = 0;
	if (reg_versions(ws, m->model, &vs, &nv, err) < 0)
		return -1;
	m->rows = xcalloc(nv ? nv : 1, sizeof *m->rows);
	/* newest first: the version one is most likely to act on */
	for (size_t k = nv; k-- > 0;) {
		struct reg_version *rv = &vs[k];
		struct row *r = &m->rows[(*n)++];
		char buf[64];
		r->key = xasprintf("%s:%lld", m->model, (long long)rv->version);
		r->col[0] = xasprintf("%lld", (long long)rv->version);
		r->col[1] = xstrdup(rv->type ? rv->type : "");
		metric_text(rv, buf, sizeof buf);
		r->col[2] = xstrdup(buf);
		tui_short_time(rv->created, buf, sizeof buf);
		r->col[3] = xstrdup(buf);
		r->col[4] = xstrdup(rv->user ? rv->user : "");
		r->col[5] = aliases_text(ws, rv);
		reg_version_free(rv);
	}
	free(vs);
	return 0;
}

static int ml_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	struct mlist *m = (struct mlist *)lv;
	return m->model ? load_versions(m, ws, n, err) : load_models(m, ws, n, err);
}

static char *ml_key(struct listview *lv, size_t i)
{
	return xstrdup(((struct mlist *)lv)->rows[i].key);
}

static bool ml_matches(struct listview *lv, size_t i, const char *pat)
{
	const struct row *r = &((struct mlist *)lv)->rows[i];
	for (int c = 0; c < NCOL; c++)
		if (r->col[c] && tui_strcasestr(r->col[c], pat))
			return true;
	return false;
}

static enum style ml_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			  enum style st, struct sbuf *b)
{
	const struct row *r = &((struct mlist *)lv)->rows[i];
	sbuf_puts(b, r->col[c] ? r->col[c] : "");
	if (c == 0 && cur)
		return S_CELL_CUR;
	return !cur && !strcmp(lv->cols[c].head, "created") ? S_INFO : st;
}

static const char *ml_empty(struct listview *lv, struct sbuf *b)
{
	return "No models yet.\n"
	       "The Train screen (2) or :train MODEL --data NAME --label COL adds one.";
}

static const struct listview_ops ml_ops = {
	.load = ml_load,
	.free_rows = free_rows,
	.key = ml_key,
	.match = ml_matches,
	.cell = ml_cell,
	.empty = ml_empty,
};

/* The last column takes what is left of the width; creation times come
 * before it so they are never cut. */
static const struct tui_col model_cols[NCOL] = {
	{"model", 14}, {"versions", 8, true}, {"type", 8}, {"metric", 14}, {"created", 16},
	{"aliases", 0, .flex = true},
};
static const struct tui_col version_cols[NCOL] = {
	{"version", 7, true}, {"type", 8}, {"metric", 14}, {"created", 16}, {"by", 8},
	{"aliases", 0, .flex = true},
};

static void ml_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct mlist *m = (struct mlist *)v;
	size_t marked = listview_marked(&m->lv), k = m->lv.n;
	const char *what = m->model ? "version" : "model";
	if (marked)
		snprintf(buf, n, "%zu %s%s, %zu marked", k, what, k == 1 ? "" : "s", marked);
	else
		snprintf(buf, n, "%zu %s%s", k, what, k == 1 ? "" : "s");
}

static void ml_free(struct view *v)
{
	listview_free(v);
	free(((struct mlist *)v)->model);
}

static const char *current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t,
			      "no models yet: :train MODEL --data NAME --label COL adds one", &i))
		return NULL;
	return ((struct mlist *)v)->rows[i].key;
}

static struct view *mlist_new(const char *model);

/* Runs words as a command: its output opens a text view when it has several
 * lines, errors (a command that does not exist yet, a gate that refuses)
 * show on the status line. */
static void run_words(struct tui *t, char **words)
{
	struct sbuf b = {0};
	for (size_t i = 0; words[i]; i++)
		sbuf_printf(&b, "%s%s", i ? " " : "", words[i]);
	char *line = sbuf_steal(&b);
	tui_command(t, line);
	free(line);
}

static void k_open(struct tui *t, struct view *v, int key)
{
	struct mlist *m = (struct mlist *)v;
	const char *cur = current(t, v);
	if (!cur)
		return;
	if (!m->model) {
		tui_push(t, mlist_new(cur));
		return;
	}
	/* the detail (metrics overall and per slice, hyperparameters), then
	 * its lineage */
	char *ref = xstrdup(cur);
	char *show[] = {"models", "show", ref, NULL}, *lineage[] = {"models", "lineage", ref, NULL};
	char *out = NULL, *lin = NULL;
	struct pm_err err = {0};
	if (tui_exec(t, show, NULL, false, &out, &err) < 0 ||
	    tui_exec(t, lineage, NULL, false, &lin, &err) < 0) {
		tui_error(t, "%s", err.msg);
	} else {
		char *text = xasprintf("%s\nlineage:\n%s", out ? out : "", lin ? lin : "");
		tui_push(t, textview_new(ref, text));
		free(text);
	}
	free(out);
	free(lin);
	free(ref);
}

static void k_promote(struct tui *t, struct view *v, int key)
{
	struct mlist *m = (struct mlist *)v;
	const char *cur = current(t, v);
	if (!cur)
		return;
	if (!m->model) {
		tui_error(t, "open a model (Enter) and pick the version to promote");
		return;
	}
	char *ref = xstrdup(cur);
	char *words[] = {"models", "promote", ref, "--to", "production", NULL};
	run_words(t, words);
	free(ref);
}

static void k_rollback(struct tui *t, struct view *v, int key)
{
	struct mlist *m = (struct mlist *)v;
	const char *cur = current(t, v);
	if (!cur)
		return;
	char *model = xstrdup(m->model ? m->model : cur);
	char *words[] = {"models", "rollback", model, NULL};
	run_words(t, words);
	free(model);
}

static void k_mark(struct tui *t, struct view *v, int key)
{
	struct mlist *m = (struct mlist *)v;
	if (!current(t, v))
		return;
	if (!m->model) {
		tui_error(t, "marks are for versions: open a model (Enter) first");
		return;
	}
	m->lv.marked[v->sc.cur] = !m->lv.marked[v->sc.cur];
	if (v->sc.cur + 1 < v->sc.n)
		v->sc.cur++;
	scroller_fix(&v->sc);
}

static void k_compare(struct tui *t, struct view *v, int key)
{
	struct mlist *m = (struct mlist *)v;
	if (!current(t, v))
		return;
	char *refs[2] = {NULL, NULL};
	size_t nm = 0;
	for (size_t i = 0; i < m->lv.n; i++)
		if (m->model && m->lv.marked[i]) {
			if (nm < 2)
				refs[nm] = m->rows[i].key;
			nm++;
		}
	if (nm != 2) {
		tui_error(t, "mark two versions with Space to compare them (%zu marked)", nm);
		return;
	}
	/* the older version first: the list is newest first */
	char *a = xstrdup(refs[1]), *b = xstrdup(refs[0]);
	char *words[] = {"models", "compare", a, b, NULL};
	run_words(t, words);
	free(a);
	free(b);
}

/* The version under the cursor ("M:V"), or on the list of models an error
 * that says to open one (what needs a version: verb). */
static const char *current_version(struct tui *t, struct view *v, const char *verb)
{
	struct mlist *m = (struct mlist *)v;
	const char *cur = current(t, v);
	if (cur && !m->model) {
		tui_error(t, "open a model (Enter) and pick the version to %s", verb);
		return NULL;
	}
	return cur;
}

/* The `:` line prefilled with a command on the current model or version:
 * fmt has one %s for it (quoted as one word).  The user completes or edits
 * it, so what runs is a command in the history like any other. */
static void prefill(struct tui *t, struct view *v, const char *ref, const char *fmt)
{
	if (!ref)
		return;
	struct sbuf q = {0};
	cmd_quote_word(&q, ref);
	char *init = xasprintf(fmt, q.s);
	tui_command_prompt(t, v, init);
	free(init);
	sbuf_free(&q);
}

static void k_evaluate(struct tui *t, struct view *v, int key)
{
	prefill(t, v, current(t, v), "evaluate %s --data ");
}

static void k_predict(struct tui *t, struct view *v, int key)
{
	const char *ref = current(t, v);
	if (!ref)
		return;
	/* fare:3 -> fare-3-predictions.csv */
	char *file = xasprintf("%s-predictions.csv", ref);
	for (char *p = file; *p; p++)
		if (*p == ':' || *p == '@' || *p == '/' || *p == ' ')
			*p = '-';
	char *fmt = xasprintf("predict %%s --out %s --data ", file);
	prefill(t, v, ref, fmt);
	free(fmt);
	free(file);
}

static void k_alias(struct tui *t, struct view *v, int key)
{
	prefill(t, v, current_version(t, v, "alias"), "models alias %s staging");
}

static void k_tag(struct tui *t, struct view *v, int key)
{
	prefill(t, v, current(t, v), "models tag %s ");
}

static void k_export(struct tui *t, struct view *v, int key)
{
	const char *ref = current_version(t, v, "export");
	if (!ref)
		return;
	char *file = xasprintf("%s.pml", ref);
	*strchr(file, ':') = '-';
	char *fmt = xasprintf("models export %%s %s", file);
	prefill(t, v, ref, fmt);
	free(fmt);
	free(file);
}

/* Quantize: int8 dynamic prefilled; --fp16 or --calibrate are a word away. */
static void k_quantize(struct tui *t, struct view *v, int key)
{
	prefill(t, v, current_version(t, v, "quantize"), "models quantize %s --int8");
}

/* The standalone C predictor, into edge/ (made when missing). */
static void k_export_c(struct tui *t, struct view *v, int key)
{
	prefill(t, v, current_version(t, v, "export as C"), "models export %s --format c -o edge/");
}

/* The ONNX model, into edge/ too, for ONNX Runtime and the tools that read it. */
static void k_export_onnx(struct tui *t, struct view *v, int key)
{
	prefill(t, v, current_version(t, v, "export as ONNX"), "models export %s --format onnx -o edge/");
}

static void k_policy(struct tui *t, struct view *v, int key)
{
	struct mlist *m = (struct mlist *)v;
	const char *cur = current(t, v);
	/* a policy is the model's, whichever version is under the cursor */
	prefill(t, v, cur && m->model ? m->model : cur, "models policy %s ");
}

static const struct key_binding ml_b[] = {
	{{K_ENTER}, "open: a model's versions, a version's detail", "open", k_open},
	{{'p'}, "promote the version to production (models promote M:V --to production)",
	 "promote", k_promote},
	{{'r'}, "roll production back to its previous version (models rollback M)", "rollback",
	 k_rollback},
	{{' '}, "mark a version (two marked: compare)", "mark", k_mark},
	{{'C'}, "compare the two marked versions (models compare A B)", "compare", k_compare},
	/* these prefill the command line: the dataset, alias or tags are the user's */
	{{'e'}, "evaluate on a dataset (:evaluate M:V --data NAME)", "evaluate", k_evaluate},
	{{'P'}, "predict a dataset into a CSV file (:predict M:V --out FILE --data NAME)", NULL,
	 k_predict},
	{{'a'}, "point an alias at the version (:models alias M:V ALIAS)", NULL, k_alias},
	{{'t'}, "tag the version (:models tag M:V KEY=VALUE)", NULL, k_tag},
	{{'x'}, "export the version to a file (:models export M:V FILE)", NULL, k_export},
	{{'o'}, "the model's promotion policy (:models policy M [KEY VALUE])", NULL, k_policy},
	{{'I'}, "quantize the version to int8 or fp16 (:models quantize M:V --int8)",
	 "quantize", k_quantize},
	{{'X'}, "export a standalone C predictor (:models export M:V --format c -o edge/)", NULL,
	 k_export_c},
	{{'O'}, "export an ONNX model (:models export M:V --format onnx -o edge/)", NULL,
	 k_export_onnx},
	{{0}},
};
static const struct key_table ml_keys = {"Models", ml_b};

const struct view_class mlist_class = {
	.name = "models",
	.about = "Models: the registry's models and their versions",
	.keys = {&ml_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = ml_free,
	.info = ml_info,
	.search = listview_search,
	.click = listview_click,
};

static struct view *mlist_new(const char *model)
{
	struct mlist *m = xcalloc(1, sizeof *m);
	m->model = model ? xstrdup(model) : NULL;
	listview_init(&m->lv, &mlist_class, model ? model : "Models", &ml_ops,
		      model ? version_cols : model_cols, NCOL);
	m->lv.margin = 1;
	/* versions are marked to compare two */
	m->lv.marks = model != NULL;
	return &m->lv.v;
}

struct view *models_screen_open(struct tui *t)
{
	return mlist_new(NULL);
}
