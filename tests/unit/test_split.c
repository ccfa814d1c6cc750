/* Unit tests of deterministic splits (src/data/split.c).  The expected part
 * sizes of tests/fixtures/csv/split.csv were computed independently with a
 * separate XXH64 implementation in Python over the same canonical texts
 * (the user column; or "user\x1fday 00:00:00\x1famount" for whole rows). */
#include "data/data.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct frame *load_split(void)
{
	char path[1024];
	const char *src = getenv("srcdir");
	snprintf(path, sizeof path, "%s/tests/fixtures/csv/split.csv", src ? src : ".");
	struct frame *f = NULL;
	struct pm_err err = {0};
	ck_assert_msg(frame_read_csv(path, "sales", NULL, &f, NULL, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f->nrows, 1000);
	return f;
}

static void free_parts(size_t **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
}

START_TEST(test_split_counts)
{
	struct frame *f = load_split();
	int r3[] = {80, 10, 10};
	size_t *rows[3], counts[3];
	struct pm_err err = {0};
	ck_assert_int_eq(frame_split(f, "user", r3, 3, rows, counts, &err), 0);
	ck_assert_uint_eq(counts[0], 809);
	ck_assert_uint_eq(counts[1], 118);
	ck_assert_uint_eq(counts[2], 73);
	/* every row once, in increasing order within a part */
	uint8_t *seen = calloc(f->nrows, 1);
	for (size_t p = 0; p < 3; p++)
		for (size_t k = 0; k < counts[p]; k++) {
			ck_assert_uint_lt(rows[p][k], f->nrows);
			ck_assert_int_eq(seen[rows[p][k]], 0);
			seen[rows[p][k]] = 1;
			if (k)
				ck_assert_uint_gt(rows[p][k], rows[p][k - 1]);
		}
	free(seen);
	/* one user, one part */
	const struct column *u = &f->cols[0];
	int64_t *part_of = malloc(u->dict->n * sizeof *part_of);
	for (uint32_t c = 0; c < u->dict->n; c++)
		part_of[c] = -1;
	for (size_t p = 0; p < 3; p++)
		for (size_t k = 0; k < counts[p]; k++) {
			uint32_t c = u->v.code[rows[p][k]];
			ck_assert_msg(part_of[c] < 0 || part_of[c] == (int64_t)p, "user %s in two parts",
				      u->dict->str[c]);
			part_of[c] = (int64_t)p;
		}
	ck_assert_int_eq(part_of[strdict_find(u->dict, "u49", 3)], 0);
	free(part_of);
	free_parts(rows, 3);

	int r2[] = {70, 30};
	ck_assert_int_eq(frame_split(f, "user", r2, 2, rows, counts, &err), 0);
	ck_assert_uint_eq(counts[0], 707);
	ck_assert_uint_eq(counts[1], 293);
	free_parts(rows, 2);

	ck_assert_int_eq(frame_split(f, NULL, r3, 3, rows, counts, &err), 0);
	ck_assert_uint_eq(counts[0], 812);
	ck_assert_uint_eq(counts[1], 92);
	ck_assert_uint_eq(counts[2], 96);
	free_parts(rows, 3);

	int all[] = {0, 100, 0};
	ck_assert_int_eq(frame_split(f, "user", all, 3, rows, counts, &err), 0);
	ck_assert_uint_eq(counts[0], 0);
	ck_assert_uint_eq(counts[1], 1000);
	ck_assert_uint_eq(counts[2], 0);
	free_parts(rows, 3);
	frame_free(f);
}
END_TEST

START_TEST(test_split_stable)
{
	/* the same rows on repeated runs, and the part of a value does not
	 * depend on which other rows are in the frame or where */
	struct frame *f = load_split();
	int r3[] = {80, 10, 10};
	size_t *a[3], *b[3], ca[3], cb[3];
	struct pm_err err = {0};
	ck_assert_int_eq(frame_split(f, "user", r3, 3, a, ca, &err), 0);
	ck_assert_int_eq(frame_split(f, "user", r3, 3, b, cb, &err), 0);
	for (size_t p = 0; p < 3; p++) {
		ck_assert_uint_eq(ca[p], cb[p]);
		ck_assert(memcmp(a[p], b[p], ca[p] * sizeof *a[p]) == 0);
	}
	/* the test part alone, reversed, split again: all of it in part 2 */
	size_t n = ca[2];
	size_t *rev = malloc(n * sizeof *rev);
	for (size_t k = 0; k < n; k++)
		rev[k] = a[2][n - 1 - k];
	struct frame *t = frame_take(f, "sales_test", rev, n);
	free_parts(b, 3);
	ck_assert_int_eq(frame_split(t, "user", r3, 3, b, cb, &err), 0);
	ck_assert_uint_eq(cb[0], 0);
	ck_assert_uint_eq(cb[1], 0);
	ck_assert_uint_eq(cb[2], n);
	free_parts(b, 3);
	frame_free(t);
	free(rev);
	free_parts(a, 3);
	frame_free(f);

	/* missing values hash as the empty string: all in one part */
	struct frame *m = NULL;
	const char *text = "k,v\n,1\nNA,2\nnull,3\n,4\n";
	ck_assert_int_eq(frame_parse_csv(text, strlen(text), "m.csv", "m", NULL, &m, NULL, &err), 0);
	ck_assert_int_eq(frame_split(m, "k", r3, 3, a, ca, &err), 0);
	ck_assert(ca[0] == 4 || ca[1] == 4 || ca[2] == 4);
	free_parts(a, 3);
	frame_free(m);
}
END_TEST

START_TEST(test_split_errors)
{
	struct frame *f = load_split();
	size_t *rows[3], counts[3];
	struct pm_err err = {0};
	int r90[] = {80, 10};
	ck_assert_int_eq(frame_split(f, "user", r90, 2, rows, counts, &err), -1);
	ck_assert_str_eq(err.msg, "ratios must sum to 100 (got 90)");
	int neg[] = {110, -10};
	ck_assert_int_eq(frame_split(f, "user", neg, 2, rows, counts, &err), -1);
	ck_assert_str_eq(err.msg, "ratios must be non-negative (got -10)");
	int ok[] = {50, 50};
	ck_assert_int_eq(frame_split(f, "region", ok, 2, rows, counts, &err), -1);
	ck_assert_str_eq(err.msg, "no column \"region\" in dataset sales");
	frame_free(f);
}
END_TEST

START_TEST(test_split_keys)
{
	/* 150 users, u92 the most common with 14 rows (Python's csv and
	 * collections.Counter over the fixture); missing and "" are one key */
	struct frame *f = load_split();
	size_t nkeys, largest;
	struct pm_err err = {0};
	ck_assert_int_eq(frame_split_keys(f, "user", &nkeys, &largest, &err), 0);
	ck_assert_uint_eq(nkeys, 150);
	ck_assert_uint_eq(largest, 14);
	ck_assert_int_eq(frame_split_keys(f, "region", &nkeys, &largest, &err), -1);
	ck_assert_str_eq(err.msg, "no column \"region\" in dataset sales");
	frame_free(f);
	struct frame *m = NULL;
	const char *text = "k,v\n,1\nNA,2\nx,3\n,4\n";
	ck_assert_int_eq(frame_parse_csv(text, strlen(text), "m.csv", "m", NULL, &m, NULL, &err), 0);
	ck_assert_int_eq(frame_split_keys(m, "k", &nkeys, &largest, &err), 0);
	ck_assert_uint_eq(nkeys, 2);
	ck_assert_uint_eq(largest, 3);
	frame_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("split");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_split_counts);
	tcase_add_test(tc, test_split_stable);
	tcase_add_test(tc, test_split_errors);
	tcase_add_test(tc, test_split_keys);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
