/* data — the columnar frame, the CSV reader, type inference, the binary
 * columnar cache, SQL over frames, and deterministic splits.
 * The one header of src/data. */
#ifndef PM_DATA_H
#define PM_DATA_H

#include "util/util.h"

#include <sqlite3.h>

/* ---- types -------------------------------------------------------------- */
enum pm_type { PM_INT, PM_FLOAT, PM_BOOL, PM_STRING, PM_TIMESTAMP };
#define PM_NTYPES 5
const char *pm_type_name(enum pm_type t); /* "int", "float", ... */
bool pm_type_parse(const char *s, enum pm_type *t);
bool pm_type_numeric(enum pm_type t);     /* int, float, bool, timestamp */

/* Tokens read as a missing value in text input. */
bool data_is_missing_token(const char *s, size_t n);
/* Boolean spellings: true/false in any case. */
bool data_parse_bool(const char *s, size_t n, bool *out);

/* ---- string dictionary ------------------------------------------------------
 * Interns strings to dense codes 0..n-1 in first-seen order. */
struct strdict {
	uint32_t n, cap;
	const char **str; /* code -> NUL-terminated string */
	uint32_t *len;    /* code -> byte length */
	uint32_t *slots;  /* open addressing: code+1, 0 = empty */
	uint32_t nslots;
	struct strdict_arena *arena;
	bool borrowed;    /* strings live in a mapped file, not the arena */
};
struct strdict *strdict_new(void);
void strdict_free(struct strdict *d);
uint32_t strdict_intern(struct strdict *d, const char *s, size_t len);
/* Code of s, or -1 when absent. */
int64_t strdict_find(const struct strdict *d, const char *s, size_t len);

/* Positions of named things (columns, features) in an array, found by name
 * in constant time: commands over 100,000 columns look up every one of
 * them, where a scan per lookup is quadratic.  The first of equal names
 * keeps its position. */
struct name_index {
	struct strdict *d;
	size_t *pos;  /* code -> position */
	size_t cap;
};
void name_index_add(struct name_index *x, const char *name, size_t pos);
/* The position of name, or -1. */
int64_t name_index_find(const struct name_index *x, const char *name);
void name_index_free(struct name_index *x);

/* ---- columns and frames -------------------------------------------------------
 * Values are stored by type; missing values are flagged in `valid` and their
 * slot holds 0.  Timestamps are microseconds since 1970 UTC. */
struct column {
	char *name;
	enum pm_type type;
	uint8_t *valid;      /* 1 present, 0 missing; one byte per row */
	union {
		int64_t *i64;    /* PM_INT, PM_TIMESTAMP */
		double *f64;     /* PM_FLOAT (may hold NaN/Inf written by SQL) */
		uint8_t *b;      /* PM_BOOL: 0 or 1 */
		uint32_t *code;  /* PM_STRING: index into dict */
	} v;
	struct strdict *dict; /* PM_STRING only */
	size_t nmissing;
	size_t nrows;         /* length of the arrays (set by column_init); lets
				 column_count_missing recount without the frame */
};

struct frame {
	char *name;
	size_t nrows, ncols;
	struct column *cols;
	struct fs_map map;   /* when the arrays point into a mapped cache file */
	struct cache_build *build; /* a cache file the CSV reader parsed into,
				      which frame_save finishes (cache.c) */
};

/* A frame with ncols columns of nrows rows; each column is set up with
 * column_init before use. */
struct frame *frame_new(const char *name, size_t nrows, size_t ncols);
void frame_free(struct frame *f);
/* Allocates the arrays of a column (zeroed, all missing). */
void column_init(struct column *c, const char *name, enum pm_type type, size_t nrows);
/* Index of the column named `name`, or -1. */
int frame_col_index(const struct frame *f, const char *name);
static inline bool column_present(const struct column *c, size_t row)
{
	return c->valid[row] != 0;
}
/* A value as a double (NaN when missing; strings give NaN). */
double column_num(const struct column *c, size_t row);
/* A value as text ("" when missing), formatted the way `show` prints it. */
const char *column_text(const struct column *c, size_t row, char *buf, size_t n);
/* Whether rows a and b hold the same value (both missing counts as the same). */
bool column_same(const struct column *c, size_t a, size_t b);
/* Recounts nmissing from valid. */
void column_count_missing(struct column *c);
/* Content fingerprint of a frame (names, types, values): 16 hex digits. */
void frame_fingerprint(const struct frame *f, char out[17]);
/* A new frame holding the given rows of f, in that order. */
struct frame *frame_take(const struct frame *f, const char *name, const size_t *rows, size_t n);

/* ---- CSV -------------------------------------------------------------------------- */
struct csv_type_override {
	char *column;
	enum pm_type type;
};

