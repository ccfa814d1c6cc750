/* Unit tests of src/design: the lookup table's bytes, the key space and
 * its checks, the hybrid hit rate of a known key distribution in a
 * hand-made request log, cost arithmetic, the errors of design_set, the
 * store, and the batching sweep's grid and pick.  Every expected number is worked by hand in the comments. */
#include "data/data.h"
#include "design/design.h"
#include "workspace/workspace.h"
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct workspace *tmp_ws(char *dir)
{
	struct workspace *ws;
	struct pm_err err = {0};
	strcpy(dir, "/tmp/prodml-design-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(ws_open(dir, &ws, &err) == 0, "%s", err.msg);
	return ws;
}

static void rm_ws(struct workspace *ws, const char *dir)
{
	ws_close(ws);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* id (int), city (string), x (float), y (int): ids 1..6, three cities. */
static struct frame *frame6(void)
{
	static const char csv[] = "id,city,x,y\n"
				  "1,ams,0.5,10\n2,ber,1.5,20\n3,ams,0.5,10\n"
				  "4,cph,2.25,30\n5,ber,1.5,20\n6,ams,3.75,10\n";
	struct frame *f;
	struct pm_err err = {0};
	ck_assert_msg(frame_parse_csv(csv, sizeof csv - 1, "t.csv", "t", NULL, &f, NULL, &err) == 0, "%s",
		      err.msg);
	return f;
}

static json_t *keys_of(const char *a, const char *b)
{
	json_t *k = json_array();
	json_array_append_new(k, json_string(a));
	if (b)
		json_array_append_new(k, json_string(b));
	return k;
}

START_TEST(table_bytes_by_hand)
{
	/* 100 keys of 300 bytes of text, one output: text 300, 100 × (NUL 1 +
	 * pointer 8 + length 4) = 1300, slots: the power of two >= 2 × 100 (and
	 * >= 16) = 256, × 4 = 1024, predictions 100 × 1 × 8 = 800: 3424 */
	ck_assert(design_table_bytes(100, 300, 1) == 3424);
	/* 8 keys, 10 bytes, 2 outputs: 10 + 104 + 16 × 4 + 8 × 2 × 8 = 306 */
	ck_assert(design_table_bytes(8, 10, 2) == 306);
	/* 9 keys need 32 slots: 9 + 117 + 128 + 72 = 326 */
	ck_assert(design_table_bytes(9, 9, 1) == 326);
	ck_assert(design_table_bytes(0, 0, 1) == 0);
}
END_TEST

START_TEST(keyspace_of_a_frame)
{
	struct frame *f = frame6();
	struct design_keyspace ks;
	struct pm_err err = {0};
	json_t *k = keys_of("city", "y");
	ck_assert_msg(design_keyspace(f, k, NULL, &ks, &err) == 0, "%s", err.msg);
	/* 3 cities × 3 values of y = 9; seen: ams,10 ber,20 cph,30 */
	ck_assert_int_eq(ks.ncols, 2);
	ck_assert_int_eq(ks.cols[0].distinct, 3);
	ck_assert_int_eq(ks.cols[1].distinct, 3);
	ck_assert(ks.product == 9);
	ck_assert_int_eq(ks.observed, 3);
	ck_assert_int_eq(ks.key_bytes, 6 * 3); /* "ams,10" and its kind: 6 bytes each */
	ck_assert_ptr_null(design_static_why(&ks, "t"));
	design_keyspace_free(&ks);
	json_decref(k);

	/* x is a float: continuous, with its distinct count (0.5 1.5 2.25 3.75) */
	k = keys_of("x", NULL);
	ck_assert_int_eq(design_keyspace(f, k, NULL, &ks, &err), 0);
	char *why = design_static_why(&ks, "t");
	ck_assert_str_eq(why, "key column x is continuous (float, 4 distinct values in t): a table of "
			      "the values seen answers no new one");
	free(why);
	design_keyspace_free(&ks);
	json_decref(k);

	/* city does not fix x: rows 1 and 6 are both ams, with x 0.5 and 3.75 */
	char *inputs[] = {"x", NULL};
	k = keys_of("city", NULL);
	ck_assert_int_eq(design_keyspace(f, k, inputs, &ks, &err), 0);
	ck_assert_str_eq(ks.differs, "x");
	ck_assert_int_eq(ks.differs_rows[0], 0);
	ck_assert_int_eq(ks.differs_rows[1], 5);
	design_keyspace_free(&ks);
	json_decref(k);
	/* id does */
	k = keys_of("id", NULL);
	ck_assert_int_eq(design_keyspace(f, k, inputs, &ks, &err), 0);
	ck_assert_ptr_null(ks.differs);
	ck_assert_int_eq(ks.observed, 6);
	design_keyspace_free(&ks);
	json_decref(k);

	k = keys_of("nope", NULL);
	ck_assert_int_eq(design_keyspace(f, k, NULL, &ks, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 't' has no column 'nope' (from keys)");
	json_decref(k);
	frame_free(f);
}
END_TEST

static void log_request(struct workspace *ws, int64_t t, const char *model, int status,
			const char *features)
{
	struct pm_err err = {0};
	char *sql = xasprintf("INSERT INTO requests(time, time_us, model, status, latency_us, rows, "
			      "features) VALUES ('t', %lld, '%s', %d, 100, 1, %s%s%s)",
			      (long long)t, model, status, features ? "'" : "",
			      features ? features : "NULL", features ? "'" : "");
	ck_assert_msg(ws_exec(ws, sql, &err) == 0, "%s", err.msg);
	free(sql);
}

START_TEST(hit_rate_of_a_known_distribution)
{
	char dir[64];
	struct workspace *ws = tmp_ws(dir);
	struct pm_err err = {0};
	/* keys: a ×5, b ×3, c ×1, 7 ×1 (an integer), one row without the key;
	 * a failed request and another model's are not counted */
	log_request(ws, 0, "m", 200, "[{\"id\":\"a\"},{\"id\":\"a\"},{\"id\":\"b\"}]");
	log_request(ws, 1000000, "m", 200, "[{\"id\":\"a\"},{\"id\":\"b\"},{\"x\":1}]");
	log_request(ws, 2000000, "m", 200, "[{\"id\":\"a\"},{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]");
	log_request(ws, 3000000, "m", 200, "[{\"id\":7.0}]");
	log_request(ws, 3500000, "m", 503, "[{\"id\":\"z\"}]");
	log_request(ws, 3600000, "other", 200, "[{\"id\":\"z\"}]");
	json_t *h;
	/* top 2 (a, b): 8 of the 10 keyed rows */
	ck_assert_msg(design_hit_rate(ws, "m", "id", 2, &h, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "requests")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "rows")), 11);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "keyed_rows")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "keys")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "hits")), 8);
	ck_assert(json_real_value(json_object_get(h, "hit_rate")) == 0.8);
	/* 11 rows over the 3 s between the first and last request */
	ck_assert(json_real_value(json_object_get(h, "seconds")) == 3);
	json_decref(h);
	/* top 1: a alone, 5 of 10 */
	ck_assert_int_eq(design_hit_rate(ws, "m", "id", 1, &h, &err), 0);
	ck_assert(json_real_value(json_object_get(h, "hit_rate")) == 0.5);
	json_decref(h);
	/* every key (0): all keyed rows */
	ck_assert_int_eq(design_hit_rate(ws, "m", "id", 0, &h, &err), 0);
	ck_assert(json_real_value(json_object_get(h, "hit_rate")) == 1);
	json_decref(h);
	/* a model with no log: no rate */
	ck_assert_int_eq(design_hit_rate(ws, "none", "id", 2, &h, &err), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(h, "keyed_rows")), 0);
	ck_assert(json_is_null(json_object_get(h, "hit_rate")));
	json_decref(h);
	rm_ws(ws, dir);
}
END_TEST

