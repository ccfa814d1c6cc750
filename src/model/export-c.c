/* The standalone C predictor: one C99 source and a header holding a
 * model's transform and weights as constant tables and the code that
 * applies them, for an app or a device with no prodml.  No heap, libm (and
 * the C library's snprintf/strtod for numeric categories) only.
 *
 * The code it writes does what transform_apply, model_predict_rows and
 * model_quant_deep do, operation for operation and in their order, and
 * numbers are written as hexadecimal floats, which read back exactly: a
 * float64 or quantized model predicts the same bits as prodml wherever the
 * compiler does not fuse multiply-adds (ISO C's default, -ffp-contract=off;
 * GCC's -std=c99 keeps it). */
#include "model.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cgen {
	const struct model *m;
	struct sbuf *o;
	size_t data;             /* bytes of the constant tables */
	char **field;            /* C name of each input */
	bool need_key, need_numkey, need_vocab, need_hash, need_date, need_parse;
};

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
	"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
	"union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex", "_Imaginary", NULL};

/* A C identifier for a column name: other bytes become '_', a leading
 * digit gets a '_' before it, a keyword one after it, and a name already
 * taken a number. */
static char *c_ident(const char *name, char **taken, size_t ntaken)
{
	struct sbuf b = {0};
	if (isdigit((unsigned char)name[0]) || !name[0])
		sbuf_add(&b, "_", 1);
	for (const char *p = name; *p; p++)
		sbuf_printf(&b, "%c", isalnum((unsigned char)*p) ? *p : '_');
	for (size_t i = 0; c_keywords[i]; i++)
		if (!strcmp(b.s, c_keywords[i]))
			sbuf_add(&b, "_", 1);
	char *base = sbuf_steal(&b), *s = xstrdup(base);
	for (int k = 2;; k++) {
		bool clash = false;
		for (size_t i = 0; i < ntaken; i++)
			clash |= !strcmp(taken[i], s);
		if (!clash)
			break;
		free(s);
		s = xasprintf("%s_%d", base, k);
	}
	free(base);
	return s;
}

/* A string literal: bytes other than plain letters, digits and a few
 * marks as three-digit octal escapes (which end where they must). */
static void c_string(struct sbuf *o, const char *s, size_t n)
{
	sbuf_add(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == ' ' || c == '_' || c == '-' || c == '.' || c == ',' || c == ':' || c == '/')
			sbuf_printf(o, "%c", c);
		else
			sbuf_printf(o, "\\%03o", c);
	}
	sbuf_add(o, "\"", 1);
}

static void emit_doubles(struct cgen *g, const char *name, const double *v, size_t n)
{
	sbuf_printf(g->o, "static const double %s[%zu] = {", name, n ? n : 1);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(g->o, "%s%a", i == 0 ? "\n\t" : i % 4 ? ", " : ",\n\t", v[i]);
	sbuf_printf(g->o, "%s};\n", n ? "\n" : "0");
	g->data += (n ? n : 1) * sizeof(double);
}

static void emit_floats(struct cgen *g, const char *name, const float *v, size_t n)
{
	sbuf_printf(g->o, "static const float %s[%zu] = {", name, n ? n : 1);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(g->o, "%s%af", i == 0 ? "\n\t" : i % 4 ? ", " : ",\n\t", (double)v[i]);
	sbuf_printf(g->o, "%s};\n", n ? "\n" : "0");
	g->data += (n ? n : 1) * sizeof(float);
}

static void emit_int8(struct cgen *g, const char *name, const int8_t *v, size_t n, size_t stride,
		      size_t rows)
{
	/* rows x n of a padded matrix (stride), unpadded */
	size_t total = rows * n;
	sbuf_printf(g->o, "static const signed char %s[%zu] = {", name, total ? total : 1);
	size_t c = 0;
	for (size_t r = 0; r < rows; r++)
		for (size_t i = 0; i < n; i++, c++)
			sbuf_printf(g->o, "%s%d", c == 0 ? "\n\t" : c % 16 ? "," : ",\n\t", v[r * stride + i]);
	sbuf_printf(g->o, "%s};\n", total ? "\n" : "0");
	g->data += total ? total : 1;
}

/* ---- the helpers the transform needs, each written only when used ---------------------- */

static const char c_vocab[] =
	"/* The index of a key in a vocabulary sorted by bytes (then length), or -1. */\n"
	"struct vocab_entry {\n\tconst char *s;\n\tunsigned len, index;\n};\n"
	"static long vocab_find(const struct vocab_entry *v, long n, const char *s, size_t len)\n{\n"
	"\tlong lo = 0, hi = n;\n"
	"\twhile (lo < hi) {\n"
	"\t\tlong mid = lo + (hi - lo) / 2;\n"
	"\t\tsize_t ml = v[mid].len < len ? v[mid].len : len;\n"
	"\t\tint c = memcmp(v[mid].s, s, ml);\n"
	"\t\tif (c == 0)\n\t\t\tc = v[mid].len < len ? -1 : v[mid].len > len ? 1 : 0;\n"
	"\t\tif (c == 0)\n\t\t\treturn (long)v[mid].index;\n"
	"\t\tif (c < 0)\n\t\t\tlo = mid + 1;\n\t\telse\n\t\t\thi = mid;\n"
	"\t}\n\treturn -1;\n}\n\n";

