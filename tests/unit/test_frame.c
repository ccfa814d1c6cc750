/* Unit tests of the frame (src/data/frame.c, strdict.c) and of the binary
 * cache (cache.c): values, text, fingerprints, take, save/open round trips
 * and damaged cache files. */
#include "data/data.h"
#include "data/internal.h"

#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/pm_test_frame_XXXXXX";

static char *tmp_path(const char *name)
{
	return path_join(tmpdir, name);
}

static struct frame *parse(const char *text)
{
	struct frame *f = NULL;
	struct pm_err err = {0};
	ck_assert_msg(frame_parse_csv(text, strlen(text), "t.csv", "t", NULL, &f, NULL, &err) == 0,
		      "%s", err.msg);
	return f;
}

static const char *cell(const struct frame *f, size_t col, size_t row)
{
	static char buf[8][64];
	static int k;
	return column_text(&f->cols[col], row, buf[k++ % 8], sizeof buf[0]);
}

static const char *sample =
	"id,price,ok,when,city\n"
	"1,2.5,true,2024-01-02 03:04:05,Paris\n"
	"2,,false,2024-01-03,Oslo\n"
	"3,-0.125,,,Paris\n"
	"4,1e20,TRUE,2024-01-04T00:00:00.000001Z,\n"
	"5,3,False,2024-01-05,\"S\xc3\xa3o Paulo\"\n";

/* A filter's query: names quoted only when SQL needs it, and SQLite reads
 * the quoted name as the table (price > 2 holds for 2.5, 1e20 and 3). */