static void set_ok(json_t *d, const struct frame *f, const char *key, const char *value)
{
	struct design_env env = {.ncpus = 2};
	struct pm_err err = {0};
	ck_assert_msg(design_set(d, f, NULL, &env, key, value, &err) == 0, "%s %s: %s", key, value,
		      err.msg);
}

static json_t *cost_item(json_t *e, const char *what)
{
	json_t *it;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(e, "cost"), "items"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "what")), what) == 0)
			return it;
	return NULL;
}

START_TEST(cost_arithmetic)
{
	char dir[64];
	struct workspace *ws = tmp_ws(dir);
	struct frame *f = frame6();
	struct pm_err err = {0};
	struct design_env env = {.ncpus = 2};
	json_t *d, *e;
	ck_assert_msg(design_create(ws, "c", "m", "t", &d, &err) == 0, "%s", err.msg);
	set_ok(d, f, "hardware", "cpu 2");
	set_ok(d, f, "price.cpu_hour", "0.04");
	set_ok(d, f, "price.gb_month", "5");
	set_ok(d, f, "traffic", "1000000");
	set_ok(d, f, "keys", "id");
	set_ok(d, f, "serving", "static");
	ck_assert_msg(design_estimate(ws, d, f, NULL, 1, &env, &e, &err) == 0, "%s", err.msg);
	/* serving: 2 threads × 0.04 × 730 h = 58.4 */
	json_t *it = cost_item(e, "serving");
	ck_assert_ptr_nonnull(it);
	ck_assert(fabs(json_real_value(json_object_get(it, "monthly")) - 58.4) < 1e-9);
	ck_assert_str_eq(json_string_value(json_object_get(it, "arithmetic")),
			 "2 threads × 0.04 per cpu-hour × 730 h = 58.4");
	/* the table: ids 1..6, 6 bytes of text: 6 + 6 × 13 + 16 × 4 + 6 × 8 = 196 bytes;
	 * 196 / 1e9 × 5 a month */
	json_t *tb = json_object_get(e, "table");
	ck_assert(json_real_value(json_object_get(tb, "bytes")) == 196);
	ck_assert_int_eq(json_integer_value(json_object_get(tb, "entries")), 6);
	it = cost_item(e, "table memory");
	ck_assert(fabs(json_real_value(json_object_get(it, "monthly")) - 196 / 1e9 * 5) < 1e-15);
	/* static training costs nothing a month; the total is the sum */
	it = cost_item(e, "training");
	ck_assert(json_real_value(json_object_get(it, "monthly")) == 0);
	json_t *c = json_object_get(e, "cost");
	double monthly = 58.4 + 196 / 1e9 * 5;
	ck_assert(fabs(json_real_value(json_object_get(c, "monthly")) - monthly) < 1e-9);
	/* per million: 1e6 a day × 730 / 24 days = 30416666.67 a month */
	ck_assert(fabs(json_real_value(json_object_get(c, "per_million")) - monthly / (1e6 * 730 / 24 / 1e6)) < 1e-9);
	/* no predict probe yet: it says what to run */
	ck_assert_str_eq(json_string_value(json_object_get(tb, "precompute")),
			 "no measurement: run `design probe c`");
	json_decref(e);

	/* batch inference with a probe of 1000 rows in 0.5 s (2000 rows/s):
	 * a run of 6 rows is 6 / 2000 s, × 2 threads × 0.04 / 3600 */
	ck_assert_int_eq(design_probe_record(ws, "c", "predict", 1, 1000, 0.5, 2, &err), 0);
	set_ok(d, f, "inference", "batch");
	ck_assert_int_eq(design_estimate(ws, d, f, NULL, 1, &env, &e, &err), 0);
	it = cost_item(e, "batch prediction");
	ck_assert_ptr_nonnull(it);
	ck_assert(fabs(json_real_value(json_object_get(it, "monthly")) - 6.0 / 2000 / 3600 * 2 * 0.04) < 1e-18);
	ck_assert_ptr_null(cost_item(e, "serving"));
	/* the table's precompute: 6 keys / 2000 rows/s = 0.003 s */
	tb = json_object_get(e, "table");
	ck_assert(fabs(json_real_value(json_object_get(tb, "precompute_s")) - 0.003) < 1e-15);
	json_decref(e);

	/* a schedule of 6h: 730 × 3600 / 21600 = 121.667 runs, whose training
	 * time nothing measured (model m has no runs) */
	set_ok(d, f, "training", "schedule 6h");
	ck_assert_int_eq(design_estimate(ws, d, f, NULL, 1, &env, &e, &err), 0);
	it = cost_item(e, "training");
	ck_assert(json_is_null(json_object_get(it, "monthly")));
	ck_assert_str_eq(json_string_value(json_object_get(it, "arithmetic")),
			 "730 h / every 6h = 121.667 runs; no training rate");
	ck_assert(json_is_null(json_object_get(json_object_get(e, "cost"), "monthly")));
	json_decref(e);
	json_decref(d);
	frame_free(f);
	rm_ws(ws, dir);
}
END_TEST

