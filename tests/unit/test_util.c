/* Unit tests of src/util: hashing, number parsing, timestamps, UTF-8, files. */
#include "util/util.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(test_xxh64_vectors)
{
	/* reference values of XXH64 with seed 0 */
	ck_assert_uint_eq(hash64("", 0, 0), 0xEF46DB3751D8E999ULL);
	ck_assert_uint_eq(hash64("a", 1, 0), 0xD24EC4F1A98C6E5BULL);
	ck_assert_uint_eq(hash64("abc", 3, 0), 0x44BC2CF5AD770999ULL);
}
END_TEST

START_TEST(test_hash_parallel_stable)
{
	size_t n = (9u << 20) + 123;
	char *buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	uint64_t a = hash64_parallel(buf, n, 1), b = hash64_parallel(buf, n, 2),
		 c = hash64_parallel(buf, n, 7);
	ck_assert_uint_eq(a, b);
	ck_assert_uint_eq(a, c);
	buf[n - 1] ^= 1;
	ck_assert_uint_ne(hash64_parallel(buf, n, 2), a);
	free(buf);
}
END_TEST

/* hash64_parallel's parts rebuild its value: blocks of HASH64_PAR_BLOCK
 * from the start, one seed, one join; a range of one block is hash64 with
 * the fixed seed. */
START_TEST(test_hash_parallel_parts)
{
	const size_t B = HASH64_PAR_BLOCK;
	size_t lens[] = {0, 1, B - 1, B, B + 1, 2 * B, (9u << 20) + 123};
	size_t max = lens[PM_ARRAY_LEN(lens) - 1];
	uint8_t *buf = malloc(max);
	for (size_t i = 0; i < max; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	for (size_t t = 0; t < PM_ARRAY_LEN(lens); t++) {
		size_t n = lens[t], nb = hash64_par_blocks(n);
		ck_assert_uint_eq(nb, n <= B ? 1 : (n + B - 1) / B);
		uint64_t *h = malloc(nb * sizeof *h);
		for (size_t i = 0; i < nb; i++) {
			size_t m = n - i * B < B ? n - i * B : B;
			h[i] = hash64(buf + i * B, m, hash64_par_seed(n));
		}
		ck_assert_uint_eq(hash64_par_join(h, n), hash64_parallel(buf, n, 3));
		if (n <= B)
			ck_assert_uint_eq(hash64_parallel(buf, n, 1), hash64(buf, n, 0x70726f646d6cULL));
		else
			ck_assert_uint_eq(hash64_par_join(h, n),
					  hash64(h, nb * sizeof *h, (uint64_t)n));
		free(h);
	}
	free(buf);
}
END_TEST

/* The streaming forms give the one-shot values whatever the pieces. */
START_TEST(test_hash_streaming)
{
	size_t n = (9u << 20) + 123;
	uint8_t *buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	size_t cuts[] = {0, 1, 7, 31, 32, 33, 100, 4096};
	for (size_t len = 0; len < 200; len += 13) {
		for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
			struct hash64_state st;
			hash64_init(&st, 42);
			size_t a = cuts[c] < len ? cuts[c] : len;
			hash64_update(&st, buf, a);
			hash64_update(&st, buf + a, len - a);
			ck_assert_uint_eq(hash64_digest(&st), hash64(buf, len, 42));
		}
	}
	size_t sizes[] = {5, (1u << 20) + 3, 4u << 20, 17, 3};
	for (size_t total = 0; total <= n; total += n / 3) {
		struct hash64_blocks b;
		hash64_blocks_init(&b, total);
		size_t off = 0;
		for (size_t k = 0; off < total; k++) {
			size_t m = sizes[k % 5];
			if (m > total - off)
				m = total - off;
			hash64_blocks_update(&b, buf + off, m);
			off += m;
		}
		ck_assert_uint_eq(hash64_blocks_final(&b), hash64_parallel(buf, total, 2));
	}
	struct hash64_blocks b;
	hash64_blocks_init(&b, n);
	hash64_blocks_update(&b, buf, n);
	ck_assert_uint_eq(hash64_blocks_final(&b), hash64_parallel(buf, n, 1));
	free(buf);
}
END_TEST

