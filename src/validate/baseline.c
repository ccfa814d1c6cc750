/* The training data as monitoring needs it, small enough to keep with a
 * model version: a version registered with its baseline keeps the numbers
 * its skew is measured against, whatever later happens to the dataset
 * that trained it (reloaded under the same name, or dropped). */
#include "validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool type_categorical(enum pm_type t)
{
	return t == PM_STRING || t == PM_BOOL;
}

/* Counts are kept for every category (L-infinity needs each share, and the
 * chi-square test each count), most frequent first so that the stored
 * JSON reads like a value_counts. */
static int by_count(const void *pa, const void *pb)
{
	const struct value_count *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->value, b->value, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void value_add(struct baseline_feature *f, size_t *cap, const char *s, size_t len,
		      double count)
{
	xgrow((void **)&f->values, cap, f->nvalues + 1, sizeof *f->values);
	f->values[f->nvalues++] = (struct value_count){xstrndup(s, len), (uint32_t)len, count};
}

static void categories_of(const struct column *c, size_t nrows, struct baseline_feature *f)
{
	struct strdict *d = strdict_new();
	double *cnt = NULL;
	size_t cap = 0;
	char buf[64];
	for (size_t r = 0; r < nrows; r++) {
		if (!column_present(c, r)) {
			f->missing++;
			continue;
		}
		const char *t = column_text(c, r, buf, sizeof buf);
		uint32_t code = strdict_intern(d, t, strlen(t));
		if (code >= cap) {
			size_t old = cap;
			xgrow((void **)&cnt, &cap, (size_t)code + 1, sizeof *cnt);
			memset(cnt + old, 0, (cap - old) * sizeof *cnt);
		}
		cnt[code]++;
	}
	size_t vcap = 0;
	for (size_t i = 0; i < d->n; i++)
		value_add(f, &vcap, d->str[i], d->len[i], cnt[i]);
	f->has_values = true;
	free(cnt);
	strdict_free(d);
}

static void numbers_of(const struct column *c, size_t nrows, struct baseline_feature *f)
{
	double *v = xmalloc((nrows + 1) * sizeof *v);
	size_t n = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (column_present(c, r))
			v[n++] = column_num(c, r);
		else
			f->missing++;
	}
	struct num_stats st;
	numstats_compute(v, n, true, &st);   /* sorts, NaNs last */
	size_t finite = st.count - st.nan;
	f->nedges = finite ? quantile_cuts(v, finite, f->edges) : 0;
	bins_count(v, finite, f->edges, f->nedges, f->counts);
	memcpy(f->hist, st.hist, sizeof f->hist);
	f->nhist = st.nhist;
	f->num_nan = (double)st.nan;
	f->num_inf = (double)(st.pos_inf + st.neg_inf);
	/* each value's count where there are few, for an L-infinity threshold
	 * that a schema may set on a number (an hour, an area code) */
	size_t distinct = 0;
	for (size_t i = 0; i < finite; i++)
		distinct += i == 0 || v[i] != v[i - 1];
	if (distinct <= BASELINE_MAX_VALUES) {
		size_t cap = 0;
		for (size_t i = 0; i < finite;) {
			size_t j = i;
			while (j < finite && v[j] == v[i])
				j++;
			char buf[64];
			fmt_double(v[i], buf, sizeof buf);
			value_add(f, &cap, buf, strlen(buf), (double)(j - i));
			i = j;
		}
		f->has_values = true;
	}
	free(v);
}

void baseline_feature_compute(const struct column *c, size_t nrows, struct baseline_feature *out)
{
	memset(out, 0, sizeof *out);
	out->name = xstrdup(c->name);
	out->type = c->type;
	out->categorical = type_categorical(c->type);
	out->rows = nrows;
	if (out->categorical)
		categories_of(c, nrows, out);
	else
		numbers_of(c, nrows, out);
	if (out->nvalues)
		qsort(out->values, out->nvalues, sizeof *out->values, by_count);
}