static const char c_numkey[] =
	"/* The key of a number as prodml writes it: an integer in decimal, else\n"
	" * the shortest %g form (6 to 17 digits) that reads back. */\n"
	"static size_t num_key(double x, char *buf)\n{\n"
	"\tif (x == trunc(x) && fabs(x) < 9.2e18) {\n"
	"\t\tlong long k = (long long)x;\n"
	"\t\tunsigned long long u = k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;\n"
	"\t\tchar tmp[24];\n\t\tint len = 0, n = 0;\n"
	"\t\tdo {\n\t\t\ttmp[len++] = (char)('0' + u % 10);\n\t\t\tu /= 10;\n\t\t} while (u);\n"
	"\t\tif (k < 0)\n\t\t\tbuf[n++] = '-';\n"
	"\t\twhile (len)\n\t\t\tbuf[n++] = tmp[--len];\n"
	"\t\tbuf[n] = 0;\n\t\treturn (size_t)n;\n\t}\n"
	"\tfor (int p = 6; p <= 17; p++) {\n"
	"\t\tsnprintf(buf, 40, \"%.*g\", p, x);\n"
	"\t\tif (strtod(buf, NULL) == x)\n\t\t\tbreak;\n\t}\n"
	"\treturn strlen(buf);\n}\n\n";

static const char c_hash[] =
	"/* XXH64, the hash of prodml's hash buckets and crosses. */\n"
	"#define P1 11400714785074694791ULL\n#define P2 14029467366897019727ULL\n"
	"#define P3 1609587929392839161ULL\n#define P4 9650029242287828579ULL\n"
	"#define P5 2870177450012600261ULL\n"
	"static uint64_t rotl64(uint64_t x, int r)\n{\n\treturn (x << r) | (x >> (64 - r));\n}\n"
	"static uint64_t rd64(const unsigned char *p)\n{\n\tuint64_t v = 0;\n"
	"\tfor (int i = 7; i >= 0; i--)\n\t\tv = v << 8 | p[i];\n\treturn v;\n}\n"
	"static uint64_t rd32(const unsigned char *p)\n{\n"
	"\treturn (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;\n}\n"
	"static uint64_t round64(uint64_t acc, uint64_t in)\n{\n"
	"\tacc += in * P2;\n\tacc = rotl64(acc, 31);\n\treturn acc * P1;\n}\n"
	"static uint64_t hash64(const void *data, size_t len, uint64_t seed)\n{\n"
	"\tconst unsigned char *p = data, *end = p + len;\n\tuint64_t h;\n"
	"\tif (len >= 32) {\n"
	"\t\tuint64_t v[4] = {seed + P1 + P2, seed + P2, seed, seed - P1};\n"
	"\t\tdo {\n\t\t\tfor (int i = 0; i < 4; i++)\n\t\t\t\tv[i] = round64(v[i], rd64(p + 8 * i));\n"
	"\t\t\tp += 32;\n\t\t} while (p + 32 <= end);\n"
	"\t\th = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);\n"
	"\t\tfor (int i = 0; i < 4; i++) {\n\t\t\th ^= round64(0, v[i]);\n\t\t\th = h * P1 + P4;\n\t\t}\n"
	"\t} else\n\t\th = seed + P5;\n"
	"\th += (uint64_t)len;\n"
	"\twhile (p + 8 <= end) {\n\t\th ^= round64(0, rd64(p));\n\t\th = rotl64(h, 27) * P1 + P4;\n\t\tp += 8;\n\t}\n"
	"\tif (p + 4 <= end) {\n\t\th ^= rd32(p) * P1;\n\t\th = rotl64(h, 23) * P2 + P3;\n\t\tp += 4;\n\t}\n"
	"\twhile (p < end) {\n\t\th ^= (*p) * P5;\n\t\th = rotl64(h, 11) * P1;\n\t\tp++;\n\t}\n"
	"\th ^= h >> 33;\n\th *= P2;\n\th ^= h >> 29;\n\th *= P3;\n\th ^= h >> 32;\n\treturn h;\n}\n\n";

static const char c_date[] =
	"/* Hour, day of the week (0 Sunday) and month (1-12) of a time in\n"
	" * microseconds since 1970, UTC. */\n"
	"static int64_t floordiv(int64_t a, int64_t b)\n{\n"
	"\tint64_t q = a / b;\n\treturn (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;\n}\n"
	"static void date_parts(int64_t us, int *hour, int *dow, int *month)\n{\n"
	"\tint64_t s = floordiv(us, 1000000), days = floordiv(s, 86400), rem = s - days * 86400;\n"
	"\tint64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097, w = (days + 4) % 7;\n"
	"\tunsigned doe = (unsigned)(z - era * 146097);\n"
	"\tunsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;\n"
	"\tunsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;\n"
	"\t*month = (int)(mp < 10 ? mp + 3 : mp - 9);\n"
	"\t*hour = (int)(rem / 3600);\n"
	"\t*dow = (int)(w < 0 ? w + 7 : w);\n}\n\n";

static const char c_parse[] =
	"/* A string read as a number where the transform needs one: all of it. */\n"
	"static int parse_num(const char *s, double *x)\n{\n"
	"\tchar *end;\n\t*x = strtod(s, &end);\n"
	"\treturn end != s && *end == 0 ? 0 : -1;\n}\n\n";

