/* The Serve screen: the prediction servers of the workspace as `servers`
 * lists them (model, version, port, req/s, p50/p99 latency, requests,
 * errors, lookup table) with the selected server's detail below.  Servers
 * write their statistics to the workspace once a second; the list rereads
 * them at most once a second while it is shown (the terminal loop wakes
 * twice a second), so the numbers move without a key and nothing waits on
 * a server.  Starting (`serve M@production --detach --port N`, edited on the
 * command line) and stopping (`serve stop ID`) run as commands, so they are
 * in the session history. */
#include "internal.h"

#include "registry/registry.h"
#include "serve/serve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REFRESH_S 1.0   /* servers update their row once a second */
#define LOG_LINES 500   /* the end of a server's log shown by `l` */

/* A number of a JSON result rounded to `step` (0.01 ms, 0.1 req/s) and cut
 * to width, or "-" when it is absent. */
static void num_cell(json_t *v, double scale, double step, int width, char *buf, size_t n)
{
	if (!json_is_number(v) || !isfinite(json_number_value(v))) {
		snprintf(buf, n, "-");
		return;
	}
	double x = json_number_value(v) * scale;
	tui_fmt_num(round(x / step) * step, width, buf, n);
}

static long long int_of(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* "1" for one route, "3=90,4=10" for a split, as `servers` writes them. */
static void versions_text(json_t *srv, char *buf, size_t n)
{
	json_t *vs = json_object_get(srv, "versions");
	if (json_array_size(vs) > 1) {
		struct sbuf b = {0};
		size_t k;
		json_t *x;
		json_array_foreach(vs, k, x)
		{
			sbuf_printf(&b, "%s%lld", k ? "," : "", int_of(x, "version"));
			if (json_object_get(x, "weight"))
				sbuf_printf(&b, "=%lld", int_of(x, "weight"));
		}
		snprintf(buf, n, "%s", b.s);
		sbuf_free(&b);
	} else if (json_is_integer(json_object_get(srv, "version"))) {
		snprintf(buf, n, "%lld", int_of(srv, "version"));
	} else {
		snprintf(buf, n, "-");
	}
}

static bool is_live(const char *status)
{
	return !strcmp(status, "running") || !strcmp(status, "starting");
}

/* ---- the list of servers ---------------------------------------------------------- */
struct srvlist {
	struct listview lv;
	json_t *rows;       /* the servers shown, as `servers` gives them */
	bool all;           /* stopped and failed ones too (servers --all) */
	int64_t stopping;   /* the server `s` asks about */
};

/* The live ones and those that died unnoticed, as `servers` without --all. */
static json_t *filter_rows(json_t *list, bool all)
{
	json_t *keep = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		const char *st = tui_jstr(v, "status");
		if (all || is_live(st) || !strcmp(st, "dead"))
			json_array_append(keep, v);
	}
	return keep;
}

static void srv_clear(struct listview *lv)
{
	struct srvlist *l = (struct srvlist *)lv;
	json_decref(l->rows);
	l->rows = NULL;
}

static int srv_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		    struct pm_err *err)
{
	struct srvlist *l = (struct srvlist *)lv;
	json_t *list;
	if (servers_list(ws, &list, err) < 0)
		return -1;
	l->rows = filter_rows(list, l->all);
	json_decref(list);
	*n = json_array_size(l->rows);
	return 0;
}

static char *srv_key(struct listview *lv, size_t i)
{
	return xasprintf("%lld", int_of(json_array_get(((struct srvlist *)lv)->rows, i), "id"));
}

enum { C_ID, C_STATUS, C_MODEL, C_VER, C_PORT, C_RPS, C_P50, C_P99, C_REQ, C_ERR, C_LOOKUP,
       C_STARTED, NCOLS };
