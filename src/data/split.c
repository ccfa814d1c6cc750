/* Deterministic hash splits: a row's part depends only on the text of its
 * key, never on its position, the thread count or a random seed, so the
 * same data splits the same way on every machine and every run, and rows
 * sharing a key (one user, one day) never straddle train and test. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct split_ctx {
	const struct frame *f;
	int by; /* column index, or -1 for the whole row */
	uint8_t cum[256]; /* bucket (h % 100) -> part */
	uint8_t *part;
};

#define SPLIT_BLOCK 16384

static void split_block(void *ctx, size_t blk)
{
	struct split_ctx *s = ctx;
	const struct frame *f = s->f;
	size_t r0 = blk * SPLIT_BLOCK;
	size_t r1 = r0 + SPLIT_BLOCK < f->nrows ? r0 + SPLIT_BLOCK : f->nrows;
	char buf[64];
	struct sbuf row = {0};
	for (size_t r = r0; r < r1; r++) {
		uint64_t h;
		size_t len;
		if (s->by >= 0) {
			const char *t = column_text_len(&f->cols[s->by], r, buf, sizeof buf, &len);
			h = hash64(t, len, 0);
		} else {
			row.len = 0;
			for (size_t j = 0; j < f->ncols; j++) {
				if (j)
					sbuf_putc(&row, '\x1f');
				const char *t = column_text_len(&f->cols[j], r, buf, sizeof buf, &len);
				sbuf_add(&row, t, len);
			}
			h = hash64(row.s ? row.s : "", row.len, 0);
		}
		s->part[r] = s->cum[h % 100];
	}
	sbuf_free(&row);
}

int frame_split(const struct frame *f, const char *by, const int *ratios, size_t nparts,
		size_t **rows, size_t *counts, struct pm_err *err)
{
	if (nparts == 0 || nparts > 100)
		return pm_errcf(err, PM_E_USAGE, "a split needs 1 to 100 parts (got %zu)", nparts);
	long long sum = 0;
	for (size_t i = 0; i < nparts; i++) {
		if (ratios[i] < 0)
			return pm_errcf(err, PM_E_USAGE, "ratios must be non-negative (got %d)",
					ratios[i]);
		sum += ratios[i];
	}
	if (sum != 100)
		return pm_errcf(err, PM_E_USAGE, "ratios must sum to 100 (got %lld)", sum);
	struct split_ctx s = {.f = f, .by = -1};
	if (by) {
		s.by = frame_col_index(f, by);
		if (s.by < 0)
			return pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", by,
					f->name);
	}
	/* Buckets 0..99 go to parts by cumulative percentage: 80,10,10 sends
	 * 0..79 to part 0, 80..89 to part 1, 90..99 to part 2. */
	size_t b = 0;
	for (size_t i = 0; i < nparts; i++)
		for (int k = 0; k < ratios[i]; k++)
			s.cum[b++] = (uint8_t)i;
	s.part = xmalloc(f->nrows ? f->nrows : 1);
	size_t nblocks = (f->nrows + SPLIT_BLOCK - 1) / SPLIT_BLOCK;
	par_for(nblocks, 0, split_block, &s);
	for (size_t i = 0; i < nparts; i++)
		counts[i] = 0;
	for (size_t r = 0; r < f->nrows; r++)
		counts[s.part[r]]++;
	for (size_t i = 0; i < nparts; i++) {
		rows[i] = xmalloc((counts[i] ? counts[i] : 1) * sizeof **rows);
		counts[i] = 0;
	}
	for (size_t r = 0; r < f->nrows; r++) {
		uint8_t p = s.part[r];
		rows[p][counts[p]++] = r;
	}
	free(s.part);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Counted by the same hash that places the rows, so a value is what the
 * split sees as one (missing and "" are one key). */
int frame_split_keys(const struct frame *f, const char *by, size_t *nkeys, size_t *largest,
		     struct pm_err *err)
{
	int c = frame_col_index(f, by);
	if (c < 0)
		return pm_errcf(err, PM_E_NOTFOUND, "no column \"%s\" in dataset %s", by, f->name);
	uint64_t *h = xmalloc((f->nrows ? f->nrows : 1) * sizeof *h);
	char buf[64];
	for (size_t r = 0; r < f->nrows; r++) {
		size_t len;
		const char *t = column_text_len(&f->cols[c], r, buf, sizeof buf, &len);
		h[r] = hash64(t, len, 0);
	}
	qsort(h, f->nrows, sizeof *h, cmp_u64);
	*nkeys = 0;
	*largest = 0;
	for (size_t r = 0, run = 0; r < f->nrows; r++) {
		run = r && h[r] == h[r - 1] ? run + 1 : 1;
		if (run == 1)
			++*nkeys;
		if (run > *largest)
			*largest = run;
	}
	free(h);
	return 0;
}