/* ---- the transform --------------------------------------------------------------------- */

struct vsort {
	const char *s;
	uint32_t len, index;
};

static int vsort_cmp(const void *a, const void *b)
{
	const struct vsort *x = a, *y = b;
	uint32_t ml = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, ml);
	if (c == 0)
		c = x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
	return c;
}

/* The tables of the transform: bounds and vocabularies. */
static void emit_transform_tables(struct cgen *g)
{
	const struct transform *t = g->m->tf;
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		char name[48];
		if (ft->kind == FT_BUCKETIZE) {
			snprintf(name, sizeof name, "f%zu_bounds", i);
			emit_doubles(g, name, ft->bounds, ft->nbounds);
		} else if (ft->kind == FT_ONEHOT) {
			struct vsort *v = xcalloc(ft->vocab.n + 1, sizeof *v);
			for (uint32_t k = 0; k < ft->vocab.n; k++)
				v[k] = (struct vsort){ft->vocab.str[k], ft->vocab.len[k], k};
			qsort(v, ft->vocab.n, sizeof *v, vsort_cmp);
			sbuf_printf(g->o, "/* %s: its vocabulary, sorted */\n", ft->name);
			sbuf_printf(g->o, "static const struct vocab_entry f%zu_vocab[%u] = {", i,
				    ft->vocab.n ? ft->vocab.n : 1);
			for (uint32_t k = 0; k < ft->vocab.n; k++) {
				sbuf_add(g->o, "\n\t{", 3);
				c_string(g->o, v[k].s, v[k].len);
				sbuf_printf(g->o, ", %u, %u},", v[k].len, v[k].index);
				g->data += v[k].len + 1;
			}
			sbuf_printf(g->o, "%s};\n", ft->vocab.n ? "\n" : "{\"\", 0, 0}");
			g->data += (ft->vocab.n ? ft->vocab.n : 1) * (sizeof(void *) + 8);
			free(v);
		}
	}
}

/* Reads input `in` of feature ft into the double x and the int miss; a
 * string input a number must parse from. */
static void emit_number(struct cgen *g, const struct ft_feature *ft, int in)
{
	const struct transform *t = g->m->tf;
	const char *f = g->field[in];
	if (t->inputs[in].type == PM_STRING) {
		g->need_parse = true;
		sbuf_printf(g->o, "\t\tint miss = in->%s == NULL;\n\t\tdouble x = 0;\n"
			    "\t\tif (!miss && parse_num(in->%s, &x) < 0)\n\t\t\treturn -1;\n", f, f);
	} else
		sbuf_printf(g->o, "\t\tdouble x = in->%s;\n\t\tint miss = isnan(x);\n", f);
	sbuf_printf(g->o, "\t\tif (!miss && isinf(x))\n\t\t\treturn -1; /* prodml refuses %s too */\n",
		    ft->name);
}

/* x through clip and log1p, as value_space. */
static void emit_value_space(struct cgen *g, const struct ft_feature *ft)
{
	if (ft->clip)
		sbuf_printf(g->o, "\t\tif (x < %a)\n\t\t\tx = %a;\n\t\tif (x > %a)\n\t\t\tx = %a;\n",
			    ft->clip_lo, ft->clip_lo, ft->clip_hi, ft->clip_hi);
	if (ft->log1p)
		sbuf_printf(g->o, "\t\tx = log1p(x > 0 ? x : 0);\n");
}

/* key and klen of input `in`: the string, or the number's key. */
static void emit_key(struct cgen *g, int in, const char *key, const char *len)
{
	const struct transform *t = g->m->tf;
	const char *f = g->field[in];
	if (t->inputs[in].type == PM_STRING)
		sbuf_printf(g->o, "\t\t\t%s = in->%s;\n\t\t\t%s = strlen(in->%s);\n", key, f, len, f);
	else {
		g->need_numkey = true;
		sbuf_printf(g->o, "\t\t\t%s = buf;\n\t\t\t%s = num_key(in->%s, buf);\n", key, len, f);
	}
}

static void emit_missing(struct cgen *g, int in)
{
	const char *f = g->field[in];
	if (g->m->tf->inputs[in].type == PM_STRING)
		sbuf_printf(g->o, "in->%s == NULL", f);
	else
		sbuf_printf(g->o, "isnan(in->%s)", f);
}