static const struct tui_col cols[NCOLS] = {
	[C_ID] = {"id", 2, true},
	[C_STATUS] = {"status", 7},
	[C_MODEL] = {"model", 12, .flex = true},
	[C_VER] = {"ver", 3, true},
	[C_PORT] = {"port", 5, true},
	[C_RPS] = {"req/s", 5, true},
	[C_P50] = {"p50 ms", 6, true},
	[C_P99] = {"p99 ms", 6, true},
	[C_REQ] = {"reqs", 6, true},
	[C_ERR] = {"errors", 6, true},
	[C_LOOKUP] = {"lookup hits", 14, false, 2},
	[C_STARTED] = {"started", 16, false, 1},
};

static enum style status_style(const char *st)
{
	if (!strcmp(st, "running"))
		return S_SPARK;
	if (!strcmp(st, "dead") || !strcmp(st, "failed"))
		return S_WARN;
	return S_INFO;
}

/* The lookup table's hit rate and size: "97.5% of 120". */
static void lookup_text(json_t *srv, char *buf, size_t n)
{
	json_t *hr = json_object_get(srv, "lookup_hit_rate");
	if (json_is_number(hr))
		snprintf(buf, n, "%.1f%% of %lld", json_number_value(hr) * 100,
			 int_of(srv, "lookup_entries"));
	else if (json_is_string(json_object_get(srv, "lookup")))
		snprintf(buf, n, "0 requests");
	else
		snprintf(buf, n, "-");
}

static enum style srv_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			   enum style st, struct sbuf *b)
{
	json_t *srv = json_array_get(((struct srvlist *)lv)->rows, i);
	char buf[64];
	const char *status = tui_jstr(srv, "status");
	enum style cs = st;
	switch (c) {
	case C_ID:
		snprintf(buf, sizeof buf, "%lld", int_of(srv, "id"));
		cs = cur ? S_CELL_CUR : st;
		break;
	case C_STATUS:
		snprintf(buf, sizeof buf, "%s", status);
		cs = cur ? st : status_style(status);
		break;
	case C_MODEL: snprintf(buf, sizeof buf, "%s", tui_jstr(srv, "ref")); break;
	case C_VER: versions_text(srv, buf, sizeof buf); break;
	case C_PORT: snprintf(buf, sizeof buf, "%lld", int_of(srv, "port")); break;
	case C_RPS:
		/* a live server that has not reported yet serves nothing */
		if (is_live(status) && !json_is_number(json_object_get(srv, "rps")))
			snprintf(buf, sizeof buf, "0");
		else if (is_live(status))
			num_cell(json_object_get(srv, "rps"), 1, 0.1, width, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "-");
		break;
	case C_P50:
	case C_P99:
		/* no latency without a request */
		if (int_of(srv, "requests") == 0)
			snprintf(buf, sizeof buf, "-");
		else
			num_cell(json_object_get(srv, c == C_P50 ? "p50_us" : "p99_us"), 1e-3, 0.01,
				 width, buf, sizeof buf);
		break;
	case C_REQ: snprintf(buf, sizeof buf, "%lld", int_of(srv, "requests")); break;
	case C_ERR:
		snprintf(buf, sizeof buf, "%lld", int_of(srv, "errors"));
		if (!cur && int_of(srv, "errors") > 0)
			cs = S_WARN;
		break;
	case C_LOOKUP: lookup_text(srv, buf, sizeof buf); break;
	case C_STARTED:
		tui_short_time(tui_jstr(srv, "started"), buf, sizeof buf);
		cs = cur ? st : S_INFO;
		break;
	}
	sbuf_puts(b, buf);
	return cs;
}

