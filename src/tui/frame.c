/* The frame of the workbench: the tab bar, the title line, the status line
 * and the key-hint bar around the top view of the current screen; the view
 * stacks; key dispatch (prompt, then the view's tables, then the global
 * table); and the terminal loop. */
#include "internal.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_W 80
#define MIN_H 24

/* Screens in tab order.  A screen without `open` has no engine yet: its tab
 * is hidden until it plugs in here. */
static const struct screen_class screens[TUI_NSCREENS] = {
	{"Data", '1', "Data: datasets, sheets and overviews", data_screen_open},
	{"Train", '2', "Train: new runs, live jobs", train_screen_open, train_status},
	{"Models", '3', "Models: the registry", models_screen_open},
	{"Serve", '4', "Serve: running servers", serve_screen_open, serve_status},
	{"Monitor", '5', "Monitor: traffic, skew and drift", monitor_screen_open, monitor_status},
	{"Pipelines", '6', "Pipelines: the pipelines, their runs and each run's DAG", pipelines_screen_open},
	{"Design", '7', "Design: architectures, their choices and estimates", design_screen_open},
};

const struct screen_class *tui_screen(int i)
{
	return &screens[i];
}

void view_init(struct view *v, const struct view_class *cls, const char *title)
{
	v->cls = cls;
	v->title = xstrdup(title);
}

static void view_free(struct view *v)
{
	if (v->cls->free)
		v->cls->free(v);
	free(v->title);
	free(v);
}

struct view *tui_top(struct tui *t)
{
	return t->top[t->tab];
}

void tui_push(struct tui *t, struct view *v)
{
	struct view *old = t->top[t->tab];
	if (old && old->cls->leave)
		old->cls->leave(old, t);
	v->below = old;
	t->top[t->tab] = v;
	if (v->cls->enter)
		v->cls->enter(v, t);
}

void tui_pop(struct tui *t)
{
	struct view *v = t->top[t->tab];
	if (!v)
		return;
	if (v->cls->leave)
		v->cls->leave(v, t);
	t->top[t->tab] = v->below;
	view_free(v);
	struct view *b = t->top[t->tab];
	if (b && b->cls->enter)
		b->cls->enter(b, t);
}

void tui_replace(struct tui *t, struct view *v)
{
	struct view *old = t->top[t->tab];
	if (old) {
		if (old->cls->leave)
			old->cls->leave(old, t);
		t->top[t->tab] = old->below;
		view_free(old);
	}
	v->below = t->top[t->tab];
	t->top[t->tab] = v;
	if (v->cls->enter)
		v->cls->enter(v, t);
}

static void set_msg(struct tui *t, bool error, const char *fmt, va_list ap)
{
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	for (char *p = t->msg; *p; p++)
		if ((unsigned char)*p < 32)
			*p = ' ';
	t->msg_error = error;
}

void tui_msg(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_msg(t, false, fmt, ap);
	va_end(ap);
}

void tui_error(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_msg(t, true, fmt, ap);
	va_end(ap);
}

int tui_content_rows(const struct tui *t)
{
	return t->h - 4;
}

static void open_tab(struct tui *t, int i)
{
	/* the screen already shown: its key goes back to its first view */
	if (t->tab == i && t->top[i]) {
		while (t->top[i]->below)
			tui_pop(t);
		return;
	}
	t->tab = i;
	if (!t->top[i])
		tui_push(t, screens[i].open(t));
	else if (t->top[i]->cls->enter)
		t->top[i]->cls->enter(t->top[i], t);
}

void tui_open_tab(struct tui *t, int i)
{
	open_tab(t, i);
}

void tui_init(struct tui *t, struct session *s, bool dump)
{
	memset(t, 0, sizeof *t);
	t->s = s;
	t->dump = dump;
	const char *ascii = getenv("PRODML_ASCII");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 && !(ascii && *ascii && strcmp(ascii, "0"));
	tui_styles_init(t);
	int h, w;
	getmaxyx(stdscr, h, w);
	tui_resize(t, w, h);
	tui_progress_install(t);
	open_tab(t, 0);
}