static void emit_transform(struct cgen *g)
{
	const struct transform *t = g->m->tf;
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		static const char *const kinds[] = {"numeric", "bucketized", "one-hot", "hashed", "crossed",
						    "date part"};
		sbuf_printf(g->o, "\t{ /* %s: %s */\n", ft->name, kinds[ft->kind]);
		switch (ft->kind) {
		case FT_NUMERIC:
			emit_number(g, ft, ft->input);
			sbuf_printf(g->o, "\t\tif (miss)\n\t\t\tx = %a;\n", ft->impute_value);
			emit_value_space(g, ft);
			sbuf_printf(g->o, "\t\tdense[%d] = (x - %a) / %a;\n", ft->dense_off, ft->center, ft->div);
			if (ft->indicator)
				sbuf_printf(g->o, "\t\tdense[%d] = miss ? 1.0 : 0.0;\n", ft->dense_off + 1);
			else
				sbuf_printf(g->o, "\t\t(void)miss;\n");
			break;
		case FT_BUCKETIZE:
			emit_number(g, ft, ft->input);
			sbuf_printf(g->o, "\t\tunsigned idx = %uu;\n\t\tif (!miss) {\n", ft->card - 1);
			emit_value_space(g, ft);
			sbuf_printf(g->o, "\t\t\tunsigned lo = 0, hi = %uu;\n"
				    "\t\t\twhile (lo < hi) {\n\t\t\t\tunsigned mid = (lo + hi) / 2;\n"
				    "\t\t\t\tif (f%zu_bounds[mid] <= x)\n\t\t\t\t\tlo = mid + 1;\n"
				    "\t\t\t\telse\n\t\t\t\t\thi = mid;\n\t\t\t}\n\t\t\tidx = lo;\n\t\t}\n",
				    ft->nbounds, i);
			sbuf_printf(g->o, "\t\tcat[%d] = %uu + idx;\n", ft->cat_slot, ft->cat_off);
			break;
		case FT_ONEHOT:
			g->need_vocab = true;
			sbuf_printf(g->o, "\t\tunsigned idx = %uu;\n\t\tif (!(", (ft->impute == FT_IMPUTE_MODE && ft->vocab.n) ? 0 : ft->card - 1);
			emit_missing(g, ft->input);
			sbuf_printf(g->o, ")) {\n\t\t\tconst char *key;\n\t\t\tsize_t klen;\n");
			emit_key(g, ft->input, "key", "klen");
			sbuf_printf(g->o, "\t\t\tlong k = vocab_find(f%zu_vocab, %u, key, klen);\n"
				    "\t\t\tidx = k < 0 ? %uu : (unsigned)k;\n\t\t}\n", i, ft->vocab.n, ft->vocab.n);
			sbuf_printf(g->o, "\t\tcat[%d] = %uu + idx;\n", ft->cat_slot, ft->cat_off);
			break;
		case FT_HASH:
			g->need_hash = true;
			sbuf_printf(g->o, "\t\tunsigned idx = %uu;\n\t\tif (!(", ft->nbuckets);
			emit_missing(g, ft->input);
			sbuf_printf(g->o, ")) {\n\t\t\tconst char *key;\n\t\t\tsize_t klen;\n");
			emit_key(g, ft->input, "key", "klen");
			sbuf_printf(g->o, "\t\t\tidx = (unsigned)(hash64(key, klen, HASH_SEED) %% %uu);\n\t\t}\n",
				    ft->nbuckets);
			sbuf_printf(g->o, "\t\tcat[%d] = %uu + idx;\n", ft->cat_slot, ft->cat_off);
			break;
		case FT_CROSS:
			g->need_hash = true;
			sbuf_printf(g->o, "\t\tunsigned idx = %uu;\n\t\tif (!(", ft->nbuckets);
			for (int c = 0; c < ft->ncross; c++) {
				if (c)
					sbuf_printf(g->o, " || ");
				emit_missing(g, ft->cross[c]);
			}
			sbuf_printf(g->o, ")) {\n\t\t\tuint64_t h = HASH_SEED;\n\t\t\tconst char *key;\n\t\t\tsize_t klen;\n");
			for (int c = 0; c < ft->ncross; c++) {
				emit_key(g, ft->cross[c], "key", "klen");
				sbuf_printf(g->o, "\t\t\th = hash64(key, klen, h);\n");
			}
			sbuf_printf(g->o, "\t\t\tidx = (unsigned)(h %% %uu);\n\t\t}\n", ft->nbuckets);
			sbuf_printf(g->o, "\t\tcat[%d] = %uu + idx;\n", ft->cat_slot, ft->cat_off);
			break;
		case FT_DATEPART:
			g->need_date = true;
			emit_number(g, ft, ft->input);
			if (ft->part == FT_PART_WEEKEND)
				sbuf_printf(g->o, "\t\tdense[%d] = 0;\n\t\tif (!miss) {\n", ft->dense_off);
			else
				sbuf_printf(g->o, "\t\tunsigned idx = %uu;\n\t\tif (!miss) {\n", ft->card - 1);
			if (ft->unix_seconds)
				sbuf_printf(g->o, "\t\t\tint64_t us = (int64_t)floor(x) * 1000000 + (int64_t)llround((x - floor(x)) * 1e6);\n");
			else
				sbuf_printf(g->o, "\t\t\tint64_t us = (int64_t)x;\n");
			sbuf_printf(g->o, "\t\t\tint hour, dow, month;\n\t\t\tdate_parts(us, &hour, &dow, &month);\n");
			switch (ft->part) {
			case FT_PART_HOUR:
				sbuf_printf(g->o, "\t\t\t(void)dow;\n\t\t\t(void)month;\n\t\t\tidx = (unsigned)hour;\n");
				break;
			case FT_PART_DOW:
				sbuf_printf(g->o, "\t\t\t(void)hour;\n\t\t\t(void)month;\n\t\t\tidx = (unsigned)dow;\n");
				break;
			case FT_PART_MONTH:
				sbuf_printf(g->o, "\t\t\t(void)hour;\n\t\t\t(void)dow;\n\t\t\tidx = (unsigned)(month - 1);\n");
				break;
			case FT_PART_WEEKEND:
				sbuf_printf(g->o, "\t\t\t(void)hour;\n\t\t\t(void)month;\n"
					    "\t\t\tdense[%d] = (dow == 0 || dow == 6) ? 1.0 : 0.0;\n", ft->dense_off);
				break;
			}
			sbuf_printf(g->o, "\t\t}\n");
			if (ft->part != FT_PART_WEEKEND)
				sbuf_printf(g->o, "\t\tcat[%d] = %uu + idx;\n", ft->cat_slot, ft->cat_off);
			break;
		}
		sbuf_printf(g->o, "\t}\n");
	}
}

