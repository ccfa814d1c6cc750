/* Writing a frame as RFC 4180 CSV: the reader reads it back to the same
 * frame (floats are written the shortest way that round-trips).  Rows end
 * with LF rather than CRLF: every RFC 4180 reader accepts it, and output
 * shown in a terminal or compared in tests stays free of CRs. */
#include "internal.h"

#include <errno.h>
#include <string.h>

static void put_field(struct sbuf *b, const char *s, size_t n)
{
	bool quote = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ',' || c == '"' || c == '\n' || c == '\r') {
			quote = true;
			break;
		}
	}
	if (!quote) {
		sbuf_add(b, s, n);
		return;
	}
	sbuf_putc(b, '"');
	const char *e = s + n;
	while (s < e) {
		const char *q = memchr(s, '"', (size_t)(e - s));
		if (!q) {
			sbuf_add(b, s, (size_t)(e - s));
			break;
		}
		sbuf_add(b, s, (size_t)(q - s) + 1);
		sbuf_putc(b, '"');
		s = q + 1;
	}
	sbuf_putc(b, '"');
}

static int flush(struct sbuf *b, FILE *out, struct pm_err *err)
{
	if (b->len && fwrite(b->s, 1, b->len, out) != b->len)
		return pm_errf(err, "cannot write CSV: %s", strerror(errno));
	b->len = 0;
	return 0;
}

int frame_write_csv(const struct frame *f, FILE *out, struct pm_err *err)
{
	struct sbuf b = {0};
	int rc = 0;
	for (size_t j = 0; j < f->ncols; j++) {
		if (j)
			sbuf_putc(&b, ',');
		put_field(&b, f->cols[j].name, strlen(f->cols[j].name));
	}
	sbuf_putc(&b, '\n');
	char buf[64];
	for (size_t r = 0; r < f->nrows && rc == 0; r++) {
		for (size_t j = 0; j < f->ncols; j++) {
			if (j)
				sbuf_putc(&b, ',');
			size_t n;
			const char *s = column_text_len(&f->cols[j], r, buf, sizeof buf, &n);
			put_field(&b, s, n);
		}
		sbuf_putc(&b, '\n');
		if (b.len >= (1u << 16))
			rc = flush(&b, out, err);
	}
	if (rc == 0)
		rc = flush(&b, out, err);
	if (rc == 0 && fflush(out) != 0)
		rc = pm_errf(err, "cannot write CSV: %s", strerror(errno));
	sbuf_free(&b);
	return rc;
}
