/* util — errors, memory, strings, hashing, files, threads, progress, time.
 * The one header of src/util; every other folder may include it. */
#ifndef PM_UTIL_H
#define PM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>

#include <jansson.h>

#define PM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors ------------------------------------------------------------
 * Library code never prints: it fills a pm_err and returns -1.  The face
 * (REPL, script runner, TUI, HTTP) decides how the message reaches the user. */
struct pm_err {
	int code;          /* PM_E_* */
	char msg[1024];
};
/* PM_E_DAMAGED: a stored file failed its own checks (truncated, a checksum
 * that does not match): the bytes are not what was written. */
enum { PM_E_OK = 0, PM_E_FAIL = 1, PM_E_USAGE = 2, PM_E_CANCEL = 3, PM_E_NOTFOUND = 4, PM_E_DAMAGED = 5 };

int pm_errf(struct pm_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pm_errcf(struct pm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends "PREFIX: " to an existing message (adds context on the way up). */
int pm_err_prefix(struct pm_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pm_err_clear(struct pm_err *err);

/* ---- memory: out of memory is not bad input, so these abort ------------ */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grows *p (of *cap elements of size elem) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);
/* A large array about to be written in full: backed by huge pages where
 * the kernel allows, and faulted in by one call rather than a fault per
 * 4 KiB page, which on some machines costs more than the work done on the
 * array.  Small sizes are plain xmalloc/xcalloc.  Freed with free(). */
void *xmalloc_hot(size_t n);
void *xcalloc_hot(size_t n, size_t size);

/* ---- string builder ----------------------------------------------------- */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);
char *sbuf_steal(struct sbuf *b); /* returns the string ("" if empty); b is reset */
void sbuf_free(struct sbuf *b);

/* ---- string helpers ----------------------------------------------------- */
bool str_eq_ci(const char *a, const char *b);
bool str_prefix(const char *s, const char *prefix);
bool str_suffix(const char *s, const char *suffix);
char *str_trim(char *s); /* in place; returns s advanced past leading space */
/* In place: each run of white space that holds a line break or a tab
 * becomes one space, so the text fits on one line of a table (runs of
 * plain spaces stay: they may be part of a value). */
void str_one_line(char *s);
/* Text from the data as one line of a table or a workbench cell: as
 * str_one_line, and every other control character shown as an escape
 * (\r, \x1b, \x7f, \u009b), so that a value cannot move the cursor or
 * reprogram the terminal.  A fresh string, or NULL when s needs no change. */
char *str_visible(const char *s);
/* The names of things a user makes (models, aliases, datasets): 1 to 128
 * letters, digits, '_', '-' or '.', starting with a letter or digit, so
 * that they are one word on a command line, a file name and a URL path
 * segment, and never a path such as ../x. */
bool str_name_valid(const char *name);
/* The characters' rule alone, on n bytes (no length bound): names inside a
 * pipeline file (steps, parameters). */
bool str_name_chars_valid(const char *s, size_t n);
/* Splits s at sep into a NULL-terminated array of fresh strings (empty
 * fields kept); *n gets the count.  Free with str_list_free. */
char **str_split(const char *s, char sep, size_t *n);
void str_list_free(char **list);
/* Edit distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1 ("drfit" is 1 from "drift"). */
size_t str_distance(const char *a, const char *b);
/* The closest of names offered one at a time, for "did you mean": best is
 * the nearest offered so far within a distance that grows with the word's
 * length (NULL when none is that close; the word itself is never best). */
struct str_near {
	const char *word, *best;
	size_t dist, max;
};
void str_near_init(struct str_near *nr, const char *word);
void str_near_offer(struct str_near *nr, const char *cand);
/* Strict number parsers over [s, s+n): the whole span must be the number. */
bool parse_int64(const char *s, size_t n, int64_t *out);
bool parse_double(const char *s, size_t n, double *out);
/* Skips plain text of an unquoted CSV field 16 bytes at a time: returns p
 * advanced past every whole 16-byte block without a delimiter, LF, CR, NUL
 * or byte >= 0x80, to the first such byte when a block has one.  Fewer than
 * 16 bytes left, or a CPU without SSE2: p where it stopped, for the
 * caller's byte loop to finish. */
static inline const char *str_skip_plain16(const char *p, const char *end, char delim)
{
#if defined(__SSE2__)
	const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'),
		      vz = _mm_setzero_si128();
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		__m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vn)),
					  _mm_or_si128(_mm_cmpeq_epi8(x, vr), _mm_cmpeq_epi8(x, vz)));
		unsigned m = (unsigned)(_mm_movemask_epi8(sp) | _mm_movemask_epi8(x));
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	(void)end;
	(void)delim;
