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

/* ---- the statistics -------------------------------------------------------- */

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Standard histogram of the finite values, with numpy's bucket rule: edges
 * min + i * step, a value goes to the bucket whose [edge, next edge) holds
 * it, and the last bucket also takes the maximum.  Counted value by value
 * (hist_add), so the array and the column paths share it. */
struct hist_count {
	double fmin, norm;
	double edge[STATS_BUCKETS + 1];
	size_t cnt[STATS_BUCKETS];
};

static void hist_begin(struct hist_count *h, double fmin, double fmax)
{
	double step = (fmax - fmin) / STATS_BUCKETS;
	for (int i = 0; i < STATS_BUCKETS; i++)
		h->edge[i] = (double)i * step + fmin;
	h->edge[STATS_BUCKETS] = fmax;
	h->fmin = fmin;
	h->norm = STATS_BUCKETS / (fmax - fmin);
	memset(h->cnt, 0, sizeof h->cnt);
}

/* x is finite. */
static inline void hist_add(struct hist_count *h, double x)
{
	long k = (long)((x - h->fmin) * h->norm);
	if (k >= STATS_BUCKETS)
		k = STATS_BUCKETS - 1;
	if (k < 0)
		k = 0;
	if (x < h->edge[k] && k > 0)
		k--;
	else if (x >= h->edge[k + 1] && k != STATS_BUCKETS - 1)
		k++;
	h->cnt[k]++;
}

static void hist_end(const struct hist_count *h, struct num_stats *st)
{
	for (int i = 0; i < STATS_BUCKETS; i++)
		st->hist[i] = (struct hist_bucket){h->edge[i], h->edge[i + 1], (double)h->cnt[i]};
	st->nhist = STATS_BUCKETS;
}

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
	struct hist_count h;
	hist_begin(&h, fmin, fmax);
	for (size_t i = 0; i < m; i++)
		if (isfinite(v[i]))
			hist_add(&h, v[i]);
	hist_end(&h, st);
}

/* Order statistics of finite values by bucketing: one pass counts the
 * values in NFINE equal-width buckets, which tells the bucket of every
 * wanted rank; a second pass gathers the values of those few buckets, and
 * selection runs on them alone.  Rounding is monotone, so bucket order is
 * value order.  The passes take values one at a time (fine_count,
 * fine_put), in the same order for both paths, so the buffers and thus the
 * results are the same whether the values come from an array or a column. */
#define NFINE 65536
#define MAXRANKS (2 * (STATS_BUCKETS + 1) + 2)

struct numstats_scratch {
	uint32_t *cnt;   /* NFINE */
	int32_t *slot;   /* NFINE */
	double *buf;     /* the values of the needed buckets */
	size_t bufcap;
	double *v;       /* the column's values, when it takes the array path */
	size_t vcap;
};

struct numstats_scratch *numstats_scratch_new(void)
{
	struct numstats_scratch *sc = xcalloc(1, sizeof *sc);
	sc->cnt = xmalloc(NFINE * sizeof *sc->cnt);
	sc->slot = xmalloc(NFINE * sizeof *sc->slot);
	return sc;
}

void numstats_scratch_free(struct numstats_scratch *sc)
{
	if (!sc)
		return;
	free(sc->cnt);
	free(sc->slot);
	free(sc->buf);
	free(sc->v);
	free(sc);
}

double *numstats_scratch_values(struct numstats_scratch *sc, size_t n)
{
	if (n + 1 > sc->vcap) {
		free(sc->v);
		sc->vcap = n + 1 > 2 * sc->vcap ? n + 1 : 2 * sc->vcap;
		sc->v = xmalloc_hot(sc->vcap * sizeof *sc->v);
	}
	return sc->v;
}

struct fine {
	struct numstats_scratch *sc;
	double fmin, scale;
	size_t nr;
	const size_t *ranks;
	size_t bucket[MAXRANKS], base[MAXRANKS];
	size_t off[MAXRANKS + 1], pos[MAXRANKS + 1], inc[MAXRANKS + 1];
	size_t ns, total;
	bool single;   /* each bucket holds one value: no buffer needed */
};

static inline size_t fine_of(const struct fine *fn, double x)
{
	double f = (x - fn->fmin) * fn->scale;
	return f < NFINE - 1 ? (size_t)f : (size_t)(NFINE - 1);
}

