/* The binary columnar cache: one file per frame, opened by mapping it so
 * that a stored dataset is usable at once, whatever its size.
 *
 * Layout (little-endian, every section 8-byte aligned):
 *
 *   header   64 bytes: "PMFRAME1", u32 version, u32 reserved, u64 nrows,
 *            u64 ncols, u64 offset of the column table, u64 end of body,
 *            16 bytes reserved
 *   table    ncols entries of 10 u64: name offset, name length, type,
 *            missing count, valid offset, values offset, dictionary size,
 *            dictionary offsets offset, string blob offset, blob length
 *   sections names (NUL-terminated), valid bytes, values, and for strings
 *            an array of dict_n + 1 u64 offsets into a blob of
 *            NUL-terminated strings.  The columns without a missing value
 *            share one section of nrows 1s as their valid bytes (written
 *            once, after the table), so a file of complete columns carries
 *            one byte per row for them all, not one per row and column.
 *   trailer  u64 XXH64 (hash64_parallel) of everything before it
 *
 * The file is untrusted at open: every offset and length is checked
 * against the file size, and string codes against the dictionary size,
 * before a pointer into the mapping is handed out. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CACHE_MAGIC "PMFRAME1"
#define CACHE_VERSION 1
#define CACHE_HDR 64
#define ENT_WORDS 10

enum {
	E_NAME_OFF, E_NAME_LEN, E_TYPE, E_NMISSING, E_VALID, E_VALUES,
	E_DICT_N, E_DICT_OFFS, E_BLOB, E_BLOB_LEN
};

static size_t value_width(enum pm_type t)
{
	switch (t) {
	case PM_BOOL:
		return 1;
	case PM_STRING:
		return 4;
	default:
		return 8;
	}
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Saving runs the same emitter twice: a dry run lays the file out (every
 * offset, so the header and table can go first), and a second run lists
 * the file's bytes as segments, pointing into the frame's arrays where
 * they are large and into an arena of copies where they are small.  The
 * segments are then written, each piece going into the SHA-256 of the file
 * (its artifact name) and its XXH64 trailer on its way (write_summed).
 * Nothing is read back from disk. */
struct seg {
	const uint8_t *p;
	size_t len;
};

struct writer {
	bool dry; /* only count bytes */
	size_t off;
	struct seg *segs;
	size_t nsegs, segs_cap;
	uint8_t **blocks; /* the arena: blocks never move once allocated */
	size_t nblocks, blocks_cap, room;
};

#define ARENA_BLOCK (1u << 20)
#define SEG_DIRECT (64u << 10) /* pieces this large are not copied */

static uint8_t *w_alloc(struct writer *w, size_t n)
{
	if (n > w->room) {
		size_t sz = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		xgrow((void **)&w->blocks, &w->blocks_cap, w->nblocks + 1, sizeof *w->blocks);
		w->blocks[w->nblocks++] = xmalloc(sz);
		w->room = sz;
	}
	uint8_t *p = w->blocks[w->nblocks - 1] + (n > ARENA_BLOCK ? 0 : ARENA_BLOCK - w->room);
	w->room -= n;
	return p;
}

static void w_seg(struct writer *w, const uint8_t *p, size_t n)
{
	struct seg *last = w->nsegs ? &w->segs[w->nsegs - 1] : NULL;
	if (last && last->p + last->len == p) {
		last->len += n; /* contiguous in the arena */
		return;
	}
	xgrow((void **)&w->segs, &w->segs_cap, w->nsegs + 1, sizeof *w->segs);
	w->segs[w->nsegs++] = (struct seg){p, n};
}

static void w_bytes(struct writer *w, const void *p, size_t n)
{
	w->off += n;
	if (w->dry || !n)
		return;
	if (n >= SEG_DIRECT) {
		w_seg(w, p, n);
		return;
	}
	uint8_t *q = w_alloc(w, n);
	memcpy(q, p, n);
	w_seg(w, q, n);
}

