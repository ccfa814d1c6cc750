/* Private to src/data: helpers shared by the files of this folder only.
 * Other folders include data/data.h, never this file. */
#ifndef PM_DATA_INTERNAL_H
#define PM_DATA_INTERNAL_H

#include "data.h"

/* Appends a string that lives elsewhere (a mapped cache file) without
 * copying it; s must stay valid and NUL-terminated for the dict's life.
 * Duplicates are not checked: the caller guarantees distinct strings. */
void strdict_add_borrowed(struct strdict *d, const char *s, uint32_t len);
/* Makes room for n strings (avoids repeated growth when the size is known). */
void strdict_reserve(struct strdict *d, uint32_t n);
/* Hash of a string as the dict computes it (XXH64, seed 0). */
static inline uint64_t strdict_hash(const char *s, size_t len)
{
	return hash64(s, len, 0);
}
/* Interns with a hash computed by the caller. */
uint32_t strdict_intern_h(struct strdict *d, const char *s, size_t len, uint64_t h);

/* Text of a missing-aware value for hashing and writing; like column_text
 * but returns the length too (strings are returned without copying). */
const char *column_text_len(const struct column *c, size_t row, char *buf, size_t n,
			    size_t *len);

/* frame_fingerprint's steps, for frame_save to take it in the read of the
 * values that hashes the file: fp_begin, then per column fp_column_head
 * and fp_column (or, for a column without missing values nor bools or
 * strings, fp_complete_block over each FP_ROWS rows in turn); fp_hex. */
#define FP_ROWS 4096
uint64_t fp_begin(const struct frame *f);
uint64_t fp_column_head(const struct column *c, uint64_t h);
uint64_t fp_column(const struct column *c, size_t nrows, uint64_t h);
uint64_t fp_complete_block(const void *values, size_t m, uint64_t h);
void fp_hex(uint64_t h, char out[17]);

/* frame_parse_csv with a chosen chunk size (bytes per parallel piece), so
 * tests can check that many small chunks give the same frame as one. */
int csv_parse_chunked(const char *data, size_t len, const char *label, const char *name,
		      const struct csv_options *opt, size_t chunk_size, struct frame **out,
		      struct csv_report *report, struct pm_err *err);

/* A columnar cache file being filled while a CSV file is parsed (cache.c):
 * the header, the table, the names and one section of valid bytes for the
 * complete columns come first, then one region of nslots 8-byte slots per
 * column, where the reader stores its values; frame_save writes the rest
 * (missing flags, booleans, dictionaries, the trailer) after them. */
struct cache_build {
	char *path;
	int fd;             /* -2: no file to remove */
	uint8_t *map;       /* [0, len): the part mapped for the reader */
	bool handed;        /* the frame owns the mapping (its f->map) */
	size_t len, ncols, nslots;
	size_t ones_off;    /* the complete columns' valid bytes */
	size_t *name_off;   /* per column */
	size_t *val_off;    /* per column: its region of nslots slots */
	size_t *holes;      /* [from, to) pairs punched out, in file order */
	size_t nholes, holes_cap;
};
/* Creates the file; 1 (and no file) where it cannot be allocated ahead or
 * mapped: the caller reads into memory instead. */
int cache_build_begin(const char *path, char *const *names, size_t ncols, size_t nslots,
		      struct cache_build **out);
/* Removes an unfinished file and lets go of it all (of the mapping only
 * when no frame took it). */
void cache_build_abort(struct cache_build *b);

#endif