/* ---- the model ---------------------------------------------------------------------------- */

static void emit_model_tables(struct cgen *g)
{
	const struct model *m = g->m;
	const struct transform *t = m->tf;
	const struct model_quant *q = m->quant;
	size_t K = (size_t)m->nout;
	if (m->has_linear) {
		if (m->linear_dense)
			emit_doubles(g, "lin_dense", m->params + m->off_wd, K * t->ndense);
		emit_doubles(g, "lin_cat", m->params + m->off_wc, (size_t)t->cat_total * K);
		emit_doubles(g, "lin_bias", m->params + m->off_b, K);
	}
	if (!m->has_deep)
		return;
	/* embeddings, one table per categorical feature; the int8 block's
	 * rows (and scales) run in feature order from the block's start */
	size_t row = 0, emb_base = 0;
	for (size_t b = 0; b < m->nblocks; b++)
		if (!strcmp(m->blocks[b].name, "embeddings"))
			emb_base = m->blocks[b].off;
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
			continue;
		size_t e = (size_t)m->embed[ft->cat_slot], n = e * ft->card;
		const double *p = m->params + m->off_emb[ft->cat_slot];
		char name[48];
		snprintf(name, sizeof name, "emb%d", ft->cat_slot);
		sbuf_printf(g->o, "/* %s: its embedding, %u rows of %zu */\n", ft->name, ft->card, e);
		if (!q)
			emit_doubles(g, name, p, n);
		else if (q->kind == QUANT_INT8) {
			emit_int8(g, name, q->emb8 + (m->off_emb[ft->cat_slot] - emb_base), n, n, 1);
			snprintf(name, sizeof name, "emb%d_scale", ft->cat_slot);
			emit_doubles(g, name, q->emb_scale + row, ft->card);
		} else {
			float *f = xmalloc((n + 1) * sizeof *f);
			for (size_t k = 0; k < n; k++)
				f[k] = (float)p[k];
			emit_floats(g, name, f, n);
			free(f);
		}
		row += ft->card;
	}
	for (int l = 0; l <= m->nhidden; l++) {
		char name[48];
		size_t din = m->dims[l], dout = m->dims[l + 1];
		sbuf_printf(g->o, "/* layer %d: %zu x %zu */\n", l + 1, dout, din);
		snprintf(name, sizeof name, "w%d", l);
		if (!q)
			emit_doubles(g, name, m->params + m->off_w[l], din * dout);
		else if (q->kind == QUANT_INT8) {
			emit_int8(g, name, q->layer[l].w8, din, q->layer[l].stride, dout);
			snprintf(name, sizeof name, "w%d_scale", l);
			emit_doubles(g, name, q->layer[l].scale, dout);
		} else
			emit_floats(g, name, q->layer[l].wf, din * dout);
		snprintf(name, sizeof name, "b%d", l);
		emit_doubles(g, name, m->params + m->off_bias[l], dout);
	}
	if (q && q->kind == QUANT_INT8 && q->mode == QUANT_STATIC) {
		double as[MODEL_MAX_LAYERS + 1];
		for (int l = 0; l <= m->nhidden; l++)
			as[l] = q->layer[l].act_scale;
		emit_doubles(g, "act_scale", as, (size_t)m->nhidden + 1);
	}
}

static const char c_layer[] =
	"/* One layer, each output's sum in four parts in prodml's order. */\n"
	"static void layer(const double *w, const double *b, int din, int dout, const double *a,\n"
	"\t\t  double *o, int relu)\n{\n"
	"\tfor (int k = 0; k < dout; k++) {\n"
	"\t\tconst double *r = w + (long)k * din;\n"
	"\t\tdouble s0 = 0, s1 = 0, s2 = 0, s3 = 0;\n\t\tint i = 0;\n"
	"\t\tfor (; i + 4 <= din; i += 4) {\n"
	"\t\t\ts0 += r[i] * a[i];\n\t\t\ts1 += r[i + 1] * a[i + 1];\n"
	"\t\t\ts2 += r[i + 2] * a[i + 2];\n\t\t\ts3 += r[i + 3] * a[i + 3];\n\t\t}\n"
	"\t\tfor (; i < din; i++)\n\t\t\ts0 += r[i] * a[i];\n"
	"\t\tdouble v = ((s0 + s1) + (s2 + s3)) + b[k];\n"
	"\t\to[k] = relu ? (v > 0 ? v : 0) : v;\n\t}\n}\n\n";