static void w_pad(struct writer *w)
{
	static const char zeros[8];
	w_bytes(w, zeros, pad8(w->off) - w->off);
}

/* n bytes (one per row) made by fill(c, out, n), in the arena. */
static void w_made(struct writer *w, const struct column *c, size_t n,
		   void (*fill)(const struct column *c, uint8_t *out, size_t n))
{
	w->off += n;
	if (w->dry || !n)
		return;
	uint8_t *q = w_alloc(w, n);
	fill(c, q, n);
	w_seg(w, q, n);
}

static void w_release(struct writer *w)
{
	for (size_t i = 0; i < w->nblocks; i++)
		free(w->blocks[i]);
	free(w->blocks);
	free(w->segs);
}

static void fill_valid(const struct column *c, uint8_t *out, size_t n)
{
	for (size_t r = 0; r < n; r++)
		out[r] = c->valid[r] != 0;
}

static void fill_bool(const struct column *c, uint8_t *out, size_t n)
{
	for (size_t r = 0; r < n; r++)
		out[r] = c->valid[r] && c->v.b[r];
}

/* Writes (or, dry, lays out) everything after the header and the table,
 * recording offsets in tab.  Bool and missing-flag bytes are normalised on
 * the way out, so two frames with the same content give the same file. */
/* valid[j]: VALID_ONES (complete: the shared section at ones_off),
 * VALID_AS_IS (0/1 bytes, written as they are) or VALID_MADE (normalised). */
enum { VALID_ONES, VALID_AS_IS, VALID_MADE };

static void fill_ones(const struct column *c, uint8_t *out, size_t n)
{
	(void)c;
	memset(out, 1, n);
}

/* A string column's dictionary: the offsets of its strings, then their
 * text with each NUL, recorded in the column's entry e. */
static void w_dict(struct writer *w, const struct strdict *d, uint64_t *e)
{
	uint32_t n = d ? d->n : 0;
	e[E_DICT_N] = n;
	e[E_DICT_OFFS] = w->off;
	uint64_t o = 0;
	for (uint32_t k = 0; k < n; k++) {
		w_bytes(w, &o, 8);
		o += (uint64_t)d->len[k] + 1;
	}
	w_bytes(w, &o, 8);
	e[E_BLOB] = w->off;
	e[E_BLOB_LEN] = o;
	for (uint32_t k = 0; k < n; k++)
		w_bytes(w, d->str[k], (size_t)d->len[k] + 1);
	w_pad(w);
}

static void w_columns(struct writer *w, const struct frame *f, uint64_t *tab,
		      const uint8_t *valid, bool ones)
{
	uint64_t ones_off = 0;
	if (ones) {
		ones_off = w->off;
		w_made(w, NULL, f->nrows, fill_ones);
		w_pad(w);
	}
	size_t nrows = f->nrows;
	for (size_t j = 0; j < f->ncols; j++) {
		const struct column *c = &f->cols[j];
		uint64_t *e = tab + j * ENT_WORDS;
		size_t nlen = strlen(c->name);
		e[E_NAME_OFF] = w->off;
		e[E_NAME_LEN] = nlen;
		w_bytes(w, c->name, nlen + 1);
		w_pad(w);
		e[E_TYPE] = (uint64_t)c->type;
		if (valid[j] == VALID_ONES) {
			e[E_VALID] = ones_off;
		} else {
			e[E_VALID] = w->off;
			if (valid[j] == VALID_AS_IS)
				w_bytes(w, c->valid, nrows);
			else
				w_made(w, c, nrows, fill_valid);
			w_pad(w);
		}
		e[E_VALUES] = w->off;
		if (c->type == PM_BOOL)
			w_made(w, c, nrows, fill_bool);
		else
			w_bytes(w, c->v.i64, nrows * value_width(c->type));
		w_pad(w);
		if (c->type == PM_STRING)
			w_dict(w, c->dict, e);
	}
}



