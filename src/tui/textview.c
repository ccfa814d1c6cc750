/* Text views: the output of a `:` command, and the help of a screen
 * generated from its key tables. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct textview {
	struct view v;
	char **lines;
	size_t n;
	int left;           /* columns scrolled off to the left */
	int maxw;           /* widest line */
	char *pattern;      /* last search, highlighted */
	size_t match;       /* line of the last match, or (size_t)-1 */
};

static void tv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct textview *tv = (struct textview *)v;
	v->sc.page = h;
	scroller_fix(&v->sc);
	for (int i = 0; i < h; i++) {
		size_t li = v->sc.top + (size_t)i;
		if (li >= tv->n)
			break;
		tui_put_hl(t, y + i, x + 1, w - 1, S_NORMAL, tv->lines[li], tv->left, tv->pattern);
	}
}

static void tv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct textview *tv = (struct textview *)v;
	size_t last = v->sc.top + (size_t)v->sc.page;
	if (last > tv->n)
		last = tv->n;
	if (tv->n <= (size_t)v->sc.page)
		snprintf(buf, n, "%zu lines", tv->n);
	else
		snprintf(buf, n, "lines %zu-%zu of %zu", v->sc.top + 1, last, tv->n);
}

static bool tv_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct textview *tv = (struct textview *)v;
	free(tv->pattern);
	tv->pattern = xstrdup(pat);
	if (tv->n == 0)
		return false;
	size_t start = tv->match != (size_t)-1 && next ? tv->match : v->sc.top;
	for (size_t k = 0; k < tv->n; k++) {
		size_t i;
		if (dir > 0)
			i = (start + k + (next ? 1 : 0)) % tv->n;
		else
			i = (start + tv->n * 2 - k - (next ? 1 : 0)) % tv->n;
		if (tui_strcasestr(tv->lines[i], pat)) {
			tv->match = i;
			/* show the match a few lines below the top, as less does */
			v->sc.top = i > 2 ? i - 2 : 0;
			scroller_fix(&v->sc);
			if (i < v->sc.top)
				v->sc.top = i;
			return true;
		}
	}
	return false;
}

static void tv_free(struct view *v)
{
	struct textview *tv = (struct textview *)v;
	for (size_t i = 0; i < tv->n; i++)
		free(tv->lines[i]);
	free(tv->lines);
	free(tv->pattern);
}

static void k_right(struct tui *t, struct view *v, int key)
{
	struct textview *tv = (struct textview *)v;
	if (tv->left + 8 < tv->maxw)
		tv->left += 8;
}
static void k_left(struct tui *t, struct view *v, int key)
{
	struct textview *tv = (struct textview *)v;
	tv->left = tv->left > 8 ? tv->left - 8 : 0;
}

static const struct key_binding tv_b[] = {
	{{'l', K_RIGHT}, "scroll right", NULL, k_right},
	{{'h', K_LEFT}, "scroll left", NULL, k_left},
	{{0}},
};
static const struct key_table tv_keys = {"Text", tv_b};

const struct view_class textview_class = {
	.name = "text",
	.about = "Text: the output of a command",
	.keys = {&tv_keys, &nav_keys, NULL},
	.draw = tv_draw,
	.free = tv_free,
	.info = tv_info,
	.search = tv_search,
};

struct view *textview_new(const char *title, const char *text)
{
	struct textview *tv = xcalloc(1, sizeof *tv);
	view_init(&tv->v, &textview_class, title);
	tv->v.sc.cursorless = true;
	tv->match = (size_t)-1;
	size_t cap = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		/* tabs to spaces, so that columns line up */
		struct sbuf b = {0};
		int col = 0;
		for (char *c = line; *c; c++) {
			if (*c == '\t') {
				do
					sbuf_putc(&b, ' ');
				while (++col % 8);
			} else {
				sbuf_putc(&b, *c);
				if (((unsigned char)*c & 0xc0) != 0x80)
					col++;
			}
		}
		free(line);
		xgrow((void **)&tv->lines, &cap, tv->n + 1, sizeof *tv->lines);
		tv->lines[tv->n] = sbuf_steal(&b);
		int lw = utf8_width(tv->lines[tv->n]);
		if (lw > tv->maxw)
			tv->maxw = lw;
		tv->n++;
		p += len;
		if (*p == '\n')
			p++;
	}
	tv->v.sc.n = tv->n;
	return &tv->v;
}

/* ---- help ---------------------------------------------------------------------------- */
/* Appends text as lines of at most width columns, broken at spaces. */
/* Appends part of a word at column *col: on this line when it fits (after
 * a blank when it starts a word), else on a new line; a part wider than a
 * line is cut at the width, the one place a word breaks inside. */
