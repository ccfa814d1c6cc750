/* Rows in, predictions out: input values from JSON, text and frames
 * checked against the model's serving schema, the CSV row tokenizer, and
 * the text form of predictions.  Shared by `predict` and the server, so the
 * two read and print values the same way. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ------------------------------------------------------------------------ */

void sv_put_double(struct sbuf *b, double v)
{
	char buf[40];
	fmt_double(v, buf, sizeof buf);
	sbuf_puts(b, buf);
}

/* ---- values ---------------------------------------------------------------------------- */

static const char *json_kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* Whether text is one of the data reader's missing tokens once its spaces
 * and tabs are trimmed, as the reader trims a CSV field before it looks. */
static bool text_missing(const char *s, size_t n, const char **p, size_t *m)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*p = s;
	*m = n;
	return data_is_missing_token(s, n);
}

int sv_json_value(enum pm_type t, json_t *v, struct ft_value *out, struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	const char *p;
	size_t m;
	/* "" and "NA" are missing in a JSON request as in a CSV field, so
	 * that a row scores the same whichever way it is sent */
	if (!v || json_is_null(v) ||
	    (json_is_string(v) && text_missing(json_string_value(v), json_string_length(v), &p, &m))) {
		out->missing = true;
		return 0;
	}
	switch (t) {
	case PM_INT:
	case PM_FLOAT:
		if (json_is_integer(v)) {
			out->num = (double)json_integer_value(v);
			return 0;
		}
		if (json_is_real(v)) {
			out->num = json_real_value(v);
			return 0;
		}
		return pm_errf(err, "expected a number, got %s", json_kind(v));
	case PM_BOOL:
		if (json_is_boolean(v)) {
			out->num = json_is_true(v) ? 1.0 : 0.0;
			return 0;
		}
		if (json_is_number(v)) {
			double d = json_number_value(v);
			if (d == 0 || d == 1) {
				out->num = d;
				return 0;
			}
		}
		return pm_errf(err, "expected true or false, got %s", json_kind(v));
	case PM_TIMESTAMP: {
		if (!json_is_string(v))
			return pm_errf(err, "expected a timestamp string, got %s", json_kind(v));
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		int64_t us;
		if (!ts_parse(s, n, &us))
			return pm_errf(err, "'%.*s' is not a timestamp", (int)(n > 64 ? 64 : n), s);
		out->num = (double)us;
		return 0;
	}
	case PM_STRING:
		if (json_is_string(v)) {
			out->is_str = true;
			out->str = json_string_value(v);
			out->len = json_string_length(v);
			return 0;
		}
		/* a category spelled as a number keys the same as its text */
		if (json_is_number(v)) {
			out->num = json_number_value(v);
			return 0;
		}
		return pm_errf(err, "expected a string, got %s", json_kind(v));
	}
	return pm_errf(err, "unknown input type");
}

int sv_text_value(enum pm_type t, const char *s, size_t n, struct ft_value *out,
		  struct pm_err *err)
{
	const char *p;
	size_t m;
	if (text_missing(s, n, &p, &m)) {
		memset(out, 0, sizeof *out);
		out->missing = true;
		return 0;
	}
	/* strings keep their spaces, as the data reader keeps them */
	if (t == PM_STRING)
		return ft_value_parse(t, s, n, out, err);
	return ft_value_parse(t, p, m, out, err);
}

bool sv_type_fits(enum pm_type t, enum pm_type ct)
{
	if (t == PM_INT || t == PM_FLOAT)
		return ct == PM_INT || ct == PM_FLOAT;
	return t == ct;
}

int sv_frame_value(enum pm_type t, const struct column *c, size_t row, bool fits,
		   char *buf, size_t bufsz, struct ft_value *out, struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	if (!column_present(c, row)) {
		out->missing = true;
		return 0;
	}
	if (!fits) {
		const char *s = column_text(c, row, buf, bufsz);
		return sv_text_value(t, s, strlen(s), out, err);
	}
	switch (c->type) {
	case PM_INT:
	case PM_TIMESTAMP:
		out->num = (double)c->v.i64[row];
		break;
	case PM_FLOAT:
		out->num = c->v.f64[row];
		break;
	case PM_BOOL:
		out->num = c->v.b[row] ? 1.0 : 0.0;
		break;
	case PM_STRING:
		out->is_str = true;
		out->str = c->dict->str[c->v.code[row]];
		out->len = c->dict->len[c->v.code[row]];
		break;
	}
	return 0;
}

