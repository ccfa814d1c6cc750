/* Unit tests of the CSV reader and writer (src/data/csv.c, csv_write.c):
 * RFC 4180 cases, errors with their exact messages, type inference,
 * overrides, missing values, and independence from the thread count. */
#include "data/data.h"
#include "data/internal.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *fx(const char *name)
{
	static char buf[4][1024];
	static int k;
	const char *src = getenv("srcdir");
	char *b = buf[k++ % 4];
	snprintf(b, sizeof buf[0], "%s/tests/fixtures/csv/%s", src ? src : ".", name);
	return b;
}

static struct frame *parse_n(const char *text, size_t len, const struct csv_options *opt,
			     struct pm_err *err)
{
	struct frame *f = NULL;
	struct csv_report rep;
	if (frame_parse_csv(text, len, "t.csv", "t", opt, &f, &rep, err) < 0)
		return NULL;
	csv_report_free(&rep);
	return f;
}

static struct frame *parse(const char *text, const struct csv_options *opt)
{
	struct pm_err err = {0};
	struct frame *f = parse_n(text, strlen(text), opt, &err);
	ck_assert_msg(f != NULL, "parse failed: %s", err.msg);
	return f;
}

/* The error message of parsing text, which must fail. */
static const char *parse_err(const char *text, size_t len, const struct csv_options *opt)
{
	static struct pm_err err;
	memset(&err, 0, sizeof err);
	struct frame *f = parse_n(text, len, opt, &err);
	ck_assert_msg(f == NULL, "parse of an invalid input succeeded");
	return err.msg;
}

static struct frame *load(const char *name, const struct csv_options *opt)
{
	struct frame *f = NULL;
	struct csv_report rep;
	struct pm_err err = {0};
	int rc = frame_read_csv(fx(name), "t", opt, &f, &rep, &err);
	ck_assert_msg(rc == 0, "load %s failed: %s", name, err.msg);
	csv_report_free(&rep);
	return f;
}

static const char *load_err(const char *name, const struct csv_options *opt)
{
	static struct pm_err err;
	struct frame *f = NULL;
	struct csv_report rep;
	memset(&err, 0, sizeof err);
	ck_assert_int_eq(frame_read_csv(fx(name), "t", opt, &f, &rep, &err), -1);
	ck_assert_ptr_null(f);
	return err.msg;
}

static const char *cell(const struct frame *f, size_t col, size_t row)
{
	static char buf[8][64];
	static int k;
	return column_text(&f->cols[col], row, buf[k++ % 8], sizeof buf[0]);
}

START_TEST(test_spectrum_quotes)
{
	struct frame *f = load("spectrum_comma_in_quotes.csv", NULL);
	ck_assert_uint_eq(f->nrows, 1);
	ck_assert_uint_eq(f->ncols, 5);
	ck_assert_str_eq(f->cols[3].name, "city");
	ck_assert_str_eq(cell(f, 3, 0), "Anytown, WW");
	ck_assert_str_eq(cell(f, 2, 0), "120 any st.");
	/* "08123" is a number to inference; --types zip=string keeps it */
	ck_assert_int_eq(f->cols[4].type, PM_INT);
	ck_assert_int_eq(f->cols[4].v.i64[0], 8123);
	frame_free(f);
	struct csv_type_override ov = {"zip", PM_STRING};
	struct csv_options o = {.types = &ov, .ntypes = 1};
	f = load("spectrum_comma_in_quotes.csv", &o);
	ck_assert_str_eq(cell(f, 4, 0), "08123");
	frame_free(f);

	f = load("spectrum_escaped_quotes.csv", NULL);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_int_eq(f->cols[1].type, PM_STRING);
	ck_assert_str_eq(cell(f, 1, 0), "ha \"ha\" ha");
	ck_assert_str_eq(cell(f, 1, 1), "4");
	frame_free(f);

	f = load("spectrum_json.csv", NULL);
	ck_assert_str_eq(cell(f, 1, 0), "{\"type\": \"Point\", \"coordinates\": [102.0, 0.5]}");
	frame_free(f);

	f = load("spectrum_utf8.csv", NULL);
	ck_assert_str_eq(cell(f, 2, 1), "\xca\xa4");
	frame_free(f);

	f = load("spectrum_empty_fields.csv", NULL);
	ck_assert_int_eq(f->cols[1].type, PM_INT);
	ck_assert_uint_eq(f->cols[1].nmissing, 1);
	ck_assert(!column_present(&f->cols[1], 0));
	ck_assert_int_eq(f->cols[2].v.i64[1], 4);
	frame_free(f);
}
END_TEST

START_TEST(test_embedded_newlines)
{
	struct frame *f = load("spectrum_newlines.csv", NULL);
	ck_assert_uint_eq(f->nrows, 3);
	ck_assert_str_eq(cell(f, 0, 1), "Once upon \na time");
	ck_assert_int_eq(f->cols[1].v.i64[2], 8);
	frame_free(f);
	f = load("spectrum_quotes_and_newlines.csv", NULL);
	ck_assert_str_eq(cell(f, 1, 0), "ha \n\"ha\" \nha");
	frame_free(f);
	/* lines are physical lines: the row after a two-line field is line 4 */
	ck_assert_str_eq(parse_err("a,b\n\"x\ny\",1\n1,2,3\n", 19, NULL),
			 "t.csv:4:3: row has 3 fields, expected 2");
}
END_TEST

