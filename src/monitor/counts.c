/* Counts by value and the aggregate of a set of requests: what the
 * dashboard's windows and the rollups are made of. */
#include "monitor/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int64_t monitor_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static uint64_t key_hash(double k)
{
	if (k == 0)
		k = 0;   /* -0 and +0 are one key */
	return hash64(&k, sizeof k, 0x6d6f6e69);
}

static void cmap_rehash(struct cmap *m, size_t nslot)
{
	free(m->slot);
	m->nslot = nslot;
	m->slot = xcalloc(nslot, sizeof *m->slot);
	for (size_t i = 0; i < m->n; i++) {
		size_t h = (size_t)(key_hash(m->key[i]) & (nslot - 1));
		while (m->slot[h])
			h = (h + 1) & (nslot - 1);
		m->slot[h] = (uint32_t)(i + 1);
	}
}

void cmap_add(struct cmap *m, double key, int64_t count)
{
	if (isnan(key) || count == 0)
		return;
	if (2 * (m->n + 1) > m->nslot)
		cmap_rehash(m, m->nslot ? 2 * m->nslot : 16);
	size_t h = (size_t)(key_hash(key) & (m->nslot - 1));
	while (m->slot[h]) {
		size_t i = m->slot[h] - 1;
		if (m->key[i] == key) {
			m->count[i] += count;
			return;
		}
		h = (h + 1) & (m->nslot - 1);
	}
	if (m->n == m->cap) {
		size_t cap = m->cap;
		xgrow((void **)&m->key, &cap, m->n + 1, sizeof *m->key);
		xgrow((void **)&m->count, &m->cap, m->n + 1, sizeof *m->count);
	}
	m->key[m->n] = key;
	m->count[m->n] = count;
	m->n++;
	m->slot[h] = (uint32_t)m->n;
}

void cmap_merge(struct cmap *dst, const struct cmap *src)
{
	for (size_t i = 0; i < src->n; i++)
		cmap_add(dst, src->key[i], src->count[i]);
}

int64_t cmap_total(const struct cmap *m)
{
	int64_t t = 0;
	for (size_t i = 0; i < m->n; i++)
		t += m->count[i];
	return t;
}

struct keyed {
	double key;
	size_t i;
};

static int by_key(const void *a, const void *b)
{
	double x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;
	return (x > y) - (x < y);
}

size_t *cmap_order(const struct cmap *m)
{
	struct keyed *t = xmalloc((m->n ? m->n : 1) * sizeof *t);
	for (size_t i = 0; i < m->n; i++)
		t[i] = (struct keyed){m->key[i], i};
	qsort(t, m->n, sizeof *t, by_key);
	size_t *o = xmalloc((m->n ? m->n : 1) * sizeof *o);
	for (size_t i = 0; i < m->n; i++)
		o[i] = t[i].i;
	free(t);
	return o;
}

double cmap_percentile(const struct cmap *m, const size_t *order, double p)
{
	int64_t n = cmap_total(m);
	if (n <= 0)
		return NAN;
	double k = ceil(p / 100.0 * (double)n);
	int64_t rank = k < 1 ? 1 : (int64_t)k;
	if (rank > n)
		rank = n;
	int64_t seen = 0;
	for (size_t i = 0; i < m->n; i++) {
		seen += m->count[order[i]];
		if (seen >= rank)
			return m->key[order[i]];
	}
	return m->key[order[m->n - 1]];
}

void cmap_free(struct cmap *m)
{
	free(m->key);
	free(m->count);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

json_t *cmap_to_json(const struct cmap *m)
{
	size_t *o = cmap_order(m);
	json_t *a = json_array();
	for (size_t i = 0; i < m->n; i++) {
		double k = m->key[o[i]];
		json_t *kj = k == floor(k) && fabs(k) < 9e15 ? json_integer((json_int_t)k) : json_real(k);
		json_array_append_new(a, json_pack("[o,I]", kj, (json_int_t)m->count[o[i]]));
	}
	free(o);
	return a;
}

void cmap_add_json(struct cmap *m, json_t *a)
{
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		json_t *k = json_array_get(x, 0), *c = json_array_get(x, 1);
		if (json_is_number(k) && json_is_integer(c) && json_integer_value(c) > 0)
			cmap_add(m, json_number_value(k), json_integer_value(c));
	}
}

