/* Statistics of a frame: one pass per column, columns in parallel, and
 * slices (the same statistics per value of a column). */
#include "validate.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char *const bool_text[2] = {"false", "true"};

/* Order of the top list: count descending, then value in byte order. */
static bool vc_before(const struct value_count *a, const struct value_count *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->value, b->value, n);
	return c ? c < 0 : a->len < b->len;
}

/* The STATS_TOP best values by insertion into a short sorted list: one
 * comparison per value once the list is full. */
static void top_values(struct feature_stats *fs)
{
	size_t nt = 0;
	for (size_t i = 0; i < fs->nvalues; i++) {
		const struct value_count *v = &fs->values[i];
		if (nt == STATS_TOP && !vc_before(v, &fs->values[fs->top[nt - 1]]))
			continue;
		size_t k = nt < STATS_TOP ? nt++ : nt - 1;
		while (k > 0 && vc_before(v, &fs->values[fs->top[k - 1]])) {
			fs->top[k] = fs->top[k - 1];
			k--;
		}
		fs->top[k] = i;
	}
	fs->ntop = nt;
}

/* Scratch memory shared by the columns, one piece per thread at a time: a
 * fresh 8 MB array per column of a million rows costs as much in page
 * faults as the statistics themselves. */
#define POOL_MAX 64
struct pool {
	pthread_mutex_t lock;
	struct numstats_scratch *sc[POOL_MAX];
	size_t n;
};

static struct numstats_scratch *pool_take(struct pool *p)
{
	struct numstats_scratch *sc = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->n)
		sc = p->sc[--p->n];
	pthread_mutex_unlock(&p->lock);
	return sc ? sc : numstats_scratch_new();
}

