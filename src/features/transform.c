/* The feature transform: fitting it on training rows and applying it.
 * transform_apply is the only code that turns raw values into model inputs,
 * whatever the caller (trainer, evaluate, predict, serve). */
#include "features.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FT_DEFAULT_TOPK 1000u
#define FT_DEFAULT_BUCKETS 1000u
/* Seed of the hash used by hash buckets and crosses; part of the model
 * format: changing it changes every hashed feature. */
#define FT_HASH_SEED 0x70726f646d6cULL

/* ---- vocabulary ------------------------------------------------------------ */

void ft_vocab_index(struct ft_vocab *v)
{
	free(v->slots);
	uint32_t ns = 16;
	while (ns < v->n * 2u + 2u)
		ns *= 2;
	v->nslots = ns;
	v->slots = xcalloc(ns, sizeof *v->slots);
	for (uint32_t i = 0; i < v->n; i++) {
		uint64_t h = hash64(v->str[i], v->len[i], 0);
		uint32_t s = (uint32_t)h & (ns - 1);
		while (v->slots[s])
			s = (s + 1) & (ns - 1);
		v->slots[s] = i + 1;
	}
}

int64_t ft_vocab_find(const struct ft_vocab *v, const char *s, size_t len)
{
	if (!v->nslots)
		return -1;
	uint32_t i = (uint32_t)hash64(s, len, 0) & (v->nslots - 1);
	for (;;) {
		uint32_t e = v->slots[i];
		if (!e)
			return -1;
		e--;
		if (v->len[e] == len && memcmp(v->str[e], s, len) == 0)
			return e;
		i = (i + 1) & (v->nslots - 1);
	}
}

void ft_vocab_free(struct ft_vocab *v)
{
	for (uint32_t i = 0; i < v->n; i++)
		free(v->str[i]);
	free(v->str);
	free(v->len);
	free(v->slots);
	memset(v, 0, sizeof *v);
}

void ft_vocab_add(struct ft_vocab *v, const char *s, size_t len)
{
	v->str = xrealloc(v->str, (v->n + 1) * sizeof *v->str);
	v->len = xrealloc(v->len, (v->n + 1) * sizeof *v->len);
	v->str[v->n] = xstrndup(s, len);
	v->len[v->n] = (uint32_t)len;
	v->n++;
}

/* ---- values ------------------------------------------------------------------ */