START_TEST(test_sha256)
{
	struct sha256 c;
	uint8_t d[32];
	char hex[65];
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* FIPS 180-2 two-block message, fed in uneven pieces */
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_init(&c);
	for (size_t i = 0; i < strlen(m); i += 5)
		sha256_update(&c, m + i, strlen(m) - i < 5 ? strlen(m) - i : 5);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_sha256_ni_matches_portable)
{
	/* lengths around block edges and a long message, both code paths */
	size_t n = 100003;
	uint8_t *buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 7));
	size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 100003};
	for (size_t k = 0; k < PM_ARRAY_LEN(lens); k++) {
		struct sha256 a, b;
		uint8_t da[32], db[32];
		sha256_init(&a);
		sha256_init(&b);
		sha256_portable(&b);
		sha256_update(&a, buf, lens[k]);
		for (size_t i = 0; i < lens[k]; i += 77)
			sha256_update(&b, buf + i, lens[k] - i < 77 ? lens[k] - i : 77);
		sha256_final(&a, da);
		sha256_final(&b, db);
		ck_assert_mem_eq(da, db, 32);
	}
	free(buf);
}
END_TEST

START_TEST(test_parse_numbers)
{
	int64_t i;
	double d;
	ck_assert(parse_int64("-9223372036854775808", 20, &i) && i == INT64_MIN);
	ck_assert(!parse_int64("9223372036854775808", 19, &i));
	ck_assert(!parse_int64("12a", 3, &i));
	ck_assert(!parse_int64("", 0, &i));
	ck_assert(!parse_int64("-", 1, &i));
	ck_assert(parse_int64("+42", 3, &i) && i == 42);
	/* 18 digits (read without overflow checks) and 19 (with them) */
	ck_assert(parse_int64("-999999999999999999", 19, &i) && i == -999999999999999999LL);
	ck_assert(parse_int64("9999999999999999999", 19, &i) == false);
	ck_assert(parse_int64("9223372036854775807", 19, &i) && i == INT64_MAX);
	ck_assert(!parse_int64("99999999999999999a", 18, &i));
	ck_assert(parse_double("0.1", 3, &d) && d == 0.1);
	ck_assert(parse_double("-3.25e2", 7, &d) && d == -325.0);
	ck_assert(parse_double(".5", 2, &d) && d == 0.5);
	ck_assert(parse_double("1e-320", 6, &d) && d == strtod("1e-320", NULL));
	ck_assert(parse_double("12345678901234567890.5", 22, &d) &&
		  d == strtod("12345678901234567890.5", NULL));
	ck_assert(parse_double("0.30000000000000004", 19, &d) && d == 0.30000000000000004);
	ck_assert(parse_double("inf", 3, &d) && isinf(d) && d > 0);
	ck_assert(parse_double("-Infinity", 9, &d) && isinf(d) && d < 0);
	ck_assert(!parse_double("1.2.3", 5, &d));
	ck_assert(!parse_double("1e", 2, &d));
	ck_assert(!parse_double(".", 1, &d));
	ck_assert(!parse_double("0x10", 4, &d));
	ck_assert(!parse_double(" 1", 2, &d));
	/* every value of a dense sweep matches strtod */
	char buf[64];
	for (int k = 0; k < 20000; k++) {
		double v = (k - 10000) * 0.0137 + k * 1e-7;
		snprintf(buf, sizeof buf, "%.9g", v);
		ck_assert(parse_double(buf, strlen(buf), &d));
		ck_assert(d == strtod(buf, NULL));
	}
	/* plain decimals (the fast path) of every length up to 20 digits, with
	 * signs, leading zeros and up to 19 decimals, around 2^53 too: the same
	 * bits as strtod */
	uint64_t x = 88172645463325252ULL;
	for (int k = 0; k < 200000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int nd = 1 + (int)(x % 20), nf = (int)((x >> 8) % (size_t)(nd + 1));
		size_t p = 0;
		if ((x >> 16) & 1)
			buf[p++] = (x >> 17) & 1 ? '-' : '+';
		uint64_t y = x;
		for (int i = 0; i < nd; i++) {
			if (i == nd - nf)
				buf[p++] = '.';
			buf[p++] = (char)('0' + (i == 0 && ((x >> 20) & 3) == 0 ? 0 : (y >> 3) % 10));
			y = y * 6364136223846793005ULL + 1442695040888963407ULL;
		}
		if (k % 1000 == 0) {
			/* the digits of 2^53 - 1, 2^53 and 2^53 + 1, the point anywhere */
			char t[32];
			int tn = snprintf(t, sizeof t, "%llu",
					  (unsigned long long)((1ULL << 53) - 1 + (uint64_t)(k / 1000 % 3)));
			int at = k / 3000 % 16; /* digits after the point; 0: none */
			p = 0;
			for (int i = 0; i < tn; i++) {
				if (at && i == tn - at)
					buf[p++] = '.';
				buf[p++] = t[i];
			}
		}
		buf[p] = 0;
		ck_assert_msg(parse_double(buf, p, &d), "%s", buf);
		double want = strtod(buf, NULL);
		ck_assert_msg(memcmp(&d, &want, sizeof d) == 0, "%s: %.17g, strtod %.17g", buf, d, want);
	}
}
END_TEST