static void pool_give(struct pool *p, struct numstats_scratch *sc)
{
	pthread_mutex_lock(&p->lock);
	if (p->n < POOL_MAX) {
		p->sc[p->n++] = sc;
		sc = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	numstats_scratch_free(sc);
}

struct job {
	const struct frame *f;
	const struct stats_options *opt;
	struct dataset_stats *out;
	struct pool pool;
	atomic_size_t done;
	atomic_int cancelled;
};

static void string_stats(const struct column *c, const size_t *rows, size_t n,
			 struct feature_stats *fs)
{
	size_t nd = c->dict ? c->dict->n : 0;
	size_t *cnt = xcalloc(nd + 1, sizeof *cnt);
	size_t present = 0;
	for (size_t k = 0; k < n; k++) {
		size_t r = rows ? rows[k] : k;
		if (!c->valid[r])
			continue;
		uint32_t code = c->v.code[r];
		if (code < nd) {
			cnt[code]++;
			present++;
		}
	}
	fs->values = xmalloc((nd + 1) * sizeof *fs->values);
	double bytes = 0;
	for (size_t d = 0; d < nd; d++) {
		if (!cnt[d])
			continue;
		fs->values[fs->nvalues++] = (struct value_count){c->dict->str[d], c->dict->len[d],
								 (double)cnt[d]};
		bytes += (double)c->dict->len[d] * (double)cnt[d];
	}
	free(cnt);
	fs->count = present;
	fs->unique = fs->nvalues;
	fs->avg_length = present ? bytes / (double)present : 0;
	fs->categorical = true;
	top_values(fs);
}

/* The present values of c (of the given rows) as doubles; one loop per
 * type keeps the type switch out of the loop. */
static size_t gather(const struct column *c, const size_t *rows, size_t n, double *v,
		     size_t nb[2])
{
	size_t m = 0;
	const uint8_t *ok = c->valid;
#define GATHER(expr)                                                          \
	do {                                                                  \
		if (rows) {                                                   \
			for (size_t k = 0; k < n; k++) {                      \
				size_t r = rows[k];                           \
				if (ok[r])                                    \
					v[m++] = (expr);                      \
			}                                                     \
		} else {                                                      \
			for (size_t r = 0; r < n; r++) {                      \
				v[m] = (expr);                                \
				m += ok[r] != 0;                              \
			}                                                     \
		}                                                             \
	} while (0)
	switch (c->type) {
	case PM_INT:
	case PM_TIMESTAMP:
		GATHER((double)c->v.i64[r]);
		break;
	case PM_FLOAT:
		GATHER(c->v.f64[r]);
		break;
	case PM_BOOL:
		GATHER(c->v.b[r] ? 1.0 : 0.0);
		for (size_t k = 0; k < m; k++)
			nb[v[k] != 0]++;
		break;
	case PM_STRING:
		break;
	}
#undef GATHER
	return m;
}

static void numeric_stats(const struct column *c, const size_t *rows, size_t n, bool keep,
			  struct pool *pool, struct feature_stats *fs)
{
	struct numstats_scratch *sc = pool_take(pool);
	size_t nb[2] = {0, 0};
	if (!rows && !keep) {
		/* the common case: the column read in place, no copy */
		numstats_column(c, n, sc, &fs->num);
		fs->count = fs->num.count;
		if (c->type == PM_BOOL) {
			nb[0] = fs->num.zeros;
			nb[1] = fs->count - nb[0];
		}
	} else {
		double *v = keep ? xmalloc_hot((n + 1) * sizeof *v) : numstats_scratch_values(sc, n);
		size_t m = gather(c, rows, n, v, nb);
		fs->count = m;
		numstats_compute(v, m, keep, &fs->num);
		if (keep) {
			fs->sorted = v;
			fs->nsorted = m - fs->num.nan;
		}
	}
	pool_give(pool, sc);
	fs->numeric = true;
	if (c->type == PM_BOOL) {
		/* a bool is also a category, so L-infinity applies to it */
		size_t m = fs->count;
		fs->categorical = true;
		fs->values = xmalloc(2 * sizeof *fs->values);
		for (int b = 0; b < 2; b++)
			if (nb[b])
				fs->values[fs->nvalues++] = (struct value_count){
					bool_text[b], (uint32_t)strlen(bool_text[b]), (double)nb[b]};
		fs->unique = fs->nvalues;
		fs->avg_length = m ? (5.0 * (double)nb[0] + 4.0 * (double)nb[1]) / (double)m : 0;
		top_values(fs);
	}
}

static void column_job(void *ctx, size_t i)
{
	struct job *j = ctx;
	if (atomic_load(&j->cancelled))
		return;
	if (progress_cancelled(j->opt->progress)) {
		atomic_store(&j->cancelled, 1);
		return;
	}
	const struct column *c = &j->f->cols[i];
	struct feature_stats *fs = &j->out->f[i];
	const size_t *rows = j->opt->rows;
	size_t n = rows ? j->opt->nrows : j->f->nrows;
	fs->name = xstrdup(c->name);
	fs->type = c->type;
	if (c->type == PM_STRING)
		string_stats(c, rows, n, fs);
	else
		numeric_stats(c, rows, n, j->opt->keep_sorted, &j->pool, fs);
	fs->missing = n - fs->count;
	size_t done = atomic_fetch_add(&j->done, 1) + 1;
	/* progress from the thread that finished a column; the face's
	 * reporter copes with calls from any thread */
	progress_report(j->opt->progress, "stats", (double)done, (double)j->f->ncols);
}

int stats_compute(const struct frame *f, const struct stats_options *opt,
		  struct dataset_stats **out, struct pm_err *err)
{
	static const struct stats_options dflt = {0};
	if (!opt)
		opt = &dflt;
	struct dataset_stats *s = xcalloc(1, sizeof *s);
	s->dataset = xstrdup(f->name ? f->name : "");
	s->rows = opt->rows ? opt->nrows : f->nrows;
	s->n = f->ncols;
	s->f = xcalloc(f->ncols + 1, sizeof *s->f);
	struct job j = {.f = f, .opt = opt, .out = s};
	atomic_init(&j.done, 0);
	atomic_init(&j.cancelled, 0);
	pthread_mutex_init(&j.pool.lock, NULL);
	par_for(f->ncols, opt->threads, column_job, &j);
	for (size_t i = 0; i < j.pool.n; i++)
		numstats_scratch_free(j.pool.sc[i]);
	pthread_mutex_destroy(&j.pool.lock);
	if (atomic_load(&j.cancelled)) {
		stats_free(s);
		return pm_errcf(err, PM_E_CANCEL, "cancelled");
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].name)
			name_index_add(&s->index, s->f[i].name, i);
	*out = s;
	return 0;
}

