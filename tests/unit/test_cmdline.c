/* Unit tests of the command layer: word splitting, lookup, option parsing,
 * completion and the man page. */
#include "cmd/cmd.h"
#include "workspace/workspace.h"

#include <sqlite3.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

static char ***parse_ok(const char *line, int expect_cmds)
{
	char ***cmds;
	struct pm_err err = {0};
	int n = cmdline_parse(line, &cmds, &err);
	ck_assert_msg(n == expect_cmds, "%s: got %d commands (%s)", line, n, err.msg);
	return cmds;
}

START_TEST(test_split_words)
{
	char ***c = parse_ok("load t 'my file.csv' --types \"a=int\" # comment; not a command", 1);
	ck_assert_str_eq(c[0][0], "load");
	ck_assert_str_eq(c[0][1], "t");
	ck_assert_str_eq(c[0][2], "my file.csv");
	ck_assert_str_eq(c[0][3], "--types");
	ck_assert_str_eq(c[0][4], "a=int");
	ck_assert_ptr_null(c[0][5]);
	cmdline_free(c);

	c = parse_ok("a; b c ;; d\ne", 4);
	ck_assert_str_eq(c[1][1], "c");
	ck_assert_str_eq(c[3][0], "e");
	cmdline_free(c);

	c = parse_ok("x \"say \\\"hi\\\"\" it\\'s a\"b\"c ''", 1);
	ck_assert_str_eq(c[0][1], "say \"hi\"");
	ck_assert_str_eq(c[0][2], "it's");
	ck_assert_str_eq(c[0][3], "abc");
	ck_assert_str_eq(c[0][4], ""); /* an empty quoted word is a word */
	cmdline_free(c);

	c = parse_ok("load q --sql \"SELECT a; b\nFROM t\"", 1);
	ck_assert_str_eq(c[0][3], "SELECT a; b\nFROM t");
	cmdline_free(c);

	c = parse_ok("   # only a comment", 0);
	ck_assert_ptr_null(c[0]);
	cmdline_free(c);

	struct pm_err err = {0};
	ck_assert_int_eq(cmdline_parse("load 'x", &c, &err), -1);
	ck_assert_int_eq(err.code, PM_E_USAGE);
	ck_assert_str_eq(err.msg, "unterminated quote or trailing backslash");
}
END_TEST

START_TEST(test_lookup)
{
	char *w1[] = {"help", "load", NULL};
	int used;
	const struct cmd_entry *e = cmd_find(2, w1, &used);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->name, "help");
	ck_assert_int_eq(used, 1);
	char *w2[] = {"nosuch", NULL};
	ck_assert_ptr_null(cmd_find(1, w2, &used));
	ck_assert_ptr_nonnull(cmd_lookup("load"));
	/* every entry is complete: help and the man page come from it */
	for (size_t i = 0; i < cmd_count(); i++) {
		const struct cmd_entry *x = cmd_at(i);
		ck_assert_msg(x->group && x->summary && *x->summary && x->help && *x->help && x->exec,
			      "command %s lacks group, summary, help or handler", x->name);
		int nopts = 0;
		for (const struct cmd_opt *o = x->opts; o && o->name; o++)
			nopts++;
		ck_assert_msg(nopts <= CMD_MAX_OPTS, "%s has %d options (at most %d)", x->name, nopts,
			      CMD_MAX_OPTS);
		for (const struct cmd_opt *o = x->opts; o && o->name; o++)
			ck_assert_msg(o->help && *o->help && str_prefix(o->name, "--"),
				      "option %s of %s lacks help", o->name, x->name);
	}
}
END_TEST

static struct session sess;
static volatile int cancel_flag;

static void setup(void)
{
	session_init(&sess, "/nonexistent/prodml-test-ws", &cancel_flag);
	sess.out = fopen("/dev/null", "w");
	sess.errs = sess.out;
}

static void teardown(void)
{
	fclose(sess.out);
	session_free(&sess);
}