/* Both sums of the file, taken in one read of it: the bytes come from
 * memory once, in pieces that stay in the CPU's cache for the second sum.
 * (Two threads each reading the whole 130 MB file for one sum took 25 ms
 * more CPU time: XXH64 runs at the speed of memory, not of its code.) */
struct sums {
	struct sha256 sha;
	struct hash64_blocks xxh;
};

#define SUM_PIECE (64u << 10)

static void sum_piece(void *st, const void *p, size_t n)
{
	struct sums *s = st;
	const uint8_t *q = p;
	while (n) {
		size_t k = n < SUM_PIECE ? n : SUM_PIECE;
		sha256_update(&s->sha, q, k);
		hash64_blocks_update(&s->xxh, q, k);
		q += k;
		n -= k;
	}
}

/* Writes the segments of w and then the XXH64 trailer through out, each
 * piece into both sums on its way (the trailer into the SHA-256 too), and
 * syncs unless out is lazy; *err gets the errno of the first failure.
 * (Writing through a shared mapping of the file instead, its blocks
 * allocated ahead, took as much CPU time and more wall time: measured on
 * ext4, 130 MB.) */
static void write_summed(const struct writer *w, struct sums *s, struct fs_flusher *out,
			 int *err)
{
	for (size_t k = 0; k < w->nsegs; k++) {
		sum_piece(s, w->segs[k].p, w->segs[k].len);
		if (!*err && fs_flusher_write(out, w->segs[k].p, w->segs[k].len) < 0)
			*err = errno;
	}
	uint64_t trailer = hash64_blocks_final(&s->xxh);
	sha256_update(&s->sha, &trailer, 8);
	if (!*err && fs_flusher_write(out, &trailer, 8) < 0)
		*err = errno;
	if (!*err && fs_flusher_sync(out) < 0)
		*err = errno;
}

/* ---- a file parsed into ----------------------------------------------------------
 * The CSV reader stores its values in the file's mapping (load's case),
 * so that the frame exists once, in the page cache, and frame_save only
 * writes what follows the value regions and hashes the file.  Measured on
 * a 139 MB taxi-like CSV: the reader's own arrays and then write(2) made
 * the process touch 290 MB of fresh memory, this 130 MB. */

int cache_build_begin(const char *path, char *const *names, size_t ncols, size_t nslots,
		      struct cache_build **out)
{
	*out = NULL;
	struct cache_build *b = xcalloc(1, sizeof *b);
	b->ncols = ncols;
	b->nslots = nslots;
	b->name_off = xcalloc(ncols + 1, sizeof *b->name_off);
	b->val_off = xcalloc(ncols + 1, sizeof *b->val_off);
	size_t off = CACHE_HDR + ncols * ENT_WORDS * 8;
	for (size_t j = 0; j < ncols; j++) {
		b->name_off[j] = off;
		off = pad8(off + strlen(names[j]) + 1);
	}
	b->ones_off = off;
	off = pad8(off + nslots);
	for (size_t j = 0; j < ncols; j++) {
		b->val_off[j] = off;
		off += nslots * 8;
	}
	b->len = off;
	b->path = xstrdup(path);
	b->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (b->fd < 0) {
		b->fd = -2; /* not ours to remove */
		goto no;
	}
	/* blocks first: a full disk is then this error, not a SIGBUS later */
	if (fallocate(b->fd, 0, 0, (off_t)b->len) != 0)
		goto no;
	void *m = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (m == MAP_FAILED)
		goto no;
	b->map = m;
	for (size_t j = 0; j < ncols; j++)
		memcpy(b->map + b->name_off[j], names[j], strlen(names[j]) + 1);
	*out = b;
	return 0;
no:
	cache_build_abort(b);
	return 1;
}

