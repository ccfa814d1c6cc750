/* Unit tests of src/lab: a lab file read into steps, commands, checks and
 * hints; each operator of a check on hand-made JSON results (the ~=
 * tolerance from the digits written, [KEY=VALUE] and [N] selectors,
 * count(), contains over arrays, objects and strings, a comparison with
 * another path, a failed command's error); the format's errors; and the
 * progress a workspace keeps. */
#include "lab/lab.h"
#include "workspace/workspace.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The command layer's rule, simplified for the tests: a line ending in a
 * backslash continues. */
static bool complete(const char *t)
{
	size_t n = strlen(t);
	return !(n && t[n - 1] == '\\');
}

static const char LAB[] =
	"# A test lab.  Its second sentence.\n"
	"#@ course course lab 0\n"
	"#@ time 1 s\n"
	"\n"
	"#@ step Load\n"
	"# Read the file.\n"
	"# Look at the rows.\n"
	"#\n"
	"# A second paragraph.\n"
	"load a x.csv\n"
	"# a note after the command is not step text\n"
	"#@ expect rows == 3\n"
	"#@ hint Three rows:\n"
	"#@ hint one per line.\n"
	"stats a \\\n"
	"  --slice b\n"
	"#@ step Refused\n"
	"models promote m:2\n"
	"#@ fails refused\n"
	"#@ hint the gate\n"
	"#@ expect gate.passed == false\n";

