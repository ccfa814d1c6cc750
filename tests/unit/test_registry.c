/* Unit tests of src/registry and of runs in a workspace: version numbering,
 * references M / M:V / M@ALIAS and their errors, loading a model through
 * its checksum, and a run from creation to its registered version. */
#include "registry/registry.h"
#include "train/train.h"
#include "workspace/workspace.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static struct workspace *ws;

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/prodml-reg-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct pm_err err = {0};
	char *w = path_join(dir, ".prodml");
	ck_assert_msg(ws_open(w, &ws, &err) == 0, "%s", err.msg);
	free(w);
}

static void teardown(void)
{
	ws_close(ws);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static struct frame *small_frame(const char *name)
{
	struct frame *f = frame_new(name, 40, 2);
	column_init(&f->cols[0], "x", PM_FLOAT, 40);
	column_init(&f->cols[1], "y", PM_FLOAT, 40);
	for (size_t i = 0; i < 40; i++) {
		f->cols[0].v.f64[i] = (double)i;
		f->cols[1].v.f64[i] = 2.0 * (double)i + 1;
		f->cols[0].valid[i] = f->cols[1].valid[i] = 1;
	}
	column_count_missing(&f->cols[0]);
	column_count_missing(&f->cols[1]);
	return f;
}

/* Registers a version backed by a real model file. */
static int64_t add_version(const char *model, char sha[65])
{
	struct frame *f = small_frame("d");
	struct train_config c;
	train_config_init(&c);
	c.data = xstrdup("d");
	c.label = xstrdup("y");
	c.epochs = 1;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, f, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	struct sbuf b = {0};
	ck_assert_int_eq(model_serialize(r.model, NULL, NULL, 0, &b, &err), 0);
	ck_assert_int_eq(ws_artifact_put(ws, b.s, b.len, sha, &err), 0);
	struct reg_version v = {0};
	v.model = xstrdup(model);
	v.artifact = xstrdup(sha);
	v.size = (int64_t)b.len;
	v.type = xstrdup("linear");
	v.task = xstrdup("regression");
	v.label = xstrdup("y");
	v.metrics = json_pack("{s:f}", "rmse", 0.5);
	ck_assert_msg(reg_version_add(ws, &v, false, &err) == 0, "%s", err.msg);
	int64_t ver = v.version;
	reg_version_free(&v);
	sbuf_free(&b);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(f);
	return ver;
}

START_TEST(test_versions_and_refs)
{
	char sha[65];
	ck_assert_int_eq(add_version("m", sha), 1);
	ck_assert_int_eq(add_version("m", sha), 2);
	ck_assert_int_eq(add_version("other", sha), 1);
	struct reg_version v;
	struct pm_err err = {0};
	ck_assert_int_eq(reg_resolve(ws, "m", &v, &err), 0);
	ck_assert_int_eq(v.version, 2);  /* M alone: the latest */
	ck_assert_str_eq(v.type, "linear");
	ck_assert_double_eq(json_real_value(json_object_get(v.metrics, "rmse")), 0.5);
	reg_version_free(&v);
	ck_assert_int_eq(reg_resolve(ws, "m:1", &v, &err), 0);
	ck_assert_int_eq(v.version, 1);
	reg_version_free(&v);
	ck_assert_int_eq(reg_alias_set(ws, "m", "production", 1, &err), 0);
	ck_assert_int_eq(reg_resolve(ws, "m@production", &v, &err), 0);
	ck_assert_int_eq(v.version, 1);
	reg_version_free(&v);
	ck_assert_int_eq(reg_alias_set(ws, "m", "production", 2, &err), 0);
	ck_assert_int_eq(reg_resolve(ws, "m@production", &v, &err), 0);
	ck_assert_int_eq(v.version, 2);
	reg_version_free(&v);
	char **al;
	ck_assert_int_eq(reg_aliases_of(ws, "m", 2, &al, &err), 0);
	ck_assert_str_eq(al[0], "production");
	ck_assert_ptr_null(al[1]);
	str_list_free(al);

	ck_assert_int_eq(reg_resolve(ws, "m:3", &v, &err), -1);
	ck_assert_str_eq(err.msg, "model 'm' has no version 3");
	ck_assert_int_eq(err.code, PM_E_NOTFOUND);
	ck_assert_int_eq(reg_resolve(ws, "m@canary", &v, &err), -1);
	ck_assert_str_eq(err.msg, "model 'm' has no alias 'canary'");
	ck_assert_int_eq(reg_resolve(ws, "nope", &v, &err), -1);
	ck_assert_str_eq(err.msg, "no model named 'nope' (see `models`)");
	ck_assert_int_eq(reg_resolve(ws, "m:0", &v, &err), -1);
	ck_assert_str_eq(err.msg, "'m:0': the version must be a number from 1");
	ck_assert_int_eq(reg_resolve(ws, "m:1@x", &v, &err), -1);
	ck_assert_str_eq(err.msg, "'m:1@x': use MODEL, MODEL:VERSION or MODEL@ALIAS");
	ck_assert_int_eq(reg_alias_set(ws, "m", "production", 9, &err), -1);
	ck_assert_str_eq(err.msg, "model 'm' has no version 9");

	char **names;
	size_t n;
	ck_assert_int_eq(reg_models(ws, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "m");
	ck_assert_str_eq(names[1], "other");
	str_list_free(names);
	struct reg_version *vs;
	ck_assert_int_eq(reg_versions(ws, "m", &vs, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(vs[0].version, 1);
	for (size_t i = 0; i < n; i++)
		reg_version_free(&vs[i]);
	free(vs);

	struct reg_version bad = {.model = "no/slash"};
	ck_assert_int_eq(reg_version_add(ws, &bad, false, &err), -1);
	ck_assert_str_eq(err.msg, "'no/slash' is not a valid model name (letters, digits, '_', '-', '.')");
}
END_TEST

START_TEST(test_load_checks_artifact)
{
	char sha[65];
	add_version("m", sha);
	struct reg_version v;
	struct pm_err err = {0};
	ck_assert_int_eq(reg_resolve(ws, "m:1", &v, &err), 0);
	struct model *m;
	ck_assert_msg(reg_load_model(ws, &v, &m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(m->type, MODEL_LINEAR);
	model_free(m);
	/* one flipped byte in the stored file */
	char *path = ws_artifact_path(ws, sha, &err);
	FILE *f = fopen(path, "r+b");
	fseek(f, 40, SEEK_SET);
	int c = fgetc(f);
	fseek(f, 40, SEEK_SET);
	fputc(c ^ 1, f);
	fclose(f);
	ck_assert_int_eq(reg_load_model(ws, &v, &m, &err), -1);
	ck_assert_msg(strncmp(err.msg, "model m:1: artifact ", 20) == 0 && strstr(err.msg, "is corrupted"),
		      "%s", err.msg);
	/* gone */
	unlink(path);
	ck_assert_int_eq(reg_load_model(ws, &v, &m, &err), -1);
	ck_assert_msg(strstr(err.msg, "is missing from") != NULL, "%s", err.msg);
	free(path);
	reg_version_free(&v);
}
END_TEST

START_TEST(test_run_registers_version)
{
	/* a run from its record to a version, through the workspace */
	struct frame *f = small_frame("d");
	char fp[17];
	frame_fingerprint(f, fp);
	char tmpl[] = "/tmp/prodml-frame-XXXXXX";
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct pm_err err = {0};
	ck_assert_msg(frame_save(f, tmpl, true, NULL, &err) == 0, "%s", err.msg);
	char sha[65];
	char *data;
	size_t len;
	ck_assert_int_eq(fs_read_all(tmpl, &data, &len, &err), 0);
	ck_assert_int_eq(ws_artifact_put(ws, data, len, sha, &err), 0);
	free(data);
	unlink(tmpl);
	struct ws_dataset d = {.name = "d", .artifact = sha, .fingerprint = fp, .rows = 40, .cols = 2,
			       .source = "test", .created = "2026-01-01T00:00:00Z"};
	ck_assert_msg(ws_dataset_put(ws, &d, &err) == 0, "%s", err.msg);

	struct train_config c;
	train_config_init(&c);
	c.model_name = xstrdup("lin");
	c.data = xstrdup("d");
	c.label = xstrdup("y");
	c.epochs = 30;
	c.lr = 0.05;
	c.batch = 4;
	c.opt = OPT_ADAM;   /* by epochs: the run records each of them */
	int64_t run;
	ck_assert_msg(run_create(ws, &c, &run, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(run, 1);
	json_t *res;
	ck_assert_msg(run_execute(ws, run, NULL, &res, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(res, "model")), "lin");
	/* y = 2x + 1 exactly: a linear model fits it */
	double rmse = json_number_value(json_object_get(json_object_get(res, "metrics"), "rmse"));
	ck_assert_double_lt(rmse, 0.05);
	json_decref(res);
	json_t *rj;
	ck_assert_int_eq(run_get(ws, run, &rj, &err), 0);
	ck_assert_str_eq(json_string_value(json_object_get(rj, "state")), "done");
	ck_assert_int_eq(json_array_size(json_object_get(rj, "epochs")), 30);
	json_decref(rj);
	ck_assert_int_eq(run_check_resumable(ws, run, &err), -1);
	ck_assert_str_eq(err.msg, "run 1 already finished: model lin version 1");
	struct reg_version v;
	ck_assert_int_eq(reg_resolve(ws, "lin", &v, &err), 0);
	ck_assert_str_eq(v.train_fingerprint, fp);
	ck_assert_int_eq(v.run, 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(v.schema, "inputs"), 0), "name")), "x");
	struct model *m;
	ck_assert_int_eq(reg_load_model(ws, &v, &m, &err), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(m->info, "run")), 1);
	model_free(m);
	reg_version_free(&v);
	train_config_free(&c);
	frame_free(f);
}
END_TEST

/* A bare version (no model file) with one metric, for the gate and history. */
static int64_t add_plain(const char *model, const char *task, const char *metric, double value)
{
	struct reg_version v = {0};
	struct pm_err err = {0};
	v.model = xstrdup(model);
	v.artifact = xstrdup("0");
	v.type = xstrdup("linear");
	v.task = xstrdup(task);
	v.metrics = json_pack("{s:f}", metric, value);
	ck_assert_msg(reg_version_add(ws, &v, false, &err) == 0, "%s", err.msg);
	int64_t ver = v.version;
	reg_version_free(&v);
	return ver;
}

START_TEST(test_alias_history_and_rollback)
{
	for (int i = 1; i <= 3; i++)
		ck_assert_int_eq(add_plain("h", "regression", "rmse", 1.0 / i), i);
	struct pm_err err = {0};
	int64_t from = -1, prev = 0, cur = 0;
	struct reg_move mv = {.action = "promote", .reason = "first"};
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 1, &mv, &from, &err), 0);
	ck_assert_int_eq(from, 0);
	ck_assert_int_eq(reg_alias_previous(ws, "h", "production", &prev, &err), -1);
	ck_assert_str_eq(err.msg, "h@production has no previous version to roll back to");
	mv.reason = NULL;
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 2, &mv, &from, &err), 0);
	ck_assert_int_eq(from, 1);
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 3, &mv, &from, &err), 0);
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 3, &mv, &from, &err), -1);
	ck_assert_str_eq(err.msg, "h@production is already version 3");
	/* a gate judged against version 2 must not move an alias now at 3 */
	struct reg_move stale = {.action = "promote", .check_from = true, .expect_from = 2};
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 1, &stale, &from, &err), -1);
	ck_assert_str_eq(err.msg, "h@production moved to version 3 while this command ran; try again");
	/* rollback walks back 3 -> 2 -> 1, then there is nothing before 1 */
	struct reg_move rb = {.action = "rollback"};
	ck_assert_int_eq(reg_alias_previous(ws, "h", "production", &prev, &err), 0);
	ck_assert_int_eq(prev, 2);
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", prev, &rb, &from, &err), 0);
	ck_assert_int_eq(reg_alias_previous(ws, "h", "production", &prev, &err), 0);
	ck_assert_int_eq(prev, 1);
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", prev, &rb, &from, &err), 0);
	ck_assert_int_eq(reg_alias_previous(ws, "h", "production", &prev, &err), -1);
	ck_assert_int_eq(reg_alias_get(ws, "h", "production", &cur, &err), 0);
	ck_assert_int_eq(cur, 1);
	/* a new move after rollbacks: rolling it back returns to 1 */
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 3, &mv, &from, &err), 0);
	ck_assert_int_eq(reg_alias_previous(ws, "h", "production", &prev, &err), 0);
	ck_assert_int_eq(prev, 1);
	struct reg_move del = {.action = "delete"};
	ck_assert_int_eq(reg_alias_move(ws, "h", "staging", 0, &del, &from, &err), -1);
	ck_assert_str_eq(err.msg, "model 'h' has no alias 'staging'");
	ck_assert_int_eq(reg_alias_move(ws, "h", "production", 0, &del, &from, &err), 0);
	ck_assert_int_eq(from, 3);
	ck_assert_int_eq(reg_alias_get(ws, "h", "production", &cur, &err), 0);
	ck_assert_int_eq(cur, 0);

	json_t *h;
	ck_assert_int_eq(reg_history(ws, "h", NULL, &h, &err), 0);
	ck_assert_uint_eq(json_array_size(h), 7);
	json_t *e0 = json_array_get(h, 0), *e6 = json_array_get(h, 6);
	ck_assert_str_eq(json_string_value(json_object_get(e0, "reason")), "first");
	ck_assert(json_is_null(json_object_get(e0, "from")));
	ck_assert_int_eq(json_integer_value(json_object_get(e0, "to")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(e6, "action")), "delete");
	ck_assert(json_is_null(json_object_get(e6, "to")));
	json_decref(h);
	/* each move wrote one audit line */
	struct db_stmt *st;
	ck_assert_int_eq(ws_prepare(ws, "SELECT count(*) FROM audit WHERE subject = 'h@production'", &st, &err), 0);
	ck_assert_int_eq(db_step(st), DB_ROW);
	ck_assert_int_eq(db_column_int(st, 0), 7);
	db_finalize(st);
}
END_TEST