void cache_build_abort(struct cache_build *b)
{
	if (!b)
		return;
	if (b->map && !b->handed)
		munmap(b->map, b->len);
	if (b->fd >= 0)
		close(b->fd);
	if (b->fd != -2)
		unlink(b->path);
	free(b->path);
	free(b->name_off);
	free(b->val_off);
	free(b->holes);
	free(b);
}

/* Zeros [from, to) of the mapping: the slots rows did not use, the upper
 * halves of string codes, a boolean column's region.  Whole pages become
 * a hole (no page cache, nothing to write to disk). */
static void build_clear(struct cache_build *b, size_t from, size_t to)
{
	const size_t pg = 4096;
	size_t a = (from + pg - 1) & ~(pg - 1), e = to & ~(pg - 1);
	if (e > a + 16 * pg &&
	    fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)a, (off_t)(e - a)) == 0) {
		memset(b->map + from, 0, a - from);
		memset(b->map + e, 0, to - e);
		xgrow((void **)&b->holes, &b->holes_cap, b->nholes + 2, sizeof *b->holes);
		b->holes[b->nholes++] = a;
		b->holes[b->nholes++] = e;
		return;
	}
	memset(b->map + from, 0, to - from);
}

/* Whether f's arrays are where the reader put them. */
static bool build_intact(const struct frame *f)
{
	const struct cache_build *b = f->build;
	if (f->ncols != b->ncols || f->nrows > b->nslots)
		return false;
	for (size_t j = 0; j < f->ncols; j++) {
		const struct column *c = &f->cols[j];
		if (c->type != PM_BOOL && (const uint8_t *)c->v.i64 != b->map + b->val_off[j])
			return false;
		if (strcmp(c->name, (const char *)b->map + b->name_off[j]) != 0)
			return false;
	}
	return true;
}

/* The part after the value regions, emitted (or laid out) by the writer
 * as w_columns does: valid bytes of columns with missing values, boolean
 * values, dictionaries. */
static void w_tail(struct writer *w, const struct frame *f, uint64_t *tab, const uint8_t *valid)
{
	size_t nrows = f->nrows;
	for (size_t j = 0; j < f->ncols; j++) {
		const struct column *c = &f->cols[j];
		uint64_t *e = tab + j * ENT_WORDS;
		if (valid[j] != VALID_ONES) {
			e[E_VALID] = w->off;
			if (valid[j] == VALID_AS_IS)
				w_bytes(w, c->valid, nrows);
			else
				w_made(w, c, nrows, fill_valid);
			w_pad(w);
		}
		if (c->type == PM_BOOL) {
			e[E_VALUES] = w->off;
			w_made(w, c, nrows, fill_bool);
			w_pad(w);
		}
		if (c->type == PM_STRING)
			w_dict(w, c->dict, e);
	}
}


/* Feeds [from, to) of the mapping to the sums, its holes as zeros from
 * memory: reading a hole through the mapping would fill it with new pages.
 * (The holes are listed in file order.) */
static void feed_range(const struct cache_build *b, size_t from, size_t to, struct sums *s)
{
	static const uint8_t zeros[1 << 16];
	size_t at = from;
	for (size_t h = 0; h < b->nholes && at < to; h += 2) {
		size_t h0 = b->holes[h], h1 = b->holes[h + 1] < to ? b->holes[h + 1] : to;
		if (h1 <= at)
			continue;
		if (h0 > at) {
			if (h0 >= to)
				break;
			sum_piece(s, b->map + at, h0 - at);
			at = h0;
		}
		for (size_t left = h1 - at; left;) {
			size_t n = left < sizeof zeros ? left : sizeof zeros;
			sum_piece(s, zeros, n);
			left -= n;
		}
		at = h1;
	}
	if (at < to)
		sum_piece(s, b->map + at, to - at);
}

struct finish_job {
	struct cache_build *b;
	const struct frame *f;
	const uint8_t *valid; /* per column: VALID_* */
	bool durable;
	const struct writer *w; /* the tail */
	struct sums sums;
	char *fp_hex;         /* where the frame's fingerprint goes, or NULL */
	int err;
};