/* ---- the aggregate of requests ------------------------------------------------ */

void agg_free(struct agg *a)
{
	cmap_free(&a->status);
	cmap_free(&a->latency);
	cmap_free(&a->batch);
	cmap_free(&a->pvalues);
	cmap_free(&a->pclasses);
	memset(a, 0, sizeof *a);
}

void agg_merge(struct agg *dst, const struct agg *src)
{
	dst->requests += src->requests;
	dst->errors += src->errors;
	dst->rows += src->rows;
	if (src->rows_max > dst->rows_max)
		dst->rows_max = src->rows_max;
	dst->rolled += src->rolled;
	dst->pnull += src->pnull;
	cmap_merge(&dst->status, &src->status);
	cmap_merge(&dst->latency, &src->latency);
	cmap_merge(&dst->batch, &src->batch);
	cmap_merge(&dst->pvalues, &src->pvalues);
	cmap_merge(&dst->pclasses, &src->pclasses);
}

double monitor_round3d(double v)
{
	if (!isfinite(v) || v == 0)
		return v;
	char buf[32];
	snprintf(buf, sizeof buf, "%.3g", v);
	return strtod(buf, NULL);
}

void agg_add_predictions(struct agg *a, json_t *pred, bool binary)
{
	size_t i;
	json_t *p;
	json_array_foreach(pred, i, p)
	{
		if (json_is_number(p)) {
			double v = json_number_value(p);
			cmap_add(&a->pvalues, monitor_round3d(v), 1);
			if (binary)
				cmap_add(&a->pclasses, v >= 0.5 ? 1 : 0, 1);
		} else if (json_is_array(p) && json_array_size(p) > 0) {
			/* class probabilities: the predicted class is the most likely one */
			size_t best = 0, k;
			double bv = -INFINITY;
			json_t *x;
			json_array_foreach(p, k, x)
			{
				if (json_is_number(x) && json_number_value(x) > bv) {
					bv = json_number_value(x);
					best = k;
				}
			}
			if (isfinite(bv))
				cmap_add(&a->pclasses, (double)best, 1);
			else
				a->pnull++;
		} else {
			a->pnull++;
		}
	}
}

void agg_add_request(struct agg *a, int status, int64_t latency_us, int64_t rows, json_t *pred,
		     bool binary)
{
	a->requests++;
	a->rows += rows;
	if (rows > a->rows_max)
		a->rows_max = rows;
	if (status >= 400) {
		a->errors++;
		cmap_add(&a->status, status, 1);
	}
	cmap_add(&a->latency, (double)latency_us, 1);
	cmap_add(&a->batch, (double)rows, 1);
	if (pred)
		agg_add_predictions(a, pred, binary);
}

/* ---- text keys ---------------------------------------------------------------------- */

static void num_text(double v, struct sbuf *out)
{
	char buf[64];
	if (v == floor(v) && fabs(v) < 9e15)
		snprintf(buf, sizeof buf, "%lld", (long long)v);
	else
		fmt_double(v, buf, sizeof buf);
	sbuf_puts(out, buf);
}

bool key_text_json(json_t *v, struct sbuf *out)
{
	if (json_is_string(v))
		sbuf_add(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		sbuf_printf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		num_text(json_real_value(v), out);
	else if (json_is_true(v) || json_is_false(v))
		sbuf_puts(out, json_is_true(v) ? "true" : "false");
	else
		return false;
	return true;
}

bool key_text_column(const struct column *c, size_t row, struct sbuf *out)
{
	if (!column_present(c, row))
		return false;
	char buf[64];
	switch (c->type) {
	case PM_INT:
		sbuf_printf(out, "%lld", (long long)c->v.i64[row]);
		break;
	case PM_FLOAT:
		num_text(c->v.f64[row], out);
		break;
	default:
		sbuf_puts(out, column_text(c, row, buf, sizeof buf));
		break;
	}
	return true;
}
