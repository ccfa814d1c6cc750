/* The Train screen: the runs of the workspace (with the job that runs each
 * in the background) → a run's live view: loss and metric curves per epoch,
 * rows/s, input wait against compute, ETA and state.  While a run is queued
 * or running the view rereads the workspace at every wake-up of the loop
 * (the terminal loop wakes every 500 ms), so it moves without a key.
 * Cancelling and starting runs go through commands (`job cancel ID`,
 * `train ... --detach`) so they are in the session history. */
#include "internal.h"

#include "model/model.h"
#include "plot/plot.h"
#include "registry/registry.h"
#include "train/train.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool live_state(const char *state)
{
	return state && (!strcmp(state, "running") || !strcmp(state, "queued"));
}

/* ---- the list of runs ------------------------------------------------------------ */
enum { C_RUN, C_MODEL, C_STATE, C_EPOCHS, C_DATA, C_VERSION, C_JOB, C_CREATED, NCOLS };

struct runlist {
	struct listview lv;
	struct run_brief *rows;
};

static void runs_clear(struct listview *lv)
{
	struct runlist *r = (struct runlist *)lv;
	run_briefs_free(r->rows, lv->n);
	r->rows = NULL;
}

/* While a run is queued or running the list is reread at every draw. */
static int runs_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		     struct pm_err *err)
{
	struct runlist *r = (struct runlist *)lv;
	if (run_briefs(ws, &r->rows, n, err))
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (live_state(r->rows[i].state))
			lv->live = true;
	return 0;
}

static char *runs_key(struct listview *lv, size_t i)
{
	return xasprintf("%lld", (long long)((struct runlist *)lv)->rows[i].id);
}

static bool runs_matches(struct listview *lv, size_t i, const char *pat)
{
	const struct run_brief *rr = &((struct runlist *)lv)->rows[i];
	return tui_strcasestr(rr->model, pat) || tui_strcasestr(rr->state, pat) ||
	       tui_strcasestr(rr->data, pat);
}

static enum style runs_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			    enum style st, struct sbuf *b)
{
	const struct run_brief *rr = &((struct runlist *)lv)->rows[i];
	char tm[32];
	switch (c) {
	case C_RUN: sbuf_printf(b, "%lld", (long long)rr->id); return cur ? S_CELL_CUR : st;
	case C_MODEL: sbuf_puts(b, rr->model); break;
	case C_STATE:
		sbuf_puts(b, rr->state);
		if (!cur && (!strcmp(rr->state, "failed") || !strcmp(rr->state, "cancelled")))
			return S_WARN;
		break;
	case C_EPOCHS:
		sbuf_printf(b, "%lld/%lld", (long long)rr->epochs_done, (long long)rr->epochs);
		break;
	case C_DATA: sbuf_puts(b, rr->data); break;
	case C_VERSION: sbuf_printf(b, rr->version ? "%lld" : "-", (long long)rr->version); break;
	case C_JOB: sbuf_printf(b, rr->job ? "%lld" : "-", (long long)rr->job); break;
	case C_CREATED:
		tui_short_time(rr->created, tm, sizeof tm);
		sbuf_puts(b, tm);
		return cur ? st : S_INFO;
	}
	return st;
}

static const char *runs_empty(struct listview *lv, struct sbuf *b)
{
	return "No runs yet.\n"
	       "n opens the form for a new run (or :train MODEL --data NAME --label COL --detach)";
}

static const struct listview_ops runs_ops = {
	.load = runs_load,
	.free_rows = runs_clear,
	.key = runs_key,
	.match = runs_matches,
	.cell = runs_cell,
	.empty = runs_empty,
};

static const struct tui_col runs_cols[NCOLS] = {
	[C_RUN] = {"run", 3, true},	   [C_MODEL] = {"model", 10},
	[C_STATE] = {"state", 9},	   [C_EPOCHS] = {"epochs", 6, true},
	[C_DATA] = {"data", 8},		   [C_VERSION] = {"version", 7, true},
	[C_JOB] = {"job", 3, true},	   [C_CREATED] = {"created", 16},
};

static void runs_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct runlist *r = (struct runlist *)v;
	size_t live = 0, k = r->lv.n;
	for (size_t i = 0; i < k; i++)
		live += live_state(r->rows[i].state);
	if (live)
		snprintf(buf, n, "%zu run%s, %zu running", k, k == 1 ? "" : "s", live);
	else
		snprintf(buf, n, "%zu run%s", k, k == 1 ? "" : "s");
}

static struct view *runview_new(int64_t run);

static const struct run_brief *current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t, "no runs yet: n starts one", &i))
		return NULL;
	return &((struct runlist *)v)->rows[i];
}