size_t ft_value_key(const struct ft_value *v, char *buf, size_t bufsz, const char **key)
{
	if (v->is_str) {
		*key = v->str;
		return v->len;
	}
	double x = v->num;
	int n;
	if (x == trunc(x) && fabs(x) < 9.2e18 && bufsz >= 24) {
		/* "%lld" by hand: keys are made for every row, and printf is slow */
		long long k = (long long)x;
		unsigned long long u = k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;
		char tmp[24];
		int len = 0;
		do {
			tmp[len++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		n = 0;
		if (k < 0)
			buf[n++] = '-';
		while (len)
			buf[n++] = tmp[--len];
		buf[n] = 0;
	} else {
		fmt_double(x, buf, bufsz);
		n = (int)strlen(buf);
	}
	*key = buf;
	return (size_t)n;
}

static void value_from_column(const struct column *c, size_t row, struct ft_value *v)
{
	memset(v, 0, sizeof *v);
	if (!column_present(c, row)) {
		v->missing = true;
		return;
	}
	switch (c->type) {
	case PM_INT:
	case PM_TIMESTAMP:
		v->num = (double)c->v.i64[row];
		break;
	case PM_FLOAT:
		v->num = c->v.f64[row];
		break;
	case PM_BOOL:
		v->num = c->v.b[row] ? 1.0 : 0.0;
		break;
	case PM_STRING:
		v->is_str = true;
		v->str = c->dict->str[c->v.code[row]];
		v->len = c->dict->len[c->v.code[row]];
		break;
	}
}

int ft_value_parse(enum pm_type type, const char *s, size_t n, struct ft_value *v,
		   struct pm_err *err)
{
	memset(v, 0, sizeof *v);
	if (!s || data_is_missing_token(s, n)) {
		v->missing = true;
		return 0;
	}
	switch (type) {
	case PM_STRING:
		v->is_str = true;
		v->str = s;
		v->len = n;
		return 0;
	case PM_BOOL: {
		bool b;
		if (data_parse_bool(s, n, &b)) {
			v->num = b;
			return 0;
		}
		double d;
		if (parse_double(s, n, &d) && (d == 0 || d == 1)) {
			v->num = d;
			return 0;
		}
		return pm_errf(err, "'%.*s' is not a bool", (int)(n > 64 ? 64 : n), s);
	}
	case PM_TIMESTAMP: {
		int64_t us;
		if (!ts_parse(s, n, &us))
			return pm_errf(err, "'%.*s' is not a timestamp", (int)(n > 64 ? 64 : n), s);
		v->num = (double)us;
		return 0;
	}
	case PM_INT:
	case PM_FLOAT:
		if (!parse_double(s, n, &v->num))
			return pm_errf(err, "'%.*s' is not a number", (int)(n > 64 ? 64 : n), s);
		return 0;
	}
	return pm_errf(err, "unknown type");
}

/* The number of a value for numeric steps; strings must parse. */
static int value_number(const struct ft_feature *ft, const struct ft_value *v, double *x,
			struct pm_err *err)
{
	if (v->is_str) {
		if (!parse_double(v->str, v->len, x))
			return pm_errf(err, "feature '%s': '%.*s' is not a number", ft->name,
				       (int)(v->len > 64 ? 64 : v->len), v->str);
	} else
		*x = v->num;
	if (!isfinite(*x))
		return pm_errf(err, "feature '%s': value is %s", ft->name,
			       isnan(*x) ? "NaN" : (*x > 0 ? "+Inf" : "-Inf"));
	return 0;
}

/* Clip then log1p: the value space in which scaling and buckets are learned. */
static double value_space(const struct ft_feature *ft, double x)
{
	if (ft->clip) {
		if (x < ft->clip_lo)
			x = ft->clip_lo;
		if (x > ft->clip_hi)
			x = ft->clip_hi;
	}
	if (ft->log1p)
		x = log1p(x > 0 ? x : 0);
	return x;
}

static uint32_t bucket_of(const double *b, uint32_t nb, double x)
{
	/* upper bound: number of boundaries <= x */
	uint32_t lo = 0, hi = nb;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (b[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t value_us(const struct ft_feature *ft, double x)
{
	if (ft->unix_seconds)
		return (int64_t)floor(x) * 1000000 + (int64_t)llround((x - floor(x)) * 1e6);
	return (int64_t)x;
}

/* ---- apply -------------------------------------------------------------------- */

int transform_apply(const struct transform *t, const struct ft_value *in, double *dense,
		    uint32_t *cat, struct pm_err *err)
{
	char buf[64];
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		const struct ft_value *v = &in[ft->input];
		uint32_t idx = 0;
		double x;
		switch (ft->kind) {
		case FT_NUMERIC:
			if (v->missing)
				x = ft->impute_value;
			else if (value_number(ft, v, &x, err) < 0)
				return -1;
			dense[ft->dense_off] = (value_space(ft, x) - ft->center) / ft->div;
			if (ft->indicator)
				dense[ft->dense_off + 1] = v->missing ? 1.0 : 0.0;
			continue;
		case FT_BUCKETIZE:
			if (v->missing) {
				idx = ft->card - 1;
				break;
			}
			if (value_number(ft, v, &x, err) < 0)
				return -1;
			idx = bucket_of(ft->bounds, ft->nbounds, value_space(ft, x));
			break;
		case FT_ONEHOT: {
			if (v->missing) {
				idx = ft->impute == FT_IMPUTE_MODE && ft->vocab.n ? 0 : ft->card - 1;
				break;
			}
			const char *key;
			size_t len = ft_value_key(v, buf, sizeof buf, &key);
			int64_t k = ft_vocab_find(&ft->vocab, key, len);
			idx = k < 0 ? ft->vocab.n : (uint32_t)k;
			break;
		}
		case FT_HASH: {
			if (v->missing) {
				idx = ft->nbuckets;
				break;
			}
			const char *key;
			size_t len = ft_value_key(v, buf, sizeof buf, &key);
			idx = (uint32_t)(hash64(key, len, FT_HASH_SEED) % ft->nbuckets);
			break;
		}
		case FT_CROSS: {
			uint64_t h = FT_HASH_SEED;
			bool miss = false;
			for (int c = 0; c < ft->ncross; c++) {
				const struct ft_value *cv = &in[ft->cross[c]];
				if (cv->missing) {
					miss = true;
					break;
				}
				const char *key;
				size_t len = ft_value_key(cv, buf, sizeof buf, &key);
				h = hash64(key, len, h);
			}
			idx = miss ? ft->nbuckets : (uint32_t)(h % ft->nbuckets);
			break;
		}
		case FT_DATEPART: {
			if (v->missing) {
				if (ft->part == FT_PART_WEEKEND) {
					dense[ft->dense_off] = 0;
					continue;
				}
				idx = ft->card - 1;
				break;
			}
			if (value_number(ft, v, &x, err) < 0)
				return -1;
			int y, mo, d, h, mi, s, dow;
			ts_parts(value_us(ft, x), &y, &mo, &d, &h, &mi, &s, &dow);
			switch (ft->part) {
			case FT_PART_HOUR:
				idx = (uint32_t)h;
				break;
			case FT_PART_DOW:
				idx = (uint32_t)dow;
				break;
			case FT_PART_MONTH:
				idx = (uint32_t)(mo - 1);
				break;
			case FT_PART_WEEKEND:
				dense[ft->dense_off] = (dow == 0 || dow == 6) ? 1.0 : 0.0;
				continue;
			}
			break;
		}
		}
		cat[ft->cat_slot] = ft->cat_off + idx;
	}
	return 0;
}

/* ---- binding to frames ----------------------------------------------------------- */

static bool feature_needs_number(const struct ft_feature *ft)
{
	return ft->kind == FT_NUMERIC || ft->kind == FT_BUCKETIZE || ft->kind == FT_DATEPART;
}

int transform_bind(const struct transform *t, const struct frame *f, int *colmap,
		   struct pm_err *err)
{
	for (size_t i = 0; i < t->ninputs; i++) {
		const struct ft_input *in = &t->inputs[i];
		int c = frame_col_index(f, in->name);
		if (c < 0)
			return pm_errf(err, "dataset '%s' has no column '%s' (the model needs it)",
				       f->name, in->name);
		enum pm_type ct = f->cols[c].type;
		bool need_num = false, need_ts = false;
		for (size_t j = 0; j < t->nfeat; j++) {
			const struct ft_feature *ft = &t->feat[j];
			if (ft->input == (int)i && feature_needs_number(ft)) {
				need_num = true;
				if (ft->kind == FT_DATEPART && !ft->unix_seconds)
					need_ts = true;
			}
		}
		if ((need_num && ct == PM_STRING) || (need_ts && ct != PM_TIMESTAMP) ||
		    (need_num && !need_ts && (ct == PM_TIMESTAMP) != (in->type == PM_TIMESTAMP)))
			return pm_errf(err, "column '%s' of dataset '%s' is %s; the model expects %s",
				       in->name, f->name, pm_type_name(ct), pm_type_name(in->type));
		colmap[i] = c;
	}
	return 0;
}

void transform_row_values(const struct transform *t, const struct frame *f, const int *colmap,
			  size_t row, struct ft_value *vals)
{
	for (size_t i = 0; i < t->ninputs; i++)
		value_from_column(&f->cols[colmap[i]], row, &vals[i]);
}

struct apply_job {
	const struct transform *t;
	const struct frame *f;
	const int *colmap;
	const size_t *rows;
	size_t n, chunk;
	double *dense;
	uint32_t *cat;
};

#define APPLY_CHUNK 4096

static int apply_chunk(void *ctx, size_t k, struct pm_err *err)
{
	struct apply_job *j = ctx;
	size_t lo = k * j->chunk, hi = lo + j->chunk;
	if (hi > j->n)
		hi = j->n;
	struct ft_value *vals = xmalloc((j->t->ninputs + 1) * sizeof *vals);
	for (size_t i = lo; i < hi; i++) {
		size_t row = j->rows ? j->rows[i] : i;
		transform_row_values(j->t, j->f, j->colmap, row, vals);
		if (transform_apply(j->t, vals, j->dense + i * j->t->ndense, j->cat + i * j->t->ncat,
				    err) < 0) {
			pm_err_prefix(err, "dataset '%s' row %zu", j->f->name, row + 1);
			free(vals);
			return -1;
		}
	}
	free(vals);
	return 0;
}

int transform_apply_rows(const struct transform *t, const struct frame *f, const int *colmap,
			 const size_t *rows, size_t n, double *dense, uint32_t *cat, int threads,
			 struct pm_err *err)
{
	size_t nchunks = (n + APPLY_CHUNK - 1) / APPLY_CHUNK;
	if (!nchunks)
		return 0;
	struct apply_job j = {.t = t, .f = f, .colmap = colmap, .rows = rows, .n = n,
			      .chunk = APPLY_CHUNK, .dense = dense, .cat = cat};
	return par_for_err(nchunks, threads, apply_chunk, &j, err);
}

/* ---- placement ---------------------------------------------------------------------- */

/* Lays out dense offsets and categorical slots; the same function runs after
 * fitting and after loading, so placement is never stored. */
static void transform_place(struct transform *t)
{
	t->ndense = 0;
	t->ncat = 0;
	t->cat_total = 0;
	for (size_t i = 0; i < t->nfeat; i++) {
		struct ft_feature *ft = &t->feat[i];
		ft->dense_off = -1;
		ft->ndense = 0;
		ft->cat_slot = -1;
		ft->cat_off = 0;
		switch (ft->kind) {
		case FT_NUMERIC:
			ft->ndense = 1 + (ft->indicator ? 1 : 0);
			ft->card = 0;
			break;
		case FT_DATEPART:
			if (ft->part == FT_PART_WEEKEND) {
				ft->ndense = 1;
				ft->card = 0;
			} else
				ft->card = (ft->part == FT_PART_HOUR ? 24 : ft->part == FT_PART_DOW ? 7 : 12) + 1;
			break;
		case FT_BUCKETIZE:
			ft->card = ft->nbounds + 2;  /* nbounds+1 buckets and missing */
			break;
		case FT_ONEHOT:
			ft->card = ft->vocab.n + 2;  /* vocabulary, OOV, missing */
			break;
		case FT_HASH:
		case FT_CROSS:
			ft->card = ft->nbuckets + 1; /* buckets and missing */
			break;
		}
		if (ft->ndense) {
			ft->dense_off = (int)t->ndense;
			t->ndense += (size_t)ft->ndense;
		} else {
			ft->cat_slot = (int)t->ncat++;
			ft->cat_off = t->cat_total;
			t->cat_total += ft->card;
		}
	}
}

int ft_embed_dim_auto(uint32_t card)
{
	/* 1.6 * card^0.56 (a common rule of thumb), kept small: the datasets
	 * prodml trains on fit in memory, and wide tables learn slowly. */
	int d = (int)lround(1.6 * pow((double)card, 0.56));
	if (d < 2)
		d = 2;
	if (d > 16)
		d = 16;
	return d;
}

/* ---- fitting -------------------------------------------------------------------------- */

void transform_free(struct transform *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ninputs; i++)
		free(t->inputs[i].name);
	free(t->inputs);
	for (size_t i = 0; i < t->nfeat; i++) {
		struct ft_feature *ft = &t->feat[i];
		free(ft->name);
		free(ft->cross);
		free(ft->bounds);
		ft_vocab_free(&ft->vocab);
	}
	free(t->feat);
	free(t);
}

int transform_input_index(const struct transform *t, const char *name)
{
	for (size_t i = 0; i < t->ninputs; i++)
		if (strcmp(t->inputs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int add_input(struct transform *t, const struct frame *f, const char *name,
		     struct pm_err *err)
{
	int have = transform_input_index(t, name);
	if (have >= 0)
		return have;
	int c = frame_col_index(f, name);
	if (c < 0)
		return pm_errf(err, "dataset '%s' has no column '%s'", f->name, name);
	t->inputs = xrealloc(t->inputs, (t->ninputs + 1) * sizeof *t->inputs);
	t->inputs[t->ninputs].name = xstrdup(name);
	t->inputs[t->ninputs].type = f->cols[c].type;
	return (int)t->ninputs++;
}

static struct ft_feature *add_feature(struct transform *t, const char *name, enum ft_kind kind,
				      int input)
{
	t->feat = xrealloc(t->feat, (t->nfeat + 1) * sizeof *t->feat);
	struct ft_feature *ft = &t->feat[t->nfeat++];
	memset(ft, 0, sizeof *ft);
	ft->name = xstrdup(name);
	ft->kind = kind;
	ft->input = input;
	ft->scale = FT_SCALE_STANDARDIZE;
	ft->impute = FT_IMPUTE_MEAN;
	ft->center = 0;
	ft->div = 1;
	return ft;
}

/* The override steps given for one column. */
struct col_spec {
	bool has_kind;
	enum ft_kind kind;
	bool clip, log1p, has_scale, has_impute;
	double clip_lo, clip_hi, impute_const;
	enum ft_scale scale;
	enum ft_impute impute;
	int indicator;
	double *bounds;
	uint32_t nbounds, quantiles, topk, nbuckets;
	int embed;
};

static int parse_num(const char *s, double *x)
{
	return parse_double(s, strlen(s), x) && isfinite(*x) ? 0 : -1;
}

static int parse_u32(const char *s, uint32_t *x, uint32_t lo, uint32_t hi)
{
	int64_t v;
	if (!parse_int64(s, strlen(s), &v) || v < lo || v > hi)
		return -1;
	*x = (uint32_t)v;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int parse_steps(const char *col, const char *steps, struct col_spec *cs,
		       struct pm_err *err)
{
	size_t nsteps;
	char **st = str_split(steps, '+', &nsteps);
	int rc = 0;
	for (size_t i = 0; i < nsteps && rc == 0; i++) {
		size_t na;
		char **a = str_split(st[i], ':', &na);
		const char *w = a[0];
#define BAD(...) (rc = pm_errcf(err, PM_E_USAGE, __VA_ARGS__))
		if (!strcmp(w, "standardize") || !strcmp(w, "zscore") || !strcmp(w, "minmax") ||
		    !strcmp(w, "raw")) {
			if (na != 1)
				BAD("--transform %s: '%s' takes no arguments", col, w);
			cs->has_scale = true;
			cs->scale = w[0] == 'm' ? FT_SCALE_MINMAX : w[0] == 'r' ? FT_SCALE_NONE
								      : FT_SCALE_STANDARDIZE;
		} else if (!strcmp(w, "log1p")) {
			cs->log1p = true;
		} else if (!strcmp(w, "clip")) {
			if (na != 3 || parse_num(a[1], &cs->clip_lo) || parse_num(a[2], &cs->clip_hi) ||
			    cs->clip_lo > cs->clip_hi)
				BAD("--transform %s: clip needs clip:LOW:HIGH with LOW <= HIGH", col);
			cs->clip = true;
		} else if (!strcmp(w, "bucketize")) {
			cs->has_kind = true;
			cs->kind = FT_BUCKETIZE;
			if (na == 2 && a[1][0] == 'q') {
				if (parse_u32(a[1] + 1, &cs->quantiles, 2, 1000))
					BAD("--transform %s: bucketize:qN needs N from 2 to 1000", col);
			} else if (na < 2) {
				BAD("--transform %s: bucketize needs boundaries (bucketize:B1:B2:..) or quantiles (bucketize:qN)", col);
			} else {
				cs->bounds = xcalloc(na - 1, sizeof(double));
				cs->nbounds = (uint32_t)(na - 1);
				for (size_t k = 1; k < na && rc == 0; k++)
					if (parse_num(a[k], &cs->bounds[k - 1]))
						BAD("--transform %s: boundary '%s' is not a number", col, a[k]);
				for (size_t k = 1; k < cs->nbounds && rc == 0; k++)
					if (cs->bounds[k] <= cs->bounds[k - 1])
						BAD("--transform %s: boundaries must increase", col);
			}
		} else if (!strcmp(w, "onehot") || !strcmp(w, "vocab")) {
			cs->has_kind = true;
			cs->kind = FT_ONEHOT;
			if (na == 2 && parse_u32(a[1], &cs->topk, 1, 10000000))
				BAD("--transform %s: onehot:K needs a positive K", col);
			else if (na > 2)
				BAD("--transform %s: onehot takes at most one argument", col);
		} else if (!strcmp(w, "hash")) {
			cs->has_kind = true;
			cs->kind = FT_HASH;
			if (na != 2 || parse_u32(a[1], &cs->nbuckets, 1, 100000000))
				BAD("--transform %s: hash needs hash:N with N > 0", col);
		} else if (!strcmp(w, "dateparts") || !strcmp(w, "date")) {
			cs->has_kind = true;
			cs->kind = FT_DATEPART;
		} else if (!strcmp(w, "numeric")) {
			cs->has_kind = true;
			cs->kind = FT_NUMERIC;
		} else if (!strcmp(w, "impute")) {
			cs->has_impute = true;
			if (na == 2 && !strcmp(a[1], "mean"))
				cs->impute = FT_IMPUTE_MEAN;
			else if (na == 2 && !strcmp(a[1], "median"))
				cs->impute = FT_IMPUTE_MEDIAN;
			else if (na == 2 && !strcmp(a[1], "mode"))
				cs->impute = FT_IMPUTE_MODE;
			else if (na == 3 && !strcmp(a[1], "const") && parse_num(a[2], &cs->impute_const) == 0)
				cs->impute = FT_IMPUTE_CONST;
			else
				BAD("--transform %s: impute needs impute:mean, impute:median, impute:mode or impute:const:V", col);
		} else if (!strcmp(w, "indicator")) {
			cs->indicator = 1;
		} else if (!strcmp(w, "noindicator")) {
			cs->indicator = -1;
		} else if (!strcmp(w, "embed")) {
			uint32_t d;
			if (na != 2 || parse_u32(a[1], &d, 1, 1024))
				BAD("--transform %s: embed needs embed:D with D from 1 to 1024", col);
			else
				cs->embed = (int)d;
		} else {
			BAD("--transform %s: unknown step '%s' (standardize, minmax, raw, log1p, clip, bucketize, onehot, hash, dateparts, impute, indicator, noindicator, embed)", col, w);
		}
#undef BAD
		str_list_free(a);
	}
	str_list_free(st);
	return rc;
}

/* Values of input column c over the fit rows, as the transform will see
 * them, into v (one buffer reused for every feature). */
static void gather(const struct frame *f, int c, const size_t *rows, size_t n, struct ft_value *v)
{
	for (size_t i = 0; i < n; i++)
		value_from_column(&f->cols[c], rows ? rows[i] : i, &v[i]);
}

static int fit_numeric(struct ft_feature *ft, const struct ft_value *v, size_t n,
		       const size_t *rows, struct pm_err *err)
{
	double *raw = xmalloc((n ? n : 1) * sizeof *raw);
	size_t np = 0;
	ft->train_missing = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].missing) {
			ft->train_missing++;
			continue;
		}
		double x;
		if (value_number(ft, &v[i], &x, err) < 0) {
			pm_err_prefix(err, "row %zu", (rows ? rows[i] : i) + 1);
			free(raw);
			return -1;
		}
		raw[np++] = x;
	}
	/* imputation value, in raw space */
	if (ft->impute != FT_IMPUTE_CONST) {
		double iv = 0;
		if (np && ft->impute == FT_IMPUTE_MEAN) {
			long double s = 0;
			for (size_t i = 0; i < np; i++)
				s += raw[i];
			iv = (double)(s / np);
		} else if (np) {
			double *sorted = xmalloc(np * sizeof *sorted);
			memcpy(sorted, raw, np * sizeof *sorted);
			qsort(sorted, np, sizeof *sorted, cmp_double);
			if (ft->impute == FT_IMPUTE_MEDIAN)
				iv = np % 2 ? sorted[np / 2] : (sorted[np / 2 - 1] + sorted[np / 2]) / 2;
			else { /* mode: most frequent, the smallest on ties */
				size_t best = 0, run = 0;
				for (size_t i = 0; i < np; i++) {
					run = (i > 0 && sorted[i] == sorted[i - 1]) ? run + 1 : 1;
					if (run > best) {
						best = run;
						iv = sorted[i];
					}
				}
			}
			free(sorted);
		}
		ft->impute_value = iv;
	}
	if (ft->indicator_mode == 0)
		ft->indicator = ft->train_missing > 0;
	else
		ft->indicator = ft->indicator_mode > 0;

	/* scaling statistics over the present values, in value space */
	for (size_t i = 0; i < np; i++)
		raw[i] = value_space(ft, raw[i]);
	if (ft->kind == FT_BUCKETIZE) {
		if (ft->quantiles) {
			qsort(raw, np, sizeof *raw, cmp_double);
			free(ft->bounds);
			ft->bounds = xcalloc(ft->quantiles, sizeof *ft->bounds);
			ft->nbounds = 0;
			for (uint32_t q = 1; q < ft->quantiles && np; q++) {
				double b = raw[(size_t)((double)q * (double)np / ft->quantiles)];
				if (ft->nbounds == 0 || b > ft->bounds[ft->nbounds - 1])
					ft->bounds[ft->nbounds++] = b;
			}
		}
		free(raw);
		return 0;
	}
	double mean = 0, sd = 0, lo = 0, hi = 0;
	if (np) {
		long double s = 0, ss = 0;
		lo = hi = raw[0];
		for (size_t i = 0; i < np; i++) {
			s += raw[i];
			if (raw[i] < lo)
				lo = raw[i];
			if (raw[i] > hi)
				hi = raw[i];
		}
		mean = (double)(s / np);
		for (size_t i = 0; i < np; i++) {
			long double d = raw[i] - (long double)mean;
			ss += d * d;
		}
		sd = sqrt((double)(ss / np));
	}
	switch (ft->scale) {
	case FT_SCALE_STANDARDIZE:
		ft->center = mean;
		ft->div = sd > 0 ? sd : 1;
		break;
	case FT_SCALE_MINMAX:
		ft->center = lo;
		ft->div = hi > lo ? hi - lo : 1;
		break;
	case FT_SCALE_NONE:
		ft->center = 0;
		ft->div = 1;
		break;
	}
	free(raw);
	return 0;
}

struct key_count {
	uint32_t code;
	uint64_t count;
};

static int cmp_key_count(const void *a, const void *b, void *ctx)
{
	const struct key_count *x = a, *y = b;
	const struct strdict *sort_dict = ctx;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	/* ties: by bytes, so the vocabulary does not depend on row order */
	uint32_t lx = sort_dict->len[x->code], ly = sort_dict->len[y->code];
	int c = memcmp(sort_dict->str[x->code], sort_dict->str[y->code], lx < ly ? lx : ly);
	if (c)
		return c;
	return lx < ly ? -1 : lx > ly;
}

static void fit_vocab(struct ft_feature *ft, const struct ft_value *v, size_t n)
{
	struct strdict *d = strdict_new();
	uint64_t *cnt = NULL;
	size_t cap = 0;
	char buf[64];
	ft->train_missing = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].missing) {
			ft->train_missing++;
			continue;
		}
		const char *key;
		size_t len = ft_value_key(&v[i], buf, sizeof buf, &key);
		uint32_t code = strdict_intern(d, key, len);
		if (code >= cap) {
			size_t old = cap;
			xgrow((void **)&cnt, &cap, code + 1, sizeof *cnt);
			memset(cnt + old, 0, (cap - old) * sizeof *cnt);
		}
		cnt[code]++;
	}
	struct key_count *kc = xmalloc((d->n ? d->n : 1) * sizeof *kc);
	for (uint32_t i = 0; i < d->n; i++)
		kc[i] = (struct key_count){i, cnt[i]};
	qsort_r(kc, d->n, sizeof *kc, cmp_key_count, d);
	ft_vocab_free(&ft->vocab);
	uint32_t k = d->n < ft->topk ? d->n : ft->topk;
	for (uint32_t i = 0; i < k; i++)
		ft_vocab_add(&ft->vocab, d->str[kc[i].code], d->len[kc[i].code]);
	ft_vocab_index(&ft->vocab);
	free(kc);
	free(cnt);
	strdict_free(d);
}

static void count_missing(struct ft_feature *ft, const struct ft_value *v, size_t n)
{
	ft->train_missing = 0;
	for (size_t i = 0; i < n; i++)
		ft->train_missing += v[i].missing;
}

static void apply_spec(struct ft_feature *ft, const struct col_spec *cs)
{
	if (!cs)
		return;
	ft->clip = cs->clip;
	ft->clip_lo = cs->clip_lo;
	ft->clip_hi = cs->clip_hi;
	ft->log1p = cs->log1p;
	if (cs->has_scale)
		ft->scale = cs->scale;
	if (cs->has_impute) {
		ft->impute = cs->impute;
		ft->impute_value = cs->impute_const;
	}
	ft->indicator_mode = cs->indicator;
	if (cs->embed)
		ft->embed_dim = cs->embed;
	if (cs->nbounds) {
		ft->bounds = xmalloc(cs->nbounds * sizeof *ft->bounds);
		memcpy(ft->bounds, cs->bounds, cs->nbounds * sizeof *ft->bounds);
		ft->nbounds = cs->nbounds;
	}
	ft->quantiles = cs->quantiles;
	if (cs->topk)
		ft->topk = cs->topk;
	if (cs->nbuckets)
		ft->nbuckets = cs->nbuckets;
}

int transform_fit(const struct frame *f, const size_t *rows, size_t nrows,
		  const struct ft_options *opt, struct transform **out, struct pm_err *err)
{
	struct transform *t = xcalloc(1, sizeof *t);
	size_t n = rows ? nrows : f->nrows;
	uint32_t topk = opt->topk ? opt->topk : FT_DEFAULT_TOPK;
	uint32_t nbuckets = opt->hash_buckets ? opt->hash_buckets : FT_DEFAULT_BUCKETS;
	struct col_spec *specs = xcalloc(opt->ncolumns + 1, sizeof *specs);
	int rc = -1;
	t->fit_rows = n;

	for (size_t i = 0; i < opt->ncolumns; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(opt->columns[i], opt->columns[j]) == 0) {
				pm_errcf(err, PM_E_USAGE, "feature '%s' is listed twice", opt->columns[i]);
				goto out;
			}
		if (add_input(t, f, opt->columns[i], err) < 0)
			goto out;
	}

	/* overrides */
	if (opt->spec && *opt->spec) {
		size_t ns;
		char **items = str_split(opt->spec, ',', &ns);
		for (size_t k = 0; k < ns; k++) {
			char *eq = strchr(items[k], '=');
			if (!eq || eq == items[k] || !eq[1]) {
				pm_errcf(err, PM_E_USAGE, "--transform: '%s' is not COLUMN=STEP[+STEP..]", items[k]);
				str_list_free(items);
				goto out;
			}
			*eq = 0;
			size_t ci = opt->ncolumns;
			for (size_t i = 0; i < opt->ncolumns; i++)
				if (strcmp(opt->columns[i], items[k]) == 0)
					ci = i;
			if (ci == opt->ncolumns) {
				pm_errcf(err, PM_E_USAGE, "--transform: '%s' is not one of the features", items[k]);
				str_list_free(items);
				goto out;
			}
			if (parse_steps(items[k], eq + 1, &specs[ci], err) < 0) {
				str_list_free(items);
				goto out;
			}
		}
		str_list_free(items);
	}

	for (size_t i = 0; i < opt->ncolumns; i++) {
		const char *name = opt->columns[i];
		enum pm_type type = t->inputs[i].type;
		struct col_spec *cs = &specs[i];
		enum ft_kind kind;
		if (cs->has_kind)
			kind = cs->kind;
		else if (type == PM_STRING)
			kind = FT_ONEHOT;
		else if (type == PM_TIMESTAMP)
			kind = FT_DATEPART;
		else if (cs->nbounds || cs->quantiles)
			kind = FT_BUCKETIZE;
		else
			kind = FT_NUMERIC;
		if (type == PM_STRING && (kind == FT_NUMERIC || kind == FT_BUCKETIZE || kind == FT_DATEPART)) {
			pm_errcf(err, PM_E_USAGE, "--transform %s: a string column cannot be %s", name,
				 kind == FT_DATEPART ? "split into date parts" : "scaled or bucketized");
			goto out;
		}
		if ((cs->clip || cs->log1p || cs->has_scale) && kind != FT_NUMERIC && kind != FT_BUCKETIZE) {
			pm_errcf(err, PM_E_USAGE, "--transform %s: clip, log1p and scaling apply to numeric features only", name);
			goto out;
		}
		if (kind == FT_DATEPART) {
			static const char *const parts[] = {"hour", "dow", "month", "weekend"};
			for (int p = 0; p < 4; p++) {
				char *fname = xasprintf("%s.%s", name, parts[p]);
				struct ft_feature *ft = add_feature(t, fname, FT_DATEPART, (int)i);
				free(fname);
				ft->part = (enum ft_datepart)p;
				ft->unix_seconds = type != PM_TIMESTAMP;
				if (cs->embed)
					ft->embed_dim = cs->embed;
			}
			continue;
		}
		struct ft_feature *ft = add_feature(t, name, kind, (int)i);
		if (type == PM_BOOL)
			ft->scale = FT_SCALE_NONE, ft->impute = FT_IMPUTE_MODE;
		ft->topk = topk;
		ft->nbuckets = nbuckets;
		apply_spec(ft, cs);
		if (kind == FT_BUCKETIZE && !ft->nbounds && !ft->quantiles)
			ft->quantiles = 10;
	}

	/* crosses */
	if (opt->crosses && *opt->crosses) {
		size_t nc;
		char **items = str_split(opt->crosses, ',', &nc);
		for (size_t k = 0; k < nc; k++) {
			char *spec = items[k];
			uint32_t nb = nbuckets;
			char *colon = strrchr(spec, ':');
			if (colon) {
				*colon = 0;
				if (parse_u32(colon + 1, &nb, 1, 100000000)) {
					pm_errcf(err, PM_E_USAGE, "--cross %s: '%s' is not a bucket count", spec, colon + 1);
					str_list_free(items);
					goto out;
				}
			}
			size_t np;
			char **parts = str_split(spec, '*', &np);
			if (np < 2) {
				pm_errcf(err, PM_E_USAGE, "--cross: '%s' needs two or more columns joined by '*'", spec);
				str_list_free(parts);
				str_list_free(items);
				goto out;
			}
			int *idx = xmalloc(np * sizeof *idx);
			struct sbuf nm = {0};
			for (size_t p = 0; p < np; p++) {
				idx[p] = add_input(t, f, parts[p], err);
				if (idx[p] < 0) {
					pm_err_prefix(err, "--cross %s", spec);
					free(idx);
					sbuf_free(&nm);
					str_list_free(parts);
					str_list_free(items);
					goto out;
				}
				sbuf_printf(&nm, "%s%s", p ? "_x_" : "", parts[p]);
			}
			struct ft_feature *ft = add_feature(t, nm.s, FT_CROSS, idx[0]);
			ft->cross = idx;
			ft->ncross = (int)np;
			ft->nbuckets = nb;
			ft->wide_only = true;
			sbuf_free(&nm);
			str_list_free(parts);
		}
		str_list_free(items);
	}

	/* learn */
	struct ft_value *v = xmalloc((n ? n : 1) * sizeof *v);
	for (size_t k = 0; k < t->nfeat; k++) {
		struct ft_feature *ft = &t->feat[k];
		int c = frame_col_index(f, t->inputs[ft->input].name);
		gather(f, c, rows, n, v);
		int r = 0;
		switch (ft->kind) {
		case FT_NUMERIC:
		case FT_BUCKETIZE:
			r = fit_numeric(ft, v, n, rows, err);
			break;
		case FT_ONEHOT:
			fit_vocab(ft, v, n);
			break;
		case FT_HASH:
		case FT_DATEPART:
		case FT_CROSS:
			count_missing(ft, v, n);
			break;
		}
		if (r < 0) {
			free(v);
			pm_err_prefix(err, "dataset '%s'", f->name);
			goto out;
		}
	}
	free(v);
	transform_place(t);
	*out = t;
	t = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < opt->ncolumns; i++)
		free(specs[i].bounds);
	free(specs);
	transform_free(t);
	return rc;
}

