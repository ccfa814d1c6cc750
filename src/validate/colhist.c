/* A column's histogram over one or two frames on shared bins, so that
 * `plot hist A COL --vs B` draws comparable bars. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int numeric_bins(const struct frame *const *fr, const int *ci, size_t nf, size_t nbins,
			struct col_hist *h)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t k = 0; k < nf; k++) {
		const struct column *c = &fr[k]->cols[ci[k]];
		for (size_t r = 0; r < fr[k]->nrows; r++) {
			double x = column_num(c, r);
			if (!isfinite(x))
				continue;
			if (x < lo)
				lo = x;
			if (x > hi)
				hi = x;
		}
	}
	if (lo > hi) {
		/* no finite value at all: one empty bin keeps the figure valid */
		lo = 0;
		hi = 1;
	}
	/* round bin edges (a step of 1, 2, 2.5 or 5 times a power of ten) read
	 * better on an axis than min + i * (max - min) / n */
	double step = 1, scale = 1;
	long k0 = 0;
	bool point = lo == hi;
	if (point) {
		nbins = 1;
		lo -= 0.5;
		hi += 0.5;
	} else {
		double raw = (hi - lo) / (double)nbins;
		int e = (int)floor(log10(raw));
		double mag = pow(10, e), f = raw / mag;
		double m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
		/* edges are (k0 + i) * m * 10^e, computed as a division when e < 0
		 * so that 0.3 prints as 0.3 */
		scale = e < 0 ? pow(10, -e) : 1;
		step = e < 0 ? m : m * mag;
		k0 = (long)floor(lo * scale / step);
		size_t nb = (size_t)ceil((hi * scale / step) - (double)k0);
		if (nb < 1)
			nb = 1;
		if ((double)(k0 + (long)nb) * step / scale < hi)
			nb++;
		nbins = nb;
	}
	h->nbins = nbins;
	h->edges = xmalloc((nbins + 1) * sizeof *h->edges);
	if (point) {
		h->edges[0] = lo;
		h->edges[1] = hi;
	} else {
		for (size_t i = 0; i <= nbins; i++)
			h->edges[i] = (double)(k0 + (long)i) * step / scale;
		lo = h->edges[0];
		hi = h->edges[nbins];
	}
	double norm = (double)nbins / (hi - lo);
	for (size_t k = 0; k < nf; k++) {
		const struct column *c = &fr[k]->cols[ci[k]];
		h->counts[k] = xcalloc(nbins, sizeof **h->counts);
		for (size_t r = 0; r < fr[k]->nrows; r++) {
			if (!column_present(c, r))
				continue;
			double x = column_num(c, r);
			if (!isfinite(x)) {
				h->outside[k]++;
				continue;
			}
			long b = (long)((x - lo) * norm);
			if (b >= (long)nbins)
				b = (long)nbins - 1;
			if (b < 0)
				b = 0;
			if (x < h->edges[b] && b > 0)
				b--;
			else if (x >= h->edges[b + 1] && b != (long)nbins - 1)
				b++;
			h->counts[k][b]++;
			h->total[k]++;
		}
	}
	return 0;
}

struct cat {
	char *label;
	double count[COL_HIST_MAX_FRAMES];
};

static int cmp_cat(const void *pa, const void *pb)
{
	const struct cat *a = pa, *b = pb;
	for (int k = 0; k < COL_HIST_MAX_FRAMES; k++)
		if (a->count[k] != b->count[k])
			return a->count[k] > b->count[k] ? -1 : 1;
	return strcmp(a->label, b->label);
}

static int categorical_bins(const struct frame *const *fr, const int *ci, size_t nf,
			    size_t nbins, struct col_hist *h)
{
	struct strdict *d = strdict_new();
	struct cat *cats = NULL;
	size_t cap = 0;
	for (size_t k = 0; k < nf; k++) {
		const struct column *c = &fr[k]->cols[ci[k]];
		char buf[64];
		for (size_t r = 0; r < fr[k]->nrows; r++) {
			if (!column_present(c, r))
				continue;
			const char *t = column_text(c, r, buf, sizeof buf);
			uint32_t code = strdict_intern(d, t, strlen(t));
			if (code >= cap) {
				size_t old = cap;
				xgrow((void **)&cats, &cap, code + 1, sizeof *cats);
				memset(cats + old, 0, (cap - old) * sizeof *cats);
			}
			cats[code].count[k]++;
			h->total[k]++;
		}
	}
	size_t n = d->n;
	for (size_t i = 0; i < n; i++)
		cats[i].label = xstrndup(d->str[i], d->len[i]);
	strdict_free(d);
	qsort(cats, n, sizeof *cats, cmp_cat);
	size_t shown = n > nbins ? nbins - 1 : n;
	h->nbins = shown + (n > shown ? 1 : 0);
	h->labels = xcalloc(h->nbins + 1, sizeof *h->labels);
	for (size_t k = 0; k < nf; k++)
		h->counts[k] = xcalloc(h->nbins + 1, sizeof **h->counts);
	for (size_t i = 0; i < n; i++) {
		size_t b = i < shown ? i : shown;
		if (i < shown)
			h->labels[b] = cats[i].label;
		else
			free(cats[i].label);
		for (size_t k = 0; k < nf; k++)
			h->counts[k][b] += cats[i].count[k];
	}
	if (n > shown)
		h->labels[shown] = xstrdup("(other)");
	free(cats);
	return 0;
}

int col_hist_compute(const struct frame *const *frames, size_t nframes, const char *col,
		     size_t nbins, struct col_hist *out, struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	if (nframes == 0 || nframes > COL_HIST_MAX_FRAMES)
		return pm_errf(err, "a histogram takes one or two datasets");
	if (nbins < 1 || nbins > 1000)
		return pm_errf(err, "the number of bins must be between 1 and 1000, not %zu", nbins);
	int ci[COL_HIST_MAX_FRAMES];
	for (size_t k = 0; k < nframes; k++) {
		ci[k] = frame_col_index(frames[k], col);
		if (ci[k] < 0)
			return pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", col,
					frames[k]->name);
	}
	enum pm_type t = frames[0]->cols[ci[0]].type;
	bool cat = t == PM_STRING || t == PM_BOOL;
	for (size_t k = 1; k < nframes; k++) {
		enum pm_type u = frames[k]->cols[ci[k]].type;
		bool ucat = u == PM_STRING || u == PM_BOOL;
		if (ucat != cat)
			return pm_errf(err,
				       "column %s is %s in %s but %s in %s: the histograms cannot share "
				       "bins",
				       col, pm_type_name(t), frames[0]->name, pm_type_name(u),
				       frames[k]->name);
	}
	out->categorical = cat;
	out->type = t;
	out->nframes = nframes;
	return cat ? categorical_bins(frames, ci, nframes, nbins, out)
		   : numeric_bins(frames, ci, nframes, nbins, out);
}

void col_hist_free(struct col_hist *h)
{
	if (h->labels)
		for (size_t i = 0; i < h->nbins; i++)
			free(h->labels[i]);
	free(h->labels);
	free(h->edges);
	for (size_t k = 0; k < COL_HIST_MAX_FRAMES; k++)
		free(h->counts[k]);
	memset(h, 0, sizeof *h);
}