void stats_free(struct dataset_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->f[i].name);
		free(s->f[i].values);
		free(s->f[i].sorted);
	}
	free(s->f);
	free(s->dataset);
	name_index_free(&s->index);
	free(s);
}

const struct feature_stats *stats_feature(const struct dataset_stats *s, const char *name)
{
	int64_t i = name_index_find(&s->index, name);
	return i < 0 ? NULL : &s->f[i];
}

/* ---- JSON ---------------------------------------------------------------------- */

/* The numbers of one feature's JSON, each distinct value made once and
 * shared (a json_t may sit in several places of a tree that is only
 * read).  Statistics repeat their numbers: the quantiles and buckets of a
 * column with few distinct values are the same few numbers, and a wide
 * dataset of few rows has hundreds of thousands of such columns, where a
 * json_t for every number made `stats` take a gigabyte. */
#define JNUMS_MAX 48
struct jnums {
	double v[JNUMS_MAX];
	json_t *j[JNUMS_MAX];
	size_t n;
};

static json_t *jnum(struct jnums *c, double v)
{
	if (!isfinite(v))
		return json_null();
	for (size_t i = 0; i < c->n; i++)
		if (memcmp(&c->v[i], &v, sizeof v) == 0) /* bits: -0 is not 0 */
			return json_incref(c->j[i]);
	json_t *j = json_real(v);
	if (c->n < JNUMS_MAX) {
		c->v[c->n] = v;
		c->j[c->n++] = json_incref(j);
	}
	return j;
}

static void jnums_free(struct jnums *c)
{
	for (size_t i = 0; i < c->n; i++)
		json_decref(c->j[i]);
}

