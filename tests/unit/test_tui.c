/* Unit tests of src/tui: number formatting, the key notation of the dump
 * mode, and the statistics the overview shows (the engine's, as `stats`
 * gives them) by a hand-worked example. */
#include "tui/internal.h"
#include "validate/validate.h"

#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *fmt(double v, int w)
{
	static char buf[64];
	tui_fmt_num(v, w, buf, sizeof buf);
	return buf;
}

START_TEST(test_fmt_num)
{
	ck_assert_str_eq(fmt(14.0625, 9), "14.0625");
	ck_assert_str_eq(fmt(14.0625, 6), "14.062"); /* round half to even of an exact binary */
	ck_assert_str_eq(fmt(-87.6533, 6), "-87.65");
	ck_assert_str_eq(fmt(1263897, 9), "1263897");
	ck_assert_str_eq(fmt(1263897, 6), "1.264M");
	ck_assert_str_eq(fmt(77280, 6), "77280");
	ck_assert_str_eq(fmt(123456789, 5), "123M");
	ck_assert_str_eq(fmt(0.0406221, 6), "0.0406");
	ck_assert_str_eq(fmt(0.0000123, 6), "1.2e-5");
	ck_assert_str_eq(fmt(-0.0, 6), "0");
	ck_assert_str_eq(fmt(NAN, 6), "NA");
	ck_assert_str_eq(fmt(-INFINITY, 6), "-inf");
	ck_assert_str_eq(fmt(-1.5e300, 6), "-2e300");
	ck_assert_str_eq(fmt(-1.5e300, 3), "###");
}
END_TEST

START_TEST(test_keys_parse)
{
	struct key_step *st;
	size_t n;
	struct pm_err err = {0};
	ck_assert_int_eq(keys_parse("a<Enter><C-x>é<lt>b <Resize:100x30><Click:3,4><PgDn>x<y", &st, &n,
				    &err),
			 0);
	int want[] = {'a', K_ENTER, 24, 0xe9, '<', 'b', ' ', K_RESIZE, K_CLICK, K_PGDN, 'x', '<', 'y'};
	ck_assert_uint_eq(n, PM_ARRAY_LEN(want));
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(st[i].key, want[i]);
	ck_assert_int_eq(st[7].a, 100);
	ck_assert_int_eq(st[7].b, 30);
	ck_assert_int_eq(st[8].a, 3);
	ck_assert_int_eq(st[8].b, 4);
	free(st);
	/* a filter expression with a < is typed as it is */
	ck_assert_int_eq(keys_parse("fare <20", &st, &n, &err), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(st[5].key, '<');
	free(st);
	ck_assert_int_eq(keys_parse("<Bogus>", &st, &n, &err), -1);
	ck_assert_str_eq(err.msg, "--keys: unknown key <Bogus>");
	ck_assert_int_eq(err.code, PM_E_USAGE);
}
END_TEST

START_TEST(test_key_label)
{
	char b[32];
	key_label(K_DOWN, true, b, sizeof b);
	ck_assert_str_eq(b, "\u2193");
	key_label(K_DOWN, false, b, sizeof b);
	ck_assert_str_eq(b, "Down");
	key_label(K_CTRL('l'), false, b, sizeof b);
	ck_assert_str_eq(b, "^L");
	key_label(K_FN + KEY_F(1), false, b, sizeof b);
	ck_assert_str_eq(b, "F1");
	key_label('[', false, b, sizeof b);
	ck_assert_str_eq(b, "[");
	ck_assert_int_eq(key_normalize('\r'), K_ENTER);
	ck_assert_int_eq(key_normalize(8), K_BS);
}
END_TEST

static json_t *feature(json_t *st, const char *name)
{
	json_t *fs = json_object_get(st, "features");
	for (size_t i = 0; i < json_array_size(fs); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(fs, i), "name")), name) == 0)
			return json_array_get(fs, i);
	return NULL;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

START_TEST(test_overview_stats_hand)
{
	const char *csv = "x,s,t\n"
			  "1,a,2015-01-01\n"
			  "2,b,\n"
			  ",a,2015-01-03\n"
			  "0,a,2015-01-02\n"
			  "7,,2015-01-01\n";
	struct frame *f;
	struct csv_report rep = {0};
	struct pm_err err = {0};
	struct csv_options o = {.threads = 1};
	ck_assert_int_eq(frame_parse_csv(csv, strlen(csv), "t.csv", "t", &o, &f, &rep, &err), 0);
	struct dataset_stats *ds;
	struct stats_options so = {.threads = 1};
	ck_assert_msg(stats_compute(f, &so, &ds, &err) == 0, "%s", err.msg);
	json_t *st = stats_to_json(ds);
	ck_assert_int_eq((int)num(st, "rows"), 5);
	json_t *x = feature(st, "x");
	ck_assert_str_eq(json_string_value(json_object_get(x, "type")), "int");
	ck_assert_int_eq((int)num(x, "count"), 4);
	ck_assert_int_eq((int)num(x, "missing"), 1);
	ck_assert_int_eq((int)num(x, "zeros"), 1);
	ck_assert_double_eq_tol(num(x, "mean"), 2.5, 1e-15);
	/* deviations -1.5 -0.5 -2.5 4.5: squares sum to 29, /4 */
	ck_assert_double_eq_tol(num(x, "std"), sqrt(7.25), 1e-15);
	ck_assert_double_eq(num(x, "min"), 0);
	ck_assert_double_eq(num(x, "median"), 1.5);
	ck_assert_double_eq(num(x, "max"), 7);
	/* ten buckets of 0.7 over [0, 7]: 0, 1, 2 in the first three, 7 in the last */
	json_t *h = json_object_get(x, "histogram");
	ck_assert_uint_eq(json_array_size(h), 10);
	int want[10] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 1};
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq((int)num(json_array_get(h, (size_t)i), "count"), want[i]);
	ck_assert_double_eq_tol(num(json_array_get(h, 1), "low"), 0.7, 1e-15);
	json_t *s = feature(st, "s");
	ck_assert_int_eq((int)num(s, "count"), 4);
	ck_assert_int_eq((int)num(s, "unique"), 2);
	ck_assert_double_eq(num(s, "avg_length"), 1);
	json_t *top = json_object_get(s, "top");
	ck_assert_uint_eq(json_array_size(top), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(top, 0), "value")), "a");
	ck_assert_int_eq((int)num(json_array_get(top, 0), "count"), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(top, 1), "value")), "b");
	json_t *t = feature(st, "t");
	ck_assert_str_eq(json_string_value(json_object_get(t, "type")), "timestamp");
	ck_assert_int_eq((int)num(t, "missing"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(t, "min_time")), "2015-01-01 00:00:00");
	/* 01, 01, 02, 03: the median is halfway between 01 and 02 */
	ck_assert_str_eq(json_string_value(json_object_get(t, "median_time")), "2015-01-01 12:00:00");
	ck_assert_str_eq(json_string_value(json_object_get(t, "max_time")), "2015-01-03 00:00:00");
	json_decref(st);
	stats_free(ds);
	frame_free(f);
	csv_report_free(&rep);
}
END_TEST

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fmt_num);
	tcase_add_test(tc, test_keys_parse);
	tcase_add_test(tc, test_key_label);
	tcase_add_test(tc, test_overview_stats_hand);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
