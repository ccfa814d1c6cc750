/* Unit tests of src/monitor: nearest-rank percentiles, the summary of a
 * hand-made request log, alerts and retention. */
#include "monitor/monitor.h"
#include "workspace/workspace.h"
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

START_TEST(percentile_nearest_rank)
{
	/* n = 10: p50 -> rank ceil(5) = 5, p90 -> 9, p95 -> ceil(9.5) = 10,
	 * p99 -> 10, p1 -> rank 1, p0 -> rank 1 (clamped). */
	int64_t v[] = {15, 20, 35, 40, 50, 60, 70, 80, 90, 100};
	ck_assert(monitor_percentile(v, 10, 50) == 50);
	ck_assert(monitor_percentile(v, 10, 90) == 90);
	ck_assert(monitor_percentile(v, 10, 95) == 100);
	ck_assert(monitor_percentile(v, 10, 99) == 100);
	ck_assert(monitor_percentile(v, 10, 1) == 15);
	ck_assert(monitor_percentile(v, 10, 0) == 15);
	/* n = 5 (Wikipedia's example 15 20 35 40 50): p30 -> rank 2 = 20,
	 * p40 -> 2, p50 -> 3 = 35, p100 -> 50. */
	ck_assert(monitor_percentile(v, 5, 30) == 20);
	ck_assert(monitor_percentile(v, 5, 40) == 20);
	ck_assert(monitor_percentile(v, 5, 50) == 35);
	ck_assert(monitor_percentile(v, 5, 100) == 50);
	ck_assert(isnan(monitor_percentile(v, 0, 50)));
}
END_TEST

static struct workspace *tmp_ws(char *dir)
{
	struct workspace *ws;
	struct pm_err err = {0};
	strcpy(dir, "/tmp/prodml-monitor-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(ws_open(dir, &ws, &err) == 0, "%s", err.msg);
	return ws;
}

START_TEST(summary_of_a_log)
{
	char dir[64];
	struct pm_err err = {0};
	struct workspace *ws = tmp_ws(dir);
	/* Four requests 30 s apart; one error; one batch of two rows. */
	static const int64_t lat[] = {4000, 1000, 3000, 2000};
	static const int status[] = {200, 200, 503, 200};
	static const char *const feats[] = {"[{\"c\":\"a\",\"x\":1}]", "[{\"c\":\"a\",\"x\":2}]",
					    NULL, "[{\"c\":\"b\",\"x\":2},{\"c\":\"b\",\"x\":null}]"};
	int64_t t0 = 1767225600000000LL;
	for (int i = 0; i < 4; i++) {
		struct monitor_request r = {.time_us = t0 + i * 30000000LL, .model = "m",
					    .version = 1, .status = status[i],
					    .latency_us = lat[i], .rows = i == 3 ? 2 : 1,
					    .features = feats[i]};
		ck_assert_msg(monitor_log_insert(ws, &r, &err) == 0, "%s", err.msg);
	}
	/* Training data: c = a, a, b, b; x = 1, 2. */
	struct frame *f = frame_new("train", 4, 1);
	column_init(&f->cols[0], "c", PM_STRING, 4);
	for (int i = 0; i < 4; i++) {
		f->cols[0].v.code[i] = strdict_intern(f->cols[0].dict, i < 2 ? "a" : "b", 1);
		f->cols[0].valid[i] = 1;
	}
	column_count_missing(&f->cols[0]);
	struct monitor_options o = {.since_us = INT64_MIN, .window_us = 60000000LL,
				    .threshold = 0.3, .baseline = f};
	json_t *res;
	ck_assert_msg(monitor_summary(ws, "m", &o, &res, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "requests")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "errors")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "rows")), 5);
	json_t *l = json_object_get(res, "latency");
	/* sorted 1 2 3 4 ms: p50 rank 2 -> 2 ms, p90 rank 4 -> 4 ms. */
	ck_assert(json_real_value(json_object_get(l, "p50")) == 2.0);
	ck_assert(json_real_value(json_object_get(l, "p90")) == 4.0);
	json_t *fa = json_object_get(res, "features");
	ck_assert_int_eq(json_array_size(fa), 1);
	json_t *c = json_array_get(fa, 0);
	/* Logged c: a a b b (shares .5 .5) vs train .5 .5: skew 0.  Window
	 * [t0+30.000001s, t0+90.000001s): the requests at 60 s (no features)
	 * and 90 s -> c = b, b; the window before: c = a, a.  L-inf = 1. */
	ck_assert(json_real_value(json_object_get(c, "skew")) == 0.0);
	ck_assert(json_real_value(json_object_get(c, "drift")) == 1.0);
	ck_assert(json_is_true(json_object_get(c, "alert")));
	json_decref(res);
	frame_free(f);

	/* Alerts: raised once, acked once. */
	bool opened;
	ck_assert(monitor_alert_raise(ws, "m", "drift", "c", 1.0, 0.3, &opened, &err) == 0 && opened);
	ck_assert(monitor_alert_raise(ws, "m", "drift", "c", 1.0, 0.3, &opened, &err) == 0 && !opened);
	json_t *a;
	ck_assert(monitor_alert_list(ws, false, &a, &err) == 0);
	ck_assert_int_eq(json_array_size(a), 1);
	json_decref(a);
	ck_assert(monitor_alert_ack(ws, 1, &err) == 0);
	ck_assert(monitor_alert_ack(ws, 1, &err) == -1);
	ck_assert_str_eq(err.msg, "no open alert 1");

	/* Retention: the first three requests (before t0 + 61 s) fall in two
	 * minutes; they leave the log and stay as rollups. */
	int64_t rolled;
	ck_assert_msg(monitor_compact(ws, t0 + 61000000LL, &rolled, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rolled, 3);
	sqlite3_stmt *st;
	ck_assert(ws_prepare(ws, "SELECT minute_us - ?, requests, errors, latency_sum_us FROM rollups"
				 " ORDER BY minute_us", &st, &err) == 0);
	sqlite3_bind_int64(st, 1, t0);
	ck_assert(sqlite3_step(st) == SQLITE_ROW);
	ck_assert(sqlite3_column_int64(st, 0) == 0 && sqlite3_column_int64(st, 1) == 2 &&
		  sqlite3_column_int64(st, 2) == 0 && sqlite3_column_int64(st, 3) == 5000);
	ck_assert(sqlite3_step(st) == SQLITE_ROW);
	ck_assert(sqlite3_column_int64(st, 0) == 60000000 && sqlite3_column_int64(st, 1) == 1 &&
		  sqlite3_column_int64(st, 2) == 1 && sqlite3_column_int64(st, 3) == 3000);
	ck_assert(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	ws_close(ws);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert(system(cmd) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, percentile_nearest_rank);
	tcase_add_test(tc, summary_of_a_log);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