static void set_fails(json_t *d, const struct frame *f, const struct design_env *env, const char *key,
		      const char *value, const char *msg)
{
	struct pm_err err = {0};
	ck_assert_int_eq(design_set(d, f, NULL, env, key, value, &err), -1);
	ck_assert_int_eq(err.code, PM_E_USAGE);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(set_errors)
{
	char dir[64];
	struct workspace *ws = tmp_ws(dir);
	struct frame *f = frame6();
	struct pm_err err = {0};
	struct design_env env = {.ncpus = 2};
	json_t *d;
	ck_assert_int_eq(design_create(ws, "e", "m", "t", &d, &err), 0);
	set_fails(d, f, &env, "hardware", "cpu 3",
		  "design key hardware: cpu 3 is not on this machine: it has 2 CPUs");
	set_fails(d, f, &env, "hardware", "gpu",
		  "design key hardware: gpu: designs do not estimate GPU training yet; train on it with `train --device cuda`");
	env.gpu_missing = "no CUDA GPU found (no CUDA-capable device is detected)";
	set_fails(d, f, &env, "hardware", "gpu",
		  "design key hardware: gpu is not on this machine: no CUDA GPU found (no CUDA-capable device is detected)");
	set_fails(d, f, &env, "hardware", "workers 4",
		  "design key hardware: workers 4 is not built: multi-worker training needs MPI "
		  "(apt-get install openmpi-bin libopenmpi-dev, then ./configure --with-mpi)");
	env.have_mpi = true;
	ck_assert_int_eq(design_set(d, f, NULL, &env, "hardware", "workers 4", &err), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(d, "hardware"), "workers")), 4);
	set_fails(d, f, &env, "price.cpu_hour", "0.04x",
		  "design key price.cpu_hour: '0.04x' is not a number (a price, 0 or more)");
	set_fails(d, f, &env, "price.cpu_hour", "nan",
		  "design key price.cpu_hour: 'nan' is not a number (a price, 0 or more)");
	set_fails(d, f, &env, "colour", "blue",
		  "unknown design key 'colour' (keys: training, serving, inference, hardware, batching, "
		  "keys, table_size, epochs, traffic, port, canary, monitor.drift, monitor.skew, monitor.p99_ms, "
		  "monitor.error_rate, price.cpu_hour, price.gpu_hour, price.gb_month)");
	set_ok(d, f, "keys", "x");
	set_fails(d, f, &env, "serving", "static",
		  "static serving over key column x: it is continuous (float, 4 distinct values in t), so "
		  "no finite table holds its keys; use dynamic serving or a categorical or integer key");
	/* a refused choice leaves the design as it was */
	ck_assert_str_eq(json_string_value(json_object_get(d, "serving")), "dynamic");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(d, "hardware"), "threads")), 0);
	ck_assert_ptr_null(json_object_get(json_object_get(d, "prices"), "cpu_hour"));
	set_ok(d, f, "batching", "32 2ms");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(d, "batching"), "max_wait_us")), 2000);
	json_decref(d);
	frame_free(f);
	rm_ws(ws, dir);
}
END_TEST

