/* The command table and running commands: lookup, word splitting, option
 * parsing, dispatch and printing of results. */
#include "cmd.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Groups in help order. */
static const struct cmd_entry *const groups[] = {
	cmd_group_data,
	cmd_group_validate,
	cmd_group_train,
	cmd_group_registry,
	cmd_group_edge,
	cmd_group_serve,
	cmd_group_monitor,
	cmd_group_pipeline,
	cmd_group_design,
	cmd_group_lab,
	cmd_group_session,
	cmd_group_tui,
	NULL,
};

size_t cmd_count(void)
{
	size_t n = 0;
	for (size_t g = 0; groups[g]; g++)
		for (const struct cmd_entry *e = groups[g]; e->name; e++)
			n++;
	return n;
}

const struct cmd_entry *cmd_at(size_t i)
{
	for (size_t g = 0; groups[g]; g++)
		for (const struct cmd_entry *e = groups[g]; e->name; e++)
			if (i-- == 0)
				return e;
	return NULL;
}

const struct cmd_entry *cmd_lookup(const char *name)
{
	for (size_t i = 0, n = cmd_count(); i < n; i++)
		if (strcmp(cmd_at(i)->name, name) == 0)
			return cmd_at(i);
	return NULL;
}

/* Number of words in name if argv starts with them, else 0. */
static int name_matches(const char *name, int argc, char **argv)
{
	int w = 0;
	const char *p = name;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (w >= argc || strlen(argv[w]) != len || strncmp(argv[w], p, len) != 0)
			return 0;
		w++;
		p += len;
		if (*p == ' ')
			p++;
	}
	return w;
}

const struct cmd_entry *cmd_find(int argc, char **argv, int *used)
{
	const struct cmd_entry *best = NULL;
	int best_n = 0;
	for (size_t i = 0, n = cmd_count(); i < n; i++) {
		const struct cmd_entry *e = cmd_at(i);
		int m = name_matches(e->name, argc, argv);
		if (m > best_n) {
			best = e;
			best_n = m;
		}
	}
	if (used)
		*used = best_n;
	return best;
}

char *cmd_usage(const struct cmd_entry *e)
{
	struct sbuf b = {0};
	sbuf_puts(&b, e->name);
	if (e->args && *e->args) {
		sbuf_putc(&b, ' ');
		sbuf_puts(&b, e->args);
	}
	for (const struct cmd_opt *o = e->opts; o && o->name; o++) {
		sbuf_printf(&b, " [%s", o->name);
		if (o->arg)
			sbuf_printf(&b, " %s", o->arg);
		sbuf_putc(&b, ']');
	}
	return sbuf_steal(&b);
}

/* ---- options --------------------------------------------------------------- */
static int opt_index(const struct cmd_entry *e, const char *name)
{
	int i = 0;
	for (const struct cmd_opt *o = e->opts; o && o->name; o++, i++)
		if (strcmp(o->name, name) == 0)
			return i;
	return -1;
}

const char *call_opt(const struct cmd_call *c, const char *name)
{
	int i = opt_index(c->entry, name);
	return i < 0 ? NULL : c->optval[i];
}

bool call_flag(const struct cmd_call *c, const char *name)
{
	return call_opt(c, name) != NULL;
}

int call_opt_int(const struct cmd_call *c, const char *name, long long dflt, long long *out,
		 struct pm_err *err)
{
	const char *v = call_opt(c, name);
	if (!v) {
		*out = dflt;
		return 0;
	}
	int64_t x;
	if (!parse_int64(v, strlen(v), &x))
		return pm_errcf(err, PM_E_USAGE, "%s: %s expects an integer, got \"%s\"",
				c->entry->name, name, v);
	*out = x;
	return 0;
}

int call_opt_double(const struct cmd_call *c, const char *name, double dflt, double *out,
		    struct pm_err *err)
{
	const char *v = call_opt(c, name);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!parse_double(v, strlen(v), out))
		return pm_errcf(err, PM_E_USAGE, "%s: %s expects a number, got \"%s\"",
				c->entry->name, name, v);
	return 0;
}

static bool looks_numeric(const char *s)
{
	double d;
	return parse_double(s, strlen(s), &d);
}

static int unknown_option(const struct cmd_entry *e, const char *w, struct pm_err *err)
{
	char *name = xstrndup(w, strcspn(w, "="));
	struct str_near nr;
	str_near_init(&nr, name);
	for (const struct cmd_opt *o = e->opts; o && o->name; o++)
		str_near_offer(&nr, o->name);
	if (nr.best)
		pm_errcf(err, PM_E_USAGE, "%s: unknown option %s; did you mean %s? (see `help %s`)",
			 e->name, name, nr.best, e->name);
	else
		pm_errcf(err, PM_E_USAGE, "%s: unknown option %s (see `help %s`)", e->name, name,
			 e->name);
	free(name);
	return -1;
}

