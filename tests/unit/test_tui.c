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

/* The DAG of a run as the Pipelines screen draws it, checked against
 * pictures drawn by hand: layers by the longest path, a lane down the
 * layers an edge crosses, arrows that leave one box (or reach one) joined
 * on one row, and two rows when two arrows' runs would share cells. */
static char *picture(size_t n, const size_t *nup, const size_t *const *up, const char *const *labels,
		     bool utf8, struct dag_layout *L)
{
	struct pm_err err = {0};
	ck_assert_msg(dag_layout(n, nup, up, 9, 3, L, &err) == 0, "%s", err.msg);
	char **lines = dag_lines(L, labels, utf8);
	struct sbuf b = {0};
	for (size_t i = 0; lines[i]; i++)
		sbuf_printf(&b, "%s\n", lines[i]);
	str_list_free(lines);
	return sbuf_steal(&b);
}

/* The design diagram's fixed layout, worked by hand: at 78×20 a box is
 * (78 - 3 gaps × 3 - 3 loop columns) / 4 = 16 wide and 7 high; the top row
 * starts every 16 + 3 columns, the bottom row (7 + 2 rows down) runs back
 * from under train; the loop turns 2 columns right of train's box. */
START_TEST(test_ddiag_layout)
{
	struct ddiag L;
	struct pm_err err = {0};
	ck_assert_int_eq(ddiag_layout(78, 20, &L, &err), 0);
	ck_assert_int_eq(L.bw, 16);
	ck_assert_int_eq(L.bh, 7);
	const int x[7] = {0, 19, 38, 57, 57, 38, 19}, y[7] = {0, 0, 0, 0, 9, 9, 9};
	for (int i = 0; i < 7; i++) {
		ck_assert_int_eq(L.x[i], x[i]);
		ck_assert_int_eq(L.y[i], y[i]);
	}
	ck_assert_int_eq(L.loop_x, 75);
	ck_assert_int_eq(L.loop_y, 17);
	ck_assert_int_eq(L.width, 76);
	ck_assert_int_eq(L.height, 18);
	/* no two boxes share a cell, and the loop passes right of and under all */
	for (int i = 0; i < 7; i++) {
		ck_assert_int_lt(L.x[i] + L.bw, L.loop_x);
		ck_assert_int_lt(L.y[i] + L.bh, L.loop_y);
		for (int j = i + 1; j < 7; j++)
			ck_assert(L.x[i] + L.bw <= L.x[j] || L.x[j] + L.bw <= L.x[i] ||
				  L.y[i] + L.bh <= L.y[j] || L.y[j] + L.bh <= L.y[i]);
	}
	/* at 80×24 the content leaves 18 rows: boxes 6 high */
	ck_assert_int_eq(ddiag_layout(78, 18, &L, &err), 0);
	ck_assert_int_eq(L.bh, 6);
	ck_assert_int_eq(L.y[4], 8);
	ck_assert_int_eq(L.height, 16);
	/* wide screens: boxes stop growing at 30 */
	ck_assert_int_eq(ddiag_layout(200, 40, &L, &err), 0);
	ck_assert_int_eq(L.bw, 30);
	ck_assert_int_eq(L.x[3], 99);
	/* too narrow (boxes under 12) or too short: an error naming the need */
	ck_assert_int_eq(ddiag_layout(58, 20, &L, &err), -1);
	ck_assert_str_eq(err.msg, "the design diagram needs 60×16 cells, not 58×20");
	ck_assert_int_eq(ddiag_layout(78, 15, &L, &err), -1);
}
END_TEST