void tui_fini(struct tui *t)
{
	for (int i = 0; i < TUI_NSCREENS; i++) {
		t->tab = i;
		while (t->top[i]) {
			struct view *v = t->top[i];
			t->top[i] = v->below;
			view_free(v);
		}
	}
	prompt_close(t);
	free(t->prompt.buf);
	for (int i = 0; i < P_NKINDS; i++)
		history_free(&t->hist[i]);
	free(t->last_search);
	settings_free(&t->windows);
	free(t->stylemap);
	tui_progress_remove(t);
}

void tui_resize(struct tui *t, int w, int h)
{
	t->w = w > 0 ? w : 1;
	t->h = h > 0 ? h : 1;
	free(t->stylemap);
	t->stylemap = xcalloc((size_t)t->w * (size_t)t->h, 1);
}

/* ---- drawing the frame -------------------------------------------------------------- */
static void draw_tabs(struct tui *t)
{
	tui_fill(t, 0, 0, t->w, S_TABBAR);
	int x = tui_put(t, 0, 0, t->w, S_BRAND, " prodml ");
	/* a column between tabs where they all fit so; none on a narrow screen */
	int need = x;
	for (int i = 0; i < TUI_NSCREENS; i++)
		if (screens[i].open)
			need += 1 + 3 + utf8_width(screens[i].name) + 1;
	int gap = need <= t->w ? 1 : 0;
	x += gap;
	for (int i = 0; i < TUI_NSCREENS; i++) {
		t->tabx[i][0] = t->tabx[i][1] = -1;
		if (!screens[i].open)
			continue;
		char lab[64];
		snprintf(lab, sizeof lab, " %c %s ", screens[i].key, screens[i].name);
		t->tabx[i][0] = x;
		x += tui_put(t, 0, x, t->w - x, i == t->tab ? S_TAB_ACTIVE : S_TAB, lab);
		t->tabx[i][1] = x;
		x += gap;
	}
}

static void draw_title(struct tui *t, struct view *top)
{
	tui_fill(t, 1, 0, t->w, S_NORMAL);
	char info[256] = "";
	if (top && top->cls->info)
		top->cls->info(top, t, info, sizeof info);
	int iw = utf8_width(info);
	/* the breadcrumb from the root of the stack to the top */
	struct view *chain[64];
	int n = 0;
	for (struct view *v = top; v && n < 64; v = v->below)
		chain[n++] = v;
	struct sbuf b = {0};
	for (int i = n - 1; i >= 0; i--) {
		sbuf_puts(&b, chain[i]->title);
		if (i)
			sbuf_puts(&b, t->g->crumb);
	}
	int room = t->w - 2 - (iw ? iw + 2 : 0);
	tui_cell(t, 1, 1, room, S_TITLE, b.s ? b.s : "", false);
	sbuf_free(&b);
	if (iw)
		tui_put(t, 1, t->w - 1 - iw, iw, S_INFO, info);
}

static void draw_status(struct tui *t)
{
	int y = t->h - 2;
	tui_fill(t, y, 0, t->w, S_STATUS);
	char *ws = xasprintf(" %s ", t->s->ws_dir);
	int x = tui_put(t, y, 0, t->w / 3, S_STATUS_WS, ws);
	free(ws);
	x++;
	/* the engines' state on the right: jobs, servers, alerts, as many as
	 * fit in half the line */
	struct sbuf right = {0};
	for (int i = 0; i < TUI_NSCREENS; i++) {
		char buf[128] = "";
		if (screens[i].status)
			screens[i].status(t, buf, sizeof buf);
		if (buf[0] && (right.len ? utf8_width(right.s) + 2 : 0) + utf8_width(buf) + 1 <= t->w / 2)
			sbuf_printf(&right, "%s%s", right.len ? "  " : "", buf);
	}
	int rw = right.len ? utf8_width(right.s) + 1 : 0;
	if (rw)
		tui_put(t, y, t->w - rw, rw - 1, S_STATUS, right.s);
	sbuf_free(&right);
	struct sbuf b = {0};
	if (prompt_completions(t, &b)) {
		tui_cell(t, y, x, t->w - x - 1 - rw, S_COMPLETION, b.s, false);
	} else if (t->msg[0]) {
		if (t->msg_error) {
			char *m = xasprintf(" %s ", t->msg);
			int room = t->w - x - rw;
			int used = utf8_width(m);
			tui_cell(t, y, x, used < room ? used : room, S_MSG_ERROR, m, false);
			free(m);
		} else {
			tui_cell(t, y, x, t->w - x - 1 - rw, S_STATUS, t->msg, false);
		}
	}
	sbuf_free(&b);
}