static void k_open(struct tui *t, struct view *v, int key)
{
	const struct run_brief *rr = current(t, v);
	if (rr)
		tui_push(t, runview_new(rr->id));
}

/* Cancels the job of run `id` (job 0: the run has none). */
static void cancel_job(struct tui *t, int64_t job, const char *state)
{
	if (!job) {
		tui_error(t, "this run has no job: only runs started with --detach can be cancelled");
		return;
	}
	if (!live_state(state)) {
		tui_error(t, "job %lld is %s: nothing to cancel", (long long)job, state);
		return;
	}
	char line[64];
	snprintf(line, sizeof line, "job cancel %lld", (long long)job);
	tui_command(t, line);
}

static void k_cancel(struct tui *t, struct view *v, int key)
{
	const struct run_brief *rr = current(t, v);
	if (rr) {
		int64_t job = rr->job;
		char *state = xstrdup(rr->state);
		cancel_job(t, job, state);
		free(state);
	}
}

static struct view *trainform_new(struct tui *t);

/* A new run: the form of the train command. */
static void k_new(struct tui *t, struct view *v, int key)
{
	struct view *f = trainform_new(t);
	if (f)
		tui_push(t, f);
}

static const struct key_binding runs_b[] = {
	{{K_ENTER}, "open the run: curves, throughput, ETA", "open", k_open},
	{{'n'}, "a new run: a form for dataset, label, features, model and hyperparameters; it "
		"runs train ... --detach and shows the run live", "new", k_new},
	{{'c'}, "cancel the run's job (job cancel ID)", "cancel", k_cancel},
	{{0}},
};
static const struct key_table runs_keys = {"Runs", runs_b};

const struct view_class runlist_class = {
	.name = "runs",
	.about = "Runs: training runs and their jobs",
	.keys = {&runs_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = runs_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *train_screen_open(struct tui *t)
{
	struct runlist *r = xcalloc(1, sizeof *r);
	listview_init(&r->lv, &runlist_class, "Runs", &runs_ops, runs_cols, NCOLS);
	return &r->lv.v;
}

/* ---- a run's live view ---------------------------------------------------------- */
struct runview {
	struct view v;
	int64_t run, job, epochs, version;
	char *model, *state, *data, *label, *type, *metric, *message;
	struct run_epoch *ep;
	size_t nep;
	struct worker_progress *w;   /* a distributed run's workers */
	size_t nw;
	int64_t w_epoch;
	unsigned gen;
	bool loaded;
	char *err;
};

static void rv_clear(struct runview *r)
{
	struct run_detail d = {.model = r->model, .state = r->state, .data = r->data,
			       .label = r->label, .type = r->type, .metric = r->metric,
			       .message = r->message, .ep = r->ep, .w = r->w};
	run_detail_free(&d);
	r->model = r->state = r->data = r->label = r->type = r->metric = r->message = NULL;
	r->ep = NULL;
	r->nep = 0;
	r->w = NULL;
	r->nw = 0;
}

static int rv_load(struct runview *r, struct workspace *ws, struct pm_err *err)
{
	struct run_detail d;
	if (run_detail_read(ws, r->run, &d, err))
		return -1;
	r->job = d.job, r->epochs = d.epochs, r->version = d.version;
	r->model = d.model, r->state = d.state, r->data = d.data, r->label = d.label;
	r->type = d.type, r->metric = d.metric, r->message = d.message;
	r->ep = d.ep, r->nep = d.nep;
	r->w = d.w, r->nw = d.nw, r->w_epoch = d.w_epoch;
	return 0;
}

static void rv_sync(struct runview *r, struct tui *t)
{
	if (r->loaded && r->gen == t->gen && !live_state(r->state))
		return;
	rv_clear(r);
	free(r->err);
	r->err = NULL;
	struct workspace *ws;
	struct pm_err err = {0};
	if (session_ws(t->s, &ws, &err) < 0 || rv_load(r, ws, &err) < 0)
		r->err = xstrdup(err.msg);
	r->loaded = true;
	r->gen = t->gen;
}

/* A line chart of v[0..n) in h rows and w columns: the title, then the
 * curve in braille (ASCII marks without UTF-8) between the smallest and
 * the largest value, written on the left.  NaN values leave a gap. */
static void chart(struct tui *t, int y, int x, int h, int w, const char *title,
		  const double *v, size_t n)
{
	int axis = 10;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i])) {
			if (v[i] < lo)
				lo = v[i];
			if (v[i] > hi)
				hi = v[i];
		}
	tui_put(t, y, x, w, S_SECTION, title);
	if (h < 3 || w < 14 || lo > hi) {
		tui_put(t, y + 1, x, w, S_INFO, "no values yet");
		return;
	}
	char a[32], b[32];
	tui_fmt_num(hi, 9, a, sizeof a);
	tui_fmt_num(lo, 9, b, sizeof b);
	tui_cell(t, y + 1, x, axis - 1, S_INFO, a, true);
	tui_cell(t, y + h - 1, x, axis - 1, S_INFO, b, true);
	int rows = h - 1;
	struct sbuf *line = xcalloc((size_t)rows, sizeof *line);
	plot_line(line, rows, w - axis, v, n, lo, hi, t->utf8);
	for (int r = 0; r < rows; r++) {
		tui_put(t, y + 1 + r, x + axis, w - axis, S_SPARK, line[r].s ? line[r].s : "");
		sbuf_free(&line[r]);
	}
	free(line);
}