static json_t *hist_json(struct jnums *c, const struct hist_bucket *b, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		/* a bucket like the one before (a column of few values has
		 * equal quantile buckets) is that one, shared */
		if (i > 0 && memcmp(&b[i], &b[i - 1], sizeof b[i]) == 0) {
			json_array_append(a, json_array_get(a, i - 1));
			continue;
		}
		json_t *o = json_object();
		json_object_set_new(o, "low", jnum(c, b[i].low));
		json_object_set_new(o, "high", jnum(c, b[i].high));
		double cnt = b[i].count;
		json_object_set_new(o, "count", cnt == floor(cnt) && fabs(cnt) < 9e15
							 ? json_integer((json_int_t)cnt)
							 : jnum(c, cnt));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *ts_json(double us)
{
	if (!isfinite(us))
		return json_null();
	char buf[64];
	ts_format((int64_t)us, buf, sizeof buf);
	return json_string(buf);
}

json_t *feature_stats_to_json(const struct feature_stats *fs)
{
	struct jnums c = {.n = 0};
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(fs->name));
	json_object_set_new(o, "type", json_string(pm_type_name(fs->type)));
	json_object_set_new(o, "count", json_integer((json_int_t)fs->count));
	json_object_set_new(o, "missing", json_integer((json_int_t)fs->missing));
	if (fs->numeric) {
		const struct num_stats *n = &fs->num;
		json_object_set_new(o, "mean", jnum(&c, n->mean));
		json_object_set_new(o, "std", jnum(&c, n->std));
		json_object_set_new(o, "zeros", json_integer((json_int_t)n->zeros));
		json_object_set_new(o, "min", jnum(&c, n->min));
		json_object_set_new(o, "median", jnum(&c, n->median));
		json_object_set_new(o, "max", jnum(&c, n->max));
		json_object_set_new(o, "nan", json_integer((json_int_t)n->nan));
		json_object_set_new(o, "pos_inf", json_integer((json_int_t)n->pos_inf));
		json_object_set_new(o, "neg_inf", json_integer((json_int_t)n->neg_inf));
		if (fs->type == PM_TIMESTAMP) {
			json_object_set_new(o, "min_time", ts_json(n->min));
			json_object_set_new(o, "median_time", ts_json(n->median));
			json_object_set_new(o, "max_time", ts_json(n->max));
		}
		json_t *q = json_array();
		if (fs->count > n->nan)
			for (int k = 0; k <= STATS_BUCKETS; k++)
				json_array_append_new(q, jnum(&c, n->quantiles[k]));
		json_object_set_new(o, "quantiles", q);
		json_object_set_new(o, "histogram", hist_json(&c, n->hist, n->nhist));
		json_object_set_new(o, "quantiles_histogram", hist_json(&c, n->qhist, n->nqhist));
	}
	if (fs->categorical) {
		json_object_set_new(o, "unique", json_integer((json_int_t)fs->unique));
		json_object_set_new(o, "avg_length", json_real(fs->avg_length));
		json_t *top = json_array();
		for (size_t k = 0; k < fs->ntop; k++) {
			const struct value_count *v = &fs->values[fs->top[k]];
			json_t *e = json_object();
			json_object_set_new(e, "value", json_stringn(v->value, v->len));
			json_object_set_new(e, "count", json_integer((json_int_t)v->count));
			json_array_append_new(top, e);
		}
		json_object_set_new(o, "top", top);
	}
	jnums_free(&c);
	return o;
}

json_t *stats_to_json(const struct dataset_stats *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "dataset", json_string(s->dataset));
	json_object_set_new(o, "rows", json_integer((json_int_t)s->rows));
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, feature_stats_to_json(&s->f[i]));
	json_object_set_new(o, "features", a);
	return o;
}

/* ---- slices ---------------------------------------------------------------------- */

struct skey {
	double num;          /* numeric columns */
	uint32_t code;       /* string columns: dictionary code */
	size_t slice;
};

static int cmp_num(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return x < y ? -1 : x > y;
}

struct code_order {
	const struct strdict *d;
	uint32_t code;
};

