/* Distances against hand-worked examples (the arithmetic is in the comments)
 * and TFDV's definitions: L-infinity ties, histogram alignment, NaN buckets. */
#include "validate/validate.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VC(s, c) {s, sizeof(s) - 1, c}
#define REL 1e-12

static void approx(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= REL * fmax(1, fabs(want)), "got %.17g, want %.17g", got,
		      want);
}

START_TEST(linf_basic)
{
	/* a: x .75, y .25; b: x .5, y .5 -> |.25| at both; TFDV keeps the last
	 * key in order among ties: "y" */
	struct value_count a[] = {VC("x", 3), VC("y", 1)}, b[] = {VC("y", 1), VC("x", 1)};
	const char *v;
	uint32_t len;
	approx(dist_linf(a, 2, b, 2, &v, &len), 0.25);
	ck_assert_int_eq(len, 1);
	ck_assert(memcmp(v, "y", 1) == 0);
}
END_TEST

START_TEST(linf_disjoint)
{
	struct value_count a[] = {VC("a", 5)}, b[] = {VC("b", 2)};
	const char *v;
	uint32_t len;
	approx(dist_linf(a, 1, b, 1, &v, &len), 1.0);
	ck_assert(len == 1 && v[0] == 'b');
}
END_TEST

START_TEST(linf_largest_named)
{
	/* a: Cash .6 Credit .3 Other .1; b: Cash .5 Credit .45 Other .05:
	 * diffs .1, .15, .05 -> Credit Card, 0.15 */
	struct value_count a[] = {VC("Cash", 6), VC("Credit Card", 3), VC("Other", 1)};
	struct value_count b[] = {VC("Other", 1), VC("Cash", 10), VC("Credit Card", 9)};
	const char *v;
	uint32_t len;
	approx(dist_linf(a, 3, b, 3, &v, &len), 0.15);
	ck_assert(len == 11 && memcmp(v, "Credit Card", 11) == 0);
}
END_TEST

START_TEST(linf_identical_and_empty)
{
	struct value_count a[] = {VC("b", 1), VC("a", 1)};
	const char *v;
	uint32_t len;
	/* all differences 0: still the last key, as TFDV's >= */
	ck_assert(dist_linf(a, 2, a, 2, &v, &len) == 0);
	ck_assert(len == 1 && v[0] == 'b');
	ck_assert(dist_linf(NULL, 0, NULL, 0, &v, &len) == 0);
	ck_assert_int_eq(len, 0);
	/* byte order: a prefix sorts first, bytes are unsigned */
	struct value_count c[] = {VC("ab", 1), VC("a", 1), VC("\xc3\xa9", 1)};
	struct value_count d[] = {VC("a", 1)};
	/* c: 1/3 each; d: a 1 -> diffs a 2/3, ab 1/3, é 1/3 -> "a" */
	approx(dist_linf(c, 3, d, 1, &v, &len), 2.0 / 3);
	ck_assert(len == 1 && v[0] == 'a');
}
END_TEST

START_TEST(jsd_counts)
{
	double r;
	struct pm_err err = {0};
	struct value_count x[] = {VC("x", 1)}, y[] = {VC("y", 1)};
	/* disjoint: KL(p||m) = log2(2) = 1 each side -> 1 */
	ck_assert_int_eq(dist_jsd_counts(x, 1, y, 1, &r, &err), 0);
	approx(r, 1.0);
	/* p = (.75, .25), q = (.25, .75), m = (.5, .5):
	 * KL = .75 log2 1.5 + .25 log2 .5 = 0.18872187554086717 both sides */
	struct value_count a[] = {VC("x", 3), VC("y", 1)}, b[] = {VC("x", 1), VC("y", 3)};
	ck_assert_int_eq(dist_jsd_counts(a, 2, b, 2, &r, &err), 0);
	approx(r, 0.75 * log2(1.5) - 0.25);
	ck_assert_int_eq(dist_jsd_counts(a, 2, a, 2, &r, &err), 0);
	approx(r, 0);
	ck_assert_int_eq(dist_jsd_counts(a, 2, NULL, 0, &r, &err), -1);
	ck_assert_str_eq(err.msg, "no values to compare");
}
END_TEST

static struct histogram H(struct hist_bucket *b, size_t n, double nan, double inf)
{
	return (struct histogram){.b = b, .n = n, .num_nan = nan, .num_inf = inf};
}