/* ---- JSON ----------------------------------------------------------------------------- */

static const char *const kind_names[] = {"numeric", "bucketize", "onehot", "hash", "cross", "datepart"};
static const char *const scale_names[] = {"standardize", "minmax", "none"};
static const char *const impute_names[] = {"mean", "median", "mode", "const"};
static const char *const part_names[] = {"hour", "dow", "month", "weekend"};

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static json_t *vocab_string(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	if (j)
		return j;
	/* not UTF-8 (or holds NUL): kept exact as hex */
	struct sbuf b = {0};
	for (size_t i = 0; i < len; i++)
		sbuf_printf(&b, "%02x", (unsigned char)s[i]);
	j = json_pack("{s:s}", "hex", b.s ? b.s : "");
	sbuf_free(&b);
	return j;
}

json_t *ft_vocab_to_json(const struct ft_vocab *v)
{
	json_t *a = json_array();
	for (uint32_t k = 0; k < v->n; k++)
		json_array_append_new(a, vocab_string(v->str[k], v->len[k]));
	return a;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int ft_vocab_from_json(json_t *a, struct ft_vocab *v, struct pm_err *err)
{
	if (!json_is_array(a))
		return pm_errf(err, "vocabulary is not an array");
	size_t k;
	json_t *w;
	json_array_foreach(a, k, w) {
		if (json_is_string(w)) {
			ft_vocab_add(v, json_string_value(w), json_string_length(w));
			continue;
		}
		const char *hex = json_string_value(json_object_get(w, "hex"));
		size_t hl = hex ? strlen(hex) : 1;
		if (hl % 2)
			return pm_errf(err, "vocabulary entry %zu is malformed", k);
		char *bytes = xmalloc(hl / 2 + 1);
		for (size_t b = 0; b < hl / 2; b++) {
			int hi = hexval(hex[2 * b]), lo = hexval(hex[2 * b + 1]);
			if (hi < 0 || lo < 0) {
				free(bytes);
				return pm_errf(err, "vocabulary entry %zu is malformed", k);
			}
			bytes[b] = (char)(hi * 16 + lo);
		}
		ft_vocab_add(v, bytes, hl / 2);
		free(bytes);
	}
	ft_vocab_index(v);
	return 0;
}

json_t *transform_to_json(const struct transform *t)
{
	json_t *inputs = json_array();
	for (size_t i = 0; i < t->ninputs; i++)
		json_array_append_new(inputs, json_pack("{s:s,s:s}", "name", t->inputs[i].name, "type",
							pm_type_name(t->inputs[i].type)));
	json_t *feats = json_array();
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		json_t *o = json_pack("{s:s,s:s,s:i}", "name", ft->name, "kind", kind_names[ft->kind],
				      "input", ft->input);
		if (ft->kind == FT_CROSS) {
			json_t *c = json_array();
			for (int k = 0; k < ft->ncross; k++)
				json_array_append_new(c, json_integer(ft->cross[k]));
			json_object_set_new(o, "cross", c);
		}
		if (ft->kind == FT_NUMERIC || ft->kind == FT_BUCKETIZE) {
			if (ft->clip)
				json_object_set_new(o, "clip", json_pack("[f,f]", ft->clip_lo, ft->clip_hi));
			json_object_set_new(o, "log1p", json_boolean(ft->log1p));
		}
		if (ft->kind == FT_NUMERIC) {
			json_object_set_new(o, "scale", json_string(scale_names[ft->scale]));
			json_object_set_new(o, "center", json_real(ft->center));
			json_object_set_new(o, "div", json_real(ft->div));
			json_object_set_new(o, "impute", json_string(impute_names[ft->impute]));
			json_object_set_new(o, "impute_value", json_real(ft->impute_value));
			json_object_set_new(o, "indicator", json_boolean(ft->indicator));
		}
		if (ft->kind == FT_BUCKETIZE) {
			json_t *b = json_array();
			for (uint32_t k = 0; k < ft->nbounds; k++)
				json_array_append_new(b, json_real(ft->bounds[k]));
			json_object_set_new(o, "bounds", b);
			json_object_set_new(o, "quantiles", json_integer(ft->quantiles));
		}
		if (ft->kind == FT_ONEHOT) {
			json_object_set_new(o, "vocab", ft_vocab_to_json(&ft->vocab));
			json_object_set_new(o, "topk", json_integer(ft->topk));
			json_object_set_new(o, "impute", json_string(impute_names[ft->impute]));
		}
		if (ft->kind == FT_HASH || ft->kind == FT_CROSS)
			json_object_set_new(o, "buckets", json_integer(ft->nbuckets));
		if (ft->kind == FT_DATEPART) {
			json_object_set_new(o, "part", json_string(part_names[ft->part]));
			json_object_set_new(o, "unix_seconds", json_boolean(ft->unix_seconds));
		}
		if (ft->embed_dim)
			json_object_set_new(o, "embed_dim", json_integer(ft->embed_dim));
		if (ft->wide_only)
			json_object_set_new(o, "wide_only", json_true());
		json_object_set_new(o, "train_missing", json_integer((json_int_t)ft->train_missing));
		json_array_append_new(feats, o);
	}
	return json_pack("{s:o,s:o,s:I}", "inputs", inputs, "features", feats, "fit_rows",
			 (json_int_t)t->fit_rows);
}