static void fine_begin(struct fine *fn, struct numstats_scratch *sc, double fmin, double fmax)
{
	fn->sc = sc;
	fn->fmin = fmin;
	fn->scale = (NFINE - 1) / (fmax - fmin);
	memset(sc->cnt, 0, NFINE * sizeof *sc->cnt);
}

static inline void fine_count(struct fine *fn, double x)
{
	fn->sc->cnt[fine_of(fn, x)]++;
}

/* After the counting pass: the bucket of each rank, and a slot in the
 * buffer for each needed bucket; the other buckets share a trash cell past
 * the end, so the gathering loop has no branch to mispredict when a
 * column's values land in needed buckets at random. */
static void fine_plan(struct fine *fn, const size_t *ranks, size_t nr, bool single)
{
	struct numstats_scratch *sc = fn->sc;
	const uint32_t *cnt = sc->cnt;
	int32_t *slot = sc->slot;
	fn->ranks = ranks;
	fn->nr = nr;
	size_t b = 0, before = 0;
	for (size_t k = 0; k < nr; k++) {
		while (before + cnt[b] <= ranks[k]) {
			before += cnt[b];
			b++;
		}
		fn->bucket[k] = b;
		fn->base[k] = before;
	}
	fn->single = single;
	if (single)
		return;
	for (size_t k = 0; k < NFINE; k++)
		slot[k] = -1;
	size_t ns = 0, total = 0;
	for (size_t k = 0; k < nr; k++) {
		if (slot[fn->bucket[k]] >= 0)
			continue;
		slot[fn->bucket[k]] = (int32_t)ns;
		fn->off[ns] = total;
		total += cnt[fn->bucket[k]];
		ns++;
	}
	fn->off[ns] = total;
	for (size_t k = 0; k < ns; k++) {
		fn->pos[k] = fn->off[k];
		fn->inc[k] = 1;
	}
	fn->pos[ns] = total;
	fn->inc[ns] = 0;
	for (size_t k = 0; k < NFINE; k++)
		if (slot[k] < 0)
			slot[k] = (int32_t)ns;
	fn->ns = ns;
	fn->total = total;
	if (total + 1 > sc->bufcap) {
		free(sc->buf);
		sc->bufcap = total + 1 > 2 * sc->bufcap ? total + 1 : 2 * sc->bufcap;
		sc->buf = xmalloc_hot(sc->bufcap * sizeof *sc->buf);
	}
}

static inline void fine_put(struct fine *fn, double x)
{
	size_t sl = (size_t)fn->sc->slot[fine_of(fn, x)];
	fn->sc->buf[fn->pos[sl]] = x;
	fn->pos[sl] += fn->inc[sl];
}

/* Selection within each needed bucket; out[k] gets the value of ranks[k]. */
static void fine_finish(struct fine *fn, double *out)
{
	const size_t *ranks = fn->ranks;
	double *buf = fn->sc->buf;
	for (size_t k = 0; k < fn->nr;) {
		/* the ranks that fall in this bucket, as ranks within it */
		size_t e = k;
		size_t local[MAXRANKS];
		while (e < fn->nr && fn->bucket[e] == fn->bucket[k]) {
			local[e - k] = ranks[e] - fn->base[e];
			e++;
		}
		int32_t sl = fn->sc->slot[fn->bucket[k]];
		size_t len = fn->off[sl + 1] - fn->off[sl];
		select_ranks(buf + fn->off[sl], 0, len, local, e - k);
		for (size_t j = k; j < e; j++)
			out[j] = buf[fn->off[sl] + local[j - k]];
		k = e;
	}
}

