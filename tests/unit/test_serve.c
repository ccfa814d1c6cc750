/* Unit tests of src/serve: the CSV
 * row tokenizer and the row-boundary scan (against each other, over every
 * cut), JSON and text values against the serving schema, lookup keys, the
 * batcher's limits, batch prediction from a file in chunks of any size
 * against the same rows from a frame, and the request log's spool: records
 * moved once, what a killed server left recovered, a cut record dropped. */
#include "serve/internal.h"
#include "registry/registry.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t xs = 88172645463325252ULL;
static uint64_t xr(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}


/* ---- CSV rows ------------------------------------------------------------------------------ */

static char *field(struct sv_csv *c, size_t i)
{
	size_t n;
	const char *s = sv_csv_field(c, i, &n);
	return strndup(s, n);
}

START_TEST(test_csv_rows)
{
	const char *d = "a,\"b,\"\"q\"\"\",c\r\n"
			"\n"
			"1,\"two\nlines\",3\n"
			"x,\"y\"z,w\n"
			"4,5,\n"
			"\"open,6";
	struct sv_csv c;
	sv_csv_init(&c, d, strlen(d), ',', 1);
	char *reason = NULL, *f;
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.nf, 3);
	ck_assert_str_eq(f = field(&c, 1), "b,\"q\"");
	free(f);
	ck_assert_str_eq(f = field(&c, 2), "c");
	free(f);
	ck_assert_uint_eq(c.row_line, 1);
	ck_assert_uint_eq(c.row_len, strlen("a,\"b,\"\"q\"\"\",c"));
	/* the blank line is skipped; the quoted newline counts as a line */
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.row_line, 3);
	ck_assert_str_eq(f = field(&c, 1), "two\nlines");
	free(f);
	ck_assert_int_eq(sv_csv_next(&c, &reason), -1);
	ck_assert_str_eq(reason, "field 2: text after the closing quote");
	free(reason);
	ck_assert_uint_eq(c.row_line, 5);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.row_line, 6);
	ck_assert_uint_eq(c.nf, 3);
	ck_assert_str_eq(f = field(&c, 2), "");
	free(f);
	ck_assert_int_eq(sv_csv_next(&c, &reason), -1);
	ck_assert_str_eq(reason, "field 1: unterminated quoted field");
	free(reason);
	ck_assert_uint_eq(c.row_line, 7);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 0);
	sv_csv_free(&c);
}
END_TEST

/* Random CSV text with quotes, doubled quotes, newlines and delimiters in
 * quoted fields, stray quotes, CRLF, lone CR and blank lines. */
static char *random_csv(size_t rows)
{
	static const char *const pieces[] = {"1", "abc", "\"q,uo\"\"te\"", "\"multi\nline\"",
					     "x\"y", "", "\"\"", "3.5", "\"a\"b", "\"c\rr\""};
	struct sbuf b = {0};
	for (size_t r = 0; r < rows; r++) {
		size_t nf = 1 + xr() % 4;
		for (size_t k = 0; k < nf; k++) {
			if (k)
				sbuf_putc(&b, ',');
			sbuf_puts(&b, pieces[xr() % PM_ARRAY_LEN(pieces)]);
		}
		unsigned e = xr() % 7;
		sbuf_puts(&b, e == 0 ? "\r\n" : e == 1 ? "\r" : "\n");
		if (xr() % 9 == 0)
			sbuf_putc(&b, '\n');
	}
	return sbuf_steal(&b);
}

/* Rows of a text as "line:fields|..." with each field's length, to compare. */
static void rows_sig(const char *d, size_t len, size_t line0, struct sbuf *out)
{
	struct sv_csv c;
	sv_csv_init(&c, d, len, ',', line0);
	char *reason;
	int got;
	while ((got = sv_csv_next(&c, &reason)) != 0) {
		if (got < 0) {
			sbuf_printf(out, "%zu:bad(%s)\n", c.row_line, reason);
			free(reason);
			continue;
		}
		sbuf_printf(out, "%zu:", c.row_line);
		for (size_t i = 0; i < c.nf; i++) {
			size_t n;
			const char *s = sv_csv_field(&c, i, &n);
			sbuf_add(out, s, n);
			sbuf_putc(out, '|');
		}
		sbuf_putc(out, '\n');
	}
	sv_csv_free(&c);
}

START_TEST(test_rows_end_agrees_with_tokenizer)
{
	for (int round = 0; round < 40; round++) {
		char *d = random_csv(60);
		size_t len = strlen(d);
		struct sbuf whole = {0};
		rows_sig(d, len, 1, &whole);
		for (size_t piece = 1; piece < len; piece += 1 + piece / 3) {
			size_t *cuts, *lines, ncuts, nl;
			size_t end = sv_csv_rows_end(d, len, ',', piece, true, &cuts, &lines, &ncuts, &nl);
			ck_assert_uint_eq(end, len);
			struct sbuf parts = {0};
			size_t start = 0;
			for (size_t k = 0; k < ncuts; k++) {
				rows_sig(d + start, cuts[k] - start, 1 + lines[k], &parts);
				start = cuts[k];
			}
			size_t want_nl = 0;
			for (size_t q = 0; q < len; q++)
				want_nl += str_eol_len(d + q, d + len) == 1;
			ck_assert_uint_eq(nl, want_nl);
			ck_assert_msg(parts.len == whole.len && memcmp(parts.s, whole.s, whole.len) == 0,
				      "piece %zu:\n%s\nvs\n%s", piece, parts.s, whole.s);
			sbuf_free(&parts);
			free(cuts);
			free(lines);
		}
		/* without eof, the part after the last complete row waits */
		size_t *cuts, *lines, ncuts, nl;
		size_t end = sv_csv_rows_end(d, len - 1, ',', 0, false, &cuts, &lines, &ncuts, &nl);
		ck_assert_uint_lt(end, len);
		ck_assert(end == 0 || d[end - 1] == '\n' || d[end - 1] == '\r');
		free(cuts);
		free(lines);
		sbuf_free(&whole);
		free(d);
	}
}
END_TEST