START_TEST(test_usage_errors)
{
	struct pm_err err = {0};
	ck_assert_int_eq(cmd_run_line(&sess, "nosuch x", "t", &err), -1);
	ck_assert_int_eq(err.code, PM_E_USAGE);
	ck_assert_str_eq(err.msg, "unknown command \"nosuch\" (see `help`)");
	ck_assert_int_eq(cmd_run_line(&sess, "show", "t", &err), -1);
	ck_assert_str_eq(err.msg, "show: missing arguments; usage: show NAME [--rows N] [--offset N] "
				  "[--columns a,b,..]");
	ck_assert_int_eq(cmd_run_line(&sess, "show x --bogus", "t", &err), -1);
	ck_assert_str_eq(err.msg, "show: unknown option --bogus (see `help show`)");
	ck_assert_int_eq(cmd_run_line(&sess, "train m --hiden 8", "t", &err), -1);
	ck_assert_int_eq(err.code, PM_E_USAGE);
	ck_assert_str_eq(err.msg, "train: unknown option --hiden; did you mean --hidden? "
				  "(see `help train`)");
	ck_assert_int_eq(cmd_run_line(&sess, "train m --epoch=3", "t", &err), -1);
	ck_assert_str_eq(err.msg, "train: unknown option --epoch; did you mean --epochs? "
				  "(see `help train`)");
	ck_assert_int_eq(cmd_run_line(&sess, "set alert.on_drfit 'train m'", "t", &err), -1);
	ck_assert_int_eq(err.code, PM_E_USAGE);
	ck_assert_str_eq(err.msg, "set: unknown setting alert.on_drfit; did you mean alert.on_drift? "
				  "(`set` lists the settings)");
	ck_assert_ptr_null(session_get(&sess, "alert.on_drfit"));
	ck_assert_int_eq(cmd_run_line(&sess, "set colour blue", "t", &err), -1);
	ck_assert_str_eq(err.msg, "set: unknown setting colour (`set` lists the settings)");
	ck_assert_int_eq(cmd_run_line(&sess, "show x --rows", "t", &err), -1);
	ck_assert_str_eq(err.msg, "show: option --rows needs a value (N)");
	ck_assert_int_eq(cmd_run_line(&sess, "set output yaml", "t", &err), -1);
	ck_assert_str_eq(err.msg, "set output: expected table, json or csv, got \"yaml\"");
	ck_assert_int_eq(cmd_run_line(&sess, "set output csv; set threads 3", "t", &err), 0);
	ck_assert_int_eq(sess.format, OUT_CSV);
	ck_assert_int_eq(session_threads(&sess), 3);
	ck_assert_uint_eq(sess.nhistory, 2);
	ck_assert_str_eq(sess.history[1], "set threads 3");
	ck_assert_int_eq(cmd_run_line(&sess, "set alert.on_drift 'train m'", "t", &err), 0);
	ck_assert_str_eq(session_get(&sess, "alert.on_drift"), "train m");
}
END_TEST

START_TEST(test_complete)
{
	size_t ws;
	char **c = cmd_complete(&sess, "lo", 2, &ws);
	ck_assert_uint_eq(ws, 0);
	ck_assert_str_eq(c[0], "load");
	ck_assert_ptr_null(c[1]);
	str_list_free(c);
	c = cmd_complete(&sess, "show t; load x --sk", 19, &ws);
	ck_assert_uint_eq(ws, 15);
	ck_assert_str_eq(c[0], "--skip-bad");
	ck_assert_ptr_null(c[1]);
	str_list_free(c);
	c = cmd_complete(&sess, "set ", 4, &ws);
	ck_assert_str_eq(c[0], "alert.on_drift");
	str_list_free(c);
	c = cmd_complete(&sess, "set monitor.q", 13, &ws);
	ck_assert_str_eq(c[0], "monitor.quality_drop");
	ck_assert_str_eq(c[1], "monitor.quality_min_rows");
	ck_assert_ptr_null(c[2]);
	str_list_free(c);
	c = cmd_complete(&sess, "help de", 7, &ws);
	ck_assert_str_eq(c[0], "describe");
	str_list_free(c);
}
END_TEST

/* The words after a command that is a command itself (`models` lists the
 * models, `models show` is another entry) complete to its subcommands. */
