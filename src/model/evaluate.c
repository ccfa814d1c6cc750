/* Judging a model on a dataset: the labels read as the model reads them,
 * its predictions, and the metrics overall and per value of a slice
 * column (the course's "performance by slice").  `evaluate` prints them;
 * `train --slice` records the slices with the version. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

struct slice_acc {
	char *value; /* NULL: the rows where the slice column is missing */
	size_t *rows, n, cap;
};

/* the largest slices first, the missing one last among equals, then by value */
static int cmp_slices(const void *a, const void *b)
{
	const struct slice_acc *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (!x->value != !y->value)
		return x->value ? -1 : 1;
	return strcmp(x->value ? x->value : "", y->value ? y->value : "");
}

static int too_many_slices(const struct column *col, struct pm_err *err)
{
	return pm_errcf(err, PM_E_USAGE, "--slice %s has more than %d distinct values", col->name,
			MODEL_MAX_SLICES);
}

int model_slice_check(const struct frame *f, int sc, struct pm_err *err)
{
	const struct column *col = &f->cols[sc];
	struct strdict *d = strdict_new();
	char buf[64];
	for (size_t i = 0; i < f->nrows && d->n <= MODEL_MAX_SLICES; i++)
		if (column_present(col, i)) {
			const char *t = column_text(col, i, buf, sizeof buf);
			strdict_intern(d, t, strlen(t));
		}
	bool many = d->n > MODEL_MAX_SLICES;
	strdict_free(d);
	return many ? too_many_slices(col, err) : 0;
}

/* Groups the judged rows (indexes into y/pred) by the text of the slice
 * column and measures each group. */
static int eval_slices(const struct model *m, const struct frame *f, int sc, const size_t *rows,
		       const double *y, const double *pred, size_t n, double threshold, json_t *out,
		       struct pm_err *err)
{
	const struct column *col = &f->cols[sc];
	struct strdict *d = strdict_new();
	struct slice_acc *sl = NULL;
	size_t nsl = 0, cap = 0;
	int rc = -1;
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		size_t r = rows[i];
		bool present = column_present(col, r);
		/* the missing slice has a key no text can have */
		const char *t = present ? column_text(col, r, buf, sizeof buf) : "\x01missing";
		size_t k = (size_t)strdict_intern(d, t, strlen(t));
		if (k >= nsl) {
			if (d->n > MODEL_MAX_SLICES) {
				too_many_slices(col, err);
				goto out;
			}
			xgrow((void **)&sl, &cap, k + 1, sizeof *sl);
			memset(&sl[nsl], 0, (k + 1 - nsl) * sizeof *sl);
			nsl = k + 1;
			sl[k].value = present ? xstrdup(d->str[k]) : NULL;
		}
		xgrow((void **)&sl[k].rows, &sl[k].cap, sl[k].n + 1, sizeof *sl[k].rows);
		sl[k].rows[sl[k].n++] = i;
	}
	qsort(sl, nsl, sizeof *sl, cmp_slices);
	size_t K = (size_t)m->nout;
	double *ys = xmalloc((n + 1) * sizeof *ys), *ps = xmalloc((n * K + 1) * sizeof *ps);
	for (size_t k = 0; k < nsl; k++) {
		for (size_t i = 0; i < sl[k].n; i++) {
			ys[i] = y[sl[k].rows[i]];
			memcpy(ps + i * K, pred + sl[k].rows[i] * K, K * sizeof *ps);
		}
		json_t *sm = model_eval_metrics(m, ys, ps, sl[k].n, threshold);
		json_array_append_new(out, json_pack("{s:s,s:o,s:I,s:o}", "slice", col->name, "value",
						     sl[k].value ? json_string(sl[k].value) : json_null(),
						     "rows", (json_int_t)sl[k].n, "metrics", sm));
	}
	free(ys);
	free(ps);
	rc = 0;
out:
	for (size_t k = 0; k < nsl; k++) {
		free(sl[k].value);
		free(sl[k].rows);
	}
	free(sl);
	strdict_free(d);
	return rc;
}

int model_evaluate(const struct model *m, const struct frame *f, int slice_col, double threshold,
		   int threads, struct model_eval *out, struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	int lc = frame_col_index(f, m->label);
	if (lc < 0)
		return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no label column '%s': evaluate needs labels",
				f->name, m->label);
	size_t *rows = xmalloc((f->nrows + 1) * sizeof *rows);
	double *y = xmalloc((f->nrows + 1) * sizeof *y), *pred = NULL;
	size_t n = 0;
	int rc = -1;
	for (size_t i = 0; i < f->nrows; i++) {
		int st = model_label_value(m, &f->cols[lc], i, &y[n]);
		if (st == 0)
			out->missing_label++;
		else if (st < 0)
			out->unknown_label++;
		else
			rows[n++] = i;
	}
	out->rows = n;
	size_t K = (size_t)m->nout;
	pred = xmalloc((n * K + 1) * sizeof *pred);
	if (model_predict_frame(m, f, rows, n, threads, pred, err) < 0)
		goto out;
	out->metrics = model_eval_metrics(m, y, pred, n, threshold);
	out->slices = json_array();
	if (slice_col >= 0 &&
	    eval_slices(m, f, slice_col, rows, y, pred, n, threshold, out->slices, err) < 0) {
		model_eval_free(out);
		goto out;
	}
	rc = 0;
out:
	free(rows);
	free(y);
	free(pred);
	return rc;
}

void model_eval_free(struct model_eval *e)
{
	json_decref(e->metrics);
	json_decref(e->slices);
	e->metrics = e->slices = NULL;
}

json_t *model_slice_record(const json_t *slices)
{
	json_t *rec = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(slices, i, x) {
		const char *col = json_string_value(json_object_get(x, "slice"));
		const char *val = json_string_value(json_object_get(x, "value"));
		if (!col || !val)
			continue; /* the rows without a value: no COL=VALUE names them */
		char *key = xasprintf("%s=%s", col, val);
		json_object_set(rec, key, json_object_get(x, "metrics"));
		free(key);
	}
	return rec;
}
