/* Drawing: styles in 256 colours, 8 colours or monochrome, glyphs in UTF-8
 * or ASCII, and text output that never spills out of its box.  Every cell
 * written goes through here, so the style of each cell is also kept in
 * tui.stylemap for the tests' style dump. */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

const char tui_style_letters[S_NSTYLES + 1] = ".tTAbiIhHyrRCnNwWsgGmSDEkKpc";

static const struct glyphs glyphs_utf8 = {
	.vline = "\u2502", .hline = "\u2500", .ellipsis = "\u2026", .crumb = " \u203a ",
	.up = "\u2191", .down = "\u2193", .times = "\u00d7", .more = "\u25b8",
	.spark = {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
		  "\u2588"},
};
static const struct glyphs glyphs_ascii = {
	.vline = "|", .hline = "-", .ellipsis = "~", .crumb = " > ",
	.up = "^", .down = "v", .times = "x", .more = ">",
	.spark = {" ", "_", ".", ",", ":", "-", "=", "+", "#"},
};

/* Foreground, background (-1: the terminal's default) and attributes of
 * each style in 256 colours and in 8. */
struct style_def {
	short fg256, bg256, fg8, bg8;
	attr_t a, mono;
};
static const struct style_def style_defs[S_NSTYLES] = {
	[S_NORMAL] = {-1, -1, -1, -1, 0, 0},
	[S_TABBAR] = {250, 236, COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE},
	[S_TAB] = {252, 236, COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE},
	[S_TAB_ACTIVE] = {231, 31, COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD},
	[S_BRAND] = {81, 236, COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
	[S_TITLE] = {75, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[S_INFO] = {245, -1, -1, -1, 0, 0},
	[S_HEADER] = {180, -1, COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE},
	[S_HEADER_CUR] = {16, 180, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD},
	[S_TYPE] = {244, -1, COLOR_BLUE, -1, 0, A_DIM},
	[S_RULE] = {239, -1, COLOR_BLUE, -1, 0, A_DIM},
	[S_ROW_CUR] = {255, 237, COLOR_WHITE, COLOR_BLUE, 0, A_BOLD},
	[S_CELL_CUR] = {231, 31, COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE},
	[S_NA] = {241, -1, COLOR_MAGENTA, -1, 0, A_DIM},
	[S_NA_CUR] = {247, 237, COLOR_MAGENTA, COLOR_BLUE, 0, A_BOLD | A_DIM},
	[S_WARN] = {203, -1, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
	[S_WARN_CUR] = {210, 237, COLOR_RED, COLOR_BLUE, A_BOLD, A_BOLD | A_UNDERLINE},
	[S_SECTION] = {75, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[S_SPARK] = {79, -1, COLOR_GREEN, -1, 0, 0},
	[S_SPARK_CUR] = {79, 237, COLOR_GREEN, COLOR_BLUE, 0, A_BOLD},
	[S_MATCH] = {16, 178, COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE},
	[S_STATUS] = {252, 236, COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE},
	[S_STATUS_WS] = {231, 238, COLOR_WHITE, COLOR_BLACK, A_BOLD, A_REVERSE | A_BOLD},
	[S_MSG_ERROR] = {231, 124, COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD},
	[S_HINT] = {246, -1, -1, -1, 0, 0},
	[S_HINT_KEY] = {223, 238, COLOR_BLACK, COLOR_WHITE, A_BOLD, A_REVERSE},
	[S_PROMPT] = {-1, -1, -1, -1, 0, 0},
	[S_COMPLETION] = {223, 236, COLOR_YELLOW, COLOR_BLUE, 0, A_REVERSE},
};

void tui_styles_init(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	t->colors = 0;
	if (!(nc && *nc) && has_colors() && start_color() == OK) {
		use_default_colors();
		t->colors = COLORS >= 256 && COLOR_PAIRS > S_NSTYLES ? 256
			    : COLOR_PAIRS > S_NSTYLES		  ? 8
								  : 0;
	}
	for (int i = 0; i < S_NSTYLES; i++) {
		const struct style_def *d = &style_defs[i];
		if (!t->colors) {
			t->attr[i] = d->mono;
			continue;
		}
		short fg = t->colors == 256 ? d->fg256 : d->fg8;
		short bg = t->colors == 256 ? d->bg256 : d->bg8;
		init_pair((short)(i + 1), fg, bg);
		t->attr[i] = COLOR_PAIR(i + 1) | d->a;
	}
	t->g = t->utf8 ? &glyphs_utf8 : &glyphs_ascii;
}

void tui_clear(struct tui *t)
{
	attrset(t->attr[S_NORMAL]);
	erase();
	if (t->stylemap)
		memset(t->stylemap, 0, (size_t)t->w * (size_t)t->h);
}

static void mark(struct tui *t, int y, int x, int n, enum style st)
{
	if (!t->stylemap || y < 0 || y >= t->h)
		return;
	for (int i = 0; i < n && x + i < t->w; i++)
		if (x + i >= 0)
			t->stylemap[(size_t)y * (size_t)t->w + (size_t)(x + i)] = (unsigned char)st;
}

/* One character of s: its byte length, display width and whether it can be
 * shown as is (invalid bytes and control characters cannot). */
static size_t next_char(const char *s, int *width, bool *ok)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*width = 1;
		*ok = false;
		return 1;
	}
	if (wc < 32 || wc == 127 || (wc >= 0x80 && wc < 0xa0)) {
		*width = 1;
		*ok = false;
		return n;
	}
	int w = wcwidth(wc);
	if (w < 0) {
		*width = 1;
		*ok = false;
		return n;
	}
	*width = w;
	*ok = true;
	return n;
}

static int put_skip(struct tui *t, int y, int x, int w, enum style st, const char *s, int skip)
{
	if (y < 0 || y >= t->h || x >= t->w || w <= 0)
		return 0;
	if (x + w > t->w)
		w = t->w - x;
	attrset(t->attr[st]);
	move(y, x);
	int col = 0, skipped = 0;
	const char *p = s;
	while (*p) {
		int cw;
		bool ok;
		size_t n = next_char(p, &cw, &ok);
		if (skipped < skip) {
			skipped += cw;
			p += n;
			if (skipped > skip) {
				/* half of a wide character scrolled off */
				int pad = skipped - skip;
				for (int i = 0; i < pad && col < w; i++, col++)
					addch(' ');
				mark(t, y, x, col, st);
			}
			continue;
		}
		if (col + cw > w)
			break;
		if (ok)
			addnstr(p, (int)n);
		else /* control characters as blanks, undecodable bytes as '?' */
			addch((unsigned char)*p < 32 ? ' ' : '?');
		mark(t, y, x + col, cw, st);
		col += cw;
		p += n;
	}
	return col;
}

int tui_put(struct tui *t, int y, int x, int w, enum style st, const char *s)
{
	return put_skip(t, y, x, w, st, s, 0);
}

int tui_putf(struct tui *t, int y, int x, int w, enum style st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sbuf b = {0};
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	int n = tui_put(t, y, x, w, st, b.s ? b.s : "");
	sbuf_free(&b);
	return n;
}

void tui_fill(struct tui *t, int y, int x, int w, enum style st)
{
	if (y < 0 || y >= t->h || x >= t->w || w <= 0)
		return;
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (x + w > t->w)
		w = t->w - x;
	attrset(t->attr[st]);
	mvhline(y, x, ' ', w);
	mark(t, y, x, w, st);
}

/* Display width with unprintable characters counted as one column. */
static int text_width(const char *s)
{
	int w = 0;
	while (*s) {
		int cw;
		bool ok;
		s += next_char(s, &cw, &ok);
		w += cw;
	}
	return w;
}

/* Bytes of s that fit in w columns. */
static size_t text_fit(const char *s, int w)
{
	const char *p = s;
	int col = 0;
	while (*p) {
		int cw;
		bool ok;
		size_t n = next_char(p, &cw, &ok);
		if (col + cw > w)
			break;
		col += cw;
		p += n;
	}
	return (size_t)(p - s);
}

void tui_cell(struct tui *t, int y, int x, int w, enum style st, const char *s, bool right)
{
	if (w <= 0)
		return;
	int tw = text_width(s);
	if (tw > w) {
		int ew = text_width(t->g->ellipsis);
		size_t keep = text_fit(s, w - ew);
		char *cut = xasprintf("%.*s%s", (int)keep, s, t->g->ellipsis);
		int cw = text_width(cut);
		tui_put(t, y, x, w, st, cut);
		if (cw < w)
			tui_fill(t, y, x + cw, w - cw, st);
		free(cut);
		return;
	}
	int pad = w - tw;
	if (right) {
		tui_fill(t, y, x, pad, st);
		tui_put(t, y, x + pad, tw, st, s);
	} else {
		tui_put(t, y, x, tw, st, s);
		tui_fill(t, y, x + tw, pad, st);
	}
}

const char *tui_strcasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return hay;
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

void tui_put_hl(struct tui *t, int y, int x, int w, enum style st, const char *s, int skip,
		const char *pat)
{
	if (!pat || !*pat) {
		put_skip(t, y, x, w, st, s, skip);
		return;
	}
	/* draw the whole line, then redraw the matches over it */
	put_skip(t, y, x, w, st, s, skip);
	size_t plen = strlen(pat);
	for (const char *m = tui_strcasestr(s, pat); m; m = tui_strcasestr(m + plen, pat)) {
		char *before = xstrndup(s, (size_t)(m - s));
		char *hit = xstrndup(m, plen);
		int c0 = text_width(before) - skip;
		int hw = text_width(hit);
		int hs = 0;
		if (c0 < 0) {
			hs = -c0;
			c0 = 0;
		}
		if (c0 < w && hw > hs)
			put_skip(t, y, x + c0, w - c0, S_MATCH, hit, hs);
		free(before);
		free(hit);
	}
}

char *tui_oneline(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if ((unsigned char)*p < 32)
			*p = ' ';
	return r;
}

/* ---- numbers ------------------------------------------------------------------ */
static bool fits(const char *s, int width)
{
	return (int)strlen(s) <= width;
}

/* "1.5e-05" -> "1.5e-5", "2e+10" -> "2e10": exponents as short as they go. */
static void squeeze_exp(char *s)
{
	char *e = strchr(s, 'e');
	if (!e)
		return;
	char *d = e + 1, *p = e + 1;
	if (*p == '+')
		p++;
	else if (*p == '-')
		*d++ = *p++;
	while (*p == '0' && p[1])
		p++;
	memmove(d, p, strlen(p) + 1);
}

void tui_fmt_num(double v, int width, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "NA");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, v > 0 ? "inf" : "-inf");
		return;
	}
	if (width < 1)
		width = 1;
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, n, "%.0f", v);
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, n, "0");
		if (fits(buf, width))
			return;
	}
	/* plain notation, as many significant digits as fit (at most 6) */
	if (fabs(v) >= 1e-4)
		for (int sig = 6; sig >= 2; sig--) {
			snprintf(buf, n, "%.*g", sig, v);
			if (!strchr(buf, 'e') && fits(buf, width))
				return;
		}
	/* thousands, millions, ... */
	static const char suffix[] = "kMGTPE";
	if (fabs(v) >= 1000) {
		double x = v;
		int k = -1;
		while (fabs(x) >= 999.5 && k < 5) {
			x /= 1000;
			k++;
		}
		for (int sig = 4; sig >= 1; sig--) {
			snprintf(buf, n, "%.*g%c", sig, x, suffix[k]);
			if (!strchr(buf, 'e') && fits(buf, width))
				return;
		}
	}
	for (int sig = 4; sig >= 1; sig--) {
		snprintf(buf, n, "%.*e", sig - 1, v);
		squeeze_exp(buf);
		if (fits(buf, width))
			return;
	}
	/* nothing fits: say so rather than show a wrong number */
	snprintf(buf, n, "%.*s", width, "##########");
}

void tui_short_time(const char *iso, char *buf, size_t n)
{
	snprintf(buf, n, "%.16s", iso ? iso : "");
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
}

const char *tui_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

void tui_json_num(json_t *v, int width, char *buf, size_t n)
{
	if (json_is_number(v))
		tui_fmt_num(json_number_value(v), width, buf, n);
	else
		snprintf(buf, n, "-");
}
