/* The CSV/TSV reader (RFC 4180) with type inference over whole columns.
 *
 * The file is mapped and read in parallel pieces ("chunks"):
 *
 *   0. The body is cut at row boundaries guessed from quote parity: a
 *      line end (LF or lone CR) ends a row iff an even number of quotes
 *      precede it.  The line ends of each piece bound the rows starting
 *      in it, so every chunk gets its own slots in the result arrays
 *      before any parsing.
 *   A. Each chunk is tokenized; rows are checked (field count, quotes,
 *      UTF-8, NUL, --types conversions), every value is parsed as the
 *      first type its column may still have (int, float, bool, timestamp)
 *      and stored, with its kind, straight into the chunk's slots; the
 *      column's candidate types narrow as values fail to parse.  Chunks
 *      are then checked in file order: a chunk whose guessed start is not
 *      where its predecessor really ended (a quote inside an unquoted field
 *      breaks the parity guess) is scanned again from the right place, so
 *      the result is always that of one sequential pass.
 *   B. With the column types known (the intersection of the chunks'
 *      candidates), values are converted in place (an int stored in what
 *      became a float column becomes a double).  Only string columns need
 *      their text again: their chunks are tokenized a second time and the
 *      strings interned into a dictionary per chunk, merged afterwards in
 *      chunk order, which gives codes in first-seen order of the file.
 *
 * Nothing depends on the number of threads or the chunk size: the frame,
 * the errors and the reject list are the same for any of them.
 *
 * Choices where files disagree with each other:
 *   - a quote inside an unquoted field is kept as text (as Python's csv
 *     does); text after a closing quote ("ab"c) is an error;
 *   - rows end at LF, CRLF or a lone CR (as Python's csv reads them:
 *     files from old Mac tools end lines with CR alone); inside quotes
 *     all three are kept as text;
 *   - empty lines are skipped (they still count for line numbers);
 *   - values are trimmed of spaces and tabs before the missing-token test
 *     and before parsing as int, float, bool or timestamp; strings keep
 *     their bytes;
 *   - duplicate column names are an error naming both fields (renaming
 *     them would leave scripts reading the wrong column);
 *   - errors say "PATH:LINE:COL: message": LINE is the physical line where
 *     the row starts, COL the 1-based field, also named in the message. */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- tokenizer ---------------------------------------------------------- */

enum { CL_PLAIN = 0, CL_DELIM, CL_NL, CL_CR, CL_NUL, CL_HIGH, CL_QUOTE };
enum { RE_OK = 0, RE_UNTERMINATED, RE_AFTER_QUOTE, RE_NUL, RE_UTF8 };

struct span {
	const char *p;
	size_t len;
	bool esc; /* quoted with "" inside: unescape before use */
};

struct rowbuf {
	struct span *f;
	size_t cap;     /* spans kept; fields past it are only counted */
	size_t nf;      /* fields in the row */
	size_t lines;   /* newlines the row consumed */
	int err;        /* the first problem in the row, RE_* */
	size_t err_field;
	unsigned err_byte;
};

struct reader {
	const char *data;
	size_t len;
	const char *label;
	char delim;
	uint8_t cls_u[256]; /* classes in unquoted fields */
	uint8_t cls_q[256]; /* classes inside quotes */
	size_t ncols;
	char **names;
	int *override; /* per column: -1 or the pm_type forced by --types */
	enum pm_type *types;
	bool skip_bad;
	int threads;
	const struct progress *progress;
	struct frame *f;
	bool mapped;        /* val lies in a cache file's mapping */
	uint8_t **kind;     /* per column, per slot: K_* (pass A), then valid */
	union cval **val;   /* per column, per slot: the parsed value */
	size_t total_work, done_work; /* progress over both passes */
};

static void row_err(struct rowbuf *r, int kind, size_t field, unsigned byte)
{
	if (!r->err) {
		r->err = kind;
		r->err_field = field;
		r->err_byte = byte;
	}
}

/* The first byte at or after p that is not plain text in an unquoted
 * field (delimiter, LF, CR, NUL or a byte >= 0x80), or end. */
static inline const char *skip_plain(const struct reader *rd, const char *p, const char *end)
{
	p = str_skip_plain16(p, end, rd->delim);
	while (p < end && !rd->cls_u[(uint8_t)*p])
		p++;
	return p;
}

/* The common row, read 16 bytes at a time: unquoted fields of bytes
 * below 0x80 other than NUL and CR, ended by LF, CRLF or a lone CR.  Returns the
 * start of the next row, or NULL at anything else (a quote, a byte that
 * needs checking, the last 16 bytes of the file), for read_row's general
 * loop to read the row from its start instead. */
static inline const char *read_plain_row(const struct reader *rd, const char *p,
					 const char *end, struct rowbuf *r)
{
#if defined(__SSE2__)
	const __m128i vd = _mm_set1_epi8(rd->delim), vn = _mm_set1_epi8('\n'),
		      vq = _mm_set1_epi8('"'), vr = _mm_set1_epi8('\r'), vz = _mm_setzero_si128();
	const char *s = p; /* the current field's start */
	size_t nf = 0;
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		unsigned md = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd));
		__m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vn), _mm_cmpeq_epi8(x, vq)),
					  _mm_or_si128(_mm_cmpeq_epi8(x, vr), _mm_cmpeq_epi8(x, vz)));
		unsigned ms = (unsigned)(_mm_movemask_epi8(sp) | _mm_movemask_epi8(x));
		if (ms)
			md &= (ms & -ms) - 1; /* the delimiters before the first special */
		for (; md; md &= md - 1) {
			const char *d = p + __builtin_ctz(md);
			if (nf < r->cap)
				r->f[nf] = (struct span){s, (size_t)(d - s), false};
			nf++;
			s = d + 1;
		}
		if (!ms) {
			p += 16;
			continue;
		}
		const char *e = p + __builtin_ctz(ms);
		size_t eol = str_eol_len(e, end);
		if (!eol)
			return NULL;
		const char *next = e + eol;
		if (nf < r->cap)
			r->f[nf] = (struct span){s, (size_t)(e - s), false};
		r->nf = nf + 1;
		r->lines = 1;
		r->err = RE_OK;
		return next;
	}
#else
	(void)rd;
	(void)p;
	(void)end;
	(void)r;
#endif
	return NULL;
}

