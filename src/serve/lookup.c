/* Static and hybrid serving: predictions precomputed for a finite key
 * space (the values of one column of a dataset), answered by a hash
 * lookup.  The key must determine the model's inputs (every row of a key
 * holds the same inputs, as with an id), else the table is refused.
 * Keeping only the most frequent keys is the hybrid design: the table
 * holds the popular keys and the model computes the long tail. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lookup_free(struct lookup *lk)
{
	if (!lk)
		return;
	strdict_free(lk->keys);
	free(lk->pred);
	free(lk);
}

const double *lookup_find(const struct lookup *lk, const char *key, size_t len)
{
	int64_t k = strdict_find(lk->keys, key, len);
	return k < 0 ? NULL : lk->pred + (size_t)k * lk->nout;
}

size_t lookup_json_key(json_t *v, char *buf, size_t n, const char **key)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*key = json_string_value(v);
		return json_string_length(v);
	case JSON_INTEGER:
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL: {
		double x = json_real_value(v);
		if (x == trunc(x) && fabs(x) < 9.2e18)
			snprintf(buf, n, "%lld", (long long)x);
		else
			fmt_double(x, buf, n);
		break;
	}
	case JSON_TRUE:
		snprintf(buf, n, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, n, "false");
		break;
	default:
		*key = NULL;
		return 0;
	}
	*key = buf;
	return strlen(buf);
}

/* The key text of a frame value: what lookup_json_key gives for the same
 * value sent as JSON. */
static size_t column_key(const struct column *c, size_t row, char *buf, size_t n, const char **key)
{
	if (c->type == PM_STRING) {
		*key = c->dict->str[c->v.code[row]];
		return c->dict->len[c->v.code[row]];
	}
	if (c->type == PM_FLOAT) {
		double x = c->v.f64[row];
		if (x == trunc(x) && fabs(x) < 9.2e18)
			snprintf(buf, n, "%lld", (long long)x);
		else
			fmt_double(x, buf, n);
		*key = buf;
		return strlen(buf);
	}
	*key = column_text(c, row, buf, n);
	return strlen(*key);
}

struct kc {
	uint32_t code;
	size_t count, first;
};