static const char c_act_range[] =
	"/* The largest |a| over 127: the scale of a layer's input in dynamic mode. */\n"
	"static double act_range(const double *a, int n)\n{\n"
	"\tdouble mx = 0;\n\tfor (int i = 0; i < n; i++)\n\t\tif (fabs(a[i]) > mx)\n\t\t\tmx = fabs(a[i]);\n"
	"\treturn mx / 127.0;\n}\n\n";  /* a maximum: the same in any order */

static const char c_layer8[] =
	"/* One int8 layer: the input quantized with scale s (a * (1 / s),\n"
	" * clamped, rounded half away from zero), int8 x int8 summed exactly in\n"
	" * 32 bits, then scaled back per output row. */\n"
	"static void layer8(const signed char *w, const double *ws, const double *b, int din, int dout,\n"
	"\t\t   double s, const double *a, double *o, int relu, signed char *q)\n{\n"
	"\tdouble inv = s > 0 ? 1.0 / s : 0.0;\n"
	"\tfor (int i = 0; i < din; i++) {\n"
	"\t\tdouble x = a[i] * inv;\n"
	"\t\tx = x < 127.0 ? x : 127.0;\n\t\tx = x > -127.0 ? x : -127.0;\n"
	"\t\tq[i] = (signed char)(int)(x >= 0 ? x + 0.5 : x - 0.5);\n"
	"\t\tif (!(s > 0))\n\t\t\tq[i] = 0;\n\t}\n"
	"\tfor (int k = 0; k < dout; k++) {\n"
	"\t\tconst signed char *r = w + (long)k * din;\n\t\tint32_t acc = 0;\n"
	"\t\tfor (int i = 0; i < din; i++)\n\t\t\tacc += (int32_t)r[i] * (int32_t)q[i];\n"
	"\t\tdouble v = (double)acc * (ws[k] * s) + b[k];\n"
	"\t\to[k] = relu ? (v > 0 ? v : 0) : v;\n\t}\n}\n\n";

static const char c_layerf[] =
	"/* One fp16 layer: the halves as floats, sums in float. */\n"
	"static void layerf(const float *w, const double *b, int din, int dout, const float *a,\n"
	"\t\t   float *o, int relu)\n{\n"
	"\tfor (int k = 0; k < dout; k++) {\n"
	"\t\tconst float *r = w + (long)k * din;\n"
	"\t\tfloat s0 = 0, s1 = 0, s2 = 0, s3 = 0;\n\t\tint i = 0;\n"
	"\t\tfor (; i + 4 <= din; i += 4) {\n"
	"\t\t\ts0 += r[i] * a[i];\n\t\t\ts1 += r[i + 1] * a[i + 1];\n"
	"\t\t\ts2 += r[i + 2] * a[i + 2];\n\t\t\ts3 += r[i + 3] * a[i + 3];\n\t\t}\n"
	"\t\tfor (; i < din; i++)\n\t\t\ts0 += r[i] * a[i];\n"
	"\t\tfloat v = ((s0 + s1) + (s2 + s3)) + (float)b[k];\n"
	"\t\to[k] = relu ? (v > 0 ? v : 0) : v;\n\t}\n}\n\n";

static const char c_dot[] =
	"static double dot4(const double *a, const double *b, int n)\n{\n"
	"\tdouble s0 = 0, s1 = 0, s2 = 0, s3 = 0;\n\tint k = 0;\n"
	"\tfor (; k + 4 <= n; k += 4) {\n"
	"\t\ts0 += a[k] * b[k];\n\t\ts1 += a[k + 1] * b[k + 1];\n"
	"\t\ts2 += a[k + 2] * b[k + 2];\n\t\ts3 += a[k + 3] * b[k + 3];\n\t}\n"
	"\tfor (; k < n; k++)\n\t\ts0 += a[k] * b[k];\n"
	"\treturn (s0 + s1) + (s2 + s3);\n}\n\n";

static size_t widest_layer(const struct model *m)
{
	size_t w = m->d0 > (size_t)m->nout ? m->d0 : (size_t)m->nout;
	for (int l = 1; l <= m->nhidden; l++)
		if (m->dims[l] > w)
			w = m->dims[l];
	return w;
}