/* Reads one row starting at p; returns the start of the next row. */
static const char *read_row(const struct reader *rd, const char *p, const char *end,
			    struct rowbuf *r)
{
	const char *next = read_plain_row(rd, p, end, r);
	if (next)
		return next;
	const char delim = rd->delim;
	r->nf = 0;
	r->lines = 0;
	r->err = RE_OK;
	for (;;) {
		const char *s;
		size_t len;
		bool esc = false, high = false;
		size_t field = r->nf + 1;
		if (p < end && *p == '"') {
			s = ++p;
			for (;;) {
				while (p < end && !rd->cls_q[(uint8_t)*p])
					p++;
				if (p >= end)
					break;
				uint8_t c = rd->cls_q[(uint8_t)*p];
				if (c == CL_QUOTE) {
					if (p + 1 < end && p[1] == '"') {
						esc = true;
						p += 2;
						continue;
					}
					break;
				}
				if (c == CL_NL) {
					r->lines++;
				} else if (c == CL_CR) {
					if (str_eol_len(p, end) == 1)
						r->lines++; /* a CRLF counts at its LF */
				} else if (c == CL_NUL) {
					row_err(r, RE_NUL, field, 0);
				} else {
					high = true;
				}
				p++;
			}
			len = (size_t)(p - s);
			if (p >= end) {
				row_err(r, RE_UNTERMINATED, field, 0);
			} else {
				p++; /* the closing quote */
				if (p < end && *p != delim && !str_eol_len(p, end)) {
					row_err(r, RE_AFTER_QUOTE, field, 0);
					while (p < end && *p != delim && !str_eol_len(p, end))
						p++;
				}
			}
		} else {
			s = p;
			for (;;) {
				p = skip_plain(rd, p, end);
				if (p >= end)
					break;
				uint8_t c = rd->cls_u[(uint8_t)*p];
				if (c == CL_DELIM || c == CL_NL || c == CL_CR)
					break;
				if (c == CL_NUL) {
					row_err(r, RE_NUL, field, 0);
				} else {
					high = true;
				}
				p++;
			}
			len = (size_t)(p - s);
		}
		if (high && !r->err) {
			size_t off;
			if (!utf8_valid(s, len, &off))
				row_err(r, RE_UTF8, field, (uint8_t)s[off]);
		}
		if (r->nf < r->cap)
			r->f[r->nf] = (struct span){s, len, esc};
		r->nf++;
		if (p >= end)
			return end;
		if (*p == delim) {
			p++;
			continue;
		}
		r->lines++;
		return p + str_eol_len(p, end);
	}
}

/* A line that is empty (its line end alone) is skipped, as blank lines are. */
static inline size_t blank_line(const char *p, const char *end)
{
	return str_eol_len(p, end);
}

/* The text of a field: quoted fields with "" are unescaped into scratch. */
static const char *field_text(const struct span *sp, struct sbuf *scratch, size_t *len)
{
	if (!sp->esc) {
		*len = sp->len;
		return sp->p;
	}
	scratch->len = 0;
	xgrow((void **)&scratch->s, &scratch->cap, sp->len + 1, 1);
	const char *s = sp->p, *e = sp->p + sp->len;
	char *o = scratch->s;
	while (s < e) {
		const char *q = memchr(s, '"', (size_t)(e - s));
		if (!q) {
			memcpy(o, s, (size_t)(e - s));
			o += e - s;
			break;
		}
		memcpy(o, s, (size_t)(q - s) + 1);
		o += q - s + 1;
		s = q + 2; /* skip the second quote of the pair */
	}
	*len = (size_t)(o - scratch->s);
	return scratch->s;
}

/* Most fields are longer than any missing token: skip the call for them. */
static inline bool is_missing(const char *s, size_t n)
{
	return n <= 4 && data_is_missing_token(s, n);
}

static inline void trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t m = *n;
	while (m && (*p == ' ' || *p == '\t')) {
		p++;
		m--;
	}
	while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
		m--;
	*s = p;
	*n = m;
}

/* ---- conversions ---------------------------------------------------------- */

/* Candidate types of a column, narrowed as values fail to parse. */
enum { B_INT = 1, B_FLOAT = 2, B_BOOL = 4, B_TS = 8, B_ALL = 15 };

/* Converts a trimmed, non-missing value to type t; false when it does not
 * fit.  Forced types are a little wider than inferred ones: 0/1 read as
 * booleans and integers as seconds since 1970 for timestamps. */
static bool convert(enum pm_type t, bool forced, const char *s, size_t n, int64_t *iv,
		    double *dv)
{
	bool b;
	switch (t) {
	case PM_INT:
		return parse_int64(s, n, iv);
	case PM_FLOAT:
		return parse_double(s, n, dv);
	case PM_BOOL:
		if (data_parse_bool(s, n, &b)) {
			*iv = b;
			return true;
		}
		if (forced && n == 1 && (*s == '0' || *s == '1')) {
			*iv = *s == '1';
			return true;
		}
		return false;
	case PM_TIMESTAMP:
		if (ts_parse(s, n, iv))
			return true;
		if (forced && parse_int64(s, n, iv)) {
			if (*iv > INT64_MAX / 1000000 || *iv < INT64_MIN / 1000000)
				return false;
			*iv *= 1000000;
			return true;
		}
		return false;
	case PM_STRING:
		return true;
	}
	return false;
}

/* What pass A learnt of a value, kept beside the value so that pass B
 * converts numbers instead of parsing them again.  A kind is non-zero
 * exactly when the value is present: the kind array becomes `valid`. */
enum { K_MISS = 0, K_INT, K_DBL, K_BOOL, K_TS, K_TEXT };

union cval {
	int64_t i;
	double d;
};

/* ---- chunks ------------------------------------------------------------------ */

struct reject_rec {
	size_t line; /* relative to the chunk's first line until merged */
	char *reason;
};

struct chunk {
	size_t start, stop;  /* rows starting in [start, stop) belong here */
	size_t end;          /* where the chunk's last row really ends */
	size_t lines;        /* newlines in [start, end) */
	size_t slot0, nslots; /* the chunk's slots in the arrays during pass A */
	size_t row0;         /* its first row in the frame */
	size_t rows;         /* good rows */
	unsigned *mask;      /* per column: candidate types (B_*) */
	uint8_t *seen;       /* per column: a present value was seen */
	size_t *missing;     /* per column: missing values among the rows (pass B) */
	/* the first error (without skip_bad) */
	bool failed;
	size_t err_line, err_col;
	char *err_msg;
	/* rejected rows (with skip_bad) */
	size_t *rej_ord;     /* ordinals (among the chunk's rows) of rejected rows */
	size_t nrej_ord, rej_ord_cap;
	struct reject_rec *rej;
	size_t nrej, rej_cap;
	bool cancelled;
	/* Strings met once a column can only be a string column (a forced
	 * string type, or no candidate type left in this chunk) are interned
	 * in pass A already: dicts[j] from row intern_from[j] of the chunk on,
	 * the code kept in the value slot.  Pass B then reads the text of the
	 * rows before intern_from[j] only, not the whole chunk again. */
	struct strdict **dicts;
	size_t *intern_from;
};

static void chunk_reset_scan(struct chunk *c, size_t ncols)
{
	free(c->err_msg);
	c->err_msg = NULL;
	c->failed = false;
	for (size_t i = 0; i < c->nrej; i++)
		free(c->rej[i].reason);
	c->nrej = 0;
	c->nrej_ord = 0;
	c->rows = 0;
	c->lines = 0;
	c->cancelled = false;
	for (size_t j = 0; j < ncols; j++) {
		c->mask[j] = B_ALL;
		c->seen[j] = 0;
		strdict_free(c->dicts[j]);
		c->dicts[j] = NULL;
		c->intern_from[j] = SIZE_MAX;
	}
}

static void chunk_free(struct chunk *c, size_t ncols)
{
	free(c->err_msg);
	for (size_t i = 0; i < c->nrej; i++)
		free(c->rej[i].reason);
	free(c->rej);
	free(c->rej_ord);
	free(c->mask);
	free(c->seen);
	free(c->missing);
	if (c->dicts)
		for (size_t j = 0; j < ncols; j++)
			strdict_free(c->dicts[j]);
	free(c->dicts);
	free(c->intern_from);
}

