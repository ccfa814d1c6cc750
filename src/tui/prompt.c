/* The prompt on the bottom line: a small line editor (UTF-8, Emacs keys)
 * with history per kind and Tab completion from the command table (`:`)
 * or from column names (filter, jump to column). */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void history_add_line(struct history *h, const char *line)
{
	if (!*line || (h->n && strcmp(h->v[h->n - 1], line) == 0))
		return;
	xgrow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v);
	h->v[h->n++] = xstrdup(line);
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i]);
	free(h->v);
	memset(h, 0, sizeof *h);
}

static void set_text(struct prompt *p, const char *s)
{
	size_t n = strlen(s);
	xgrow((void **)&p->buf, &p->cap, n + 1, 1);
	memcpy(p->buf, s, n + 1);
	p->len = p->pos = n;
	p->sel_start = p->sel_end = 0;
}

/* Where the last word of a command line starts (quotes keep their spaces);
 * len when the line ends in a blank, so a prompt that waits for its next
 * argument selects nothing. */
static size_t last_word(const char *s, size_t len)
{
	size_t start = 0;
	char quote = 0;
	for (size_t i = 0; i < len; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '\'' || s[i] == '"') {
			quote = s[i];
		} else if (s[i] == ' ' || s[i] == '\t') {
			start = i + 1;
		}
	}
	return start;
}

static void comp_reset(struct prompt *p)
{
	str_list_free(p->comp);
	p->comp = NULL;
	p->comp_i = 0;
	p->comp_cycling = false;
}

void prompt_open(struct tui *t, enum prompt_kind kind, const char *label, const char *init,
		 struct view *v, void (*accept)(struct tui *, struct view *, const char *))
{
	struct prompt *p = &t->prompt;
	prompt_close(t);
	p->active = true;
	p->kind = kind;
	snprintf(p->label, sizeof p->label, "%s", label);
	set_text(p, init ? init : "");
	/* a prefilled value is a suggestion: the first key typed replaces it
	 * (a command's last argument; a value prompt's whole text), where
	 * appending would make a word nobody meant ("servingteval") */
	p->sel_start = kind == P_COMMAND ? last_word(p->buf, p->len) : 0;
	p->sel_end = p->len;
	p->hist_i = t->hist[kind].n;
	p->view = v;
	p->accept = accept;
}

void prompt_set_words(struct tui *t, char **words)
{
	str_list_free(t->prompt.words);
	t->prompt.words = words;
}

void prompt_close(struct tui *t)
{
	struct prompt *p = &t->prompt;
	comp_reset(p);
	str_list_free(p->words);
	p->words = NULL;
	free(p->saved);
	p->saved = NULL;
	p->active = false;
	p->len = p->pos = 0;
	p->sel_start = p->sel_end = 0;
	if (p->buf)
		p->buf[0] = 0;
}

static void insert(struct prompt *p, const char *s, size_t n)
{
	xgrow((void **)&p->buf, &p->cap, p->len + n + 1, 1);
	memmove(p->buf + p->pos + n, p->buf + p->pos, p->len - p->pos + 1);
	memcpy(p->buf + p->pos, s, n);
	p->len += n;
	p->pos += n;
}

static void erase_range(struct prompt *p, size_t from, size_t to)
{
	memmove(p->buf + from, p->buf + to, p->len - to + 1);
	p->len -= to - from;
	p->pos = from;
}