#endif
	return p;
}

/* The length of the line end at p: 2 for CRLF, 1 for LF or a lone CR, 0
 * for anything else.  A lone CR ends a line as it does for RFC 4180
 * readers such as Python's csv: files saved by old Mac tools use it. */
static inline size_t str_eol_len(const char *p, const char *end)
{
	if (p >= end)
		return 0;
	if (*p == '\n')
		return 1;
	if (*p == '\r')
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	return 0;
}

/* ---- numbers (num.c) ----------------------------------------------------
 * A double the shortest way that reads back to the same value: the
 * shortest "%.Ng", N from 6 to 17; NaN, Inf, -Inf.  n >= 32 takes the
 * fast path. */
void fmt_double(double v, char *buf, size_t n);
/* A JSON number, or null when v is NaN or infinite (JSON has neither). */
json_t *json_num(double v);
/* Checks that [s, s+n) is valid UTF-8; on failure *bad_off is the offset
 * of the first invalid byte. */
bool utf8_valid(const char *s, size_t n, size_t *bad_off);
/* The one rule for text entering a dataset or a prediction, by any path
 * (a CSV file, --sql, predict --file, a request): no NUL byte, valid
 * UTF-8, so that what one path takes export writes and load reads back.
 * str_text_check returns NULL for such text, else why not ("NUL byte",
 * "invalid UTF-8 (byte 0xff)"), for the caller to free and place;
 * str_text_problem words it for a reader that found the bad byte itself. */
char *str_text_check(const char *s, size_t n);
char *str_text_problem(bool nul, unsigned byte);
/* Display width of a UTF-8 string in terminal columns (wide chars count 2). */
int utf8_width(const char *s);
/* Bytes of s that fit in w columns. */
size_t utf8_fit(const char *s, int w);

/* ---- hashing -------------------------------------------------------------
 * hash64 is XXH64: stable across machines and releases, so it keys splits,
 * fingerprints and hash buckets. */
uint64_t hash64(const void *data, size_t len, uint64_t seed);
/* Fingerprint of a byte range, hashed in parallel blocks (same value for any
 * thread count). */
uint64_t hash64_parallel(const void *data, size_t len, int threads);
/* Its parts, for a caller that reads the bytes in a parallel pass of its
 * own: block i is [i * HASH64_PAR_BLOCK, (i + 1) * HASH64_PAR_BLOCK) of the
 * data (the last one shorter), hashed by hash64 with hash64_par_seed(len);
 * hash64_par_join turns the hashes of the hash64_par_blocks(len) blocks
 * into hash64_parallel's value. */
#define HASH64_PAR_BLOCK ((size_t)4 << 20)
size_t hash64_par_blocks(size_t len);
uint64_t hash64_par_seed(size_t len);
uint64_t hash64_par_join(const uint64_t *blocks, size_t len);
/* hash64 over data given in pieces: the same value as one call over their
 * concatenation. */
struct hash64_state {
	uint64_t v[4], seed, total;
	uint8_t mem[32];
	unsigned nmem;
};
void hash64_init(struct hash64_state *st, uint64_t seed);
void hash64_update(struct hash64_state *st, const void *data, size_t len);
uint64_t hash64_digest(const struct hash64_state *st);
/* hash64_parallel over data given in pieces, whose total length is known
 * from the start; the pieces must add up to exactly that length. */
struct hash64_blocks {
	size_t total, nblocks, k, fill;
	uint64_t *out;
	struct hash64_state cur;
};
void hash64_blocks_init(struct hash64_blocks *b, size_t total_len);
void hash64_blocks_update(struct hash64_blocks *b, const void *data, size_t len);
uint64_t hash64_blocks_final(struct hash64_blocks *b);

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
	bool ni;      /* use the CPU's SHA instructions */
};
void sha256_init(struct sha256 *c);
/* After sha256_init: use the portable code (tests compare the two). */
void sha256_portable(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, uint8_t out[32]);
void sha256_hex(const uint8_t digest[32], char hex[65]);
int sha256_file(const char *path, char hex[65], struct pm_err *err);

/* ---- libraries opened on first use (dynlib.c) ----------------------------- */
/* A shared library that only some commands need.  names lists the symbols
 * to resolve (NULL-terminated) and fns receives them, in the same order.
 * dynlib_open opens it the first time: 1 then, 0 on later calls, -1 (every
 * time) when it cannot be loaded, with an error naming the library, what
 * went wrong and the Debian package that provides it. */
