/* Alerts of the Monitor screen: the rows the dashboard shows under its
 * panels (a model's open alerts) and the view of every alert of the
 * workspace; acknowledging one runs `alerts ack ID`. */
#include "internal.h"

#include "monitor/monitor.h"

#include <stdlib.h>
#include <string.h>

enum { A_ID, A_TIME, A_MODEL, A_KIND, A_FEATURE, A_VALUE, A_THRESHOLD, A_STATUS, A_NCOLS };
static const struct tui_col alert_cols[A_NCOLS] = {
	[A_ID] = {"id", 3, true},
	[A_TIME] = {"opened", 16},
	[A_MODEL] = {"model", 10},
	[A_KIND] = {"kind", 10},
	[A_FEATURE] = {"feature", 12, .flex = true},
	[A_VALUE] = {"value", 7, true},
	[A_THRESHOLD] = {"threshold", 9, true},
	[A_STATUS] = {"status", 6, false, 1},
};

/* The alerts of one model (NULL: all); open ones only unless all. */
int alerts_read(struct workspace *ws, const char *model, bool all, json_t **out,
		struct pm_err *err)
{
	json_t *list;
	if (monitor_alert_list(ws, all, &list, err) < 0)
		return -1;
	json_t *keep = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a)
	{
		if (!model || !strcmp(tui_jstr(a, "model"), model))
			json_array_append(keep, a);
	}
	json_decref(list);
	*out = keep;
	return 0;
}

/* Lays out (and draws the header of) the alert columns; the dashboard's
 * alerts are all of its model and all open. */
void alerts_header(struct tui *t, bool with_model, int y, int x, int w, int *cx, int *cw)
{
	struct tui_col c[A_NCOLS];
	int map[A_NCOLS], n = 0;
	for (int i = 0; i < A_NCOLS; i++) {
		cx[i] = -1;
		cw[i] = 0;
		if (!with_model && (i == A_MODEL || i == A_STATUS))
			continue;
		map[n] = i;
		c[n++] = alert_cols[i];
	}
	int x2[A_NCOLS], w2[A_NCOLS];
	tui_cols_layout(c, n, x, w, x2, w2);
	for (int k = 0; k < n; k++) {
		cx[map[k]] = x2[k];
		cw[map[k]] = w2[k];
	}
	tui_cols_header(t, c, n, x2, w2, y);
}

/* Alert a's column c: its text into b and its style (st: the row's). */
static enum style alert_cell(json_t *a, int c, bool cur, int width, enum style st,
			     struct sbuf *b)
{
	bool open = !strcmp(tui_jstr(a, "status"), "open");
	char buf[64];
	enum style cs = st;
	buf[0] = 0;
	switch (c) {
	case A_ID:
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(a, "id")));
		cs = cur ? S_CELL_CUR : st;
		break;
	case A_TIME:
		tui_short_time(tui_jstr(a, "time"), buf, sizeof buf);
		cs = cur ? st : S_INFO;
		break;
	case A_MODEL: snprintf(buf, sizeof buf, "%s", tui_jstr(a, "model")); break;
	case A_KIND:
		snprintf(buf, sizeof buf, "%s", tui_jstr(a, "kind"));
		cs = cur ? S_WARN_CUR : open ? S_WARN : S_INFO;
		break;
	case A_FEATURE:
		snprintf(buf, sizeof buf, "%s",
			 json_is_string(json_object_get(a, "feature")) ? tui_jstr(a, "feature") : "-");
		break;
	case A_VALUE: feat_dist_text(json_object_get(a, "value"), width, buf, sizeof buf); break;
	case A_THRESHOLD: tui_json_num(json_object_get(a, "threshold"), width, buf, sizeof buf); break;
	case A_STATUS:
		snprintf(buf, sizeof buf, "%s", tui_jstr(a, "status"));
		cs = cur || open ? st : S_INFO;
		break;
	}
	sbuf_puts(b, buf);
	return cs;
}

/* A row of the dashboard's alerts. */
void alert_row(struct tui *t, json_t *a, int y, int x, int w, const int *cx, const int *cw,
	       bool cur)
{
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	if (cur)
		tui_fill(t, y, x, w, st);
	for (int c = 0; c < A_NCOLS; c++) {
		if (cx[c] < 0)
			continue;
		struct sbuf b = {0};
		enum style cs = alert_cell(a, c, cur, cw[c], st, &b);
		tui_cell(t, y, cx[c], cw[c], cs, b.s ? b.s : "", alert_cols[c].right);
		sbuf_free(&b);
	}
}

void alert_ack(struct tui *t, json_t *a)
{
	if (strcmp(tui_jstr(a, "status"), "open") != 0) {
		tui_error(t, "alert %lld is %s already",
			  (long long)json_integer_value(json_object_get(a, "id")), tui_jstr(a, "status"));
		return;
	}
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(a, "id")));
	char *what = json_is_string(json_object_get(a, "feature"))
			     ? xasprintf("%s of %s", tui_jstr(a, "kind"), tui_jstr(a, "feature"))
			     : xstrdup(tui_jstr(a, "kind"));
	char *model = xstrdup(tui_jstr(a, "model"));
	char *words[] = {"alerts", "ack", id, NULL};
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, NULL, &err) < 0)
		tui_error(t, "%s", err.msg);
	else
		tui_msg(t, "alert %s acknowledged: %s, %s", id, model, what);
	free(what);
	free(model);
}