static void quote_value(struct sbuf *b, const char *s, size_t n)
{
	const size_t max = 60;
	sbuf_putc(b, '"');
	if (n > max) {
		size_t k = max;
		while (k > 0 && ((uint8_t)s[k] & 0xC0) == 0x80)
			k--; /* don't cut a UTF-8 sequence */
		sbuf_add(b, s, k);
		sbuf_puts(b, "...");
	} else {
		sbuf_add(b, s, n);
	}
	sbuf_putc(b, '"');
}

static char *row_error_text(const struct rowbuf *r, size_t ncols, size_t *col)
{
	*col = r->err_field;
	switch (r->err) {
	case RE_UNTERMINATED:
		return xasprintf("unterminated quoted field (field %zu)", r->err_field);
	case RE_AFTER_QUOTE:
		return xasprintf("text after the closing quote of field %zu", r->err_field);
	case RE_NUL:
	case RE_UTF8: {
		char *why = str_text_problem(r->err == RE_NUL, r->err_byte);
		char *m = xasprintf("%s in field %zu", why, r->err_field);
		free(why);
		return m;
	}
	}
	/* ragged: the column is the first field past the shorter of the two */
	*col = (r->nf < ncols ? r->nf : ncols) + 1;
	return xasprintf("row has %zu field%s, expected %zu", r->nf, r->nf == 1 ? "" : "s", ncols);
}

/* Records a bad row; returns false when the chunk must stop (no skip_bad). */
static bool chunk_bad_row(const struct reader *rd, struct chunk *c, size_t line, size_t col,
			  char *msg, size_t ordinal)
{
	if (!rd->skip_bad) {
		c->failed = true;
		c->err_line = line;
		c->err_col = col;
		c->err_msg = msg;
		return false;
	}
	xgrow((void **)&c->rej_ord, &c->rej_ord_cap, c->nrej_ord + 1, sizeof *c->rej_ord);
	c->rej_ord[c->nrej_ord++] = ordinal;
	if (c->nrej < CSV_MAX_REJECTS) {
		xgrow((void **)&c->rej, &c->rej_cap, c->nrej + 1, sizeof *c->rej);
		c->rej[c->nrej++] = (struct reject_rec){line, msg};
	} else {
		free(msg);
	}
	return true;
}

static void rowbuf_init(struct rowbuf *r, size_t ncols)
{
	memset(r, 0, sizeof *r);
	r->cap = ncols + 1;
	r->f = xmalloc(r->cap * sizeof *r->f);
}

/* Parses a trimmed, present value of column j: its kind and value, and the
 * candidate types it leaves (bits); false when a forced type does not fit.
 * Candidates are tried in inference order, skipping those the chunk has
 * already ruled out, so a float column stops paying for integer parsing. */
static bool parse_value(const struct reader *rd, size_t j, unsigned mask, const char *t, size_t tn,
			uint8_t *kind, union cval *v, unsigned *bits)
{
	if (rd->override[j] >= 0) {
		enum pm_type ot = (enum pm_type)rd->override[j];
		double d;
		int64_t i;
		*bits = B_ALL;
		if (!convert(ot, true, t, tn, &i, &d))
			return false;
		switch (ot) {
		case PM_INT:
			*kind = K_INT;
			v->i = i;
			break;
		case PM_FLOAT:
			*kind = K_DBL;
			v->d = d;
			break;
		case PM_BOOL:
			*kind = K_BOOL;
			v->i = i;
			break;
		case PM_TIMESTAMP:
			*kind = K_TS;
			v->i = i;
			break;
		case PM_STRING:
			*kind = K_TEXT;
			break;
		}
		return true;
	}
	if ((mask & B_INT) && parse_int64(t, tn, &v->i)) {
		/* "-0" is -0.0 as a float: keep it a double so that the value
		 * does not depend on when the chunk gave up on integers. */
		if (v->i == 0 && *t == '-') {
			*kind = K_DBL;
			v->d = -0.0;
		} else {
			*kind = K_INT;
		}
		*bits = B_INT | B_FLOAT;
		return true;
	}
	if ((mask & B_FLOAT) && parse_double(t, tn, &v->d)) {
		*kind = K_DBL;
		*bits = B_FLOAT;
		return true;
	}
	bool b;
	if ((mask & B_BOOL) && data_parse_bool(t, tn, &b)) {
		*kind = K_BOOL;
		v->i = b;
		*bits = B_BOOL;
		return true;
	}
	if ((mask & B_TS) && ts_parse(t, tn, &v->i)) {
		*kind = K_TS;
		*bits = B_TS;
		return true;
	}
	*kind = K_TEXT;
	*bits = 0;
	return true;
}

/* Pass A over one chunk: values go to slots slot0.. of the shared arrays. */
static void chunk_scan(struct reader *rd, struct chunk *c)
{
	const size_t ncols = rd->ncols;
	const char *p = rd->data + c->start, *stop = rd->data + c->stop;
	const char *end = rd->data + rd->len;
	struct rowbuf rb;
	rowbuf_init(&rb, ncols);
	struct sbuf scratch = {0};
	unsigned *bits = xmalloc(ncols * sizeof *bits);
	size_t line = 0, ordinal = 0;
	chunk_reset_scan(c, ncols);
#ifdef MADV_POPULATE_WRITE
	/* the file's pages for the chunk's slots, in one call per column
	 * rather than a fault per page, on each chunk's own thread (not for
	 * a few rows of many columns: a call each would cost more) */
	for (size_t j = 0; rd->mapped && c->nslots >= 8192 && j < ncols; j++) {
		uintptr_t a = (uintptr_t)(rd->val[j] + c->slot0) & ~(uintptr_t)4095;
		uintptr_t e = (uintptr_t)(rd->val[j] + c->slot0 + c->nslots);
		madvise((void *)a, e - a, MADV_POPULATE_WRITE); /* advice: errors ignored */
	}
#endif
	while (p < stop) {
		size_t bl = blank_line(p, end);
		if (bl) {
			p += bl;
			line++;
			continue;
		}
		size_t row_line = line;
		p = read_row(rd, p, end, &rb);
		line += rb.lines;
		char *msg = NULL;
		size_t col = 0;
		if (rb.err || rb.nf != ncols) {
			msg = row_error_text(&rb, ncols, &col);
		} else if (c->rows == c->nslots) {
			/* Cannot happen: the slots are counted from the newlines. */
			msg = xstrdup("internal error: more rows than newlines");
			col = 1;
		} else {
			size_t r = c->slot0 + c->rows;
			for (size_t j = 0; j < ncols; j++) {
				size_t n;
				const char *s = field_text(&rb.f[j], &scratch, &n);
				const char *t = s;
				size_t tn = n;
				trim(&t, &tn);
				uint8_t *kind = &rd->kind[j][r];
				if (is_missing(t, tn)) {
					*kind = K_MISS;
					bits[j] = B_ALL | 0x100; /* keeps every candidate */
					continue;
				}
				if (!parse_value(rd, j, c->mask[j], t, tn, kind, &rd->val[j][r],
						 &bits[j])) {
					enum pm_type ot = (enum pm_type)rd->override[j];
					struct sbuf b = {0};
					sbuf_printf(&b, "column \"%s\": ", rd->names[j]);
					quote_value(&b, s, n);
					sbuf_printf(&b, " is not a valid %s (from --types %s=%s)",
						    pm_type_name(ot), rd->names[j], pm_type_name(ot));
					msg = sbuf_steal(&b);
					col = j + 1;
					break;
				}
			}
		}
		if (msg) {
			if (!chunk_bad_row(rd, c, row_line, col, msg, ordinal))
				break;
		} else {
			size_t r = c->slot0 + c->rows;
			for (size_t j = 0; j < ncols; j++) {
				if (bits[j] & 0x100)
					continue;
				c->mask[j] &= bits[j];
				c->seen[j] = 1;
				if (rd->override[j] >= 0 ? rd->override[j] != PM_STRING
							 : c->mask[j] != 0)
					continue;
				/* only a string column from here: intern */
				if (!c->dicts[j]) {
					c->dicts[j] = strdict_new();
					c->intern_from[j] = c->rows;
				}
				size_t n;
				const char *s = field_text(&rb.f[j], &scratch, &n);
				rd->val[j][r].i = strdict_intern(c->dicts[j], s, n);
			}
			c->rows++;
		}
		ordinal++;
		if ((ordinal & 8191) == 0 && progress_cancelled(rd->progress)) {
			c->cancelled = true;
			break;
		}
	}
	c->end = (size_t)(p - rd->data);
	c->lines = line;
	free(rb.f);
	free(bits);
	sbuf_free(&scratch);
}