struct dynlib {
	const char *soname;        /* the name to open, e.g. "libplot.so.2" */
	const char *package;       /* the Debian package, for the error */
	const char *const *names;
	void **fns;
	void *handle;
	int state;                 /* 0 not tried, 1 open, -1 failed */
	char msg[256];
};
int dynlib_open(struct dynlib *lib, struct pm_err *err);
/* The symbol table of a struct dynlib, from an X-macro list FUNCS(X) of the
 * functions' names: an enum DL_<name> of their places, names[] and fns[]. */
#define DYNLIB_ENUM_(f) DL_##f,
#define DYNLIB_NAME_(f) #f,
#define DYNLIB_TABLE(FUNCS, names, fns)                                                \
	enum { FUNCS(DYNLIB_ENUM_) };                                                  \
	static const char *const names[] = {FUNCS(DYNLIB_NAME_) NULL};                 \
	static void *fns[sizeof names / sizeof *names - 1]
/* Function f of the table, typed by its header's declaration. */
#define DYNLIB_FN(fns, f) ((__typeof__(&f))fns[DL_##f])
/* A symbol outside names (NULL when absent, or when the library is not open). */
void *dynlib_sym(const struct dynlib *lib, const char *name);

/* ---- files ---------------------------------------------------------------- */
int fs_mkdir_p(const char *path, struct pm_err *err);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/* Reads a whole file; *data is NUL-terminated (not counted in *len). */
int fs_read_all(const char *path, char **data, size_t *len, struct pm_err *err);
/* Opens a file that must be a regular one of at most max bytes, for a
 * reader that checks its header before reading it whole: a FIFO would hang
 * the open and the reads, a device such as /dev/zero never ends.  *fd is
 * blocking again on return; *size is the file's size. */
int fs_open_regular(const char *path, size_t max, int *fd, size_t *size, struct pm_err *err);
/* Reads exactly n bytes at offset off: 0, or -1 with an error naming path
 * (a file that ends early reads as "shorter than it was"). */
int fs_pread_full(int fd, const char *path, void *buf, size_t n, size_t off, struct pm_err *err);
/* Writes to PATH.tmp.PID, fsyncs and renames over PATH: never half-written. */
/* Whether path is a device, a pipe or a socket: an output written into,
 * never replaced by a rename (renaming a file over /dev/null, as root,
 * would replace the device with the file).  fs_write_atomic and
 * fs_rename write into such a target instead. */
bool fs_is_special(const char *path);
int fs_write_atomic(const char *path, const void *data, size_t len, struct pm_err *err);
/* Writes all of data to fd (retrying short writes and EINTR): 0, or -1
 * with errno set. */
int fs_write_fd(int fd, const void *data, size_t len);
/* Sequential writes to fd that start the disk writing behind them (every
 * FS_FLUSH_STEP bytes), so that the fsync at the end waits for the last
 * step only.  Returns as fs_write_fd. */
struct fs_flusher {
	int fd;
	size_t written, flushed;
	bool lazy; /* the pages are left to the kernel's write-back: no flushing, no fsync */
};
#define FS_FLUSH_STEP (8u << 20)
int fs_flusher_write(struct fs_flusher *w, const void *data, size_t len);
/* fsync: 0, or -1 with errno set (EINVAL, a file that cannot be synced, is 0) */
int fs_flusher_sync(struct fs_flusher *w);
/* A temporary name beside PATH for atomic replacement. Caller frees. */
char *fs_tmp_name(const char *path);
int fs_rename(const char *from, const char *to, struct pm_err *err);
char *path_join(const char *a, const char *b);
const char *path_base(const char *p);

struct fs_map {
	void *data;
	size_t len;
	int fd;
	int guard;        /* its slot in the SIGBUS guard + 1; 0: none */
};
/* Read-only memory map of a whole file (an empty file maps to len 0).
 * Maps are guarded: if the file shrinks while it is mapped (another
 * process truncates it), reading past its new end gives zero bytes
 * instead of killing the process with SIGBUS, and fs_map_shrank says so:
 * a reader checks it before trusting what it read. */
int fs_map_open(const char *path, struct fs_map *m, struct pm_err *err);
void fs_map_close(struct fs_map *m);
/* A read-only mapping of the first len bytes of the open file fd, for
 * reading once from start to end: pages are faulted in as they are read
 * (with read-ahead), not at once, so the file may be larger than memory
 * when the reader lets go of what it has read (fs_map_release).  fd stays
 * the caller's (m->fd is -1); fs_map_close unmaps.  -1 when it cannot be
 * mapped (the caller reads instead). */