/* The run's line, its data, its message: returns the next line. */
static int rv_head(struct tui *t, const struct runview *r, int y, int x, int w)
{
	int yy = y;
	enum style sst = !strcmp(r->state, "failed") || !strcmp(r->state, "cancelled") ? S_WARN
											 : S_TITLE;
	int at = x + 1;
	at += tui_putf(t, yy, at, w - 2, S_NORMAL, "run %lld  %s  ", (long long)r->run, r->model);
	at += tui_put(t, yy, at, x + w - 1 - at, sst, r->state);
	char ver[48] = "", job[48] = "";
	if (r->version)
		snprintf(ver, sizeof ver, "  version %lld", (long long)r->version);
	if (r->job)
		snprintf(job, sizeof job, "  job %lld", (long long)r->job);
	tui_putf(t, yy, at, x + w - 1 - at, S_NORMAL, "  epoch %zu/%lld%s%s", r->nep,
		 (long long)r->epochs, ver, job);
	yy++;
	tui_putf(t, yy++, x + 1, w - 2, S_INFO, "trained on %s, label %s%s%s%s", r->data, r->label,
		 *r->type ? " (" : "", r->type, *r->type ? ")" : "");
	if (*r->message)
		tui_put(t, yy++, x + 1, w - 2, S_WARN, r->message);
	return yy;
}

/* Throughput over the epochs done and, while it runs, the ETA from the
 * mean epoch time; an ended run shows how long it took instead. */
static void rv_timing(struct tui *t, const struct runview *r, int y, int x, int w)
{
	double rows = 0, secs = 0, wait = 0, comp = 0;
	for (size_t i = 0; i < r->nep; i++) {
		if (isfinite(r->ep[i].seconds))
			secs += r->ep[i].seconds;
		rows += (double)r->ep[i].rows;
		if (isfinite(r->ep[i].wait))
			wait += r->ep[i].wait;
		if (isfinite(r->ep[i].compute))
			comp += r->ep[i].compute;
	}
	char rps[32] = "-", eta[32] = "-", w1[32], c1[32];
	if (secs > 0)
		tui_fmt_num(rows / secs, 8, rps, sizeof rps);
	if (live_state(r->state) && r->nep && (int64_t)r->nep < r->epochs && secs > 0)
		snprintf(eta, sizeof eta, "%.0fs",
			 secs / (double)r->nep * (double)(r->epochs - (int64_t)r->nep));
	tui_fmt_num(wait, 8, w1, sizeof w1);
	tui_fmt_num(comp, 8, c1, sizeof c1);
	double share = wait + comp > 0 ? 100 * wait / (wait + comp) : 0;
	char took[32];
	tui_fmt_num(secs, 8, took, sizeof took);
	if (live_state(r->state))
		tui_putf(t, y, x + 1, w - 2, S_NORMAL,
			 "ETA %s  timing: %s rows/s  input wait %ss  compute %ss (%.0f%% waiting)", eta,
			 rps, w1, c1, share);
	else
		tui_putf(t, y, x + 1, w - 2, S_NORMAL,
			 "timing: took %ss  %s rows/s  input wait %ss  compute %ss (%.0f%% waiting)",
			 took, rps, w1, c1, share);
}

/* The loss and metric curves side by side when wide, else one above the
 * other, in the lines left above the epoch table; returns the next line. */