/* Pass B over one chunk: numbers are converted in place to the column's
 * type.  String codes stay in the value slots (compacted to 32 bits once
 * the dictionaries are merged).  Strings interned in pass A keep their
 * codes; the text of the rows before that point is read again, tokenizing
 * only as far as needed (rows rejected in pass A are skipped by ordinal),
 * and the chunk's dictionary is rebuilt in first-seen order. */
static void chunk_convert(struct reader *rd, struct chunk *c)
{
	const size_t ncols = rd->ncols;
	struct frame *f = rd->f;
	const size_t r0 = c->row0, r1 = c->row0 + c->rows;
	size_t need = 0; /* rows of the chunk whose text pass B must read */
	size_t *pre = xcalloc(ncols, sizeof *pre);
	struct strdict **fresh = xcalloc(ncols, sizeof *fresh);
	for (size_t j = 0; j < ncols; j++) {
		struct column *col = &f->cols[j];
		uint8_t *kind = rd->kind[j];
		union cval *val = rd->val[j];
		switch (col->type) {
		case PM_INT:
			/* K_DBL in an int column is "-0". */
			for (size_t r = r0; r < r1; r++)
				if (kind[r] != K_INT)
					val[r].i = 0;
			break;
		case PM_FLOAT:
			for (size_t r = r0; r < r1; r++)
				if (kind[r] == K_INT)
					val[r].d = (double)val[r].i;
				else if (kind[r] != K_DBL)
					val[r].d = 0;
			break;
		case PM_BOOL:
			for (size_t r = r0; r < r1; r++)
				col->v.b[r] = kind[r] == K_BOOL && val[r].i;
			break;
		case PM_TIMESTAMP:
			for (size_t r = r0; r < r1; r++)
				if (kind[r] != K_TS)
					val[r].i = 0;
			break;
		case PM_STRING:
			for (size_t r = r0; r < r1; r++)
				if (kind[r] == K_MISS)
					val[r].i = 0;
			pre[j] = !c->seen[j] ? 0 : c->dicts[j] ? c->intern_from[j] : c->rows;
			if (pre[j] > need)
				need = pre[j];
			if (pre[j] || !c->dicts[j])
				fresh[j] = strdict_new();
			break;
		}
	}
	if (need) {
		const char *p = rd->data + c->start, *stop = rd->data + c->end;
		const char *end = rd->data + rd->len;
		struct rowbuf rb;
		rowbuf_init(&rb, ncols);
		struct sbuf scratch = {0};
		size_t k = 0, ordinal = 0, ri = 0;
		while (p < stop && k < need) {
			size_t bl = blank_line(p, end);
			if (bl) {
				p += bl;
				continue;
			}
			p = read_row(rd, p, end, &rb);
			if (ri < c->nrej_ord && c->rej_ord[ri] == ordinal) {
				ri++;
				ordinal++;
				continue;
			}
			ordinal++;
			size_t r = r0 + k;
			for (size_t j = 0; j < ncols; j++) {
				if (k >= pre[j] || rd->kind[j][r] == K_MISS)
					continue;
				size_t n;
				const char *s = field_text(&rb.f[j], &scratch, &n);
				rd->val[j][r].i = strdict_intern(fresh[j], s, n);
			}
			k++;
			if ((ordinal & 8191) == 0 && progress_cancelled(rd->progress)) {
				c->cancelled = true;
				break;
			}
		}
		free(rb.f);
		sbuf_free(&scratch);
	}
	for (size_t j = 0; j < ncols; j++) {
		if (!fresh[j])
			continue;
		struct strdict *old = c->dicts[j];
		if (old) {
			/* the strings first met after pre[j], in the order met */
			uint32_t *map = xmalloc((old->n ? old->n : 1) * sizeof *map);
			for (uint32_t o = 0; o < old->n; o++)
				map[o] = strdict_intern(fresh[j], old->str[o], old->len[o]);
			union cval *val = rd->val[j];
			const uint8_t *kind = rd->kind[j];
			for (size_t r = r0 + pre[j]; r < r1; r++)
				if (kind[r] != K_MISS)
					val[r].i = map[val[r].i];
			free(map);
			strdict_free(old);
		}
		c->dicts[j] = fresh[j];
	}
	free(fresh);
	free(pre);
	/* The kinds become the valid flags, counted here, in parallel, rather
	 * than in a pass of its own over every column afterwards. */
	for (size_t j = 0; j < ncols; j++) {
		uint8_t *kind = rd->kind[j];
		size_t present = 0;
		for (size_t r = r0; r < r1; r++) {
			kind[r] = kind[r] != K_MISS;
			present += kind[r];
		}
		c->missing[j] = c->rows - present;
	}
}

static size_t count_fields_names(char **names)
{
	size_t n = 0;
	while (names && names[n])
		n++;
	return n;
}