int fs_map_stream(int fd, size_t len, struct fs_map *m);
/* Lets go of the whole pages of [from, to): touched again, they are read
 * again from the file. */
void fs_map_release(struct fs_map *m, size_t from, size_t to);
/* Whether the file shrank under the mapping and zeros were read. */
bool fs_map_shrank(const struct fs_map *m);
/* -1 with "PATH: the file shrank while it was read" when it did, else 0. */
int fs_map_check(const struct fs_map *m, const char *path, struct pm_err *err);

/* ---- threads ---------------------------------------------------------------- */
int pm_ncpu(void);
/* Calls fn(ctx, i) for i in [0, n) on up to `threads` threads (0: all CPUs).
 * Items are handed out dynamically; fn must be thread-safe. */
void par_for(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);
/* par_for over items that can fail: fn returns 0, or -1 with its err filled.
 * Every item runs; the result is the error of the lowest failing index, so
 * the message is the same whatever the number of threads. */
int par_for_err(size_t n, int threads, int (*fn)(void *ctx, size_t i, struct pm_err *err),
		void *ctx, struct pm_err *err);

/* ---- progress -----------------------------------------------------------------
 * Long work reports through this; the face decides how it is drawn. A NULL
 * progress is valid and silent.  `cancel` points at the session's cancel flag. */
struct progress {
	void (*report)(void *ctx, const char *what, double done, double total);
	void *ctx;
	volatile int *cancel;
};
void progress_report(const struct progress *p, const char *what, double done, double total);
bool progress_cancelled(const struct progress *p);

/* ---- time ------------------------------------------------------------------------- */
double now_seconds(void);           /* monotonic, seconds */
int64_t now_unix_us(void);          /* wall clock, microseconds since 1970 UTC */
/* Parses ISO-8601 style timestamps: YYYY-MM-DD, YYYY-MM-DD[ T]HH:MM[:SS[.frac]]
 * with an optional Z, " UTC" or +HH:MM offset.  Microseconds since epoch, UTC. */
bool ts_parse(const char *s, size_t n, int64_t *us);
/* "YYYY-MM-DD HH:MM:SS" (with ".ffffff" when there is a fraction), UTC. */
void ts_format(int64_t us, char *buf, size_t n);
void ts_now_iso(char *buf, size_t n);
/* "90s", "30m", "1h", "2d" (a bare number is seconds) in microseconds;
 * false for anything else, zero or negative. */
bool duration_parse(const char *s, int64_t *us);
/* Calendar parts of a UTC timestamp (dow: 0 = Sunday). */
void ts_parts(int64_t us, int *year, int *month, int *day, int *hour, int *min, int *sec, int *dow);

/* ---- processes (proc.c) ---------------------------------------------------- */
/* Whether process pid exists and has not exited (a zombie has). */
bool proc_alive(int64_t pid);
/* When process pid started, in clock ticks after boot (/proc/PID/stat
 * field 22); -1 when it is gone.  A pid reused by a new process has another
 * start time. */
int64_t proc_start_time(int64_t pid);
/* The same in seconds since 1970 (to compare with a file's time); -1 when gone. */
int64_t proc_start_unix(int64_t pid);
/* The name this machine records itself by (servers, runs, jobs): the
 * environment's PRODML_HOST when set (hosts whose names clash, or tests
 * that play several hosts on one), else its host name. */
void proc_host_name(char *buf, size_t n);
/* Whether a process recorded with host (NULL: not recorded) ran on this
 * machine, where its pid can be checked; another machine's cannot. */
bool proc_host_here(const char *host);

/* How proc_spawn_detached runs this program again. */
struct proc_detached {
	char *const *argv;
	const char *log;          /* stdout and stderr appended to this file, or */
	const char *log_dir;      /* when set, to LOG_DIR/LOG_PREFIX-PID.log (replaced) */
	const char *log_prefix;
	int pass_fd;              /* -1, or a descriptor the program keeps open, */
	const char *pass_env;     /* its number set in this environment variable */
};
/* Starts this program (/proc/self/exe) with d->argv as a daemon: fork,
 * setsid (a new session and process group, no terminal, no SIGINT from the
 * REPL), a second fork so that no parent waits for it or leaves a zombie,
 * stdin from /dev/null, no other descriptor of this process open, SIGINT
 * and SIGPIPE at their defaults, then exec: a fresh process, with no
 * database handle, thread or lock of this one.  *pid gets its pid once the
 * exec succeeded. */
int proc_spawn_detached(const struct proc_detached *d, int64_t *pid, struct pm_err *err);

#endif