static int rv_curves(struct tui *t, const struct runview *r, int yy, int x, int w, int bottom)
{
	int rest = bottom - yy;
	double *loss = xcalloc(r->nep + 1, sizeof *loss), *met = xcalloc(r->nep + 1, sizeof *met);
	for (size_t i = 0; i < r->nep; i++) {
		loss[i] = r->ep[i].train_loss;
		met[i] = r->ep[i].value;
	}
	char mt[64];
	snprintf(mt, sizeof mt, "%s per epoch", r->metric ? r->metric : "eval metric");
	int table_rows = (int)r->nep + 1;
	int ch = rest - (table_rows < 6 ? table_rows : 6) - 1;
	if (ch > 12)
		ch = 12;
	/* without --eval the run's metric is the training loss itself: a
	 * second chart would draw the same series again */
	bool eval = false;
	for (size_t i = 0; i < r->nep; i++)
		eval |= isfinite(r->ep[i].eval_loss);
	if (ch >= 3 && eval) {
		int half = (w - 3) / 2;
		chart(t, yy, x + 1, ch, half, "training loss per epoch", loss, r->nep);
		chart(t, yy, x + 2 + half, ch, w - 3 - half, mt, met, r->nep);
		yy += ch + 1;
	} else if (ch >= 3) {
		chart(t, yy, x + 1, ch, w - 2, "training loss per epoch (no --eval dataset)", loss,
		      r->nep);
		yy += ch + 1;
	}
	free(loss);
	free(met);
	return yy;
}

/* The last epochs as a table, from line yy to the bottom. */
static void rv_epochs(struct tui *t, const struct runview *r, int yy, int x, int w, int bottom)
{
	if (yy < bottom) {
		tui_putf(t, yy++, x + 1, w - 2, S_HEADER, "%5s  %12s  %12s  %12s  %s", "epoch",
			 "train loss", "eval loss", r->metric ? r->metric : "metric", "best");
	}
	int avail = bottom - yy;
	size_t first = r->nep > (size_t)(avail > 0 ? avail : 0) ? r->nep - (size_t)avail : 0;
	for (size_t i = first; i < r->nep && yy < bottom; i++) {
		char a[32], b[32], c[32];
		tui_fmt_num(r->ep[i].train_loss, 12, a, sizeof a);
		tui_fmt_num(r->ep[i].eval_loss, 12, b, sizeof b);
		tui_fmt_num(r->ep[i].value, 12, c, sizeof c);
		tui_putf(t, yy++, x + 1, w - 2, S_NORMAL, "%5lld  %12s  %12s  %12s  %s",
			 (long long)r->ep[i].epoch, isfinite(r->ep[i].train_loss) ? a : "-",
			 isfinite(r->ep[i].eval_loss) ? b : "-", isfinite(r->ep[i].value) ? c : "-",
			 r->ep[i].best ? "*" : "");
	}
}

/* A distributed run's workers, one line each (at most `most`, the rest
 * counted): what rank 0 last heard from them; returns the next line. */
static int rv_workers(struct tui *t, const struct runview *r, int yy, int x, int w, int most)
{
	if (!r->nw || most < 2)
		return yy;
	tui_putf(t, yy++, x + 1, w - 2, S_SECTION, "workers in epoch %lld", (long long)r->w_epoch);
	size_t show = r->nw <= (size_t)most - 1 ? r->nw : (size_t)most - 2;
	for (size_t i = 0; i < show; i++) {
		const struct worker_progress *p = &r->w[i];
		char rows[32], loss[32];
		tui_fmt_num(p->rows, 8, rows, sizeof rows);
		tui_fmt_num(p->loss, 10, loss, sizeof loss);
		if (p->server)
			tui_putf(t, yy++, x + 1, w - 2, S_NORMAL, "  rank %-3d server  (holds weights)", p->rank);
		else
			tui_putf(t, yy++, x + 1, w - 2, S_NORMAL, "  rank %-3d worker  %8s rows  %6.0f steps  loss %s",
				 p->rank, rows, p->steps, isfinite(p->loss) ? loss : "-");
	}
	if (show < r->nw)
		tui_putf(t, yy++, x + 1, w - 2, S_INFO, "  and %zu more", r->nw - show);
	return yy;
}

static void rv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct runview *r = (struct runview *)v;
	rv_sync(r, t);
	if (r->err) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, r->err);
		return;
	}
	int yy = rv_head(t, r, y, x, w);
	rv_timing(t, r, yy++, x, w);
	yy = rv_workers(t, r, yy, x, w, (y + h - yy) / 3);
	yy++;
	yy = rv_curves(t, r, yy, x, w, y + h);
	rv_epochs(t, r, yy, x, w, y + h);
}

static void rv_enter(struct view *v, struct tui *t)
{
	rv_sync((struct runview *)v, t);
}

static void rv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct runview *r = (struct runview *)v;
	snprintf(buf, n, "%s", live_state(r->state) ? "live, refreshing" : r->state ? r->state : "");
}

static void rv_free(struct view *v)
{
	struct runview *r = (struct runview *)v;
	rv_clear(r);
	free(r->err);
}