START_TEST(store_round_trip)
{
	char dir[64];
	struct workspace *ws = tmp_ws(dir);
	struct pm_err err = {0};
	json_t *d, *back, *list;
	ck_assert_int_eq(design_create(ws, "s", "m", "t", &d, &err), 0);
	json_object_set_new(d, "serving", json_string("hybrid"));
	ck_assert_int_eq(design_save(ws, d, "design set serving", &err), 0);
	ck_assert_int_eq(design_fetch(ws, "s", &back, &err), 0);
	ck_assert(json_equal(d, back));
	ck_assert_int_eq(design_create(ws, "s", "m", "t", &back, &err) == -1, 1);
	ck_assert_int_eq(design_list(ws, &list, &err), 0);
	ck_assert_int_eq(json_array_size(json_object_get(list, "designs")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(list, "designs"), 0),
							  "serving")),
			 "hybrid");
	json_decref(list);
	ck_assert_int_eq(design_drop(ws, "s", &err), 0);
	ck_assert_int_eq(design_fetch(ws, "s", &back, &err), -1);
	ck_assert_int_eq(err.code, PM_E_NOTFOUND);
	ck_assert_int_eq(design_drop(ws, "s", &err), -1);
	json_decref(d);
	json_decref(back);
	rm_ws(ws, dir);
}
END_TEST