START_TEST(test_filter_sql)
{
	char *q = frame_filter_sql("taxi_2024", "fare > 1");
	ck_assert_str_eq(q, "SELECT * FROM taxi_2024 WHERE fare > 1");
	free(q);
	q = frame_filter_sql("2024", "x");
	ck_assert_str_eq(q, "SELECT * FROM \"2024\" WHERE x");
	free(q);
	q = frame_filter_sql("a\"b", "x");
	ck_assert_str_eq(q, "SELECT * FROM \"a\"\"b\" WHERE x");
	free(q);
	struct frame *f = NULL, *out = NULL;
	struct pm_err err = {0};
	ck_assert_msg(frame_parse_csv(sample, strlen(sample), "t.csv", "my \"data\"", NULL, &f, NULL,
				      &err) == 0,
		      "%s", err.msg);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_msg(frame_sql_register(db, f, &err) == 0, "%s", err.msg);
	q = frame_filter_sql(f->name, "price > 2");
	ck_assert_msg(frame_from_sql(db, q, "out", &out, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(out->nrows, 3);
	ck_assert_str_eq(cell(out, 0, 0), "1");
	ck_assert_str_eq(cell(out, 0, 1), "4");
	ck_assert_str_eq(cell(out, 0, 2), "5");
	free(q);
	frame_free(out);
	sqlite3_close(db);
	frame_free(f);
}
END_TEST

START_TEST(test_types_and_tokens)
{
	enum pm_type t;
	ck_assert_str_eq(pm_type_name(PM_TIMESTAMP), "timestamp");
	ck_assert_str_eq(pm_type_name(PM_BOOL), "bool");
	ck_assert(pm_type_parse("float", &t) && t == PM_FLOAT);
	ck_assert(pm_type_parse("string", &t) && t == PM_STRING);
	ck_assert(pm_type_parse("INT", &t) && t == PM_INT);
	ck_assert(!pm_type_parse("number", &t));
	ck_assert(pm_type_numeric(PM_BOOL));
	ck_assert(!pm_type_numeric(PM_STRING));
	bool b;
	ck_assert(data_parse_bool("TrUe", 4, &b) && b);
	ck_assert(data_parse_bool("FALSE", 5, &b) && !b);
	ck_assert(!data_parse_bool("1", 1, &b));
	ck_assert(!data_parse_bool("truee", 5, &b));
}
END_TEST

START_TEST(test_strdict)
{
	struct strdict *d = strdict_new();
	ck_assert_uint_eq(strdict_intern(d, "b", 1), 0);
	ck_assert_uint_eq(strdict_intern(d, "a", 1), 1);
	ck_assert_uint_eq(strdict_intern(d, "b", 1), 0);
	ck_assert_uint_eq(strdict_intern(d, "", 0), 2);
	ck_assert_int_eq(strdict_find(d, "a", 1), 1);
	ck_assert_int_eq(strdict_find(d, "c", 1), -1);
	ck_assert_int_eq(strdict_find(d, "ab", 1), 1); /* length-bounded */
	char buf[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(buf, sizeof buf, "key%d", i);
		ck_assert_uint_eq(strdict_intern(d, buf, (size_t)n), (uint32_t)i + 3);
	}
	ck_assert_uint_eq(d->n, 100003);
	ck_assert_int_eq(strdict_find(d, "key77777", 8), 77780);
	ck_assert_str_eq(d->str[77780], "key77777");
	ck_assert_uint_eq(d->len[77780], 8);
	/* a long string next to short ones */
	char *big = malloc(300000);
	memset(big, 'z', 300000);
	uint32_t c = strdict_intern(d, big, 300000);
	ck_assert_uint_eq(d->len[c], 300000);
	ck_assert_int_eq(strdict_find(d, big, 300000), c);
	ck_assert_str_eq(d->str[5], "key2");
	free(big);
	strdict_free(d);
}
END_TEST

START_TEST(test_frame_values)
{
	struct frame *f = parse(sample);
	ck_assert_uint_eq(f->nrows, 5);
	ck_assert_int_eq(frame_col_index(f, "when"), 3);
	ck_assert_int_eq(frame_col_index(f, "nope"), -1);
	ck_assert_str_eq(cell(f, 0, 4), "5");
	ck_assert_str_eq(cell(f, 1, 2), "-0.125");
	ck_assert_str_eq(cell(f, 1, 3), "1e+20");
	ck_assert_str_eq(cell(f, 1, 1), "");
	ck_assert_str_eq(cell(f, 2, 0), "true");
	ck_assert_str_eq(cell(f, 2, 2), "");
	ck_assert_str_eq(cell(f, 3, 0), "2024-01-02 03:04:05");
	ck_assert_str_eq(cell(f, 3, 3), "2024-01-04 00:00:00.000001");
	ck_assert_str_eq(cell(f, 4, 4), "S\xc3\xa3o Paulo");
	ck_assert(column_num(&f->cols[1], 0) == 2.5);
	ck_assert(isnan(column_num(&f->cols[1], 1)));
	ck_assert(column_num(&f->cols[2], 0) == 1.0);
	ck_assert(column_num(&f->cols[0], 2) == 3.0);
	ck_assert(isnan(column_num(&f->cols[4], 0)));
	ck_assert_uint_eq(f->cols[4].nmissing, 1);
	/* Paris is code 0, Oslo 1: first-seen order */
	ck_assert_uint_eq(f->cols[4].v.code[2], 0);
	ck_assert_uint_eq(f->cols[4].v.code[1], 1);
	f->cols[4].valid[0] = 0;
	column_count_missing(&f->cols[4]);
	ck_assert_uint_eq(f->cols[4].nmissing, 2);
	frame_free(f);

	/* a frame built by hand */
	struct frame *g = frame_new("g", 3, 1);
	column_init(&g->cols[0], "x", PM_FLOAT, 3);
	ck_assert_uint_eq(g->cols[0].nmissing, 3);
	ck_assert(!column_present(&g->cols[0], 1));
	g->cols[0].v.f64[1] = 0.1;
	g->cols[0].valid[1] = 1;
	column_count_missing(&g->cols[0]);
	ck_assert_uint_eq(g->cols[0].nmissing, 2);
	ck_assert_str_eq(cell(g, 0, 1), "0.1");
	frame_free(g);
}
END_TEST

START_TEST(test_fingerprint)
{
	struct frame *a = parse(sample), *b = parse(sample);
	char fa[17], fb[17];
	frame_fingerprint(a, fa);
	frame_fingerprint(b, fb);
	ck_assert_uint_eq(strlen(fa), 16);
	ck_assert_uint_eq(strspn(fa, "0123456789abcdef"), 16);
	ck_assert_str_eq(fa, fb);
	/* a changed value, a changed name or missing-ness changes it */
	b->cols[0].v.i64[2] = 33;
	frame_fingerprint(b, fb);
	ck_assert_str_ne(fa, fb);
	b->cols[0].v.i64[2] = 3;
	frame_fingerprint(b, fb);
	ck_assert_str_eq(fa, fb);
	b->cols[1].valid[0] = 0;
	frame_fingerprint(b, fb);
	ck_assert_str_ne(fa, fb);
	frame_free(b);
	b = parse("id,price,ok,when,town\n1,2.5,true,2024-01-02 03:04:05,Paris\n");
	frame_fingerprint(b, fb);
	ck_assert_str_ne(fa, fb);
	frame_free(b);
	/* strings count by their bytes, not their codes: the same column with
	 * the dictionary in another order has the same fingerprint */
	struct frame *x = parse("s\nb\na\n"), *y = frame_new("t", 2, 1);
	column_init(&y->cols[0], "s", PM_STRING, 2);
	ck_assert_uint_eq(strdict_intern(y->cols[0].dict, "a", 1), 0);
	ck_assert_uint_eq(strdict_intern(y->cols[0].dict, "b", 1), 1);
	y->cols[0].v.code[0] = 1;
	y->cols[0].v.code[1] = 0;
	y->cols[0].valid[0] = y->cols[0].valid[1] = 1;
	frame_fingerprint(x, fa);
	frame_fingerprint(y, fb);
	ck_assert_str_eq(fa, fb);
	/* and missing slots count as missing whatever they hold */
	x->cols[0].valid[1] = y->cols[0].valid[1] = 0;
	x->cols[0].v.code[1] = 0;
	frame_fingerprint(x, fa);
	frame_fingerprint(y, fb);
	ck_assert_str_eq(fa, fb);
	frame_free(x);
	frame_free(y);
	frame_free(a);
}
END_TEST

START_TEST(test_take)
{
	struct frame *f = parse(sample);
	size_t rows[] = {4, 2, 2, 1};
	struct frame *t = frame_take(f, "sub", rows, 4);
	ck_assert_str_eq(t->name, "sub");
	ck_assert_uint_eq(t->nrows, 4);
	ck_assert_str_eq(cell(t, 0, 0), "5");
	ck_assert_str_eq(cell(t, 0, 2), "3");
	ck_assert_str_eq(cell(t, 1, 3), "");
	ck_assert_uint_eq(t->cols[1].nmissing, 1);
	ck_assert_str_eq(cell(t, 3, 0), "2024-01-05 00:00:00");
	ck_assert_str_eq(cell(t, 4, 0), "S\xc3\xa3o Paulo");
	ck_assert_str_eq(cell(t, 4, 1), "Paris");
	/* re-interned in the new order: Sao Paulo 0, Paris 1, Oslo 2 */
	ck_assert_uint_eq(t->cols[4].dict->n, 3);
	ck_assert_uint_eq(t->cols[4].v.code[3], 2);
	/* taking every row in order gives the same content */
	size_t all[] = {0, 1, 2, 3, 4};
	struct frame *same = frame_take(f, "t", all, 5);
	char fa[17], fb[17];
	frame_fingerprint(f, fa);
	frame_fingerprint(same, fb);
	ck_assert_str_eq(fa, fb);
	frame_free(same);
	struct frame *none = frame_take(f, "none", NULL, 0);
	ck_assert_uint_eq(none->nrows, 0);
	ck_assert_uint_eq(none->ncols, 5);
	frame_free(none);
	frame_free(t);
	frame_free(f);
}
END_TEST

/* The tables a query reads, as `load --sql` declares them to pipelines. */
static void expect_tables(const char *sql, const char *want)
{
	size_t n;
	char **t = sql_scan_tables(sql, &n);
	struct sbuf b = {0};
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&b, "%s%s", i ? " " : "", t[i]);
	char *got = sbuf_steal(&b);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", sql, got, want);
	ck_assert_ptr_null(t[n]);
	free(got);
	str_list_free(t);
}

START_TEST(test_sql_tables)
{
	expect_tables("SELECT * FROM taxi", "taxi");
	expect_tables("select a from x, \"y z\" AS q, [w] where a > 1", "x y z w");
	expect_tables("SELECT * FROM a JOIN b ON a.k = b.k LEFT OUTER JOIN main.c USING (k)", "a b c");
	/* its own names, functions, strings and comments are not tables */
	expect_tables("WITH t AS (SELECT * FROM src) SELECT * FROM t, json_each('[1]') -- FROM nope\n"
		      "WHERE v IN (SELECT v FROM other /* from hidden */) AND s = 'FROM fake'",
		      "src other");
	expect_tables("SELECT * FROM x UNION SELECT * FROM x", "x");
	/* a comma after JOIN .. ON (or USING) still lists another table */
	expect_tables("SELECT * FROM a JOIN b ON a.k = b.k, c", "a b c");
	expect_tables("SELECT * FROM a JOIN b USING (k, j), c JOIN d ON c.k = d.k AND d.v IN (1, 2), e "
		      "WHERE a.k = e.k",
		      "a b c d e");
	/* a subquery's FROM list, and the tables after a subquery in a FROM list */
	expect_tables("SELECT * FROM t WHERE v IN (SELECT v FROM a JOIN b ON a.k = b.k, c)", "t a b c");
	expect_tables("SELECT * FROM (SELECT x, y FROM a, b) s, c, (SELECT 1) u JOIN d ON 1, e", "a b c d e");
	expect_tables("SELECT max(x, y), z FROM a WHERE f(p, q) GROUP BY z, w", "a");
	/* the clause ends where its level's WHERE begins: its commas are not tables */
	expect_tables("SELECT * FROM a WHERE y IN (SELECT y FROM b, c WHERE b.k = c.k) ORDER BY p, q", "a b c");
	expect_tables("SELECT * FROM a; SELECT p, q FROM b", "a b");
	expect_tables("SELECT 1", "");
	expect_tables("SELECT * FROM", "");
	expect_tables("SELECT 'unterminated FROM q", "");
}
END_TEST

START_TEST(test_cache_round_trip)
{
	struct frame *f = parse(sample);
	char *path = tmp_path("f.pmf");
	struct pm_err err = {0};
	ck_assert_msg(frame_save(f, path, true, NULL, &err) == 0, "%s", err.msg);
	struct frame *g = NULL;
	ck_assert_msg(frame_open(path, "again", &g, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(g->map.data);
	ck_assert_str_eq(g->name, "again");
	ck_assert_uint_eq(g->nrows, 5);
	ck_assert_uint_eq(g->ncols, 5);
	for (size_t j = 0; j < 5; j++) {
		ck_assert_str_eq(g->cols[j].name, f->cols[j].name);
		ck_assert_int_eq(g->cols[j].type, f->cols[j].type);
		ck_assert_uint_eq(g->cols[j].nmissing, f->cols[j].nmissing);
		for (size_t r = 0; r < 5; r++)
			ck_assert_str_eq(cell(g, j, r), cell(f, j, r));
	}
	/* arrays point into the mapping, 8-byte aligned */
	const char *base = g->map.data;
	ck_assert((const char *)g->cols[1].v.f64 > base &&
		  (const char *)g->cols[1].v.f64 < base + g->map.len);
	ck_assert_uint_eq((uintptr_t)g->cols[1].v.f64 % 8, 0);
	/* saving the mapped frame again gives the same file content */
	char *path2 = tmp_path("g.pmf");
	char hs[65];
	ck_assert_int_eq(frame_save(g, path2, false, hs, &err), 0);
	char h1[65], h2[65];
	ck_assert_int_eq(sha256_file(path, h1, &err), 0);
	ck_assert_int_eq(sha256_file(path2, h2, &err), 0);
	ck_assert_str_eq(h1, h2);
	/* the name the writer gives is the hash of what reached the disk */
	ck_assert_str_eq(hs, h2);
	struct strdict *d = g->cols[4].dict;
	ck_assert(d->borrowed);
	ck_assert(d->str[0] > base && d->str[0] < base + g->map.len);
	ck_assert_int_eq(strdict_find(d, "Oslo", 4), 1);
	/* a mapped dict still takes new strings */
	ck_assert_uint_eq(strdict_intern(d, "Rome", 4), 3);
	ck_assert_int_eq(strdict_find(d, "Rome", 4), 3);
	char fa[17], fb[17];
	frame_fingerprint(f, fa);
	frame_fingerprint(g, fb);
	ck_assert_str_eq(fa, fb);
	/* take from a mapped frame gives an owned one */
	size_t rows[] = {1};
	struct frame *t = frame_take(g, "t", rows, 1);
	ck_assert_ptr_null(t->map.data);
	ck_assert_str_eq(cell(t, 4, 0), "Oslo");
	frame_free(t);
	frame_free(g);
	frame_free(f);
	/* no temporary file is left behind */
	char *tmp = fs_tmp_name(path);
	ck_assert(!fs_exists(tmp));
	free(tmp);
	unlink(path);
	unlink(path2);
	free(path);
	free(path2);
}
END_TEST

START_TEST(test_cache_big_and_empty)
{
	/* many rows: the checksum goes parallel over 4 MiB blocks */
	struct sbuf b = {0};
	sbuf_puts(&b, "i,x,s\n");
	for (int i = 0; i < 300000; i++)
		sbuf_printf(&b, "%d,%d.5,k%d\n", i, i % 1000, i % 5000);
	struct frame *f = NULL;
	struct pm_err err = {0};
	ck_assert_int_eq(frame_parse_csv(b.s, b.len, "b.csv", "b", NULL, &f, NULL, &err), 0);
	/* parsed into its file: the unused upper halves of the string codes
	 * become holes, hashed as the zeros they read as */
	char *into = tmp_path("big.part"), *built = tmp_path("built.pmf");
	struct csv_options o = {.cache_path = into};
	struct frame *p = NULL;
	ck_assert_int_eq(frame_parse_csv(b.s, b.len, "b.csv", "b", &o, &p, NULL, &err), 0);
	ck_assert_ptr_nonnull(p->build);
	char ps[65], pf[65];
	ck_assert_int_eq(frame_save(p, built, false, ps, &err), 0);
	ck_assert_ptr_null(p->build);
	ck_assert_int_eq(sha256_file(built, pf, &err), 0);
	ck_assert_str_eq(ps, pf);
	struct frame *q = NULL;
	ck_assert_msg(frame_open(built, "q", &q, &err) == 0, "%s", err.msg);
	char fp[17], fq[17];
	frame_fingerprint(f, fp);
	frame_fingerprint(q, fq);
	ck_assert_str_eq(fp, fq);
	ck_assert_str_eq(cell(q, 2, 299999), "k4999");
	frame_free(q);
	frame_free(p);
	unlink(built);
	free(into);
	free(built);
	sbuf_free(&b);
	char *path = tmp_path("big.pmf");
	char hs[65], hf[65];
	ck_assert_int_eq(frame_save(f, path, true, hs, &err), 0);
	ck_assert_int_eq(sha256_file(path, hf, &err), 0);
	ck_assert_str_eq(hs, hf); /* a file of several arena blocks and direct arrays */
	struct frame *g = NULL;
	ck_assert_msg(frame_open(path, "b", &g, &err) == 0, "%s", err.msg);
	char fa[17], fb[17];
	frame_fingerprint(f, fa);
	frame_fingerprint(g, fb);
	ck_assert_str_eq(fa, fb);
	ck_assert_str_eq(cell(g, 2, 299999), "k4999");
	frame_free(g);
	frame_free(f);
	unlink(path);
	free(path);

	/* zero rows */
	f = parse("a,b\n");
	path = tmp_path("empty.pmf");
	ck_assert_int_eq(frame_save(f, path, true, NULL, &err), 0);
	ck_assert_int_eq(frame_open(path, "e", &g, &err), 0);
	ck_assert_uint_eq(g->nrows, 0);
	ck_assert_uint_eq(g->ncols, 2);
	ck_assert_str_eq(g->cols[1].name, "b");
	frame_free(g);
	frame_free(f);
	unlink(path);
	free(path);
}
END_TEST

static void write_bytes(const char *path, const void *data, size_t len)
{
	struct pm_err err = {0};
	ck_assert_int_eq(fs_write_atomic(path, data, len, &err), 0);
}

static const char *open_err(const char *path)
{
	static struct pm_err err;
	struct frame *f = NULL;
	memset(&err, 0, sizeof err);
	ck_assert_int_eq(frame_open(path, "x", &f, &err), -1);
	ck_assert_ptr_null(f);
	return err.msg;
}

START_TEST(test_cache_damaged)
{
	struct frame *f = parse(sample);
	char *path = tmp_path("d.pmf"), *bad = tmp_path("bad.pmf");
	struct pm_err err = {0};
	ck_assert_int_eq(frame_save(f, path, true, NULL, &err), 0);
	frame_free(f);
	char *data;
	size_t len;
	ck_assert_int_eq(fs_read_all(path, &data, &len, &err), 0);
	char want[1200];

	/* a foreign file */
	const char *csv = "id,price\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n13,14\n15,16\n17,18\n19,20\n";
	write_bytes(bad, csv, strlen(csv));
	snprintf(want, sizeof want, "%s: not a prodml frame cache (bad magic)", bad);
	ck_assert_str_eq(open_err(bad), want);
	write_bytes(bad, "PM", 2);
	snprintf(want, sizeof want, "%s: not a prodml frame cache (file too short)", bad);
	ck_assert_str_eq(open_err(bad), want);
	write_bytes(bad, "", 0);
	ck_assert_str_eq(open_err(bad), want);

	/* truncated anywhere */
	for (size_t cut = 8; cut < len; cut += len / 13 + 1) {
		write_bytes(bad, data, cut);
		const char *m = open_err(bad);
		snprintf(want, sizeof want, "%s: not a prodml frame cache (truncated", bad);
		ck_assert_msg(strncmp(m, want, strlen(want)) == 0, "cut %zu: %s", cut, m);
	}
	write_bytes(bad, data, len - 1);
	snprintf(want, sizeof want,
		 "%s: not a prodml frame cache (truncated: the header says %zu bytes, the file has %zu)",
		 bad, len, len - 1);
	ck_assert_str_eq(open_err(bad), want);

	/* every single flipped byte is caught */
	for (size_t i = 0; i < len; i++) {
		data[i] ^= 0x40;
		write_bytes(bad, data, len);
		const char *m = open_err(bad);
		snprintf(want, sizeof want, "%s: not a prodml frame cache (", bad);
		ck_assert_msg(strncmp(m, want, strlen(want)) == 0, "byte %zu: %s", i, m);
		data[i] ^= 0x40;
	}
	data[len / 2] ^= 1;
	write_bytes(bad, data, len);
	snprintf(want, sizeof want, "%s: not a prodml frame cache (checksum mismatch)", bad);
	ck_assert_str_eq(open_err(bad), want);
	data[len / 2] ^= 1;

	/* a later version */
	data[8] = 9;
	write_bytes(bad, data, len);
	snprintf(want, sizeof want,
		 "%s: not a prodml frame cache (version 9, this build reads version 1)", bad);
	ck_assert_str_eq(open_err(bad), want);

	/* a consistent checksum over bad offsets: the checks, not the sum,
	 * must stop it.  Point column 1's values past the end and re-sign. */
	data[8] = 1;
	uint64_t tab, big = (uint64_t)len * 4;
	memcpy(&tab, data + 32, 8);
	memcpy(data + tab + 5 * 8, &big, 8);
	uint64_t sum = hash64_parallel(data, len - 8, 0);
	memcpy(data + len - 8, &sum, 8);
	write_bytes(bad, data, len);
	snprintf(want, sizeof want, "%s: not a prodml frame cache (column 1: data out of bounds)",
		 bad);
	ck_assert_str_eq(open_err(bad), want);

	/* a missing file */
	char *none = tmp_path("none.pmf");
	snprintf(want, sizeof want, "%s: No such file or directory", none);
	ck_assert_str_eq(open_err(none), want);
	free(none);
	free(data);
	unlink(path);
	unlink(bad);
	free(path);
	free(bad);
}
END_TEST


/* frame_save_fp: the fingerprint taken in the read that hashes the file
 * is frame_fingerprint's, for complete number columns over several blocks
 * of rows (the last one short), the other columns, and value regions with
 * holes left by slots blank lines did not use; the file is the same. */
START_TEST(test_cache_fingerprint_in_save)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "id,x,y,s,flag,when\n");
	for (unsigned i = 0; i < 10000; i++) {
		sbuf_printf(&b, "%u,%u.25,", i, i * 7 % 1000);
		if (i % 13)
			sbuf_printf(&b, "%u.5", i % 97);
		sbuf_printf(&b, ",w%u,%s,2024-01-%02uT10:00:00\n", i % 31, i % 3 ? "true" : "false",
			    i % 28 + 1);
		if (i < 9000)
			sbuf_puts(&b, "\n"); /* a slot per blank line, left unused */
	}
	struct pm_err err = {0};
	struct frame *g = NULL;
	struct csv_options mem = {.threads = 2};
	ck_assert_int_eq(frame_parse_csv(b.s, b.len, "t.csv", "t", &mem, &g, NULL, &err), 0);
	ck_assert_uint_eq(g->nrows, 10000);
	ck_assert_int_eq(g->cols[5].type, PM_TIMESTAMP);
	char want[17], got[17], sha[65], fsha[65];
	frame_fingerprint(g, want);
	char *into = tmp_path("fp.part"), *dst = tmp_path("fp.pmf");
	for (int threads = 1; threads <= 2; threads++) {
		struct csv_options o = {.cache_path = into, .threads = threads};
		struct frame *f = NULL;
		ck_assert_int_eq(frame_parse_csv(b.s, b.len, "t.csv", "t", &o, &f, NULL, &err), 0);
		ck_assert_ptr_nonnull(f->build);
		memset(got, 0, sizeof got);
		ck_assert_msg(frame_save_fp(f, dst, false, sha, got, &err) == 0, "%s", err.msg);
		ck_assert_str_eq(got, want);
		ck_assert_int_eq(sha256_file(dst, fsha, &err), 0);
		ck_assert_str_eq(sha, fsha);
		frame_free(f);
		struct frame *h = NULL;
		ck_assert_msg(frame_open(dst, "h", &h, &err) == 0, "%s", err.msg);
		frame_fingerprint(h, got);
		ck_assert_str_eq(got, want);
		/* a frame not parsed into its file: fingerprinted apart */
		memset(got, 0, sizeof got);
		ck_assert_int_eq(frame_save_fp(h, into, false, NULL, got, &err), 0);
		ck_assert_str_eq(got, want);
		frame_free(h);
		unlink(into);
		unlink(dst);
	}
	frame_free(g);
	free(into);
	free(dst);
	sbuf_free(&b);
}
END_TEST

/* load's path: values parsed straight into the cache file, which
 * frame_save finishes in place.  Blank lines, a quoted line break and a
 * rejected row leave slots unused; booleans, strings and missing values
 * each take a path of their own: the frame, the file and the frame read
 * back must all equal a parse into memory. */
START_TEST(test_cache_parsed_into)
{
	const char *text = "i,x,s,b\n1,1.5,k,true\n\n2,,\"p\nq\",false\n3,oops\n4,2.5,k,\n"
			   "5,-3.5,,TRUE\n";
	struct pm_err err = {0};
	struct csv_options mem = {.skip_bad = true};
	struct frame *g = NULL;
	ck_assert_int_eq(frame_parse_csv(text, strlen(text), "t.csv", "t", &mem, &g, NULL, &err), 0);
	ck_assert_uint_eq(g->nrows, 4);
	char *into = tmp_path("into.part"), *dst = tmp_path("into.pmf");
	char want[17], got[17];
	frame_fingerprint(g, want);
	for (size_t cs = 0; cs <= 9; cs++) {
		/* one chunk, and many small ones over two threads */
		struct csv_options o = {.skip_bad = true, .cache_path = into, .threads = 2};
		struct frame *f = NULL;
		int rc = cs ? csv_parse_chunked(text, strlen(text), "t.csv", "t", &o, cs, &f, NULL, &err)
			    : frame_parse_csv(text, strlen(text), "t.csv", "t", &o, &f, NULL, &err);
		ck_assert_msg(rc == 0, "%s", err.msg);
		ck_assert_ptr_nonnull(f->build);
		ck_assert(fs_exists(into));
		const char *base = f->map.data;
		ck_assert((const char *)f->cols[1].v.f64 > base &&
			  (const char *)f->cols[1].v.f64 < base + f->map.len);
		frame_fingerprint(f, got);
		ck_assert_str_eq(got, want);
		char sha[65], fsha[65];
		ck_assert_msg(frame_save(f, dst, true, sha, &err) == 0, "%s", err.msg);
		ck_assert_ptr_null(f->build);
		ck_assert(!fs_exists(into)); /* renamed, not copied */
		ck_assert_int_eq(sha256_file(dst, fsha, &err), 0);
		ck_assert_str_eq(sha, fsha);
		/* the frame stays usable on the finished file's mapping */
		ck_assert_str_eq(cell(f, 2, 1), "p\nq");
		ck_assert_str_eq(cell(f, 3, 3), "true");
		struct frame *h = NULL;
		ck_assert_msg(frame_open(dst, "h", &h, &err) == 0, "%s", err.msg);
		frame_fingerprint(h, got);
		ck_assert_str_eq(got, want);
		for (size_t j = 0; j < 4; j++) {
			ck_assert_uint_eq(h->cols[j].nmissing, g->cols[j].nmissing);
			for (size_t r = 0; r < 4; r++)
				ck_assert_str_eq(cell(h, j, r), cell(g, j, r));
		}
		/* saved again from the mapping: a file that opens the same */
		ck_assert_int_eq(frame_save(h, into, true, NULL, &err), 0);
		frame_free(h);
		ck_assert_int_eq(frame_open(into, "h", &h, &err), 0);
		frame_fingerprint(h, got);
		ck_assert_str_eq(got, want);
		frame_free(h);
		unlink(into);
		frame_free(f);
		unlink(dst);
	}
	ck_assert_uint_eq(g->cols[1].nmissing, 1);
	ck_assert_uint_eq(g->cols[3].nmissing, 1);
	frame_free(g);

	/* a file that fails to parse, or a frame never saved, leaves no file */
	struct csv_options strict = {.cache_path = into};
	struct frame *f = NULL;
	ck_assert_int_eq(frame_parse_csv(text, strlen(text), "t.csv", "t", &strict, &f, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "t.csv:6:3: row has 2 fields, expected 4");
	ck_assert(!fs_exists(into));
	struct csv_options o = {.skip_bad = true, .cache_path = into};
	ck_assert_int_eq(frame_parse_csv(text, strlen(text), "t.csv", "t", &o, &f, NULL, &err), 0);
	ck_assert(fs_exists(into));
	frame_free(f);
	ck_assert(!fs_exists(into));
	/* a path that exists is left alone: the frame is read into memory */
	write_bytes(into, "keep", 4);
	ck_assert_int_eq(frame_parse_csv(text, strlen(text), "t.csv", "t", &o, &f, NULL, &err), 0);
	ck_assert_ptr_null(f->build);
	ck_assert_ptr_null(f->map.data);
	frame_free(f);
	char *back;
	size_t n;
	ck_assert_int_eq(fs_read_all(into, &back, &n, &err), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert(memcmp(back, "keep", 4) == 0);
	free(back);
	unlink(into);
	free(into);
	free(dst);
}
END_TEST

static void put(struct sbuf *b, const void *p, size_t n)
{
	sbuf_add(b, p, n);
	while (b->len % 8)
		sbuf_putc(b, 0);
}

/* A file laid out as earlier writers did, every column with a section of
 * valid bytes of its own (workspaces hold such files): it opens with the
 * same values.  The layout is version 1's either way; sharing the
 * complete columns' section is the writer's choice, not a new format. */
START_TEST(test_cache_own_valid_sections)
{
	struct sbuf b = {0};
	uint64_t tab[20] = {0};
	uint8_t zero[64] = {0};
	sbuf_add(&b, zero, 64);
	sbuf_add(&b, tab, sizeof tab);
	uint8_t v0[3] = {1, 0, 1}, v1[3] = {1, 1, 1};
	int64_t n[3] = {7, 0, 9};
	uint32_t code[3] = {0, 1, 0};
	uint64_t offs[3] = {0, 2, 4};
	tab[0] = b.len, tab[1] = 1, tab[2] = PM_INT, tab[3] = 1;
	put(&b, "n", 2);
	tab[4] = b.len;
	put(&b, v0, 3);
	tab[5] = b.len;
	put(&b, n, sizeof n);
	tab[10] = b.len, tab[11] = 1, tab[12] = PM_STRING, tab[13] = 0;
	put(&b, "s", 2);
	tab[14] = b.len;
	put(&b, v1, 3);
	tab[15] = b.len;
	put(&b, code, sizeof code);
	tab[16] = 2, tab[17] = b.len;
	put(&b, offs, sizeof offs);
	tab[18] = b.len, tab[19] = 4;
	put(&b, "a\0b", 4);
	uint64_t hdr[6] = {0, 0, 3, 2, 64, b.len};
	memcpy(hdr, "PMFRAME1", 8);
	hdr[1] = 1; /* version 1, reserved 0 */
	memcpy(b.s, hdr, sizeof hdr);
	memcpy(b.s + 64, tab, sizeof tab);
	uint64_t sum = hash64_parallel(b.s, b.len, 0);
	sbuf_add(&b, &sum, 8);
	char *path = tmp_path("own.pmf");
	write_bytes(path, b.s, b.len);
	struct frame *f = NULL;
	struct pm_err err = {0};
	ck_assert_msg(frame_open(path, "o", &f, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f->nrows, 3);
	ck_assert_str_eq(cell(f, 0, 0), "7");
	ck_assert_str_eq(cell(f, 0, 1), "");
	ck_assert_str_eq(cell(f, 0, 2), "9");
	ck_assert_str_eq(cell(f, 1, 1), "b");
	ck_assert_str_eq(cell(f, 1, 2), "a");
	ck_assert_uint_eq(f->cols[0].nmissing, 1);
	ck_assert_uint_eq(f->cols[1].nmissing, 0);
	/* written again, the complete column shares the file's one section
	 * of 1s, and the content is the same */
	char *again = tmp_path("own2.pmf");
	ck_assert_int_eq(frame_save(f, again, true, NULL, &err), 0);
	struct frame *g = NULL;
	ck_assert_int_eq(frame_open(again, "o", &g, &err), 0);
	char fa[17], fb[17];
	frame_fingerprint(f, fa);
	frame_fingerprint(g, fb);
	ck_assert_str_eq(fa, fb);
	ck_assert_uint_eq(g->cols[0].nmissing, 1);
	ck_assert_uint_eq(g->cols[1].nmissing, 0);
	ck_assert_uint_eq(g->cols[1].valid[0] + g->cols[1].valid[1] + g->cols[1].valid[2], 3);
	frame_free(g);
	frame_free(f);
	unlink(path);
	unlink(again);
	free(path);
	free(again);
	sbuf_free(&b);
}
END_TEST

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_types_and_tokens);
	tcase_add_test(tc, test_filter_sql);
	tcase_add_test(tc, test_strdict);
	tcase_add_test(tc, test_frame_values);
	tcase_add_test(tc, test_fingerprint);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_sql_tables);
	tcase_add_test(tc, test_cache_round_trip);
	tcase_add_test(tc, test_cache_big_and_empty);
	tcase_add_test(tc, test_cache_damaged);
	tcase_add_test(tc, test_cache_parsed_into);
	tcase_add_test(tc, test_cache_fingerprint_in_save);
	tcase_add_test(tc, test_cache_own_valid_sections);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rmdir(tmpdir);
	return failed ? 1 : 0;
}
