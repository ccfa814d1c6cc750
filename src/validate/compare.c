/* Distances between the features of two datasets: what `compare` shows and
 * what validation's skew and drift checks measure. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void feature_distance_compute(const struct feature_stats *a, const struct feature_stats *b,
			      struct feature_distance *d)
{
	memset(d, 0, sizeof *d);
	d->name = a->name;
	d->type = a->type;
	d->a = a;
	d->b = b;
	d->linf_value = "";
	if (a->categorical && b->categorical) {
		d->linf = dist_linf(a->values, a->nvalues, b->values, b->nvalues, &d->linf_value,
				    &d->linf_value_len);
		d->has_linf = true;
		/* TFDV takes the value-count form of JSD whenever both sides
		 * have value counts, histograms only otherwise */
		d->has_jsd = dist_jsd_counts(a->values, a->nvalues, b->values, b->nvalues, &d->jsd,
					     NULL) == 0;
		d->psi = dist_psi_counts(a->values, a->nvalues, b->values, b->nvalues);
		d->has_psi = !isnan(d->psi);
		return;
	}
	if (a->numeric && b->numeric) {
		struct histogram ha = numstats_histogram(&a->num), hb = numstats_histogram(&b->num);
		d->has_jsd = dist_jsd_hist(&ha, &hb, &d->jsd, NULL) == 0;
		/* the quantiles form resists the outliers that stretch equal-width
		 * buckets */
		struct histogram qa = numstats_qhistogram(&a->num), qb = numstats_qhistogram(&b->num);
		d->has_jsd_quantiles = dist_jsd_hist(&qa, &qb, &d->jsd_quantiles, NULL) == 0;
		if (a->sorted && b->sorted && a->nsorted && b->nsorted) {
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