/* The selected server in full: where it listens, what it serves, its log. */
static void draw_detail(struct tui *t, json_t *srv, int y, int x, int h, int w)
{
	char a[64], b[64], c[64];
	int yy = y;
	tui_putf(t, yy++, x + 1, w - 2, S_SECTION, "server %lld  %s", int_of(srv, "id"),
		 tui_jstr(srv, "ref"));
	tui_putf(t, yy++, x + 1, w - 2, S_NORMAL, "url %s  pid %lld  started by %s", tui_jstr(srv, "url"),
		 int_of(srv, "pid"), tui_jstr(srv, "user"));
	tui_short_time(tui_jstr(srv, "started"), a, sizeof a);
	tui_short_time(tui_jstr(srv, "stopped"), b, sizeof b);
	if (yy < y + h)
		tui_putf(t, yy++, x + 1, w - 2, S_NORMAL, "started %s%s%s  %lld rows predicted", a,
			 b[0] ? "  stopped " : "", b, int_of(srv, "rows"));
	versions_text(srv, a, sizeof a);
	lookup_text(srv, c, sizeof c);
	const char *split = tui_jstr(srv, "split");
	const char *lk = tui_jstr(srv, "lookup");
	if (yy < y + h) {
		char lkb[160] = "none";
		if (*lk)
			snprintf(lkb, sizeof lkb, "on %s, %lld entries, %s hits", lk,
				 int_of(srv, "lookup_entries"), c);
		tui_putf(t, yy++, x + 1, w - 2, S_NORMAL, "version %s%s%s  lookup table %s", a,
			 *split ? "  split " : "", split, lkb);
	}
	const char *log = tui_jstr(srv, "log");
	if (*log && yy < y + h)
		tui_putf(t, yy++, x + 1, w - 2, S_INFO, "log %s", log);
	const char *msg = tui_jstr(srv, "message");
	if (*msg && yy < y + h)
		tui_put(t, yy++, x + 1, w - 2, S_WARN, msg);
}

static const char *srv_empty(struct listview *lv, struct sbuf *b)
{
	if (((struct srvlist *)lv)->all)
		return "No servers yet.\nn starts one: serve MODEL@production --detach --port N";
	return "No servers running.\n"
	       "n starts one: serve MODEL@production --detach --port N\n"
	       "a also lists the servers that stopped or failed.";
}

/* The detail takes the lines under the list when there are enough. */
#define DETAIL 6
static int srv_rows(struct listview *lv, int room)
{
	if (room - (int)lv->n >= DETAIL + 1)
		return (int)lv->n;
	return room > DETAIL + 3 ? room - (DETAIL + 1) : room;
}

static void srv_foot(struct listview *lv, struct tui *t, int y, int x, int h, int w)
{
	for (int i = 0; i < w - 2; i++)
		tui_put(t, y, x + 1 + i, 1, S_RULE, t->g->hline);
	draw_detail(t, json_array_get(((struct srvlist *)lv)->rows, lv->v.sc.cur), y + 1, x, h - 1,
		    w);
}

static const struct listview_ops srv_ops = {
	.load = srv_load,
	.free_rows = srv_clear,
	.key = srv_key,
	.cell = srv_cell,
	.empty = srv_empty,
	.rows = srv_rows,
	.foot = srv_foot,
	.period = REFRESH_S,
};

static void srv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct srvlist *l = (struct srvlist *)v;
	size_t total = json_array_size(l->rows), live = 0;
	for (size_t i = 0; i < total; i++)
		live += is_live(tui_jstr(json_array_get(l->rows, i), "status"));
	snprintf(buf, n, "%zu server%s, %zu running%s", total, total == 1 ? "" : "s", live,
		 l->all ? ", all" : "");
}

static json_t *current(struct tui *t, struct view *v)
{
	size_t i;
	if (!listview_current((struct listview *)v, t, "no servers here: n starts one", &i))
		return NULL;
	return json_array_get(((struct srvlist *)v)->rows, i);
}

/* The model to offer: the selected server's, else the first model with a
 * production version, else the first model (its latest version). */
