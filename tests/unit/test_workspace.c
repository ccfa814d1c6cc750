/* Unit tests of src/workspace: creation, migrations, artifacts, datasets,
 * and two processes opening one workspace at once. */
#include "workspace/workspace.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir(void)
{
	char t[] = "/tmp/pm-ws-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(t));
	return path_join(t, ".prodml");
}

static void rm_rf(const char *p)
{
	char *cmd = xasprintf("rm -rf '%s'", p);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static int version_of(struct workspace *ws)
{
	struct db_stmt *st;
	struct pm_err err;
	ck_assert_int_eq(ws_prepare(ws, "PRAGMA user_version", &st, &err), 0);
	ck_assert_int_eq(db_step(st), DB_ROW);
	int v = db_column_int(st, 0);
	db_finalize(st);
	return v;
}

START_TEST(test_create_and_migrate)
{
	char *dir = tmpdir();
	struct workspace *ws;
	struct pm_err err = {0};
	ck_assert_msg(ws_open(dir, &ws, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(version_of(ws), ws_schema_version());
	ck_assert(fs_is_dir(ws->artifacts));
	/* WAL mode is on */
	struct db_stmt *st;
	ck_assert_int_eq(ws_prepare(ws, "PRAGMA journal_mode", &st, &err), 0);
	ck_assert_int_eq(db_step(st), DB_ROW);
	ck_assert_str_eq((const char *)db_column_text(st, 0), "wal");
	db_finalize(st);
	ws_close(ws);
	/* reopening keeps the version and the data */
	ck_assert_int_eq(ws_open(dir, &ws, &err), 0);
	ck_assert_int_eq(version_of(ws), ws_schema_version());
	/* a workspace from a newer prodml is refused with a clear message */
	ck_assert_int_eq(ws_exec(ws, "PRAGMA user_version = 999", &err), 0);
	ws_close(ws);
	ck_assert_int_eq(ws_open(dir, &ws, &err), -1);
	ck_assert(strstr(err.msg, "schema version 999, newer than this prodml understands") != NULL);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_migrates_from_version_0_tables)
{
	/* an empty database file (version 0) is brought to the current version */
	char *dir = tmpdir();
	struct pm_err err;
	ck_assert_int_eq(fs_mkdir_p(dir, &err), 0);
	char *db = path_join(dir, "prodml.db");
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_close(h);
	struct workspace *ws;
	ck_assert_int_eq(ws_open(dir, &ws, &err), 0);
	ck_assert_int_eq(version_of(ws), ws_schema_version());
	ws_close(ws);
	rm_rf(dir);
	free(db);
	free(dir);
}
END_TEST

START_TEST(test_artifacts)
{
	char *dir = tmpdir();
	struct workspace *ws;
	struct pm_err err = {0};
	ck_assert_int_eq(ws_open(dir, &ws, &err), 0);
	char sha[65];
	ck_assert_int_eq(ws_artifact_put(ws, "abc", 3, sha, &err), 0);
	ck_assert_str_eq(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char *p = ws_artifact_path(ws, sha, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert(strstr(p, "/artifacts/ba/ba7816bf") != NULL);
	ck_assert_int_eq(ws_artifact_verify(ws, sha, &err), 0);
	/* the same content twice is stored once */
	char sha2[65];
	ck_assert_int_eq(ws_artifact_put(ws, "abc", 3, sha2, &err), 0);
	ck_assert_str_eq(sha, sha2);
	/* a corrupted artifact is detected */
	FILE *f = fopen(p, "w");
	fputs("abd", f);
	fclose(f);
	ck_assert_int_eq(ws_artifact_verify(ws, sha, &err), -1);
	ck_assert(strstr(err.msg, "is corrupted") != NULL);
	free(p);
	ck_assert_ptr_null(ws_artifact_path(ws, "00", &err));
	ck_assert_str_eq(err.msg, "invalid artifact id \"00\"");
	ws_close(ws);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_datasets)
{
	char *dir = tmpdir();
	struct workspace *ws;
	struct pm_err err = {0};
	ck_assert_int_eq(ws_open(dir, &ws, &err), 0);
	struct ws_dataset d = {.name = "taxi", .artifact = "aa", .fingerprint = "0123456789abcdef",
			       .rows = 10, .cols = 3, .source = "taxi.csv"};
	ck_assert_int_eq(ws_dataset_put(ws, &d, &err), 0);
	d.name = "babies";
	d.rows = 5;
	ck_assert_int_eq(ws_dataset_put(ws, &d, &err), 0);
	struct ws_dataset got;
	ck_assert_int_eq(ws_dataset_get(ws, "taxi", &got, &err), 0);
	ck_assert_int_eq(got.rows, 10);
	ck_assert_str_eq(got.source, "taxi.csv");
	ws_dataset_free(&got);
	struct ws_dataset *list;
	size_t n;
	ck_assert_int_eq(ws_dataset_list(ws, &list, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(list[0].name, "babies"); /* sorted by name */
	for (size_t i = 0; i < n; i++)
		ws_dataset_free(&list[i]);
	free(list);
	ck_assert_int_eq(ws_dataset_delete(ws, "taxi", &err), 0);
	ck_assert_int_eq(ws_dataset_get(ws, "taxi", &got, &err), -1);
	ck_assert_int_eq(err.code, PM_E_NOTFOUND);
	ck_assert_str_eq(err.msg, "no dataset named \"taxi\" (see `datasets`)");
	ws_close(ws);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_ids)
{
	char *dir = tmpdir();
	struct workspace *ws;
	struct pm_err err = {0};
	ck_assert_int_eq(ws_open(dir, &ws, &err), 0);
	/* 40 rows: past any first capacity, in the order the query asks */
	for (int i = 0; i < 40; i++) {
		char name[16];
		snprintf(name, sizeof name, "%c%02d", i % 2 ? 'b' : 'a', i);
		struct ws_dataset d = {.name = name, .artifact = "x", .fingerprint = "y",
				       .rows = 100 + i, .cols = 1, .source = "s"};
		ck_assert_int_eq(ws_dataset_put(ws, &d, &err), 0);
	}
	int64_t *ids;
	size_t n;
	ck_assert_int_eq(ws_ids(ws, "SELECT rows FROM datasets WHERE name LIKE ? || '%' ORDER BY rows DESC",
				"b", &ids, &n, &err), 0);
	ck_assert_uint_eq(n, 20);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(ids[i], 139 - 2 * (int64_t)i);
	free(ids);
	ck_assert_int_eq(ws_ids(ws, "SELECT rows FROM datasets WHERE 0", NULL, &ids, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(ids);
	ck_assert_int_eq(ws_ids(ws, "SELECT nosuch FROM datasets", NULL, &ids, &n, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no such column: nosuch"));
	ws_close(ws);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_two_processes)
{
	/* several processes create and write one new workspace at once: every
	 * write lands and the schema is migrated exactly once */
	char *dir = tmpdir();
	enum { NPROC = 4, NWRITES = 25 };
	pid_t pids[NPROC];
	for (int p = 0; p < NPROC; p++) {
		pids[p] = fork();
		ck_assert_int_ge(pids[p], 0);
		if (pids[p] == 0) {
			struct workspace *ws;
			struct pm_err err;
			if (ws_open(dir, &ws, &err) < 0) {
				fprintf(stderr, "process %d: %s\n", p, err.msg);
				_exit(1);
			}
			for (int i = 0; i < NWRITES; i++) {
				char name[32];
				snprintf(name, sizeof name, "d%d_%d", p, i);
				struct ws_dataset d = {.name = name, .artifact = "x", .fingerprint = "y",
						       .rows = i, .cols = p, .source = "s"};
				if (ws_begin(ws, &err) < 0 || ws_dataset_put(ws, &d, &err) < 0 ||
				    ws_commit(ws, &err) < 0)
					_exit(2);
			}
			ws_close(ws);
			_exit(0);
		}
	}
	for (int p = 0; p < NPROC; p++) {
		int st;
		waitpid(pids[p], &st, 0);
		ck_assert(WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), 0);
	}
	struct workspace *ws;
	struct pm_err err;
	ck_assert_int_eq(ws_open(dir, &ws, &err), 0);
	struct ws_dataset *list;
	size_t n;
	ck_assert_int_eq(ws_dataset_list(ws, &list, &n, &err), 0);
	ck_assert_uint_eq(n, NPROC * NWRITES);
	for (size_t i = 0; i < n; i++)
		ws_dataset_free(&list[i]);
	free(list);
	ck_assert_int_eq(version_of(ws), ws_schema_version());
	struct db_stmt *st;
	ck_assert_int_eq(ws_prepare(ws, "PRAGMA integrity_check", &st, &err), 0);
	ck_assert_int_eq(db_step(st), DB_ROW);
	ck_assert_str_eq((const char *)db_column_text(st, 0), "ok");
	db_finalize(st);
	ws_close(ws);
	rm_rf(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workspace");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_and_migrate);
	tcase_add_test(tc, test_migrates_from_version_0_tables);
	tcase_add_test(tc, test_artifacts);
	tcase_add_test(tc, test_datasets);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_two_processes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
