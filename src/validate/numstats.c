/* Statistics over an array of numbers: moments, exact order statistics and
 * the two histograms TFDV keeps for each numeric feature. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- order statistics ------------------------------------------------------ */

static void insertion_sort(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static double median3(double a, double b, double c)
{
	if (a < b) {
		if (b < c)
			return b;
		return a < c ? c : a;
	}
	if (a < c)
		return a;
	return b < c ? c : b;
}

/* Puts the values of the given ranks (ascending, within [lo, hi)) in their
 * sorted positions.  Three-way partitioning keeps columns with many equal
 * values (small integers, codes) linear. */
static void select_ranks(double *v, size_t lo, size_t hi, const size_t *r, size_t nr)
{
	while (nr > 0) {
		size_t n = hi - lo;
		if (n <= 24) {
			insertion_sort(v + lo, n);
			return;
		}
		double p;
		if (n > 1000) {
			/* Tukey's ninther: robust against sorted and organ-pipe input */
			size_t s = n / 8;
			double *b = v + lo;
			p = median3(median3(b[0], b[s], b[2 * s]), median3(b[3 * s], b[4 * s], b[5 * s]),
				    median3(b[6 * s], b[7 * s], b[n - 1]));
		} else {
			p = median3(v[lo], v[lo + n / 2], v[hi - 1]);
		}
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			double x = v[i];
			if (x < p) {
				v[i++] = v[lt];
				v[lt++] = x;
			} else if (x > p) {
				v[i] = v[--gt];
				v[gt] = x;
			} else {
				i++;
			}
		}
		/* ranks below lt go left, at or above gt go right; the rest are p */
		size_t nl = 0;
		while (nl < nr && r[nl] < lt)
			nl++;
		size_t nm = nl;
		while (nm < nr && r[nm] < gt)
			nm++;
		if (nl > 0) {
			if (nr - nm == 0) {
				hi = lt;
				nr = nl;
				continue;
			}
			select_ranks(v, lo, lt, r, nl);
		}
		lo = gt;
		r += nm;
		nr -= nm;
	}
}

/* Radix sort of doubles through order-preserving 64-bit keys: several times
 * faster than qsort on the million-row columns `compare` sorts. */
static inline uint64_t dkey(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return (u >> 63) ? ~u : (u | 0x8000000000000000ull);
}

static inline double dunkey(uint64_t k)
{
	uint64_t u = (k >> 63) ? (k & 0x7fffffffffffffffull) : ~k;
	double d;
	memcpy(&d, &u, 8);
	return d;
}