/* A lone CR ends a row as LF and CRLF do (files from old Mac tools), in
 * the tokenizer and in the row-boundary scan alike; inside quotes it is
 * text.  A CR at the end of data not read to its end may be half a CRLF. */
START_TEST(test_csv_lone_cr)
{
	const char *d = "a,b\r1,2\r\r3,\"x\ry\"\r\n4,5\r";
	struct sv_csv c;
	sv_csv_init(&c, d, strlen(d), ',', 1);
	char *reason = NULL, *f;
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.nf, 2);
	ck_assert_str_eq(f = field(&c, 1), "b");
	free(f);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.row_line, 2);
	ck_assert_uint_eq(c.row_len, 3);
	ck_assert_str_eq(f = field(&c, 1), "2");
	free(f);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.row_line, 4);
	ck_assert_str_eq(f = field(&c, 1), "x\ry");
	free(f);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_uint_eq(c.row_line, 6);
	ck_assert_str_eq(f = field(&c, 1), "5");
	free(f);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 0);
	sv_csv_free(&c);
	size_t *cuts, *lines, ncuts, nl;
	ck_assert_uint_eq(sv_csv_rows_end(d, strlen(d), ',', 0, true, &cuts, &lines, &ncuts, &nl),
			  strlen(d));
	ck_assert_uint_eq(nl, 6);
	free(cuts);
	free(lines);
	ck_assert_uint_eq(sv_csv_rows_end("a,b\r1,2\r", 8, ',', 0, false, &cuts, &lines, &ncuts, &nl),
			  4);
	free(cuts);
	free(lines);
}
END_TEST

/* predict --file and text/csv requests refuse what the loader refuses, in
 * its words: a NUL byte or invalid UTF-8, quoted or not, in any field. */
START_TEST(test_csv_text_rule)
{
	static const char d[] = "a,b\nCa\0sh,1\n\"x\0\",2\n1,caf\xe9\n1,\"caf\xc3\xa9\"\n";
	struct sv_csv c;
	sv_csv_init(&c, d, sizeof d - 1, ',', 1);
	char *reason = NULL;
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_int_eq(sv_csv_next(&c, &reason), -1);
	ck_assert_str_eq(reason, "NUL byte in field 1");
	free(reason);
	ck_assert_int_eq(sv_csv_next(&c, &reason), -1);
	ck_assert_str_eq(reason, "NUL byte in field 1");
	free(reason);
	ck_assert_int_eq(sv_csv_next(&c, &reason), -1);
	ck_assert_str_eq(reason, "invalid UTF-8 (byte 0xe9) in field 2");
	free(reason);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 1);
	ck_assert_int_eq(sv_csv_next(&c, &reason), 0);
	sv_csv_free(&c);
}
END_TEST

START_TEST(test_rows_end_lines)
{
	const char *d = "a,\"x\ny\"\nb,c\n\"open";
	size_t *cuts, *lines, ncuts, nl;
	ck_assert_uint_eq(sv_csv_rows_end(d, strlen(d), ',', 0, false, &cuts, &lines, &ncuts, &nl),
			  strlen("a,\"x\ny\"\nb,c\n"));
	ck_assert_uint_eq(ncuts, 1);
	ck_assert_uint_eq(nl, 3);
	free(cuts);
	free(lines);
	/* an unterminated quote holds the rest of the text in its row */
	ck_assert_uint_eq(sv_csv_rows_end("\"a\nb\nc", 6, ',', 0, false, &cuts, &lines, &ncuts, &nl), 0);
	free(cuts);
	free(lines);
}
END_TEST

/* ---- values ------------------------------------------------------------------------------------ */