static void check_completions(const char *line, const char *want)
{
	size_t ws;
	char **c = cmd_complete(&sess, line, strlen(line), &ws);
	struct sbuf b = {0};
	for (size_t i = 0; c[i]; i++)
		sbuf_printf(&b, "%s%s", i ? " " : "", c[i]);
	ck_assert_str_eq(b.s ? b.s : "", want);
	sbuf_free(&b);
	str_list_free(c);
}

START_TEST(test_complete_subcommands)
{
	check_completions("models ", "alias compare export history import lineage policy "
				     "promote quantize rollback show tag");
	check_completions("models p", "policy promote");
	check_completions("monitor ", "compact diagnose feedback ingest");
	check_completions("alerts ", "ack");
	check_completions("serve s", "stop");
	check_completions("job ", "cancel exec show wait");
	check_completions("schema ", "infer list load save set show");
	/* and the words of a subcommand are its arguments again */
	check_completions("models show --", "");
	check_completions("monitor diagnose --w", "--window");
}
END_TEST

START_TEST(test_man_page_lists_every_command)
{
	char *m = cmd_man_page(NULL);
	ck_assert(str_prefix(m, ".TH PRODML 1"));
	for (size_t i = 0; i < cmd_count(); i++) {
		/* roff spells '-' as '\\-' */
		struct sbuf nb = {0};
		sbuf_puts(&nb, ".B ");
		for (const char *p = cmd_at(i)->name; *p; p++)
			sbuf_puts(&nb, *p == '-' ? "\\-" : (char[]){*p, 0});
		char *needle = sbuf_steal(&nb);
		ck_assert_msg(strstr(m, needle) != NULL, "man page lacks %s", cmd_at(i)->name);
		free(needle);
	}
	free(m);
}
END_TEST

/* The WORKSPACE section names every table a fresh workspace has, so a new
 * migration's table must be documented in src/cmd/man.c. */
