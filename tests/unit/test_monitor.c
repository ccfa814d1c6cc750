/* Unit tests of src/monitor: nearest-rank percentiles, the summary of a
 * hand-made request log, alerts, retention and its rollups, per-feature
 * thresholds of a schema, service alerts, and feedback joins with the live
 * quality they give. */
#include "features/features.h"
#include "model/model.h"
#include "monitor/monitor.h"
#include "validate/validate.h"
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
	struct monitor_options o;
	monitor_options_init(&o);
	o.window_us = 60000000LL;
	o.baseline = f;
	/* two rows a side prove nothing: alpha 1 leaves the distances to decide */
	o.alpha = 1;
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
	struct monitor_compact_result cr;
	ck_assert_msg(monitor_compact(ws, t0 + 61000000LL, INT64_MIN, &cr, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cr.rolled, 3);
	ck_assert_int_eq(cr.rollups_dropped, 0);
	struct db_stmt *st;
	ck_assert(ws_prepare(ws, "SELECT minute_us - ?, requests, errors, latency_sum_us, statuses,"
				 " latency_hist, batches FROM rollups ORDER BY minute_us", &st, &err) == 0);
	db_bind_int64(st, 1, t0);
	ck_assert(db_step(st) == DB_ROW);
	ck_assert(db_column_int64(st, 0) == 0 && db_column_int64(st, 1) == 2 &&
		  db_column_int64(st, 2) == 0 && db_column_int64(st, 3) == 5000);
	ck_assert_str_eq((const char *)db_column_text(st, 4), "[]");
	ck_assert_str_eq((const char *)db_column_text(st, 5), "[[1000,1],[4000,1]]");
	ck_assert_str_eq((const char *)db_column_text(st, 6), "[[1,2]]");
	ck_assert(db_step(st) == DB_ROW);
	ck_assert(db_column_int64(st, 0) == 60000000 && db_column_int64(st, 1) == 1 &&
		  db_column_int64(st, 2) == 1 && db_column_int64(st, 3) == 3000);
	ck_assert_str_eq((const char *)db_column_text(st, 4), "[[503,1]]");
	ck_assert(db_step(st) == DB_DONE);
	db_finalize(st);
	ws_close(ws);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert(system(cmd) == 0);
}
END_TEST


static void rm_ws(struct workspace *ws, const char *dir)
{
	ws_close(ws);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert(system(cmd) == 0);
}

static void log_req(struct workspace *ws, int64_t t, int64_t version, int status, int64_t lat,
		    int64_t rows, const char *features, const char *pred)
{
	struct pm_err err = {0};
	struct monitor_request r = {.time_us = t, .model = "m", .version = version, .status = status,
				    .latency_us = lat, .rows = rows, .features = features,
				    .prediction = pred};
	ck_assert_msg(monitor_log_insert(ws, &r, &err) == 0, "%s", err.msg);
}

static double lat_ms(json_t *o, const char *p)
{
	return json_number_value(json_object_get(json_object_get(o, "latency"), p));
}

START_TEST(round3)
{
	ck_assert_int_eq(monitor_round3(999), 999);
	ck_assert_int_eq(monitor_round3(1005), 1010);
	ck_assert_int_eq(monitor_round3(12345), 12300);
	ck_assert_int_eq(monitor_round3(12350), 12400);
	ck_assert_int_eq(monitor_round3(99999), 100000);
	ck_assert_int_eq(monitor_round3(250000), 250000);
}
END_TEST

/* Latency percentiles over raw requests, then over rollups and raw requests
 * together, then over rollups only.  Minute 0: 20 requests of 1234, 2234,
 * .., 20234 us (version 1, status 200); minute 1: 10 requests of 500, 999,
 * 1005, 3000, 3001, 7777, 12345, 12350, 99999, 250000 us (version 2), two of
 * them failing with 503 and one with 500.  Nearest ranks over the 30
 * (ranks 15, 27, 29, 30), worked by hand from the sorted values:
 *   raw:               p50 9234  p90 19234  p95 99999   p99 250000
 *   minute 0 rolled:   p50 9230  p90 19200  p95 99999   p99 250000
 *   both rolled:       p50 9230  p90 19200  p95 100000  p99 250000
 * (a rolled-up latency keeps 3 significant digits: 9234 -> 9230, 19234 ->
 * 19200, 99999 -> 100000). */