int cmd_call_parse(const struct cmd_entry *e, int argc, char **argv, struct cmd_call *call,
		   struct pm_err *err)
{
	bool opts_done = false;
	for (int i = 0; i < argc; i++) {
		char *w = argv[i];
		if (!opts_done && strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && w[0] == '-' && w[1] && !looks_numeric(w)) {
			int oi = -1;
			const char *inline_val = NULL;
			if (w[1] == '-') {
				char *eq = strchr(w, '=');
				if (eq) {
					char *name = xstrndup(w, (size_t)(eq - w));
					oi = opt_index(e, name);
					free(name);
					inline_val = eq + 1;
				} else {
					oi = opt_index(e, w);
				}
			} else if (!w[2]) {
				int k = 0;
				for (const struct cmd_opt *o = e->opts; o && o->name; o++, k++)
					if (o->shortname == w[1])
						oi = k;
			}
			if (oi < 0)
				return unknown_option(e, w, err);
			const struct cmd_opt *o = &e->opts[oi];
			if (o->arg) {
				const char *prev = call->optval[oi];
				if (inline_val) {
					call->optval[oi] = inline_val;
				} else {
					if (i + 1 >= argc)
						return pm_errcf(err, PM_E_USAGE, "%s: option %s needs a value (%s)",
								e->name, o->name, o->arg);
					call->optval[oi] = argv[++i];
				}
				if (prev && o->repeat) {
					char *j = xasprintf("%s\n%s", prev, call->optval[oi]);
					free(call->joined[oi]);
					call->optval[oi] = call->joined[oi] = j;
				}
			} else {
				if (inline_val)
					return pm_errcf(err, PM_E_USAGE, "%s: option %s takes no value",
							e->name, o->name);
				call->optval[oi] = "";
			}
			continue;
		}
		call->argv[call->argc++] = w;
	}
	if (call->argc < e->min_args || (e->max_args >= 0 && call->argc > e->max_args)) {
		char *u = cmd_usage(e);
		pm_errcf(err, PM_E_USAGE, "%s: %s arguments; usage: %s", e->name,
			 call->argc < e->min_args ? "missing" : "too many", u);
		free(u);
		return -1;
	}
	return 0;
}

void cmd_quote_word(struct sbuf *b, const char *w)
{
	bool plain = *w && strpbrk(w, " \t\"'\\;#$") == NULL;
	if (plain) {
		sbuf_puts(b, w);
		return;
	}
	sbuf_putc(b, '\'');
	for (const char *p = w; *p; p++) {
		if (*p == '\'')
			sbuf_puts(b, "'\\''");
		else
			sbuf_putc(b, *p);
	}
	sbuf_putc(b, '\'');
}

void session_history_add(struct session *s, const char *line)
{
	xgrow((void **)&s->history, &s->caphistory, s->nhistory + 1, sizeof *s->history);
	s->history[s->nhistory++] = xstrdup(line);
}

static void history_add(struct session *s, char **words)
{
	struct sbuf b = {0};
	for (char **w = words; *w; w++) {
		if (w != words)
			sbuf_putc(&b, ' ');
		cmd_quote_word(&b, *w);
	}
	session_history_add(s, b.s);
	sbuf_free(&b);
}

/* log: the command goes into the history (and its job is followed), as
 * what the user did; a read for a view's refresh does not. */
static int run_words(struct session *s, char **words, const char *where, bool log,
		     struct pm_err *err)
{
	int argc = 0;
	while (words[argc])
		argc++;
	if (argc == 0)
		return 0;
	int used;
	const struct cmd_entry *e = cmd_find(argc, words, &used);
	if (!e)
		return pm_errcf(err, PM_E_USAGE, "unknown command \"%s\" (see `help`)", words[0]);
	struct cmd_call call = {.entry = e, .where = where};
	call.argv = xcalloc((size_t)argc + 1, sizeof *call.argv);
	int rc = cmd_call_parse(e, argc - used, words + used, &call, err);
	if (rc == 0) {
		if (s->cancel)
			*s->cancel = 0;
		session_jobs_poll(s);
		rc = e->exec(s, &call, err);
		/* the history replays as a script: only commands that worked */
		if (rc == 0 && log && strcmp(e->name, "history") != 0 && !(e->flags & CMD_F_NO_HISTORY)) {
			session_jobs_log(s, &call);
			history_add(s, words);
			session_jobs_follow(s, &call);
		}
		/* a command that fails may still leave a result worth seeing
		 * (validate --fail-on-anomaly shows what it found) */
		if (call.result)
			cmd_print_result(s, &call, call.result);
		if (s->capture) {
			json_decref(*s->capture);
			*s->capture = call.result ? json_incref(call.result) : NULL;
		} else if (s->lab) {
			session_lab_observe(s, &call, rc, err);
		}
	}
	if (call.result)
		json_decref(call.result);
	cmd_call_done(&call);
	return rc;
}