/* A lone CR ends a row, as in Python's csv: a file of old Mac line ends
 * loads every row, with the same frame read whole or in 7-byte chunks,
 * and errors name the CR-counted line.  Inside quotes it is text. */
START_TEST(test_lone_cr)
{
	const char *text = "a,b,c\r1,2,3\r4,5,6\r";
	struct frame *f = parse(text, NULL);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_uint_eq(f->ncols, 3);
	ck_assert_str_eq(f->cols[2].name, "c");
	ck_assert_int_eq(f->cols[2].type, PM_INT);
	ck_assert_int_eq(f->cols[2].v.i64[1], 6);
	frame_free(f);

	const char *mixed = "a,b\r\r1,\"x\ry\"\r\n2,z\n\r3,w";
	f = parse(mixed, NULL);
	ck_assert_uint_eq(f->nrows, 3);
	ck_assert_str_eq(cell(f, 1, 0), "x\ry");
	ck_assert_str_eq(cell(f, 1, 2), "w");
	char fp1[17], fp2[17];
	frame_fingerprint(f, fp1);
	frame_free(f);
	struct csv_options o = {.threads = 3};
	struct csv_report rep;
	struct pm_err err = {0};
	ck_assert_int_eq(csv_parse_chunked(mixed, strlen(mixed), "t.csv", "t", &o, 7, &f, &rep, &err),
			 0);
	frame_fingerprint(f, fp2);
	ck_assert_str_eq(fp1, fp2);
	csv_report_free(&rep);
	frame_free(f);

	ck_assert_str_eq(parse_err("a,b\r1,2\r\r3\r", strlen("a,b\r1,2\r\r3\r"), NULL),
			 "t.csv:4:2: row has 1 field, expected 2");
	ck_assert_str_eq(parse_err("a,b\r\"x\ry\",1\r1,2,3\r", strlen("a,b\r\"x\ry\",1\r1,2,3\r"), NULL),
			 "t.csv:4:3: row has 3 fields, expected 2");
}
END_TEST

START_TEST(test_crlf_bom_tsv)
{
	struct frame *f = load("crlf.csv", NULL);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_str_eq(f->cols[1].name, "b");
	ck_assert_int_eq(f->cols[0].type, PM_INT);
	ck_assert_str_eq(cell(f, 1, 0), "x\r\ny");
	ck_assert_str_eq(cell(f, 1, 1), "plain");
	frame_free(f);

	f = load("bom.csv", NULL);
	ck_assert_str_eq(f->cols[0].name, "id");
	ck_assert_int_eq(frame_col_index(f, "id"), 0);
	ck_assert_str_eq(cell(f, 1, 1), "beta");
	frame_free(f);

	f = load("data.tsv", NULL);
	ck_assert_uint_eq(f->ncols, 2);
	ck_assert_str_eq(cell(f, 1, 0), "x,y");
	ck_assert_str_eq(cell(f, 1, 1), "q");
	frame_free(f);

	struct csv_options o = {.delim = ';'};
	f = parse("a;b\n1;x,y\n", &o);
	ck_assert_uint_eq(f->ncols, 2);
	ck_assert_str_eq(cell(f, 1, 0), "x,y");
	frame_free(f);
}
END_TEST

START_TEST(test_no_header_and_names)
{
	struct csv_options o = {.no_header = true};
	struct frame *f = parse("1,2\n3,4\n", &o);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_str_eq(f->cols[0].name, "column_1");
	ck_assert_str_eq(f->cols[1].name, "column_2");
	ck_assert_int_eq(f->cols[1].v.i64[1], 4);
	frame_free(f);

	char *names[] = {"x", "y", NULL};
	o.columns = names;
	f = parse("1,2\n3,4\n", &o);
	ck_assert_str_eq(f->cols[0].name, "x");
	ck_assert_int_eq(f->cols[0].v.i64[0], 1);
	frame_free(f);

	char *three[] = {"x", "y", "z", NULL};
	o.columns = three;
	ck_assert_str_eq(parse_err("1,2\n", 4, &o), "t.csv:1:3: row has 2 fields, expected 3");

	/* with a header, --columns renames */
	struct csv_options r = {.columns = names};
	f = parse("a,b\n1,2\n", &r);
	ck_assert_str_eq(f->cols[1].name, "y");
	ck_assert_uint_eq(f->nrows, 1);
	frame_free(f);
	r.columns = three;
	ck_assert_str_eq(parse_err("a,b\n1,2\n", 8, &r),
			 "t.csv: 3 column names given for 2 columns in the header");
	char *dup[] = {"x", "x", NULL};
	r.columns = dup;
	ck_assert_str_eq(parse_err("a,b\n1,2\n", 8, &r),
			 "t.csv: duplicate column name \"x\" (names 1 and 2 of --columns)");

	/* empty header names */
	f = parse("a,,c\n1,2,3\n", NULL);
	ck_assert_str_eq(f->cols[1].name, "column_2");
	frame_free(f);
	ck_assert_str_eq(load_err("dup_header.csv", NULL) + strlen(fx("dup_header.csv")),
			 ":1:3: duplicate column name \"a\" (fields 1 and 3)");
}
END_TEST