struct csv_options {
	char delim;               /* 0: ',' or, for *.tsv / *.tab, '\t' */
	bool no_header;
	char **columns;           /* names when no_header (or to rename); NULL-terminated */
	struct csv_type_override *types;
	size_t ntypes;
	bool skip_bad;            /* skip bad rows and count them instead of failing */
	int threads;              /* 0: all CPUs */
	const struct progress *progress;
	/* When set, values are parsed straight into a new columnar cache file
	 * created at this path (it must not exist), the frame's arrays
	 * pointing into its mapping; frame_save then finishes that file in
	 * place, and renames it, instead of writing another.  Where the file
	 * system cannot allocate the file ahead, the frame is read into
	 * memory as without it. */
	const char *cache_path;
	/* When set, called with hash64_parallel(data, len) of the whole input
	 * once the header is read and before the rows are parsed (the pass
	 * that cuts the rows into parallel chunks reads the bytes anyway and
	 * hashes them on the way): load's cache key.  It returns 0 for the
	 * parse to go on, 1 to stop it (the frame is had elsewhere:
	 * frame_parse_csv then returns 1 with *out NULL), or -1 with err
	 * filled to fail it. */
	int (*content_hashed)(void *ctx, uint64_t hash, struct pm_err *err);
	void *hook_ctx;
};

/* One skipped row, kept for the reject report. */
struct csv_reject {
	size_t line;     /* 1-based physical line where the row starts */
	char *reason;
};

struct csv_report {
	size_t bytes, rows, rejected;
	struct csv_reject *rejects;  /* the first ones (up to CSV_MAX_REJECTS) */
	size_t nrejects;
	double seconds;
};
#define CSV_MAX_REJECTS 1000
void csv_report_free(struct csv_report *r);

/* Reads a CSV/TSV file into a frame.  Errors name the file, line and column. */
int frame_read_csv(const char *path, const char *name, const struct csv_options *opt,
		   struct frame **out, struct csv_report *report, struct pm_err *err);
/* The same over a buffer in memory (`label` names it in errors).  Both
 * return 0, -1 on error, or 1 when opt->content_hashed stopped the parse. */
int frame_parse_csv(const char *data, size_t len, const char *label, const char *name,
		    const struct csv_options *opt, struct frame **out, struct csv_report *report,
		    struct pm_err *err);
/* Writes a frame as RFC 4180 CSV with a header row. */
int frame_write_csv(const struct frame *f, FILE *out, struct pm_err *err);

/* ---- binary columnar cache -----------------------------------------------------------
 * One file per frame, read back by mapping it: loading is near-instant. */
/* Writes the cache file atomically; sha_hex (may be NULL) gets the SHA-256
 * of the file as written, its artifact name.  A frame parsed with
 * csv_options.cache_path has its file finished and renamed to path (which
 * must then be on the same file system).  durable: the file is on the disk
 * when it returns (fsync); otherwise its pages are left to the kernel's
 * write-back, which a killed process does not stop, and a file a power cut
 * tore fails frame_open's checksum (PM_E_DAMAGED). */
int frame_save(const struct frame *f, const char *path, bool durable, char sha_hex[65],
	       struct pm_err *err);
/* frame_save that also gives frame_fingerprint's value in fp_hex: for a
 * frame parsed into its file, taken in the same read of the values as the
 * file's sums (one pass over memory instead of two). */
int frame_save_fp(const struct frame *f, const char *path, bool durable, char sha_hex[65],
		  char fp_hex[17], struct pm_err *err);
int frame_open(const char *path, const char *name, struct frame **out, struct pm_err *err);

/* ---- SQL ---------------------------------------------------------------------------------- */
/* Makes a frame visible to SQL as table `f->name` on db (a read-only
 * virtual table over the frame's columns; timestamps read as ISO text).
 * The frame must outlive the connection's use of the table. */
int frame_sql_register(sqlite3 *db, struct frame *f, struct pm_err *err);
/* Runs a SELECT and collects its result as a frame (types from the values). */
int frame_from_sql(sqlite3 *db, const char *sql, const char *name, struct frame **out,
		   struct pm_err *err);
/* The tables a query reads, from its text alone: the names after FROM and
 * JOIN (and the commas of a FROM list), without its WITH names and
 * table-valued functions; each once, NULL-terminated (str_list_free).  A
 * name inside a FROM subquery's list after the first may be missed. */
char **sql_scan_tables(const char *sql, size_t *n);
/* The SELECT of every column of table's rows where the SQL expression `where`
 * holds, the table's name quoted when it is not a plain identifier: the
 * query of a filter (`load NAME --sql` runs it).  Caller frees. */
char *frame_filter_sql(const char *table, const char *where);

/* ---- split ------------------------------------------------------------------------------- */
/* Assigns each row to a part by hashing the value of column `by` (or, when
 * by is NULL, the whole row), so the same input splits the same way on every
 * machine.  ratios are percentages summing to 100; part[i] gets the rows. */
int frame_split(const struct frame *f, const char *by, const int *ratios, size_t nparts,
		size_t **rows, size_t *counts, struct pm_err *err);
/* The number of distinct values of column `by` and the rows of the most
 * common one: why a split by a column can miss its ratios. */
int frame_split_keys(const struct frame *f, const char *by, size_t *nkeys, size_t *largest,
		     struct pm_err *err);

#endif