static void wrap_part(struct sbuf *b, const char *part, bool word_start, int width, int *col)
{
	int sep = word_start && *col ? 1 : 0;
	int pw = utf8_width(part);
	if (*col && *col + sep + pw > width) {
		sbuf_putc(b, '\n');
		*col = 0;
		sep = 0;
	}
	if (sep) {
		sbuf_putc(b, ' ');
		(*col)++;
	}
	while (pw > width - *col && width > *col) {
		size_t k = utf8_fit(part, width - *col);
		if (!k)
			break;
		sbuf_add(b, part, k);
		sbuf_putc(b, '\n');
		*col = 0;
		part += k;
		pw = utf8_width(part);
	}
	sbuf_puts(b, part);
	*col += pw;
}

void tui_wrap(struct sbuf *b, const char *text, int width)
{
	const char *p = text;
	int col = 0;
	while (*p) {
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		char *word = xstrndup(p, (size_t)(e - p));
		if (utf8_width(word) <= width) {
			wrap_part(b, word, true, width, &col);
		} else {
			/* a word wider than a line (a command's list of features)
			 * breaks after its commas */
			bool first = true;
			for (char *q = word; *q; first = false) {
				char *c = strchr(q, ',');
				char *next = c ? c + 1 : q + strlen(q);
				char save = *next;
				*next = 0;
				wrap_part(b, q, first, width, &col);
				*next = save;
				q = next;
			}
		}
		free(word);
		p = e;
		while (*p == ' ')
			p++;
	}
	sbuf_putc(b, '\n');
}

/* True when key is bound in one of the n tables before: that binding is
 * the one the key runs (tui_key searches the tables in order). */
static bool key_shadowed(const struct key_table *const *before, int n, int key)
{
	for (int i = 0; i < n; i++)
		if (key_find(before[i], key))
			return true;
	return false;
}

/* A table's keys; keys that one of the n tables before binds are left out,
 * so each key is listed once, with what it does here (Space marks a
 * version in Models rather than paging down). */
static void help_table(struct tui *t, struct sbuf *b, const struct key_table *tab,
		       const struct key_table *const *before, int n)
{
	if (n)
		sbuf_putc(b, '\n');
	sbuf_printf(b, "%s\n", tab->title);
	for (const struct key_binding *kb = tab->b; kb->keys[0]; kb++) {
		if (!kb->help)
			continue; /* documented with its neighbour */
		struct sbuf keys = {0};
		for (int i = 0; i < 4 && kb->keys[i]; i++) {
			if (key_shadowed(before, n, kb->keys[i]))
				continue;
			char lab[32];
			key_label(kb->keys[i], t->utf8, lab, sizeof lab);
			sbuf_printf(&keys, "%s%s", keys.len ? " " : "", lab);
		}
		if (!keys.len)
			continue;
		int pad = 16 - utf8_width(keys.s);
		sbuf_printf(b, "  %s%*s%s\n", keys.s, pad > 1 ? pad : 1, "", kb->help);
		sbuf_free(&keys);
	}
}

/* ---- the manual's WORKBENCH section ------------------------------------------ */
/* Every view, in the order of the screens.  A view missing here would be
 * missing from the manual: a new view class goes in this list. */
static const struct view_class *const man_views[] = {
	&dslist_class,  &sheet_class,     &overview_class, &schemaview_class, &picker_class,
	&cmpview_class, &distview_class,  &runlist_class,  &runview_class,    &form_class,
	&pick_one_class, &pick_many_class, &mlist_class,   &srvlist_class,    &monlist_class,
	&dash_class,    &featlist_class,  &alertlist_class, &pllist_class,    &plrunlist_class,
	&dagview_class, &designlist_class, &designview_class, &textview_class,
};

static void man_table(struct sbuf *b, const struct key_table *tab)
{
	for (const struct key_binding *kb = tab->b; kb->keys[0]; kb++) {
		if (!kb->help)
			continue; /* documented with its neighbour */
		/* wide enough for "PgDn, Space, ^F" beside its text */
		sbuf_puts(b, ".TP 18\n.B ");
		for (int i = 0; i < 4 && kb->keys[i]; i++) {
			char lab[32];
			key_label(kb->keys[i], false, lab, sizeof lab);
			if (i)
				sbuf_puts(b, ", ");
			cmd_roff(b, lab);
		}
		sbuf_putc(b, '\n');
		cmd_roff(b, kb->help);
		sbuf_putc(b, '\n');
	}
}