/* ---- every alert ---------------------------------------------------------------------- */
struct alertlist {
	struct listview lv;
	json_t *rows;
	bool all;           /* acknowledged ones too (alerts --all) */
};

static void al_clear(struct listview *lv)
{
	struct alertlist *l = (struct alertlist *)lv;
	json_decref(l->rows);
	l->rows = NULL;
}

static int al_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		   struct pm_err *err)
{
	struct alertlist *l = (struct alertlist *)lv;
	if (alerts_read(ws, NULL, l->all, &l->rows, err) < 0)
		return -1;
	*n = json_array_size(l->rows);
	return 0;
}

static char *al_key(struct listview *lv, size_t i)
{
	json_t *a = json_array_get(((struct alertlist *)lv)->rows, i);
	return xasprintf("%lld", (long long)json_integer_value(json_object_get(a, "id")));
}

static bool al_match(struct listview *lv, size_t i, const char *pat)
{
	static const char *const keys[] = {"model", "kind", "feature", "status", NULL};
	json_t *a = json_array_get(((struct alertlist *)lv)->rows, i);
	for (const char *const *k = keys; *k; k++)
		if (tui_strcasestr(tui_jstr(a, *k), pat))
			return true;
	return false;
}

static enum style al_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			  enum style st, struct sbuf *b)
{
	return alert_cell(json_array_get(((struct alertlist *)lv)->rows, i), c, cur, width, st, b);
}

static const char *al_empty(struct listview *lv, struct sbuf *b)
{
	sbuf_printf(b, "%s\nmonitor MODEL opens one when a feature's skew or drift passes its "
		    "threshold.", ((struct alertlist *)lv)->all ? "No alerts yet." : "No open alerts.");
	return b->s;
}

static const struct listview_ops al_ops = {
	.load = al_load,
	.free_rows = al_clear,
	.key = al_key,
	.match = al_match,
	.cell = al_cell,
	.empty = al_empty,
	.period = MONITOR_REFRESH_S,
};

static void al_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct alertlist *l = (struct alertlist *)v;
	size_t k = json_array_size(l->rows), open = 0, i;
	json_t *a;
	json_array_foreach(l->rows, i, a) open += !strcmp(tui_jstr(a, "status"), "open");
	if (l->all)
		snprintf(buf, n, "%zu alert%s, %zu open", k, k == 1 ? "" : "s", open);
	else
		snprintf(buf, n, "%zu open alert%s", k, k == 1 ? "" : "s");
}

static json_t *al_current(struct tui *t, struct view *v)
{
	struct alertlist *l = (struct alertlist *)v;
	size_t i;
	if (!listview_current(&l->lv, t, l->all ? "no alerts" : "no open alerts", &i))
		return NULL;
	return json_array_get(l->rows, i);
}

static void k_al_ack(struct tui *t, struct view *v, int key)
{
	json_t *a = al_current(t, v);
	if (a)
		alert_ack(t, a);
}

static void k_al_all(struct tui *t, struct view *v, int key)
{
	struct alertlist *l = (struct alertlist *)v;
	l->all = !l->all;
	listview_sync(&l->lv, t, true);
	tui_msg(t, l->all ? "every alert, acknowledged ones too" : "open alerts");
}

static void k_al_open(struct tui *t, struct view *v, int key)
{
	json_t *a = al_current(t, v);
	if (!a)
		return;
	char *model = xstrdup(tui_jstr(a, "model"));
	tui_push(t, monitor_dashboard_new(t, model));
	free(model);
}

static const struct key_binding al_b[] = {
	{{K_ENTER}, "the dashboard of the alert's model", "dashboard", k_al_open},
	{{'a'}, "acknowledge the selected alert (alerts ack ID)", "ack", k_al_ack},
	{{'t'}, "also list acknowledged alerts (alerts --all)", "all", k_al_all},
	{{0}},
};
static const struct key_table al_keys = {"Alerts", al_b};

const struct view_class alertlist_class = {
	.name = "alerts",
	.about = "Alerts: skew and drift over their thresholds, one open alert per model, kind "
		 "and feature until acknowledged; monitor MODEL opens them.",
	.keys = {&al_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = al_info,
	.search = listview_search,
	.click = listview_click,
};

struct view *alertlist_new(void)
{
	struct alertlist *l = xcalloc(1, sizeof *l);
	listview_init(&l->lv, &alertlist_class, "alerts", &al_ops, alert_cols, A_NCOLS);
	return &l->lv.v;
}


void alertlist_key(struct tui *t, struct view *v, int key)
{
	tui_push(t, alertlist_new());
}