static void free_names(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The header row (or the first row with no_header): names and field count.
 * Returns the offset where data rows begin, or -1 on error. */
static int read_header(struct reader *rd, const struct csv_options *opt, size_t *pos,
		       size_t *line, struct pm_err *err)
{
	const char *p = rd->data + *pos, *end = rd->data + rd->len;
	while (p < end) {
		size_t bl = blank_line(p, end);
		if (!bl)
			break;
		p += bl;
		(*line)++;
	}
	if (p >= end)
		return pm_errf(err, "%s: empty file", rd->label);
	struct rowbuf rb;
	memset(&rb, 0, sizeof rb);
	/* Read twice: once to count the fields, once to keep them. */
	read_row(rd, p, end, &rb);
	rb.cap = rb.nf;
	rb.f = xmalloc((rb.nf ? rb.nf : 1) * sizeof *rb.f);
	const char *next = read_row(rd, p, end, &rb);
	size_t nuser = count_fields_names(opt ? opt->columns : NULL);
	bool no_header = opt && opt->no_header;
	if (!no_header && rb.err) {
		size_t col;
		char *m = row_error_text(&rb, rb.nf, &col);
		pm_errf(err, "%s:%zu:%zu: %s (in the header)", rd->label, *line, col, m);
		free(m);
		free(rb.f);
		return -1;
	}
	size_t ncols = no_header && nuser ? nuser : rb.nf;
	if (!no_header && nuser && nuser != rb.nf) {
		free(rb.f);
		return pm_errf(err, "%s: %zu column names given for %zu columns in the header",
			       rd->label, nuser, rb.nf);
	}
	rd->ncols = ncols;
	rd->names = xcalloc(ncols ? ncols : 1, sizeof *rd->names);
	struct sbuf scratch = {0};
	for (size_t j = 0; j < ncols; j++) {
		if (nuser) {
			rd->names[j] = xstrdup(opt->columns[j]);
		} else if (!no_header) {
			size_t n;
			const char *s = field_text(&rb.f[j], &scratch, &n);
			rd->names[j] = n ? xstrndup(s, n) : xasprintf("column_%zu", j + 1);
		} else {
			rd->names[j] = xasprintf("column_%zu", j + 1);
		}
		if (!rd->names[j][0]) {
			free(rd->names[j]);
			rd->names[j] = xasprintf("column_%zu", j + 1);
		}
	}
	sbuf_free(&scratch);
	free(rb.f);
	/* Duplicate names would make columns unreachable by name: an error
	 * naming both fields, rather than a silent rename. */
	struct strdict *seen = strdict_new();
	size_t *first = xmalloc((ncols ? ncols : 1) * sizeof *first);
	int rc = 0;
	for (size_t j = 0; j < ncols; j++) {
		size_t n = strlen(rd->names[j]);
		uint32_t before = seen->n;
		uint32_t code = strdict_intern(seen, rd->names[j], n);
		if (seen->n == before) {
			if (nuser)
				rc = pm_errf(err, "%s: duplicate column name \"%s\" (names %zu and %zu of --columns)",
					     rd->label, rd->names[j], first[code] + 1, j + 1);
			else
				rc = pm_errf(err, "%s:%zu:%zu: duplicate column name \"%s\" (fields %zu and %zu)",
					     rd->label, *line, j + 1, rd->names[j], first[code] + 1, j + 1);
			break;
		}
		first[code] = j;
	}
	strdict_free(seen);
	free(first);
	if (rc < 0)
		return -1;
	if (!no_header) {
		*line += rb.lines;
		*pos = (size_t)(next - rd->data);
	} else {
		*pos = (size_t)(p - rd->data);
	}
	return 0;
}

static int resolve_types(struct reader *rd, const struct csv_options *opt, struct pm_err *err)
{
	rd->override = xmalloc((rd->ncols ? rd->ncols : 1) * sizeof *rd->override);
	for (size_t j = 0; j < rd->ncols; j++)
		rd->override[j] = -1;
	for (size_t k = 0; opt && k < opt->ntypes; k++) {
		const struct csv_type_override *o = &opt->types[k];
		size_t j;
		for (j = 0; j < rd->ncols; j++)
			if (strcmp(rd->names[j], o->column) == 0)
				break;
		if (j == rd->ncols)
			return pm_errf(err, "%s: no column \"%s\" (named in --types %s=%s)", rd->label,
				       o->column, o->column, pm_type_name(o->type));
		rd->override[j] = (int)o->type;
	}
	return 0;
}

void csv_report_free(struct csv_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrejects; i++)
		free(r->rejects[i].reason);
	free(r->rejects);
	r->rejects = NULL;
	r->nrejects = 0;
}

struct remap_ctx {
	struct reader *rd;
	struct chunk *chunks;
	uint32_t **remap; /* [chunk * ncols + j] */
};

static void remap_chunk(void *ctx, size_t i)
{
	struct remap_ctx *m = ctx;
	struct reader *rd = m->rd;
	struct chunk *c = &m->chunks[i];
	for (size_t j = 0; j < rd->ncols; j++) {
		uint32_t *map = m->remap[i * rd->ncols + j];
		if (!map)
			continue;
		union cval *val = rd->val[j];
		const uint8_t *ok = rd->kind[j];
		for (size_t r = c->row0; r < c->row0 + c->rows; r++)
			if (ok[r])
				val[r].i = map[val[r].i];
	}
}

/* Merges the chunks' dictionaries in chunk order: codes end up in
 * first-seen order over the whole file, whatever the chunking. */
static void merge_dicts(struct reader *rd, struct chunk *chunks, size_t nchunks)
{
	size_t ncols = rd->ncols;
	uint32_t **remap = xcalloc(nchunks * ncols + 1, sizeof *remap);
	bool any = false;
	for (size_t j = 0; j < ncols; j++) {
		if (rd->types[j] != PM_STRING)
			continue;
		struct column *col = &rd->f->cols[j];
		for (size_t i = 0; i < nchunks; i++) {
			struct strdict *d = chunks[i].dicts[j];
			if (col->dict->n == 0) {
				/* Nothing before this chunk: its codes stand. */
				strdict_free(col->dict);
				col->dict = d;
				chunks[i].dicts[j] = NULL;
				continue;
			}
			uint32_t *map = xmalloc((d->n ? d->n : 1) * sizeof *map);
			bool identity = true;
			for (uint32_t k = 0; k < d->n; k++) {
				map[k] = strdict_intern(col->dict, d->str[k], d->len[k]);
				identity &= map[k] == k;
			}
			if (identity) {
				free(map);
			} else {
				remap[i * ncols + j] = map;
				any = true;
			}
		}
	}
	if (any) {
		struct remap_ctx ctx = {rd, chunks, remap};
		par_for(nchunks, rd->threads, remap_chunk, &ctx);
	}
	for (size_t i = 0; i < nchunks * ncols; i++)
		free(remap[i]);
	free(remap);
}

/* ---- the driver ------------------------------------------------------------------- */

struct phase_ctx {
	struct reader *rd;
	struct chunk *chunks;
	size_t first;
	void (*fn)(struct reader *, struct chunk *);
};

static void phase_item(void *ctx, size_t i)
{
	struct phase_ctx *p = ctx;
	p->fn(p->rd, &p->chunks[p->first + i]);
}

/* Runs fn over the chunks in batches, reporting progress and checking for
 * cancellation between batches on the calling thread (the progress hook
 * need not be thread-safe). */
static bool run_phase(struct reader *rd, struct chunk *chunks, size_t n,
		      void (*fn)(struct reader *, struct chunk *))
{
	size_t batch = (size_t)rd->threads * 4;
	for (size_t i = 0; i < n; i += batch) {
		size_t m = n - i < batch ? n - i : batch;
		struct phase_ctx ctx = {rd, chunks, i, fn};
		par_for(m, rd->threads, phase_item, &ctx);
		for (size_t k = i; k < i + m; k++) {
			if (chunks[k].cancelled)
				return false;
			rd->done_work += chunks[k].stop - chunks[k].start;
		}
		progress_report(rd->progress, "load", (double)rd->done_work / 2,
				(double)rd->total_work);
		if (progress_cancelled(rd->progress))
			return false;
	}
	return true;
}