static char *default_ref(struct tui *t, struct view *v, struct pm_err *err)
{
	struct srvlist *l = (struct srvlist *)v;
	if (json_array_size(l->rows))
		return xstrdup(tui_jstr(json_array_get(l->rows, v->sc.cur), "ref"));
	struct workspace *ws;
	char **names = NULL;
	size_t nn = 0;
	if (session_ws(t->s, &ws, err) < 0 || reg_models(ws, &names, &nn, err) < 0)
		return NULL;
	char *ref = NULL;
	for (size_t i = 0; i < nn && !ref; i++) {
		int64_t ver = 0;
		struct pm_err e2 = {0};
		if (reg_alias_get(ws, names[i], "production", &ver, &e2) == 0 && ver > 0)
			ref = xasprintf("%s@production", names[i]);
	}
	if (!ref && nn)
		ref = xstrdup(names[0]);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (!ref)
		pm_errf(err, "no models yet: train one first (the Train screen, 2)");
	return ref;
}

/* 8501 (TensorFlow Serving's port), or the next one no running server of
 * this workspace holds. */
static int free_port(json_t *list)
{
	for (int port = 8501;; port++) {
		bool used = false;
		size_t i;
		json_t *s;
		json_array_foreach(list, i, s)
		{
			if (is_live(tui_jstr(s, "status")) && int_of(s, "port") == port)
				used = true;
		}
		if (!used)
			return port;
	}
}

/* Runs the edited line; a `serve` without --detach gets it, since a server
 * in the foreground would hold the workbench until it stops. */
static void new_accept(struct tui *t, struct view *v, const char *line)
{
	struct srvlist *l = (struct srvlist *)v;
	char ***cmds = NULL;
	struct pm_err err = {0};
	int n = cmdline_parse(line, &cmds, &err);
	if (n < 0) {
		tui_error(t, "%s", err.msg);
		return;
	}
	if (n != 1 || strcmp(cmds[0][0], "serve") != 0 || (cmds[0][1] && !strcmp(cmds[0][1], "stop"))) {
		cmdline_free(cmds);
		tui_command(t, line);
		return;
	}
	size_t nw = 0;
	bool detach = false;
	for (; cmds[0][nw]; nw++)
		detach |= strcmp(cmds[0][nw], "--detach") == 0;
	char **words = xcalloc(nw + 2, sizeof *words);
	memcpy(words, cmds[0], nw * sizeof *words);
	if (!detach)
		words[nw] = "--detach";
	json_t *r;
	if (tui_exec_json(t, words, &r, &err) < 0) {
		tui_error(t, "%s", err.msg);
	} else {
		free(l->lv.want);
		l->lv.want = xasprintf("%lld", int_of(r, "id"));
		tui_msg(t, "server %lld serves %s version %lld at %s", int_of(r, "id"), tui_jstr(r, "ref"),
			int_of(r, "version"), tui_jstr(r, "url"));
		json_decref(r);
		listview_sync(&l->lv, t, true);
	}
	free(words);
	cmdline_free(cmds);
}

static void k_new(struct tui *t, struct view *v, int key)
{
	struct srvlist *l = (struct srvlist *)v;
	struct pm_err err = {0};
	char *ref = default_ref(t, v, &err);
	if (!ref) {
		tui_error(t, "%s", err.msg);
		return;
	}
	/* the ports of every server, not only the listed ones */
	struct workspace *ws;
	json_t *list = NULL;
	if (session_ws(t->s, &ws, &err) < 0 || servers_list(ws, &list, &err) < 0)
		list = json_incref(l->rows);
	char *init = xasprintf("serve %s --detach --port %d", ref, free_port(list));
	json_decref(list);
	prompt_open(t, P_COMMAND, ":", init, v, new_accept);
	free(init);
	free(ref);
}

static void stop_accept(struct tui *t, struct view *v, const char *ans)
{
	char line[64];
	snprintf(line, sizeof line, "serve stop %lld", (long long)((struct srvlist *)v)->stopping);
	tui_command(t, line);
}