/* The definition of fmt_double, as a scan: the fewest digits from 6 that
 * read back.  fmt_double finds the same in integer arithmetic. */
static void ref_fmt(double v, char *buf, size_t n)
{
	if (isnan(v) || isinf(v)) {
		snprintf(buf, n, isnan(v) ? "NaN" : v < 0 ? "-Inf" : "Inf");
		return;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static uint64_t fmt_xs = 88172645463325252ULL;
static uint64_t fmt_xr(void)
{
	fmt_xs ^= fmt_xs << 13;
	fmt_xs ^= fmt_xs >> 7;
	fmt_xs ^= fmt_xs << 17;
	return fmt_xs;
}

START_TEST(test_fmt_double_shortest)
{
	static const double fixed[] = {0.1, 0.5, 1.0 / 3, 2.0 / 3, 1e-7, 1e-5, 123456.789,
				       100000, 1e21, 5e-324, 1e300, -0.0, 0.0, 12.5, 0.3,
				       9.999999999999999e-1, 0.19909376914610499, 1e15, 1e16 + 2,
				       -2.5e-6, 4503599627370497.5, 0.000123456789012345678};
	char a[64], b[64];
	for (size_t i = 0; i < PM_ARRAY_LEN(fixed); i++) {
		fmt_double(fixed[i], a, sizeof a);
		ref_fmt(fixed[i], b, sizeof b);
		ck_assert_str_eq(a, b);
	}
	for (long i = 0; i < 200000; i++) {
		uint64_t r = fmt_xr();
		double v;
		switch (i % 5) {
		case 0: v = (double)(r >> 11) / 9007199254740992.0; break;
		case 1:
			memcpy(&v, &r, sizeof v);
			if (!isfinite(v))
				v = 1;
			break;
		case 2: v = ldexp((double)(r >> 11), (int)(fmt_xr() % 90) - 110); break;
		case 3: v = ((double)(r % 2000000) - 1e6) / (double)(1 + fmt_xr() % 1000); break;
		default: v = 1 / (1 + exp(-((double)(r >> 11) / 9007199254740992.0 * 16 - 8))); break;
		}
		fmt_double(v, a, sizeof a);
		ref_fmt(v, b, sizeof b);
		ck_assert_msg(strcmp(a, b) == 0, "%.17g: %s vs %s", v, a, b);
		ck_assert(strtod(a, NULL) == v);
	}
	/* powers of two (the gap below is half as wide) and of ten, and
	 * their neighbours */
	for (int e = -30; e < 60; e++)
		for (int k = -2; k <= 2; k++) {
			double v = ldexp(1, e), w = v;
			for (int q = 0; q < (k < 0 ? -k : k); q++)
				w = nextafter(w, k < 0 ? 0 : INFINITY);
			fmt_double(w, a, sizeof a);
			ref_fmt(w, b, sizeof b);
			ck_assert_msg(strcmp(a, b) == 0, "%.17g: %s vs %s", w, a, b);
			w = pow(10, e % 25 - 8);
			for (int q = 0; q < (k < 0 ? -k : k); q++)
				w = nextafter(w, k < 0 ? 0 : INFINITY);
			fmt_double(w, a, sizeof a);
			ref_fmt(w, b, sizeof b);
			ck_assert_msg(strcmp(a, b) == 0, "%.17g: %s vs %s", w, a, b);
		}
	/* by hand: the shortest forms that read back */
	fmt_double(0.1, a, sizeof a);
	ck_assert_str_eq(a, "0.1");
	fmt_double(2.0 / 3, a, sizeof a);
	ck_assert_str_eq(a, "0.6666666666666666");
	fmt_double(-2.5e-6, a, sizeof a);
	ck_assert_str_eq(a, "-2.5e-06");
	fmt_double(1.0 / 3 * 1e-5, a, sizeof a);
	ck_assert_str_eq(a, "3.3333333333333333e-06");
}
END_TEST

START_TEST(test_fmt_double)
{
	char buf[64];
	fmt_double(0.1, buf, sizeof buf);
	ck_assert_str_eq(buf, "0.1");
	fmt_double(0.0082089, buf, sizeof buf);
	ck_assert_str_eq(buf, "0.0082089");
	fmt_double(1.0 / 3, buf, sizeof buf);
	ck_assert(strtod(buf, NULL) == 1.0 / 3);
	fmt_double(NAN, buf, sizeof buf);
	ck_assert_str_eq(buf, "NaN");
	fmt_double(-INFINITY, buf, sizeof buf);
	ck_assert_str_eq(buf, "-Inf");
}
END_TEST

START_TEST(test_timestamps)
{
	int64_t us;
	/* values from date -u -d '...' +%s */
	ck_assert(ts_parse("2015-01-27 14:52:00 UTC", 23, &us) && us == 1422370320LL * 1000000);
	ck_assert(ts_parse("2015-01-27T14:52:00Z", 20, &us) && us == 1422370320LL * 1000000);
	ck_assert(ts_parse("2015-01-27T16:52:00+02:00", 25, &us) && us == 1422370320LL * 1000000);
	ck_assert(ts_parse("2000-02-29 12:00", 16, &us) && us == 951825600LL * 1000000);
	ck_assert(ts_parse("1969-12-31 23:59:59.5", 21, &us) && us == -500000);
	ck_assert(ts_parse("2015-01-27", 10, &us) && us == 1422316800LL * 1000000);
	ck_assert(!ts_parse("2015-02-29", 10, &us));
	ck_assert(!ts_parse("2015-13-01", 10, &us));
	ck_assert(!ts_parse("2015-01-27 25:00", 16, &us));
	ck_assert(!ts_parse("20150127", 8, &us));
	ck_assert(!ts_parse("2015-01-27 14:52:00 PST", 23, &us));
	char buf[40];
	ts_format(-500000, buf, sizeof buf);
	ck_assert_str_eq(buf, "1969-12-31 23:59:59.500000");
	ts_format(1422370320LL * 1000000, buf, sizeof buf);
	ck_assert_str_eq(buf, "2015-01-27 14:52:00");
	int y, m, d, h, mi, s, dow;
	ts_parts(1422370320LL * 1000000, &y, &m, &d, &h, &mi, &s, &dow);
	ck_assert_int_eq(y, 2015);
	ck_assert_int_eq(m, 1);
	ck_assert_int_eq(d, 27);
	ck_assert_int_eq(h, 14);
	ck_assert_int_eq(dow, 2); /* a Tuesday */
}
END_TEST

START_TEST(test_utf8)
{
	size_t off;
	ck_assert(utf8_valid("h\xc3\xa9llo", 6, &off));
	ck_assert(!utf8_valid("ab\xff", 3, &off));
	ck_assert_uint_eq(off, 2);
	ck_assert(!utf8_valid("a\xc3", 2, &off)); /* truncated sequence */
	ck_assert_uint_eq(off, 1);
	ck_assert(!utf8_valid("\xc0\xaf", 2, &off)); /* overlong */
	ck_assert(!utf8_valid("\xed\xa0\x80", 3, &off)); /* surrogate */
	ck_assert(utf8_valid("\xf0\x9f\x98\x80", 4, &off));
}
END_TEST

START_TEST(test_strings)
{
	size_t n;
	char **v = str_split("a,,b", ',', &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "");
	ck_assert_str_eq(v[2], "b");
	ck_assert_ptr_null(v[3]);
	str_list_free(v);
	char t[] = "  x y \n";
	ck_assert_str_eq(str_trim(t), "x y");
	char ol[] = "SELECT a,\n       b  FROM t\r\n\tWHERE  x\n";
	str_one_line(ol);
	ck_assert_str_eq(ol, "SELECT a, b  FROM t WHERE  x ");
	char plain[] = "a  b";
	str_one_line(plain);
	ck_assert_str_eq(plain, "a  b");
	/* control characters from the data are shown, never sent */
	ck_assert_ptr_null(str_visible("caf\xc3\xa9 ok"));
	char *vis = str_visible("\x1b[2Jx\x01y\rz\x7f\xc2\x9b" "1m a\r\n\tb\n");
	ck_assert_str_eq(vis, "\\x1b[2Jx\\x01y\\rz\\x7f\\u009b1m a b ");
	free(vis);
	struct sbuf b = {0};
	sbuf_printf(&b, "%d-%s", 7, "x");
	sbuf_putc(&b, '!');
	char *s = sbuf_steal(&b);
	ck_assert_str_eq(s, "7-x!");
	free(s);
}
END_TEST

START_TEST(test_distance_and_near)
{
	ck_assert_uint_eq(str_distance("", ""), 0);
	ck_assert_uint_eq(str_distance("abc", ""), 3);
	ck_assert_uint_eq(str_distance("", "abc"), 3);
	ck_assert_uint_eq(str_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(str_distance("--hiden", "--hidden"), 1);
	/* a swap of neighbours is one edit, not two */
	ck_assert_uint_eq(str_distance("alert.on_drfit", "alert.on_drift"), 1);
	ck_assert_uint_eq(str_distance("ca", "abc"), 3);
	ck_assert_uint_eq(str_distance("abcdef", "badcfe"), 3);

	static const char *const opts[] = {"--hidden", "--epochs", "--batch", "--lr", "--l2"};
	struct str_near nr;
	str_near_init(&nr, "--hiden");
	for (size_t i = 0; i < PM_ARRAY_LEN(opts); i++)
		str_near_offer(&nr, opts[i]);
	ck_assert_str_eq(nr.best, "--hidden");
	/* the nearest wins, whatever the order offered */
	str_near_init(&nr, "--l3");
	for (size_t i = PM_ARRAY_LEN(opts); i-- > 0;)
		str_near_offer(&nr, opts[i]);
	ck_assert_str_eq(nr.best, "--l2");
	/* nothing near: no suggestion */
	str_near_init(&nr, "--verbose");
	for (size_t i = 0; i < PM_ARRAY_LEN(opts); i++)
		str_near_offer(&nr, opts[i]);
	ck_assert_ptr_null(nr.best);
	/* the word itself is not a suggestion */
	str_near_init(&nr, "--lr");
	str_near_offer(&nr, "--lr");
	ck_assert_ptr_null(nr.best);
}
END_TEST

START_TEST(test_atomic_write)
{
	char dir[] = "/tmp/pm-util-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *p = path_join(dir, "f.txt");
	struct pm_err err = {0};
	ck_assert_int_eq(fs_write_atomic(p, "hello", 5, &err), 0);
	char *data;
	size_t len;
	ck_assert_int_eq(fs_read_all(p, &data, &len, &err), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(data, "hello");
	free(data);
	char *q = path_join(dir, "missing/x");
	ck_assert_int_eq(fs_write_atomic(q, "x", 1, &err), -1);
	ck_assert(strstr(err.msg, "cannot write") != NULL);
	ck_assert_int_eq(fs_read_all(q, &data, &len, &err), -1);
	ck_assert(strstr(err.msg, "No such file") != NULL);
	unlink(p);
	rmdir(dir);
	free(p);
	free(q);
}
END_TEST

static void sum_sq(void *ctx, size_t i)
{
	((uint64_t *)ctx)[i] = (uint64_t)i * i;
}

START_TEST(test_par_for)
{
	uint64_t out[1000];
	par_for(1000, 3, sum_sq, out);
	uint64_t s = 0;
	for (int i = 0; i < 1000; i++)
		s += out[i];
	ck_assert_uint_eq(s, 332833500ULL); /* sum of i^2, i < 1000 */
}
END_TEST

START_TEST(test_proc)
{
	ck_assert(proc_alive(getpid()));
	ck_assert(!proc_alive(0));
	ck_assert(!proc_alive(-5));
	int64_t me = proc_start_time(getpid());
	ck_assert_int_gt(me, 0);
	ck_assert_int_eq(proc_start_time(getpid()), me);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_gt(child, 0);
	ck_assert(proc_alive(child));
	ck_assert_int_ge(proc_start_time(child), me);
	/* killed but not reaped: a zombie, which has exited */
	kill(child, SIGKILL);
	for (int i = 0; i < 200 && proc_alive(child); i++)
		usleep(5000);
	ck_assert(!proc_alive(child));
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(!proc_alive(child));
	ck_assert_int_eq(proc_start_time(child), -1);
}
END_TEST

static int fail_on_multiples_of_7(void *ctx, size_t i, struct pm_err *err)
{
	atomic_int *ran = ctx;
	atomic_fetch_add(ran, 1);
	if (i > 0 && i % 7 == 0)
		return pm_errf(err, "item %zu failed", i);
	return 0;
}

START_TEST(test_par_for_err)
{
	for (int threads = 1; threads <= 4; threads++) {
		atomic_int ran = 0;
		struct pm_err err = {0};
		ck_assert_int_eq(par_for_err(100, threads, fail_on_multiples_of_7, &ran, &err), -1);
		ck_assert_str_eq(err.msg, "item 7 failed");
		ck_assert_int_eq(atomic_load(&ran), 100);
		atomic_store(&ran, 0);
		ck_assert_int_eq(par_for_err(7, threads, fail_on_multiples_of_7, &ran, &err), 0);
		ck_assert_int_eq(atomic_load(&ran), 7);
		ck_assert_int_eq(par_for_err(0, threads, fail_on_multiples_of_7, &ran, &err), 0);
	}
}
END_TEST

START_TEST(test_map_of_a_shrinking_file)
{
	/* another process truncates a mapped file: the pages past the new end
	 * read as zeros instead of SIGBUS, and the map says the file shrank */
	char path[] = "/tmp/prodml-test-map.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len = 3 * pg;
	char *buf = malloc(len);
	memset(buf, 'a', len);
	ck_assert_int_eq(fs_write_fd(fd, buf, len), 0);
	struct pm_err err = {0};
	struct fs_map m, s;
	ck_assert_int_eq(fs_map_open(path, &m, &err), 0);
	ck_assert_int_eq(fs_map_stream(fd, len, &s), 0);
	ck_assert_int_eq(fs_map_check(&m, path, &err), 0);
	ck_assert_int_eq(truncate(path, 100), 0);
	const volatile char *p = m.data, *q = s.data;
	ck_assert_int_eq(p[0], 'a');
	ck_assert_int_eq(p[99], 'a');
	ck_assert_int_eq(p[2 * pg + 5], 0); /* past the end: a zero, not a signal */
	ck_assert_int_eq(p[pg], 0);
	ck_assert(fs_map_shrank(&m));
	ck_assert(!fs_map_shrank(&s)); /* the other map has not touched those pages */
	ck_assert_int_eq(q[len - 1], 0);
	ck_assert(fs_map_shrank(&s));
	ck_assert_int_eq(fs_map_check(&m, path, &err), -1);
	char want[128];
	snprintf(want, sizeof want, "%s: the file shrank while it was read (another process changed it)",
		 path);
	ck_assert_str_eq(err.msg, want);
	fs_map_close(&m);
	fs_map_close(&s);
	close(fd);
	unlink(path);
	free(buf);
}
END_TEST

/* Libraries opened on first use: the symbols are resolved in order, the
 * first open says so, and failures name the library and the package. */
START_TEST(test_dynlib)
{
	static const char *const names[] = {"cos", "sqrt", NULL};
	void *fns[2] = {NULL, NULL};
	struct dynlib m = {.soname = "libm.so.6", .package = "libc6", .names = names, .fns = fns};
	struct pm_err err = {0};
	ck_assert_int_eq(dynlib_open(&m, &err), 1);
	ck_assert_int_eq(dynlib_open(&m, &err), 0);
	double (*f_cos)(double), (*f_sqrt)(double);
	*(void **)&f_cos = fns[0];
	*(void **)&f_sqrt = fns[1];
	ck_assert_double_eq(f_cos(0.0), 1.0);
	ck_assert_double_eq(f_sqrt(2.25), 1.5);
	ck_assert_ptr_nonnull(dynlib_sym(&m, "exp"));
	ck_assert_ptr_null(dynlib_sym(&m, "no_such_function"));

	struct dynlib none = {.soname = "libprodml-none.so.9", .package = "prodml-none",
			      .names = names, .fns = fns};
	const char *want = "cannot load libprodml-none.so.9 (libprodml-none.so.9: cannot open "
			   "shared object file: No such file or directory): install the Debian "
			   "package prodml-none";
	for (int i = 0; i < 2; i++) { /* the failure is remembered */
		ck_assert_int_eq(dynlib_open(&none, &err), -1);
		ck_assert_str_eq(err.msg, want);
	}
	ck_assert_ptr_null(dynlib_sym(&none, "cos"));

	static const char *const bad[] = {"cos", "no_such_function", NULL};
	void *bfns[2];
	struct dynlib half = {.soname = "libm.so.6", .package = "libc6", .names = bad, .fns = bfns};
	ck_assert_int_eq(dynlib_open(&half, &err), -1);
	ck_assert_str_eq(err.msg, "libm.so.6 has no no_such_function: install the Debian package libc6");
	ck_assert_ptr_null(dynlib_sym(&half, "cos"));
}
END_TEST

START_TEST(test_duration_parse)
{
	int64_t us;
	ck_assert(duration_parse("90s", &us) && us == 90000000);
	ck_assert(duration_parse("30m", &us) && us == 1800000000LL);
	ck_assert(duration_parse("1.5h", &us) && us == 5400000000LL);
	ck_assert(duration_parse("2d", &us) && us == 172800000000LL);
	ck_assert(duration_parse("0.25", &us) && us == 250000);
	ck_assert(!duration_parse("0s", &us));
	ck_assert(!duration_parse("-1h", &us));
	ck_assert(!duration_parse("5x", &us));
	ck_assert(!duration_parse("1hh", &us));
	ck_assert(!duration_parse("", &us));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_xxh64_vectors);
	tcase_add_test(tc, test_hash_parallel_stable);
	tcase_add_test(tc, test_hash_parallel_parts);
	tcase_add_test(tc, test_hash_streaming);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_sha256_ni_matches_portable);
	tcase_add_test(tc, test_parse_numbers);
	tcase_add_test(tc, test_fmt_double);
	tcase_add_test(tc, test_timestamps);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_distance_and_near);
	tcase_add_test(tc, test_atomic_write);
	tcase_add_test(tc, test_par_for);
	tcase_add_test(tc, test_proc);
	tcase_add_test(tc, test_par_for_err);
	tcase_add_test(tc, test_map_of_a_shrinking_file);
	tcase_add_test(tc, test_dynlib);
	tcase_add_test(tc, test_duration_parse);
	suite_add_tcase(s, tc);
	/* 200000 numbers against the scan: slow under a sanitizer or load */
	TCase *tn = tcase_create("numbers");
	tcase_set_timeout(tn, 60);
	tcase_add_test(tn, test_fmt_double_shortest);
	suite_add_tcase(s, tn);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