/* The file's mapped part into the sums and, with fp_hex, the frame's
 * fingerprint (frame_fingerprint's value) in the same read: the values of
 * a complete number column are the bytes the fingerprint hashes, taken
 * FP_ROWS rows at a time while they are in the CPU's cache; other columns
 * are fingerprinted apart. */
static void finish_mapped(struct finish_job *j)
{
	const struct cache_build *b = j->b;
	const struct frame *f = j->f;
	if (!j->fp_hex) {
		feed_range(b, 0, b->len, &j->sums);
		return;
	}
	uint64_t h = fp_begin(f);
	size_t at = 0, nrows = f->nrows;
	for (size_t k = 0; k < f->ncols; k++) {
		const struct column *c = &f->cols[k];
		h = fp_column_head(c, h);
		if (j->valid[k] != VALID_ONES || c->type == PM_BOOL || c->type == PM_STRING) {
			h = fp_column(c, nrows, h);
			continue;
		}
		feed_range(b, at, b->val_off[k], &j->sums);
		const uint8_t *v = (const uint8_t *)c->v.i64;
		for (size_t r0 = 0; r0 < nrows; r0 += FP_ROWS) {
			size_t m = nrows - r0 < FP_ROWS ? nrows - r0 : FP_ROWS;
			sum_piece(&j->sums, v + r0 * 8, m * 8);
			h = fp_complete_block(v + r0 * 8, m, h);
		}
		at = b->val_off[k] + nrows * 8;
	}
	feed_range(b, at, b->len, &j->sums);
	fp_hex(h, j->fp_hex);
}

/* The SHA-256 of the file (its name) and its XXH64 trailer, the tail and
 * the trailer written, and, durable, the file synced (its mapped part
 * already on its way to the disk); else left to the kernel's write-back. */
static void finish_file(struct finish_job *j)
{
	struct cache_build *b = j->b;
	const struct writer *w = j->w;
#ifdef SYNC_FILE_RANGE_WRITE
	if (j->durable)
		sync_file_range(b->fd, 0, (off_t)b->len, SYNC_FILE_RANGE_WRITE);
#endif
	finish_mapped(j);
	struct fs_flusher out = {.fd = b->fd, .lazy = !j->durable};
	bool seek = lseek(b->fd, (off_t)b->len, SEEK_SET) == (off_t)b->len;
	if (!seek)
		j->err = errno;
	write_summed(w, &j->sums, &out, &j->err);
}

