/* The dump mode of the tests: the same frame and views drawn by curses on a
 * screen whose output goes to /dev/null, a scripted key sequence, and the
 * resulting screen read back from curses cell by cell, as tig's tests do. */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void dump_screen(struct tui *t, FILE *out, bool styles)
{
	for (int y = 0; y < t->h; y++) {
		struct sbuf line = {0};
		size_t keep = 0;
		for (int x = 0; x < t->w; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &a, &pair, NULL) == ERR ||
			    wch[0] == 0) {
				sbuf_putc(&line, ' ');
				continue;
			}
			mbstate_t ps;
			memset(&ps, 0, sizeof ps);
			for (int i = 0; i < CCHARW_MAX && wch[i]; i++) {
				char mb[MB_LEN_MAX];
				size_t n = wcrtomb(mb, wch[i], &ps);
				if (n == (size_t)-1)
					sbuf_putc(&line, '?');
				else
					sbuf_add(&line, mb, n);
			}
			if (wch[0] != L' ')
				keep = line.len;
			/* the second cell of a wide character repeats it */
			int cw = wcwidth(wch[0]);
			if (cw > 1)
				x += cw - 1;
		}
		fprintf(out, "%.*s\n", (int)keep, line.s ? line.s : "");
		sbuf_free(&line);
	}
	if (!styles)
		return;
	fputs("-- styles\n", out);
	for (int y = 0; y < t->h; y++) {
		int keep = 0;
		char *row = xmalloc((size_t)t->w + 1);
		for (int x = 0; x < t->w; x++) {
			unsigned char st = t->stylemap[(size_t)y * (size_t)t->w + (size_t)x];
			row[x] = st < S_NSTYLES ? tui_style_letters[st] : '?';
			if (st != S_NORMAL)
				keep = x + 1;
		}
		fprintf(out, "%.*s\n", keep, row);
		free(row);
	}
}

static int parse_size(const char *size, int *w, int *h, struct pm_err *err)
{
	char tail;
	if (!size || sscanf(size, "%dx%d%c", w, h, &tail) != 2 || *w < 1 || *h < 1 || *w > 1000 ||
	    *h > 1000)
		return pm_errcf(err, PM_E_USAGE, "--tui-dump expects WIDTHxHEIGHT (like 80x24), got \"%s\"",
				size ? size : "");
	return 0;
}

int tui_dump(struct session *s, const char *size, const char *keys, bool styles, FILE *out,
	     struct pm_err *err)
{
	int w, h;
	if (parse_size(size, &w, &h, err) < 0)
		return -1;
	struct key_step *steps = NULL;
	size_t nsteps = 0;
	if (keys_parse(keys ? keys : "", &steps, &nsteps, err) < 0)
		return -1;
	FILE *null_out = fopen("/dev/null", "w"), *null_in = fopen("/dev/null", "r");
	if (!null_out || !null_in) {
		if (null_out)
			fclose(null_out);
		if (null_in)
			fclose(null_in);
		free(steps);
		return pm_errf(err, "cannot open /dev/null for the virtual screen");
	}
	/* a fixed terminal type: the dump must not depend on the caller's TERM */
	static const char *const types[] = {"xterm-256color", "xterm", "vt100"};
	SCREEN *scr = NULL;
	for (size_t i = 0; i < PM_ARRAY_LEN(types) && !scr; i++)
		scr = newterm(types[i], null_out, null_in);
	if (!scr) {
		fclose(null_out);
		fclose(null_in);
		free(steps);
		return pm_errf(err, "no terminal description for the virtual screen (xterm, vt100)");
	}
	set_term(scr);
	resize_term(h, w);
	struct tui *t = xcalloc(1, sizeof *t);
	tui_init(t, s, true);
	tui_draw(t);
	for (size_t i = 0; i < nsteps && !t->quit && !s->quit; i++) {
		struct key_step *st = &steps[i];
		if (st->key == K_RESIZE) {
			resize_term(st->b, st->a);
			tui_resize(t, st->a, st->b);
		} else if (st->key == K_WAIT_JOBS) {
			train_wait_jobs(t);
		} else {
			if (st->key == K_CLICK) {
				t->mx = st->a;
				t->my = st->b;
			}
			tui_key(t, st->key);
		}
		tui_draw(t);
	}
	dump_screen(t, out, styles);
	tui_fini(t);
	free(t);
	endwin();
	delscreen(scr);
	fclose(null_out);
	fclose(null_in);
	free(steps);
	return 0;
}
