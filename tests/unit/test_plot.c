/* Unit tests of src/plot's terminal charts, each against a hand-worked
 * drawing. */
#include "plot/plot.h"

#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_line_braille_cell)
{
	/* 0 then 1 in one cell (2×4 dots): the first point at the bottom left
	 * (dot 7, 0x40), the line through dots 3 (0x04) and 5 (0x10), the last
	 * point at the top right (dot 4, 0x08): U+2800 + 0x5c */
	const double v[] = {0, 1};
	struct sbuf row = {0};
	plot_line(&row, 1, 1, v, 2, 0, 1, true);
	ck_assert_str_eq(row.s, "\xe2\xa1\x9c");
	sbuf_free(&row);
}
END_TEST

START_TEST(test_line_ascii_gap)
{
	/* 4 columns, 3 rows, one mark a cell: points at x 0, 1, 3 (the NaN
	 * leaves x 2 out and breaks the line); 0 on the bottom row, 1 on the
	 * top, 0.5 in the middle; Bresenham from (0,2) to (1,0) passes (1,1) */
	const double v[] = {0, 1, NAN, 0.5};
	struct sbuf rows[3] = {{0}};
	plot_line(rows, 3, 4, v, 4, 0, 1, false);
	ck_assert_str_eq(rows[0].s, " *  ");
	ck_assert_str_eq(rows[1].s, " . *");
	ck_assert_str_eq(rows[2].s, "*   ");
	for (int i = 0; i < 3; i++)
		sbuf_free(&rows[i]);
}
END_TEST

START_TEST(test_line_flat_and_clamped)
{
	/* lo == hi: every point on the middle row (round(0.5 * 2) = 1);
	 * a value above hi is clamped to the top */
	const double flat[] = {3, 3, 3};
	struct sbuf rows[3] = {{0}};
	plot_line(rows, 3, 3, flat, 3, 3, 3, false);
	ck_assert_str_eq(rows[0].s, "   ");
	ck_assert_str_eq(rows[1].s, "***");
	ck_assert_str_eq(rows[2].s, "   ");
	for (int i = 0; i < 3; i++)
		sbuf_free(&rows[i]);
	const double over[] = {5};
	struct sbuf r2[2] = {{0}};
	plot_line(r2, 2, 2, over, 1, 0, 1, false);
	ck_assert_str_eq(r2[0].s, "* ");
	ck_assert_str_eq(r2[1].s, "  ");
	sbuf_free(&r2[0]);
	sbuf_free(&r2[1]);
}
END_TEST

START_TEST(test_line_width_braille)
{
	/* 1, 0.5, 0 over 3 cells of 1 row: a canvas of 6×4 dots, points at
	 * x round(i*5/2) = 0, 3, 5 and y 0, 1, 3 (top first).  Bresenham adds
	 * (1,0), (2,1) and (4,2).  Cells: (0,0)+(1,0) = 0x01+0x08;
	 * (2,1)+(3,1) = 0x02+0x10; (4,2)+(5,3) = 0x04+0x80. */
	const double v[] = {1, 0.5, 0};
	struct sbuf row = {0};
	plot_line(&row, 1, 3, v, 3, 0, 1, true);
	ck_assert_str_eq(row.s, "\xe2\xa0\x89\xe2\xa0\x92\xe2\xa2\x84");
	ck_assert_int_eq(utf8_width(row.s), 3);
	sbuf_free(&row);
}
END_TEST

START_TEST(test_sparkline_ascii)
{
	/* max 8: 0 is blank, 1 the lowest mark, 2 ceil(2)-1 = the second,
	 * 8 the top; NaN blank */
	const double v[] = {0, 1, 2, 8, NAN};
	struct sbuf b = {0};
	plot_sparkline(&b, v, 5, false);
	ck_assert_str_eq(b.s, " _.# ");
	sbuf_free(&b);
}
END_TEST

START_TEST(test_bar)
{
	/* 3/8 of 4 cells = 12 eighths: one full block and a half block */
	struct sbuf b = {0};
	plot_bar(&b, 3, 8, 4, true);
	ck_assert_str_eq(b.s, "\xe2\x96\x88\xe2\x96\x8c  ");
	sbuf_free(&b);
	plot_bar(&b, 3, 8, 4, false);
	ck_assert_str_eq(b.s, "##  ");
	sbuf_free(&b);
}
END_TEST

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("term");
	tcase_add_test(tc, test_line_braille_cell);
	tcase_add_test(tc, test_line_ascii_gap);
	tcase_add_test(tc, test_line_flat_and_clamped);
	tcase_add_test(tc, test_line_width_braille);
	tcase_add_test(tc, test_sparkline_ascii);
	tcase_add_test(tc, test_bar);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