/* The batching grid and the pick, worked by hand over three settings:
 *   off        1000 req/s, p99 1 ms
 *   4 / 250us  3000 req/s, p99 4 ms
 *   16 / 2ms   4000 req/s, p99 9 ms, 1 error (the most, but it failed one)
 * no limit: 4/250us (the most req/s; 16/2ms erred); p99 <= 2 ms: off;
 * p99 <= 0.5 ms: none within it, the lowest p99 is off. */
static json_t *setting(int mb, int wait, double rps, double p99, int errors)
{
	return json_pack("{s:i,s:i,s:f,s:f,s:f,s:i}", "max_batch", mb, "max_wait_us", wait, "req_per_s", rps,
			 "p50_ms", p99 / 2, "p99_ms", p99, "errors", errors);
}

START_TEST(batching_sweep_pick)
{
	json_t *d = json_pack("{s:s,s:{s:i,s:i},s:{}}", "name", "x", "batching", "max_batch", 4, "max_wait_us",
			      250, "monitor");
	struct design_batching g[DESIGN_SWEEP_MAX];
	/* the design's 4/250us is in the grid: five settings */
	ck_assert_uint_eq(design_sweep_grid(d, g), 5);
	ck_assert_int_eq(g[0].max_batch, 1);
	ck_assert_int_eq(g[4].max_batch, 16);
	ck_assert_int_eq(g[4].max_wait_us, 2000);
	json_object_set_new(d, "batching", json_pack("{s:i,s:i}", "max_batch", 8, "max_wait_us", 1000));
	ck_assert_uint_eq(design_sweep_grid(d, g), 6);
	ck_assert_int_eq(g[5].max_batch, 8);
	ck_assert_int_eq(g[5].max_wait_us, 1000);

	json_t *set = json_pack("[o,o,o]", setting(1, 0, 1000, 1, 0), setting(4, 250, 3000, 4, 0),
				setting(16, 2000, 4000, 9, 1));
	char *why;
	ck_assert_int_eq(design_sweep_pick(set, NAN, &why), 1);
	ck_assert_str_eq(why, "the most requests per second of the 3 settings (no monitor.p99_ms to hold p99 under)");
	free(why);
	ck_assert_int_eq(design_sweep_pick(set, 2, &why), 0);
	ck_assert_str_eq(why, "the most requests per second of the 3 settings whose p99 is within monitor.p99_ms 2");
	free(why);
	ck_assert_int_eq(design_sweep_pick(set, 0.5, &why), 0);
	ck_assert_str_eq(why, "no setting's p99 is within monitor.p99_ms 0.5: the lowest p99 of the 3");
	free(why);

	/* the estimate: the design's own (4/250us) is the best without a limit */
	json_object_set_new(d, "batching", json_pack("{s:i,s:i}", "max_batch", 4, "max_wait_us", 250));
	json_t *probe = json_pack("{s:i,s:O,s:i,s:i}", "id", 7, "settings", set, "requests", 200, "threads", 4);
	json_t *e = design_sweep_estimate(d, probe);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "best")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "design")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "pick")),
			 "the design's setting (max batch 4, wait 250 us) is the best measured");
	ck_assert_str_eq(json_string_value(json_object_get(e, "source")),
			 "probe 7 (`design probe --serve`: 3 settings, 200 requests each from 4 connections)");
	json_decref(e);
	/* with monitor.p99_ms 2, off is best, and the design says how to pick it */
	json_object_set_new(json_object_get(d, "monitor"), "p99_ms", json_real(2));
	e = design_sweep_estimate(d, probe);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "best")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "pick")),
			 "the best measured is off; the design has another setting (`design set x batching off` picks it)");
	json_decref(e);
	/* no probe: what to run */
	e = design_sweep_estimate(d, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(e, "source")),
			 "no measurement: run `design probe x --serve`");
	json_decref(e);
	json_decref(probe);
	json_decref(set);
	json_decref(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("design");
	TCase *tc = tcase_create("design");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, table_bytes_by_hand);
	tcase_add_test(tc, keyspace_of_a_frame);
	tcase_add_test(tc, hit_rate_of_a_known_distribution);
	tcase_add_test(tc, cost_arithmetic);
	tcase_add_test(tc, set_errors);
	tcase_add_test(tc, store_round_trip);
	tcase_add_test(tc, batching_sweep_pick);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