START_TEST(test_errors_exact)
{
	const char *path = fx("bad_utf8.csv");
	char want[1200];
	snprintf(want, sizeof want, "%s:3:2: invalid UTF-8 (byte 0xff) in field 2", path);
	ck_assert_str_eq(load_err("bad_utf8.csv", NULL), want);

	path = fx("ragged.csv");
	snprintf(want, sizeof want, "%s:3:4: row has 3 fields, expected 4", path);
	ck_assert_str_eq(load_err("ragged.csv", NULL), want);
	ck_assert_str_eq(parse_err("a,b\n1,2,3\n", 10, NULL),
			 "t.csv:2:3: row has 3 fields, expected 2");
	/* line numbers count blank lines, which are skipped */
	ck_assert_str_eq(parse_err("a,b\n1,2\n\n3\n", 11, NULL),
			 "t.csv:4:2: row has 1 field, expected 2");

	ck_assert_str_eq(parse_err("a,b\n1,2\n3,\"abc\n4,5\n", 19, NULL),
			 "t.csv:3:2: unterminated quoted field (field 2)");
	ck_assert_str_eq(parse_err("a,b\n\"ab\"c,1\n", 12, NULL),
			 "t.csv:2:1: text after the closing quote of field 1");

	path = fx("nul.csv");
	snprintf(want, sizeof want, "%s:2:2: NUL byte in field 2", path);
	ck_assert_str_eq(load_err("nul.csv", NULL), want);
	ck_assert_str_eq(parse_err("a,b\n1,\"x\0y\"\n", 12, NULL),
			 "t.csv:2:2: NUL byte in field 2");

	/* errors in the header are errors even with skip_bad */
	struct csv_options o = {.skip_bad = true};
	ck_assert_str_eq(parse_err("a,\xc3\n1,2\n", 8, &o),
			 "t.csv:1:2: invalid UTF-8 (byte 0xc3) in field 2 (in the header)");
}
END_TEST

/* Rows are read 16 bytes at a time until something other than plain
 * fields and LF/CRLF turns up; the row is then read again byte by byte.
 * These rows put each such thing on either side of 16-byte boundaries. */
START_TEST(test_block_row_reader)
{
	const char *text = "a,b,c\n"
			   /* delimiters at row offsets 15 and 16, 31 and 32 */
			   "123456789012345,6789012345678901,x\n"
			   /* CR the 16th byte of the row, LF the 17th */
			   "12345678901234,5,6\r\n"
			   /* a lone CR after 16 bytes ends the row */
			   "p,12345678901234567,q\r"
			   /* a quoted field after 16 bytes, with a delimiter in it */
			   "1234567890123456,\"a,b\",z\n"
			   /* a stray quote inside an unquoted field after 16 bytes */
			   "k,12345678901234567\"9,w\n"
			   /* UTF-8 after 16 bytes */
			   "m,1234567890123456\xc3\xa9,v\n"
			   /* the last row, without LF, longer than 16 bytes */
			   "last,row-is-long-enough,end";
	struct frame *f = parse(text, NULL);
	ck_assert_uint_eq(f->nrows, 7);
	const char *want[7][3] = {
		{"123456789012345", "6789012345678901", "x"},
		{"12345678901234", "5", "6"},
		{"p", "12345678901234567", "q"},
		{"1234567890123456", "a,b", "z"},
		{"k", "12345678901234567\"9", "w"},
		{"m", "1234567890123456\xc3\xa9", "v"},
		{"last", "row-is-long-enough", "end"},
	};
	for (size_t r = 0; r < 7; r++)
		for (size_t j = 0; j < 3; j++) {
			const struct column *c = &f->cols[j];
			ck_assert_int_eq(c->type, PM_STRING);
			ck_assert_msg(strcmp(c->dict->str[c->v.code[r]], want[r][j]) == 0,
				      "row %zu field %zu: got \"%s\"", r + 1, j + 1,
				      c->dict->str[c->v.code[r]]);
		}
	frame_free(f);

	/* errors past the first 16 bytes name the right line and field */
	ck_assert_str_eq(parse_err("a,b,c\n1,2,3\n123456789012345678,\xff,3\n", 36, NULL),
			 "t.csv:3:2: invalid UTF-8 (byte 0xff) in field 2");
	ck_assert_str_eq(parse_err("a,b,c\n123456789012345678,x\0y,3\n", 31, NULL),
			 "t.csv:2:2: NUL byte in field 2");
	ck_assert_str_eq(parse_err("a,b\n1234567890,1234567890,1234567890,1\n", 38, NULL),
			 "t.csv:2:3: row has 4 fields, expected 2");
	ck_assert_str_eq(parse_err("a,b,c\n12345678901234567890,1\r\n", 30, NULL),
			 "t.csv:2:3: row has 2 fields, expected 3");
}
END_TEST