static void k_rv_cancel(struct tui *t, struct view *v, int key)
{
	struct runview *r = (struct runview *)v;
	rv_sync(r, t);
	if (r->err) {
		tui_error(t, "%s", r->err);
		return;
	}
	char *state = xstrdup(r->state);
	cancel_job(t, r->job, state);
	free(state);
}

static void k_rv_job(struct tui *t, struct view *v, int key)
{
	struct runview *r = (struct runview *)v;
	rv_sync(r, t);
	if (!r->job) {
		tui_error(t, "this run has no job: it ran in the foreground");
		return;
	}
	char line[64];
	snprintf(line, sizeof line, "job show %lld", (long long)r->job);
	tui_command(t, line);
}

static const struct key_binding rv_b[] = {
	{{'c'}, "cancel the run's job (job cancel ID)", "cancel", k_rv_cancel},
	{{'J'}, "the job in full (job show ID)", "job", k_rv_job},
	{{0}},
};
static const struct key_table rv_keys = {"Run", rv_b};

const struct view_class runview_class = {
	.name = "run",
	.about = "Run: curves, throughput and ETA of one run",
	.keys = {&rv_keys, NULL},
	.draw = rv_draw,
	.enter = rv_enter,
	.free = rv_free,
	.info = rv_info,
};

static struct view *runview_new(int64_t run)
{
	struct runview *r = xcalloc(1, sizeof *r);
	char title[32];
	snprintf(title, sizeof title, "run %lld", (long long)run);
	view_init(&r->v, &runview_class, title);
	r->run = run;
	return &r->v;
}

/* ---- a new run: the train command as a form -------------------------------------- */
/* The fields come from the options of `train` in the command table: those
 * below first, in this order and under these names; every other option
 * (one added to `train` later too) under "more options". */
enum { TS_DATA, TS_MODEL, TS_TRAIN, TS_MORE };
static const struct {
	const char *opt, *label;
	int section;
} tf_layout[] = {
	{"--data", "dataset", TS_DATA},	   {"--label", "label", TS_DATA},
	{"--features", "features", TS_DATA}, {"--eval", "eval dataset", TS_DATA},
	{"--model", "model type", TS_MODEL}, {"--hidden", "hidden layers", TS_MODEL},
	{"--epochs", "epochs", TS_TRAIN},    {"--batch", "batch", TS_TRAIN},
	{"--lr", "lr", TS_TRAIN},	   {"--optimizer", "optimizer", TS_TRAIN},
	{"--l2", "l2", TS_TRAIN},	   {"--seed", "seed", TS_TRAIN},
	{"--device", "device", TS_TRAIN},
	{"--workers", "workers", TS_TRAIN},  {"--strategy", "strategy", TS_TRAIN},
};
/* a new run is never resumed, and it always runs as a job */
static const char *const tf_skip[] = {"--detach", "--resume", NULL};
/* options that only mean something with another one */
/* (parts: the model types with those parts, model.h) */
static const struct {
	const char *opt, *when, *values;
	unsigned parts;
} tf_shown_if[] = {
	{"--hidden", "--model", NULL, MT_DEEP},   {"--dropout", "--model", NULL, MT_DEEP},
	{"--embed", "--model", NULL, MT_DEEP},    {"--wide-optimizer", "--model", NULL, MT_WIDE},
	{"--wide-lr", "--model", NULL, MT_WIDE},  {"--momentum", "--optimizer", "sgd"},
	{"--lr-decay", "--schedule", "exponential|step"},
	{"--ps", "--strategy", "ps"},            {"--max-staleness", "--strategy", "ps"},
};
static const char *const tf_head[] = {"train", NULL};
static const char *const tf_tail[] = {"--detach", NULL};

struct trainform {
	struct form f;
	/* the label's column: its type and how many values it takes (0, 1, 2
	 * or 3 for "more") */
	bool label_known;
	enum pm_type label_type;
	size_t label_values;
};

/* How many distinct values a column has among its present rows, counting
 * no further than cap (at most 8). */
static size_t distinct_upto(const struct column *c, size_t nrows, size_t cap)
{
	uint64_t seen[8];
	size_t k = 0;
	if (cap > 8)
		cap = 8;
	for (size_t r = 0; r < nrows && k < cap; r++) {
		if (!column_present(c, r))
			continue;
		uint64_t key = 0;
		switch (c->type) {
		case PM_INT:
		case PM_TIMESTAMP: key = (uint64_t)c->v.i64[r]; break;
		case PM_BOOL: key = c->v.b[r]; break;
		case PM_STRING: key = c->v.code[r]; break;
		case PM_FLOAT: {
			double d = c->v.f64[r];
			if (isnan(d))
				continue;
			if (d == 0)
				d = 0; /* -0 and 0 are one value */
			memcpy(&key, &d, sizeof key);
			break;
		}
		}
		bool dup = false;
		for (size_t i = 0; i < k && !dup; i++)
			dup = seen[i] == key;
		if (!dup)
			seen[k++] = key;
	}
	return k;
}