static int hint_width(struct tui *t, int key, const char *word)
{
	char lab[32];
	key_label(key, t->utf8, lab, sizeof lab);
	return utf8_width(lab) + 2 + utf8_width(word) + 2;
}

/* Draws one hint if it fits before `limit`; returns the next x. */
static int hint(struct tui *t, int x, int limit, int key, const char *word)
{
	if (x + hint_width(t, key, word) > limit)
		return x;
	char lab[32];
	key_label(key, t->utf8, lab, sizeof lab);
	x += tui_putf(t, t->h - 1, x, t->w - x, S_HINT_KEY, " %s ", lab);
	x += tui_putf(t, t->h - 1, x, t->w - x, S_HINT, " %s ", word);
	return x;
}

static bool global_hint_shown(const struct tui *t, const struct key_binding *b, struct view *top)
{
	/* q on the first view would quit: Q says that; ! only with a lab */
	return b->hint && !(b->keys[0] == 'q' && top && !top->below) &&
	       !(b->keys[0] == '!' && !t->s->lab);
}

/* The view's own keys first, but the global ones always keep their room. */
static void draw_hints(struct tui *t, struct view *top)
{
	int y = t->h - 1;
	tui_fill(t, y, 0, t->w, S_HINT);
	int globalw = 0;
	for (const struct key_binding *b = global_keys.b; b->keys[0]; b++)
		if (global_hint_shown(t, b, top))
			globalw += hint_width(t, b->keys[0], b->hint);
	int x = 0;
	bool full = false;
	if (top)
		for (int i = 0; top->cls->keys[i]; i++)
			for (const struct key_binding *b = top->cls->keys[i]->b; b->keys[0]; b++) {
				if (!b->hint || full)
					continue;
				int nx = hint(t, x, t->w - globalw, b->keys[0], b->hint);
				full = nx == x;
				x = nx;
			}
	for (const struct key_binding *b = global_keys.b; b->keys[0]; b++)
		if (global_hint_shown(t, b, top))
			x = hint(t, x, t->w, b->keys[0], b->hint);
}

static bool too_small(const struct tui *t)
{
	return t->w < MIN_W || t->h < MIN_H;
}

void tui_draw(struct tui *t)
{
	if (!t->dump)
		curs_set(0);
	tui_clear(t);
	if (too_small(t)) {
		char *lines[3];
		lines[0] = xasprintf("prodml needs at least %d%s%d", MIN_W, t->g->times, MIN_H);
		lines[1] = xasprintf("this terminal is %d%s%d", t->w, t->g->times, t->h);
		lines[2] = xstrdup("Q quits");
		for (int i = 0; i < 3; i++) {
			int mw = utf8_width(lines[i]);
			tui_put(t, t->h / 2 - 1 + i, mw < t->w ? (t->w - mw) / 2 : 0, t->w,
				i == 0 ? S_WARN : S_HINT, lines[i]);
			free(lines[i]);
		}
		if (!t->dump)
			refresh();
		return;
	}
	struct view *top = tui_top(t);
	draw_tabs(t);
	int pw = labpanel_width(t);
	if (top) {
		top->sc.page = tui_content_rows(t);
		top->cls->draw(top, t, 2, 0, tui_content_rows(t), t->w - pw);
	}
	if (pw)
		labpanel_draw(t, 2, t->w - pw, tui_content_rows(t), pw);
	/* the title's position info depends on what draw laid out */
	draw_title(t, top);
	draw_status(t);
	if (t->prompt.active)
		prompt_draw(t, t->h - 1);
	else
		draw_hints(t, top);
	if (!t->dump)
		refresh();
}