static void sort_doubles(double *v, size_t n)
{
	if (n < 256) {
		if (n > 24) {
			size_t *all = xmalloc(n * sizeof *all);
			for (size_t i = 0; i < n; i++)
				all[i] = i;
			select_ranks(v, 0, n, all, n);
			free(all);
		} else {
			insertion_sort(v, n);
		}
		return;
	}
	uint64_t *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b);
	for (size_t i = 0; i < n; i++)
		a[i] = dkey(v[i]);
	size_t *cnt = xmalloc(65536 * sizeof *cnt);
	for (int pass = 0; pass < 4; pass++) {
		int shift = pass * 16;
		memset(cnt, 0, 65536 * sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			cnt[(a[i] >> shift) & 0xffff]++;
		/* a digit shared by every key changes nothing: skip the pass */
		if (cnt[(a[0] >> shift) & 0xffff] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[(a[i] >> shift) & 0xffff]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = dunkey(a[i]);
	free(cnt);
	free(a);
	free(b);
}

/* numpy's lerp: exact at both ends and monotone in t. */
static double lerp(double a, double b, double t)
{
	if (a == b)
		return a;
	if (isinf(a) || isinf(b))
		return t == 0 ? a : b;
	double d = b - a;
	return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

double quantile_sorted(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	double h = q * (double)(n - 1);
	size_t lo = (size_t)floor(h);
	if (lo >= n - 1)
		return sorted[n - 1];
	return lerp(sorted[lo], sorted[lo + 1], h - (double)lo);
}

/* ---- the statistics -------------------------------------------------------- */

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Standard histogram of the finite values, with numpy's bucket rule: edges
 * min + i * step, a value goes to the bucket whose [edge, next edge) holds
 * it, and the last bucket also takes the maximum. */
static void std_histogram(const double *v, size_t m, double fmin, double fmax, size_t nfinite,
			  struct num_stats *st)
{
	if (nfinite == 0)
		return;
	if (fmin == fmax) {
		st->hist[0] = (struct hist_bucket){fmin, fmax, (double)nfinite};
		st->nhist = 1;
		return;
	}
	double edge[STATS_BUCKETS + 1];
	double step = (fmax - fmin) / STATS_BUCKETS;
	for (int i = 0; i < STATS_BUCKETS; i++)
		edge[i] = (double)i * step + fmin;
	edge[STATS_BUCKETS] = fmax;
	double norm = STATS_BUCKETS / (fmax - fmin);
	size_t cnt[STATS_BUCKETS] = {0};
	for (size_t i = 0; i < m; i++) {
		double x = v[i];
		if (!isfinite(x))
			continue;
		long k = (long)((x - fmin) * norm);
		if (k >= STATS_BUCKETS)
			k = STATS_BUCKETS - 1;
		if (k < 0)
			k = 0;
		if (x < edge[k] && k > 0)
			k--;
		else if (x >= edge[k + 1] && k != STATS_BUCKETS - 1)
			k++;
		cnt[k]++;
	}
	for (int i = 0; i < STATS_BUCKETS; i++)
		st->hist[i] = (struct hist_bucket){edge[i], edge[i + 1], (double)cnt[i]};
	st->nhist = STATS_BUCKETS;
}

/* Order statistics of finite values by bucketing: one pass counts the
 * values in NFINE equal-width buckets, which tells the bucket of every
 * wanted rank; a second pass gathers the values of those few buckets, and
 * selection runs on them alone.  Three passes over the column instead of
 * the several a multi-quickselect makes.  Rounding is monotone, so bucket
 * order is value order. */
#define NFINE 65536
static void select_by_buckets(const double *v, size_t m, double fmin, double fmax,
			      const size_t *ranks, size_t nr, double *out)
{
	uint32_t *cnt = xcalloc(NFINE, sizeof *cnt);
	double scale = (NFINE - 1) / (fmax - fmin);
#define FINE(x) ({                                                                 \
		double f_ = ((x) - fmin) * scale;                                  \
		f_ < NFINE - 1 ? (size_t)f_ : (size_t)(NFINE - 1);                  \
	})
	for (size_t i = 0; i < m; i++)
		cnt[FINE(v[i])]++;
	/* the bucket of each rank, and how many values precede the bucket */
	size_t bucket[2 * (STATS_BUCKETS + 1) + 2], base[2 * (STATS_BUCKETS + 1) + 2];
	size_t b = 0, before = 0;
	for (size_t k = 0; k < nr; k++) {
		while (before + cnt[b] <= ranks[k]) {
			before += cnt[b];
			b++;
		}
		bucket[k] = b;
		base[k] = before;
	}
	/* a slot in one buffer for each needed bucket; the other buckets share
	 * a trash cell past the end, so the gathering loop has no branch to
	 * mispredict when a column's values land in needed buckets at random */
	int32_t *slot = xmalloc(NFINE * sizeof *slot);
	for (size_t k = 0; k < NFINE; k++)
		slot[k] = -1;
	size_t off[2 * (STATS_BUCKETS + 1) + 3], pos[2 * (STATS_BUCKETS + 1) + 3];
	size_t inc[2 * (STATS_BUCKETS + 1) + 3];
	size_t ns = 0, total = 0;
	for (size_t k = 0; k < nr; k++) {
		if (slot[bucket[k]] >= 0)
			continue;
		slot[bucket[k]] = (int32_t)ns;
		off[ns] = total;
		total += cnt[bucket[k]];
		ns++;
	}
	off[ns] = total;
	for (size_t k = 0; k < ns; k++) {
		pos[k] = off[k];
		inc[k] = 1;
	}
	pos[ns] = total;
	inc[ns] = 0;
	for (size_t k = 0; k < NFINE; k++)
		if (slot[k] < 0)
			slot[k] = (int32_t)ns;
	double *buf = xmalloc((total + 1) * sizeof *buf);
	for (size_t i = 0; i < m; i++) {
		size_t sl = (size_t)slot[FINE(v[i])];
		buf[pos[sl]] = v[i];
		pos[sl] += inc[sl];
	}
#undef FINE
	for (size_t k = 0; k < nr;) {
		/* the ranks that fall in this bucket, as ranks within it */
		size_t e = k;
		size_t local[2 * (STATS_BUCKETS + 1) + 2];
		while (e < nr && bucket[e] == bucket[k]) {
			local[e - k] = ranks[e] - base[e];
			e++;
		}
		int32_t sl = slot[bucket[k]];
		size_t len = off[sl + 1] - off[sl];
		select_ranks(buf + off[sl], 0, len, local, e - k);
		for (size_t j = k; j < e; j++)
			out[j] = buf[off[sl] + local[j - k]];
		k = e;
	}
	free(buf);
	free(slot);
	free(cnt);
}

/* The value of rank r among the computed ones. */
static double at_rank(const size_t *ranks, const double *vals, size_t n, size_t r)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (ranks[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return vals[lo];
}

void numstats_compute(double *v, size_t n, bool sort, struct num_stats *st)
{
	memset(st, 0, sizeof *st);
	st->count = n;
	/* one pass: drop NaNs, extremes, zeros and infinities */
	size_t m = 0, zeros = 0, pinf = 0, ninf = 0, nfinite = 0;
	double mn = INFINITY, mx = -INFINITY, fmin = INFINITY, fmax = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double x = v[i];
		if (isnan(x))
			continue;
		v[m++] = x;
		if (x < mn)
			mn = x;
		if (x > mx)
			mx = x;
		zeros += x == 0;
		if (isfinite(x)) {
			nfinite++;
			if (x < fmin)
				fmin = x;
			if (x > fmax)
				fmax = x;
		} else if (x > 0) {
			pinf++;
		} else {
			ninf++;
		}
	}
	st->nan = n - m;
	for (size_t i = m; i < n; i++)
		v[i] = NAN;
	if (m == 0) {
		st->mean = st->std = st->min = st->max = st->median = NAN;
		for (int i = 0; i <= STATS_BUCKETS; i++)
			st->quantiles[i] = NAN;
		return;
	}
	/* four accumulators: faster, and closer to pairwise summation */
	double s[4] = {0, 0, 0, 0};
	size_t i = 0;
	for (; i + 4 <= m; i += 4) {
		s[0] += v[i];
		s[1] += v[i + 1];
		s[2] += v[i + 2];
		s[3] += v[i + 3];
	}
	for (; i < m; i++)
		s[0] += v[i];
	double mean = ((s[0] + s[1]) + (s[2] + s[3])) / (double)m;
	st->mean = mean;
	if (pinf || ninf) {
		st->std = NAN;
	} else {
		double q[4] = {0, 0, 0, 0};
		for (i = 0; i + 4 <= m; i += 4) {
			double d0 = v[i] - mean, d1 = v[i + 1] - mean;
			double d2 = v[i + 2] - mean, d3 = v[i + 3] - mean;
			q[0] += d0 * d0;
			q[1] += d1 * d1;
			q[2] += d2 * d2;
			q[3] += d3 * d3;
		}
		for (; i < m; i++)
			q[0] += (v[i] - mean) * (v[i] - mean);
		st->std = sqrt(((q[0] + q[1]) + (q[2] + q[3])) / (double)m);
	}
	st->min = mn;
	st->max = mx;
	st->zeros = zeros;
	st->pos_inf = pinf;
	st->neg_inf = ninf;
	std_histogram(v, m, fmin, fmax, nfinite, st);

	/* order statistics: the two neighbours of each decile's position and
	 * the median's one or two */
	size_t ranks[2 * (STATS_BUCKETS + 1) + 2];
	double vals[2 * (STATS_BUCKETS + 1) + 2];
	size_t nr = 0;
	for (int k = 0; k <= STATS_BUCKETS; k++) {
		double h = ((double)k / STATS_BUCKETS) * (double)(m - 1);
		size_t lo = (size_t)floor(h);
		ranks[nr++] = lo < m ? lo : m - 1;
		if (lo + 1 < m)
			ranks[nr++] = lo + 1;
	}
	ranks[nr++] = (m - 1) / 2;
	ranks[nr++] = m / 2;
	qsort(ranks, nr, sizeof *ranks, cmp_size);
	size_t u = 0;
	for (size_t k = 0; k < nr; k++)
		if (u == 0 || ranks[u - 1] != ranks[k])
			ranks[u++] = ranks[k];
	if (sort) {
		sort_doubles(v, m);
	} else if (m >= 8192 && nfinite == m && fmin < fmax) {
		select_by_buckets(v, m, fmin, fmax, ranks, u, vals);
	} else {
		select_ranks(v, 0, m, ranks, u);
	}
	if (sort || !(m >= 8192 && nfinite == m && fmin < fmax))
		for (size_t k = 0; k < u; k++)
			vals[k] = v[ranks[k]];
#define AT(r) at_rank(ranks, vals, u, (r))
	if (m % 2) {
		st->median = AT(m / 2);
	} else {
		/* numpy's median: the mean of the two middle values */
		double a = AT(m / 2 - 1), b = AT(m / 2);
		st->median = (a + b) / 2;
		if (isinf(st->median) && isfinite(a) && isfinite(b))
			st->median = a / 2 + b / 2;
	}
	for (int k = 0; k <= STATS_BUCKETS; k++) {
		double h = ((double)k / STATS_BUCKETS) * (double)(m - 1);
		size_t lo = (size_t)floor(h);
		st->quantiles[k] = lo + 1 < m ? lerp(AT(lo), AT(lo + 1), h - (double)lo) : AT(m - 1);
	}
#undef AT
	for (int k = 0; k < STATS_BUCKETS; k++)
		st->qhist[k] = (struct hist_bucket){st->quantiles[k], st->quantiles[k + 1],
						    (double)m / STATS_BUCKETS};
	st->nqhist = STATS_BUCKETS;
}

struct histogram numstats_histogram(const struct num_stats *st)
{
	return (struct histogram){.b = (struct hist_bucket *)st->hist,
				  .n = st->nhist,
				  .num_nan = (double)st->nan,
				  .num_inf = (double)(st->pos_inf + st->neg_inf)};
}

struct histogram numstats_qhistogram(const struct num_stats *st)
{
	return (struct histogram){.b = (struct hist_bucket *)st->qhist,
				  .n = st->nqhist,
				  .num_nan = (double)st->nan,
				  .num_inf = 0};
}