static int build_finish(struct frame *f, const char *path, bool durable, char sha_hex[65],
			char fp_hex[17], struct pm_err *err)
{
	struct cache_build *b = f->build;
	size_t ncols = f->ncols, nrows = f->nrows;
	uint64_t *tab = xcalloc(ncols * ENT_WORDS + 1, sizeof *tab);
	uint8_t *valid = xcalloc(ncols + 1, 1);
	bool ones = false;
	for (size_t j = 0; j < ncols; j++) {
		const struct column *c = &f->cols[j];
		size_t present = 0;
		uint8_t over = 0;
		for (size_t r = 0; r < nrows; r++) {
			present += c->valid[r] != 0;
			over |= c->valid[r] & 0xFE;
		}
		uint64_t *e = tab + j * ENT_WORDS;
		e[E_NMISSING] = nrows - present;
		valid[j] = present == nrows ? VALID_ONES : over == 0 ? VALID_AS_IS : VALID_MADE;
		ones |= present == nrows && nrows > 0;
		e[E_NAME_OFF] = b->name_off[j];
		e[E_NAME_LEN] = strlen(c->name);
		e[E_TYPE] = (uint64_t)c->type;
		e[E_VALUES] = b->val_off[j];
		/* what the file keeps of the region: the rest reads as zeros */
		size_t used = c->type == PM_BOOL     ? 0
			      : c->type == PM_STRING ? nrows * 4
						     : nrows * 8;
		build_clear(b, b->val_off[j] + used, b->val_off[j] + b->nslots * 8);
	}
	if (ones)
		memset(b->map + b->ones_off, 1, nrows);
	for (size_t j = 0; j < ncols; j++)
		if (valid[j] == VALID_ONES)
			tab[j * ENT_WORDS + E_VALID] = b->ones_off;
	/* the tail: laid out, then listed */
	struct writer w = {.dry = true, .off = b->len};
	w_tail(&w, f, tab, valid);
	size_t body_end = w.off;
	w = (struct writer){.off = b->len};
	w_tail(&w, f, tab, valid);
	uint8_t hdr[CACHE_HDR] = {0};
	memcpy(hdr, CACHE_MAGIC, 8);
	uint32_t ver = CACHE_VERSION;
	memcpy(hdr + 8, &ver, 4);
	uint64_t words[4] = {nrows, ncols, CACHE_HDR, body_end};
	memcpy(hdr + 16, words, sizeof words);
	memcpy(b->map, hdr, CACHE_HDR);
	memcpy(b->map + CACHE_HDR, tab, ncols * ENT_WORDS * sizeof *tab);

	struct finish_job job = {
		.b = b, .f = f, .valid = valid, .durable = durable, .w = &w, .fp_hex = fp_hex};
	sha256_init(&job.sums.sha);
	hash64_blocks_init(&job.sums.xxh, body_end);
	finish_file(&job);
	int rc = 0;
	if (job.err)
		rc = pm_errf(err, "cannot write %s: %s", path, strerror(job.err));
	if (close(b->fd) != 0 && rc == 0)
		rc = pm_errf(err, "cannot write %s: %s", path, strerror(errno));
	b->fd = -1;
	if (rc == 0 && sha_hex) {
		uint8_t digest[32];
		sha256_final(&job.sums.sha, digest);
		sha256_hex(digest, sha_hex);
	}
	if (rc == 0)
		rc = fs_rename(b->path, path, err);
	if (rc == 0)
		b->fd = -2; /* renamed: nothing left to remove */
	/* the frame keeps the mapping, whatever became of the file */
	cache_build_abort(b);
	f->build = NULL;
	w_release(&w);
	free(tab);
	free(valid);
	return rc;
}

int frame_save(const struct frame *f, const char *path, bool durable, char sha_hex[65],
	       struct pm_err *err)
{
	return frame_save_fp(f, path, durable, sha_hex, NULL, err);
}

