/* prodml: argument parsing; picks a face (REPL, script, single command). */
#include "cmd/cmd.h"
#include "repl/repl.h"
#include "tui/tui.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one piece of state a signal handler may touch. */
static volatile int cancel_flag;

static void on_sigint(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: prodml [options]                  the workbench (TUI) or commands from stdin\n"
		"       prodml [options] -c 'CMD; CMD'    run commands and exit\n"
		"       prodml [options] -f FILE          run a script\n"
		"       prodml [options] COMMAND [ARGS]   run one command (e.g. prodml serve M)\n"
		"options:\n"
		"  -W, --workspace DIR      workspace (default ./.prodml; env PRODML_WORKSPACE), or\n"
		"                           postgresql://USER@HOST/DB?artifacts=DIR\n"
		"  -o, --output FORMAT      table, json or csv\n"
		"  -q, --quiet              no progress output\n"
		"  -v, --verbose            scripts show each command and comment before its output\n"
		"      --keep-going         a failing command does not stop the script\n"
		"      --repl               the line REPL even on a terminal\n"
		"      --man                print the manual page (roff)\n"
		"      --version            print the version\n"
		"`prodml -c help` lists the commands.\n");
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	enum { OPT_REPL = 256, OPT_MAN, OPT_VERSION, OPT_KEEP_GOING, OPT_TUI_DUMP, OPT_KEYS,
	       OPT_TUI_STYLES };
	static const struct option longopts[] = {
		{"workspace", required_argument, NULL, 'W'},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"repl", no_argument, NULL, OPT_REPL},
		{"man", no_argument, NULL, OPT_MAN},
		{"version", no_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, 'h'},
		/* hidden, for the screen tests: render the TUI to text */
		{"tui-dump", required_argument, NULL, OPT_TUI_DUMP},
		{"keys", required_argument, NULL, OPT_KEYS},
		{"tui-styles", no_argument, NULL, OPT_TUI_STYLES},
		{NULL, 0, NULL, 0},
	};
	const char *ws_dir = getenv("PRODML_WORKSPACE");
	const char *commands = NULL, *file = NULL, *output = NULL;
	const char *tui_dump_size = NULL, *tui_keys = NULL;
	bool quiet = false, echo = false, keep_going = false, force_repl = false, tui_styles = false;
	int c;
	/* '+': options end at the first command word (prodml serve --port 1) */
	while ((c = getopt_long(argc, argv, "+W:o:qvc:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'W': ws_dir = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'v': echo = true; break;
		case 'c': commands = optarg; break;
		case 'f': file = optarg; break;
		case OPT_KEEP_GOING: keep_going = true; break;
		case OPT_REPL: force_repl = true; break;
		case OPT_TUI_DUMP: tui_dump_size = optarg; break;
		case OPT_KEYS: tui_keys = optarg; break;
		case OPT_TUI_STYLES: tui_styles = true; break;
		case OPT_MAN: {
			char *keys = tui_man_keys();
			char *m = cmd_man_page(keys);
			fputs(m, stdout);
			free(m);
			free(keys);
			return 0;
		}
		case OPT_VERSION: printf("prodml %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!!commands + !!file + (optind < argc) + force_repl + !!tui_dump_size > 1) {
		fprintf(stderr, "prodml: give only one of -c, -f, --repl or a command\n");
		return 2;
	}
	if (!ws_dir || !*ws_dir)
		ws_dir = ".prodml";

	struct session s;
	session_init(&s, ws_dir, &cancel_flag);
	s.quiet = quiet;
	s.echo = echo;
	s.keep_going = keep_going;
	if (output) {
		if (strcmp(output, "table") == 0)
			s.format = OUT_TABLE;
		else if (strcmp(output, "json") == 0)
			s.format = OUT_JSON;
		else if (strcmp(output, "csv") == 0)
			s.format = OUT_CSV;
		else {
			fprintf(stderr, "prodml: --output expects table, json or csv, got \"%s\"\n", output);
			session_free(&s);
			return 2;
		}
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int status;
	if (tui_dump_size) {
		struct pm_err err = {0};
		status = 0;
		if (tui_dump(&s, tui_dump_size, tui_keys, tui_styles, stdout, &err) < 0) {
			fprintf(stderr, "prodml: %s\n", err.msg);
			status = err.code == PM_E_USAGE ? 2 : 1;
		}
	} else if (commands) {
		FILE *in = fmemopen((void *)commands, strlen(commands), "r");
		status = in ? cmd_run_script(&s, in, "-c") : 1;
		if (in)
			fclose(in);
	} else if (file) {
		FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
		if (!in) {
			fprintf(stderr, "prodml: %s: %s\n", file, strerror(errno));
			session_free(&s);
			return 1;
		}
		status = cmd_run_script(&s, in, strcmp(file, "-") == 0 ? "<stdin>" : file);
		if (in != stdin)
			fclose(in);
	} else if (optind < argc) {
		struct pm_err err = {0};
		status = 0;
		if (cmd_run(&s, argv + optind, "prodml", &err) < 0) {
			fprintf(stderr, "prodml: %s\n", err.msg);
			status = err.code == PM_E_USAGE ? 2 : 1;
		}
	} else if (force_repl) {
		status = repl_run(&s);
	} else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		struct pm_err err = {0};
		status = tui_run(&s, &err);
		if (status < 0) {
			fprintf(stderr, "prodml: %s; starting the line REPL\n", err.msg);
			status = repl_run(&s);
		}
	} else {
		status = cmd_run_script(&s, stdin, "<stdin>");
	}
	session_free(&s);
	return status;
}
