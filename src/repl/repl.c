/* The readline REPL.  readline's callbacks take no user pointer, so the
 * session being edited is reached through the one file-scope pointer below,
 * set only while repl_run is active. */
#include "repl.h"

#include <errno.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct session *active;

char *repl_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (state && *state)
		return xasprintf("%s/prodml/history", state);
	if (home && *home)
		return xasprintf("%s/.local/state/prodml/history", home);
	return NULL;
}

static char **matches;
static size_t match_i;

static char *match_gen(const char *text, int state)
{
	if (!matches || !matches[match_i])
		return NULL;
	return strdup(matches[match_i++]);
}

static char **complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	if (!active)
		return NULL;
	str_list_free(matches);
	size_t ws;
	matches = cmd_complete(active, rl_line_buffer, (size_t)end, &ws);
	match_i = 0;
	/* directories go on being completed: no space after "dir/" */
	if (matches[0] && !matches[1] && str_suffix(matches[0], "/"))
		rl_completion_append_character = 0;
	else
		rl_completion_append_character = ' ';
	return rl_completion_matches(text, match_gen);
}

static void on_sigint(int sig)
{
	(void)sig;
	if (active && active->cancel)
		*active->cancel = 1;
}

/* Runs in normal context when a signal interrupted readline's read:
 * Ctrl-C at the prompt drops the line being typed and starts afresh. */
static int on_signal_event(void)
{
	if (active && *active->cancel) {
		*active->cancel = 0;
		rl_replace_line("", 0);
		fputs("^C\n", rl_outstream ? rl_outstream : stdout);
		rl_on_new_line();
		rl_redisplay();
	}
	return 0;
}

int repl_run(struct session *s)
{
	active = s;
	rl_readline_name = "prodml";
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t;";
	rl_catch_signals = 0;
	rl_signal_event_hook = on_signal_event;
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);

	char *hist = repl_history_path();
	if (hist) {
		char *dir = xstrdup(hist);
		*strrchr(dir, '/') = 0;
		struct pm_err err;
		if (fs_mkdir_p(dir, &err) == 0)
			read_history(hist);
		free(dir);
	}
	stifle_history(5000);
	if (isatty(STDIN_FILENO))
		fprintf(s->errs, "prodml %s — `help` lists the commands, `quit` leaves.\n",
			PACKAGE_VERSION);
	/* The exit status does not depend on how the session was left (quit
	 * or Ctrl-D) nor on what failed in it: each error was reported as it
	 * happened, and -c, -f and stdin give a status that says whether the
	 * commands failed. */
	while (!s->quit) {
		*s->cancel = 0;
		char *line = readline("prodml> ");
		if (!line)
			break;
		char *t = str_trim(line);
		if (*t) {
			add_history(t);
			struct pm_err err = {0};
			if (cmd_run_line(s, t, "prodml", &err) < 0)
				fprintf(s->errs, "error: %s\n", err.msg);
		}
		free(line);
	}
	if (hist) {
		write_history(hist);
		free(hist);
	}
	str_list_free(matches);
	matches = NULL;
	sigaction(SIGINT, &old, NULL);
	active = NULL;
	return 0;
}