int frame_save_fp(const struct frame *f, const char *path, bool durable, char sha_hex[65],
		  char fp_hex[17], struct pm_err *err)
{
	if (f->build) {
		struct frame *mut = (struct frame *)f; /* the file is the frame's own */
		if (build_intact(f))
			return build_finish(mut, path, durable, sha_hex, fp_hex, err);
		cache_build_abort(f->build);
		mut->build = NULL;
	}
	if (fp_hex)
		frame_fingerprint(f, fp_hex);
	size_t ncols = f->ncols, nrows = f->nrows;
	uint64_t *tab = xcalloc(ncols * ENT_WORDS + 1, sizeof *tab);
	uint8_t *valid = xcalloc(ncols + 1, 1);
	bool ones = false;
	for (size_t j = 0; j < ncols; j++) {
		const uint8_t *v = f->cols[j].valid;
		size_t present = 0;
		uint8_t over = 0;
		for (size_t r = 0; r < nrows; r++) {
			present += v[r] != 0;
			over |= v[r] & 0xFE;
		}
		tab[j * ENT_WORDS + E_NMISSING] = nrows - present;
		valid[j] = present == nrows ? VALID_ONES : over == 0 ? VALID_AS_IS : VALID_MADE;
		ones |= present == nrows && nrows > 0;
	}
	/* the layout */
	struct writer w = {.dry = true};
	w.off = CACHE_HDR + ncols * ENT_WORDS * sizeof *tab;
	w_columns(&w, f, tab, valid, ones);
	size_t body_end = w.off;
	uint8_t hdr[CACHE_HDR] = {0};
	memcpy(hdr, CACHE_MAGIC, 8);
	uint32_t ver = CACHE_VERSION;
	memcpy(hdr + 8, &ver, 4);
	uint64_t words[4] = {nrows, ncols, CACHE_HDR, body_end};
	memcpy(hdr + 16, words, sizeof words);

	/* the bytes, as segments: the same run again records the same offsets */
	w = (struct writer){0};
	w_bytes(&w, hdr, CACHE_HDR);
	w_bytes(&w, tab, ncols * ENT_WORDS * sizeof *tab);
	w_columns(&w, f, tab, valid, ones);

	char *tmp = fs_tmp_name(path);
	int rc = 0;
	struct fs_flusher out = {.lazy = !durable};
	out.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out.fd < 0) {
		rc = pm_errf(err, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	struct sums sums;
	sha256_init(&sums.sha);
	hash64_blocks_init(&sums.xxh, body_end);
	int werr = 0;
	write_summed(&w, &sums, &out, &werr);
	if (werr)
		rc = pm_errf(err, "cannot write %s: %s", path, strerror(werr));
	if (close(out.fd) != 0 && rc == 0)
		rc = pm_errf(err, "cannot write %s: %s", path, strerror(errno));
	if (rc == 0 && sha_hex) {
		uint8_t digest[32];
		sha256_final(&sums.sha, digest);
		sha256_hex(digest, sha_hex);
	}
	if (rc == 0)
		rc = fs_rename(tmp, path, err);
out:
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	w_release(&w);
	free(tab);
	free(valid);
	return rc;
}

/* ---- open ---------------------------------------------------------------------- */

/* [off, off+len) lies inside the body and off is aligned to `align`. */
static bool span_ok(uint64_t off, uint64_t len, uint64_t body_end, uint64_t align)
{
	return off % align == 0 && off <= body_end && len <= body_end - off;
}

#define BAD(...)                                                                   \
	do {                                                                       \
		char why_[256];                                                    \
		snprintf(why_, sizeof why_, __VA_ARGS__);                          \
		pm_errcf(err, PM_E_DAMAGED, "%s: not a prodml frame cache (%s)", path, why_); \
		goto fail;                                                         \
	} while (0)

int frame_open(const char *path, const char *name, struct frame **out, struct pm_err *err)
{
	*out = NULL;
	struct fs_map m;
	if (fs_map_open(path, &m, err) < 0)
		return -1;
	struct frame *f = NULL;
	const uint8_t *base = m.data;
	if (m.len < CACHE_HDR + 8) {
		if (m.len >= 8 && memcmp(base, CACHE_MAGIC, 8) == 0)
			BAD("truncated: %zu bytes", m.len);
		BAD("%s", m.len >= 8 ? "bad magic" : "file too short");
	}
	if (memcmp(base, CACHE_MAGIC, 8) != 0)
		BAD("bad magic");
	uint32_t ver;
	memcpy(&ver, base + 8, 4);
	if (ver != CACHE_VERSION)
		BAD("version %u, this build reads version %d", ver, CACHE_VERSION);
	uint64_t nrows, ncols, tab_off, body_end;
	memcpy(&nrows, base + 16, 8);
	memcpy(&ncols, base + 24, 8);
	memcpy(&tab_off, base + 32, 8);
	memcpy(&body_end, base + 40, 8);
	if (body_end != m.len - 8)
		BAD("truncated: the header says %llu bytes, the file has %zu",
		    (unsigned long long)body_end + 8, m.len);
	uint64_t sum;
	memcpy(&sum, base + body_end, 8);
	if (hash64_parallel(base, body_end, 0) != sum)
		BAD("checksum mismatch");
	if (ncols > body_end / (ENT_WORDS * 8) || nrows > body_end ||
	    !span_ok(tab_off, ncols * ENT_WORDS * 8, body_end, 8))
		BAD("bad column table");
	f = frame_new(name, (size_t)nrows, (size_t)ncols);
	f->map = m;
	f->ncols = 0; /* grows as columns are checked, so frame_free stays safe */
	uint64_t counted_off = UINT64_MAX;
	size_t counted = 0;
	for (uint64_t j = 0; j < ncols; j++) {
		uint64_t e[ENT_WORDS];
		memcpy(e, base + tab_off + j * ENT_WORDS * 8, sizeof e);
		if (e[E_TYPE] >= PM_NTYPES)
			BAD("column %llu: unknown type %llu", (unsigned long long)j + 1,
			    (unsigned long long)e[E_TYPE]);
		enum pm_type t = (enum pm_type)e[E_TYPE];
		size_t width = value_width(t);
		if (!span_ok(e[E_NAME_OFF], e[E_NAME_LEN] + 1, body_end, 1) ||
		    base[e[E_NAME_OFF] + e[E_NAME_LEN]] != 0)
			BAD("column %llu: bad name", (unsigned long long)j + 1);
		if (!span_ok(e[E_VALID], nrows, body_end, 8) ||
		    !span_ok(e[E_VALUES], nrows * width, body_end, 8))
			BAD("column %llu: data out of bounds", (unsigned long long)j + 1);
		struct column *c = &f->cols[j];
		memset(c, 0, sizeof *c);
		c->name = xstrndup((const char *)base + e[E_NAME_OFF], e[E_NAME_LEN]);
		c->type = t;
		c->nrows = (size_t)nrows;
		c->valid = (uint8_t *)(base + e[E_VALID]);
		c->v.i64 = (int64_t *)(base + e[E_VALUES]);
		f->ncols = j + 1;
		/* complete columns share one section: count it once */
		if (e[E_VALID] != counted_off) {
			counted_off = e[E_VALID];
			counted = 0;
			for (size_t r = 0; r < nrows; r++)
				counted += c->valid[r] != 0;
		}
		c->nmissing = (size_t)nrows - counted;
		if (t != PM_STRING)
			continue;
		uint64_t dn = e[E_DICT_N], blob = e[E_BLOB], blen = e[E_BLOB_LEN];
		if (dn >= UINT32_MAX || dn > body_end / 8 ||
		    !span_ok(e[E_DICT_OFFS], (dn + 1) * 8, body_end, 8) ||
		    !span_ok(blob, blen, body_end, 1))
			BAD("column %llu: dictionary out of bounds", (unsigned long long)j + 1);
		const uint8_t *offs = base + e[E_DICT_OFFS];
		c->dict = strdict_new();
		strdict_reserve(c->dict, (uint32_t)dn);
		uint64_t prev;
		memcpy(&prev, offs, 8);
		if (prev != 0)
			BAD("column %llu: bad dictionary", (unsigned long long)j + 1);
		for (uint64_t k = 0; k < dn; k++) {
			uint64_t next;
			memcpy(&next, offs + (k + 1) * 8, 8);
			if (next <= prev || next > blen || next - prev - 1 > UINT32_MAX ||
			    base[blob + next - 1] != 0)
				BAD("column %llu: bad dictionary entry %llu", (unsigned long long)j + 1,
				    (unsigned long long)k);
			strdict_add_borrowed(c->dict, (const char *)base + blob + prev,
					     (uint32_t)(next - prev - 1));
			prev = next;
		}
		c->dict->borrowed = true;
		for (size_t r = 0; r < nrows; r++)
			if (c->valid[r] && c->v.code[r] >= dn)
				BAD("column %llu: string code out of range in row %zu",
				    (unsigned long long)j + 1, r + 1);
	}
	if (f->ncols != ncols)
		BAD("bad column table");
	*out = f;
	return 0;
fail:
	if (f)
		frame_free(f); /* closes the mapping */
	else
		fs_map_close(&m);
	return -1;
}