START_TEST(rollup_percentiles)
{
	char dir[64];
	struct pm_err err = {0};
	struct workspace *ws = tmp_ws(dir);
	int64_t t0 = 1767225600000000LL;
	for (int i = 1; i <= 20; i++)
		log_req(ws, t0 + i * 1000000LL, 1, 200, 1000 * i + 234, 1, NULL, NULL);
	static const int64_t m1[] = {500, 999, 1005, 3000, 3001, 7777, 12345, 12350, 99999, 250000};
	for (int i = 0; i < 10; i++)
		log_req(ws, t0 + 60000000LL + i * 1000000LL, 2, i == 2 || i == 5 ? 503 : i == 9 ? 500 : 200,
			m1[i], i + 1, NULL, NULL);
	struct monitor_options o;
	monitor_options_init(&o);
	o.latency_p99_ms = 100;    /* minute 1's p99 250 ms is over */
	o.error_rate = 0.2;        /* 3 of 10 in version 2 is over */
	static const double want[3][4] = {{9.234, 19.234, 99.999, 250},
					  {9.23, 19.2, 99.999, 250},
					  {9.23, 19.2, 100, 250}};
	static const char *const pn[] = {"p50", "p90", "p95", "p99"};
	for (int stage = 0; stage < 3; stage++) {
		if (stage) {
			struct monitor_compact_result cr;
			int64_t before = stage == 1 ? t0 + 60000000LL : t0 + 3600000000LL;
			ck_assert_msg(monitor_compact(ws, before, INT64_MIN, &cr, &err) == 0, "%s", err.msg);
			ck_assert_int_eq(cr.rolled, stage == 1 ? 20 : 10);
		}
		json_t *res;
		ck_assert_msg(monitor_summary(ws, "m", &o, &res, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(json_integer_value(json_object_get(res, "requests")), 30);
		ck_assert_int_eq(json_integer_value(json_object_get(res, "errors")), 3);
		ck_assert_int_eq(json_integer_value(json_object_get(res, "rows")), 20 + 55);
		ck_assert_int_eq(json_integer_value(json_object_get(res, "rolled_up")),
				 stage == 0 ? 0 : stage == 1 ? 20 : 30);
		json_t *st = json_object_get(res, "errors_by_status");
		ck_assert_int_eq(json_integer_value(json_object_get(st, "503")), 2);
		ck_assert_int_eq(json_integer_value(json_object_get(st, "500")), 1);
		for (int k = 0; k < 4; k++)
			ck_assert_msg(fabs(lat_ms(res, pn[k]) - want[stage][k]) < 1e-9, "stage %d %s: %g",
				      stage, pn[k], lat_ms(res, pn[k]));
		/* batch sizes: minute 1 sends 1..10 rows; over all 30 the
		 * largest is 10 and p50 (rank 15) is 1 */
		json_t *b = json_object_get(res, "batch");
		ck_assert_int_eq(json_integer_value(json_object_get(b, "max")), 10);
		ck_assert(json_number_value(json_object_get(b, "p50")) == 1);
		/* one 1h window holding both versions */
		json_t *series = json_object_get(res, "series");
		ck_assert_int_eq(json_array_size(series), 1);
		json_t *vs = json_object_get(json_array_get(series, 0), "versions");
		ck_assert_int_eq(json_array_size(vs), 2);
		json_t *v2 = json_array_get(vs, 1);
		ck_assert_int_eq(json_integer_value(json_object_get(v2, "version")), 2);
		ck_assert_int_eq(json_integer_value(json_object_get(v2, "requests")), 10);
		ck_assert(json_number_value(json_object_get(v2, "error_rate")) == 0.3);
		/* version 2 alone: p50 rank 5 = 3001 us raw, 3000 rolled up */
		ck_assert(fabs(lat_ms(v2, "p50") - (stage == 2 ? 3.0 : 3.001)) < 1e-9);
		/* due: version 2's error rate and p99, once each; version 1
		 * (p99 20.234 ms, no errors) none */
		json_t *due = json_object_get(res, "due");
		ck_assert_int_eq(json_array_size(due), 2);
		json_t *d0 = json_array_get(due, 0), *d1 = json_array_get(due, 1);
		ck_assert_str_eq(json_string_value(json_object_get(d0, "kind")), "error_rate");
		ck_assert(json_number_value(json_object_get(d0, "value")) == 0.3);
		ck_assert(json_number_value(json_object_get(d0, "threshold")) == 0.2);
		ck_assert_str_eq(json_string_value(json_object_get(d1, "kind")), "latency");
		ck_assert(json_number_value(json_object_get(d1, "value")) == 250);
		ck_assert_int_eq(json_integer_value(json_object_get(d1, "version")), 2);
		ck_assert_str_eq(json_string_value(json_object_get(d1, "window")), "2026-01-01 00:00:00");
		if (stage == 0) {
			/* raised once per window: the second time opens nothing */
			json_t *op;
			ck_assert_msg(monitor_alerts_raise(ws, "m", due, &op, &err) == 0, "%s", err.msg);
			ck_assert_int_eq(json_array_size(op), 2);
			json_decref(op);
			ck_assert_msg(monitor_alerts_raise(ws, "m", due, &op, &err) == 0, "%s", err.msg);
			ck_assert_int_eq(json_array_size(op), 0);
			json_decref(op);
			json_t *a;
			ck_assert(monitor_alert_list(ws, false, &a, &err) == 0);
			ck_assert_int_eq(json_array_size(a), 2);
			json_t *a1 = json_array_get(a, 1);
			ck_assert_str_eq(json_string_value(json_object_get(a1, "kind")), "latency");
			ck_assert_str_eq(json_string_value(json_object_get(a1, "window")), "2026-01-01 00:00:00");
			ck_assert_int_eq(json_integer_value(json_object_get(a1, "version")), 2);
			json_decref(a);
		}
		json_decref(res);
	}

	/* retention: rollups past the rollup horizon go, the others stay */
	struct monitor_compact_result cr;
	ck_assert_msg(monitor_compact(ws, t0 + 3600000000LL, t0 + 60000000LL, &cr, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(cr.rolled, 0);
	ck_assert_int_eq(cr.rollups_dropped, 1);
	json_t *res;
	ck_assert_msg(monitor_summary(ws, "m", &o, &res, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "requests")), 10);
	ck_assert(fabs(lat_ms(res, "p50") - 3.0) < 1e-9);
	json_decref(res);
	rm_ws(ws, dir);
}
END_TEST

/* The schema's comparators choose distance and threshold per feature and
 * side.  Logged c: a a | b b (windows of one minute, as summary_of_a_log)
 * against training a a b b: skew 0 with either distance, drift L-inf 1 and
 * JSD (base 2) between (1, 0) and (0, 1) = 1. */
START_TEST(schema_thresholds)
{
	char dir[64];
	struct pm_err err = {0};
	struct workspace *ws = tmp_ws(dir);
	int64_t t0 = 1767225600000000LL;
	static const char *const feats[] = {"[{\"c\":\"a\",\"x\":1}]", "[{\"c\":\"a\",\"x\":2}]",
					    "[{\"c\":\"b\",\"x\":3}]", "[{\"c\":\"b\",\"x\":4}]"};
	for (int i = 0; i < 4; i++)
		log_req(ws, t0 + i * 30000000LL + (i >= 2 ? 30000000LL : 0), 0, 200, 1000, 1, feats[i],
			NULL);
	struct frame *f = frame_new("train", 4, 2);
	column_init(&f->cols[0], "c", PM_STRING, 4);
	column_init(&f->cols[1], "x", PM_FLOAT, 4);
	for (int i = 0; i < 4; i++) {
		f->cols[0].v.code[i] = strdict_intern(f->cols[0].dict, i < 2 ? "a" : "b", 1);
		f->cols[0].valid[i] = 1;
		f->cols[1].v.f64[i] = i + 1;
		f->cols[1].valid[i] = 1;
	}
	column_count_missing(&f->cols[0]);
	column_count_missing(&f->cols[1]);
	struct schema *sc = schema_new("s");
	struct schema_feature *sf = schema_add(sc, "c", PM_STRING);
	sf->drift = (struct schema_comparator){.has[DIST_JSD] = true, .t[DIST_JSD] = 0.9};
	sf->skew = (struct schema_comparator){.has[DIST_LINF] = true, .t[DIST_LINF] = 0.01};
	struct monitor_options o;
	monitor_options_init(&o);
	o.window_us = 60000000LL;
	o.baseline = f;
	o.schema = sc;
	o.schema_name = "s";
	o.alpha = 1;   /* as above: the distances decide */
	json_t *res;
	ck_assert_msg(monitor_summary(ws, "m", &o, &res, &err) == 0, "%s", err.msg);
	json_t *fa = json_object_get(res, "features");
	ck_assert_int_eq(json_array_size(fa), 2);
	json_t *c = json_array_get(fa, 0), *x = json_array_get(fa, 1);
	ck_assert_str_eq(json_string_value(json_object_get(c, "drift_distance")), "jsd");
	ck_assert(json_number_value(json_object_get(c, "drift_threshold")) == 0.9);
	ck_assert(fabs(json_number_value(json_object_get(c, "drift")) - 1.0) < 1e-12);
	ck_assert_str_eq(json_string_value(json_object_get(c, "skew_distance")), "linf");
	ck_assert(json_number_value(json_object_get(c, "skew_threshold")) == 0.01);
	ck_assert(json_number_value(json_object_get(c, "skew")) == 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "threshold_source")), "schema s");
	ck_assert(json_is_true(json_object_get(c, "alert")));
	/* x: not in the schema: JSD at the default */
	ck_assert_str_eq(json_string_value(json_object_get(x, "drift_distance")), "jsd");
	ck_assert(json_number_value(json_object_get(x, "drift_threshold")) == 0.02);
	ck_assert_str_eq(json_string_value(json_object_get(x, "threshold_source")), "default");
	/* exactly one alert due: c's drift at 1 > 0.9 */
	json_t *due = json_object_get(res, "due");
	size_t nd = 0, i;
	json_t *d;
	json_array_foreach(due, i, d)
	{
		const char *fn = json_string_value(json_object_get(d, "feature"));
		if (fn && strcmp(fn, "c") == 0) {
			nd++;
			ck_assert_str_eq(json_string_value(json_object_get(d, "kind")), "drift");
			ck_assert(json_number_value(json_object_get(d, "threshold")) == 0.9);
		}
	}
	ck_assert_int_eq(nd, 1);
	json_decref(res);
	/* with L-infinity for the drift of c too, both are reported */
	sf->drift.has[DIST_LINF] = true;
	sf->drift.t[DIST_LINF] = 0.5;
	ck_assert_msg(monitor_summary(ws, "m", &o, &res, &err) == 0, "%s", err.msg);
	c = json_array_get(json_object_get(res, "features"), 0);
	json_t *checks = json_object_get(c, "drift_checks");
	ck_assert_int_eq(json_array_size(checks), 2);
	ck_assert_str_eq(json_string_value(json_object_get(c, "drift_distance")), "linf");
	ck_assert(json_number_value(json_object_get(c, "drift")) == 1.0);
	json_decref(res);
	schema_free(sc);
	frame_free(f);
	rm_ws(ws, dir);
}
END_TEST

/* A binary model as far as quality needs one: task, classes, prior. */
static struct model *binary_model(void)
{
	struct model *m = calloc(1, sizeof *m);
	m->task = TASK_BINARY;
	m->nout = 1;
	ft_vocab_add(&m->classes, "no", 2);
	ft_vocab_add(&m->classes, "yes", 3);
	ft_vocab_index(&m->classes);
	return m;
}

/* Feedback: logged rows carry an id; rows 1..4 with predictions 0.9, 0.2
 * (window 00:00) and 0.6, 0.4 (window 01:00), labels yes, no, no, yes.
 * Row 5 is logged without a label, one logged row has no id, and label
 * row 9 was never logged.  By hand, at threshold 0.5:
 *   accuracy (1 + 1 + 0 + 0) / 4 = 0.5; windows 1 and 0
 *   logloss -(ln .9 + ln .8 + ln .4 + ln .4) / 4 = 0.540271...
 *   AUC: positives .9 .4, negatives .2 .6: 3 of 4 pairs ordered = 0.75 */
START_TEST(feedback_quality)
{
	char dir[64];
	struct pm_err err = {0};
	struct workspace *ws = tmp_ws(dir);
	int64_t t0 = 1767225600000000LL;
	log_req(ws, t0, 1, 200, 1000, 2, "[{\"id\":1,\"x\":5},{\"id\":2,\"x\":6}]", "[0.9,0.2]");
	log_req(ws, t0 + 1000000LL, 1, 200, 1000, 1, "[{\"x\":7}]", "[0.5]");
	log_req(ws, t0 + 3600000000LL, 1, 200, 1000, 3,
		"[{\"id\":3,\"x\":5},{\"id\":4.0,\"x\":6},{\"id\":5,\"x\":1}]", "[0.6,0.4,0.1]");
	static const char csv[] = "id,y\n4,yes\n1,yes\n2,no\n3,no\n9,yes\n";
	struct frame *f;
	ck_assert_msg(frame_parse_csv(csv, strlen(csv), "labels", "labels", NULL, &f, NULL, &err) == 0,
		      "%s", err.msg);
	static const char *const keys[] = {"id", NULL};
	struct monitor_feedback_options fo = {.data = f, .keys = keys, .label = "y",
					      .since_us = INT64_MIN};
	json_t *j;
	ck_assert_msg(monitor_feedback_join(ws, "m", &fo, &j, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "logged_rows")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "joined")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "no_key")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "unmatched")), 1);
	json_decref(j);
	/* joined again: replaced, not doubled; the key guessed (id: x is
	 * not in the labels) */
	fo.keys = NULL;
	ck_assert_msg(monitor_feedback_join(ws, "m", &fo, &j, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "keys"), 0)), "id");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "joined")), 4);
	json_decref(j);

	struct model *m = binary_model();
	struct monitor_options o;
	monitor_options_init(&o);
	o.model = m;
	o.version = 1;
	json_t *q, *due = json_array();
	ck_assert_msg(monitor_quality(ws, "m", &o, &q, due, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "rows")), 4);
	ck_assert_str_eq(json_string_value(json_object_get(q, "metric")), "auc");
	json_t *mt = json_object_get(q, "metrics");
	ck_assert(fabs(json_number_value(json_object_get(mt, "accuracy")) - 0.5) < 1e-12);
	double ll = -(log(0.9) + log(0.8) + log(0.4) + log(0.4)) / 4;
	ck_assert(fabs(json_number_value(json_object_get(mt, "logloss")) - ll) < 1e-12);
	ck_assert(fabs(json_number_value(json_object_get(mt, "auc")) - 0.75) < 1e-12);
	json_t *w = json_object_get(q, "windows");
	ck_assert_int_eq(json_array_size(w), 2);
	ck_assert(json_number_value(json_object_get(json_object_get(json_array_get(w, 0), "metrics"),
						    "accuracy")) == 1.0);
	ck_assert(json_number_value(json_object_get(json_object_get(json_array_get(w, 1), "metrics"),
						    "accuracy")) == 0.0);
	ck_assert_int_eq(json_array_size(due), 0);   /* no evaluation to hold it against */
	json_decref(q);
	json_decref(due);

	/* monitor_summary carries the quality of each window */
	json_t *res;
	ck_assert_msg(monitor_summary(ws, "m", &o, &res, &err) == 0, "%s", err.msg);
	json_t *s1 = json_array_get(json_object_get(res, "series"), 1);
	ck_assert(json_number_value(json_object_get(
			  json_object_get(json_object_get(s1, "quality"), "metrics"), "accuracy")) == 0.0);
	/* predicted classes: 0.9 0.2 0.5 0.6 0.4 0.1 -> yes no yes yes no no */
	json_t *pr = json_object_get(res, "predictions");
	ck_assert_str_eq(json_string_value(json_object_get(pr, "kind")), "classes");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(pr, "counts"), 1)), 3);
	ck_assert(json_number_value(json_array_get(json_object_get(pr, "shares"), 0)) == 0.5);
	json_decref(res);

	/* one key, two labels */
	static const char bad[] = "id,y\n1,yes\n2,no\n1,no\n";
	struct frame *g;
	ck_assert_msg(frame_parse_csv(bad, strlen(bad), "bad", "bad", NULL, &g, NULL, &err) == 0,
		      "%s", err.msg);
	fo.data = g;
	fo.keys = keys;
	ck_assert_int_eq(monitor_feedback_join(ws, "m", &fo, &j, &err), -1);
	ck_assert_str_eq(err.msg, "monitor feedback: rows 1 and 3 of bad have the same key (1) but "
				  "different labels");
	frame_free(g);
	frame_free(f);
	model_free(m);
	rm_ws(ws, dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, percentile_nearest_rank);
	tcase_add_test(tc, summary_of_a_log);
	tcase_add_test(tc, round3);
	tcase_add_test(tc, rollup_percentiles);
	tcase_add_test(tc, schema_thresholds);
	tcase_add_test(tc, feedback_quality);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