static void emit_model(struct cgen *g)
{
	const struct model *m = g->m;
	const struct transform *t = m->tf;
	const struct model_quant *q = m->quant;
	size_t K = (size_t)m->nout;
	sbuf_printf(g->o, "\tdouble z[%zu];\n", K);
	if (m->has_linear) {
		sbuf_printf(g->o, "\tfor (int k = 0; k < %zu; k++) {\n", K);
		if (m->linear_dense)
			sbuf_printf(g->o, "\t\tdouble v = dot4(lin_dense + k * %zu, dense, %zu);\n", t->ndense, t->ndense);
		else
			sbuf_printf(g->o, "\t\tdouble v = 0.0;\n");
		sbuf_printf(g->o, "\t\tfor (int j = 0; j < %zu; j++)\n\t\t\tv += lin_cat[cat[j] * %zuu + (unsigned)k];\n"
			    "\t\tz[k] = v + lin_bias[k];\n\t}\n", t->ncat, K);
	} else
		sbuf_printf(g->o, "\tfor (int k = 0; k < %zu; k++)\n\t\tz[k] = 0;\n", K);
	if (m->has_deep) {
		size_t w = widest_layer(m);
		const char *ty = q && q->kind == QUANT_FP16 ? "float" : "double";
		sbuf_printf(g->o, "\tdouble in0[%zu];\n\t%s h0[%zu], h1[%zu];\n", m->d0, ty, w, w);
		if (q && q->kind == QUANT_INT8)
			sbuf_printf(g->o, "\tsigned char qbuf[%zu];\n", w);
		/* the deep input: the dense values, then each embedded category's row */
		sbuf_printf(g->o, "\tfor (int i = 0; i < %zu; i++)\n\t\tin0[i] = dense[i];\n", t->ndense);
		for (size_t i = 0; i < t->nfeat; i++) {
			const struct ft_feature *ft = &t->feat[i];
			if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
				continue;
			int s = ft->cat_slot, e = m->embed[s];
			sbuf_printf(g->o, "\t{\n\t\tunsigned c = cat[%d] - %uu;\n\t\tfor (int i = 0; i < %d; i++)\n", s,
				    ft->cat_off, e);
			if (q && q->kind == QUANT_INT8)
				sbuf_printf(g->o, "\t\t\tin0[%zu + i] = (double)emb%d[c * %du + (unsigned)i] * emb%d_scale[c];\n",
					    m->emb_col[s], s, e, s);
			else
				sbuf_printf(g->o, "\t\t\tin0[%zu + i] = (double)emb%d[c * %du + (unsigned)i];\n",
					    m->emb_col[s], s, e);
			sbuf_printf(g->o, "\t}\n");
		}
		if (q && q->kind == QUANT_FP16)
			sbuf_printf(g->o, "\tfor (int i = 0; i < %zu; i++)\n\t\th0[i] = (float)in0[i];\n", m->d0);
		else
			sbuf_printf(g->o, "\tfor (int i = 0; i < %zu; i++)\n\t\th0[i] = in0[i];\n", m->d0);
		for (int l = 0; l <= m->nhidden; l++) {
			const char *a = l % 2 ? "h1" : "h0", *o = l % 2 ? "h0" : "h1";
			int relu = l < m->nhidden;
			size_t din = m->dims[l], dout = m->dims[l + 1];
			if (!q)
				sbuf_printf(g->o, "\tlayer(w%d, b%d, %zu, %zu, %s, %s, %d);\n", l, l, din, dout, a, o, relu);
			else if (q->kind == QUANT_FP16)
				sbuf_printf(g->o, "\tlayerf(w%d, b%d, %zu, %zu, %s, %s, %d);\n", l, l, din, dout, a, o, relu);
			else if (q->mode == QUANT_STATIC)
				sbuf_printf(g->o, "\tlayer8(w%d, w%d_scale, b%d, %zu, %zu, act_scale[%d], %s, %s, %d, qbuf);\n",
					    l, l, l, din, dout, l, a, o, relu);
			else
				sbuf_printf(g->o, "\tlayer8(w%d, w%d_scale, b%d, %zu, %zu, act_range(%s, %zu), %s, %s, %d, qbuf);\n",
					    l, l, l, din, dout, a, din, a, o, relu);
		}
		const char *last = m->nhidden % 2 ? "h0" : "h1";
		sbuf_printf(g->o, "\tfor (int k = 0; k < %zu; k++)\n\t\tz[k] += %s%s[k];\n", K,
			    q && q->kind == QUANT_FP16 ? "(double)" : "", last);
	}
	/* the output, as finish_output */
	if (m->task == TASK_REGRESSION)
		sbuf_printf(g->o, "\tout[0] = z[0] * %a + %a;\n", m->label_std, m->label_mean);
	else if (K == 1)
		sbuf_printf(g->o, "\tdouble v = z[0];\n\tout[0] = v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v));\n");
	else
		sbuf_printf(g->o, "\tdouble mx = z[0], se = 0;\n"
			    "\tfor (int k = 1; k < %zu; k++)\n\t\tif (z[k] > mx)\n\t\t\tmx = z[k];\n"
			    "\tfor (int k = 0; k < %zu; k++) {\n\t\tz[k] = exp(z[k] - mx);\n\t\tse += z[k];\n\t}\n"
			    "\tfor (int k = 0; k < %zu; k++)\n\t\tout[k] = z[k] / se;\n", K, K, K);
}

int model_export_c(const struct model *m, const char *prefix, const char *title, struct sbuf *src,
		   struct sbuf *hdr, size_t *data_bytes, struct pm_err *err)
{
	const struct transform *t = m->tf;
	struct cgen g = {.m = m};
	if (m->nout < 1 || !t->ninputs)
		return pm_errf(err, "the model has no inputs or outputs to export");
	g.field = xcalloc(t->ninputs, sizeof *g.field);
	for (size_t i = 0; i < t->ninputs; i++)
		g.field[i] = c_ident(t->inputs[i].name, g.field, i);
	const char *what = m->quant ? quant_kind_name(m->quant->kind) : "float64";