START_TEST(test_stray_quote_lenient)
{
	/* a quote inside an unquoted field is kept, as Python's csv does */
	struct frame *f = parse("a,b\nab\"c,1\nx\"y\"z,2\n", NULL);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_str_eq(cell(f, 0, 0), "ab\"c");
	ck_assert_str_eq(cell(f, 0, 1), "x\"y\"z");
	frame_free(f);
	/* it also defeats the quote-parity guess of chunk boundaries: many
	 * tiny chunks must still read what one sequential pass reads */
	const char *text = "a,b\nx\"y,1\n\"p\nq\",2\n3,\"4\n\"\nr\"s,5\n\"t,u\",6\n";
	struct frame *one = parse(text, NULL);
	ck_assert_uint_eq(one->nrows, 5);
	ck_assert_str_eq(cell(one, 0, 1), "p\nq");
	ck_assert_str_eq(cell(one, 1, 2), "4\n");
	ck_assert_str_eq(cell(one, 0, 4), "t,u");
	char fp1[17], fp2[17];
	frame_fingerprint(one, fp1);
	for (size_t cs = 1; cs <= 9; cs++) {
		struct frame *g = NULL;
		struct pm_err err = {0};
		struct csv_options o = {.threads = 3};
		ck_assert_int_eq(csv_parse_chunked(text, strlen(text), "t.csv", "t", &o, cs, &g, NULL,
						   &err),
				 0);
		frame_fingerprint(g, fp2);
		ck_assert_str_eq(fp1, fp2);
		frame_free(g);
	}
	frame_free(one);
}
END_TEST

START_TEST(test_skip_bad)
{
	const char text[] = "a,b\n1,x\n2,\xff\n3,y,extra\n\"4\"q,w\n5,z\n";
	struct csv_options o = {.skip_bad = true};
	struct frame *f = NULL;
	struct csv_report rep;
	struct pm_err err = {0};
	ck_assert_int_eq(frame_parse_csv(text, sizeof text - 1, "t.csv", "t", &o, &f, &rep, &err), 0);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_uint_eq(rep.rows, 2);
	ck_assert_uint_eq(rep.rejected, 3);
	ck_assert_uint_eq(rep.nrejects, 3);
	ck_assert_uint_eq(rep.rejects[0].line, 3);
	ck_assert_str_eq(rep.rejects[0].reason, "invalid UTF-8 (byte 0xff) in field 2");
	ck_assert_uint_eq(rep.rejects[1].line, 4);
	ck_assert_str_eq(rep.rejects[1].reason, "row has 3 fields, expected 2");
	ck_assert_uint_eq(rep.rejects[2].line, 5);
	ck_assert_str_eq(rep.rejects[2].reason, "text after the closing quote of field 1");
	ck_assert_int_eq(f->cols[0].type, PM_INT);
	ck_assert_int_eq(f->cols[0].v.i64[1], 5);
	ck_assert_str_eq(cell(f, 1, 0), "x");
	ck_assert_str_eq(cell(f, 1, 1), "z");
	/* the rejected "y" never reached the dictionary */
	ck_assert_uint_eq(f->cols[1].dict->n, 2);
	csv_report_free(&rep);
	frame_free(f);
}
END_TEST

START_TEST(test_big_fields)
{
	size_t n1 = 1500000, n2 = 1200000;
	struct sbuf b = {0};
	sbuf_puts(&b, "a,b\n");
	for (size_t i = 0; i < n1; i++)
		sbuf_putc(&b, (char)('a' + i % 26));
	sbuf_puts(&b, ",\"");
	size_t want2 = 0;
	for (size_t i = 0; i < n2; i++) {
		if (i % 1000 == 999) {
			sbuf_puts(&b, "\"\"");
		} else {
			sbuf_putc(&b, i % 5000 == 7 ? '\n' : 'q');
		}
		want2++;
	}
	sbuf_puts(&b, "\"\n1,2\n");
	struct csv_options o = {.threads = 2};
	struct pm_err err = {0};
	struct frame *f = parse_n(b.s, b.len, &o, &err);
	ck_assert_msg(f != NULL, "%s", err.msg);
	ck_assert_uint_eq(f->nrows, 2);
	const struct column *a = &f->cols[0], *c = &f->cols[1];
	ck_assert_uint_eq(a->dict->len[a->v.code[0]], n1);
	ck_assert_int_eq(a->dict->str[a->v.code[0]][n1 - 1], 'a' + (n1 - 1) % 26);
	ck_assert_uint_eq(c->dict->len[c->v.code[0]], want2);
	ck_assert_int_eq(c->dict->str[c->v.code[0]][999], '"');
	ck_assert_str_eq(cell(f, 1, 1), "2");
	frame_free(f);
	sbuf_free(&b);
}
END_TEST

START_TEST(test_empty_and_header_only)
{
	const char *path = fx("empty.csv");
	char want[1100];
	snprintf(want, sizeof want, "%s: empty file", path);
	ck_assert_str_eq(load_err("empty.csv", NULL), want);
	ck_assert_str_eq(parse_err("", 0, NULL), "t.csv: empty file");
	ck_assert_str_eq(parse_err("\n\r\n", 3, NULL), "t.csv: empty file");
	ck_assert_str_eq(parse_err("\xef\xbb\xbf", 3, NULL), "t.csv: empty file");

	struct frame *f = load("header_only.csv", NULL);
	ck_assert_uint_eq(f->nrows, 0);
	ck_assert_uint_eq(f->ncols, 3);
	for (size_t j = 0; j < 3; j++)
		ck_assert_int_eq(f->cols[j].type, PM_STRING);
	ck_assert_str_eq(f->cols[2].name, "z");
	frame_free(f);
}
END_TEST