static bool get_num(json_t *o, const char *k, double *x)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_number(v))
		return false;
	*x = json_number_value(v);
	return true;
}

int transform_from_json(json_t *j, struct transform **out, struct pm_err *err)
{
	json_t *inputs = json_object_get(j, "inputs"), *feats = json_object_get(j, "features");
	if (!json_is_array(inputs) || !json_is_array(feats))
		return pm_errf(err, "transform: 'inputs' and 'features' arrays are missing");
	struct transform *t = xcalloc(1, sizeof *t);
	t->fit_rows = (size_t)json_integer_value(json_object_get(j, "fit_rows"));
	size_t i;
	json_t *v;
	json_array_foreach(inputs, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		enum pm_type type;
		if (!name || !pm_type_parse(json_string_value(json_object_get(v, "type")) ?: "", &type)) {
			pm_errf(err, "transform: input %zu is malformed", i);
			goto bad;
		}
		t->inputs = xrealloc(t->inputs, (t->ninputs + 1) * sizeof *t->inputs);
		t->inputs[t->ninputs].name = xstrdup(name);
		t->inputs[t->ninputs++].type = type;
	}
	json_array_foreach(feats, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		int kind = name_index(kind_names, PM_ARRAY_LEN(kind_names),
				      json_string_value(json_object_get(v, "kind")));
		json_t *in = json_object_get(v, "input");
		if (!name || kind < 0 || !json_is_integer(in) || json_integer_value(in) < 0 ||
		    (size_t)json_integer_value(in) >= t->ninputs) {
			pm_errf(err, "transform: feature %zu is malformed", i);
			goto bad;
		}
		struct ft_feature *ft = add_feature(t, name, (enum ft_kind)kind, (int)json_integer_value(in));
		json_t *a;
		if ((a = json_object_get(v, "cross"))) {
			ft->ncross = (int)json_array_size(a);
			ft->cross = xcalloc((size_t)ft->ncross + 1, sizeof *ft->cross);
			for (int k = 0; k < ft->ncross; k++) {
				json_int_t x = json_integer_value(json_array_get(a, (size_t)k));
				if (x < 0 || (size_t)x >= t->ninputs) {
					pm_errf(err, "transform: feature '%s': bad cross input", name);
					goto bad;
				}
				ft->cross[k] = (int)x;
			}
		}
		if (ft->kind == FT_CROSS && ft->ncross < 2) {
			pm_errf(err, "transform: feature '%s': a cross needs two inputs", name);
			goto bad;
		}
		if ((a = json_object_get(v, "clip"))) {
			ft->clip = true;
			ft->clip_lo = json_number_value(json_array_get(a, 0));
			ft->clip_hi = json_number_value(json_array_get(a, 1));
		}
		ft->log1p = json_is_true(json_object_get(v, "log1p"));
		int s = name_index(scale_names, 3, json_string_value(json_object_get(v, "scale")));
		ft->scale = s < 0 ? FT_SCALE_NONE : (enum ft_scale)s;
		get_num(v, "center", &ft->center);
		get_num(v, "div", &ft->div);
		if (ft->div == 0 || !isfinite(ft->div) || !isfinite(ft->center)) {
			pm_errf(err, "transform: feature '%s': bad scale", name);
			goto bad;
		}
		s = name_index(impute_names, 4, json_string_value(json_object_get(v, "impute")));
		ft->impute = s < 0 ? FT_IMPUTE_MEAN : (enum ft_impute)s;
		get_num(v, "impute_value", &ft->impute_value);
		ft->indicator = json_is_true(json_object_get(v, "indicator"));
		if ((a = json_object_get(v, "bounds"))) {
			ft->nbounds = (uint32_t)json_array_size(a);
			ft->bounds = xcalloc(ft->nbounds + 1, sizeof *ft->bounds);
			for (uint32_t k = 0; k < ft->nbounds; k++)
				ft->bounds[k] = json_number_value(json_array_get(a, k));
		}
		ft->quantiles = (uint32_t)json_integer_value(json_object_get(v, "quantiles"));
		if ((a = json_object_get(v, "vocab")) && ft_vocab_from_json(a, &ft->vocab, err) < 0) {
			pm_err_prefix(err, "transform: feature '%s'", name);
			goto bad;
		}
		ft->topk = (uint32_t)json_integer_value(json_object_get(v, "topk"));
		ft->nbuckets = (uint32_t)json_integer_value(json_object_get(v, "buckets"));
		if ((ft->kind == FT_HASH || ft->kind == FT_CROSS) && ft->nbuckets == 0) {
			pm_errf(err, "transform: feature '%s': no bucket count", name);
			goto bad;
		}
		int p = name_index(part_names, 4, json_string_value(json_object_get(v, "part")));
		if (ft->kind == FT_DATEPART && p < 0) {
			pm_errf(err, "transform: feature '%s': bad date part", name);
			goto bad;
		}
		ft->part = p < 0 ? FT_PART_HOUR : (enum ft_datepart)p;
		ft->unix_seconds = json_is_true(json_object_get(v, "unix_seconds"));
		ft->embed_dim = (int)json_integer_value(json_object_get(v, "embed_dim"));
		ft->wide_only = json_is_true(json_object_get(v, "wide_only"));
		ft->train_missing = (size_t)json_integer_value(json_object_get(v, "train_missing"));
	}
	transform_place(t);
	*out = t;
	return 0;
bad:
	transform_free(t);
	return -1;
}