struct bound_ctx {
	const char *data;
	size_t start, len, block; /* block i is [start + i * block, ...) of the grid */
	size_t body;               /* where rows begin: bytes before are not counted */
	uint64_t *fp;              /* hash64_parallel's block hashes, or NULL */
	size_t *quotes, *newlines; /* per raw block */
	const uint8_t *parity;     /* quotes before each raw block, mod 2 */
	size_t *bound, *bound_nl;  /* first row start at or after the block's
				      start, and the newlines on the way */
};

/* Quotes and line ends (LF or lone CR) of [p, e), counted in one pass:
 * 16 bytes at a time into per-byte counters, summed before they can wrap.
 * dend is the end of the data: a CR at e - 1 looks one byte past e. */
static void count_quotes_newlines(const uint8_t *p, const uint8_t *e, const uint8_t *dend,
				  size_t *quotes, size_t *newlines)
{
	size_t q = 0, nl = 0;
#if defined(__SSE2__)
	const __m128i vq = _mm_set1_epi8('"'), vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'),
		      zero = _mm_setzero_si128();
	while ((size_t)(e - p) >= 16 && (size_t)(dend - p) >= 17) {
		__m128i aq = zero, an = zero;
		for (int k = 0; k < 255 && (size_t)(e - p) >= 16 && (size_t)(dend - p) >= 17;
		     k++, p += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)p);
			__m128i y = _mm_loadu_si128((const __m128i *)(p + 1));
			__m128i lone_cr = _mm_andnot_si128(_mm_cmpeq_epi8(y, vn), _mm_cmpeq_epi8(x, vr));
			aq = _mm_sub_epi8(aq, _mm_cmpeq_epi8(x, vq));
			an = _mm_sub_epi8(an, _mm_or_si128(_mm_cmpeq_epi8(x, vn), lone_cr));
		}
		__m128i sq = _mm_sad_epu8(aq, zero), sn = _mm_sad_epu8(an, zero);
		q += (size_t)_mm_cvtsi128_si64(sq) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sq, sq));
		nl += (size_t)_mm_cvtsi128_si64(sn) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sn, sn));
	}
#endif
	for (; p < e; p++) {
		q += *p == '"';
		nl += str_eol_len((const char *)p, (const char *)dend) == 1;
	}
	*quotes = q;
	*newlines = nl;
}

/* The pieces hashed and counted in turn: small enough to stay in the
 * CPU's cache between the two. */
#define COUNT_PIECE ((size_t)64 << 10)

static void count_block(void *ctx, size_t i)
{
	struct bound_ctx *b = ctx;
	const uint8_t *d = (const uint8_t *)b->data, *dend = d + b->len;
	size_t a = b->start + i * b->block;
	size_t e = a + b->block < b->len ? a + b->block : b->len;
	if (!b->fp) {
		if (a < b->body)
			a = b->body;
		count_quotes_newlines(d + a, d + e, dend, &b->quotes[i], &b->newlines[i]);
		return;
	}
	/* The grid is aligned to hash64_parallel's blocks: this block's bytes
	 * (the header's too) are hashed in the same read as they are counted,
	 * so the file comes from memory once for both. */
	size_t q = 0, nl = 0;
	uint64_t seed = hash64_par_seed(b->len);
	for (size_t h0 = a; h0 < e; h0 += HASH64_PAR_BLOCK) {
		size_t h1 = h0 + HASH64_PAR_BLOCK < e ? h0 + HASH64_PAR_BLOCK : e;
		struct hash64_state st;
		hash64_init(&st, seed);
		for (size_t p = h0; p < h1; p += COUNT_PIECE) {
			size_t pe = p + COUNT_PIECE < h1 ? p + COUNT_PIECE : h1;
			hash64_update(&st, d + p, pe - p);
			size_t ca = p < b->body ? b->body : p, dq, dn;
			if (ca < pe) {
				count_quotes_newlines(d + ca, d + pe, dend, &dq, &dn);
				q += dq;
				nl += dn;
			}
		}
		b->fp[h0 / HASH64_PAR_BLOCK] = hash64_digest(&st);
	}
	b->quotes[i] = q;
	b->newlines[i] = nl;
}

static void find_boundary(void *ctx, size_t i)
{
	struct bound_ctx *b = ctx;
	size_t k = b->start + i * b->block, nl = 0;
	unsigned odd = b->parity[i];
	const char *d = b->data;
	for (; k < b->len; k++) {
		char c = d[k];
		if (c == '"') {
			odd ^= 1;
		} else if (str_eol_len(d + k, d + b->len) == 1) {
			/* LF, or CR alone: the LF of a CRLF ends the row */
			if (!odd) {
				b->bound[i] = k + 1;
				b->bound_nl[i] = nl + 1; /* this newline is before the start */
				return;
			}
			nl++;
		}
	}
	b->bound[i] = b->len;
	b->bound_nl[i] = nl;
}

/* Cuts the body [pos, len) into chunks at row boundaries guessed from
 * quote parity, one per block of a grid of cs bytes from the file's start
 * (the first block's start moved to pos), and gives each the slots it may
 * need: one per newline in its range (plus one for a last row without a
 * newline), and never more than its bytes / ncols + 1, since a good row
 * takes at least ncols bytes (delimiters and newline).  fp: where to put
 * hash64_parallel's block hashes of the whole file, taken on the way (cs
 * is then a multiple of HASH64_PAR_BLOCK), or NULL. */
