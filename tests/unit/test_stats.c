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


/* ---- frames ------------------------------------------------------------------ */

static struct frame *taxi_train(void)
{
	const char *src = getenv("srcdir");
	char *path = xasprintf("%s/datasets/taxi/train.csv", src ? src : ".");
	struct frame *f = NULL;
	struct pm_err err = {0};
	struct csv_options o = {0};
	int rc = frame_read_csv(path, "train", &o, &f, NULL, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	free(path);
	return f;
}

static const struct feature_stats *feat(const struct dataset_stats *st, const char *name)
{
	const struct feature_stats *fs = stats_feature(st, name);
	ck_assert_msg(fs != NULL, "no feature %s", name);
	return fs;
}

#define REF 1e-9
static void rel(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= REF * fmax(1e-300, fabs(want)) || got == want,
		      "got %.17g, want %.17g", got, want);
}

/* Reference figures from pandas/numpy on the same file (read_csv, dropna,
 * mean, std(ddof=0), median, np.quantile, np.histogram with 10 bins). */
START_TEST(taxi_reference)
{
	struct frame *f = taxi_train();
	struct dataset_stats *st;
	struct pm_err err = {0};
	struct stats_options o = {.threads = 2};
	ck_assert_int_eq(stats_compute(f, &o, &st, &err), 0);
	ck_assert_int_eq(st->rows, 10000);

	const struct feature_stats *fare = feat(st, "fare");
	ck_assert_int_eq(fare->count, 10000);
	rel(fare->num.mean, 16.2882);
	rel(fare->num.std, 16.790252105313943);
	rel(fare->num.median, 10.25);
	double fq[11] = {4.0, 4.75, 5.5, 6.25, 8.5, 10.25, 12.5, 16.25, 22.25, 38.75, 388.25};
	double fh[10] = {9117, 864, 11, 3, 1, 0, 1, 0, 1, 2};
	for (int k = 0; k < 11; k++)
		rel(fare->num.quantiles[k], fq[k]);
	for (int k = 0; k < 10; k++)
		rel(fare->num.hist[k].count, fh[k]);

	const struct feature_stats *miles = feat(st, "trip_miles");
	rel(miles->num.mean, 4.094092);
	rel(miles->num.std, 5.1531157890674395);
	rel(miles->num.median, 2.12);
	ck_assert_int_eq(miles->num.zeros, 10);
	rel(miles->num.quantiles[8], 6.022000000000007);
	double mh[10] = {6248, 1827, 639, 394, 192, 314, 333, 40, 9, 4};
	for (int k = 0; k < 10; k++)
		rel(miles->num.hist[k].count, mh[k]);

	const struct feature_stats *secs = feat(st, "trip_seconds");
	rel(secs->num.mean, 1068.762);
	rel(secs->num.std, 2110.0875022984546);
	rel(secs->num.max, 77280);

	const struct feature_stats *lat = feat(st, "dropoff_latitude");
	ck_assert_int_eq(lat->count, 9287);
	ck_assert_int_eq(lat->missing, 713);
	rel(lat->num.mean, 41.897324877355445);
	rel(lat->num.std, 0.042887967066049984);
	rel(lat->num.median, 41.897853);

	const struct feature_stats *pay = feat(st, "payment_type");
	ck_assert(pay->categorical && !pay->numeric);
	ck_assert_int_eq(pay->unique, 6);
	rel(pay->avg_length, 6.9728);
	ck_assert_int_eq(pay->ntop, 6);
	const struct value_count *top = &pay->values[pay->top[0]];
	ck_assert(top->len == 4 && memcmp(top->value, "Cash", 4) == 0 && top->count == 5474);
	top = &pay->values[pay->top[5]];
	ck_assert(top->len == 7 && memcmp(top->value, "Dispute", 7) == 0 && top->count == 46);

	const struct feature_stats *co = feat(st, "company");
	ck_assert_int_eq(co->count, 9033);
	ck_assert_int_eq(co->unique, 30);
	rel(co->avg_length, 26.67496955607218);
	ck_assert_int_eq(co->ntop, STATS_TOP);
	top = &co->values[co->top[2]];
	ck_assert(top->count == 924 && memcmp(top->value, "Blue Ribbon", 11) == 0);
	stats_free(st);
	frame_free(f);
}
END_TEST