START_TEST(test_inference)
{
	struct frame *f = load("types.csv", NULL);
	ck_assert_uint_eq(f->nrows, 3);
	static const enum pm_type want[] = {PM_INT,    PM_FLOAT, PM_BOOL,   PM_TIMESTAMP,
					    PM_STRING, PM_INT,   PM_STRING, PM_STRING};
	for (size_t j = 0; j < 8; j++)
		ck_assert_msg(f->cols[j].type == want[j], "column %s is %s", f->cols[j].name,
			      pm_type_name(f->cols[j].type));
	ck_assert_int_eq(f->cols[0].v.i64[1], -2);
	ck_assert(f->cols[1].v.f64[1] == 3.25); /* " 3.25 " is trimmed for numbers */
	ck_assert(isinf(f->cols[1].v.f64[2]) && f->cols[1].v.f64[2] > 0);
	ck_assert_int_eq(f->cols[2].v.b[0], 1);
	ck_assert_int_eq(f->cols[2].v.b[1], 0);
	ck_assert_int_eq(f->cols[2].v.b[2], 1);
	ck_assert_int_eq(f->cols[3].v.i64[0], 1704153600LL * 1000000);
	ck_assert_int_eq(f->cols[3].v.i64[1], 1704164645LL * 1000000);
	ck_assert_int_eq(f->cols[3].v.i64[2], 1704164645LL * 1000000 + 500000);
	ck_assert_str_eq(cell(f, 4, 1), "y y");
	ck_assert_str_eq(cell(f, 4, 2), "z,z");
	ck_assert_int_eq(f->cols[5].v.i64[2], 1); /* 0/1 stays int */
	ck_assert_uint_eq(f->cols[6].nmissing, 3); /* NA, "", null: all missing -> string */
	ck_assert_uint_eq(f->cols[7].nmissing, 3);
	frame_free(f);

	struct {
		const char *text;
		enum pm_type type;
	} cases[] = {
		{"a\n1\ntrue\n", PM_STRING},
		{"a\n1\n2.5\n", PM_FLOAT},
		{"a\n2.5\n1\n", PM_FLOAT},
		{"a\n9223372036854775807\n", PM_INT},
		{"a\n9223372036854775808\n", PM_FLOAT},
		{"a\n1\n2024-01-01\n", PM_STRING},
		{"a\n1e3\n-inf\n.5\n", PM_FLOAT},
		{"a\nTrue\nfalse\nNA\n", PM_BOOL},
		{"a\nyes\nno\n", PM_STRING},
		{"a\n2024-01-01\n2024-02-30\n", PM_STRING}, /* not a date */
		{"a\nna\n", PM_STRING},
		{"a\n1\n  \n", PM_INT}, /* blank after trimming: missing */
	};
	for (size_t i = 0; i < PM_ARRAY_LEN(cases); i++) {
		f = parse(cases[i].text, NULL);
		ck_assert_msg(f->cols[0].type == cases[i].type, "case %zu: %s", i,
			      pm_type_name(f->cols[0].type));
		frame_free(f);
	}
	/* strings keep their bytes, spaces included; numbers are trimmed */
	f = parse("a,b\n 7 , x \n", NULL);
	ck_assert_int_eq(f->cols[0].type, PM_INT);
	ck_assert_int_eq(f->cols[0].v.i64[0], 7);
	ck_assert_str_eq(cell(f, 1, 0), " x ");
	frame_free(f);
	/* "-0" in a float column is -0.0 */
	f = parse("a\n-0\n0.5\n", NULL);
	ck_assert(f->cols[0].v.f64[0] == 0 && signbit(f->cols[0].v.f64[0]));
	frame_free(f);
}
END_TEST

START_TEST(test_missing_tokens)
{
	struct frame *f = parse("a,b\n1,NA\n2,N/A\n3,NaN\n4,nan\n5,null\n6,NULL\n7,\n8,5\n9,\"\"\n", NULL);
	ck_assert_uint_eq(f->nrows, 9);
	const struct column *b = &f->cols[1];
	ck_assert_int_eq(b->type, PM_INT);
	ck_assert_uint_eq(b->nmissing, 8);
	for (size_t r = 0; r < 9; r++) {
		if (r == 7)
			continue;
		ck_assert_msg(!column_present(b, r), "row %zu present", r);
		ck_assert_int_eq(b->v.i64[r], 0);
		ck_assert(isnan(column_num(b, r)));
		ck_assert_str_eq(cell(f, 1, r), "");
	}
	ck_assert(column_present(b, 7));
	ck_assert_int_eq(b->v.i64[7], 5);
	frame_free(f);
	ck_assert(data_is_missing_token("", 0));
	ck_assert(data_is_missing_token("N/A", 3));
	ck_assert(!data_is_missing_token("na", 2));
	ck_assert(!data_is_missing_token("None", 4));
	ck_assert(!data_is_missing_token("0", 1));
}
END_TEST