char *tui_man_keys(void)
{
	struct sbuf b = {0};
	sbuf_puts(&b, ".SH WORKBENCH\n");
	cmd_roff(&b, "With standard input and output on a terminal, prodml opens the workbench: a "
		     "tab per screen, each a stack of views (a list, the sheet of a dataset, its "
		     "overview). Every key that changes the workspace runs a command, so `:history` "
		     "and `:save-log FILE` give a script that `prodml -f FILE` replays. The Train "
		     "form starts each run as a background job (`train ... --detach`), so the "
		     "workbench never waits for one; the saved log waits where the session did "
		     "(`job wait ID` before the first command after the job ended, and at its end "
		     "for the jobs still running), so the replay finds the models the session used. "
		     "In the workbench, ? lists the keys of the view on top; they are these.");
	sbuf_puts(&b, "\n.SS Screens\n");
	cmd_roff(&b, "A key or a click on the tab switches screens; the key of the screen shown "
		     "goes back to its first view. A command's result that takes several lines "
		     "opens a view, which the next such result replaces.");
	sbuf_putc(&b, '\n');
	for (int i = 0; i < TUI_NSCREENS; i++) {
		const struct screen_class *sc = tui_screen(i);
		if (!sc->open)
			continue;
		sbuf_printf(&b, ".TP\n.B %c\n", sc->key);
		cmd_roff(&b, sc->about);
		sbuf_putc(&b, '\n');
	}
	const struct key_table *shared[] = {&global_keys, &nav_keys};
	for (size_t i = 0; i < PM_ARRAY_LEN(shared); i++) {
		sbuf_puts(&b, ".SS ");
		cmd_roff(&b, shared[i]->title);
		sbuf_putc(&b, '\n');
		if (shared[i] == &nav_keys)
			sbuf_puts(&b, "In every list and text view, unless the view binds the key itself "
				      "(Space marks a version in Models, picks in a list of choices): "
				      "? shows each key once, with what it does there.\n");
		man_table(&b, shared[i]);
	}
	for (size_t i = 0; i < PM_ARRAY_LEN(man_views); i++) {
		const struct view_class *c = man_views[i];
		bool own = false;
		for (int k = 0; c->keys[k]; k++)
			own |= c->keys[k] != &nav_keys;
		if (!own)
			continue; /* moves only: the keys above */
		/* "Sheet: the rows of a dataset" -> heading "Sheet", then the rest */
		const char *colon = strchr(c->about, ':');
		char *head = xstrndup(c->about, colon ? (size_t)(colon - c->about) : strlen(c->about));
		sbuf_puts(&b, ".SS ");
		cmd_roff(&b, head);
		sbuf_putc(&b, '\n');
		free(head);
		if (colon && colon[1]) {
			char *rest = xstrdup(colon + 1 + strspn(colon + 1, " "));
			rest[0] = (char)toupper((unsigned char)rest[0]);
			cmd_roff(&b, rest);
			sbuf_puts(&b, rest[strlen(rest) - 1] == '.' ? "\n" : ".\n");
			free(rest);
		}
		for (int k = 0; c->keys[k]; k++)
			if (c->keys[k] != &nav_keys)
				man_table(&b, c->keys[k]);
	}
	return sbuf_steal(&b);
}

struct view *help_view_new(struct tui *t, struct view *v)
{
	struct sbuf b = {0};
	int n = 0;
	if (v) {
		tui_wrap(&b, v->cls->about, 76);
		sbuf_putc(&b, '\n');
		for (; v->cls->keys[n]; n++)
			help_table(t, &b, v->cls->keys[n], v->cls->keys, n);
	}
	help_table(t, &b, &global_keys, v ? v->cls->keys : NULL, n);
	/* the tabs that exist */
	sbuf_puts(&b, "\nScreens (a key or a click on the tab; the key of the screen shown goes\n"
		      "back to its first view)\n");
	for (int i = 0; i < TUI_NSCREENS; i++) {
		const struct screen_class *sc = tui_screen(i);
		if (sc->open)
			sbuf_printf(&b, "  %c               %s\n", sc->key, sc->about);
	}
	sbuf_puts(&b, "\nEvery action that changes the workspace runs as a command and is kept\n"
		      "in the session history: `:history` lists it, `:save-log FILE` saves it\n"
		      "as a script that `prodml -f FILE` replays.\n");
	char *title = xasprintf("help: %s", v ? v->cls->name : "prodml");
	struct view *hv = textview_new(title, b.s);
	free(title);
	sbuf_free(&b);
	return hv;
}