static struct frame *tf_frame(struct tui *t, const char *name)
{
	struct frame *fr = NULL;
	struct pm_err err = {0};
	if (!name || session_frame(t->s, name, &fr, &err) < 0)
		return NULL;
	return fr;
}

/* The model the trainer picks for a label: two values -> binary, other
 * strings -> multiclass, numbers -> regression. */
static const char *tf_default_model(const struct trainform *tf)
{
	enum model_task task = tf->label_type == PM_BOOL || tf->label_values == 2 ? TASK_BINARY
			       : tf->label_type == PM_STRING ? TASK_MULTICLASS : TASK_REGRESSION;
	return model_type_name(model_type_default(task));
}

/* The label changed (or its dataset did): its type, the features that are
 * left, and the defaults that follow from it. */
static void tf_label_changed(struct trainform *tf, struct tui *t, bool new_data)
{
	struct form *f = &tf->f;
	struct form_field *data = form_get(f, "--data"), *label = form_get(f, "--label");
	struct form_field *feats = form_get(f, "--features"), *model = form_get(f, "--model");
	struct form_field *name = form_get(f, "MODEL");
	struct frame *fr = tf_frame(t, data->value);
	tf->label_known = false;
	free(label->note);
	label->note = NULL;
	int li = fr && label->value ? frame_col_index(fr, label->value) : -1;
	if (li >= 0) {
		const struct column *c = &fr->cols[li];
		tf->label_known = true;
		tf->label_type = c->type;
		tf->label_values = distinct_upto(c, fr->nrows, 3);
		label->note = tf->label_values == 2
				      ? xasprintf("%s, two values", pm_type_name(c->type))
				      : xstrdup(pm_type_name(c->type));
	}
	if (feats) {
		/* the ticks stay; everything stays ticked when it was */
		bool all = new_data || feats->nchoices == 0;
		if (!all) {
			all = true;
			for (size_t i = 0; i < feats->nchoices; i++)
				all &= feats->choices[i].on;
		}
		struct form_field old = *feats;
		feats->choices = NULL;
		feats->nchoices = 0;
		for (size_t c = 0; fr && c < fr->ncols; c++) {
			const char *cn = fr->cols[c].name;
			if (label->value && strcmp(cn, label->value) == 0)
				continue;
			bool on = all;
			for (size_t i = 0; i < old.nchoices && !all; i++)
				if (strcmp(old.choices[i].value, cn) == 0)
					on = old.choices[i].on;
			form_add_choice(feats, cn, pm_type_name(fr->cols[c].type), on);
		}
		form_clear_choices(&old);
		free(feats->error);
		feats->error = NULL;
	}
	if (model && !model->touched) {
		form_set(model, tf->label_known ? tf_default_model(tf) : NULL);
		free(model->note);
		model->note = tf->label_known ? xstrdup("from the label") : NULL;
	}
	if (name && !name->touched && label->value)
		form_set(name, reg_name_valid(label->value) ? label->value : NULL);
}

/* The dataset changed: its columns are the label's choices; the eval
 * dataset follows `split`'s naming (X_train -> X_eval) until it is set. */
static void tf_data_changed(struct trainform *tf, struct tui *t, bool new_data)
{
	struct form *f = &tf->f;
	struct form_field *data = form_get(f, "--data"), *label = form_get(f, "--label");
	struct form_field *eval = form_get(f, "--eval");
	struct frame *fr = tf_frame(t, data->value);
	form_clear_choices(label);
	for (size_t c = 0; fr && c < fr->ncols; c++)
		form_add_choice(label, fr->cols[c].name, pm_type_name(fr->cols[c].type), false);
	if (label->value && (!fr || frame_col_index(fr, label->value) < 0))
		form_set(label, NULL);
	if (eval && !eval->touched && new_data) {
		char *guess = NULL;
		if (data->value && str_suffix(data->value, "_train"))
			guess = xasprintf("%.*s_eval", (int)(strlen(data->value) - 6), data->value);
		bool have = false;
		for (size_t i = 0; guess && i < eval->nchoices; i++)
			have |= strcmp(eval->choices[i].value, guess) == 0;
		form_set(eval, have ? guess : NULL);
		free(guess);
	}
	tf_label_changed(tf, t, new_data);
}