/* ---- keys ----------------------------------------------------------------------------- */
static void search_accept(struct tui *t, struct view *v, const char *pat)
{
	free(t->last_search);
	t->last_search = xstrdup(pat);
	if (v != tui_top(t) || !v->cls->search)
		return;
	if (!v->cls->search(v, t, pat, +1, false))
		tui_error(t, "not found: %s", pat);
}

static void command_accept(struct tui *t, struct view *v, const char *line)
{
	tui_command(t, line);
}

void tui_command_prompt(struct tui *t, struct view *v, const char *init)
{
	prompt_open(t, P_COMMAND, ":", init, v, command_accept);
}

static void g_command(struct tui *t, struct view *v, int key)
{
	tui_command_prompt(t, v, NULL);
}

static void g_search(struct tui *t, struct view *v, int key)
{
	if (!v || !v->cls->search) {
		tui_error(t, "nothing to search here");
		return;
	}
	prompt_open(t, P_SEARCH, "/", NULL, v, search_accept);
}

static void g_search_next(struct tui *t, struct view *v, int key)
{
	if (!v || !v->cls->search)
		return;
	if (!t->last_search) {
		tui_error(t, "no search yet: / searches");
		return;
	}
	if (!v->cls->search(v, t, t->last_search, key == 'N' ? -1 : +1, true))
		tui_error(t, "not found: %s", t->last_search);
}

static void g_help(struct tui *t, struct view *v, int key)
{
	if (v && strcmp(v->cls->name, "text") == 0 && str_prefix(v->title, "help"))
		return;
	tui_push(t, help_view_new(t, v));
}

static void g_back(struct tui *t, struct view *v, int key)
{
	if (v && v->below)
		tui_pop(t);
	else if (key == 'q')
		t->quit = true;
}

static void g_quit(struct tui *t, struct view *v, int key)
{
	t->quit = true;
}

static void g_redraw(struct tui *t, struct view *v, int key)
{
	if (!t->dump)
		clearok(curscr, TRUE);
}

static void g_tab(struct tui *t, struct view *v, int key)
{
	int i = key - '1';
	if (i < 0 || i >= TUI_NSCREENS)
		return;
	if (!screens[i].open) {
		tui_error(t, "the %s screen is not there yet", screens[i].name);
		return;
	}
	open_tab(t, i);
}

/* The step's suggested command, run as `lab next` so that the log replays it. */
static void g_lab_step(struct tui *t, struct view *v, int key)
{
	if (!t->s->lab) {
		tui_error(t, "no lab started: :lab start NAME (:lab list lists them)");
		return;
	}
	tui_command(t, "lab next");
}

static const struct key_binding global_b[] = {
	{{':'}, "run a command (Tab completes, Up recalls earlier ones)", "command", g_command},
	{{'!'}, "run the started lab's suggested command (lab next)", "lab step", g_lab_step},
	{{'/'}, "search", NULL, g_search},
	{{'n', 'N'}, "next / previous match", NULL, g_search_next},
	{{'?', K_FN + KEY_F(1)}, "help for this screen", "help", g_help},
	{{'q', K_ESC}, "back (q on the first view quits)", "back", g_back},
	{{'Q'}, "quit", "quit", g_quit},
	/* the screens are listed in the help from the screen table */
	{{'1', '2', '3', '4'}, NULL, NULL, g_tab},
	{{'5', '6', '7'}, NULL, NULL, g_tab},
	{{K_CTRL('l')}, "redraw the screen", NULL, g_redraw},
	{{0}},
};
const struct key_table global_keys = {"Everywhere", global_b};

