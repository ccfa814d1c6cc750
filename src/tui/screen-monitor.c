/* The Monitor screen: the models with logged requests → a model's
 * dashboard (monitor-dash.c), its features (monitor-features.c) → every
 * alert of the workspace (monitor-alerts.c).  The lists are read from the
 * workspace. */
#include "internal.h"

#include "monitor/monitor.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

/* ---- the models with logged requests ----------------------------------------------- */
struct monlist {
	struct listview lv;
	struct monitor_model *rows;
};

static void ml_clear(struct listview *lv)
{
	struct monlist *m = (struct monlist *)lv;
	monitor_models_free(m->rows, lv->n);
	m->rows = NULL;
}

static int ml_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	return monitor_models(ws, &((struct monlist *)lv)->rows, n, err);
}

static char *ml_key(struct listview *lv, size_t i)
{
	return xstrdup(((struct monlist *)lv)->rows[i].model);
}

static bool ml_matches(struct listview *lv, size_t i, const char *pat)
{
	return tui_strcasestr(((struct monlist *)lv)->rows[i].model, pat) != NULL;
}

enum { M_MODEL, M_REQ, M_ERR, M_RATE, M_ALERTS, M_SERVERS, M_LAST, M_NCOLS };
static const struct tui_col mon_cols[M_NCOLS] = {
	[M_MODEL] = {"model", 14, .flex = true},
	[M_REQ] = {"requests", 9, true},
	[M_ERR] = {"errors", 7, true},
	[M_RATE] = {"error %", 7, true},
	[M_ALERTS] = {"alerts", 6, true},
	[M_SERVERS] = {"servers", 7, true, 1},
	[M_LAST] = {"last request", 16},
};

static enum style ml_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			  enum style st, struct sbuf *b)
{
	const struct monitor_model *r = &((struct monlist *)lv)->rows[i];
	char buf[64];
	switch (c) {
	case M_MODEL: sbuf_puts(b, r->model); return cur ? S_CELL_CUR : st;
	case M_REQ: sbuf_printf(b, "%lld", (long long)r->requests); break;
	case M_ERR:
		sbuf_printf(b, "%lld", (long long)r->errors);
		return r->errors && !cur ? S_WARN : st;
	case M_RATE:
		sbuf_printf(b, "%.2f", r->requests ? 100.0 * (double)r->errors / (double)r->requests : 0);
		break;
	case M_ALERTS:
		sbuf_printf(b, "%lld", (long long)r->alerts);
		return r->alerts && !cur ? S_WARN : st;
	case M_SERVERS: sbuf_printf(b, "%lld", (long long)r->servers); break;
	case M_LAST: {
		char last[64];
		ts_format(r->last_us, last, sizeof last);
		tui_short_time(last, buf, sizeof buf);
		sbuf_puts(b, buf);
		return cur ? st : S_INFO;
	}
	}
	return st;
}

static const char *ml_empty(struct listview *lv, struct sbuf *b)
{
	return "No requests logged yet.\n"
	       "Start a server on the Serve screen (4) and send it requests, or log a\n"
	       "dataset's rows as requests: monitor ingest MODEL --data NAME";
}

static const struct listview_ops ml_ops = {
	.load = ml_load,
	.free_rows = ml_clear,
	.key = ml_key,
	.match = ml_matches,
	.cell = ml_cell,
	.empty = ml_empty,
	.period = MONITOR_REFRESH_S,
};

static void ml_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	size_t k = ((struct listview *)v)->n;
	snprintf(buf, n, "%zu model%s with requests", k, k == 1 ? "" : "s");
}

static const char *ml_current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t,
			      "no requests logged yet: serve a model (4) or monitor ingest MODEL "
			      "--data NAME",
			      &i))
		return NULL;
	return ((struct monlist *)v)->rows[i].model;
}

static void k_ml_open(struct tui *t, struct view *v, int key)
{
	const char *model = ml_current(t, v);
	if (model)
		tui_push(t, monitor_dashboard_new(t, model));
}

static void k_ml_diagnose(struct tui *t, struct view *v, int key)
{
	const char *model = ml_current(t, v);
	if (model) {
		char *m = xstrdup(model);
		dash_diagnose(t, m, dash_window(t, m));
		free(m);
	}
}

static const struct key_binding ml_b[] = {
	{{K_ENTER}, "the model's dashboard (runs monitor MODEL)", "dashboard", k_ml_open},
	{{'d'}, "the likely causes (monitor diagnose MODEL)", "diagnose", k_ml_diagnose},
	{{'A'}, "the alerts of every model", "alerts", alertlist_key},
	{{0}},
};
static const struct key_table ml_keys = {"Monitored models", ml_b};

const struct view_class monlist_class = {
	.name = "monitored",
	.about = "Monitored models: the models with requests in the request log, their errors, "
		 "open alerts and running servers.",
	.keys = {&ml_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = ml_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *monitor_screen_open(struct tui *t)
{
	struct monlist *m = xcalloc(1, sizeof *m);
	listview_init(&m->lv, &monlist_class, "Monitored models", &ml_ops, mon_cols, M_NCOLS);
	return &m->lv.v;
}

/* The status line: open alerts, whatever the tab. */
void monitor_status(struct tui *t, char *buf, size_t n)
{
	struct workspace *ws;
	struct pm_err err = {0};
	int64_t k;
	if (session_ws(t->s, &ws, &err) < 0 || monitor_alert_count_open(ws, &k, &err) < 0)
		return;
	if (k)
		snprintf(buf, n, "%lld open alert%s", (long long)k, k == 1 ? "" : "s");
}
