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
	ck_assert_msg(frame_save(f, tmpl, &err) == 0, "%s", err.msg);
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

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_versions_and_refs);
	tcase_add_test(tc, test_load_checks_artifact);
	tcase_add_test(tc, test_run_registers_version);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