static void tf_changed(struct form *f, struct tui *t, struct form_field *fld)
{
	struct trainform *tf = (struct trainform *)f;
	if (strcmp(fld->key, "--data") == 0)
		tf_data_changed(tf, t, true);
	else if (strcmp(fld->key, "--label") == 0)
		tf_label_changed(tf, t, false);
	else if (strcmp(fld->key, "--model") == 0) {
		free(fld->note);
		fld->note = NULL;
	}
}

static bool tf_check(struct form *f, struct tui *t, struct form_field *fld, char *msg, size_t n)
{
	struct trainform *tf = (struct trainform *)f;
	const char *v = fld->value;
	const struct form_field *label = form_get(f, "--label");
	if (strcmp(fld->key, "MODEL") == 0 && v && !reg_name_valid(v)) {
		snprintf(msg, n, "'%s' is not a valid model name (letters, digits, '_', '-', '.')", v);
		return false;
	}
	enum model_type mt;
	if (strcmp(fld->key, "--model") == 0 && v && tf->label_known && model_type_parse(v, &mt)) {
		unsigned tasks = model_types[mt].tasks;
		if (tasks == MT_TASK(TASK_REGRESSION) &&
		    (tf->label_type == PM_STRING || tf->label_type == PM_BOOL)) {
			snprintf(msg, n, "%s needs a numeric label; '%s' is %s", v, label->value,
				 pm_type_name(tf->label_type));
			return false;
		}
		if (tasks == MT_TASK(TASK_BINARY) && tf->label_values != 2) {
			snprintf(msg, n, "%s needs two label values; '%s' has %s", v, label->value,
				 tf->label_values > 2 ? "more" : tf->label_values ? "one" : "none");
			return false;
		}
	}
	if (strcmp(fld->key, "--eval") == 0 && v && label->value) {
		struct frame *ev = tf_frame(t, v);
		if (ev && frame_col_index(ev, label->value) < 0) {
			snprintf(msg, n, "'%s' has no column '%s' (the label)", v, label->value);
			return false;
		}
	}
	if (strcmp(fld->key, "--device") == 0 && v && !train_device_note(v, msg, n))
		return false;
	return true;
}

/* The field an error of the command names ("--epochs must be from 1 to
 * 100000"), so that the message shows where it belongs. */
static struct form_field *tf_field_of(struct form *f, const char *msg)
{
	for (size_t i = 0; i < f->n; i++) {
		struct form_field *fld = &f->fields[i];
		if (fld->positional || !form_field_shown(f, fld))
			continue;
		size_t k = strlen(fld->key);
		for (const char *p = strstr(msg, fld->key); p; p = strstr(p + 1, fld->key))
			if (p[k] != '-' && !(p[k] >= 'a' && p[k] <= 'z'))
				return fld;
	}
	return NULL;
}

/* Runs the command through the command table (it lands in the history,
 * `:save-log` keeps it) and puts the run's live view in the form's place. */
static void tf_submit(struct form *f, struct tui *t)
{
	char **words = form_words(f);
	json_t *job = NULL;
	struct pm_err err = {0};
	int rc = tui_exec_json(t, words, &job, &err);
	str_list_free(words);
	if (rc < 0) {
		/* beside the field it names, else above the help */
		struct form_field *fld = tf_field_of(f, err.msg);
		free(f->error);
		f->error = fld ? NULL : xstrdup(err.msg);
		if (fld) {
			free(fld->error);
			fld->error = xstrdup(err.msg);
			form_focus(f, fld);
		}
		tui_error(t, "%s", err.msg);
		return;
	}
	json_int_t run = json_integer_value(json_object_get(job, "run"));
	json_int_t id = json_integer_value(json_object_get(job, "job"));
	json_decref(job);
	f->gen = t->gen;
	tui_replace(t, runview_new(run));
	tui_msg(t, "run %lld started as job %lld", (long long)run, (long long)id);
}

static void tf_sync(struct form *f, struct tui *t)
{
	/* a dataset may have been loaded again under its name */
	tf_data_changed((struct trainform *)f, t, false);
}

static const struct form_ops tf_ops = {
	.changed = tf_changed,
	.check = tf_check,
	.submit = tf_submit,
	.sync = tf_sync,
};