static struct chunk *make_chunks(struct reader *rd, size_t pos, size_t cs, uint64_t *fp,
				 size_t *nchunks_out, size_t *total_slots)
{
	const char *data = rd->data;
	size_t len = rd->len, g0 = pos / cs * cs; /* the grid's first block */
	size_t n = len > g0 ? (len - g0 + cs - 1) / cs : 1;
	struct chunk *chunks = xcalloc(n, sizeof *chunks);
	struct bound_ctx b = {.data = data, .start = g0, .len = len, .block = cs, .body = pos,
			      .fp = fp};
	b.quotes = xcalloc(n, sizeof *b.quotes);
	b.newlines = xcalloc(n, sizeof *b.newlines);
	b.bound = xcalloc(n, sizeof *b.bound);
	b.bound_nl = xcalloc(n, sizeof *b.bound_nl);
	uint8_t *parity = xcalloc(n, 1);
	b.parity = parity;
	par_for(n, rd->threads, count_block, &b);
	size_t *nl_before = xcalloc(n + 1, sizeof *nl_before); /* newlines before raw block i */
	for (size_t i = 0; i < n; i++) {
		parity[i] = (uint8_t)(i ? (parity[i - 1] ^ (b.quotes[i - 1] & 1)) : 0);
		nl_before[i + 1] = nl_before[i] + b.newlines[i];
	}
	if (n > 1) {
		struct bound_ctx b1 = b;
		b1.start = g0 + cs;
		b1.parity = parity + 1;
		b1.bound = b.bound + 1;
		b1.bound_nl = b.bound_nl + 1;
		par_for(n - 1, rd->threads, find_boundary, &b1);
	}
	/* nlp: newlines in [pos, start of chunk i) */
	size_t *nlp = xcalloc(n + 1, sizeof *nlp);
	for (size_t i = 0; i < n; i++) {
		if (i == 0) {
			chunks[i].start = pos;
			nlp[i] = 0;
		} else if (b.bound[i] < chunks[i - 1].start) {
			chunks[i].start = chunks[i - 1].start;
			nlp[i] = nlp[i - 1];
		} else {
			chunks[i].start = b.bound[i];
			nlp[i] = nl_before[i] + b.bound_nl[i];
		}
	}
	nlp[n] = nl_before[n];
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		struct chunk *c = &chunks[i];
		c->stop = i + 1 < n ? chunks[i + 1].start : len;
		size_t slots = nlp[i + 1] - nlp[i];
		if (c->stop == len && c->stop > c->start && data[len - 1] != '\n' &&
		    data[len - 1] != '\r')
			slots++;
		size_t cap = (c->stop - c->start) / rd->ncols + 1;
		if (slots > cap)
			slots = cap;
		c->slot0 = total;
		c->nslots = slots;
		total += slots;
	}
	free(b.quotes);
	free(b.newlines);
	free(b.bound);
	free(b.bound_nl);
	free(parity);
	free(nl_before);
	free(nlp);
	*nchunks_out = n;
	*total_slots = total;
	return chunks;
}

static int parse_csv(const char *data, size_t len, const char *label, const char *name,
		     const struct csv_options *opt, size_t chunk_size, struct frame **out,
		     struct csv_report *report, struct pm_err *err)
{
	double t0 = now_seconds();
	*out = NULL;
	if (report)
		memset(report, 0, sizeof *report);
	if (!len)
		data = ""; /* an empty file maps to no memory at all */
	struct reader rd = {0};
	rd.data = data;
	rd.len = len;
	rd.label = label;
	rd.delim = opt && opt->delim ? opt->delim
		   : (str_suffix(label, ".tsv") || str_suffix(label, ".tab") ||
		      str_suffix(label, ".TSV") || str_suffix(label, ".TAB"))
			   ? '\t'
			   : ',';
	if (rd.delim == '"' || rd.delim == '\n' || rd.delim == '\r')
		return pm_errcf(err, PM_E_USAGE, "%s: the delimiter cannot be a quote or newline",
				label);
	rd.skip_bad = opt && opt->skip_bad;
	rd.threads = opt && opt->threads > 0 ? opt->threads : pm_ncpu();
	if (rd.threads > 64)
		rd.threads = 64;
	rd.progress = opt ? opt->progress : NULL;
	rd.cls_u[(uint8_t)rd.delim] = CL_DELIM;
	rd.cls_u['\n'] = CL_NL;
	rd.cls_u['\r'] = CL_CR;
	rd.cls_u[0] = CL_NUL;
	rd.cls_q['"'] = CL_QUOTE;
	rd.cls_q['\n'] = CL_NL;
	rd.cls_q['\r'] = CL_CR;
	rd.cls_q[0] = CL_NUL;
	for (int c = 0x80; c < 0x100; c++)
		rd.cls_u[c] = rd.cls_q[c] = CL_HIGH;

	size_t pos = 0, line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	int rc = -1;
	struct chunk *chunks = NULL;
	size_t nchunks = 0, nslots = 0, nrows = 0;
	struct cache_build *build = NULL;
	bool mapped = false; /* rd.val's arrays lie in build's mapping */
	if (read_header(&rd, opt, &pos, &line, err) < 0)
		goto done;
	if (resolve_types(&rd, opt, err) < 0)
		goto done;
	const size_t ncols = rd.ncols;

	/* Step 0: chunks and their slots. */
	size_t cs = chunk_size;
	if (!cs) {
		cs = (len - pos) / ((size_t)rd.threads * 8);
		if (cs < (1u << 20))
			cs = 1u << 20;
		if (cs > (16u << 20))
			cs = 16u << 20;
	}
	/* The hash the caller asked for is taken in the pass that cuts the
	 * chunks when their grid is made of whole blocks of the hash from the
	 * file's start (the header shorter than a chunk), else on its own. */
	uint64_t *fp = NULL;
	if (opt && opt->content_hashed) {
		/* not where the coarser grid leaves fewer than 4 chunks a
		 * thread (a file of a few blocks, many cores): idle threads
		 * would cost more than the hash's own pass */
		size_t grid = (cs + HASH64_PAR_BLOCK - 1) / HASH64_PAR_BLOCK * HASH64_PAR_BLOCK;
		if (!chunk_size && (len - pos) / grid >= 4 * (size_t)rd.threads)
			cs = grid;
		if (cs % HASH64_PAR_BLOCK == 0 && pos < cs)
			fp = xmalloc(hash64_par_blocks(len) * sizeof *fp);
	}
	chunks = make_chunks(&rd, pos, cs, fp, &nchunks, &nslots);
	if (opt && opt->content_hashed) {
		uint64_t h = fp ? hash64_par_join(fp, len) : hash64_parallel(data, len, rd.threads);
		free(fp);
		int hr = opt->content_hashed(opt->hook_ctx, h, err);
		if (hr != 0) {
			rc = hr > 0 ? 1 : -1;
			goto done;
		}
	}
	for (size_t i = 0; i < nchunks; i++) {
		chunks[i].mask = xmalloc(ncols * sizeof *chunks[i].mask);
		chunks[i].seen = xmalloc(ncols);
		chunks[i].missing = xcalloc(ncols, sizeof *chunks[i].missing);
		chunks[i].dicts = xcalloc(ncols, sizeof *chunks[i].dicts);
		chunks[i].intern_from = xmalloc(ncols * sizeof *chunks[i].intern_from);
	}
	/* load's case: the values go straight into the cache file's regions */
	if (opt && opt->cache_path &&
	    cache_build_begin(opt->cache_path, rd.names, ncols, nslots, &build) != 0)
		build = NULL;
	mapped = rd.mapped = build != NULL;
	rd.kind = xcalloc(ncols, sizeof *rd.kind);
	rd.val = xcalloc(ncols, sizeof *rd.val);
	for (size_t j = 0; j < ncols; j++) {
		rd.kind[j] = xmalloc_hot(nslots);
		rd.val[j] = mapped ? (union cval *)(build->map + build->val_off[j])
				   : xmalloc_hot(nslots * sizeof **rd.val);
	}

	/* Pass A. */
	rd.total_work = len;
	if (!run_phase(&rd, chunks, nchunks, chunk_scan)) {
		pm_errcf(err, PM_E_CANCEL, "cancelled");
		goto done;
	}
	/* Check the guessed starts in file order; rescan where wrong. */
	{
		size_t expect = pos, abs_line = line;
		for (size_t i = 0; i < nchunks; i++) {
			struct chunk *c = &chunks[i];
			if (c->start != expect) {
				c->start = expect;
				if (c->stop < expect)
					c->stop = expect;
				chunk_scan(&rd, c);
				if (c->cancelled) {
					pm_errcf(err, PM_E_CANCEL, "cancelled");
					goto done;
				}
			}
			if (c->failed) {
				pm_errf(err, "%s:%zu:%zu: %s", label, abs_line + c->err_line, c->err_col,
					c->err_msg);
				goto done;
			}
			for (size_t k = 0; k < c->nrej; k++)
				c->rej[k].line += abs_line;
			abs_line += c->lines;
			expect = c->end;
		}
	}

