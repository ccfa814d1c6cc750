/* Running commands from the workbench.  Everything goes through cmd_run /
 * cmd_run_line, so each action lands in the session history (the reads a
 * view makes to redraw itself, tui_read_json, do not: the history holds
 * what the user did); what a
 * command prints is captured (the screen belongs to curses) and shown in
 * the status line or a text view. */
#include "internal.h"

#include "lab/lab.h"

#include <stdlib.h>
#include <string.h>

static char *join_words(char **words)
{
	struct sbuf b = {0};
	for (char **w = words; *w; w++) {
		if (w != words)
			sbuf_putc(&b, ' ');
		sbuf_puts(&b, *w);
	}
	return sbuf_steal(&b);
}

/* The status line while a command runs (a long load is not a frozen screen). */
static void show_running(struct tui *t, const char *what)
{
	if (t->dump)
		return;
	int y = t->h - 2;
	tui_fill(t, y, 0, t->w, S_STATUS);
	char *one = tui_oneline(what);
	tui_putf(t, y, 1, t->w - 2, S_STATUS, "running: %s", one);
	free(one);
	refresh();
}

/* log false: a read for a view, kept out of the history (words only) and
 * leaving t->gen alone, since it changed nothing other views show. */
static int exec_captured(struct tui *t, char **words, const char *line, bool json, bool log,
			 char **out, struct pm_err *err)
{
	struct session *s = t->s;
	char *what = words ? join_words(words) : xstrdup(line);
	show_running(t, what);
	free(what);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return pm_errf(err, "cannot capture the output of a command");
	FILE *old_out = s->out, *old_errs = s->errs;
	enum out_format old_format = s->format;
	s->out = mem;
	s->errs = mem;
	if (json)
		s->format = OUT_JSON;
	int rc = !words	 ? cmd_run_line(s, line, "tui", err)
		 : log	 ? cmd_run(s, words, "tui", err)
			 : cmd_run_unlogged(s, words, "tui", err);
	if (json)
		s->format = old_format;
	s->out = old_out;
	s->errs = old_errs;
	fclose(mem);
	if (log)
		t->gen++;
	if (out)
		*out = buf;
	else
		free(buf);
	return rc;
}

int tui_exec(struct tui *t, char **words, const char *line, bool json, char **out,
	     struct pm_err *err)
{
	return exec_captured(t, words, line, json, true, out, err);
}

static int exec_json(struct tui *t, char **words, bool log, json_t **result, struct pm_err *err)
{
	char *out = NULL;
	if (exec_captured(t, words, NULL, true, log, &out, err) < 0) {
		free(out);
		return -1;
	}
	/* the result is printed last: what a command runs on the way (monitor's
	 * alert hooks) prints its own lines before it */
	const char *doc = out ? out : "";
	size_t len = strlen(doc);
	while (len && doc[len - 1] == '\n')
		len--;
	for (size_t i = len; i-- > 0;)
		if (doc[i] == '\n') {
			doc += i + 1;
			len -= i + 1;
			break;
		}
	json_error_t je;
	*result = json_loadb(doc, len, 0, &je);
	free(out);
	if (!*result)
		return pm_errf(err, "%s: unreadable JSON result: %s", words[0], je.text);
	return 0;
}

int tui_exec_json(struct tui *t, char **words, json_t **result, struct pm_err *err)
{
	return exec_json(t, words, true, result, err);
}

int tui_read_json(struct tui *t, char **words, json_t **result, struct pm_err *err)
{
	return exec_json(t, words, false, result, err);
}

void tui_command(struct tui *t, const char *line)
{
	char *out = NULL;
	struct pm_err err = {0};
	int rc = tui_exec(t, NULL, line, false, &out, &err);
	size_t len = out ? strlen(out) : 0;
	while (len && out[len - 1] == '\n')
		out[--len] = 0;
	/* a started lab shows its step in the panel: its text once more in a
	 * view would cover the screen the student works in */
	if (rc == 0 && t->s->lab && str_prefix(line + strspn(line, " "), "lab start")) {
		tui_msg(t, "lab %s started: its step is at the right, ! runs its command",
			t->s->lab->name);
		free(out);
		return;
	}
	if (len && strchr(out, '\n')) {
		char *title = xasprintf(":%s", line);
		/* a result takes the place of the result before it: a breadcrumb
		 * per command would bury the view the commands were run from */
		struct view *top = tui_top(t);
		if (top && top->cls == &textview_class && top->title[0] == ':')
			tui_replace(t, textview_new(title, out));
		else
			tui_push(t, textview_new(title, out));
		free(title);
	} else if (len && rc == 0) {
		tui_msg(t, "%s", out);
	}
	if (rc < 0)
		tui_error(t, "%s", err.msg);
	else if (!len)
		tui_msg(t, "done: %s", line);
	free(out);
}

/* ---- progress: percent and ETA on the status line ------------------------------ */
static void draw_progress(void *ctx, const char *what, double done, double total)
{
	struct tui *t = ctx;
	if (t->dump)
		return;
	double now = now_seconds();
	bool finished = total > 0 && done >= total;
	if (!finished && now - t->progress_last < 0.1)
		return;
	t->progress_last = now;
	double frac = total > 0 ? done / total : 0;
	if (frac > 1)
		frac = 1;
	int y = t->h - 2, barw = 30;
	tui_fill(t, y, 0, t->w, S_STATUS);
	int x = 1 + tui_putf(t, y, 1, 24, S_STATUS, "%s ", what);
	int fill = (int)(frac * barw);
	for (int i = 0; i < barw; i++)
		tui_put(t, y, x + i, 1, i < fill ? S_TAB_ACTIVE : S_STATUS, " ");
	tui_putf(t, y, x + barw + 1, t->w - x - barw - 2, S_STATUS, "%3.0f%%  Ctrl-C cancels",
		 frac * 100);
	refresh();
}

void tui_progress_install(struct tui *t)
{
	struct session *s = t->s;
	t->saved_progress = s->progress;
	t->saved_tty = s->tty;
	s->progress.report = draw_progress;
	s->progress.ctx = t;
	s->tty = false;
}

void tui_progress_remove(struct tui *t)
{
	t->s->progress = t->saved_progress;
	t->s->tty = t->saved_tty;
}