static struct view *trainform_new(struct tui *t)
{
	const struct cmd_entry *e = cmd_lookup("train");
	struct workspace *ws;
	struct pm_err err = {0};
	struct ws_dataset *ds = NULL;
	size_t nds = 0;
	if (!e) {
		tui_error(t, "there is no train command in this build");
		return NULL;
	}
	if (session_ws(t->s, &ws, &err) < 0 || ws_dataset_list(ws, &ds, &nds, &err) < 0) {
		tui_error(t, "%s", err.msg);
		return NULL;
	}
	/* the first dataset named like a training split, else the first */
	size_t pick = 0;
	for (size_t i = nds; i-- > 0;)
		if (str_suffix(ds[i].name, "_train"))
			pick = i;
	char *first = nds ? xstrdup(ds[pick].name) : NULL;
	for (size_t i = 0; i < nds; i++)
		ws_dataset_free(&ds[i]);
	free(ds);
	if (!first) {
		tui_error(t, "no datasets to train on: load one first (:load NAME PATH)");
		return NULL;
	}
	struct trainform *tf = xcalloc(1, sizeof *tf);
	struct form *f = &tf->f;
	form_init(f, "new run", &tf_ops);
	f->head = tf_head;
	f->tail = tf_tail;
	f->button = "start the run";
	f->gen = t->gen;
	form_section(f, "Data", false);
	form_section(f, "Model", false);
	form_section(f, "Training", false);
	form_section(f, "More options", true);
	form_add(f, "MODEL", true, "model name", FIELD_TEXT, TS_DATA,
		 "the model this run trains; it is registered as the model's next version "
		 "(letters, digits, '_', '-', '.'; the label's name until you change it)")
		->required = true;
	for (size_t i = 0; i < PM_ARRAY_LEN(tf_layout); i++) {
		struct form_field *fld =
			form_add_opt(f, t, form_cmd_opt(e, tf_layout[i].opt), tf_layout[i].section);
		if (fld) {
			free(fld->label);
			fld->label = xstrdup(tf_layout[i].label);
		}
	}
	form_add_opts(f, t, e, tf_skip, TS_MORE);
	for (size_t i = 0; i < PM_ARRAY_LEN(tf_shown_if); i++) {
		struct form_field *fld = form_get(f, tf_shown_if[i].opt);
		if (fld) {
			fld->when = xstrdup(tf_shown_if[i].when);
			fld->values = tf_shown_if[i].parts ? model_type_list(tf_shown_if[i].parts, "|", "|")
				      : tf_shown_if[i].values ? xstrdup(tf_shown_if[i].values) : NULL;
		}
	}
	struct form_field *fld;
	enum model_type mt;
	if ((fld = form_get(f, "--seed")))
		fld->min = 0;
	if ((fld = form_get(f, "--features")))
		fld->all_default = true;
	if ((fld = form_get(f, "--model")))
		for (size_t i = 0; i < fld->nchoices; i++)
			if (model_type_parse(fld->choices[i].value, &mt))
				fld->choices[i].note = xstrdup(model_types[mt].note);
	if ((fld = form_get(f, "--device")))
		for (size_t i = 0; i < fld->nchoices; i++) {
			char note[256];
			train_device_note(fld->choices[i].value, note, sizeof note);
			fld->choices[i].note = xstrdup(note);
		}
	/* the form cannot work without these: they are what a run is */
	if (!form_get(f, "--data") || !form_get(f, "--label")) {
		tui_error(t, "the train command has no --data or --label option");
		f->v.cls->free(&f->v);
		free(f->v.title);
		free(tf);
		free(first);
		return NULL;
	}
	form_set(form_get(f, "--data"), first);
	free(first);
	tf_data_changed(tf, t, true);
	return &f->v;
}

/* The status line: background jobs still queued or running, whatever the tab. */
void train_status(struct tui *t, char *buf, size_t n)
{
	struct workspace *ws;
	struct pm_err err = {0};
	int64_t k;
	if (session_ws(t->s, &ws, &err) < 0 || job_count_active(ws, &k, &err) < 0)
		return;
	if (k)
		snprintf(buf, n, "%lld job%s running", (long long)k, k == 1 ? "" : "s");
}

void train_wait_jobs(struct tui *t)
{
	struct workspace *ws;
	struct pm_err err = {0};
	json_t *list = NULL;
	if (session_ws(t->s, &ws, &err) < 0 || job_list(ws, &list, &err) < 0) {
		tui_error(t, "%s", err.msg);
		return;
	}
	size_t i;
	json_t *job;
	json_array_foreach(json_object_get(list, "jobs"), i, job) {
		if (job_state_ended(json_string_value(json_object_get(job, "state"))))
			continue;
		json_t *j;
		if (job_wait(ws, json_integer_value(json_object_get(job, "job")), 600, NULL, &j,
			     &err) < 0) {
			tui_error(t, "%s", err.msg);
			break;
		}
		json_decref(j);
	}
	json_decref(list);
	t->gen++;
}