	/* the header */
	char *guard = xstrdup(prefix);
	for (char *p = guard; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	sbuf_printf(hdr, "/* %s.h: the standalone predictor of prodml model %s (%s %s, %s weights).\n"
		    " * C99, no heap, libm only; the code is in %s.c. */\n"
		    "#ifndef %s_H\n#define %s_H\n\n", prefix, title, model_type_name(m->type),
		    model_task_name(m->task), what, prefix, guard, guard);
	sbuf_printf(hdr, "/* One row of raw inputs, named as the model's columns.  A number (int,\n"
		    " * float, bool as 0/1, timestamp as microseconds since 1970 UTC) is a double,\n"
		    " * NaN when missing; a string is NUL-terminated, NULL when missing.  A\n"
		    " * missing value or an unseen category is predicted as prodml predicts it. */\n"
		    "struct %s_input {\n", prefix);
	for (size_t i = 0; i < t->ninputs; i++) {
		int pad = 24 - (int)strlen(g.field[i]);
		sbuf_printf(hdr, "\t%s%s;%*s/* %s (%s) */\n", t->inputs[i].type == PM_STRING ? "const char *" : "double ",
			    g.field[i], pad > 1 ? pad : 1, "", t->inputs[i].name, pm_type_name(t->inputs[i].type));
	}
	sbuf_printf(hdr, "};\n\n#define %s_NOUT %d\n", guard, m->nout);
	if (m->task == TASK_REGRESSION)
		sbuf_printf(hdr, "/* out[0]: the predicted %s. */\n", m->label);
	else if (m->nout == 1)
		sbuf_printf(hdr, "/* out[0]: the probability that %s is %.*s. */\n", m->label,
			    (int)m->classes.len[1], m->classes.str[1]);
	else {
		sbuf_printf(hdr, "/* out[k]: the probability of class k of %s:", m->label);
		for (uint32_t k = 0; k < m->classes.n; k++)
			sbuf_printf(hdr, " %u=%.*s", k, (int)m->classes.len[k], m->classes.str[k]);
		sbuf_printf(hdr, ". */\n");
	}
	sbuf_printf(hdr, "/* Predicts one row into out[%s_NOUT]: 0, or -1 (out untouched) when a\n"
		    " * number is infinite or a string read as a number is not one, rows\n"
		    " * prodml refuses too. */\n"
		    "int %s_predict(const struct %s_input *in, double *out);\n\n#endif\n", guard, prefix, prefix);

	/* the tables and the function body first, to learn which helpers they use */
	struct sbuf tables = {0}, body = {0};
	g.o = &tables;
	emit_transform_tables(&g);
	emit_model_tables(&g);
	g.o = &body;
	sbuf_printf(&body, "int %s_predict(const struct %s_input *in, double *out)\n{\n", prefix, prefix);
	sbuf_printf(&body, "\tdouble dense[%zu];\n\tunsigned cat[%zu];\n", t->ndense + 1, t->ncat + 1);
	struct sbuf tf = {0};
	g.o = &tf;
	emit_transform(&g);
	g.o = &body;
	if (g.need_numkey)
		sbuf_printf(&body, "\tchar buf[48];\n");
	sbuf_add(&body, tf.s ? tf.s : "", tf.len);
	free(tf.s);
	emit_model(&g);
	sbuf_printf(&body, "\t(void)dense;\n\t(void)cat;\n\treturn 0;\n}\n");

	sbuf_printf(src, "/* %s.c: the standalone predictor of prodml model %s, written by prodml.\n"
		    " * %s %s, %s weights; the transform (scalers, vocabularies, buckets,\n"
		    " * hashes) as prodml applies it.  C99, no heap, libm only:\n"
		    " *     cc -std=c99 -O2 -c %s.c      (link with -lm)\n"
		    " * Keep floating-point contraction off (ISO C's default): prodml's sums\n"
		    " * are not fused, and the predictions then match its bits. */\n"
		    "#include \"%s.h\"\n\n#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n"
		    "#include <string.h>\n", prefix, title, model_type_name(m->type), model_task_name(m->task),
		    what, prefix, prefix);
	if (g.need_numkey)
		sbuf_printf(src, "#include <stdio.h>\n");
	if (g.need_numkey || g.need_parse)
		sbuf_printf(src, "#include <stdlib.h>\n");
	sbuf_printf(src, "\n");
	if (g.need_hash)
		sbuf_printf(src, "#define HASH_SEED 0x70726f646d6cULL\n%s", c_hash);
	if (g.need_vocab)
		sbuf_add(src, c_vocab, strlen(c_vocab));
	if (g.need_numkey)
		sbuf_add(src, c_numkey, strlen(c_numkey));
	if (g.need_date)
		sbuf_add(src, c_date, strlen(c_date));
	if (g.need_parse)
		sbuf_add(src, c_parse, strlen(c_parse));
	if (m->has_linear && m->linear_dense)
		sbuf_add(src, c_dot, strlen(c_dot));
	if (m->has_deep) {
		const char *l = !m->quant ? c_layer : m->quant->kind == QUANT_INT8 ? c_layer8 : c_layerf;
		if (m->quant && m->quant->kind == QUANT_INT8 && m->quant->mode == QUANT_DYNAMIC)
			sbuf_add(src, c_act_range, strlen(c_act_range));
		sbuf_add(src, l, strlen(l));
	}
	sbuf_add(src, tables.s ? tables.s : "", tables.len);
	sbuf_add(src, "\n", 1);
	sbuf_add(src, body.s, body.len);
	free(tables.s);
	free(body.s);
	free(guard);
	for (size_t i = 0; i < t->ninputs; i++)
		free(g.field[i]);
	free(g.field);
	*data_bytes = g.data;
	return 0;
}
