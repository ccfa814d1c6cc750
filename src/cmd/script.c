/* Running scripts: files, -c text and stdin share this reader. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static void report(struct session *s, const char *label, size_t line, const struct pm_err *err)
{
	fprintf(s->errs, "%s:%zu: %s\n", label, line, err->msg);
	fflush(s->errs);
}

void cmd_echo(struct session *s, const char *prompt, const char *text)
{
	FILE *to = s->format == OUT_JSON ? s->errs : s->out;
	int indent = (int)strlen(prompt) + 2;
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	fprintf(to, "%s> ", prompt);
	for (size_t i = 0; i < n; i++) {
		fputc(text[i], to);
		if (text[i] == '\n')
			fprintf(to, "%*s", indent, "");
	}
	fputc('\n', to);
	fflush(to);
}

/* A line that is blank but for spaces: not worth echoing. */
static bool blank(const char *t)
{
	t += strspn(t, " \t\r\n");
	return *t == 0;
}

int cmd_run_script(struct session *s, FILE *in, const char *label)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0, start_line = 0;
	ssize_t n;
	struct sbuf pending = {0};
	int status = 0;
	while (!s->quit && (n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (pending.len == 0)
			start_line = lineno;
		sbuf_add(&pending, line, (size_t)n);
		/* a quoted string or a trailing backslash continues on the next line */
		char ***cmds;
		struct pm_err err = {0};
		int nc = cmdline_parse(pending.s, &cmds, &err);
		if (nc < 0) {
			if (!feof(in))
				continue;
			report(s, label, start_line, &err);
			status = 2;
			break;
		}
		if (s->echo && !blank(pending.s))
			cmd_echo(s, "prodml", pending.s + strspn(pending.s, " \t"));
		sbuf_free(&pending);
		char where[512];
		snprintf(where, sizeof where, "%s:%zu", label, start_line);
		for (int i = 0; i < nc && !s->quit; i++) {
			pm_err_clear(&err);
			if (cmd_run(s, cmds[i], where, &err) < 0) {
				report(s, label, start_line, &err);
				int st = err.code == PM_E_USAGE ? 2 : 1;
				if (!s->keep_going) {
					status = st;
					break;
				}
				if (status == 0)
					status = st;
			}
		}
		cmdline_free(cmds);
		if (status && !s->keep_going)
			break;
	}
	if (pending.len && status == 0) {
		struct pm_err err;
		pm_errcf(&err, PM_E_USAGE, "unterminated quote or trailing backslash");
		report(s, label, start_line, &err);
		status = 2;
	}
	sbuf_free(&pending);
	free(line);
	return status;
}