START_TEST(test_dag_layout)
{
	/* d comes after a and c, c after b, b after a: a->d crosses two layers */
	size_t nup[] = {0, 1, 1, 2}, u1[] = {0}, u2[] = {1}, u3[] = {0, 2};
	const size_t *up[] = {NULL, u1, u2, u3};
	const char *labels[] = {"a", "b", "c", "d"};
	struct dag_layout L;
	char *got = picture(4, nup, up, labels, true, &L);
	const char *want = "  ┌───────┐\n"
			   "  │ a     │\n"
			   "  └───┬───┘\n"
			   "    ┌─┴─────┐\n"
			   "    ▼       │\n"
			   "┌───────┐   │\n"
			   "│ b     │   │\n"
			   "└───┬───┘   │\n"
			   "    ▼       │\n"
			   "┌───────┐   │\n"
			   "│ c     │   │\n"
			   "└───┬───┘   │\n"
			   "    └─┬─────┘\n"
			   "      ▼\n"
			   "  ┌───────┐\n"
			   "  │ d     │\n"
			   "  └───────┘\n";
	ck_assert_msg(strcmp(got, want) == 0, "got\n%s", got);
	free(got);
	ck_assert_int_eq(L.nlayers, 4);
	int layer[] = {0, 1, 2, 3}, x[] = {2, 0, 0, 2}, y[] = {0, 5, 9, 14};
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(L.layer[i], layer[i]);
		ck_assert_int_eq(L.x[i], x[i]);
		ck_assert_int_eq(L.y[i], y[i]);
		ck_assert_uint_eq(L.order[i], (size_t)i);
	}
	/* a box, the lane at column 12: 13 columns; gaps of 2, 1 and 2 rows */
	ck_assert_int_eq(L.width, 13);
	ck_assert_int_eq(L.height, 17);
	dag_layout_free(&L);

	/* a and b both before c and d: a->d and b->c would share a row, so the
	 * gap takes two; the straight arrows a->c and b->d cross them */
	size_t nup2[] = {0, 0, 2, 2}, ab[] = {0, 1};
	const size_t *up2[] = {NULL, NULL, ab, ab};
	got = picture(4, nup2, up2, labels, false, &L);
	want = "+-------+   +-------+\n"
	       "| a     |   | b     |\n"
	       "+---+---+   +---+---+\n"
	       "    +-----------+\n"
	       "    +-----------+\n"
	       "    v           v\n"
	       "+-------+   +-------+\n"
	       "| c     |   | d     |\n"
	       "+-------+   +-------+\n";
	ck_assert_msg(strcmp(got, want) == 0, "got\n%s", got);
	free(got);
	char **lines = dag_lines(&L, NULL, true);
	ck_assert_str_eq(lines[3], "    ├───────────┤");
	ck_assert_str_eq(lines[4], "    ├───────────┤");
	ck_assert_str_eq(lines[7], "│       │   │       │");
	str_list_free(lines);
	dag_layout_free(&L);

	/* the layer of a step is its longest path: c after a and b, b after a */
	size_t nup3[] = {0, 1, 2}, ua[] = {0}, uab[] = {1, 0};
	const size_t *up3[] = {NULL, ua, uab};
	struct pm_err err = {0};
	ck_assert_int_eq(dag_layout(3, nup3, up3, 9, 3, &L, &err), 0);
	ck_assert_int_eq(L.layer[2], 2);
	dag_layout_free(&L);

	/* a cycle, and a step that is not one */
	size_t nup4[] = {1, 1}, u0[] = {1}, u01[] = {0};
	const size_t *up4[] = {u0, u01};
	ck_assert_int_eq(dag_layout(2, nup4, up4, 9, 3, &L, &err), -1);
	ck_assert_str_eq(err.msg, "the steps' `after` make a cycle");
	size_t nup5[] = {1}, u5[] = {5};
	const size_t *up5[] = {u5};
	ck_assert_int_eq(dag_layout(1, nup5, up5, 9, 3, &L, &err), -1);
	ck_assert_str_eq(err.msg, "step 0 comes after step 5, which is not one");
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
	tcase_add_test(tc, test_dag_layout);
	tcase_add_test(tc, test_ddiag_layout);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
