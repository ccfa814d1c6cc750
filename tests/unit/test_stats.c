/* Statistics: hand-worked arrays, selection against a full sort, and (in
 * the frame cases) a fixture whose figures were computed independently. */
#include "data/data.h"
#include "validate/validate.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REL 1e-12

static void approx(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= REL * fmax(1, fabs(want)), "got %.17g, want %.17g", got,
		      want);
}

START_TEST(numstats_small)
{
	double v[] = {4, 2, 1, 3};
	struct num_stats st;
	numstats_compute(v, 4, false, &st);
	ck_assert_int_eq(st.count, 4);
	ck_assert_int_eq(st.nan, 0);
	ck_assert_int_eq(st.zeros, 0);
	approx(st.mean, 2.5);
	/* population std: sqrt((1.5² + .5² + .5² + 1.5²) / 4) = sqrt(1.25) */
	approx(st.std, sqrt(1.25));
	approx(st.min, 1);
	approx(st.max, 4);
	approx(st.median, 2.5);
	/* deciles at positions .3k: 1, 1.3, 1.6, ..., 4 */
	for (int k = 0; k <= 10; k++)
		approx(st.quantiles[k], 1 + 0.3 * k);
	/* edges 1, 1.3, ..., 4: 1 -> [1,1.3), 2 -> [1.9,2.2), 3 -> [2.8,3.1),
	 * 4 -> the last bucket, which holds its high end */
	ck_assert_int_eq(st.nhist, 10);
	double want[10] = {1, 0, 0, 1, 0, 0, 1, 0, 0, 1};
	for (int k = 0; k < 10; k++) {
		approx(st.hist[k].count, want[k]);
		approx(st.hist[k].low, 1 + 0.3 * k);
	}
	approx(st.hist[9].high, 4);
	ck_assert_int_eq(st.nqhist, 10);
	approx(st.qhist[3].low, 1.9);
	approx(st.qhist[3].high, 2.2);
	approx(st.qhist[3].count, 0.4);
}
END_TEST

START_TEST(numstats_nan_inf)
{
	double v[] = {0, NAN, 5, INFINITY, -INFINITY, 0};
	struct num_stats st;
	numstats_compute(v, 6, false, &st);
	ck_assert_int_eq(st.count, 6);
	ck_assert_int_eq(st.nan, 1);
	ck_assert_int_eq(st.pos_inf, 1);
	ck_assert_int_eq(st.neg_inf, 1);
	ck_assert_int_eq(st.zeros, 2);
	/* inf + -inf: as TFDV, the mean of non-NaN values is NaN */
	ck_assert(isnan(st.mean));
	ck_assert(isnan(st.std));
	ck_assert(st.min == -INFINITY && st.max == INFINITY);
	/* sorted non-NaN: -inf 0 0 5 inf */
	approx(st.median, 0);
	/* the standard histogram spans the finite values 0..5 */
	ck_assert_int_eq(st.nhist, 10);
	approx(st.hist[0].count, 2);
	approx(st.hist[9].count, 1);
	approx(st.hist[9].high, 5);
	struct histogram h = numstats_histogram(&st);
	ck_assert(h.num_nan == 1 && h.num_inf == 2);
}
END_TEST

START_TEST(numstats_degenerate)
{
	double v[] = {7, 7, 7};
	struct num_stats st;
	numstats_compute(v, 3, false, &st);
	approx(st.std, 0);
	ck_assert_int_eq(st.nhist, 1);
	ck_assert(st.hist[0].low == 7 && st.hist[0].high == 7 && st.hist[0].count == 3);
	for (int k = 0; k <= 10; k++)
		approx(st.quantiles[k], 7);

	double w[] = {NAN, NAN};
	numstats_compute(w, 2, false, &st);
	ck_assert_int_eq(st.count, 2);
	ck_assert_int_eq(st.nan, 2);
	ck_assert(isnan(st.mean) && isnan(st.median));
	ck_assert_int_eq(st.nhist, 0);
	numstats_compute(NULL, 0, false, &st);
	ck_assert_int_eq(st.count, 0);

	double one[] = {-3};
	numstats_compute(one, 1, true, &st);
	approx(st.median, -3);
	approx(st.quantiles[5], -3);
}
END_TEST

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Selection and the radix sort agree with qsort on many sizes, with heavy
 * duplication (small ranges) and without. */
START_TEST(numstats_select_vs_sort)
{
	unsigned seed = 12345;
	size_t sizes[] = {2, 3, 10, 25, 26, 100, 999, 1001, 5000, 70000};
	for (size_t si = 0; si < PM_ARRAY_LEN(sizes); si++) {
		for (int range = 0; range < 3; range++) {
			size_t n = sizes[si];
			double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b),
			       *c = malloc(n * sizeof *c);
			for (size_t i = 0; i < n; i++) {
				int r = rand_r(&seed);
				a[i] = range == 0   ? r % 3
				       : range == 1 ? (r % 2000) - 1000.5
						    : (double)r / RAND_MAX * 1e6 - 3e5;
				b[i] = c[i] = a[i];
			}
			qsort(a, n, sizeof *a, cmpd);
			struct num_stats s1, s2;
			numstats_compute(b, n, false, &s1);
			numstats_compute(c, n, true, &s2);
			for (size_t i = 0; i < n; i++)
				ck_assert(c[i] == a[i]);
			for (int k = 0; k <= 10; k++) {
				double want = quantile_sorted(a, n, k / 10.0);
				approx(s1.quantiles[k], want);
				approx(s2.quantiles[k], want);
			}
			double med = n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
			approx(s1.median, med);
			approx(s2.median, med);
			free(a);
			free(b);
			free(c);
		}
	}
}
END_TEST

Suite *stats_frame_suite(void);

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("numbers");
	tcase_add_test(tc, numstats_small);
	tcase_add_test(tc, numstats_nan_inf);
	tcase_add_test(tc, numstats_degenerate);
	tcase_add_test(tc, numstats_select_vs_sort);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
