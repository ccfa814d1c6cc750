/* Significance of a difference between two samples: Pearson's chi-square
 * test of homogeneity over their counts (categories, quantile bins),
 * Fisher's exact test of their missing shares, and Holm's correction for
 * checking many features at once.  A distance over its threshold alerts
 * only when the rows behind it make the difference unlikely to be sampling
 * noise. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Regularized upper incomplete gamma Q(a, x): a series below a + 1, a
 * continued fraction (modified Lentz) above, where each converges fast. */
static double gamma_q(double a, double x)
{
	if (!(x > 0))
		return 1.0;
	double lead = exp(-x + a * log(x) - lgamma(a));
	if (x < a + 1) {
		double ap = a, sum = 1 / a, del = sum;
		for (int i = 0; i < 10000; i++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-15)
				break;
		}
		return fmax(0.0, 1 - sum * lead);
	}
	const double tiny = 1e-300;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
	for (int i = 1; i < 10000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return lead * h;
}

double chi2_sf(double x, double df)
{
	if (!(df > 0) || isnan(x))
		return NAN;
	return gamma_q(df / 2, x / 2);
}

struct cell {
	double a, b;
	size_t i;
};

static int by_total(const void *x, const void *y)
{
	const struct cell *p = x, *q = y;
	double s = p->a + p->b, t = q->a + q->b;
	if (s != t)
		return s < t ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

void signif_homogeneity(const double *a, const double *b, size_t k, struct signif *out)
{
	*out = (struct signif){.stat = 0, .df = 0, .p = 1};
	double na = 0, nb = 0;
	for (size_t j = 0; j < k; j++) {
		na += a[j];
		nb += b[j];
	}
	if (!(na > 0) || !(nb > 0))
		return;
	double n = na + nb, small = fmin(na, nb);
	struct cell *c = xmalloc((k + 1) * sizeof *c);
	size_t m = 0;
	for (size_t j = 0; j < k; j++)
		if (a[j] + b[j] > 0)
			c[m++] = (struct cell){a[j], b[j], j};
	qsort(c, m, sizeof *c, by_total);
	/* The chi-square approximation wants expected counts of 5 or more:
	 * the rarest cells (a company seen 8 times in 10,000 rows, against a
	 * window of 100) are pooled into one until the pool reaches that. */
	size_t first = 0;
	struct cell pool = {0, 0, 0};
	while (first < m && small * (c[first].a + c[first].b) / n < CHI2_MIN_EXPECTED) {
		pool.a += c[first].a;
		pool.b += c[first].b;
		first++;
	}
	if (first > 0 && small * (pool.a + pool.b) / n < CHI2_MIN_EXPECTED && first < m) {
		pool.a += c[first].a;
		pool.b += c[first].b;
		first++;
	}
	if (first > 0)
		c[--first] = pool;
	size_t cells = m - first;
	if (cells >= 2) {
		double x2 = 0;
		for (size_t j = first; j < m; j++) {
			double t = c[j].a + c[j].b, ea = na * t / n, eb = nb * t / n;
			x2 += (c[j].a - ea) * (c[j].a - ea) / ea + (c[j].b - eb) * (c[j].b - eb) / eb;
		}
		out->stat = x2;
		out->df = (double)(cells - 1);
		out->p = chi2_sf(x2, out->df);
	}
	free(c);
}

/* log of C(n, k) */
static double lchoose(double n, double k)
{
	return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

void signif_presence(double missing_a, double total_a, double missing_b, double total_b,
		     struct signif *out)
{
	*out = (struct signif){.stat = NAN, .df = 0, .p = 1};
	if (!(total_a > 0) || !(total_b > 0))
		return;
	/* Fisher's exact test: a feature never missing in training has an
	 * expected count of missing window rows near 0, where the chi-square
	 * approximation (and pooling, which would leave one cell) fails.  The
	 * two-sided p sums the tables of the same margins no more likely than
	 * the one seen, with R's relative tolerance for ties. */
	double n = total_a + total_b, k = missing_a + missing_b;
	double lo = fmax(0, k - total_b), hi = fmin(k, total_a);
	double base = lchoose(n, total_a), seen = lchoose(k, missing_a) +
						 lchoose(n - k, total_a - missing_a) - base;
	out->stat = missing_b / total_b - missing_a / total_a;
	if (!(hi > lo))
		return;   /* one table: nothing to test (df stays 0) */
	double p = 0;
	for (double x = lo; x <= hi; x++) {
		double l = lchoose(k, x) + lchoose(n - k, total_a - x) - base;
		if (l <= seen + 1e-7 * fabs(seen))
			p += exp(l);
	}
	out->df = 1;
	out->p = fmin(1.0, p);
}

bool signif_testable(const struct signif *t)
{
	return t->df > 0;
}

struct ranked {
	double p;
	size_t i;
};

static int by_p(const void *x, const void *y)
{
	const struct ranked *s = x, *t = y;
	if (s->p != t->p)
		return s->p < t->p ? -1 : 1;
	return (s->i > t->i) - (s->i < t->i);
}

void signif_holm(double *p, size_t n)
{
	struct ranked *r = xmalloc((n + 1) * sizeof *r);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			r[m++] = (struct ranked){p[i], i};
	qsort(r, m, sizeof *r, by_p);
	/* step-down: the j-th smallest of m is held against alpha / (m - j);
	 * as adjusted p-values, (m - j) p, never below an earlier one */
	double run = 0;
	for (size_t j = 0; j < m; j++) {
		double adj = fmin(1.0, (double)(m - j) * r[j].p);
		if (adj > run)
			run = adj;
		p[r[j].i] = run;
	}
	free(r);
}

void alert_rule_init(struct alert_rule *r)
{
	*r = (struct alert_rule){.missing = DRIFT_DEFAULT_MISSING, .alpha = DRIFT_DEFAULT_ALPHA};
	for (size_t k = 0; k < DIST_N; k++)
		r->threshold[k] = dist_table[k].default_threshold;
}

bool alert_rule_fires(const struct alert_rule *r, double distance, double threshold,
		      double p_adjusted)
{
	return isfinite(distance) && distance > threshold && p_adjusted <= r->alpha;
}