START_TEST(parse_steps)
{
	struct lab *l;
	struct pm_err err = {0};
	ck_assert_msg(lab_parse(LAB, "dir/t.prodml", complete, &l, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(l->name, "t");
	/* no #@ lab: the first sentence of the opening comment */
	ck_assert_str_eq(l->title, "A test lab");
	ck_assert_str_eq(l->course, "course lab 0");
	ck_assert_str_eq(l->time, "1 s");
	ck_assert_uint_eq(l->nsteps, 2);
	ck_assert_str_eq(l->steps[0].title, "Load");
	ck_assert_str_eq(l->steps[0].text, "Read the file. Look at the rows.\nA second paragraph.");
	ck_assert_uint_eq(l->steps[0].ncmds, 2);
	ck_assert_str_eq(l->steps[0].cmds[0].text, "load a x.csv");
	ck_assert_uint_eq(l->steps[0].cmds[0].line, 10);
	ck_assert_uint_eq(l->steps[0].cmds[0].nchecks, 1);
	ck_assert_str_eq(l->steps[0].cmds[0].checks[0].expr, "rows == 3");
	ck_assert_uint_eq(l->steps[0].cmds[0].checks[0].line, 12);
	ck_assert_str_eq(l->steps[0].cmds[0].checks[0].hint, "Three rows: one per line.");
	ck_assert_str_eq(l->steps[0].cmds[1].text, "stats a \\\n--slice b");
	ck_assert_uint_eq(l->steps[0].cmds[1].nchecks, 0);
	ck_assert_str_eq(l->steps[1].cmds[0].fails, "refused");
	ck_assert_str_eq(l->steps[1].cmds[0].fails_hint, "the gate");
	ck_assert_ptr_null(l->steps[1].cmds[0].checks[0].hint);
	ck_assert_uint_eq(lab_nchecks(l), 3);
	lab_free(l);
}
END_TEST

START_TEST(plain_script_is_one_step)
{
	struct lab *l;
	struct pm_err err = {0};
	ck_assert(lab_parse("# Plain: a script.\nload a b.csv\n# next\nstats a\n", "p.prodml", complete,
			    &l, &err) == 0);
	ck_assert_uint_eq(l->nsteps, 1);
	ck_assert_str_eq(l->title, "Plain");
	ck_assert_str_eq(l->steps[0].title, "Plain");
	ck_assert_str_eq(l->steps[0].text, "Plain: a script.");
	ck_assert_uint_eq(l->steps[0].ncmds, 2);
	ck_assert_uint_eq(lab_nchecks(l), 0);
	lab_free(l);
}
END_TEST

static void parse_fails(const char *text, const char *msg)
{
	struct lab *l = NULL;
	struct pm_err err = {0};
	ck_assert_int_eq(lab_parse(text, "e.prodml", complete, &l, &err), -1);
	ck_assert_ptr_null(l);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(format_errors)
{
	parse_fails("#@ expect rows == 1\nload a b\n",
		    "e.prodml:1: #@ expect comes after the command whose result it checks");
	parse_fails("load a b\n#@ hint x\n",
		    "e.prodml:2: #@ hint comes after the #@ expect or #@ fails it helps with");
	parse_fails("#@ step A\nload a b\n#@ step B\n# no command\n",
		    "e.prodml:3: step \"B\" has no command");
	parse_fails("#@ stepp A\n", "e.prodml:1: unknown directive \"#@ stepp\" (lab, course, time, "
				    "step, expect, fails, hint)");
	parse_fails("#@ step\n", "e.prodml:1: a step needs a title: #@ step TITLE");
	parse_fails("load a b\n#@ expect rows >> 1\n",
		    "e.prodml:2: #@ expect rows >> 1: unknown operator \">>\" (== != < <= > >= ~= contains)");
	parse_fails("load a b\n#@ expect rows ~= x\n",
		    "e.prodml:2: #@ expect rows ~= x: \"~=\" compares with a number as written, and \"x\" "
		    "is not one");
	parse_fails("load a b\n#@ expect rows ==\n",
		    "e.prodml:2: #@ expect rows ==: \"==\" needs a value after it");
	parse_fails("load a b\n#@ expect rows == 1 2\n",
		    "e.prodml:2: #@ expect rows == 1 2: one value after \"==\" (quote one with spaces)");
	parse_fails("# nothing\n", "e.prodml:1: no command: a lab runs at least one");
	parse_fails("load a \\\n", "e.prodml:1: unterminated quote or trailing backslash");
}
END_TEST

/* 1 when expr holds on the JSON text, 0 when not; *got the value seen. */
static int eval(const char *json, const char *expr, const char *errmsg, const char *got_want)
{
	json_t *r = json ? json_loads(json, 0, NULL) : NULL;
	ck_assert(!json || r);
	char *got;
	struct pm_err err = {0};
	int ok = lab_check_eval(expr, r, errmsg, &got, &err);
	ck_assert_msg(ok >= 0, "%s: %s", expr, err.msg);
	if (got_want)
		ck_assert_str_eq(got, got_want);
	free(got);
	json_decref(r);
	return ok;
}

static const char RES[] =
	"{\"rows\":3,\"name\":\"a b\",\"linf\":0.02250000000000002,\"ok\":true,\"none\":null,"
	"\"features\":[{\"name\":\"fare\",\"linf\":0.5},{\"name\":\"company\",\"linf\":0.0082089112}],"
	"\"domain\":[\"Cash\",\"Credit Card\"],"
	"\"anomalies\":[{\"feature\":\"payment_type\",\"comparator\":\"skew\",\"value\":0.0225}],"
	"\"reasons\":[\"auc 0.95 does not beat version 2\"],"
	"\"input_wait_s\":0.25,\"compute_s\":1.5}";

START_TEST(check_operators)
{
	ck_assert_int_eq(eval(RES, "rows == 3", NULL, "3"), 1);
	ck_assert_int_eq(eval(RES, "rows != 3", NULL, NULL), 0);
	ck_assert_int_eq(eval(RES, "rows > 2", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "rows >= 3", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "rows < 3", NULL, NULL), 0);
	ck_assert_int_eq(eval(RES, "rows <= 2.5", NULL, NULL), 0);
	ck_assert_int_eq(eval(RES, "name == \"a b\"", NULL, "a b"), 1);
	ck_assert_int_eq(eval(RES, "name == a", NULL, NULL), 0);
	/* ~= 0.0225 allows half a unit of the fourth decimal: [0.02245, 0.02255] */
	ck_assert_int_eq(eval(RES, "linf ~= 0.0225", NULL, "0.0225"), 1);
	ck_assert_int_eq(eval(RES, "linf ~= 0.022", NULL, NULL), 1);   /* +-0.0005 */
	ck_assert_int_eq(eval(RES, "linf ~= 0.0224", NULL, NULL), 0);  /* 0.0001 off, tolerance 0.00005 */
	ck_assert_int_eq(eval(RES, "linf ~= 0.02", NULL, NULL), 1);    /* +-0.005 */
	ck_assert_int_eq(eval(RES, "linf ~= 2.25e-2", NULL, NULL), 1); /* +-0.5e-4 */
	ck_assert_int_eq(eval(RES, "linf ~= 2.2e-2", NULL, NULL), 1);  /* 0.0005 off, tolerance 0.0005: the edge is in */
	ck_assert_int_eq(eval(RES, "linf ~= 2.1e-2", NULL, NULL), 0);  /* 0.0015 off */
	ck_assert_int_eq(eval(RES, "rows ~= 3", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "rows ~= 4", NULL, NULL), 0);
	/* a comparison with another value of the result */
	ck_assert_int_eq(eval(RES, "compute_s > input_wait_s", NULL, "1.5"), 1);
	ck_assert_int_eq(eval(RES, "input_wait_s > compute_s", NULL, NULL), 0);
	ck_assert_int_eq(eval(RES, "input_wait_s > nosuch", NULL, NULL), 0);
	/* truthiness */
	ck_assert_int_eq(eval(RES, "ok", NULL, "true"), 1);
	ck_assert_int_eq(eval(RES, "none", NULL, "null"), 0);
	ck_assert_int_eq(eval(RES, "missing", NULL, "(none)"), 0);
}
END_TEST

START_TEST(check_paths)
{
	ck_assert_int_eq(eval(RES, "features[name=company].linf ~= 0.0082089", NULL, "0.00820891"), 1);
	ck_assert_int_eq(eval(RES, "features[1].name == company", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "features[-1].name == company", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "features[2].name == company", NULL, "(none)"), 0);
	ck_assert_int_eq(eval(RES, "features[name=nosuch].linf > 0", NULL, "(none)"), 0);
	ck_assert_int_eq(eval(RES, "domain[name=x]", NULL, "(none)"), 0);
	ck_assert_int_eq(eval(RES, "count(features) == 2", NULL, "2"), 1);
	ck_assert_int_eq(eval(RES, "count(features[0]) == 2", NULL, NULL), 1);  /* an object's members */
	ck_assert_int_eq(eval(RES, "count(rows) == 1", NULL, "(none)"), 0);
	ck_assert_int_eq(eval(RES, "rows.x == 1", NULL, "(none)"), 0);
	char *got;
	struct pm_err err = {0};
	json_t *r = json_loads(RES, 0, NULL);
	ck_assert_int_eq(lab_check_eval("features[1 == 2", r, NULL, &got, &err), -1);
	/* a bracket holds spaces (rows[value=Credit Card]), so the path runs on */
	ck_assert_str_eq(err.msg, "\"features[1 == 2\": a [ without its ]");
	ck_assert_int_eq(lab_check_eval("features[x].name == 2", r, NULL, &got, &err), -1);
	ck_assert_str_eq(err.msg, "\"features[x].name\": [x] is neither an index nor KEY=VALUE");
	json_decref(r);
}
END_TEST

START_TEST(check_contains)
{
	/* an element whose values include every word */
	ck_assert_int_eq(eval(RES, "anomalies contains payment_type skew", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "anomalies contains payment_type drift", NULL, NULL), 0);
	ck_assert_int_eq(eval(RES, "anomalies contains 0.0225", NULL, NULL), 1);
	/* a list of values: each word one of them */
	ck_assert_int_eq(eval(RES, "domain contains Cash \"Credit Card\"", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "domain contains Cash Prcard", NULL, NULL), 0);
	/* a string element holding the words */
	ck_assert_int_eq(eval(RES, "reasons contains \"does not beat\"", NULL, NULL), 1);
	/* an object, a string */
	ck_assert_int_eq(eval(RES, "anomalies[0] contains skew", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "name contains a b", NULL, NULL), 1);
	ck_assert_int_eq(eval(RES, "name contains c", NULL, NULL), 0);
	ck_assert_int_eq(eval(RES, "rows contains 3", NULL, NULL), 0);
}
END_TEST

START_TEST(check_error_of_a_failed_command)
{
	ck_assert_int_eq(eval(NULL, "error contains refused", "promotion refused: 1 check failed", NULL), 1);
	ck_assert_int_eq(eval(NULL, "rows == 3", "x", "(none)"), 0);
	/* a failed command that left a result: both */
	ck_assert_int_eq(eval("{\"promoted\":false}", "promoted == false", "refused", NULL), 1);
	ck_assert_int_eq(eval("{\"promoted\":false}", "error == refused", "refused", NULL), 1);
	ck_assert_int_eq(eval("[1,2]", "error == refused", "refused", NULL), 1);
}
END_TEST

START_TEST(progress_in_a_workspace)
{
	char dir[] = "/tmp/prodml-lab-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct workspace *ws;
	struct pm_err err = {0};
	ck_assert_msg(ws_open(dir, &ws, &err) == 0, "%s", err.msg);
	struct lab *l;
	ck_assert(lab_parse(LAB, "t.prodml", complete, &l, &err) == 0);
	char *active;
	ck_assert_int_eq(lab_progress_active(ws, &active, &err), 0);
	ck_assert_ptr_null(active);
	ck_assert_int_eq(lab_progress_start(ws, l, &err), 0);
	ck_assert_int_eq(lab_progress_active(ws, &active, &err), 0);
	ck_assert_str_eq(active, "t");
	free(active);
	ck_assert_int_eq(lab_progress_done(ws, l, 2, "guided", "models promote m:2", &err), 0);
	bool *done;
	ck_assert_int_eq(lab_progress_steps(ws, l, &done, &err), 0);
	ck_assert(!done[0] && done[1]);
	free(done);
	json_t *list, *rows;
	ck_assert_int_eq(lab_progress_list(ws, &list, &err), 0);
	json_t *t = json_array_get(json_object_get(list, "labs"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(t, "lab")), "t");
	ck_assert_int_eq(json_integer_value(json_object_get(t, "steps")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(t, "done")), 1);
	ck_assert(json_is_true(json_object_get(t, "active")));
	json_decref(list);
	ck_assert_int_eq(lab_progress_rows(ws, "t", &rows, &err), 0);
	ck_assert_uint_eq(json_array_size(rows), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "how")), "guided");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "title")), "Refused");
	json_decref(rows);
	int64_t n;
	ck_assert_int_eq(lab_progress_reset(ws, "other", &n, &err), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(lab_progress_reset(ws, "t", &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(lab_progress_steps(ws, l, &done, &err), 0);
	ck_assert(!done[0] && !done[1]);
	free(done);
	ck_assert_int_eq(lab_progress_active(ws, &active, &err), 0);
	ck_assert_ptr_null(active);
	lab_free(l);
	ws_close(ws);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lab");
	TCase *tc = tcase_create("lab");
	tcase_add_test(tc, parse_steps);
	tcase_add_test(tc, plain_script_is_one_step);
	tcase_add_test(tc, format_errors);
	tcase_add_test(tc, check_operators);
	tcase_add_test(tc, check_paths);
	tcase_add_test(tc, check_contains);
	tcase_add_test(tc, check_error_of_a_failed_command);
	tcase_add_test(tc, progress_in_a_workspace);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