static void k_stop(struct tui *t, struct view *v, int key)
{
	json_t *srv = current(t, v);
	if (!srv)
		return;
	if (!is_live(tui_jstr(srv, "status"))) {
		tui_error(t, "server %lld is %s: nothing to stop", int_of(srv, "id"),
			  tui_jstr(srv, "status"));
		return;
	}
	((struct srvlist *)v)->stopping = int_of(srv, "id");
	char *q = xasprintf("stop server %lld (%s on port %lld)? (y/n) ", int_of(srv, "id"),
			    tui_jstr(srv, "ref"), int_of(srv, "port"));
	prompt_open(t, P_CONFIRM, q, NULL, v, stop_accept);
	free(q);
}

static void k_all(struct tui *t, struct view *v, int key)
{
	struct srvlist *l = (struct srvlist *)v;
	l->all = !l->all;
	listview_sync(&l->lv, t, true);
	tui_msg(t, l->all ? "all servers, stopped and failed too" : "running servers");
}

static void k_monitor(struct tui *t, struct view *v, int key)
{
	json_t *srv = current(t, v);
	if (!srv)
		return;
	char *model = xstrdup(tui_jstr(srv, "model"));
	tui_open_tab(t, 4);
	tui_push(t, monitor_dashboard_new(t, model));
	free(model);
}

/* The end of a detached server's output: its start, its errors. */
static void k_log(struct tui *t, struct view *v, int key)
{
	json_t *srv = current(t, v);
	if (!srv)
		return;
	const char *path = tui_jstr(srv, "log");
	if (!*path) {
		tui_error(t, "server %lld ran in the foreground: its output went to its terminal",
			  int_of(srv, "id"));
		return;
	}
	char *data = NULL;
	size_t len = 0;
	struct pm_err err = {0};
	if (fs_read_all(path, &data, &len, &err) < 0) {
		tui_error(t, "%s", err.msg);
		return;
	}
	const char *start = data;
	size_t lines = 0;
	for (size_t i = len; i-- > 0;)
		if (data[i] == '\n' && i + 1 < len && ++lines >= LOG_LINES) {
			start = data + i + 1;
			break;
		}
	if (len) {
		char *title = xasprintf("log of server %lld", int_of(srv, "id"));
		tui_push(t, textview_new(title, start));
		free(title);
	} else {
		tui_msg(t, "%s is empty: the server has reported nothing", path);
	}
	free(data);
}

static const struct key_binding srv_b[] = {
	{{K_ENTER}, "the dashboard of the server's model (the Monitor screen)", "monitor", k_monitor},
	{{'n'}, "start a server: `serve M@production --detach --port N` to edit", "start", k_new},
	{{'s'}, "stop the server (serve stop ID; asks first)", "stop", k_stop},
	{{'a'}, "also list servers that stopped or failed (servers --all)", "all", k_all},
	{{'l'}, "the server's log file", "log", k_log},
	{{0}},
};
static const struct key_table srv_keys = {"Servers", srv_b};

const struct view_class srvlist_class = {
	.name = "servers",
	.about = "Servers: the prediction servers of the workspace, refreshed every second",
	.keys = {&srv_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.enter = listview_enter,
	.free = listview_free,
	.info = srv_info,
	.click = listview_click,
};

struct view *serve_screen_open(struct tui *t)
{
	struct srvlist *l = xcalloc(1, sizeof *l);
	listview_init(&l->lv, &srvlist_class, "Servers", &srv_ops, cols, NCOLS);
	return &l->lv.v;
}

/* The status line: servers running, whatever the tab. */
void serve_status(struct tui *t, char *buf, size_t n)
{
	struct workspace *ws;
	struct pm_err err = {0};
	json_t *list;
	if (session_ws(t->s, &ws, &err) < 0 || servers_list(ws, &list, &err) < 0)
		return;
	size_t k = 0, i;
	json_t *s;
	json_array_foreach(list, i, s) k += is_live(tui_jstr(s, "status"));
	json_decref(list);
	if (k)
		snprintf(buf, n, "%zu server%s running", k, k == 1 ? "" : "s");
}