static void select_by_buckets(const double *v, size_t m, double fmin, double fmax,
			      const size_t *ranks, size_t nr, double *out)
{
	struct numstats_scratch *sc = numstats_scratch_new();
	struct fine fn;
	fine_begin(&fn, sc, fmin, fmax);
	for (size_t i = 0; i < m; i++)
		fine_count(&fn, v[i]);
	fine_plan(&fn, ranks, nr, false);
	for (size_t i = 0; i < m; i++)
		fine_put(&fn, v[i]);
	fine_finish(&fn, out);
	numstats_scratch_free(sc);
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

/* The ranks the median and deciles of m values need, ascending and
 * distinct: the two neighbours of each decile's position and the median's
 * one or two.  Returns their number. */
static size_t wanted_ranks(size_t m, size_t ranks[MAXRANKS])
{
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
	return u;
}

/* Median, deciles and the quantiles histogram from the order statistics. */
static void order_stats(struct num_stats *st, size_t m, const size_t *ranks, const double *vals,
			size_t u)
{
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

/* Sums with four accumulators: faster, and closer to pairwise summation.
 * Values are added in groups of four (value i of the whole sequence to
 * accumulator i % 4); the last m % 4 values go to the first accumulator.
 * Fed a piece at a time, the result is the same as over one array. */
struct sum4 {
	double s[4];
	double g[4];  /* a group not yet complete */
	int ng;
};

static inline void sum4_group(struct sum4 *a, double x0, double x1, double x2, double x3)
{
	a->s[0] += x0;
	a->s[1] += x1;
	a->s[2] += x2;
	a->s[3] += x3;
}

static void sum4_feed(struct sum4 *a, const double *x, size_t k)
{
	size_t i = 0;
	while (a->ng && i < k) {
		a->g[a->ng++] = x[i++];
		if (a->ng == 4) {
			sum4_group(a, a->g[0], a->g[1], a->g[2], a->g[3]);
			a->ng = 0;
		}
	}
	for (; i + 4 <= k; i += 4)
		sum4_group(a, x[i], x[i + 1], x[i + 2], x[i + 3]);
	while (i < k)
		a->g[a->ng++] = x[i++];
}

/* Squared deviations from mean, grouped the same way. */
static void sq4_feed(struct sum4 *a, const double *x, size_t k, double mean)
{
	size_t i = 0;
	while (a->ng && i < k) {
		a->g[a->ng++] = x[i++] - mean;
		if (a->ng == 4) {
			sum4_group(a, a->g[0] * a->g[0], a->g[1] * a->g[1], a->g[2] * a->g[2],
				   a->g[3] * a->g[3]);
			a->ng = 0;
		}
	}
	for (; i + 4 <= k; i += 4) {
		double d0 = x[i] - mean, d1 = x[i + 1] - mean;
		double d2 = x[i + 2] - mean, d3 = x[i + 3] - mean;
		sum4_group(a, d0 * d0, d1 * d1, d2 * d2, d3 * d3);
	}
	while (i < k)
		a->g[a->ng++] = x[i++] - mean;
}

static double sum4_total(struct sum4 *a, bool squares)
{
	for (int j = 0; j < a->ng; j++)
		a->s[0] += squares ? a->g[j] * a->g[j] : a->g[j];
	a->ng = 0;
	return (a->s[0] + a->s[1]) + (a->s[2] + a->s[3]);
}

/* One pass over non-NaN values: extremes, zeros and infinities. */
struct extremes {
	size_t zeros, pinf, ninf, nfinite;
	double mn, mx, fmin, fmax;
};

static void extremes_init(struct extremes *e)
{
	memset(e, 0, sizeof *e);
	e->mn = e->fmin = INFINITY;
	e->mx = e->fmax = -INFINITY;
}

static void extremes_feed(struct extremes *e, const double *v, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		double x = v[i];
		if (x < e->mn)
			e->mn = x;
		if (x > e->mx)
			e->mx = x;
		e->zeros += x == 0;
		if (isfinite(x)) {
			e->nfinite++;
			if (x < e->fmin)
				e->fmin = x;
			if (x > e->fmax)
				e->fmax = x;
		} else if (x > 0) {
			e->pinf++;
		} else {
			e->ninf++;
		}
	}
}

static void set_extremes(struct num_stats *st, const struct extremes *e)
{
	st->min = e->mn;
	st->max = e->mx;
	st->zeros = e->zeros;
	st->pos_inf = e->pinf;
	st->neg_inf = e->ninf;
}

static void no_values(struct num_stats *st)
{
	st->mean = st->std = st->min = st->max = st->median = NAN;
	for (int i = 0; i <= STATS_BUCKETS; i++)
		st->quantiles[i] = NAN;
}

/* Bucket selection pays from this many values on. */
#define FINE_MIN 8192

void numstats_compute(double *v, size_t n, bool sort, struct num_stats *st)
{
	memset(st, 0, sizeof *st);
	st->count = n;
	/* drop NaNs */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	st->nan = n - m;
	for (size_t i = m; i < n; i++)
		v[i] = NAN;
	if (m == 0) {
		no_values(st);
		return;
	}
	struct extremes e;
	extremes_init(&e);
	extremes_feed(&e, v, m);
	struct sum4 s = {{0}};
	sum4_feed(&s, v, m);
	double mean = sum4_total(&s, false) / (double)m;
	st->mean = mean;
	if (e.pinf || e.ninf) {
		st->std = NAN;
	} else {
		struct sum4 q = {{0}};
		sq4_feed(&q, v, m, mean);
		st->std = sqrt(sum4_total(&q, true) / (double)m);
	}
	set_extremes(st, &e);
	std_histogram(v, m, e.fmin, e.fmax, e.nfinite, st);

	size_t ranks[MAXRANKS];
	double vals[MAXRANKS];
	size_t u = wanted_ranks(m, ranks);
	bool buckets = !sort && m >= FINE_MIN && e.nfinite == m && e.fmin < e.fmax;
	if (sort)
		sort_doubles(v, m);
	else if (buckets)
		select_by_buckets(v, m, e.fmin, e.fmax, ranks, u, vals);
	else
		select_ranks(v, 0, m, ranks, u);
	if (!buckets)
		for (size_t k = 0; k < u; k++)
			vals[k] = v[ranks[k]];
	order_stats(st, m, ranks, vals, u);
}

/* ---- statistics of a column, read in place ------------------------------------ */

#define BLOCK 2048

/* The present values of rows [r0, r1) of c as doubles, in row order.
 * Returns their number and points *out at them: into the column itself for
 * a float block with no missing value, else into tmp.  Branch-free: every
 * value is written and the count only moves for the present ones. */
static size_t block_values(const struct column *c, size_t r0, size_t r1, double *tmp,
			   const double **out)
{
	const uint8_t *ok = c->valid + r0;
	size_t n = r1 - r0, m = 0;
	bool dense = memchr(ok, 0, n) == NULL;
	*out = tmp;
	switch (c->type) {
	case PM_INT:
	case PM_TIMESTAMP: {
		const int64_t *x = c->v.i64 + r0;
		if (dense) {
			for (size_t i = 0; i < n; i++)
				tmp[i] = (double)x[i];
			return n;
		}
		for (size_t i = 0; i < n; i++) {
			tmp[m] = (double)x[i];
			m += ok[i] != 0;
		}
		return m;
	}
	case PM_FLOAT: {
		const double *x = c->v.f64 + r0;
		if (dense) {
			*out = x;
			return n;
		}
		for (size_t i = 0; i < n; i++) {
			tmp[m] = x[i];
			m += ok[i] != 0;
		}
		return m;
	}
	case PM_BOOL: {
		const uint8_t *x = c->v.b + r0;
		for (size_t i = 0; i < n; i++) {
			tmp[m] = x[i] ? 1.0 : 0.0;
			m += ok[i] != 0;
		}
		return m;
	}
	case PM_STRING:
		break;
	}
	return 0;
}

/* Extremes, zeros and NaNs of values none of which is known to be finite;
 * the caller falls back to the array path unless all of them are.  Four
 * chains of min and max run side by side: the order in which equal values
 * meet does not matter, except for zeros of both signs (-0.0 == 0.0), and
 * those send a column to the array path, which keeps the first one met. */
struct quick {
	double mn, mx;
	size_t zeros, negzeros, nan;
};

static void quick_feed(struct quick *q, const double *v, size_t k)
{
	double mn[4] = {q->mn, q->mn, q->mn, q->mn}, mx[4] = {q->mx, q->mx, q->mx, q->mx};
	size_t zeros = 0, neg = 0, nan = 0, i = 0;
#define QUICK(j, x)                                                             \
	do {                                                                    \
		double x_ = (x);                                                \
		mn[j] = x_ < mn[j] ? x_ : mn[j];                                \
		mx[j] = x_ > mx[j] ? x_ : mx[j];                                \
		zeros += x_ == 0;                                               \
		neg += (x_ == 0) & (signbit(x_) != 0);                          \
		nan += x_ != x_;                                                \
	} while (0)
	for (; i + 4 <= k; i += 4) {
		QUICK(0, v[i]);
		QUICK(1, v[i + 1]);
		QUICK(2, v[i + 2]);
		QUICK(3, v[i + 3]);
	}
	for (; i < k; i++)
		QUICK(0, v[i]);
#undef QUICK
	for (int j = 0; j < 4; j++) {
		q->mn = mn[j] < q->mn ? mn[j] : q->mn;
		q->mx = mx[j] > q->mx ? mx[j] : q->mx;
	}
	q->zeros += zeros;
	q->negzeros += neg;
	q->nan += nan;
}

/* The value of an integer-valued column's bucket b, when each bucket holds
 * one value (a range under NFINE - 1, so that distinct integers fall in
 * distinct buckets): the d with fine_of(fmin + d) == b. */
static double int_bucket_value(const struct fine *fn, size_t b)
{
	double d = floor((double)b / fn->scale);
	for (int k = -1; k <= 2; k++) {
		double x = fn->fmin + (d + k);
		if (x >= fn->fmin && fine_of(fn, x) == b)
			return x;
	}
	return NAN; /* cannot happen: some value of the column is in b */
}

void numstats_column(const struct column *c, size_t n, struct numstats_scratch *sc,
		     struct num_stats *st)
{
	double tmp[BLOCK];
	const double *v;
	size_t m = 0;
	struct quick qk = {INFINITY, -INFINITY, 0, 0, 0};
	struct sum4 s = {{0}};
	for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
		size_t r1 = n - r0 < BLOCK ? n : r0 + BLOCK;
		size_t k = block_values(c, r0, r1, tmp, &v);
		m += k;
		quick_feed(&qk, v, k);
		sum4_feed(&s, v, k);
	}
	if (!(qk.nan == 0 && m >= FINE_MIN && isfinite(qk.mn) && isfinite(qk.mx) &&
	      qk.mn < qk.mx && (qk.negzeros == 0 || qk.negzeros == qk.zeros))) {
		/* few values, NaN, infinities, a single value or zeros of both
		 * signs: the array path */
		double *a = numstats_scratch_values(sc, n);
		size_t k = 0;
		for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
			size_t r1 = n - r0 < BLOCK ? n : r0 + BLOCK;
			size_t got = block_values(c, r0, r1, tmp, &v);
			memcpy(a + k, v, got * sizeof *v);
			k += got;
		}
		numstats_compute(a, k, false, st);
		return;
	}
	memset(st, 0, sizeof *st);
	st->count = m;
	double mean = sum4_total(&s, false) / (double)m;
	st->mean = mean;
	st->min = qk.mn;
	st->max = qk.mx;
	st->zeros = qk.zeros;

	/* second pass: deviations, the standard histogram, bucket counts */
	struct sum4 q = {{0}};
	struct hist_count h;
	hist_begin(&h, qk.mn, qk.mx);
	struct fine fn;
	fine_begin(&fn, sc, qk.mn, qk.mx);
	for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
		size_t r1 = n - r0 < BLOCK ? n : r0 + BLOCK;
		size_t k = block_values(c, r0, r1, tmp, &v);
		sq4_feed(&q, v, k, mean);
		for (size_t i = 0; i < k; i++) {
			hist_add(&h, v[i]);
			fine_count(&fn, v[i]);
		}
	}
	st->std = sqrt(sum4_total(&q, true) / (double)m);
	hist_end(&h, st);

	size_t ranks[MAXRANKS];
	double vals[MAXRANKS];
	size_t u = wanted_ranks(m, ranks);
	fine_plan(&fn, ranks, u, c->type != PM_FLOAT && qk.mx - qk.mn < NFINE - 1 &&
				       fabs(qk.mn) < 0x1p52 && fabs(qk.mx) < 0x1p52);
	if (fn.single) {
		/* integers on a short range: each bucket holds one value, so the
		 * bucket of a rank tells its value without a third pass */
		for (size_t k = 0; k < u; k++)
			vals[k] = int_bucket_value(&fn, fn.bucket[k]);
	} else {
		/* third pass: the values of the buckets that hold a wanted rank */
		for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
			size_t r1 = n - r0 < BLOCK ? n : r0 + BLOCK;
			size_t k = block_values(c, r0, r1, tmp, &v);
			for (size_t i = 0; i < k; i++)
				fine_put(&fn, v[i]);
		}
		fine_finish(&fn, vals);
	}
	order_stats(st, m, ranks, vals, u);
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