START_TEST(test_json_values)
{
	struct ft_value v;
	struct pm_err err = {0};
	json_t *j = json_loads("[3, 2.5, \"x\", true, null, \"2014-10-22 11:45:00\", 1, 2]", 0, NULL);
	ck_assert_int_eq(sv_json_value(PM_FLOAT, json_array_get(j, 0), &v, &err), 0);
	ck_assert(v.num == 3 && !v.missing && !v.is_str);
	ck_assert_int_eq(sv_json_value(PM_INT, json_array_get(j, 1), &v, &err), 0);
	ck_assert(v.num == 2.5);
	ck_assert_int_eq(sv_json_value(PM_FLOAT, json_array_get(j, 2), &v, &err), -1);
	ck_assert_str_eq(err.msg, "expected a number, got a string");
	ck_assert_int_eq(sv_json_value(PM_FLOAT, json_array_get(j, 3), &v, &err), -1);
	ck_assert_str_eq(err.msg, "expected a number, got true");
	ck_assert_int_eq(sv_json_value(PM_STRING, json_array_get(j, 4), &v, &err), 0);
	ck_assert(v.missing);
	ck_assert_int_eq(sv_json_value(PM_TIMESTAMP, json_array_get(j, 5), &v, &err), 0);
	ck_assert(v.num == 1413978300.0 * 1e6);
	ck_assert_int_eq(sv_json_value(PM_TIMESTAMP, json_array_get(j, 0), &v, &err), -1);
	ck_assert_str_eq(err.msg, "expected a timestamp string, got an integer");
	ck_assert_int_eq(sv_json_value(PM_TIMESTAMP, json_array_get(j, 2), &v, &err), -1);
	ck_assert_str_eq(err.msg, "'x' is not a timestamp");
	ck_assert_int_eq(sv_json_value(PM_BOOL, json_array_get(j, 6), &v, &err), 0);
	ck_assert(v.num == 1);
	ck_assert_int_eq(sv_json_value(PM_BOOL, json_array_get(j, 7), &v, &err), -1);
	ck_assert_str_eq(err.msg, "expected true or false, got an integer");
	ck_assert_int_eq(sv_json_value(PM_STRING, json_array_get(j, 3), &v, &err), -1);
	ck_assert_str_eq(err.msg, "expected a string, got true");
	/* a category given as a number keys like its text */
	ck_assert_int_eq(sv_json_value(PM_STRING, json_array_get(j, 0), &v, &err), 0);
	char buf[32];
	const char *key;
	ck_assert_uint_eq(ft_value_key(&v, buf, sizeof buf, &key), 1);
	ck_assert_str_eq(key, "3");
	json_decref(j);
	/* the data reader's missing tokens, trimmed, are missing for every
	 * type; other text is a value (a string) or an error */
	static const enum pm_type types[] = {PM_INT, PM_FLOAT, PM_BOOL, PM_STRING, PM_TIMESTAMP};
	j = json_loads("[\"\", \"NA\", \"N/A\", \"NaN\", \"nan\", \"null\", \"NULL\", \" NA \", "
		       "\"\\t\"]", 0, NULL);
	for (size_t t = 0; t < PM_ARRAY_LEN(types); t++)
		for (size_t i = 0; i < json_array_size(j); i++) {
			v.missing = false;
			ck_assert_int_eq(sv_json_value(types[t], json_array_get(j, i), &v, &err), 0);
			ck_assert_msg(v.missing, "type %d, value %zu", (int)types[t], i);
		}
	json_decref(j);
	j = json_loads("[\"na\", \"None\", \"NA NA\"]", 0, NULL);
	for (size_t i = 0; i < json_array_size(j); i++) {
		ck_assert_int_eq(sv_json_value(PM_STRING, json_array_get(j, i), &v, &err), 0);
		ck_assert(!v.missing && v.is_str);
		ck_assert_int_eq(sv_json_value(PM_FLOAT, json_array_get(j, i), &v, &err), -1);
		ck_assert_str_eq(err.msg, "expected a number, got a string");
	}
	json_decref(j);
	/* an omitted key */
	ck_assert_int_eq(sv_json_value(PM_FLOAT, NULL, &v, &err), 0);
	ck_assert(v.missing);
}
END_TEST

START_TEST(test_text_values)
{
	struct ft_value v;
	struct pm_err err = {0};
	ck_assert_int_eq(sv_text_value(PM_FLOAT, " 2.25 ", 6, &v, &err), 0);
	ck_assert(v.num == 2.25);
	ck_assert_int_eq(sv_text_value(PM_FLOAT, " NA", 3, &v, &err), 0);
	ck_assert(v.missing);
	ck_assert_int_eq(sv_text_value(PM_INT, "twelve", 6, &v, &err), -1);
	ck_assert_str_eq(err.msg, "'twelve' is not a number");
	ck_assert_int_eq(sv_text_value(PM_STRING, " a b ", 5, &v, &err), 0);
	ck_assert(v.is_str && v.len == 5);
	ck_assert_int_eq(sv_text_value(PM_BOOL, "true", 4, &v, &err), 0);
	ck_assert(v.num == 1);
	ck_assert_int_eq(sv_text_value(PM_BOOL, "yes", 3, &v, &err), -1);
	ck_assert_str_eq(err.msg, "'yes' is not a bool");
	ck_assert(sv_type_fits(PM_FLOAT, PM_INT) && sv_type_fits(PM_INT, PM_FLOAT));
	ck_assert(!sv_type_fits(PM_FLOAT, PM_BOOL) && !sv_type_fits(PM_STRING, PM_INT));
}
END_TEST

START_TEST(test_lookup_keys)
{
	json_t *j = json_loads("[\"k1\", 42, 42.0, 2.5, true, null]", 0, NULL);
	char buf[32];
	const char *key;
	ck_assert_uint_eq(lookup_json_key(json_array_get(j, 0), buf, sizeof buf, &key), 2);
	ck_assert_str_eq(key, "k1");
	lookup_json_key(json_array_get(j, 1), buf, sizeof buf, &key);
	ck_assert_str_eq(key, "42");
	lookup_json_key(json_array_get(j, 2), buf, sizeof buf, &key);
	ck_assert_str_eq(key, "42");
	lookup_json_key(json_array_get(j, 3), buf, sizeof buf, &key);
	ck_assert_str_eq(key, "2.5");
	lookup_json_key(json_array_get(j, 4), buf, sizeof buf, &key);
	ck_assert_str_eq(key, "true");
	ck_assert_uint_eq(lookup_json_key(json_array_get(j, 5), buf, sizeof buf, &key), 0);
	ck_assert_ptr_null(key);
	json_decref(j);
}
END_TEST

/* ---- a model over a small frame --------------------------------------------------------------- */