START_TEST(jsd_hist_rebucket)
{
	double r;
	struct pm_err err = {0};
	/* b's single bucket [0,2) is split at 1 by a's boundary: 10 + 10 */
	struct hist_bucket a[] = {{0, 1, 10}, {1, 2, 10}}, b[] = {{0, 2, 20}};
	struct histogram ha = H(a, 2, 0, 0), hb = H(b, 1, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	approx(r, 0);
	struct histogram al, bl;
	hist_align(&ha, &hb, &al, &bl);
	ck_assert_int_eq(al.n, 2);
	ck_assert_int_eq(bl.n, 2);
	approx(bl.b[0].count, 10);
	approx(bl.b[1].count, 10);
	ck_assert(bl.b[1].low == 1 && bl.b[1].high == 2);
	free(al.b);
	free(bl.b);

	/* disjoint supports */
	struct hist_bucket c[] = {{0, 1, 10}}, d[] = {{1, 2, 10}};
	ha = H(c, 1, 0, 0);
	hb = H(d, 1, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	approx(r, 1);

	/* [0,2):4 vs [1,3):4 on {0,1,2,3}: p = (.5,.5,0), q = (0,.5,.5),
	 * m = (.25,.5,.25): KL = .5 log2 2 = .5 each -> .5 */
	struct hist_bucket e[] = {{0, 2, 4}}, f[] = {{1, 3, 4}};
	ha = H(e, 1, 0, 0);
	hb = H(f, 1, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	approx(r, 0.5);
}
END_TEST

START_TEST(jsd_hist_points_nan_inf)
{
	double r;
	struct pm_err err = {0};
	/* a: point 5 x3; b: point 5 x1 and [0,10) x1.  Aligned: a (0, 3),
	 * b (1, 1) -> p = (0, 1), q = (.5, .5), m = (.25, .75):
	 * KL(p||m) = log2(4/3), KL(q||m) = .5 log2 2 + .5 log2(2/3) */
	struct hist_bucket a[] = {{5, 5, 3}}, b[] = {{0, 10, 1}, {5, 5, 1}};
	struct histogram ha = H(a, 1, 0, 0), hb = H(b, 2, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	double want = (log2(4.0 / 3) + 0.5 + 0.5 * log2(2.0 / 3)) / 2;
	approx(r, want);

	/* NaN: TFDV puts a's NaNs and b's NaNs in different buckets.  a =
	 * (1, 0, 1) -> (.5, 0, .5); b = (1, 0, 0); m = (.75, 0, .25):
	 * KL(a||m) = .5 log2(2/3) + .5 log2 2; KL(b||m) = log2(4/3) */
	struct hist_bucket c[] = {{0, 1, 1}};
	ha = H(c, 1, 1, 0);
	hb = H(c, 1, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	approx(r, want);
	/* even the same NaN count on both sides is a difference */
	ha = H(c, 1, 1, 0);
	hb = H(c, 1, 1, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	/* a = (.5, 0, .5), b = (.5, .5, 0): m = (.5, .25, .25) -> .5 each */
	approx(r, 0.5);
	/* infinities: a bucket for a's, another for b's */
	ha = H(c, 1, 0, 1);
	hb = H(c, 1, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), 0);
	approx(r, want);
	/* an all-NaN side normalises to 0/0 */
	ha = H(NULL, 0, 0, 0);
	ck_assert_int_eq(dist_jsd_hist(&ha, &hb, &r, &err), -1);
	ck_assert_str_eq(err.msg, "unable to normalize an empty histogram");
}
END_TEST

START_TEST(psi)
{
	/* p = (.75, .25), q = (.25, .75): -.5 ln(1/3) + .5 ln 3 = ln 3 */
	struct value_count a[] = {VC("x", 3), VC("y", 1)}, b[] = {VC("x", 1), VC("y", 3)};
	approx(dist_psi_counts(a, 2, b, 2), log(3));
	/* disjoint: p = (1, eps), q = (eps, 1) -> 2 (1 - eps) ln(1/eps) */
	struct value_count x[] = {VC("x", 1)}, y[] = {VC("y", 1)};
	approx(dist_psi_counts(x, 1, y, 1), 18.41883867587797);
	ck_assert(isnan(dist_psi_counts(x, 1, NULL, 0)));

	/* baseline 1..10: deciles 1.9, 2.8, ..., 9.1 -> one value per bin */
	double s[10], t[10];
	for (int i = 0; i < 10; i++) {
		s[i] = i + 1;
		t[i] = i + 11;
	}
	double r;
	struct pm_err err = {0};
	ck_assert_int_eq(dist_psi_sorted(s, 10, s, 10, &r, &err), 0);
	approx(r, 0);
	/* all of B above 9.1: nine bins (eps - .1) ln(eps / .1), one .9 ln 10 */
	ck_assert_int_eq(dist_psi_sorted(s, 10, t, 10, &r, &err), 0);
	approx(r, 8.283089355027482);
	ck_assert_int_eq(dist_psi_sorted(s, 0, t, 10, &r, &err), -1);
}
END_TEST

START_TEST(ks)
{
	/* F_A - F_B at 1, 2, 3: 1/3, 2/3 - 1/4, 1 - 1/2 -> .5 (scipy agrees) */
	double a[] = {1, 2, 3}, b[] = {2, 3, 4, 5};
	approx(dist_ks(a, 3, b, 4), 0.5);
	approx(dist_ks(b, 4, a, 3), 0.5);
	/* ties step together: at 1: 2/3 - 1/3, at 2: 1 - 1 */
	double c[] = {1, 1, 2}, d[] = {1, 2, 2};
	approx(dist_ks(c, 3, d, 3), 1.0 / 3);
	approx(dist_ks(a, 3, a, 3), 0);
	double e[] = {10, 11};
	approx(dist_ks(a, 3, e, 2), 1);
	ck_assert(isnan(dist_ks(a, 3, e, 0)));
}
END_TEST

START_TEST(jsd_quantile_bins)
{
	/* baseline 1..10: deciles 1 + 9k/10 = 1.9, 2.8, .., 9.1, so each of the
	 * ten bins holds one value, p = .1 each.  b: five 1s (first bin) and
	 * five 10s (last bin), q = .5, .5.  m = .3 in those two bins, .05 in the
	 * other eight: KL(p||m) = .2 log2(1/3) + .8 log2 2, KL(q||m) = log2(5/3);
	 * JSD = half their sum = .4 + .5 log2 5 - .6 log2 3 = 0.60998... */
	double a[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, b[] = {1, 1, 1, 1, 1, 10, 10, 10, 10, 10};
	double r, cut[QBINS_MAX], ca[QBINS_MAX], cb[QBINS_MAX];
	struct pm_err err = {0};
	ck_assert_int_eq(dist_jsd_quantiles(a, 10, b, 10, &r, &err), 0);
	approx(r, 0.4 + 0.5 * log2(5) - 0.6 * log2(3));
	ck_assert_uint_eq(quantile_cuts(a, 10, cut), 9);
	approx(cut[0], 1.9);
	approx(cut[8], 9.1);
	bins_count(b, 10, cut, 9, cb);
	ck_assert(cb[0] == 5 && cb[9] == 5 && cb[4] == 0);
	/* a value on a cut point belongs to the bin below it: (c0, c1] */
	double on[] = {1.9, 2.8, NAN};
	bins_count(on, 3, cut, 9, ca);
	ck_assert(ca[0] == 1 && ca[1] == 1 && ca[2] == 0);
	/* identical samples: 0; an empty side is an error */
	ck_assert_int_eq(dist_jsd_quantiles(a, 10, a, 10, &r, &err), 0);
	approx(r, 0);
	ck_assert_int_eq(dist_jsd_quantiles(a, 10, b, 0, &r, &err), -1);
	/* equal deciles merge: eight 0s, 1, 2 -> q1..q7 = 0, q8 = 0.2, q9 = 1.1 */
	double z[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
	ck_assert_uint_eq(quantile_cuts(z, 10, cut), 3);
	approx(cut[0], 0);
	approx(cut[1], 0.2);
	approx(cut[2], 1.1);
}
END_TEST

/* The table's rows measure what the functions above do, on the counts
 * that compare and monitoring hand them: the hand-worked examples again. */
START_TEST(table_measures)
{
	/* a: x .75, y .25; b: x .25, y .75 (aligned counts) */
	double ca[] = {3, 1}, cb[] = {1, 3};
	struct dist_input in = {.categorical = true, .ca = ca, .cb = cb, .k = 2};
	approx(dist_table[DIST_LINF].measure(&in), 0.5);
	approx(dist_table[DIST_PSI].measure(&in), log(3));
	/* JSD: m = (.5, .5); KL(p||m) = .75 log2 1.5 + .25 log2 .5 */
	double kl = 0.75 * log2(1.5) + 0.25 * log2(0.5);
	approx(dist_table[DIST_JSD].measure(&in), kl);
	approx(dist_table[DIST_JSD_TFDV].measure(&in), kl);
	/* without statistics or counts, what needs them is not measured */
	ck_assert(isnan(dist_table[DIST_KS].measure(&in)));
	ck_assert(isnan(dist_table[DIST_JSD_QUANTILES].measure(&in)));
	struct dist_input none = {.categorical = true};
	for (int k = 0; k < DIST_N; k++)
		ck_assert_msg(isnan(dist_table[k].measure(&none)), "%s", dist_table[k].name);
	/* an empty side: no PSI or JSD; L-infinity of nothing against b is b's largest share */
	double zero[] = {0, 0};
	in.ca = zero;
	ck_assert(isnan(dist_table[DIST_PSI].measure(&in)));
	ck_assert(isnan(dist_table[DIST_JSD].measure(&in)));
	approx(dist_table[DIST_LINF].measure(&in), 0.75);
	/* KS of 1..10 against 6..15: half of A is below B's least value */
	double s[10], t[10];
	for (int i = 0; i < 10; i++) {
		s[i] = i + 1;
		t[i] = i + 6;
	}
	struct feature_stats fa = {.numeric = true, .sorted = s, .nsorted = 10},
			     fb = {.numeric = true, .sorted = t, .nsorted = 10};
	struct dist_input num = {.a = &fa, .b = &fb};
	approx(dist_table[DIST_KS].measure(&num), 0.5);
}
END_TEST

START_TEST(table_lookups)
{
	ck_assert_ptr_eq(dist_find("linf"), &dist_table[DIST_LINF]);
	ck_assert_ptr_null(dist_find("kl"));
	ck_assert_ptr_eq(dist_by_anomaly("COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"),
			 &dist_table[DIST_JSD]);
	ck_assert_ptr_null(dist_by_anomaly("VALUE_ABOVE_MAX"));
	ck_assert_int_eq(dist_headline(true), DIST_LINF);
	ck_assert_int_eq(dist_headline(false), DIST_JSD);
	char *l = dist_comparator_list("", ", ", " or ");
	ck_assert_str_eq(l, "linf or jsd");
	free(l);
	l = dist_comparator_list(" X", ", ", " and/or ");
	ck_assert_str_eq(l, "linf X and/or jsd X");
	free(l);
	/* every row is complete: a name, words for people, a function */
	for (int k = 0; k < DIST_N; k++) {
		const struct dist_info *d = &dist_table[k];
		ck_assert(d->name && d->label && d->short_label && d->heading && d->heading_utf8);
		ck_assert(d->measure && d->applies);
		ck_assert(!d->comparator || (d->anomaly && d->summary && d->default_threshold > 0));
	}
	struct alert_rule r;
	alert_rule_init(&r);
	ck_assert(r.threshold[DIST_LINF] == 0.05 && r.threshold[DIST_JSD] == 0.02);
}
END_TEST

START_TEST(chi2_pvalues)
{
	/* table values: the 5% point of chi-square(1) is 3.841459, the 1%
	 * point of chi-square(2) is -2 ln 0.01 = 9.210340 (sf = exp(-x/2)) */
	approx(chi2_sf(3.841458820694124, 1), 0.05);
	approx(chi2_sf(-2 * log(0.01), 2), 0.01);
	approx(chi2_sf(0, 3), 1);
	/* df 1: sf = erfc(sqrt(x / 2)), large x through the continued fraction */
	approx(chi2_sf(30, 1), erfc(sqrt(15)));
	ck_assert(fabs(chi2_sf(21.666, 9) - 0.01) < 1e-5);   /* table: 1% point of df 9 */

	/* 2 x 2: a 10 20, b 20 10; every expected count 15, X2 = 4 * 25 / 15 */
	struct signif t;
	double a[] = {10, 20}, b[] = {20, 10};
	signif_homogeneity(a, b, 2, &t);
	approx(t.stat, 20.0 / 3);
	ck_assert(t.df == 1);
	approx(t.p, erfc(sqrt(10.0 / 3)));
	/* 2 x 3: a 10 10 10, b 20 10 0; expected 15 15 | 10 10 | 5 5:
	 * X2 = 50/15 + 0 + 50/5 = 13.333, df 2, p = exp(-X2 / 2) */
	double c[] = {10, 10, 10}, d[] = {20, 10, 0};
	signif_homogeneity(c, d, 3, &t);
	approx(t.stat, 40.0 / 3);
	ck_assert(t.df == 2);
	approx(t.p, exp(-20.0 / 3));
	/* a rare cell (expected 20 / 221 in b) is pooled with the next rarest:
	 * two cells left, df 1 */
	double e[] = {100, 100, 1}, f[] = {10, 10, 0};
	signif_homogeneity(e, f, 3, &t);
	ck_assert(t.df == 1);
	/* one side empty, or one cell: no evidence */
	double g[] = {0, 0};
	signif_homogeneity(a, g, 2, &t);
	ck_assert(t.p == 1 && !signif_testable(&t));
	double one_a[] = {40, 0}, one_b[] = {9, 0};
	signif_homogeneity(one_a, one_b, 2, &t);
	ck_assert(t.p == 1 && !signif_testable(&t));
	signif_homogeneity(c, d, 3, &t);
	ck_assert(signif_testable(&t));
}
END_TEST

START_TEST(presence_and_holm)
{
	/* Fisher's tea-tasting table 3 1 / 1 3: tables with the same margins
	 * have probabilities 1, 16, 36, 16, 1 over 70; two-sided p = 34 / 70 */
	struct signif t;
	signif_presence(3, 4, 1, 4, &t);
	approx(t.p, 34.0 / 70);
	approx(t.stat, 0.25 - 0.75);
	/* never missing in 10,000 training rows, 60 of 300 in a window:
	 * p = C(10300-60, 300-60)/C(10300, 300) ~ 1e-95, far under any level */
	signif_presence(0, 10000, 60, 300, &t);
	ck_assert(t.p < 1e-90);
	approx(t.stat, 0.2);
	ck_assert(signif_testable(&t));
	/* the same share: p = 1, but another table was possible */
	signif_presence(10, 100, 10, 100, &t);
	approx(t.p, 1);
	ck_assert(signif_testable(&t));
	/* missing on neither side (or on every row of both): the margins
	 * allow one table, p is 1 by construction and Holm does not count it */
	signif_presence(0, 10000, 0, 300, &t);
	ck_assert(t.p == 1 && !signif_testable(&t));
	approx(t.stat, 0);
	signif_presence(50, 50, 7, 7, &t);
	ck_assert(t.p == 1 && !signif_testable(&t));
	/* one missing row in all: two tables, p = 1 yet testable */
	signif_presence(1, 10000, 0, 300, &t);
	ck_assert(signif_testable(&t));

	/* Holm: sorted .005 .01 .03 .04 times 4, 3, 2, 1 = .02 .03 .06 .04,
	 * never below an earlier one: .02 .03 .06 .06; NaN stays and does not
	 * count */
	double p[] = {0.01, 0.04, NAN, 0.03, 0.005};
	signif_holm(p, 5);
	approx(p[0], 0.03);
	approx(p[1], 0.06);
	ck_assert(isnan(p[2]));
	approx(p[3], 0.06);
	approx(p[4], 0.02);

	/* the rule: over the threshold and significant */
	struct alert_rule r;
	alert_rule_init(&r);
	ck_assert(alert_rule_fires(&r, 0.1, 0.05, 0.001));
	ck_assert(!alert_rule_fires(&r, 0.1, 0.05, 0.02));
	ck_assert(!alert_rule_fires(&r, 0.04, 0.05, 1e-9));
	ck_assert(!alert_rule_fires(&r, NAN, 0.05, 1e-9));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("distance");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, linf_basic);
	tcase_add_test(tc, linf_disjoint);
	tcase_add_test(tc, linf_largest_named);
	tcase_add_test(tc, linf_identical_and_empty);
	tcase_add_test(tc, jsd_counts);
	tcase_add_test(tc, jsd_hist_rebucket);
	tcase_add_test(tc, jsd_hist_points_nan_inf);
	tcase_add_test(tc, psi);
	tcase_add_test(tc, ks);
	tcase_add_test(tc, jsd_quantile_bins);
	tcase_add_test(tc, table_measures);
	tcase_add_test(tc, table_lookups);
	tcase_add_test(tc, chi2_pvalues);
	tcase_add_test(tc, presence_and_holm);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