START_TEST(test_man_page_lists_every_table)
{
	char dir[] = "/tmp/prodml-test-man-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct workspace *ws;
	struct pm_err err = {0};
	ck_assert_msg(ws_open(dir, &ws, &err) == 0, "%s", err.msg);
	struct db_stmt *st;
	ck_assert_int_eq(ws_prepare(ws, "SELECT name FROM sqlite_master WHERE type = 'table' "
				   "AND name NOT LIKE 'sqlite_%' ORDER BY name", &st, &err), 0);
	char *m = cmd_man_page(NULL);
	char *ws_section = strstr(m, ".SH WORKSPACE");
	ck_assert_ptr_nonnull(ws_section);
	int tables = 0;
	while (db_step(st) == DB_ROW) {
		const char *name = (const char *)db_column_text(st, 0);
		char needle[128];
		snprintf(needle, sizeof needle, "\n.B %s\n", name);
		char needle2[128];
		snprintf(needle2, sizeof needle2, "\n.BR %s ", name);
		char needle3[128];
		snprintf(needle3, sizeof needle3, "\", \" %s\n", name);
		ck_assert_msg(strstr(ws_section, needle) || strstr(ws_section, needle2) ||
				      strstr(ws_section, needle3),
			      "table %s is not described in the WORKSPACE section of src/cmd/man.c", name);
		tables++;
	}
	ck_assert_int_ge(tables, 17);
	db_finalize(st);
	free(m);
	ws_close(ws);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* what a command line reads and writes, from the table's io declarations */
static void io_line(void *ctx, enum cmd_io_kind kind, const char *name, bool writes)
{
	static const char *const kinds[] = {"", "dataset", "model", "schema", "file"};
	sbuf_printf(ctx, "%s %s %s; ", writes ? "writes" : "reads", kinds[kind], name);
}

static char *io_of(const char *line)
{
	char ***c = parse_ok(line, 1);
	int argc = 0, used;
	while (c[0][argc])
		argc++;
	const struct cmd_entry *e = cmd_find(argc, c[0], &used);
	ck_assert_ptr_nonnull(e);
	struct cmd_call call = {.entry = e};
	call.argv = xcalloc((size_t)argc + 1, sizeof *call.argv);
	struct pm_err err = {0};
	ck_assert_msg(cmd_call_parse(e, argc - used, c[0] + used, &call, &err) == 0, "%s", err.msg);
	struct sbuf b = {0};
	cmd_call_io(&call, io_line, &b);
	cmd_call_done(&call);
	cmdline_free(c);
	return sbuf_steal(&b);
}

START_TEST(test_call_io)
{
	const char *cases[][2] = {
		{"load t data/a.csv", "writes dataset t; reads file data/a.csv; "},
		{"load t --sql 'SELECT 1'", "writes dataset t; "},
		{"split t --by-row", "reads dataset t; writes dataset t_train; writes dataset t_eval; "
				     "writes dataset t_test; "},
		{"split t --by-row --names a,b", "reads dataset t; writes dataset t_a; writes dataset t_b; "},
		{"schema infer d", "reads dataset d; writes schema d; "},
		{"schema infer d --as s", "reads dataset d; writes schema s; "},
		{"validate d --schema s --baseline b", "reads dataset d; reads schema s; reads dataset b; "},
		{"train m --data d --label y --eval e", "writes model m; reads dataset d; reads dataset e; "},
		{"models promote m:3 --to production", "reads model m:3; "},
		{"predict m@prod --data d --out p.csv", "reads model m@prod; reads dataset d; writes file p.csv; "},
		{"datasets", ""},
	};
	for (size_t i = 0; i < PM_ARRAY_LEN(cases); i++) {
		char *got = io_of(cases[i][0]);
		ck_assert_msg(strcmp(got, cases[i][1]) == 0, "%s: %s", cases[i][0], got);
		free(got);
	}
}
END_TEST

START_TEST(test_call_text)
{
	char ***c = parse_ok("train m --data 'my data' --label y --detach", 1);
	int used;
	const struct cmd_entry *e = cmd_find(6, c[0], &used);
	struct cmd_call call = {.entry = e};
	call.argv = xcalloc(8, sizeof *call.argv);
	struct pm_err err = {0};
	ck_assert_int_eq(cmd_call_parse(e, 6 - used, c[0] + used, &call, &err), 0);
	char *t = cmd_call_text(&call);
	/* options in table order, quoted so that the text reads back as the same call */
	char ***back = parse_ok(t, 1);
	ck_assert_str_eq(back[0][3], "my data");
	free(t);
	cmdline_free(back);
	cmd_call_done(&call);
	cmdline_free(c);
}
END_TEST

/* The table builder's two layouts, worked by hand: columns two spaces
 * apart with headers left-aligned, or (narrow) one space after the second
 * column with headers aligned like their column; no trailing spaces. */
START_TEST(test_table)
{
	static const char *const head[] = {"name", "n", "note"};
	static const bool right[] = {false, true, false};
	struct table *t = table_new(3, head, right);
	table_str(t, "alpha");
	table_cell(t, "%d", 7);
	table_take(t, NULL);
	table_str(t, NULL);
	table_cell(t, "%.1f", 12.25);
	table_str(t, "x");
	ck_assert_uint_eq(table_rows(t), 2);
	struct sbuf b = {0};
	table_render(t, &b);
	ck_assert_str_eq(b.s, "name   n     note\n"
			      "alpha     7\n"
			      "       12.2  x\n");
	sbuf_free(&b);
	t = table_new(3, head, right);
	table_narrow(t);
	table_str(t, "alpha");
	table_cell(t, "%d", 1234);
	table_str(t, "x"); /* a short row ends in empty cells */
	table_str(t, "b");
	table_render(t, &b);
	ck_assert_str_eq(b.s, "name      n note\n"
			      "alpha  1234 x\n"
			      "b\n");
	sbuf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_split_words);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_complete);
	tcase_add_test(tc, test_complete_subcommands);
	tcase_add_test(tc, test_man_page_lists_every_command);
	tcase_add_test(tc, test_man_page_lists_every_table);
	tcase_add_test(tc, test_call_io);
	tcase_add_test(tc, test_call_text);
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