int baseline_compute(const struct frame *f, const char *const *names, struct baseline *out,
		     struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	out->rows = f->nrows;
	out->f = xcalloc(f->ncols + 1, sizeof *out->f);
	for (size_t c = 0; c < f->ncols; c++) {
		bool keep = !names;
		for (const char *const *p = names; p && *p && !keep; p++)
			keep = !strcmp(*p, f->cols[c].name);
		if (keep)
			baseline_feature_compute(&f->cols[c], f->nrows, &out->f[out->n++]);
	}
	for (const char *const *p = names; p && *p; p++)
		if (frame_col_index(f, *p) < 0) {
			baseline_free(out);
			return pm_errf(err, "dataset '%s' has no column '%s' for the baseline", f->name, *p);
		}
	return 0;
}

void baseline_feature_free(struct baseline_feature *f)
{
	for (size_t i = 0; i < f->nvalues; i++)
		free((char *)f->values[i].value);
	free(f->values);
	free(f->name);
	memset(f, 0, sizeof *f);
}

void baseline_free(struct baseline *b)
{
	for (size_t i = 0; i < b->n; i++)
		baseline_feature_free(&b->f[i]);
	free(b->f);
	memset(b, 0, sizeof *b);
}

struct histogram baseline_histogram(const struct baseline_feature *f)
{
	return (struct histogram){.b = (struct hist_bucket *)f->hist, .n = f->nhist,
				  .num_nan = f->num_nan, .num_inf = f->num_inf};
}

/* A count as an integer (it always is one, but value_count keeps doubles). */
static json_t *count_json(double c)
{
	return c == floor(c) && fabs(c) < 9e15 ? json_integer((json_int_t)c) : json_real(c);
}

static json_t *reals(const double *v, size_t n, bool counts)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, counts ? count_json(v[i]) : json_real(v[i]));
	return a;
}

json_t *baseline_to_json(const struct baseline *b)
{
	json_t *feats = json_array();
	for (size_t i = 0; i < b->n; i++) {
		const struct baseline_feature *f = &b->f[i];
		json_t *fj = json_pack("{s:s,s:s,s:I}", "name", f->name, "type", pm_type_name(f->type),
				       "missing", (json_int_t)f->missing);
		if (!f->categorical) {
			json_object_set_new(fj, "edges", reals(f->edges, f->nedges, false));
			json_object_set_new(fj, "counts", reals(f->counts, f->nedges + 1, true));
			json_t *h = json_array();
			for (size_t k = 0; k < f->nhist; k++)
				json_array_append_new(h, json_pack("[f,f,o]", f->hist[k].low, f->hist[k].high,
								   count_json(f->hist[k].count)));
			json_object_set_new(fj, "histogram", h);
			json_object_set_new(fj, "nan", count_json(f->num_nan));
			json_object_set_new(fj, "inf", count_json(f->num_inf));
		}
		if (f->has_values) {
			json_t *vals = json_array();
			for (size_t k = 0; k < f->nvalues; k++) {
				const struct value_count *v = &f->values[k];
				double d = 0;
				/* numbers as numbers: the text is their shortest round-trip form */
				json_t *key = f->categorical || !parse_double(v->value, v->len, &d)
						      ? json_stringn(v->value, v->len)
						      : json_real(d);
				json_array_append_new(vals, json_pack("[o,o]", key, count_json(v->count)));
			}
			json_object_set_new(fj, "values", vals);
		}
		json_array_append_new(feats, fj);
	}
	return json_pack("{s:I,s:o}", "rows", (json_int_t)b->rows, "features", feats);
}

/* Reads an array of at most max numbers into v. */
static bool reals_read(json_t *a, double *v, size_t max, size_t *n)
{
	if (!json_is_array(a) || json_array_size(a) > max)
		return false;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *x = json_array_get(a, i);
		if (!json_is_number(x))
			return false;
		v[i] = json_number_value(x);
	}
	*n = json_array_size(a);
	return true;
}

