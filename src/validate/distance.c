/* Distances between two distributions: L-infinity and Jensen-Shannon as TFDV
 * computes them (metrics.cc), the population stability index and the
 * two-sample Kolmogorov-Smirnov statistic. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- value counts: both sides merged by value, in byte order ---------------- */

/* std::string order, which TFDV's std::map uses: unsigned bytes, then length */
static int vc_cmp_value(const void *pa, const void *pb)
{
	const struct value_count *a = pa, *b = pb;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->value, b->value, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

struct merged {
	const char *value;
	uint32_t len;
	double a, b;
};

/* The union of both sides' values, sorted, with each side's count.  A value
 * listed twice on one side (which stats never produce) adds up. */
static struct merged *merge_counts(const struct value_count *a, size_t na,
				   const struct value_count *b, size_t nb, size_t *n, double *suma,
				   double *sumb)
{
	struct value_count *sa = xmalloc((na + 1) * sizeof *sa), *sb = xmalloc((nb + 1) * sizeof *sb);
	if (na)
		memcpy(sa, a, na * sizeof *sa);
	if (nb)
		memcpy(sb, b, nb * sizeof *sb);
	qsort(sa, na, sizeof *sa, vc_cmp_value);
	qsort(sb, nb, sizeof *sb, vc_cmp_value);
	struct merged *m = xmalloc((na + nb + 1) * sizeof *m);
	size_t i = 0, j = 0, k = 0;
	*suma = *sumb = 0;
	while (i < na || j < nb) {
		int c;
		if (i == na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = vc_cmp_value(&sa[i], &sb[j]);
		const struct value_count *src = c <= 0 ? &sa[i] : &sb[j];
		if (k == 0 || m[k - 1].len != src->len ||
		    memcmp(m[k - 1].value, src->value, src->len) != 0)
			m[k++] = (struct merged){src->value, src->len, 0, 0};
		if (c <= 0) {
			m[k - 1].a += sa[i].count;
			*suma += sa[i].count;
			i++;
		}
		if (c >= 0) {
			m[k - 1].b += sb[j].count;
			*sumb += sb[j].count;
			j++;
		}
	}
	free(sa);
	free(sb);
	*n = k;
	return m;
}

double dist_linf(const struct value_count *a, size_t na, const struct value_count *b,
		 size_t nb, const char **value, uint32_t *value_len)
{
	size_t n;
	double sa, sb;
	struct merged *m = merge_counts(a, na, b, nb, &n, &sa, &sb);
	/* TFDV keeps the last value in key order among equal maxima (>=), and
	 * starts from ("", 0) */
	double best = 0;
	const char *bv = "";
	uint32_t bl = 0;
	for (size_t k = 0; k < n; k++) {
		double pa = sa > 0 ? m[k].a / sa : 0;
		double pb = sb > 0 ? m[k].b / sb : 0;
		double d = fabs(pa - pb);
		if (d >= best) {
			best = d;
			bv = m[k].value;
			bl = m[k].len;
		}
	}
	free(m);
	if (value)
		*value = bv;
	if (value_len)
		*value_len = bl;
	return best;
}

void counts_align(const struct value_count *a, size_t na, const struct value_count *b,
		  size_t nb, double **ca, double **cb, size_t *k)
{
	size_t n;
	double sa, sb;
	struct merged *m = merge_counts(a, na, b, nb, &n, &sa, &sb);
	*ca = xmalloc((n + 1) * sizeof **ca);
	*cb = xmalloc((n + 1) * sizeof **cb);
	for (size_t i = 0; i < n; i++) {
		(*ca)[i] = m[i].a;
		(*cb)[i] = m[i].b;
	}
	free(m);
	*k = n;
}

/* The totals of two count vectors over k bins; whether both have any. */
static bool bins_totals(const double *a, const double *b, size_t k, double *sa, double *sb)
{
	*sa = *sb = 0;
	for (size_t i = 0; i < k; i++) {
		*sa += a[i];
		*sb += b[i];
	}
	return *sa > 0 && *sb > 0;
}

double dist_jsd_bins(const double *a, const double *b, size_t k)
{
	double sa, sb;
	if (!bins_totals(a, b, k, &sa, &sb))
		return NAN;
	double kl = 0;
	for (size_t i = 0; i < k; i++) {
		double p = a[i] / sa, q = b[i] / sb, mid = (p + q) / 2;
		if (a[i] != 0)
			kl += p * log2(p / mid);
		if (b[i] != 0)
			kl += q * log2(q / mid);
	}
	return fmin(kl / 2, 1.0);
}

int dist_jsd_counts(const struct value_count *a, size_t na, const struct value_count *b,
		    size_t nb, double *out, struct pm_err *err)
{
	for (size_t i = 0; i < na; i++)
		if (!(a[i].count > 0))
			return pm_errf(err, "sample count is a non-positive value");
	for (size_t i = 0; i < nb; i++)
		if (!(b[i].count > 0))
			return pm_errf(err, "sample count is a non-positive value");
	if (na == 0 || nb == 0)
		return pm_errf(err, "no values to compare");
	double *ca, *cb;
	size_t k;
	counts_align(a, na, b, nb, &ca, &cb, &k);
	*out = dist_jsd_bins(ca, cb, k);
	free(ca);
	free(cb);
	return 0;
}

/* PSI over two count vectors on the same k bins, each side's shares of
 * its own total (NaN when a side is empty). */
static double psi_bins(const double *a, const double *b, size_t k)
{
	double sa, sb;
	if (!bins_totals(a, b, k, &sa, &sb))
		return NAN;
	double psi = 0;
	for (size_t i = 0; i < k; i++) {
		double p = fmax(a[i] / sa, PSI_EPSILON), q = fmax(b[i] / sb, PSI_EPSILON);
		psi += (q - p) * log(q / p);
	}
	return psi;
}

double dist_psi_counts(const struct value_count *a, size_t na, const struct value_count *b,
		       size_t nb)
{
	double *ca, *cb;
	size_t k;
	counts_align(a, na, b, nb, &ca, &cb, &k);
	double psi = psi_bins(ca, cb, k);
	free(ca);
	free(cb);
	return psi;
}

/* ---- histograms: TFDV's alignment ---------------------------------------------- */

struct hbuf {
	struct hist_bucket *b;
	size_t n, cap;
};

static void hb_add(struct hbuf *h, double low, double high, double count)
{
	xgrow((void **)&h->b, &h->cap, h->n + 1, sizeof *h->b);
	h->b[h->n++] = (struct hist_bucket){low, high, count};
}

struct point {
	double at, count;
};

struct stripped {
	struct hbuf h;        /* finite buckets of positive width */
	struct point *pt;     /* point masses by position */
	size_t npt;
	double inf;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_point(const void *a, const void *b)
{
	return cmp_double(&((const struct point *)a)->at, &((const struct point *)b)->at);
}

static void strip(const struct histogram *in, struct stripped *s)
{
	memset(s, 0, sizeof *s);
	s->inf = in->num_inf;
	s->pt = xmalloc((in->n + 1) * sizeof *s->pt);
	for (size_t i = 0; i < in->n; i++) {
		const struct hist_bucket *b = &in->b[i];
		if (!isfinite(b->low) || !isfinite(b->high)) {
			s->inf += b->count;
		} else if (b->low == b->high) {
			size_t k;
			for (k = 0; k < s->npt; k++)
				if (s->pt[k].at == b->low)
					break;
			if (k == s->npt)
				s->pt[s->npt++] = (struct point){b->low, 0};
			s->pt[k].count += b->count;
		} else {
			hb_add(&s->h, b->low, b->high, b->count);
		}
	}
	qsort(s->pt, s->npt, sizeof *s->pt, cmp_point);
}

/* Sorted distinct boundaries of a histogram's buckets. */
static double *boundaries(const struct hbuf *h, size_t *n)
{
	double *v = xmalloc((2 * h->n + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < h->n; i++) {
		v[k++] = h->b[i].low;
		v[k++] = h->b[i].high;
	}
	qsort(v, k, sizeof *v, cmp_double);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || v[u - 1] != v[i])
			v[u++] = v[i];
	*n = u;
	return v;
}

/* Redistributes h's counts onto the buckets between consecutive
 * boundaries (which include all of h's own), assuming values spread
 * uniformly within a bucket: TFDV's RebucketHistogram. */
static void rebucket(const double *bd, size_t nbd, struct hbuf *h)
{
	struct hbuf out = {0};
	size_t maxi = nbd ? nbd - 1 : 0, idx = 0;
	for (size_t i = 0; i < h->n; i++) {
		double low = h->b[i].low, high = h->b[i].high, cnt = h->b[i].count;
		while (idx < maxi && low > bd[idx]) {
			hb_add(&out, bd[idx], bd[idx + 1], 0);
			idx++;
		}
		size_t first = idx;
		while (idx < maxi && high > bd[idx])
			idx++;
		/* the buckets [bd[k], bd[k+1]) for k in [first, idx) share cnt */
		for (size_t k = first; k < idx; k++)
			hb_add(&out, bd[k], bd[k + 1], (bd[k + 1] - bd[k]) / (high - low) * cnt);
	}
	for (size_t k = idx; k < maxi; k++)
		hb_add(&out, bd[k], bd[k + 1], 0);
	free(h->b);
	*h = out;
}

static bool same_bounds(const double *a, size_t na, const double *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

void hist_align(const struct histogram *a, const struct histogram *b, struct histogram *out_a,
		struct histogram *out_b)
{
	struct stripped sa, sb;
	strip(a, &sa);
	strip(b, &sb);
	size_t na, nb;
	double *ba = boundaries(&sa.h, &na), *bb = boundaries(&sb.h, &nb);
	if (!same_bounds(ba, na, bb, nb)) {
		double *all = xmalloc((na + nb + 1) * sizeof *all);
		memcpy(all, ba, na * sizeof *all);
		memcpy(all + na, bb, nb * sizeof *all);
		qsort(all, na + nb, sizeof *all, cmp_double);
		size_t u = 0;
		for (size_t i = 0; i < na + nb; i++)
			if (u == 0 || all[u - 1] != all[i])
				all[u++] = all[i];
		rebucket(all, u, &sa.h);
		rebucket(all, u, &sb.h);
		free(all);
	}
	free(ba);
	free(bb);
	/* point masses: one shared bucket per position */
	size_t i = 0, j = 0;
	while (i < sa.npt || j < sb.npt) {
		double at;
		if (j == sb.npt || (i < sa.npt && sa.pt[i].at <= sb.pt[j].at))
			at = sa.pt[i].at;
		else
			at = sb.pt[j].at;
		double ca = 0, cb = 0;
		if (i < sa.npt && sa.pt[i].at == at)
			ca = sa.pt[i++].count;
		if (j < sb.npt && sb.pt[j].at == at)
			cb = sb.pt[j++].count;
		hb_add(&sa.h, at, at, ca);
		hb_add(&sb.h, at, at, cb);
	}
	/* infinities in buckets of their own that never overlap */
	if (sa.inf != 0) {
		hb_add(&sa.h, -INFINITY, INFINITY, sa.inf);
		hb_add(&sb.h, -INFINITY, INFINITY, 0);
	}
	if (sb.inf != 0) {
		hb_add(&sa.h, -INFINITY, INFINITY, 0);
		hb_add(&sb.h, -INFINITY, INFINITY, sb.inf);
	}
	/* NaNs likewise: TFDV gives each side's NaNs a bucket the other side
	 * leaves empty, so NaNs always count as a difference */
	if (a->num_nan > 0 || b->num_nan > 0) {
		hb_add(&sa.h, NAN, NAN, 0);
		hb_add(&sa.h, NAN, NAN, a->num_nan);
		hb_add(&sb.h, NAN, NAN, b->num_nan);
		hb_add(&sb.h, NAN, NAN, 0);
	}
	free(sa.pt);
	free(sb.pt);
	*out_a = (struct histogram){.b = sa.h.b, .n = sa.h.n};
	*out_b = (struct histogram){.b = sb.h.b, .n = sb.h.n};
}

static double kl2(const struct histogram *p, const struct histogram *q)
{
	double r = 0;
	for (size_t i = 0; i < p->n; i++) {
		double x = p->b[i].count, y = q->b[i].count;
		if (x > 0 && y > 0)
			r += x * log2(x / y);
	}
	return r;
}

int dist_jsd_hist(const struct histogram *a, const struct histogram *b, double *out,
		  struct pm_err *err)
{
	struct histogram ha, hb;
	hist_align(a, b, &ha, &hb);
	double ta = 0, tb = 0;
	for (size_t i = 0; i < ha.n; i++) {
		ta += ha.b[i].count;
		tb += hb.b[i].count;
	}
	if (!(ta > 0) || !(tb > 0)) {
		free(ha.b);
		free(hb.b);
		return pm_errf(err, "unable to normalize an empty histogram");
	}
	struct histogram mid = {.b = xmalloc((ha.n + 1) * sizeof *mid.b), .n = ha.n};
	for (size_t i = 0; i < ha.n; i++) {
		ha.b[i].count /= ta;
		hb.b[i].count /= tb;
		mid.b[i] = ha.b[i];
		mid.b[i].count = (ha.b[i].count + hb.b[i].count) / 2;
	}
	double r = (kl2(&ha, &mid) + kl2(&hb, &mid)) / 2;
	*out = fmin(r, 1.0);
	free(mid.b);
	free(ha.b);
	free(hb.b);
	return 0;
}

/* ---- on sorted values ------------------------------------------------------------- */

size_t quantile_cuts(const double *sorted, size_t n, double *cut)
{
	size_t ncut = 0;
	for (int k = 1; k < QBINS_MAX; k++) {
		double e = quantile_sorted(sorted, n, (double)k / QBINS_MAX);
		if (ncut == 0 || cut[ncut - 1] != e)
			cut[ncut++] = e;
	}
	return ncut;
}

/* Number of cut points below x: the bin of x. */
static size_t lower_bound(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void bins_count(const double *v, size_t n, const double *cut, size_t ncut, double *counts)
{
	memset(counts, 0, (ncut + 1) * sizeof *counts);
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			counts[lower_bound(cut, ncut, v[i])]++;
}

size_t quantile_counts(const double *a, size_t na, const double *b, size_t nb,
			      double *ca, double *cb)
{
	double cut[QBINS_MAX];
	size_t ncut = quantile_cuts(a, na, cut);
	bins_count(a, na, cut, ncut, ca);
	bins_count(b, nb, cut, ncut, cb);
	return ncut + 1;
}

int dist_jsd_quantiles(const double *a, size_t na, const double *b, size_t nb, double *out,
		       struct pm_err *err)
{
	if (na == 0 || nb == 0)
		return pm_errf(err, "no values to compare");
	double ca[QBINS_MAX], cb[QBINS_MAX];
	size_t k = quantile_counts(a, na, b, nb, ca, cb);
	*out = dist_jsd_bins(ca, cb, k);
	return 0;
}

int dist_psi_sorted(const double *a, size_t na, const double *b, size_t nb, double *out,
		    struct pm_err *err)
{
	if (na == 0 || nb == 0)
		return pm_errf(err, "no values to compare");
	/* bins (-inf, e1], (e1, e2], ..., (e9, +inf) between the baseline's
	 * deciles; equal cut points merge bins */
	double ca[QBINS_MAX], cb[QBINS_MAX];
	size_t k = quantile_counts(a, na, b, nb, ca, cb);
	*out = psi_bins(ca, cb, k);
	return 0;
}

double dist_ks(const double *a, size_t na, const double *b, size_t nb)
{
	if (na == 0 || nb == 0)
		return NAN;
	size_t i = 0, j = 0;
	double d = 0;
	while (i < na && j < nb) {
		double x = a[i] <= b[j] ? a[i] : b[j];
		while (i < na && a[i] <= x)
			i++;
		while (j < nb && b[j] <= x)
			j++;
		double diff = fabs((double)i / (double)na - (double)j / (double)nb);
		if (diff > d)
			d = diff;
	}
	return d;
}

/* ---- the table ---------------------------------------------------------------------- */

/* The largest difference of shares, as dist_linf over the same counts
 * (which are whole numbers, so their sums are exact in any order). */
static double measure_linf(const struct dist_input *in)
{
	if (!in->ca)
		return NAN;
	double sa, sb, best = 0;
	bins_totals(in->ca, in->cb, in->k, &sa, &sb);
	for (size_t i = 0; i < in->k; i++) {
		double pa = sa > 0 ? in->ca[i] / sa : 0;
		double pb = sb > 0 ? in->cb[i] / sb : 0;
		best = fmax(best, fabs(pa - pb));
	}
	return best;
}

static double measure_jsd(const struct dist_input *in)
{
	return in->ca ? dist_jsd_bins(in->ca, in->cb, in->k) : NAN;
}

/* TFDV takes the value-count form of JSD whenever both sides have value
 * counts, its equal-width histograms otherwise. */
static double measure_jsd_tfdv(const struct dist_input *in)
{
	if (in->categorical)
		return measure_jsd(in);
	if (!in->a)
		return NAN;
	struct histogram ha = numstats_histogram(&in->a->num), hb = numstats_histogram(&in->b->num);
	double d;
	return dist_jsd_hist(&ha, &hb, &d, NULL) == 0 ? d : NAN;
}

/* The quantiles form resists the outliers that stretch equal-width
 * buckets. */
static double measure_jsd_quantiles(const struct dist_input *in)
{
	if (in->categorical || !in->a)
		return NAN;
	struct histogram qa = numstats_qhistogram(&in->a->num), qb = numstats_qhistogram(&in->b->num);
	double d;
	return dist_jsd_hist(&qa, &qb, &d, NULL) == 0 ? d : NAN;
}

static double measure_psi(const struct dist_input *in)
{
	return in->ca ? psi_bins(in->ca, in->cb, in->k) : NAN;
}

static double measure_ks(const struct dist_input *in)
{
	if (in->categorical || !in->a || !in->a->sorted || !in->b->sorted)
		return NAN;
	return dist_ks(in->a->sorted, in->a->nsorted, in->b->sorted, in->b->nsorted);
}

/* The defaults of the headline thresholds were chosen on the bundled taxi
 * data (bench/monitor-alerts and README's Monitoring section). */
const struct dist_info dist_table[DIST_N] = {
	[DIST_LINF] = {.name = "linf", .label = "L-infinity distance",
		       .short_label = "L-infinity", .heading = "Linf",
		       .heading_utf8 = "L\u221e", .applies = DIST_CATEGORICAL,
		       .headline = DIST_CATEGORICAL, .default_threshold = 0.05, .comparator = true,
		       .by_value = true, .validates = DIST_LINF,
		       .anomaly = "COMPARATOR_L_INFINITY_HIGH",
		       .summary = "L-infinity distance above the skew or drift threshold", .where = true, .in_tui = true,
		       .measure = measure_linf},
	[DIST_JSD] = {.name = "jsd", .label = "Jensen-Shannon divergence",
		      .short_label = "JSD", .heading = "JSD",
		      .heading_utf8 = "JSD", .applies = DIST_CATEGORICAL | DIST_NUMERIC,
		      .headline = DIST_NUMERIC, .default_threshold = 0.02, .comparator = true,
		      .validates = DIST_JSD_TFDV, .anomaly = "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
		      .summary = "Jensen-Shannon divergence above the skew or drift threshold",
		      .in_tui = true, .measure = measure_jsd},
	[DIST_JSD_TFDV] = {.name = "jsd_tfdv", .label = "approximate Jensen-Shannon divergence",
			   .short_label = "JSD (TFDV)",
			   .heading = "JSD (TFDV)", .heading_utf8 = "JSD (TFDV)",
			   .applies = DIST_CATEGORICAL | DIST_NUMERIC, .validates = DIST_JSD_TFDV,
			   .measure = measure_jsd_tfdv},
	[DIST_JSD_QUANTILES] = {.name = "jsd_quantiles",
				.label = "Jensen-Shannon divergence over quantiles",
				.short_label = "JSD (quantiles)",
				.heading = "JSD (quantiles)", .heading_utf8 = "JSD (quantiles)",
				.applies = DIST_NUMERIC, .validates = DIST_JSD_QUANTILES,
				.optional = true, .measure = measure_jsd_quantiles},
	[DIST_PSI] = {.name = "psi", .label = "population stability index",
		      .short_label = "PSI", .heading = "PSI",
		      .heading_utf8 = "PSI", .applies = DIST_CATEGORICAL | DIST_NUMERIC,
		      .validates = DIST_PSI, .in_tui = true, .measure = measure_psi},
	[DIST_KS] = {.name = "ks", .label = "Kolmogorov-Smirnov statistic",
		     .short_label = "KS", .heading = "KS",
		     .heading_utf8 = "KS", .applies = DIST_NUMERIC, .validates = DIST_KS,
		     .in_tui = true, .measure = measure_ks},
};

const struct dist_info *dist_find(const char *name)
{
	for (size_t k = 0; k < DIST_N; k++)
		if (strcmp(dist_table[k].name, name) == 0)
			return &dist_table[k];
	return NULL;
}

const struct dist_info *dist_by_anomaly(const char *code)
{
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].anomaly && strcmp(dist_table[k].anomaly, code) == 0)
			return &dist_table[k];
	return NULL;
}

enum dist_kind dist_headline(bool categorical)
{
	unsigned kind = categorical ? DIST_CATEGORICAL : DIST_NUMERIC;
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].headline & kind)
			return (enum dist_kind)k;
	return DIST_JSD;
}

char *dist_comparator_list(const char *suffix, const char *sep, const char *last)
{
	size_t n = 0, i = 0;
	for (size_t k = 0; k < DIST_N; k++)
		n += dist_table[k].comparator;
	struct sbuf b = {0};
	for (size_t k = 0; k < DIST_N; k++)
		if (dist_table[k].comparator) {
			sbuf_printf(&b, "%s%s%s", i == 0 ? "" : i + 1 == n ? last : sep, dist_table[k].name,
				    suffix);
			i++;
		}
	return sbuf_steal(&b);
}