	/* Column types: the candidates every chunk left. */
	rd.types = xmalloc(ncols * sizeof *rd.types);
	for (size_t j = 0; j < ncols; j++) {
		if (rd.override[j] >= 0) {
			rd.types[j] = (enum pm_type)rd.override[j];
			continue;
		}
		unsigned m = B_ALL;
		bool seen = false;
		for (size_t i = 0; i < nchunks; i++) {
			m &= chunks[i].mask[j];
			seen |= chunks[i].seen[j] != 0;
		}
		rd.types[j] = !seen	     ? PM_STRING
			      : m & B_INT   ? PM_INT
			      : m & B_FLOAT ? PM_FLOAT
			      : m & B_BOOL  ? PM_BOOL
			      : m & B_TS    ? PM_TIMESTAMP
					    : PM_STRING;
	}
	/* Rows are contiguous from here: close the gaps left by slots that
	 * blank lines, quoted newlines or rejected rows did not use. */
	for (size_t i = 0; i < nchunks; i++) {
		struct chunk *c = &chunks[i];
		c->row0 = nrows;
		nrows += c->rows;
		if (c->row0 == c->slot0 || !c->rows)
			continue;
		for (size_t j = 0; j < ncols; j++) {
			memmove(rd.kind[j] + c->row0, rd.kind[j] + c->slot0, c->rows);
			memmove(rd.val[j] + c->row0, rd.val[j] + c->slot0, c->rows * sizeof **rd.val);
		}
	}
	rd.f = frame_new(name, nrows, ncols);
	if (build) {
		rd.f->map = (struct fs_map){.data = build->map, .len = build->len, .fd = -1};
		build->handed = true;
		rd.f->build = build;
		build = NULL;
	}
	for (size_t j = 0; j < ncols; j++) {
		struct column *col = &rd.f->cols[j];
		col->name = xstrdup(rd.names[j]);
		col->type = rd.types[j];
		col->nrows = nrows;
		col->valid = rd.kind[j];
		switch (col->type) {
		case PM_BOOL:
			col->v.b = xcalloc(nrows, 1);
			break;
		case PM_STRING:
			col->dict = strdict_new();
			break;
		default:
			col->v.i64 = &rd.val[j][0].i;
			break;
		}
	}

	/* Pass B. */
	if (!run_phase(&rd, chunks, nchunks, chunk_convert)) {
		pm_errcf(err, PM_E_CANCEL, "cancelled");
		goto done;
	}
	merge_dicts(&rd, chunks, nchunks);
	for (size_t j = 0; j < ncols; j++) {
		struct column *col = &rd.f->cols[j];
		if (col->type == PM_STRING) {
			/* 32-bit codes, packed into the front of the value slots:
			 * row r's code lands where rows before r were, already read */
			uint32_t *code = (uint32_t *)rd.val[j];
			for (size_t r = 0; r < nrows; r++)
				code[r] = (uint32_t)rd.val[j][r].i;
			col->v.code = mapped ? code : xrealloc(code, (nrows ? nrows : 1) * sizeof *code);
			rd.val[j] = NULL;
		}
		/* The slots were an upper bound: give back what rows did not use. */
		if (nslots > nrows) {
			col->valid = xrealloc(col->valid, nrows);
			if (col->type != PM_BOOL && col->type != PM_STRING && !mapped)
				col->v.i64 = xrealloc(col->v.i64, nrows * sizeof *col->v.i64);
		}
		if (col->type == PM_BOOL && !mapped)
			free(rd.val[j]);
		rd.kind[j] = NULL;
		rd.val[j] = NULL;
		col->nmissing = 0;
		for (size_t i = 0; i < nchunks; i++)
			col->nmissing += chunks[i].missing[j];
	}
	if (report) {
		report->bytes = len;
		report->rows = nrows;
		size_t cap = 0;
		for (size_t i = 0; i < nchunks; i++) {
			struct chunk *c = &chunks[i];
			report->rejected += c->nrej_ord;
			for (size_t k = 0; k < c->nrej && report->nrejects < CSV_MAX_REJECTS; k++) {
				xgrow((void **)&report->rejects, &cap, report->nrejects + 1,
				      sizeof *report->rejects);
				report->rejects[report->nrejects].line = c->rej[k].line;
				report->rejects[report->nrejects].reason = c->rej[k].reason;
				c->rej[k].reason = NULL;
				report->nrejects++;
			}
		}
		report->seconds = now_seconds() - t0;
	}
	progress_report(rd.progress, "load", (double)len, (double)len);
	*out = rd.f;
	rd.f = NULL;
	rc = 0;
done:
	for (size_t i = 0; i < nchunks; i++)
		chunk_free(&chunks[i], rd.ncols);
	free(chunks);
	if (rd.f) {
		/* The frame owns the arrays it points to; free only the others. */
		for (size_t j = 0; j < rd.ncols; j++) {
			if (rd.kind && rd.f->cols[j].valid == rd.kind[j])
				rd.kind[j] = NULL;
			if (rd.val && rd.val[j] && rd.f->cols[j].v.i64 == &rd.val[j][0].i)
				rd.val[j] = NULL;
		}
		frame_free(rd.f);
	}
	for (size_t j = 0; rd.kind && j < rd.ncols; j++) {
		free(rd.kind[j]);
		if (!mapped)
			free(rd.val[j]);
	}
	cache_build_abort(build); /* not handed to a frame: removed */
	free(rd.kind);
	free(rd.val);
	free_names(rd.names, rd.ncols);
	free(rd.override);
	free(rd.types);
	return rc;
}

int csv_parse_chunked(const char *data, size_t len, const char *label, const char *name,
		      const struct csv_options *opt, size_t chunk_size, struct frame **out,
		      struct csv_report *report, struct pm_err *err)
{
	return parse_csv(data, len, label, name, opt, chunk_size ? chunk_size : 1, out, report,
			 err);
}

int frame_parse_csv(const char *data, size_t len, const char *label, const char *name,
		    const struct csv_options *opt, struct frame **out, struct csv_report *report,
		    struct pm_err *err)
{
	return parse_csv(data, len, label, name, opt, 0, out, report, err);
}

int frame_read_csv(const char *path, const char *name, const struct csv_options *opt,
		   struct frame **out, struct csv_report *report, struct pm_err *err)
{
	struct fs_map m;
	*out = NULL;
	if (report)
		memset(report, 0, sizeof *report);
	if (fs_map_open(path, &m, err) < 0)
		return -1;
	int rc = parse_csv(m.data, m.len, path, name, opt, 0, out, report, err);
	if (rc == 0 && fs_map_check(&m, path, err) < 0) {
		frame_free(*out);
		*out = NULL;
		rc = -1;
	}
	fs_map_close(&m);
	return rc;
}
