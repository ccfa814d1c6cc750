/* The lab panel: while a lab is started in the session (`lab start`), a
 * column at the right of every screen shows its current step, the text a
 * student reads, the command the step suggests (! runs it, as `lab next`)
 * and what the last checked command gave: the step done, or the failed
 * check with its hint.  The panel only draws the session's lab; running
 * and checking are the lab commands' (src/cmd/cmd-lab.c), so a guided
 * session replays headless from its log. */
#include "internal.h"

#include "lab/lab.h"

#include <stdlib.h>
#include <string.h>

int labpanel_width(const struct tui *t)
{
	if (!t->s->lab || t->w < 70)
		return 0;
	return t->w >= 120 ? 40 : 30;
}

/* Draws text wrapped to w columns from row *y, at most up to row end. */
static void put_wrapped(struct tui *t, int *y, int end, int x, int w, enum style st,
			const char *text)
{
	struct sbuf b = {0};
	tui_wrap(&b, text, w);
	const char *p = b.s ? b.s : "";
	while (*p && *y < end) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n);
		tui_put(t, (*y)++, x, w, st, line);
		free(line);
		p += n + (e ? 1 : 0);
	}
	sbuf_free(&b);
}

void labpanel_draw(struct tui *t, int y, int x, int h, int w)
{
	const struct lab *l = t->s->lab;
	int end = y + h;
	for (int r = y; r < end; r++) {
		tui_fill(t, r, x, w, S_NORMAL);
		tui_put(t, r, x, 1, S_RULE, t->g->vline);
	}
	x += 2;
	w -= 3;
	char head[300];
	snprintf(head, sizeof head, "Lab %s", l->name);
	tui_put(t, y++, x, w, S_SECTION, head);
	put_wrapped(t, &y, end, x, w, S_INFO, l->title);
	y++;
	if (t->s->lab_step >= l->nsteps) {
		snprintf(head, sizeof head, "All %zu steps done. :lab reset %s starts over.", l->nsteps,
			 l->name);
		put_wrapped(t, &y, end, x, w, S_NORMAL, head);
	} else {
		const struct lab_step *st = &l->steps[t->s->lab_step];
		snprintf(head, sizeof head, "Step %zu/%zu: %s", t->s->lab_step + 1, l->nsteps, st->title);
		put_wrapped(t, &y, end, x, w, S_TITLE, head);
		y++;
		/* paragraphs, a blank row between them */
		char **paras;
		size_t np;
		paras = str_split(st->text, '\n', &np);
		for (size_t i = 0; i < np && y < end; i++) {
			if (i)
				y++;
			put_wrapped(t, &y, end, x, w, S_NORMAL, paras[i]);
		}
		str_list_free(paras);
		y++;
		if (y < end)
			tui_put(t, y++, x, w, S_HINT_KEY, "! runs:");
		put_wrapped(t, &y, end, x, w, S_PROMPT, st->cmds[t->s->lab_cmd].text);
	}
	/* the last check's word stays at the bottom: a long step text is cut
	 * above it, never the hint */
	const char *note = t->s->lab_note;
	if (note && *note) {
		char **paras;
		size_t np;
		paras = str_split(note, '\n', &np);
		int rows = 0;
		for (size_t i = 0; i < np; i++) {
			struct sbuf b = {0};
			tui_wrap(&b, paras[i], w);
			rows++;
			for (const char *p = b.s; p && *p; p++)
				rows += *p == '\n';
			sbuf_free(&b);
		}
		int ny = end - rows;
		if (ny < y + 1)
			ny = y + 1;
		for (int r = ny - 1; r < end; r++)
			tui_fill(t, r, x, w, S_NORMAL);
		for (size_t i = 0; i < np; i++)
			put_wrapped(t, &ny, end, x, w, t->s->lab_failed ? S_WARN : S_INFO, paras[i]);
		str_list_free(paras);
	}
}