static const char train_csv[] =
	"id,x,s,ts,y\n"
	"1,0.5,red,2014-10-22 11:45:00,1.5\n"
	"2,1.5,blue,2015-01-03 08:00:00,2.5\n"
	"3,-2,\"green, dark\",2016-06-30 23:10:00,0.25\n"
	"4,3.25,red,2013-02-14 12:00:00,4\n"
	"5,,blue,2014-07-04 06:30:00,1\n"
	"6,7,\"two\nlines\",2015-12-25 18:00:00,3\n";

static struct model *make_model_seeded(struct frame **train, uint64_t seed)
{
	struct pm_err err = {0};
	struct frame *f;
	ck_assert_msg(frame_parse_csv(train_csv, strlen(train_csv), "train", "train", NULL, &f, NULL,
				      &err) == 0,
		      "%s", err.msg);
	const char *cols[] = {"x", "s", "ts"};
	struct ft_options o = {.columns = cols, .ncolumns = 3};
	struct model *m = calloc(1, sizeof *m);
	ck_assert_msg(transform_fit(f, NULL, 0, &o, &m->tf, &err) == 0, "%s", err.msg);
	m->label = strdup("y");
	m->label_type = PM_FLOAT;
	m->label_mean = 2;
	m->label_std = 1.5;
	struct model_spec spec = {.type = MODEL_DNN, .task = TASK_REGRESSION, .nout = 1, .nhidden = 2,
				  .hidden = {6, 4}, .seed = 3};
	ck_assert_msg(model_init(m, &spec, &err) == 0, "%s", err.msg);
	struct rng r;
	rng_seed(&r, seed);
	for (size_t i = 0; i < m->nparams; i++)
		m->params[i] = 0.4 * rng_normal(&r);
	*train = f;
	return m;
}

static struct model *make_model(struct frame **train)
{
	return make_model_seeded(train, 5);
}

/* Rows to predict, with bad ones: a word for x, a short row, a bad timestamp. */
static const char score_csv[] =
	"id,ts,s,x\n"
	"10,2014-10-22 11:45:00,red,0.5\n"
	"11,2015-01-03 08:00:00,\"green, dark\",12.125\n"
	"12,2016-06-30 23:10:00,purple,abc\n"
	"13,2014-07-04 06:30:00,blue\n"
	"\n"
	"14,2013-02-14 12:00:00,\"two\nlines\",-1e3\n"
	"15,,red,\n"
	"16,yesterday,red,1\n"
	"17,2015-12-25 18:00:00,\"new \"\"one\"\"\",0.001\n";

static char *slurp(const char *path)
{
	char *d;
	size_t n;
	struct pm_err err;
	ck_assert_msg(fs_read_all(path, &d, &n, &err) == 0, "%s", err.msg);
	return d;
}

/* ---- --split routing ---------------------------------------------------------------------- */

/* Counts of each route over the first `upto` requests, checked after every
 * request against the weights' share: never one request or more away. */
static void check_spread(const int *w, size_t n, size_t upto, size_t *counts)
{
	struct route r[8] = {{0}};
	int total = 0;
	for (size_t k = 0; k < n; k++) {
		r[k].weight = w[k];
		total += w[k];
	}
	int64_t cycle = 0;
	memset(counts, 0, n * sizeof *counts);
	for (size_t q = 1; q <= upto; q++) {
		size_t k = sv_route_next(r, n, total, &cycle);
		ck_assert_uint_lt(k, n);
		counts[k]++;
		for (size_t j = 0; j < n; j++) {
			double share = (double)q * w[j] / total;
			ck_assert_msg(fabs((double)counts[j] - share) < 1,
				      "%zu routes: after %zu requests route %zu has %zu, share %g", n, q,
				      j, counts[j], share);
		}
	}
}

START_TEST(test_split_spreads_every_prefix)
{
	size_t c[8];
	/* 1=50,3=50: a canary of 20 requests sees 10 and 10, in turns */
	static const int half[] = {50, 50};
	check_spread(half, 2, 20, c);
	ck_assert_uint_eq(c[0], 10);
	ck_assert_uint_eq(c[1], 10);
	struct route r[2] = {{.weight = 50}, {.weight = 50}};
	int64_t cycle = 0;
	for (int q = 0; q < 6; q++)
		ck_assert_uint_eq(sv_route_next(r, 2, 100, &cycle), (size_t)(q % 2));
	check_spread(half, 2, 100, c);
	ck_assert_uint_eq(c[0], 50);
	ck_assert_uint_eq(c[1], 50);
	/* 90/10: 2 of the first 20 go to the canary, 10 of the first 100 */
	static const int canary[] = {90, 10};
	check_spread(canary, 2, 20, c);
	ck_assert_uint_eq(c[1], 2);
	check_spread(canary, 2, 100, c);
	ck_assert_uint_eq(c[1], 10);
	/* three ways and uneven, over several cycles; a weight of 0 gets nothing */
	static const int three[] = {70, 20, 10}, odd[] = {5, 0, 3, 1}, big[] = {999999, 1};
	check_spread(three, 3, 20, c);
	ck_assert_uint_eq(c[0], 14);
	ck_assert_uint_eq(c[1], 4);
	ck_assert_uint_eq(c[2], 2);
	check_spread(three, 3, 250, c);
	check_spread(odd, 4, 100, c);
	ck_assert_uint_eq(c[1], 0);
	check_spread(big, 2, 100, c);
	ck_assert_uint_eq(c[1], 0);
}
END_TEST