static int feature_from_json(json_t *fj, struct baseline_feature *f, size_t rows,
			     struct pm_err *err)
{
	const char *name = json_string_value(json_object_get(fj, "name"));
	const char *type = json_string_value(json_object_get(fj, "type"));
	json_t *miss = json_object_get(fj, "missing");
	if (!name || !type || !pm_type_parse(type, &f->type) || !json_is_integer(miss))
		return pm_errf(err, "a feature lacks its name, type or missing count");
	f->name = xstrdup(name);
	f->categorical = type_categorical(f->type);
	f->rows = rows;
	f->missing = (size_t)json_integer_value(miss);
	if (!f->categorical) {
		size_t nc = 0;
		json_t *h = json_object_get(fj, "histogram");
		if (!reals_read(json_object_get(fj, "edges"), f->edges, QBINS_MAX - 1, &f->nedges) ||
		    !reals_read(json_object_get(fj, "counts"), f->counts, QBINS_MAX, &nc) ||
		    nc != f->nedges + 1 || !json_is_array(h) || json_array_size(h) > STATS_BUCKETS ||
		    !json_is_number(json_object_get(fj, "nan")) ||
		    !json_is_number(json_object_get(fj, "inf")))
			return pm_errf(err, "feature '%s': bad edges, counts or histogram", name);
		for (size_t k = 0; k < json_array_size(h); k++) {
			double b[3];
			size_t nb = 0;
			if (!reals_read(json_array_get(h, k), b, 3, &nb) || nb != 3)
				return pm_errf(err, "feature '%s': bad histogram bucket %zu", name, k + 1);
			f->hist[k] = (struct hist_bucket){b[0], b[1], b[2]};
		}
		f->nhist = json_array_size(h);
		f->num_nan = json_number_value(json_object_get(fj, "nan"));
		f->num_inf = json_number_value(json_object_get(fj, "inf"));
	}
	json_t *vals = json_object_get(fj, "values");
	if (!vals) {
		if (f->categorical)
			return pm_errf(err, "feature '%s': no value counts", name);
		return 0;
	}
	if (!json_is_array(vals))
		return pm_errf(err, "feature '%s': bad value counts", name);
	size_t cap = 0;
	for (size_t k = 0; k < json_array_size(vals); k++) {
		json_t *p = json_array_get(vals, k), *key = json_array_get(p, 0), *cnt = json_array_get(p, 1);
		char buf[64];
		if (json_is_number(key) && !f->categorical)
			fmt_double(json_number_value(key), buf, sizeof buf);
		else if (!json_is_string(key) || !f->categorical)
			return pm_errf(err, "feature '%s': bad value %zu", name, k + 1);
		if (!json_is_number(cnt))
			return pm_errf(err, "feature '%s': bad count of value %zu", name, k + 1);
		if (f->categorical)
			value_add(f, &cap, json_string_value(key), json_string_length(key),
				  json_number_value(cnt));
		else
			value_add(f, &cap, buf, strlen(buf), json_number_value(cnt));
	}
	f->has_values = true;
	return 0;
}

int baseline_from_json(json_t *j, struct baseline *out, struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	json_t *rows = json_object_get(j, "rows"), *feats = json_object_get(j, "features");
	if (!json_is_integer(rows) || json_integer_value(rows) < 0 || !json_is_array(feats))
		return pm_errf(err, "baseline: expected {\"rows\", \"features\"}");
	out->rows = (size_t)json_integer_value(rows);
	out->f = xcalloc(json_array_size(feats) + 1, sizeof *out->f);
	for (size_t i = 0; i < json_array_size(feats); i++) {
		if (feature_from_json(json_array_get(feats, i), &out->f[out->n++], out->rows, err)) {
			baseline_free(out);
			return pm_err_prefix(err, "baseline: feature %zu", i + 1);
		}
	}
	return 0;
}

const struct baseline_feature *baseline_find(const struct baseline *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->f[i].name, name))
			return &b->f[i];
	return NULL;
}