/* Slices group rows by value (sorted, missing last); statistics over a
 * slice's rows equal those of the rows alone. */
START_TEST(slices)
{
	const char *csv = "k,v,b\nx,1,true\ny,2,false\nx,3,true\n,4,\ny,5,true\n";
	struct frame *f;
	struct pm_err err = {0};
	struct csv_options co = {.threads = 1};
	ck_assert_int_eq(frame_parse_csv(csv, strlen(csv), "t", "t", &co, &f, NULL, &err), 0);
	struct slices sl;
	ck_assert_int_eq(slices_make(f, "k", 10, &sl, &err), 0);
	ck_assert_int_eq(sl.n, 3);
	ck_assert_str_eq(sl.labels[0], "x");
	ck_assert_str_eq(sl.labels[1], "y");
	ck_assert(sl.labels[2] == NULL);
	ck_assert_int_eq(sl.nrows[0], 2);
	ck_assert(sl.rows[0][0] == 0 && sl.rows[0][1] == 2);
	ck_assert(sl.nrows[2] == 1 && sl.rows[2][0] == 3);
	struct stats_options o = {.rows = sl.rows[1], .nrows = sl.nrows[1], .threads = 1};
	struct dataset_stats *st;
	ck_assert_int_eq(stats_compute(f, &o, &st, &err), 0);
	ck_assert_int_eq(st->rows, 2);
	rel(feat(st, "v")->num.mean, 3.5);
	/* bool: numbers (mean = share of true) and categories */
	const struct feature_stats *b = feat(st, "b");
	ck_assert(b->numeric && b->categorical);
	rel(b->num.mean, 0.5);
	ck_assert_int_eq(b->unique, 2);
	stats_free(st);
	slices_free(&sl);

	ck_assert_int_eq(slices_make(f, "v", 4, &sl, &err), -1);
	ck_assert_str_eq(err.msg, "column v has 5 distinct values; --slice takes a column with at "
				  "most 4");
	ck_assert_int_eq(slices_make(f, "b", 4, &sl, &err), 0);
	ck_assert_int_eq(sl.n, 3);
	ck_assert_str_eq(sl.labels[0], "false");
	ck_assert_str_eq(sl.labels[1], "true");
	ck_assert_int_eq(sl.nrows[1], 3);
	slices_free(&sl);

	/* shared bins of a column over two frames */
	const struct frame *two[2] = {f, f};
	struct col_hist h;
	ck_assert_int_eq(col_hist_compute(two, 2, "v", 4, &h, &err), 0);
	ck_assert(!h.categorical && h.nbins == 4);
	rel(h.edges[0], 1);
	rel(h.edges[4], 5);
	/* [1,2) [2,3) [3,4) [4,5]: 1 1 1 2 */
	rel(h.counts[1][3], 2);
	ck_assert_int_eq(h.total[0], 5);
	col_hist_free(&h);
	ck_assert_int_eq(col_hist_compute(two, 1, "k", 1, &h, &err), 0);
	ck_assert(h.categorical && h.nbins == 1);
	ck_assert_str_eq(h.labels[0], "(other)");
	rel(h.counts[0][0], 4);
	col_hist_free(&h);
	frame_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("numbers");
	tcase_add_test(tc, numstats_small);
	tcase_add_test(tc, numstats_nan_inf);
	tcase_add_test(tc, numstats_degenerate);
	tcase_add_test(tc, numstats_select_vs_sort);
	suite_add_tcase(s, tc);
	TCase *tf = tcase_create("frames");
	tcase_set_timeout(tf, 60);
	tcase_add_test(tf, taxi_reference);
	tcase_add_test(tf, slices);
	suite_add_tcase(s, tf);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