START_TEST(test_predict_file_chunks_match_frame)
{
	struct frame *train;
	struct model *m = make_model(&train);
	char dir[] = "/tmp/prodml-test-serve.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *in = path_join(dir, "score.csv"), *out = path_join(dir, "p.csv"),
	     *rej = path_join(dir, "r.csv");
	struct pm_err err = {0};
	ck_assert_int_eq(fs_write_atomic(in, score_csv, strlen(score_csv), &err), 0);

	/* the same rows as a frame: x becomes a string column (it holds "abc"),
	 * so the frame path reads it as text, as the file path does */
	struct frame *f;
	ck_assert_int_eq(frame_parse_csv(score_csv, strlen(score_csv), "s", "s", NULL, &f, NULL, &err),
			 -1);
	struct csv_options co = {.skip_bad = true};
	struct csv_report rep = {0};
	ck_assert_msg(frame_parse_csv(score_csv, strlen(score_csv), "s", "s", &co, &f, &rep, &err) == 0,
		      "%s", err.msg);
	csv_report_free(&rep);
	const char *keys[] = {"id"};
	struct predict_opts o = {.out = out, .rejects = rej, .keys = keys, .nkeys = 1, .threads = 2};
	struct predict_stats st;
	ck_assert_msg(predict_frame(m, f, &o, &st, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(st.rows, 7);
	ck_assert_uint_eq(st.rejected, 2);
	ck_assert_str_eq(st.examples[0].reason, "column 'x': 'abc' is not a number");
	ck_assert_str_eq(st.examples[1].reason, "column 'ts': 'yesterday' is not a timestamp");
	predict_stats_free(&st);
	char *want = slurp(out);
	/* by hand: rows 10, 11, 14, 15 and 17 are predicted, each as the
	 * model predicts it alone */
	ck_assert(str_prefix(want, "id,prediction\n10,"));
	struct ft_value vals[3];
	double y;
	ck_assert_int_eq(sv_text_value(PM_FLOAT, "12.125", 6, &vals[0], &err), 0);
	ck_assert_int_eq(sv_text_value(PM_STRING, "green, dark", 11, &vals[1], &err), 0);
	ck_assert_int_eq(sv_text_value(PM_TIMESTAMP, "2015-01-03 08:00:00", 19, &vals[2], &err), 0);
	ck_assert_int_eq(model_predict_values(m, vals, &y, &err), 0);
	char line[80], num[40];
	fmt_double(y, num, sizeof num);
	snprintf(line, sizeof line, "\n11,%s\n", num);
	ck_assert_msg(strstr(want, line), "%s not in %s", line, want);

	for (size_t chunk = 64; chunk <= 4096; chunk = chunk * 3 / 2) {
		o.chunk_bytes = chunk;
		ck_assert_msg(predict_file(m, in, &o, &st, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(st.rows, 8);
		ck_assert_uint_eq(st.predicted, 5);
		ck_assert_uint_eq(st.rejected, 3);
		char *got = slurp(out);
		ck_assert_str_eq(got, want);
		free(got);
		char *r = slurp(rej);
		ck_assert_str_eq(r, "row,line,reason,input\n"
				    "3,4,column 'x': 'abc' is not a number,\"12,2016-06-30 23:10:00,purple,abc\"\n"
				    "4,5,\"row has 3 fields, expected 4\",\"13,2014-07-04 06:30:00,blue\"\n"
				    "7,10,column 'ts': 'yesterday' is not a timestamp,\"16,yesterday,red,1\"\n");
		free(r);
		predict_stats_free(&st);
	}
	/* a pipe is read with read(), not mapped: the same rows out */
	char *fifo = path_join(dir, "pipe.csv");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	for (size_t chunk = 64; chunk <= 4096; chunk *= 8) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			int fd = open(fifo, O_WRONLY);
			_exit(fd >= 0 && fs_write_fd(fd, score_csv, strlen(score_csv)) == 0 ? 0 : 1);
		}
		o.chunk_bytes = chunk;
		int rc = predict_file(m, fifo, &o, &st, &err);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(rc == 0, "%s", err.msg);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_uint_eq(st.rows, 8);
		ck_assert_uint_eq(st.rejected, 3);
		char *got = slurp(out);
		ck_assert_str_eq(got, want);
		free(got);
		predict_stats_free(&st);
	}
	unlink(fifo);
	free(fifo);
	/* a key column the file lacks is an error, not a reject */
	const char *bad[] = {"nope"};
	o.keys = bad;
	ck_assert_int_eq(predict_file(m, in, &o, &st, &err), -1);
	snprintf(line, sizeof line, "%s has no column 'nope' (from --keys)", in);
	ck_assert_str_eq(err.msg, line);
	free(want);
	frame_free(f);
	frame_free(train);
	model_free(m);
	unlink(in);
	unlink(out);
	unlink(rej);
	rmdir(dir);
	free(in);
	free(out);
	free(rej);
}
END_TEST

/* ---- the batcher ------------------------------------------------------------------------------------ */

struct done_log {
	pthread_mutex_t mu;
	int done;
};
static struct done_log dl = {PTHREAD_MUTEX_INITIALIZER, 0};

static void on_done(struct sv_job *j)
{
	(void)j;
	pthread_mutex_lock(&dl.mu);
	dl.done++;
	pthread_mutex_unlock(&dl.mu);
}

START_TEST(test_batcher)
{
	struct frame *train;
	struct model *m = make_model(&train);
	struct smodel sm = {.m = m, .version = 1};
	atomic_init(&sm.ref, 1);
	struct sv_metrics *mt = calloc(1, sizeof *mt);
	/* batches of up to 4 rows, a long timeout, room for 6 rows */
	struct batcher *b = batcher_new(1, 4, 10 * 1000 * 1000, 6, mt);
	size_t nd = m->tf->ndense, nc = m->tf->ncat;
	double *dense = calloc(8 * nd + 1, sizeof *dense), out[8];
	uint32_t *cat = calloc(8 * nc + 1, sizeof *cat);
	/* real rows: the training rows, transformed */
	int colmap[3];
	struct pm_err err = {0};
	ck_assert_int_eq(transform_bind(m->tf, train, colmap, &err), 0);
	size_t rows[8] = {0, 1, 2, 3, 4, 5, 0, 1};
	ck_assert_int_eq(transform_apply_rows(m->tf, train, colmap, rows, 8, dense, cat, 1, &err), 0);
	struct sv_job jobs[4];
	for (int i = 0; i < 4; i++)
		jobs[i] = (struct sv_job){.sm = &sm, .n = 2, .dense = dense + 2 * i * nd,
					  .cat = cat + 2 * i * nc, .out = out + 2 * i, .done = on_done};
	ck_assert(batcher_submit(b, &jobs[0]));
	ck_assert(batcher_submit(b, &jobs[1])); /* 4 rows: a full batch runs */
	for (int w = 0; w < 500 && dl.done < 2; w++)
		usleep(2000);
	ck_assert_int_eq(dl.done, 2);
	ck_assert_uint_eq(atomic_load(&mt->batches), 1);
	ck_assert_uint_eq(atomic_load(&mt->batch_rows), 4);
	ck_assert(batcher_submit(b, &jobs[2]));
	ck_assert_uint_eq(batcher_depth(b), 2);
	/* 2 + 2 rows fit the queue of 6 but wait for the timeout; a third job
	 * of 2 more would still fit, so shrink the room with a big one */
	struct sv_job big = jobs[3];
	big.n = 5;
	ck_assert(!batcher_submit(b, &big));
	batcher_flush(b);
	for (int w = 0; w < 500 && dl.done < 3; w++)
		usleep(2000);
	ck_assert_int_eq(dl.done, 3);
	ck_assert_uint_eq(batcher_depth(b), 0);
	batcher_free(b);
	/* each row as the model predicts it alone */
	for (int i = 0; i < 6; i++) {
		double y;
		model_predict_rows(m, dense + i * nd, cat + i * nc, 1, &y);
		ck_assert(y == out[i]);
	}
	free(dense);
	free(cat);
	free(mt);
	model_free(m);
	frame_free(train);
}
END_TEST

/* ---- the server follows an alias ------------------------------------------------------------------ */

/* One HTTP/1.1 request to 127.0.0.1:port; returns the status, *body the answer's body. */
static int http_post(int port, const char *path, const char *data, char **body)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char *req = xasprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			      "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			      path, strlen(data), data);
	ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	free(req);
	struct sbuf b = {0};
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sbuf_add(&b, buf, (size_t)n);
	close(fd);
	ck_assert_ptr_nonnull(b.s);
	int status = atoi(b.s + 9);
	char *sep = strstr(b.s, "\r\n\r\n");
	*body = xstrdup(sep ? sep + 4 : "");
	sbuf_free(&b);
	return status;
}

static int64_t register_model(struct workspace *ws, struct model *m)
{
	struct pm_err err = {0};
	struct sbuf file = {0};
	ck_assert_msg(model_serialize(m, NULL, NULL, 0, &file, &err) == 0, "%s", err.msg);
	char sha[65];
	ck_assert_msg(ws_artifact_put(ws, file.s, file.len, sha, &err) == 0, "%s", err.msg);
	struct reg_version v = {.model = xstrdup("m"), .artifact = xstrdup(sha),
				.size = (int64_t)file.len, .type = xstrdup(model_type_name(m->type)),
				.task = xstrdup(model_task_name(m->task)), .label = xstrdup("y")};
	ck_assert_msg(reg_version_add(ws, &v, false, &err) == 0, "%s", err.msg);
	int64_t version = v.version;
	reg_version_free(&v);
	sbuf_free(&file);
	return version;
}

static char *expected_answer(struct model *m)
{
	struct pm_err err = {0};
	struct ft_value vals[3];
	sv_text_value(PM_FLOAT, "1.5", 3, &vals[0], &err);
	sv_text_value(PM_STRING, "red", 3, &vals[1], &err);
	sv_text_value(PM_TIMESTAMP, "2014-10-22 11:45:00", 19, &vals[2], &err);
	double y;
	ck_assert_int_eq(model_predict_values(m, vals, &y, &err), 0);
	char num[40];
	fmt_double(y, num, sizeof num);
	return xasprintf("{\"predictions\":[%s]}\n", num);
}

/* A workspace in a new directory made from the template dir (XXXXXX). */
static struct workspace *scratch_ws(char *dir)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct pm_err err = {0};
	struct workspace *ws;
	ck_assert_msg(ws_open(dir, &ws, &err) == 0, "%s", err.msg);
	return ws;
}

