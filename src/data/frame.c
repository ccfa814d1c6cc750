/* The columnar frame: types, missing values, text of values, fingerprints
 * and row selection. */
#include "internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[PM_NTYPES] = {"int", "float", "bool", "string", "timestamp"};

const char *pm_type_name(enum pm_type t)
{
	return (unsigned)t < PM_NTYPES ? type_names[t] : "?";
}

bool pm_type_parse(const char *s, enum pm_type *t)
{
	static const struct {
		const char *name;
		enum pm_type type;
	} names[] = {
		{"int", PM_INT},          {"integer", PM_INT},       {"int64", PM_INT},
		{"float", PM_FLOAT},      {"double", PM_FLOAT},      {"float64", PM_FLOAT},
		{"bool", PM_BOOL},        {"boolean", PM_BOOL},      {"string", PM_STRING},
		{"str", PM_STRING},       {"text", PM_STRING},       {"timestamp", PM_TIMESTAMP},
		{"datetime", PM_TIMESTAMP}, {"date", PM_TIMESTAMP},
	};
	for (size_t i = 0; i < PM_ARRAY_LEN(names); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*t = names[i].type;
			return true;
		}
	return false;
}

bool pm_type_numeric(enum pm_type t)
{
	return t == PM_INT || t == PM_FLOAT || t == PM_BOOL || t == PM_TIMESTAMP;
}

bool data_is_missing_token(const char *s, size_t n)
{
	switch (n) {
	case 0:
		return true;
	case 2:
		return s[0] == 'N' && s[1] == 'A';
	case 3:
		return memcmp(s, "N/A", 3) == 0 || memcmp(s, "NaN", 3) == 0 ||
		       memcmp(s, "nan", 3) == 0;
	case 4:
		return memcmp(s, "null", 4) == 0 || memcmp(s, "NULL", 4) == 0;
	default:
		return false;
	}
}

bool data_parse_bool(const char *s, size_t n, bool *out)
{
	if (n == 4 && strncasecmp(s, "true", 4) == 0) {
		*out = true;
		return true;
	}
	if (n == 5 && strncasecmp(s, "false", 5) == 0) {
		*out = false;
		return true;
	}
	return false;
}

struct frame *frame_new(const char *name, size_t nrows, size_t ncols)
{
	struct frame *f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name ? name : "");
	f->nrows = nrows;
	f->ncols = ncols;
	f->cols = xcalloc(ncols ? ncols : 1, sizeof *f->cols);
	f->map.fd = -1;
	return f;
}

static size_t type_width(enum pm_type t)
{
	switch (t) {
	case PM_INT:
	case PM_TIMESTAMP:
		return sizeof(int64_t);
	case PM_FLOAT:
		return sizeof(double);
	case PM_BOOL:
		return 1;
	case PM_STRING:
		return sizeof(uint32_t);
	}
	return 8;
}

void column_init(struct column *c, const char *name, enum pm_type type, size_t nrows)
{
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->type = type;
	c->valid = xcalloc(nrows, 1);
	c->v.i64 = xcalloc(nrows, type_width(type));
	if (type == PM_STRING)
		c->dict = strdict_new();
	c->nmissing = nrows;
	c->nrows = nrows;
}

/* Arrays of a mapped frame point into the mapping and are not ours to free;
 * a column added to such a frame later is heap-allocated and is freed. */
static bool in_map(const struct frame *f, const void *p)
{
	const char *b = f->map.data;
	return b && (const char *)p >= b && (const char *)p <= b + f->map.len;
}

void frame_free(struct frame *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ncols; i++) {
		struct column *c = &f->cols[i];
		free(c->name);
		if (!in_map(f, c->valid))
			free(c->valid);
		if (!in_map(f, c->v.i64))
			free(c->v.i64);
		strdict_free(c->dict);
	}
	free(f->cols);
	free(f->name);
	cache_build_abort(f->build); /* an unfinished file: removed */
	if (f->map.data || f->map.fd >= 0)
		fs_map_close(&f->map);
	free(f);
}