int cmd_run(struct session *s, char **words, const char *where, struct pm_err *err)
{
	return run_words(s, words, where, true, err);
}

int cmd_run_unlogged(struct session *s, char **words, const char *where, struct pm_err *err)
{
	return run_words(s, words, where, false, err);
}

void cmd_call_done(struct cmd_call *c)
{
	for (size_t i = 0; i < CMD_MAX_OPTS; i++)
		free(c->joined[i]);
	free(c->argv);
	c->argv = NULL;
}

/* ---- splitting lines into commands and words ---------------------------------- */
int cmdline_parse(const char *line, char ****cmds_out, struct pm_err *err)
{
	char ***cmds = NULL;
	size_t ncmds = 0, capcmds = 0;
	char **words = NULL;
	size_t nwords = 0, capwords = 0;
	struct sbuf w = {0};
	bool in_word = false;
	const char *p = line;

#define END_WORD()                                                                   \
	do {                                                                         \
		if (in_word) {                                                       \
			xgrow((void **)&words, &capwords, nwords + 2, sizeof *words); \
			words[nwords++] = sbuf_steal(&w);                            \
			words[nwords] = NULL;                                        \
			in_word = false;                                             \
		}                                                                    \
	} while (0)
#define END_CMD()                                                                    \
	do {                                                                         \
		END_WORD();                                                          \
		if (nwords) {                                                        \
			xgrow((void **)&cmds, &capcmds, ncmds + 2, sizeof *cmds);    \
			cmds[ncmds++] = words;                                       \
			cmds[ncmds] = NULL;                                          \
			words = NULL;                                                \
			nwords = capwords = 0;                                       \
		}                                                                    \
	} while (0)

	while (*p) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r') {
			END_WORD();
			p++;
		} else if (c == ';' || c == '\n') {
			END_CMD();
			p++;
		} else if (c == '#' && !in_word) {
			while (*p && *p != '\n')
				p++;
		} else if (c == '\'') {
			in_word = true;
			const char *q = strchr(p + 1, '\'');
			if (!q)
				goto unterminated;
			sbuf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (c == '"') {
			in_word = true;
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
					sbuf_putc(&w, p[1]);
					p += 2;
				} else {
					sbuf_putc(&w, *p++);
				}
			}
			if (!*p)
				goto unterminated;
			p++;
		} else if (c == '\\') {
			if (!p[1])
				goto unterminated;
			if (p[1] == '\n') {
				p += 2;
				continue;
			}
			in_word = true;
			sbuf_putc(&w, p[1]);
			p += 2;
		} else {
			in_word = true;
			sbuf_putc(&w, c);
			p++;
		}
	}
	END_CMD();
	if (!cmds) {
		cmds = xcalloc(1, sizeof *cmds);
	}
	*cmds_out = cmds;
	return (int)ncmds;

unterminated:
	sbuf_free(&w);
	if (words) {
		for (size_t i = 0; i < nwords; i++)
			free(words[i]);
		free(words);
	}
	if (cmds)
		cmdline_free(cmds);
	*cmds_out = NULL;
	/* PM_E_USAGE with this exact text lets the script reader ask for the
	 * next line (a quoted string or a backslash may span lines). */
	return pm_errcf(err, PM_E_USAGE, "unterminated quote or trailing backslash");
#undef END_WORD
#undef END_CMD
}

void cmdline_free(char ***cmds)
{
	if (!cmds)
		return;
	for (char ***c = cmds; *c; c++) {
		for (char **w = *c; *w; w++)
			free(*w);
		free(*c);
	}
	free(cmds);
}

int cmd_run_line(struct session *s, const char *line, const char *where, struct pm_err *err)
{
	char ***cmds;
	int n = cmdline_parse(line, &cmds, err);
	if (n < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < n && !s->quit; i++) {
		rc = cmd_run(s, cmds[i], where, err);
		if (rc < 0)
			break;
	}
	cmdline_free(cmds);
	return rc;
}