static int cmp_count(const void *a, const void *b)
{
	const struct kc *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

int lookup_build(const struct model *m, const struct frame *f, const char *key, size_t size,
		 int threads, struct lookup **out, struct pm_err *err)
{
	(void)threads;
	int kc = frame_col_index(f, key);
	if (kc < 0)
		return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (from --lookup)",
				f->name, key);
	const struct transform *t = m->tf;
	int *colmap = xcalloc(t->ninputs + 1, sizeof *colmap);
	bool *fits = xcalloc(t->ninputs + 1, sizeof *fits);
	for (size_t i = 0; i < t->ninputs; i++) {
		colmap[i] = frame_col_index(f, t->inputs[i].name);
		if (colmap[i] < 0) {
			free(colmap);
			free(fits);
			return pm_errf(err, "dataset '%s' has no column '%s' (a model input): it cannot "
					    "fill a lookup table",
				       f->name, t->inputs[i].name);
		}
		fits[i] = sv_type_fits(t->inputs[i].type, f->cols[colmap[i]].type);
	}
	/* count the keys; each keeps its first row, and the inputs that differ
	 * between rows of one key are noted */
	const struct column *c = &f->cols[kc];
	struct strdict *all = strdict_new();
	struct kc *counts = NULL;
	size_t cap = 0;
	char buf[64];
	bool *differs = xcalloc(t->ninputs + 1, sizeof *differs);
	size_t ndiffer = 0, seen_rows[2] = {0, 0};
	char *seen_key = NULL;
	for (size_t row = 0; row < f->nrows; row++) {
		if (!column_present(c, row))
			continue;
		const char *k;
		size_t kl = column_key(c, row, buf, sizeof buf, &k);
		uint32_t code = strdict_intern(all, k, kl);
		if (code >= cap) {
			size_t old = cap;
			xgrow((void **)&counts, &cap, (size_t)code + 1, sizeof *counts);
			memset(counts + old, 0, (cap - old) * sizeof *counts);
		}
		if (counts[code].count++ == 0) {
			counts[code].code = code;
			counts[code].first = row;
			continue;
		}
		size_t first = counts[code].first;
		for (size_t i = 0; i < t->ninputs; i++)
			if (!differs[i] && !column_same(&f->cols[colmap[i]], first, row)) {
				differs[i] = true;
				if (!ndiffer++) {
					seen_key = xstrndup(k, kl);
					seen_rows[0] = first;
					seen_rows[1] = row;
				}
			}
	}
	if (ndiffer) {
		/* one prediction per key is right only when the key fixes every
		 * input: a key shared by rows that differ would answer them all
		 * with the prediction of its first row */
		struct sbuf names = {0};
		for (size_t i = 0, j = 0; i < t->ninputs; i++)
			if (differs[i])
				sbuf_printf(&names, "%s%s", j++ ? ", " : "", t->inputs[i].name);
		pm_errcf(err, PM_E_USAGE,
			 "--lookup %s does not determine the model's input%s %s (rows %zu and %zu of "
			 "dataset '%s' both have %s '%s' and different inputs): a table of one "
			 "prediction per key needs a key that fixes every input, such as an id",
			 key, ndiffer > 1 ? "s" : "", names.s, seen_rows[0] + 1, seen_rows[1] + 1,
			 f->name, key, seen_key);
		sbuf_free(&names);
		free(seen_key);
		free(counts);
		free(colmap);
		free(fits);
		free(differs);
		strdict_free(all);
		return -1;
	}
	free(differs);
	size_t nk = all->n;
	if (nk)
		qsort(counts, nk, sizeof *counts, cmp_count);
	if (size && size < nk)
		nk = size;

	struct lookup *lk = xcalloc(1, sizeof *lk);
	lk->keys = strdict_new();
	lk->nout = (size_t)m->nout;
	lk->pred = xmalloc((nk * lk->nout + 1) * sizeof *lk->pred);
	lk->source_rows = f->nrows;
	double *dense = xmalloc((t->ndense + 1) * sizeof *dense);
	uint32_t *cat = xmalloc((t->ncat + 1) * sizeof *cat);
	struct ft_value *vals = xcalloc(t->ninputs + 1, sizeof *vals);
	char (*bufs)[64] = xmalloc((t->ninputs + 1) * sizeof *bufs);
	struct pm_err e;
	for (size_t q = 0; q < nk; q++) {
		size_t row = counts[q].first;
		bool ok = true;
		for (size_t i = 0; i < t->ninputs && ok; i++)
			ok = sv_frame_value(t->inputs[i].type, &f->cols[colmap[i]], row, fits[i], bufs[i],
					    sizeof bufs[i], &vals[i], &e) == 0;
		/* a key whose row the model refuses stays out: the model answers it */
		if (!ok || transform_apply(t, vals, dense, cat, &e) < 0)
			continue;
		uint32_t code = strdict_intern(lk->keys, all->str[counts[q].code], all->len[counts[q].code]);
		model_predict_rows(m, dense, cat, 1, lk->pred + (size_t)code * lk->nout);
	}
	size_t keybytes = 0;
	for (uint32_t k = 0; k < lk->keys->n; k++)
		keybytes += lk->keys->len[k] + 1 + sizeof(char *) + sizeof(uint32_t);
	lk->bytes = keybytes + (size_t)lk->keys->nslots * sizeof(uint32_t) +
		    (size_t)lk->keys->n * lk->nout * sizeof(double);
	free(dense);
	free(cat);
	free(vals);
	free(bufs);
	free(counts);
	free(colmap);
	free(fits);
	strdict_free(all);
	*out = lk;
	return 0;
}