START_TEST(test_overrides)
{
	struct csv_type_override ov[] = {{"a", PM_INT}};
	struct csv_options o = {.types = ov, .ntypes = 1};
	ck_assert_str_eq(parse_err("a\n1\nabc\n3\n", 10, &o),
			 "t.csv:3:1: column \"a\": \"abc\" is not a valid int (from --types a=int)");
	ck_assert_str_eq(parse_err("b,a\n1,1\n2,2.5\n", 14, &o),
			 "t.csv:3:2: column \"a\": \"2.5\" is not a valid int (from --types a=int)");
	o.skip_bad = true;
	struct frame *f = NULL;
	struct csv_report rep;
	struct pm_err err = {0};
	ck_assert_int_eq(frame_parse_csv("a\n1\nabc\n3\n", 10, "t.csv", "t", &o, &f, &rep, &err), 0);
	ck_assert_uint_eq(f->nrows, 2);
	ck_assert_uint_eq(rep.rejected, 1);
	ck_assert_uint_eq(rep.rejects[0].line, 3);
	ck_assert_str_eq(rep.rejects[0].reason,
			 "column \"a\": \"abc\" is not a valid int (from --types a=int)");
	ck_assert_int_eq(f->cols[0].v.i64[1], 3);
	csv_report_free(&rep);
	frame_free(f);

	struct csv_type_override many[] = {
		{"z", PM_STRING}, {"t", PM_TIMESTAMP}, {"b", PM_BOOL}, {"f", PM_FLOAT}};
	struct csv_options m = {.types = many, .ntypes = 4};
	f = parse("z,t,b,f\n007,0,0,1\n1,86400,1,2\nNA,2024-01-02,true,\n", &m);
	ck_assert_int_eq(f->cols[0].type, PM_STRING);
	ck_assert_str_eq(cell(f, 0, 0), "007");
	ck_assert_uint_eq(f->cols[0].nmissing, 1);
	ck_assert_int_eq(f->cols[1].type, PM_TIMESTAMP);
	ck_assert_int_eq(f->cols[1].v.i64[1], 86400LL * 1000000); /* integers are seconds */
	ck_assert_int_eq(f->cols[1].v.i64[2], 1704153600LL * 1000000);
	ck_assert_str_eq(cell(f, 1, 1), "1970-01-02 00:00:00");
	ck_assert_int_eq(f->cols[2].type, PM_BOOL);
	ck_assert_int_eq(f->cols[2].v.b[0], 0);
	ck_assert_int_eq(f->cols[2].v.b[1], 1);
	ck_assert_int_eq(f->cols[2].v.b[2], 1);
	ck_assert_int_eq(f->cols[3].type, PM_FLOAT);
	ck_assert(f->cols[3].v.f64[1] == 2.0);
	frame_free(f);

	struct csv_type_override unk[] = {{"q", PM_INT}};
	struct csv_options u = {.types = unk, .ntypes = 1};
	ck_assert_str_eq(parse_err("a\n1\n", 4, &u), "t.csv: no column \"q\" (named in --types q=int)");
	/* a forced type on a header-only file types the empty column */
	f = parse("a,b\n", &(struct csv_options){.types = ov, .ntypes = 1});
	ck_assert_int_eq(f->cols[0].type, PM_INT);
	ck_assert_int_eq(f->cols[1].type, PM_STRING);
	frame_free(f);
}
END_TEST

/* A generated file with every feature the chunking could get wrong. */
static char *gen_text(size_t rows, bool bad, size_t *len)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "id,x,name,late,flag,when\r\n");
	uint64_t s = 42;
	for (size_t i = 0; i < rows; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned r = (unsigned)(s >> 33);
		sbuf_printf(&b, "%zu,", i);
		if (r % 17 == 0)
			sbuf_puts(&b, "NA,");
		else
			sbuf_printf(&b, "%d.%03u,", (int)(r % 2000) - 1000, r % 1000);
		switch (r % 6) {
		case 0:
			sbuf_printf(&b, "\"q\"\"%u\"\"\",", r % 50);
			break;
		case 1:
			sbuf_printf(&b, "\"two\nlines %u\",", r % 40);
			break;
		case 2:
			sbuf_printf(&b, "caf\xc3\xa9 %u,", r % 30);
			break;
		case 3:
			sbuf_puts(&b, ",");
			break;
		default:
			sbuf_printf(&b, "\"a,b %u\",", r % 70);
		}
		/* an int column until the very last row, which makes it float */
		if (i + 1 == rows)
			sbuf_puts(&b, "0.5,");
		else
			sbuf_printf(&b, "%u,", r % 100);
		sbuf_printf(&b, "%s,", r % 3 == 0 ? "true" : r % 3 == 1 ? "False" : "");
		sbuf_printf(&b, "2024-03-%02u %02u:00:00", 1 + r % 28, r % 24);
		if (bad && r % 101 == 5)
			sbuf_puts(&b, ",extra");
		if (bad && r % 211 == 7)
			sbuf_puts(&b, "\xff");
		sbuf_puts(&b, i % 2 ? "\n" : "\r\n");
		if (i % 997 == 0)
			sbuf_puts(&b, "\n"); /* a blank line */
	}
	*len = b.len;
	return sbuf_steal(&b);
}

static void same_frames(const struct frame *a, const struct frame *b)
{
	char fa[17], fb[17];
	frame_fingerprint(a, fa);
	frame_fingerprint(b, fb);
	ck_assert_str_eq(fa, fb);
	ck_assert_uint_eq(a->nrows, b->nrows);
	for (size_t j = 0; j < a->ncols; j++) {
		ck_assert_int_eq(a->cols[j].type, b->cols[j].type);
		ck_assert_uint_eq(a->cols[j].nmissing, b->cols[j].nmissing);
		if (a->cols[j].type != PM_STRING)
			continue;
		/* codes in first-seen order, whatever the chunking */
		ck_assert_uint_eq(a->cols[j].dict->n, b->cols[j].dict->n);
		ck_assert(memcmp(a->cols[j].v.code, b->cols[j].v.code, a->nrows * 4) == 0);
		for (uint32_t k = 0; k < a->cols[j].dict->n; k++)
			ck_assert_str_eq(a->cols[j].dict->str[k], b->cols[j].dict->str[k]);
	}
}