static const char *reason(json_t *gate, size_t i)
{
	return json_string_value(json_array_get(json_object_get(gate, "reasons"), i));
}

START_TEST(test_gate)
{
	struct pm_err err = {0};
	add_plain("g", "regression", "rmse", 0.6);
	add_plain("g", "regression", "rmse", 0.5);
	struct reg_version h, c;
	ck_assert_int_eq(reg_version_get(ws, "g", 1, &h, &err), 0);
	ck_assert_int_eq(reg_version_get(ws, "g", 2, &c, &err), 0);
	json_t *gate;
	/* no policy: better is enough (rmse 0.5 < 0.6) */
	ck_assert_int_eq(reg_gate(ws, &c, &h, NULL, &gate, &err), 0);
	ck_assert(json_is_true(json_object_get(gate, "passed")));
	ck_assert_str_eq(json_string_value(json_object_get(gate, "metric")), "rmse");
	ck_assert_double_eq_tol(json_real_value(json_object_get(gate, "improvement")), 0.1, 1e-12);
	json_decref(gate);
	/* the holder against the candidate: worse by 0.1 */
	ck_assert_int_eq(reg_gate(ws, &h, &c, NULL, &gate, &err), 0);
	ck_assert(json_is_false(json_object_get(gate, "passed")));
	ck_assert_str_eq(reason(gate, 0), "rmse 0.6 does not beat version 2's 0.5 by 0 (worse by 0.1)");
	json_decref(gate);
	char *words[] = {"slice_floor", "city=Oslo", "rmse"};
	char *key = reg_policy_key(3, words, &err);
	ck_assert_str_eq(key, "slice_floor city=Oslo rmse");
	ck_assert_int_eq(reg_policy_set(ws, "g", key, 0.45, &err), 0);
	free(key);
	ck_assert_int_eq(reg_policy_set(ws, "g", "min_improvement", 0.2, &err), 0);
	ck_assert_int_eq(reg_policy_set(ws, "g", "floor rmse", 0.4, &err), 0);
	json_t *slices = json_pack("{s:{s:f}}", "city=Oslo", "rmse", 0.7);
	ck_assert_int_eq(reg_gate(ws, &c, &h, slices, &gate, &err), 0);
	ck_assert(json_is_false(json_object_get(gate, "passed")));
	ck_assert_uint_eq(json_array_size(json_object_get(gate, "reasons")), 3);
	ck_assert_str_eq(reason(gate, 0), "rmse 0.5 does not beat version 1's 0.6 by 0.2 (better by 0.1)");
	ck_assert_str_eq(reason(gate, 1), "rmse 0.5 is above the floor 0.4");
	ck_assert_str_eq(reason(gate, 2), "slice city=Oslo: rmse 0.7 is above the floor 0.45");
	json_decref(gate);
	/* relaxed: min_improvement 0.1 (met exactly up to rounding), floors met */
	ck_assert_int_eq(reg_policy_set(ws, "g", "min_improvement", 0.05, &err), 0);
	ck_assert_int_eq(reg_policy_set(ws, "g", "floor rmse", 0.5, &err), 0);
	json_object_set_new(json_object_get(slices, "city=Oslo"), "rmse", json_real(0.45));
	ck_assert_int_eq(reg_gate(ws, &c, &h, slices, &gate, &err), 0);
	ck_assert_msg(json_is_true(json_object_get(gate, "passed")), "%s", reason(gate, 0));
	json_decref(gate);
	/* a slice not measured fails its floor */
	ck_assert_int_eq(reg_gate(ws, &c, &h, NULL, &gate, &err), 0);
	ck_assert_str_eq(reason(gate, 0), "slice city=Oslo: no rmse measured (no rows?)");
	json_decref(gate);
	json_decref(slices);
	/* a floor on a higher-is-better metric is a minimum */
	add_plain("b", "binary", "auc", 0.7);
	struct reg_version b;
	ck_assert_int_eq(reg_version_get(ws, "b", 1, &b, &err), 0);
	ck_assert_int_eq(reg_policy_set(ws, "b", "floor auc", 0.75, &err), 0);
	ck_assert_int_eq(reg_gate(ws, &b, NULL, NULL, &gate, &err), 0);
	ck_assert_str_eq(json_string_value(json_object_get(gate, "metric")), "auc");
	ck_assert_str_eq(reason(gate, 0), "auc 0.7 is below the floor 0.75");
	json_decref(gate);
	char *bad[] = {"floor", "speed"};
	ck_assert_ptr_null(reg_policy_key(2, bad, &err));
	ck_assert_str_eq(err.msg, "floor: unknown metric 'speed' (rmse, mae, r2, auc, accuracy, logloss)");
	ck_assert_int_eq(reg_policy_set(ws, "nope", "floor auc", 1, &err), -1);
	ck_assert_str_eq(err.msg, "no model named 'nope' (see `models`)");
	reg_version_free(&b);
	reg_version_free(&h);
	reg_version_free(&c);
}
END_TEST