static int cmp_code(const void *pa, const void *pb)
{
	const struct code_order *a = pa, *b = pb;
	uint32_t la = a->d->len[a->code], lb = b->d->len[b->code];
	int c = memcmp(a->d->str[a->code], b->d->str[b->code], la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

/* Index of x in the ascending distinct array v[0..n) (x is there). */
static size_t find_num(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_num(&v[mid], &x) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int slices_make(const struct frame *f, const char *col, size_t max_slices, struct slices *out,
		struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	int ci = frame_col_index(f, col);
	if (ci < 0)
		return pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", col, f->name);
	const struct column *c = &f->cols[ci];
	size_t n = f->nrows;
	size_t *slice_of = xmalloc((n + 1) * sizeof *slice_of);
	size_t nkeys = 0;
	char **labels = NULL;
	if (c->type == PM_STRING) {
		size_t nd = c->dict ? c->dict->n : 0;
		uint8_t *used = xcalloc(nd + 1, 1);
		for (size_t r = 0; r < n; r++)
			if (c->valid[r] && c->v.code[r] < nd)
				used[c->v.code[r]] = 1;
		struct code_order *ord = xmalloc((nd + 1) * sizeof *ord);
		for (size_t d = 0; d < nd; d++)
			if (used[d])
				ord[nkeys++] = (struct code_order){c->dict, (uint32_t)d};
		free(used);
		if (nkeys > max_slices) {
			free(ord);
			free(slice_of);
			return pm_errf(err,
				       "column %s has %zu distinct values; --slice takes a column with "
				       "at most %zu",
				       col, nkeys, max_slices);
		}
		qsort(ord, nkeys, sizeof *ord, cmp_code);
		size_t *pos = xmalloc((nd + 1) * sizeof *pos);
		labels = xcalloc(nkeys + 2, sizeof *labels);
		for (size_t k = 0; k < nkeys; k++) {
			pos[ord[k].code] = k;
			labels[k] = xstrndup(c->dict->str[ord[k].code], c->dict->len[ord[k].code]);
		}
		for (size_t r = 0; r < n; r++)
			slice_of[r] = c->valid[r] && c->v.code[r] < nd ? pos[c->v.code[r]] : SIZE_MAX;
		free(pos);
		free(ord);
	} else {
		double *v = xmalloc((n + 1) * sizeof *v);
		size_t m = 0;
		for (size_t r = 0; r < n; r++)
			if (c->valid[r])
				v[m++] = column_num(c, r);
		qsort(v, m, sizeof *v, cmp_num);
		for (size_t k = 0; k < m; k++)
			if (nkeys == 0 || cmp_num(&v[nkeys - 1], &v[k]) != 0)
				v[nkeys++] = v[k];
		if (nkeys > max_slices) {
			free(v);
			free(slice_of);
			return pm_errf(err,
				       "column %s has %zu distinct values; --slice takes a column with "
				       "at most %zu",
				       col, nkeys, max_slices);
		}
		labels = xcalloc(nkeys + 2, sizeof *labels);
		for (size_t k = 0; k < nkeys; k++) {
			char buf[64];
			if (c->type == PM_BOOL)
				snprintf(buf, sizeof buf, "%s", bool_text[v[k] != 0]);
			else if (c->type == PM_INT)
				snprintf(buf, sizeof buf, "%" PRId64, (int64_t)v[k]);
			else if (c->type == PM_TIMESTAMP)
				ts_format((int64_t)v[k], buf, sizeof buf);
			else
				fmt_double(v[k], buf, sizeof buf);
			labels[k] = xstrdup(buf);
		}
		for (size_t r = 0; r < n; r++)
			slice_of[r] = c->valid[r] ? find_num(v, nkeys, column_num(c, r)) : SIZE_MAX;
		free(v);
	}
	bool any_missing = false;
	for (size_t r = 0; r < n && !any_missing; r++)
		any_missing = slice_of[r] == SIZE_MAX;
	size_t ns = nkeys + (any_missing ? 1 : 0);
	out->n = ns;
	out->labels = labels; /* labels[nkeys] stays NULL: the missing slice */
	out->nrows = xcalloc(ns + 1, sizeof *out->nrows);
	out->rows = xcalloc(ns + 1, sizeof *out->rows);
	for (size_t r = 0; r < n; r++)
		out->nrows[slice_of[r] == SIZE_MAX ? nkeys : slice_of[r]]++;
	for (size_t k = 0; k < ns; k++)
		out->rows[k] = xmalloc((out->nrows[k] + 1) * sizeof **out->rows);
	size_t *fill = xcalloc(ns + 1, sizeof *fill);
	for (size_t r = 0; r < n; r++) {
		size_t k = slice_of[r] == SIZE_MAX ? nkeys : slice_of[r];
		out->rows[k][fill[k]++] = r;
	}
	free(fill);
	free(slice_of);
	return 0;
}

void slices_free(struct slices *s)
{
	for (size_t k = 0; k < s->n; k++) {
		free(s->labels[k]);
		free(s->rows[k]);
	}
	free(s->labels);
	free(s->rows);
	free(s->nrows);
	memset(s, 0, sizeof *s);
}