/* ---- output ------------------------------------------------------------------------------ */

char **serve_pred_columns(const struct model *m)
{
	size_t n = m->task == TASK_MULTICLASS ? (size_t)m->nout + 1 : 2;
	char **cols = xcalloc(n + 1, sizeof *cols);
	if (m->task == TASK_REGRESSION) {
		cols[0] = xstrdup("prediction");
	} else if (m->task == TASK_BINARY) {
		cols[0] = xstrdup("prediction");
		cols[1] = xstrdup("class");
	} else {
		cols[0] = xstrdup("class");
		for (int k = 0; k < m->nout; k++)
			cols[k + 1] = k < (int)m->classes.n
					      ? xasprintf("p_%.*s", (int)m->classes.len[k], m->classes.str[k])
					      : xasprintf("p_%d", k);
	}
	return cols;
}

char *sv_pred_overflow(const struct model *m, const double *dense, const double *out)
{
	int bad = -1;
	for (int k = 0; k < m->nout && bad < 0; k++)
		if (!isfinite(out[k]))
			bad = k;
	if (bad < 0)
		return NULL;
	const struct transform *t = m->tf;
	const char *name = NULL;
	double worst = -1, scaled = 0;
	for (size_t f = 0; f < t->nfeat; f++)
		for (int d = 0; d < t->feat[f].ndense; d++) {
			double v = dense[t->feat[f].dense_off + d];
			if (fabs(v) > worst) {
				worst = fabs(v);
				scaled = v;
				name = t->feat[f].name;
			}
		}
	if (!name)
		return xasprintf("the prediction is not a finite number (%g)", out[bad]);
	return xasprintf("the prediction is not a finite number (%g): feature '%s' is too far "
			 "outside the training data (scaled to %.3g)",
			 out[bad], name, scaled);
}

void sv_put_pred_json(struct sbuf *b, const struct model *m, const double *out)
{
	if (m->task != TASK_MULTICLASS) {
		if (isfinite(out[0]))
			sv_put_double(b, out[0]);
		else
			sbuf_puts(b, "null");
		return;
	}
	sbuf_putc(b, '[');
	for (int k = 0; k < m->nout; k++) {
		if (k)
			sbuf_putc(b, ',');
		if (isfinite(out[k]))
			sv_put_double(b, out[k]);
		else
			sbuf_puts(b, "null");
	}
	sbuf_putc(b, ']');
}

static void put_class(struct sbuf *b, const struct model *m, int k)
{
	if (k >= 0 && (uint32_t)k < m->classes.n)
		sv_put_csv_field(b, m->classes.str[k], m->classes.len[k]);
	else
		sbuf_printf(b, "%d", k);
}

void sv_put_pred_csv(struct sbuf *b, const struct model *m, const double *out)
{
	if (m->task == TASK_REGRESSION) {
		sv_put_double(b, out[0]);
	} else if (m->task == TASK_BINARY) {
		sv_put_double(b, out[0]);
		sbuf_putc(b, ',');
		put_class(b, m, out[0] >= 0.5 ? 1 : 0);
	} else {
		int best = 0;
		for (int k = 1; k < m->nout; k++)
			if (out[k] > out[best])
				best = k;
		put_class(b, m, best);
		for (int k = 0; k < m->nout; k++) {
			sbuf_putc(b, ',');
			sv_put_double(b, out[k]);
		}
	}
}

void sv_put_csv_field(struct sbuf *b, const char *s, size_t n)
{
	bool quote = false;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		sbuf_add(b, s, n);
		return;
	}
	sbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sbuf_putc(b, '"');
		sbuf_putc(b, s[i]);
	}
	sbuf_putc(b, '"');
}

char *sv_utf8_clean(const char *s, size_t n)
{
	struct sbuf b = {0};
	size_t off;
	while (n && !utf8_valid(s, n, &off)) {
		sbuf_add(&b, s, off);
		sbuf_printf(&b, "\\x%02X", (unsigned char)s[off]);
		s += off + 1;
		n -= off + 1;
	}
	sbuf_add(&b, s, n);
	return sbuf_steal(&b);
}

void sv_put_json_string(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t bad;
	if (!utf8_valid(s, n, &bad)) {
		/* bytes from the request that are not UTF-8: written \xNN */
		char *clean = sv_utf8_clean(s, n);
		sv_put_json_string(b, clean, strlen(clean));
		free(clean);
		return;
	}
	sbuf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sbuf_puts(b, "\\\""); break;
		case '\\': sbuf_puts(b, "\\\\"); break;
		case '\n': sbuf_puts(b, "\\n"); break;
		case '\r': sbuf_puts(b, "\\r"); break;
		case '\t': sbuf_puts(b, "\\t"); break;
		default: {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			sbuf_puts(b, u);
		}
		}
	}
	sbuf_add(b, s + run, n - run);
	sbuf_putc(b, '"');
}