static void click(struct tui *t, struct view *v)
{
	if (t->my == 0) {
		for (int i = 0; i < TUI_NSCREENS; i++)
			if (t->tabx[i][0] >= 0 && t->mx >= t->tabx[i][0] && t->mx < t->tabx[i][1])
				open_tab(t, i);
		return;
	}
	if (v && v->cls->click && t->my >= 2 && t->my < 2 + tui_content_rows(t))
		v->cls->click(v, t, t->my - 2, t->mx);
}

void tui_key(struct tui *t, int key)
{
	if (t->prompt.active) {
		if (key == K_CLICK || key == K_WHEEL_UP || key == K_WHEEL_DOWN)
			return;
		prompt_key(t, key);
		return;
	}
	t->msg[0] = 0;
	t->msg_error = false;
	if (too_small(t)) {
		if (key == 'Q' || key == 'q')
			t->quit = true;
		return;
	}
	struct view *v = tui_top(t);
	if (key == K_CLICK) {
		click(t, v);
		return;
	}
	if (key == K_WHEEL_UP || key == K_WHEEL_DOWN) {
		const struct key_binding *b = key_find(&nav_keys, key == K_WHEEL_UP ? 'k' : 'j');
		if (v)
			for (int i = 0; i < 3; i++)
				b->fn(t, v, key);
		return;
	}
	if (v && v->cls->key && v->cls->key(v, t, key))
		return;
	if (v)
		for (int i = 0; v->cls->keys[i]; i++) {
			const struct key_binding *b = key_find(v->cls->keys[i], key);
			if (b) {
				b->fn(t, v, key);
				return;
			}
		}
	const struct key_binding *b = key_find(&global_keys, key);
	if (b) {
		b->fn(t, v, key);
		return;
	}
	char lab[32];
	key_label(key, t->utf8, lab, sizeof lab);
	tui_error(t, "%s: no such key here (? lists the keys)", lab);
}

/* ---- the terminal --------------------------------------------------------------------- */
static int read_key(struct tui *t)
{
	wint_t wc;
	int r = get_wch(&wc);
	if (r == ERR)
		return 0;
	int key = r == KEY_CODE_YES ? K_FN + (int)wc : (int)wc;
	key = key_normalize(key);
	if (key == K_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			return 0;
		t->mx = ev.x;
		t->my = ev.y;
		if (ev.bstate & BUTTON4_PRESSED)
			return K_WHEEL_UP;
#ifdef BUTTON5_PRESSED
		if (ev.bstate & BUTTON5_PRESSED)
			return K_WHEEL_DOWN;
#endif
		if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED))
			return K_CLICK;
		return 0;
	}
	return key;
}

int tui_run(struct session *s, struct pm_err *err)
{
	const char *term = getenv("TERM");
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return pm_errf(err, "the terminal (TERM=%s) cannot show the workbench",
			       term ? term : "");
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return pm_errf(err, "cannot start the workbench on TERM=%s", term);
	set_term(scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
			  | BUTTON5_PRESSED
#endif
		  ,
		  NULL);
	mouseinterval(0);
	/* wake up twice a second: running jobs (the live run view) and servers
	 * refresh themselves without a key */
	timeout(500);

	struct tui *t = xcalloc(1, sizeof *t);
	tui_init(t, s, false);
	while (!t->quit && !s->quit) {
		tui_draw(t);
		int key = read_key(t);
		if (key == 0) {
			if (s->cancel && *s->cancel) {
				*s->cancel = 0;
				tui_msg(t, "nothing to cancel (Q quits)");
			}
			continue;
		}
		if (key == K_RESIZE) {
			int h, w;
			getmaxyx(stdscr, h, w);
			tui_resize(t, w, h);
			continue;
		}
		tui_key(t, key);
	}
	tui_fini(t);
	free(t);
	endwin();
	delscreen(scr);
	return 0;
}
