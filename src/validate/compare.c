/* Distances between the features of two datasets: what `compare` shows and
 * what validation's skew and drift checks measure. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double missing_share(const struct feature_stats *f)
{
	size_t n = f->count + f->missing;
	return n ? (double)f->missing / (double)n : NAN;
}

/* Each distance of dist_table that applies, on the value counts of a
 * category or the bins between A's deciles of a number; the significance
 * test of the headline on the same counts. */
void feature_distance_compute(const struct feature_stats *a, const struct feature_stats *b,
			      struct feature_distance *d)
{
	memset(d, 0, sizeof *d);
	d->name = a->name;
	d->type = a->type;
	d->a = a;
	d->b = b;
	d->linf_value = "";
	d->missing_a = missing_share(a);
	d->missing_b = missing_share(b);
	signif_presence((double)a->missing, (double)(a->count + a->missing), (double)b->missing,
			(double)(b->count + b->missing), &d->presence);
	d->categorical = a->categorical && b->categorical;
	if (!d->categorical && !(a->numeric && b->numeric))
		return;
	struct dist_input in = {.categorical = d->categorical, .a = a, .b = b};
	double *ca = NULL, *cb = NULL, qa[QBINS_MAX], qb[QBINS_MAX];
	if (d->categorical) {
		counts_align(a->values, a->nvalues, b->values, b->nvalues, &ca, &cb, &in.k);
		in.ca = ca;
		in.cb = cb;
		dist_linf(a->values, a->nvalues, b->values, b->nvalues, &d->linf_value,
			  &d->linf_value_len);
	} else if (a->sorted && b->sorted && a->nsorted && b->nsorted) {
		in.k = quantile_counts(a->sorted, a->nsorted, b->sorted, b->nsorted, qa, qb);
		in.ca = qa;
		in.cb = qb;
	}
	unsigned kind = d->categorical ? DIST_CATEGORICAL : DIST_NUMERIC;
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].applies & kind) {
			d->v[k] = dist_table[k].measure(&in);
			d->has[k] = !isnan(d->v[k]);
		}
	if (in.ca) {
		/* a test needs rows on both sides */
		double sa = 0, sb = 0;
		for (size_t i = 0; i < in.k; i++)
			sa += in.ca[i], sb += in.cb[i];
		d->has_test = sa > 0 && sb > 0;
		signif_homogeneity(in.ca, in.cb, in.k, &d->test);
	}
	free(ca);
	free(cb);
}

int compare_stats(const struct dataset_stats *a, const struct dataset_stats *b,
		  const char *feature, struct feature_distance **out, size_t *n,
		  struct pm_err *err)
{
	if (feature) {
		if (!stats_feature(a, feature))
			return pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", feature,
					a->dataset);
		if (!stats_feature(b, feature))
			return pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", feature,
					b->dataset);
	}
	struct feature_distance *d = xcalloc(a->n + 1, sizeof *d);
	size_t k = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct feature_stats *fa = &a->f[i];
		if (feature && strcmp(fa->name, feature) != 0)
			continue;
		const struct feature_stats *fb = stats_feature(b, fa->name);
		if (!fb)
			continue;
		feature_distance_compute(fa, fb, &d[k++]);
	}
	*out = d;
	*n = k;
	return 0;
}

void compare_judge(struct feature_distance *d, size_t n, const struct alert_rule *r)
{
	double *p = xmalloc((2 * n + 1) * sizeof *p);
	for (size_t i = 0; i < n; i++) {
		bool has_missing = !isnan(d[i].missing_a) && !isnan(d[i].missing_b);
		p[2 * i] = d[i].has_test && signif_testable(&d[i].test) ? d[i].test.p : NAN;
		p[2 * i + 1] = has_missing && signif_testable(&d[i].presence) ? d[i].presence.p : NAN;
	}
	signif_holm(p, 2 * n);
	for (size_t i = 0; i < n; i++) {
		struct feature_distance *x = &d[i];
		/* a check that could not have rejected keeps its p of 1 */
		x->p = d[i].has_test ? (isnan(p[2 * i]) ? d[i].test.p : p[2 * i]) : NAN;
		x->p_missing = isnan(d[i].missing_a) || isnan(d[i].missing_b)
				       ? NAN
				       : (isnan(p[2 * i + 1]) ? d[i].presence.p : p[2 * i + 1]);
		enum dist_kind h = dist_headline(x->categorical);
		x->threshold = r->threshold[h];
		double dist = x->has[h] ? x->v[h] : NAN;
		x->over = isfinite(dist) && dist > x->threshold;
		x->missing_alert = alert_rule_fires(r, fabs(x->missing_b - x->missing_a), r->missing,
						    x->p_missing);
		x->alert = alert_rule_fires(r, dist, x->threshold, x->p) || x->missing_alert;
	}
	free(p);
}