/* load's cache key: the hook gets hash64_parallel of the whole input,
 * taken in the pass that cuts the chunks (files over one hash block, with
 * quoted newlines across the blocks) or on its own (small chunks); its
 * answer goes on, stops or fails the parse. */
struct hash_seen {
	int calls, answer;
	uint64_t hash;
};

static int note_hash(void *ctx, uint64_t hash, struct pm_err *err)
{
	struct hash_seen *h = ctx;
	h->calls++;
	h->hash = hash;
	if (h->answer < 0)
		return pm_errf(err, "refused %016llx", (unsigned long long)hash);
	return h->answer;
}

START_TEST(test_content_hash)
{
	const size_t rows[] = {200000, 300};
	for (size_t t = 0; t < PM_ARRAY_LEN(rows); t++) {
		size_t len;
		char *text = gen_text(rows[t], false, &len);
		if (t == 0)
			ck_assert_uint_gt(len, 2 * HASH64_PAR_BLOCK);
		uint64_t want = hash64_parallel(text, len, 1);
		struct pm_err err = {0};
		struct frame *ref = NULL, *f = NULL;
		struct csv_options o1 = {.threads = 1};
		ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &o1, &ref, NULL, &err), 0);
		for (int threads = 1; threads <= 3; threads++) {
			struct hash_seen seen = {0};
			struct csv_options o = {.threads = threads, .content_hashed = note_hash,
						.hook_ctx = &seen};
			ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &o, &f, NULL, &err), 0);
			ck_assert_int_eq(seen.calls, 1);
			ck_assert_uint_eq(seen.hash, want);
			same_frames(ref, f);
			frame_free(f);
			/* chunks of whole hash blocks: hashed in the pass that
			 * cuts them (the default grid only does so on files of
			 * at least 4 blocks a thread) */
			seen = (struct hash_seen){0};
			ck_assert_int_eq(csv_parse_chunked(text, len, "g.csv", "g", &o, HASH64_PAR_BLOCK,
							   &f, NULL, &err), 0);
			ck_assert_int_eq(seen.calls, 1);
			ck_assert_uint_eq(seen.hash, want);
			same_frames(ref, f);
			frame_free(f);
			/* small chunks: hashed apart, the same value */
			seen = (struct hash_seen){0};
			ck_assert_int_eq(csv_parse_chunked(text, len, "g.csv", "g", &o, 4099, &f, NULL, &err), 0);
			ck_assert_uint_eq(seen.hash, want);
			same_frames(ref, f);
			frame_free(f);
		}
		struct hash_seen stop = {.answer = 1};
		struct csv_options os = {.threads = 2, .content_hashed = note_hash, .hook_ctx = &stop};
		f = ref;
		ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &os, &f, NULL, &err), 1);
		ck_assert_ptr_null(f);
		struct hash_seen fail = {.answer = -1};
		os.hook_ctx = &fail;
		ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &os, &f, NULL, &err), -1);
		ck_assert_ptr_null(f);
		char msg[64];
		snprintf(msg, sizeof msg, "refused %016llx", (unsigned long long)want);
		ck_assert_str_eq(err.msg, msg);
		frame_free(ref);
		free(text);
	}
}
END_TEST

START_TEST(test_thread_independence)
{
	size_t len;
	char *text = gen_text(20000, false, &len);
	struct pm_err err = {0};
	struct frame *ref = NULL;
	struct csv_options o1 = {.threads = 1};
	ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &o1, &ref, NULL, &err), 0);
	ck_assert_uint_eq(ref->nrows, 20000);
	ck_assert_int_eq(ref->cols[0].type, PM_INT);
	ck_assert_int_eq(ref->cols[1].type, PM_FLOAT);
	ck_assert_int_eq(ref->cols[2].type, PM_STRING);
	ck_assert_int_eq(ref->cols[3].type, PM_FLOAT);
	ck_assert_int_eq(ref->cols[4].type, PM_BOOL);
	ck_assert_int_eq(ref->cols[5].type, PM_TIMESTAMP);
	ck_assert_int_eq(ref->cols[0].v.i64[19999], 19999);
	ck_assert(ref->cols[3].v.f64[19999] == 0.5);
	const size_t sizes[] = {0, 0, 4096, 1000, 97};
	const int threads[] = {2, 5, 2, 3, 4};
	for (size_t k = 0; k < PM_ARRAY_LEN(sizes); k++) {
		struct frame *f = NULL;
		struct csv_options o = {.threads = threads[k]};
		int rc = sizes[k] ? csv_parse_chunked(text, len, "g.csv", "g", &o, sizes[k], &f, NULL, &err)
				  : frame_parse_csv(text, len, "g.csv", "g", &o, &f, NULL, &err);
		ck_assert_msg(rc == 0, "%s", err.msg);
		same_frames(ref, f);
		frame_free(f);
	}
	frame_free(ref);
	free(text);

	/* bad rows: the same rejects, in file order, for any chunking */
	text = gen_text(8000, true, &len);
	struct csv_options s1 = {.threads = 1, .skip_bad = true};
	struct csv_report r1, r2;
	ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &s1, &ref, &r1, &err), 0);
	ck_assert_uint_gt(r1.rejected, 50);
	ck_assert_uint_eq(ref->nrows + r1.rejected, 8000);
	struct frame *f = NULL;
	struct csv_options s2 = {.threads = 3, .skip_bad = true};
	ck_assert_int_eq(csv_parse_chunked(text, len, "g.csv", "g", &s2, 333, &f, &r2, &err), 0);
	same_frames(ref, f);
	ck_assert_uint_eq(r1.rejected, r2.rejected);
	ck_assert_uint_eq(r1.nrejects, r2.nrejects);
	for (size_t k = 0; k < r1.nrejects; k++) {
		ck_assert_uint_eq(r1.rejects[k].line, r2.rejects[k].line);
		ck_assert_str_eq(r1.rejects[k].reason, r2.rejects[k].reason);
		if (k)
			ck_assert_uint_gt(r1.rejects[k].line, r1.rejects[k - 1].line);
	}
	/* without skip_bad the first bad row is the error, for any chunking */
	struct pm_err e1 = {0}, e2 = {0};
	struct frame *g = NULL;
	ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &o1, &g, NULL, &e1), -1);
	struct csv_options n3 = {.threads = 3};
	ck_assert_int_eq(csv_parse_chunked(text, len, "g.csv", "g", &n3, 200, &g, NULL, &e2), -1);
	ck_assert_str_eq(e1.msg, e2.msg);
	char want[64];
	snprintf(want, sizeof want, "g.csv:%zu:", r1.rejects[0].line);
	ck_assert_msg(strncmp(e1.msg, want, strlen(want)) == 0, "%s", e1.msg);
	csv_report_free(&r1);
	csv_report_free(&r2);
	frame_free(ref);
	frame_free(f);
	free(text);
}
END_TEST

