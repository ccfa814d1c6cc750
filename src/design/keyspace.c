/* The key space of static serving: which keys a lookup table would hold
 * and what it would take.  A table is finite only over columns with a
 * finite set of values (strings, booleans, integers); a float or a
 * timestamp names a point on a line, and a table of the points seen in
 * the data answers no new one. */
#include "design.h"
#include "data/data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A value as serve --lookup keys it (src/serve/lookup.c: whole floats
 * print as integers). */
static const char *key_text(const struct column *c, size_t row, char *buf, size_t n)
{
	if (c->type == PM_FLOAT && c->v.f64[row] == trunc(c->v.f64[row]) && fabs(c->v.f64[row]) < 9.2e18) {
		snprintf(buf, n, "%lld", (long long)c->v.f64[row]);
		return buf;
	}
	return column_text(c, row, buf, n);
}

int design_keyspace(const struct frame *f, json_t *keys, char *const *inputs,
		    struct design_keyspace *ks, struct pm_err *err)
{
	memset(ks, 0, sizeof *ks);
	size_t nk = json_array_size(keys);
	ks->cols = xcalloc(nk + 1, sizeof *ks->cols);
	int *idx = xcalloc(nk + 1, sizeof *idx);
	for (size_t i = 0; i < nk; i++) {
		const char *name = json_string_value(json_array_get(keys, i));
		idx[i] = name ? frame_col_index(f, name) : -1;
		if (idx[i] < 0) {
			free(idx);
			design_keyspace_free(ks);
			return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (from keys)",
					f->name, name ? name : "?");
		}
		ks->cols[i].name = xstrdup(name);
		ks->ncols++;
	}
	ks->product = nk ? 1 : 0;
	struct strdict *tuples = strdict_new();
	struct sbuf t = {0};
	char buf[64];
	for (size_t i = 0; i < nk; i++) {
		const struct column *c = &f->cols[idx[i]];
		struct strdict *seen = strdict_new();
		for (size_t row = 0; row < f->nrows; row++)
			if (column_present(c, row)) {
				const char *s = key_text(c, row, buf, sizeof buf);
				strdict_intern(seen, s, strlen(s));
			}
		ks->cols[i].type = pm_type_name(c->type);
		ks->cols[i].distinct = seen->n;
		ks->cols[i].continuous = c->type == PM_FLOAT || c->type == PM_TIMESTAMP;
		ks->product *= (double)seen->n;
		strdict_free(seen);
	}
	/* the observed tuples: a row missing a key has no entry, as in serve;
	 * each keeps its first row, to which its other rows' inputs compare */
	size_t nin = 0;
	while (inputs && inputs[nin])
		nin++;
	int *in = xcalloc(nin + 1, sizeof *in);
	for (size_t i = 0; i < nin; i++)
		in[i] = frame_col_index(f, inputs[i]);
	size_t *first = NULL, cap = 0;
	for (size_t row = 0; nk && row < f->nrows; row++) {
		t.len = 0;
		bool ok = true;
		for (size_t i = 0; i < nk && ok; i++) {
			const struct column *c = &f->cols[idx[i]];
			ok = column_present(c, row);
			if (ok)
				sbuf_printf(&t, "%s%s", i ? "," : "", key_text(c, row, buf, sizeof buf));
		}
		if (!ok)
			continue;
		uint32_t code = strdict_intern(tuples, t.s ? t.s : "", t.len);
		if (code >= cap)
			xgrow((void **)&first, &cap, (size_t)code + 1, sizeof *first);
		if (code + 1 == tuples->n) {
			first[code] = row;
			continue;
		}
		for (size_t i = 0; i < nin && !ks->differs; i++)
			if (in[i] >= 0 && !column_same(&f->cols[in[i]], first[code], row)) {
				ks->differs = xstrdup(inputs[i]);
				ks->differs_key = xstrndup(t.s, t.len);
				ks->differs_rows[0] = first[code];
				ks->differs_rows[1] = row;
			}
	}
	free(first);
	free(in);
	ks->observed = tuples->n;
	for (uint32_t k = 0; k < tuples->n; k++)
		ks->key_bytes += tuples->len[k];
	strdict_free(tuples);
	sbuf_free(&t);
	free(idx);
	return 0;
}

void design_keyspace_free(struct design_keyspace *ks)
{
	for (size_t i = 0; i < ks->ncols; i++)
		free(ks->cols[i].name);
	free(ks->cols);
	free(ks->differs);
	free(ks->differs_key);
	memset(ks, 0, sizeof *ks);
}

char *design_static_why(const struct design_keyspace *ks, const char *data)
{
	if (!ks->ncols)
		return xstrdup("no key columns: `design set D keys COL` names the column(s) a "
			       "request is looked up by");
	for (size_t i = 0; i < ks->ncols; i++)
		if (ks->cols[i].continuous)
			return xasprintf("key column %s is continuous (%s, %zu distinct values in %s): "
					 "a table of the values seen answers no new one",
					 ks->cols[i].name, ks->cols[i].type, ks->cols[i].distinct, data);
	if (ks->differs)
		return xasprintf("the key does not determine the model's input %s (rows %zu and %zu of %s "
				 "both have key '%s' and different inputs): serve --lookup needs a key "
				 "that fixes every input, such as an id",
				 ks->differs, ks->differs_rows[0] + 1, ks->differs_rows[1] + 1, data,
				 ks->differs_key);
	return NULL;
}

double design_table_bytes(size_t keys, size_t key_bytes, int nout)
{
	/* strdict: each key's text and NUL, its string pointer and length;
	 * open addressing at load factor at most 1/2, 16 slots at least */
	double slots = 0;
	if (keys) {
		slots = 16;
		while (slots < 2.0 * (double)keys)
			slots *= 2;
	}
	return (double)key_bytes + (double)keys * (1 + sizeof(char *) + sizeof(uint32_t)) +
	       slots * sizeof(uint32_t) + (double)keys * nout * sizeof(double);
}