int frame_col_index(const struct frame *f, const char *name)
{
	for (size_t i = 0; i < f->ncols; i++)
		if (strcmp(f->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

double column_num(const struct column *c, size_t row)
{
	if (!c->valid[row])
		return NAN;
	switch (c->type) {
	case PM_INT:
	case PM_TIMESTAMP:
		return (double)c->v.i64[row];
	case PM_FLOAT:
		return c->v.f64[row];
	case PM_BOOL:
		return c->v.b[row] ? 1.0 : 0.0;
	case PM_STRING:
		break;
	}
	return NAN;
}

bool column_same(const struct column *c, size_t a, size_t b)
{
	if (!c->valid[a] || !c->valid[b])
		return !c->valid[a] && !c->valid[b];
	switch (c->type) {
	case PM_INT:
	case PM_TIMESTAMP:
		return c->v.i64[a] == c->v.i64[b];
	case PM_FLOAT:
		/* NaN written by SQL is one value here, as a key or an input */
		return c->v.f64[a] == c->v.f64[b] || (isnan(c->v.f64[a]) && isnan(c->v.f64[b]));
	case PM_BOOL:
		return c->v.b[a] == c->v.b[b];
	case PM_STRING:
		return c->v.code[a] == c->v.code[b];
	}
	return false;
}

const char *column_text_len(const struct column *c, size_t row, char *buf, size_t n,
			    size_t *len)
{
	const char *s = buf;
	if (!c->valid[row]) {
		*len = 0;
		return "";
	}
	switch (c->type) {
	case PM_INT:
		snprintf(buf, n, "%" PRId64, c->v.i64[row]);
		break;
	case PM_FLOAT:
		/* lower case, as tables print them; load reads both back */
		if (isinf(c->v.f64[row]))
			snprintf(buf, n, "%s", c->v.f64[row] > 0 ? "inf" : "-inf");
		else
			fmt_double(c->v.f64[row], buf, n);
		break;
	case PM_BOOL:
		s = c->v.b[row] ? "true" : "false";
		*len = c->v.b[row] ? 4 : 5;
		return s;
	case PM_TIMESTAMP:
		ts_format(c->v.i64[row], buf, n);
		break;
	case PM_STRING: {
		uint32_t code = c->v.code[row];
		if (!c->dict || code >= c->dict->n) {
			*len = 0;
			return "";
		}
		*len = c->dict->len[code];
		return c->dict->str[code];
	}
	}
	*len = strlen(s);
	return s;
}

const char *column_text(const struct column *c, size_t row, char *buf, size_t n)
{
	size_t len;
	return column_text_len(c, row, buf, n, &len);
}

void column_count_missing(struct column *c)
{
	size_t present = 0;
	for (size_t i = 0; i < c->nrows; i++)
		present += c->valid[i] != 0;
	c->nmissing = c->nrows - present;
}

/* The fingerprint chains hash64 over blocks, each hash seeding the next.
 * Missing slots are hashed as zero whatever they hold, and strings by a hash
 * of their bytes, so the value is independent of dictionary codes and of how
 * the frame was built (CSV, cache, SQL, take). */
uint64_t fp_complete_block(const void *values, size_t m, uint64_t h)
{
	static const uint8_t ones[FP_ROWS] = {[0 ... FP_ROWS - 1] = 1};
	h = hash64(ones, m, h);
	return hash64(values, m * 8, h);
}

uint64_t fp_column(const struct column *c, size_t nrows, uint64_t h)
{
	uint64_t tmp[FP_ROWS];
	uint64_t *shash = NULL;
	if (c->type == PM_STRING && c->dict) {
		shash = xmalloc((c->dict->n ? c->dict->n : 1) * sizeof *shash);
		for (uint32_t k = 0; k < c->dict->n; k++)
			shash[k] = hash64(c->dict->str[k], c->dict->len[k], 0x73747273);
	}
	for (size_t r0 = 0; r0 < nrows; r0 += FP_ROWS) {
		size_t m = nrows - r0 < FP_ROWS ? nrows - r0 : FP_ROWS;
		uint8_t vb[FP_ROWS];
		uint8_t all = 1;
		for (size_t k = 0; k < m; k++) {
			vb[k] = c->valid[r0 + k] != 0;
			all &= vb[k];
		}
		if (all && c->type != PM_BOOL && c->type != PM_STRING) {
			/* no missing value to zero: the values are the bytes hashed */
			h = fp_complete_block((const char *)c->v.i64 + r0 * 8, m, h);
			continue;
		}
		h = hash64(vb, m, h);
		/* one loop per type, each a select the compiler can vectorize */
		switch (c->type) {
		case PM_INT:
		case PM_TIMESTAMP:
		case PM_FLOAT:
			for (size_t k = 0; k < m; k++) {
				uint64_t v;
				memcpy(&v, (const char *)c->v.i64 + (r0 + k) * 8, 8);
				tmp[k] = vb[k] ? v : 0;
			}
			break;
		case PM_BOOL:
			for (size_t k = 0; k < m; k++)
				tmp[k] = vb[k] && c->v.b[r0 + k] != 0;
			break;
		case PM_STRING:
			for (size_t k = 0; k < m; k++) {
				uint32_t code = c->v.code[r0 + k];
				tmp[k] = vb[k] && shash && code < c->dict->n ? shash[code] : 0;
			}
			break;
		}
		h = hash64(tmp, m * sizeof *tmp, h);
	}
	free(shash);
	return h;
}

uint64_t fp_begin(const struct frame *f)
{
	uint64_t hdr[2] = {f->nrows, f->ncols};
	return hash64(hdr, sizeof hdr, 0x70726f646d6cULL);
}

uint64_t fp_column_head(const struct column *c, uint64_t h)
{
	h = hash64(c->name, strlen(c->name) + 1, h);
	uint8_t t = (uint8_t)c->type;
	return hash64(&t, 1, h);
}

void fp_hex(uint64_t h, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, h);
}

void frame_fingerprint(const struct frame *f, char out[17])
{
	uint64_t h = fp_begin(f);
	for (size_t i = 0; i < f->ncols; i++) {
		h = fp_column_head(&f->cols[i], h);
		h = fp_column(&f->cols[i], f->nrows, h);
	}
	fp_hex(h, out);
}

struct frame *frame_take(const struct frame *f, const char *name, const size_t *rows, size_t n)
{
	struct frame *t = frame_new(name, n, f->ncols);
	for (size_t i = 0; i < f->ncols; i++) {
		const struct column *src = &f->cols[i];
		struct column *dst = &t->cols[i];
		column_init(dst, src->name, src->type, n);
		size_t present = 0;
		for (size_t k = 0; k < n; k++) {
			size_t r = rows[k];
			if (!src->valid[r])
				continue;
			dst->valid[k] = 1;
			present++;
			switch (src->type) {
			case PM_INT:
			case PM_TIMESTAMP:
				dst->v.i64[k] = src->v.i64[r];
				break;
			case PM_FLOAT:
				dst->v.f64[k] = src->v.f64[r];
				break;
			case PM_BOOL:
				dst->v.b[k] = src->v.b[r];
				break;
			case PM_STRING: {
				uint32_t code = src->v.code[r];
				/* Re-interning keeps codes in first-seen order of the
				 * new row order, as a fresh load would give. */
				dst->v.code[k] = strdict_intern_h(
					dst->dict, src->dict->str[code], src->dict->len[code],
					strdict_hash(src->dict->str[code], src->dict->len[code]));
				break;
			}
			}
		}
		dst->nmissing = n - present;
	}
	return t;
}