/* ---- CSV rows ------------------------------------------------------------------------------ */

void sv_csv_init(struct sv_csv *c, const char *data, size_t len, char delim, size_t first_line)
{
	memset(c, 0, sizeof *c);
	c->data = data;
	c->len = len;
	c->delim = delim ? delim : ',';
	c->line = first_line ? first_line : 1;
}

void sv_csv_free(struct sv_csv *c)
{
	free(c->f);
	sbuf_free(&c->scratch);
	c->f = NULL;
}

static void push_field(struct sv_csv *c, struct sv_span sp)
{
	xgrow((void **)&c->f, &c->cap, c->nf + 1, sizeof *c->f);
	c->f[c->nf++] = sp;
}

/* Line ends in [s, s+n): LFs and lone CRs (a CR at the end is lone: the
 * callers' spans end before a quote or at the end of the data). */
static size_t count_nl(const char *s, size_t n)
{
	size_t k = 0;
	const char *e = s + n;
	for (const char *p = s; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
		k++;
	for (const char *p = s; (p = memchr(p, '\r', (size_t)(e - p))) != NULL; p++)
		k += str_eol_len(p, e) == 1;
	return k;
}

int sv_csv_next(struct sv_csv *c, char **reason)
{
	const char *d = c->data;
	const size_t len = c->len;
	const char delim = c->delim;
	for (size_t eol; c->pos < len && (eol = str_eol_len(d + c->pos, d + len)) != 0;) {
		c->pos += eol;
		c->line++;
	}
	if (c->pos >= len)
		return 0;
	c->nf = 0;
	c->scratch.len = 0;
	c->row_off = c->pos;
	c->row_line = c->line;
	char *msg = NULL;
	size_t p = c->pos, row_end;
	for (;;) {
		struct sv_span sp = {0};
		size_t field = c->nf + 1;
		bool check = true; /* the field may hold a NUL or a byte >= 0x80 */
		if (p < len && d[p] == '"') {
			size_t s = ++p;
			bool esc = false, closed = false;
			while (p < len) {
				const char *q = memchr(d + p, '"', len - p);
				if (!q) {
					c->line += count_nl(d + p, len - p);
					p = len;
					break;
				}
				size_t qi = (size_t)(q - d);
				c->line += count_nl(d + p, qi - p);
				if (qi + 1 < len && d[qi + 1] == '"') {
					esc = true;
					p = qi + 2;
					continue;
				}
				p = qi;
				closed = true;
				break;
			}
			if (!closed) {
				if (!msg)
					msg = xasprintf("field %zu: unterminated quoted field", field);
				sp = (struct sv_span){s, len - s, false};
			} else {
				if (esc) {
					size_t off = c->scratch.len;
					for (size_t i = s; i < p; i++) {
						sbuf_putc(&c->scratch, d[i]);
						if (d[i] == '"')
							i++;
					}
					sp = (struct sv_span){off, c->scratch.len - off, true};
				} else {
					sp = (struct sv_span){s, p - s, false};
				}
				p++; /* the closing quote */
				if (p < len && d[p] != delim && !str_eol_len(d + p, d + len)) {
					if (!msg)
						msg = xasprintf("field %zu: text after the closing quote", field);
					while (p < len && d[p] != delim && !str_eol_len(d + p, d + len))
						p++;
				}
			}
		} else {
			size_t s = p;
			/* the 16-byte skip passes plain ASCII only */
			p = (size_t)(str_skip_plain16(d + p, d + len, delim) - d);
			check = false;
			while (p < len && d[p] != delim && d[p] != '\n' && d[p] != '\r') {
				check |= d[p] == 0 || (unsigned char)d[p] >= 0x80;
				p++;
			}
			sp = (struct sv_span){s, p - s, false};
		}
		push_field(c, sp);
		if (check && !msg) {
			/* the loader's rule and words, so that a file predict --file
			 * takes is one load takes too */
			size_t n;
			const char *t = sv_csv_field(c, c->nf - 1, &n);
			char *why = str_text_check(t, n);
			if (why)
				msg = xasprintf("%s in field %zu", why, field);
			free(why);
		}
		if (p >= len) {
			row_end = len;
			break;
		}
		if (d[p] == delim) {
			p++;
			continue;
		}
		/* a line end: LF, CRLF or a lone CR, as the loader reads them */
		row_end = p;
		p += str_eol_len(d + p, d + len);
		c->line++;
		break;
	}
	c->pos = p;
	c->row_len = row_end - c->row_off;
	if (msg) {
		*reason = msg;
		return -1;
	}
	return 1;
}

/* Records row ends in [from, to) of plain text (no quoted field). */
struct rows_scan {
	size_t *cuts, *lines, cap, n;
	size_t nl, last, last_nl, next_cut, piece, piece_nl;
};

/* The first line end in [p, e): an LF, or a lone CR.  A CR that is the
 * last byte of data not read to its end (dend, !eof) may be the first
 * half of a CRLF: no line end yet. */
static const char *find_eol(const char *p, const char *e, const char *dend, bool eof)
{
	const char *q = memchr(p, '\n', (size_t)(e - p));
	const char *lim = q ? q : e;
	for (const char *r = p; (r = memchr(r, '\r', (size_t)(lim - r))) != NULL; r++) {
		if (r + 1 == dend)
			return eof ? r : NULL;
		if (r[1] != '\n')
			return r;
	}
	return q;
}

static void scan_plain(struct rows_scan *rs, const char *d, size_t from, size_t to, size_t len,
		       bool eof)
{
	const char *p = d + from, *e = d + to;
	while (p < e) {
		const char *q = find_eol(p, e, d + len, eof);
		if (!q)
			break;
		rs->nl++;
		rs->last = (size_t)(q - d) + 1;
		rs->last_nl = rs->nl;
		if (rs->last >= rs->next_cut) {
			xgrow((void **)&rs->cuts, &rs->cap, rs->n + 1, sizeof *rs->cuts);
			rs->lines = xrealloc(rs->lines, rs->cap * sizeof *rs->lines);
			rs->cuts[rs->n] = rs->last;
			rs->lines[rs->n] = rs->piece_nl;
			rs->piece_nl = rs->nl;
			rs->n++;
			rs->next_cut = rs->last + rs->piece;
		}
		p = q + 1;
	}
}

size_t sv_csv_rows_end(const char *data, size_t len, char delim, size_t piece, bool eof,
		       size_t **cuts_out, size_t **lines_out, size_t *ncuts, size_t *nlines)
{
	/* The tokenizer's row boundaries without its fields: a quote opens a
	 * field only at the field's start (the data's first byte, or after a
	 * delimiter or a newline), "" inside quotes is a quote, and text after
	 * a closing quote continues the field unquoted.  Between quotes every
	 * newline ends a row, so the scan jumps from quote to quote. */
	struct rows_scan rs = {.piece = piece, .next_cut = piece ? piece : (size_t)-1};
	size_t p = 0;
	while (p < len) {
		const char *q = memchr(data + p, '"', len - p);
		size_t qi = q ? (size_t)(q - data) : len;
		scan_plain(&rs, data, p, qi, len, eof);
		if (!q)
			break;
		if (qi > 0 && data[qi - 1] != delim && data[qi - 1] != '\n' && data[qi - 1] != '\r') {
			p = qi + 1; /* a quote inside an unquoted field is text */
			continue;
		}
		size_t i = qi + 1;
		for (;;) {
			const char *c = memchr(data + i, '"', len - i);
			size_t ci = c ? (size_t)(c - data) : len;
			rs.nl += count_nl(data + i, ci - i);
			if (!c) {
				p = len;
				break;
			}
			if (ci + 1 < len && data[ci + 1] == '"') {
				i = ci + 2;
				continue;
			}
			p = ci + 1;
			break;
		}
	}
	if (eof && rs.last < len) {
		/* the last row has no newline (or an unterminated quote) */
		rs.last = len;
		rs.last_nl = rs.nl;
	}
	if (rs.last > 0 && (rs.n == 0 || rs.cuts[rs.n - 1] != rs.last)) {
		xgrow((void **)&rs.cuts, &rs.cap, rs.n + 1, sizeof *rs.cuts);
		rs.lines = xrealloc(rs.lines, rs.cap * sizeof *rs.lines);
		rs.cuts[rs.n] = rs.last;
		rs.lines[rs.n] = rs.piece_nl;
		rs.n++;
	}
	*cuts_out = rs.cuts;
	*lines_out = rs.lines;
	*ncuts = rs.n;
	*nlines = rs.last_nl;
	return rs.last;
}