static size_t prev_char(const struct prompt *p, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)p->buf[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static size_t next_char_at(const struct prompt *p, size_t i)
{
	if (i >= p->len)
		return p->len;
	i++;
	while (i < p->len && ((unsigned char)p->buf[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static bool is_word_byte(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Candidates for the word before the cursor; *start gets where it begins. */
static char **candidates(struct tui *t, size_t *start)
{
	struct prompt *p = &t->prompt;
	if (p->kind == P_COMMAND) {
		/* a prompt like ":load " already holds the command's first words */
		const char *ctx = p->label[0] == ':' ? p->label + 1 : "";
		char *line = xasprintf("%s%.*s", ctx, (int)p->pos, p->buf);
		size_t ws = 0;
		char **c = cmd_complete(t->s, line, strlen(line), &ws);
		free(line);
		*start = ws >= strlen(ctx) ? ws - strlen(ctx) : 0;
		return c;
	}
	if (!p->words)
		return NULL;
	size_t s = p->pos;
	if (p->kind == P_FILTER)
		while (s > 0 && is_word_byte(p->buf[s - 1]))
			s--;
	else
		s = 0; /* a column name may hold any character */
	*start = s;
	char *prefix = xstrndup(p->buf + s, p->pos - s);
	size_t n = 0, cap = 0;
	char **out = NULL;
	for (char **w = p->words; *w; w++) {
		if (!str_prefix(*w, prefix))
			continue;
		xgrow((void **)&out, &cap, n + 2, sizeof *out);
		out[n++] = xstrdup(*w);
		out[n] = NULL;
	}
	free(prefix);
	if (!out)
		out = xcalloc(1, sizeof *out);
	return out;
}

static void replace_word(struct prompt *p, size_t start, const char *with)
{
	erase_range(p, start, p->pos);
	insert(p, with, strlen(with));
}

static void complete(struct tui *t)
{
	struct prompt *p = &t->prompt;
	if (p->comp_cycling && p->comp && p->comp[0]) {
		size_t n = 0;
		while (p->comp[n])
			n++;
		p->comp_i = (p->comp_i + 1) % n;
		replace_word(p, p->comp_start, p->comp[p->comp_i]);
		return;
	}
	comp_reset(p);
	size_t start = p->pos;
	char **c = candidates(t, &start);
	if (!c || !c[0]) {
		str_list_free(c);
		tui_msg(t, "no completions");
		return;
	}
	if (!c[1]) {
		replace_word(p, start, c[0]);
		/* a finished word gets its space; a directory goes on */
		if (p->kind == P_COMMAND && !str_suffix(c[0], "/"))
			insert(p, " ", 1);
		str_list_free(c);
		return;
	}
	/* the longest common prefix first, then each candidate in turn */
	size_t lcp = strlen(c[0]);
	for (size_t i = 1; c[i]; i++) {
		size_t k = 0;
		while (k < lcp && c[i][k] == c[0][k])
			k++;
		lcp = k;
	}
	/* the common prefix, if it adds anything; the candidates are listed
	 * on the status line and the next Tab goes through them */
	char *common = xstrndup(c[0], lcp);
	if (strlen(common) > p->pos - start)
		replace_word(p, start, common);
	free(common);
	p->comp = c;
	p->comp_start = start;
	p->comp_cycling = true;
	p->comp_i = (size_t)-1;
}

bool prompt_completions(struct tui *t, struct sbuf *b)
{
	struct prompt *p = &t->prompt;
	if (!p->active || !p->comp || !p->comp[0])
		return false;
	for (size_t i = 0; p->comp[i]; i++) {
		if (i)
			sbuf_puts(b, "  ");
		sbuf_puts(b, p->comp[i]);
	}
	return true;
}

static void history_move(struct tui *t, int dir)
{
	struct prompt *p = &t->prompt;
	struct history *h = &t->hist[p->kind];
	if (dir < 0 && p->hist_i == 0)
		return;
	if (dir > 0 && p->hist_i >= h->n)
		return;
	if (p->hist_i == h->n) {
		free(p->saved);
		p->saved = xstrdup(p->buf);
	}
	p->hist_i = dir < 0 ? p->hist_i - 1 : p->hist_i + 1;
	set_text(p, p->hist_i == h->n ? (p->saved ? p->saved : "") : h->v[p->hist_i]);
}

/* A y/n question: y (or Y) accepts, any other key cancels. */
static void confirm_key(struct tui *t, int key)
{
	struct prompt *p = &t->prompt;
	char *ans = xstrdup(key == 'y' || key == 'Y' ? "y" : "n");
	struct view *v = p->view;
	void (*accept)(struct tui *, struct view *, const char *) = p->accept;
	prompt_close(t);
	if (ans[0] == 'y')
		accept(t, v, ans);
	else
		tui_msg(t, "cancelled");
	free(ans);
}

/* Enter: the line, trimmed, goes to the history and to what the prompt is
 * for (an empty one only to a form's field, which it clears). */
static void accept_line(struct tui *t)
{
	struct prompt *p = &t->prompt;
	char *text = xstrdup(p->buf);
	char *trimmed = str_trim(text);
	size_t tl = strlen(trimmed);
	while (tl && (trimmed[tl - 1] == ' ' || trimmed[tl - 1] == '\t'))
		trimmed[--tl] = 0;
	enum prompt_kind kind = p->kind;
	struct view *v = p->view;
	void (*accept)(struct tui *, struct view *, const char *) = p->accept;
	history_add_line(&t->hist[kind], trimmed);
	prompt_close(t);
	if ((*trimmed || kind == P_FIELD) && accept)
		accept(t, v, trimmed);
	free(text);
}

/* Types the character of code point c at the cursor, as UTF-8. */
static void insert_char(struct prompt *p, unsigned c)
{
	char tmp[8];
	int n = 0;
	if (c < 0x80) {
		tmp[n++] = (char)c;
	} else if (c < 0x800) {
		tmp[n++] = (char)(0xc0 | (c >> 6));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		tmp[n++] = (char)(0xe0 | (c >> 12));
		tmp[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	} else {
		tmp[n++] = (char)(0xf0 | (c >> 18));
		tmp[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
		tmp[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	}
	insert(p, tmp, (size_t)n);
}

void prompt_key(struct tui *t, int key)
{
	struct prompt *p = &t->prompt;
	if (p->kind == P_CONFIRM) {
		confirm_key(t, key);
		return;
	}
	if (key != K_TAB)
		comp_reset(p);
	bool selected = p->sel_end > p->sel_start;
	size_t sel_start = p->sel_start, sel_end = p->sel_end;
	p->sel_start = p->sel_end = 0;
	if (selected && (key == K_BS || key == K_DEL || key == K_CTRL('d'))) {
		erase_range(p, sel_start, sel_end);
		return;
	}
	if (selected && key >= 32 && key < K_FN && key != 127)
		erase_range(p, sel_start, sel_end);
	switch (key) {
	case K_ESC:
	case K_CTRL('g'):
		prompt_close(t);
		return;
	case K_ENTER: accept_line(t); return;
	case K_TAB: complete(t); return;
	case K_BS:
		if (p->pos == 0 && p->len == 0) {
			prompt_close(t);
			return;
		}
		if (p->pos > 0)
			erase_range(p, prev_char(p, p->pos), p->pos);
		return;
	case K_DEL:
	case K_CTRL('d'):
		if (p->pos < p->len) {
			size_t e = next_char_at(p, p->pos);
			size_t keep = p->pos;
			erase_range(p, p->pos, e);
			p->pos = keep;
		}
		return;
	case K_LEFT:
	case K_CTRL('b'): p->pos = prev_char(p, p->pos); return;
	case K_RIGHT:
	case K_CTRL('f'): p->pos = next_char_at(p, p->pos); return;
	case K_HOME:
	case K_CTRL('a'): p->pos = 0; return;
	case K_END:
	case K_CTRL('e'): p->pos = p->len; return;
	case K_CTRL('u'): erase_range(p, 0, p->pos); return;
	case K_CTRL('k'):
		p->buf[p->pos] = 0;
		p->len = p->pos;
		return;
	case K_CTRL('w'): {
		size_t s = p->pos;
		while (s > 0 && p->buf[s - 1] == ' ')
			s--;
		while (s > 0 && p->buf[s - 1] != ' ')
			s--;
		erase_range(p, s, p->pos);
		return;
	}
	case K_UP:
	case K_CTRL('p'): history_move(t, -1); return;
	case K_DOWN:
	case K_CTRL('n'): history_move(t, +1); return;
	default: break;
	}
	if (key >= 32 && key < K_FN && key != 127)
		insert_char(p, (unsigned)key);
}

void prompt_draw(struct tui *t, int y)
{
	struct prompt *p = &t->prompt;
	tui_fill(t, y, 0, t->w, S_PROMPT);
	int lw = tui_put(t, y, 0, t->w, S_TITLE, p->label);
	int avail = t->w - lw - 1;
	if (avail < 4)
		return;
	/* scroll the text so that the cursor stays visible */
	char *before = xstrndup(p->buf, p->pos);
	int cw = utf8_width(before);
	int skip = cw > avail - 1 ? cw - (avail - 1) : 0;
	tui_put_hl(t, y, lw, avail, S_PROMPT, p->buf, skip, NULL);
	free(before);
	if (p->sel_end > p->sel_start) {
		char *head = xstrndup(p->buf, p->sel_start);
		char *sel = xstrndup(p->buf + p->sel_start, p->sel_end - p->sel_start);
		int sx = utf8_width(head) - skip;
		if (sx >= 0 && sx < avail)
			tui_put(t, y, lw + sx, avail - sx, S_CELL_CUR, sel);
		free(head);
		free(sel);
	}
	if (!t->dump) {
		move(y, lw + cw - skip);
		curs_set(1);
	}
}
