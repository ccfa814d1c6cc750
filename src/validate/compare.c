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
	if (a->categorical && b->categorical) {
		d->linf = dist_linf(a->values, a->nvalues, b->values, b->nvalues, &d->linf_value,
				    &d->linf_value_len);
		d->has_linf = true;
		/* TFDV takes the value-count form of JSD whenever both sides
		 * have value counts, histograms only otherwise */
		double *ca, *cb;
		size_t k;
		counts_align(a->values, a->nvalues, b->values, b->nvalues, &ca, &cb, &k);
		d->jsd = d->jsd_tfdv = dist_jsd_bins(ca, cb, k);
		d->has_jsd = d->has_jsd_tfdv = !isnan(d->jsd);
		signif_homogeneity(ca, cb, k, &d->test);
		d->has_test = d->has_jsd;
		free(ca);
		free(cb);
		d->psi = dist_psi_counts(a->values, a->nvalues, b->values, b->nvalues);
		d->has_psi = !isnan(d->psi);
		return;
	}
	if (a->numeric && b->numeric) {
		struct histogram ha = numstats_histogram(&a->num), hb = numstats_histogram(&b->num);
		d->has_jsd_tfdv = dist_jsd_hist(&ha, &hb, &d->jsd_tfdv, NULL) == 0;
		/* the quantiles form resists the outliers that stretch equal-width
		 * buckets */
		struct histogram qa = numstats_qhistogram(&a->num), qb = numstats_qhistogram(&b->num);
		d->has_jsd_quantiles = dist_jsd_hist(&qa, &qb, &d->jsd_quantiles, NULL) == 0;
		if (a->sorted && b->sorted && a->nsorted && b->nsorted) {
			double ca[QBINS_MAX], cb[QBINS_MAX];
			size_t k = quantile_counts(a->sorted, a->nsorted, b->sorted, b->nsorted, ca, cb);
			d->jsd = dist_jsd_bins(ca, cb, k);
			d->has_jsd = d->has_test = !isnan(d->jsd);
			signif_homogeneity(ca, cb, k, &d->test);
			d->has_psi = dist_psi_sorted(a->sorted, a->nsorted, b->sorted, b->nsorted,
						     &d->psi, NULL) == 0;
			d->ks = dist_ks(a->sorted, a->nsorted, b->sorted, b->nsorted);
			d->has_ks = !isnan(d->ks);
		}
	}
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
		p[2 * i] = d[i].has_test ? d[i].test.p : NAN;
		p[2 * i + 1] = isnan(d[i].missing_a) || isnan(d[i].missing_b) ? NAN : d[i].presence.p;
	}
	signif_holm(p, 2 * n);
	for (size_t i = 0; i < n; i++) {
		struct feature_distance *x = &d[i];
		x->p = p[2 * i];
		x->p_missing = p[2 * i + 1];
		x->threshold = x->has_linf ? r->linf : r->jsd;
		double dist = x->has_linf ? x->linf : x->has_jsd ? x->jsd : NAN;
		x->over = isfinite(dist) && dist > x->threshold;
		x->missing_alert = alert_rule_fires(r, fabs(x->missing_b - x->missing_a), r->missing,
						    x->p_missing);
		x->alert = alert_rule_fires(r, dist, x->threshold, x->p) || x->missing_alert;
	}
	free(p);
}