struct prog {
	double done, total;
	int calls;
};

static void on_progress(void *ctx, const char *what, double done, double total)
{
	struct prog *p = ctx;
	ck_assert_str_eq(what, "load");
	ck_assert(done <= total);
	p->done = done;
	p->total = total;
	p->calls++;
}

START_TEST(test_progress_cancel)
{
	size_t len;
	char *text = gen_text(3000, false, &len);
	struct prog pr = {0};
	volatile int cancel = 0;
	struct progress p = {on_progress, &pr, &cancel};
	struct csv_options o = {.threads = 2, .progress = &p};
	struct frame *f = NULL;
	struct pm_err err = {0};
	ck_assert_int_eq(csv_parse_chunked(text, len, "g.csv", "g", &o, 4096, &f, NULL, &err), 0);
	ck_assert_int_gt(pr.calls, 2);
	ck_assert(pr.done == (double)len && pr.total == (double)len);
	frame_free(f);
	cancel = 1;
	f = NULL;
	ck_assert_int_eq(frame_parse_csv(text, len, "g.csv", "g", &o, &f, NULL, &err), -1);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(err.code, PM_E_CANCEL);
	ck_assert_str_eq(err.msg, "cancelled");
	free(text);
}
END_TEST

START_TEST(test_write_csv)
{
	struct frame *f = parse("s,f,b,t,n\n\"a,b\",0.1,true,2024-01-02 03:04:05,\n"
				"\"q\"\"q\",1e300,false,2024-01-02,7\n\"l\nm\",-2.5,,2024-01-02T00:00:00.25Z,8\n",
				NULL);
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);
	struct pm_err err = {0};
	ck_assert_int_eq(frame_write_csv(f, fp, &err), 0);
	fclose(fp);
	ck_assert_str_eq(out, "s,f,b,t,n\n"
			      "\"a,b\",0.1,true,2024-01-02 03:04:05,\n"
			      "\"q\"\"q\",1e+300,false,2024-01-02 00:00:00,7\n"
			      "\"l\nm\",-2.5,,2024-01-02 00:00:00.250000,8\n");
	/* and it reads back to the same frame */
	struct frame *g = parse_n(out, outlen, NULL, &err);
	ck_assert_ptr_nonnull(g);
	same_frames(f, g);
	frame_free(g);
	frame_free(f);
	free(out);

	/* floats round-trip exactly */
	f = parse("x\n0.1\n0.30000000000000004\n1.7976931348623157e308\n5e-324\n", NULL);
	fp = open_memstream(&out, &outlen);
	ck_assert_int_eq(frame_write_csv(f, fp, &err), 0);
	fclose(fp);
	g = parse(out, NULL);
	for (size_t r = 0; r < 4; r++)
		ck_assert(f->cols[0].v.f64[r] == g->cols[0].v.f64[r]);
	ck_assert_str_eq(out, "x\n0.1\n0.30000000000000004\n1.7976931348623157e+308\n4.94066e-324\n");
	frame_free(f);
	frame_free(g);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spectrum_quotes);
	tcase_add_test(tc, test_embedded_newlines);
	tcase_add_test(tc, test_lone_cr);
	tcase_add_test(tc, test_crlf_bom_tsv);
	tcase_add_test(tc, test_no_header_and_names);
	tcase_add_test(tc, test_errors_exact);
	tcase_add_test(tc, test_block_row_reader);
	tcase_add_test(tc, test_stray_quote_lenient);
	tcase_add_test(tc, test_skip_bad);
	tcase_add_test(tc, test_big_fields);
	tcase_add_test(tc, test_empty_and_header_only);
	tcase_add_test(tc, test_inference);
	tcase_add_test(tc, test_missing_tokens);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_thread_independence);
	tcase_add_test(tc, test_content_hash);
	tcase_add_test(tc, test_progress_cancel);
	tcase_add_test(tc, test_write_csv);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