START_TEST(test_registration_rolls_back)
{
	/* the version row and the audit line live in one transaction: rolled
	 * back (as when the process dies before COMMIT), nothing is left and
	 * the next version takes the same number */
	struct pm_err err = {0};
	ck_assert_int_eq(add_plain("r", "regression", "rmse", 1), 1);
	ck_assert_int_eq(ws_begin(ws, &err), 0);
	struct reg_version v = {.model = xstrdup("r"), .artifact = xstrdup("0"), .type = xstrdup("linear"),
				.task = xstrdup("regression")};
	ck_assert_int_eq(reg_version_add(ws, &v, true, &err), 0);
	ck_assert_int_eq(v.version, 2);
	ws_rollback(ws);
	reg_version_free(&v);
	struct reg_version got;
	ck_assert_int_eq(reg_version_get(ws, "r", 2, &got, &err), -1);
	ck_assert_str_eq(err.msg, "model 'r' has no version 2");
	ck_assert_int_eq(add_plain("r", "regression", "rmse", 1), 2);
}
END_TEST

START_TEST(test_concurrent_writers)
{
	/* two processes register versions of one model and promote them at
	 * once: version numbers stay unique and dense, every move is recorded,
	 * and the alias history is one unbroken chain (no lost update) */
	enum { NPROC = 2, NITER = 15 };
	char sha[65];
	ck_assert_int_eq(add_version("c", sha), 1);
	pid_t pids[NPROC];
	char *w = path_join(dir, ".prodml");
	for (int p = 0; p < NPROC; p++) {
		pids[p] = fork();
		ck_assert_int_ge(pids[p], 0);
		if (pids[p] == 0) {
			struct workspace *cw;
			struct pm_err err;
			if (ws_open(w, &cw, &err) < 0)
				_exit(1);
			for (int i = 0; i < NITER; i++) {
				struct reg_version v = {.model = xstrdup("c"), .artifact = xstrdup(sha),
							.type = xstrdup("linear"), .task = xstrdup("regression"),
							.metrics = json_pack("{s:i}", "proc", p)};
				if (reg_version_add(cw, &v, false, &err) < 0)
					_exit(2);
				struct reg_move mv = {.action = "promote"};
				if (reg_alias_move(cw, "c", "production", v.version, &mv, NULL, &err) < 0)
					_exit(3);
				reg_version_free(&v);
			}
			ws_close(cw);
			_exit(0);
		}
	}
	free(w);
	for (int p = 0; p < NPROC; p++) {
		int st;
		waitpid(pids[p], &st, 0);
		ck_assert(WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), 0);
	}
	struct pm_err err = {0};
	struct reg_version *vs;
	size_t n;
	ck_assert_int_eq(reg_versions(ws, "c", &vs, &n, &err), 0);
	ck_assert_uint_eq(n, 1 + NPROC * NITER);
	int per[NPROC] = {0};
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(vs[i].version, (int64_t)i + 1);
		if (i)
			per[json_integer_value(json_object_get(vs[i].metrics, "proc"))]++;
		reg_version_free(&vs[i]);
	}
	free(vs);
	for (int p = 0; p < NPROC; p++)
		ck_assert_int_eq(per[p], NITER);
	json_t *h;
	ck_assert_int_eq(reg_history(ws, "c", "production", &h, &err), 0);
	ck_assert_uint_eq(json_array_size(h), NPROC * NITER);
	json_int_t last = 0;
	size_t i;
	json_t *e;
	json_array_foreach(h, i, e) {
		json_t *from = json_object_get(e, "from");
		ck_assert_int_eq(json_is_null(from) ? 0 : json_integer_value(from), last);
		last = json_integer_value(json_object_get(e, "to"));
	}
	json_decref(h);
	int64_t cur;
	ck_assert_int_eq(reg_alias_get(ws, "c", "production", &cur, &err), 0);
	ck_assert_int_eq(cur, last);
	struct reg_version v;
	struct model *m;
	ck_assert_int_eq(reg_version_get(ws, "c", cur, &v, &err), 0);
	ck_assert_msg(reg_load_model(ws, &v, &m, &err) == 0, "%s", err.msg);
	model_free(m);
	reg_version_free(&v);
	struct db_stmt *st;
	ck_assert_int_eq(ws_prepare(ws, "PRAGMA integrity_check", &st, &err), 0);
	ck_assert_int_eq(db_step(st), DB_ROW);
	ck_assert_str_eq((const char *)db_column_text(st, 0), "ok");
	db_finalize(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_versions_and_refs);
	tcase_add_test(tc, test_load_checks_artifact);
	tcase_add_test(tc, test_run_registers_version);
	tcase_add_test(tc, test_alias_history_and_rollback);
	tcase_add_test(tc, test_gate);
	tcase_add_test(tc, test_registration_rolls_back);
	tcase_add_test(tc, test_concurrent_writers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