static void scratch_remove(struct workspace *ws, const char *dir)
{
	ws_close(ws);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

START_TEST(test_server_follows_alias)
{
	char dir[] = "/tmp/prodml-test-alias.XXXXXX";
	struct workspace *ws = scratch_ws(dir);
	struct pm_err err = {0};
	struct frame *f1, *f2;
	struct model *m1 = make_model_seeded(&f1, 5), *m2 = make_model_seeded(&f2, 6);
	ck_assert_int_eq(register_model(ws, m1), 1);
	ck_assert_int_eq(register_model(ws, m2), 2);
	ck_assert_int_eq(reg_alias_set(ws, "m", "production", 1, &err), 0);
	char *p1 = expected_answer(m1), *p2 = expected_answer(m2);
	ck_assert_str_ne(p1, p2);

	struct serve_options o = {.ws_dir = dir, .model = "m", .alias = "production",
				  .host = "127.0.0.1", .threads = 2, .max_batch = 1, .queue_rows = 16,
				  .poll_s = 0.02};
	struct server *sv;
	ck_assert_msg(server_start(&o, &sv, &err) == 0, "%s", err.msg);
	int port = server_port(sv);
	const char *row = "{\"instances\":[{\"x\":1.5,\"s\":\"red\",\"ts\":\"2014-10-22 11:45:00\"}]}";
	char *body;
	ck_assert_int_eq(http_post(port, "/v1/models/m:predict", row, &body), 200);
	ck_assert_str_eq(body, p1);
	free(body);

	/* promote: every answer is 200, and once version 2 answers, only it does */
	ck_assert_int_eq(reg_alias_set(ws, "m", "production", 2, &err), 0);
	bool moved = false;
	for (int i = 0; i < 2000; i++) {
		ck_assert_int_eq(http_post(port, "/v1/models/m:predict", row, &body), 200);
		if (moved) {
			ck_assert_str_eq(body, p2);
		} else if (strcmp(body, p2) == 0) {
			moved = true;
		} else {
			ck_assert_str_eq(body, p1);
			usleep(1000);
		}
		free(body);
		if (moved && i > 50)
			break;
	}
	ck_assert(moved);
	ck_assert_int_eq(http_post(port, "/v1/models/m/labels/production:predict", row, &body), 200);
	ck_assert_str_eq(body, p2);
	free(body);
	ck_assert_int_eq(http_post(port, "/v1/models/m/versions/1:predict", row, &body), 200);
	ck_assert_str_eq(body, p1);
	free(body);
	/* roll back */
	ck_assert_int_eq(reg_alias_set(ws, "m", "production", 1, &err), 0);
	moved = false;
	for (int i = 0; i < 2000 && !moved; i++) {
		ck_assert_int_eq(http_post(port, "/v1/models/m:predict", row, &body), 200);
		moved = strcmp(body, p1) == 0;
		free(body);
		if (!moved)
			usleep(1000);
	}
	ck_assert(moved);
	json_t *stj = server_stop(sv, 5);
	ck_assert_int_eq(json_integer_value(json_object_get(stj, "reloads")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(stj, "errors")), 0);
	json_decref(stj);
	free(p1);
	free(p2);
	model_free(m1);
	model_free(m2);
	frame_free(f1);
	frame_free(f2);
	scratch_remove(ws, dir);
}
END_TEST

/* ---- the request log's spool -------------------------------------------------------------- */

static struct reqlog_rec spool_rec(int i)
{
	static char feats[64], pred[32];
	snprintf(feats, sizeof feats, "[{\"x\":%d}]", i);
	snprintf(pred, sizeof pred, "[0.%d]", i);
	return (struct reqlog_rec){.time_us = 1700000000000000LL + i * 1000001LL,
				   .version = i % 3,
				   .latency_us = 100 + i,
				   .status = i == 4 ? 400 : 200,
				   .rows = 1,
				   .lookup_hits = (size_t)(i % 2),
				   .api = i % 2 ? "mlflow" : "tfserving",
				   .features = i == 4 ? NULL : feats,
				   .prediction = i == 4 ? NULL : pred,
				   .error = i == 4 ? "instances[0]: missing feature 'x'" : NULL};
}

static void spool_put(struct spool *sp, int from, int to, struct spool_pos *end)
{
	struct pm_err err = {0};
	for (int i = from; i < to; i++) {
		struct reqlog_rec r = spool_rec(i);
		ck_assert_msg(spool_append(sp, &r, 1, end, &err) == 0, "%s", err.msg);
	}
}

static char *sql_text(struct workspace *ws, const char *sql)
{
	struct db_stmt *st;
	struct pm_err err = {0};
	ck_assert_msg(ws_prepare(ws, sql, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(db_step(st), DB_ROW);
	const unsigned char *t = db_column_text(st, 0);
	char *out = xstrdup(t ? (const char *)t : "NULL");
	db_finalize(st);
	return out;
}

#define ck_sql(ws, sql, want)                           \
	do {                                            \
		char *got_ = sql_text(ws, sql);         \
		ck_assert_str_eq(got_, want);           \
		free(got_);                             \
	} while (0)

static int spool_dirs(const char *ws_dir)
{
	char *cmd = xasprintf("ls -A '%s/spool' | wc -l", ws_dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	free(cmd);
	return n;
}

START_TEST(test_spool_move_and_recover)
{
	char dir[] = "/tmp/prodml-test-spool.XXXXXX";
	struct workspace *ws = scratch_ws(dir);
	struct pm_err err = {0};
	struct server_rec srv = {.pid = getpid(), .model = "m", .ref = "m", .bind_host = "127.0.0.1",
				 .url = "http://127.0.0.1:0"};
	int64_t sid;
	ck_assert_msg(servers_add(ws, &srv, &sid, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sid, 1);
	struct spool *sp;
	ck_assert_msg(spool_open(dir, "m", 1, &sp, &err) == 0, "%s", err.msg);
	struct spool_pos at = spool_start(sp), b, c, d;
	spool_put(sp, 0, 5, &b);
	spool_put(sp, 5, 6, &c);
	spool_put(sp, 6, 7, &d);

	/* five records moved two per transaction; the progress is where they end */
	struct spool_counts n = {0};
	ck_assert_msg(spool_move(sp, ws, &at, b, 2, NULL, &n, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(n.records, 5);
	ck_assert_int_eq(n.damaged, 0);
	ck_assert_int_eq(n.bytes, b.off); /* the header and the five records */
	ck_assert_int_eq(at.seg, b.seg);
	ck_assert_int_eq(at.off, b.off);
	char *want = xasprintf("%llu", (unsigned long long)b.off);
	ck_sql(ws, "SELECT offset FROM spool_progress", want);
	free(want);
	ck_sql(ws,
	       "SELECT group_concat(printf('%s|%d|%s|%s|%d|%d|%d|%d|%s|%s|%s|%s', time, time_us - "
	       "1700000000000000, server, model, ifnull(version, 0), api = 'mlflow', status, "
	       "latency_us, lookup_hits, ifnull(features, '-'), ifnull(prediction, '-'), "
	       "ifnull(error, '-')), ';') FROM (SELECT * FROM requests ORDER BY id)",
	       "2023-11-14T22:13:20.000000Z|0|1|m|0|0|200|100|0|[{\"x\":0}]|[0.0]|-;"
	       "2023-11-14T22:13:21.000001Z|1000001|1|m|1|1|200|101|1|[{\"x\":1}]|[0.1]|-;"
	       "2023-11-14T22:13:22.000002Z|2000002|1|m|2|0|200|102|0|[{\"x\":2}]|[0.2]|-;"
	       "2023-11-14T22:13:23.000003Z|3000003|1|m|0|1|200|103|1|[{\"x\":3}]|[0.3]|-;"
	       "2023-11-14T22:13:24.000004Z|4000004|1|m|1|0|400|104|0|-|-|"
	       "instances[0]: missing feature 'x'");
	ck_sql(ws, "SELECT count(*) FROM requests WHERE version IS NULL", "2");

	/* the server is killed with record 6 half written: its lock goes with
	 * it; the next process moves record 5 (not 0-4 again) and drops the
	 * cut one */
	char *seg = xasprintf("%s/spool", dir);
	char *cut = xasprintf("f=$(ls -d '%s'/*/00000001.spool) && truncate -s %llu \"$f\"", seg,
			      (unsigned long long)(d.off - 7));
	ck_assert_int_eq(system(cut), 0);
	free(cut);
	spool_close(sp, NULL);
	ck_assert_int_eq(spool_dirs(dir), 1);
	struct spool_counts rec;
	ck_assert_msg(spool_recover(ws, &rec, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rec.spools, 1);
	ck_assert_int_eq(rec.records, 1);
	ck_assert_int_eq(rec.damaged, 1);
	ck_sql(ws, "SELECT count(*) || ' ' || max(latency_us) FROM requests", "6 105");
	ck_sql(ws, "SELECT count(*) FROM spool_progress", "0");
	ck_assert_int_eq(spool_dirs(dir), 0);
	ck_assert_msg(spool_recover(ws, &rec, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rec.spools + rec.records, 0);

	/* a live server's spool is its own; a record longer than the read
	 * buffer, and segments past 64 MiB, are moved whole; a server without
	 * a row in servers is logged as none */
	ck_assert_msg(spool_open(dir, "m", 99, &sp, &err) == 0, "%s", err.msg); /* no such server */
	size_t big = 5u << 20;
	char *text = xmalloc(big + 1);
	memset(text, 'x', big);
	text[big] = 0;
	struct reqlog_rec r = spool_rec(8);
	r.features = text;
	for (int i = 0; i < 14; i++)
		ck_assert_msg(spool_append(sp, &r, 1, &d, &err) == 0, "%s", err.msg);
	free(text);
	ck_assert_int_eq(d.seg, 2);
	ck_assert_msg(spool_recover(ws, &rec, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rec.spools, 0);
	at = spool_start(sp);
	struct spool_counts n2 = {0};
	ck_assert_msg(spool_move(sp, ws, &at, d, 128, NULL, &n2, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(n2.records, 14);
	ck_assert_int_eq(n2.damaged, 0);
	ck_sql(ws, "SELECT count(*) || ' ' || min(length(features)) || ' ' || max(length(features)) "
		   "|| ' ' || ifnull(min(server), 0) FROM requests WHERE id > 6",
	       "14 5242880 5242880 0");
	char *first = xasprintf("ls '%s'/spool/*/00000001.spool 2>/dev/null | wc -l | grep -qx 0", dir);
	ck_assert_int_eq(system(first), 0); /* the full segment went */
	free(first);
	spool_close(sp, ws);
	ck_assert_int_eq(spool_dirs(dir), 0);
	ck_sql(ws, "SELECT count(*) FROM spool_progress", "0");
	free(seg);
	scratch_remove(ws, dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("serve");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_csv_rows);
	tcase_add_test(tc, test_rows_end_agrees_with_tokenizer);
	tcase_add_test(tc, test_csv_lone_cr);
	tcase_add_test(tc, test_csv_text_rule);
	tcase_add_test(tc, test_rows_end_lines);
	tcase_add_test(tc, test_json_values);
	tcase_add_test(tc, test_text_values);
	tcase_add_test(tc, test_lookup_keys);
	tcase_add_test(tc, test_split_spreads_every_prefix);
	tcase_add_test(tc, test_predict_file_chunks_match_frame);
	tcase_add_test(tc, test_batcher);
	tcase_add_test(tc, test_server_follows_alias);
	tcase_add_test(tc, test_spool_move_and_recover);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
