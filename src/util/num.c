/* Numbers as text and as JSON: the shortest form of a double that reads
 * back (every output prints numbers so), and JSON numbers with NaN and
 * infinities as null. */
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* ---- the shortest round-trip form ----------------------------------------------------
 * The shortest "%.Ng" (N from 6 to 17) that reads back to the same double.
 * Predictions are printed by the million (predict, the server), so the
 * digits are found in exact integer arithmetic, not by a printf and strtod
 * per trial; tests/unit/test_util.c holds the scan as the reference. */

static bool round_trips(double v, int prec, char *buf, size_t n)
{
	snprintf(buf, n, "%.*g", prec, v);
	return strtod(buf, NULL) == v;
}

/* The slow path, for values the fast one does not
 * cover (tiny or huge).  From 17 digits down while one fewer still reads
 * back (if N digits do not, fewer do not either): most such values need
 * 16 or 17, found with one or two trials. */
static void fmt_slow(double v, char *buf, size_t n)
{
	int p = 17;
	while (p > 6 && round_trips(v, p - 1, buf, n))
		p--;
	snprintf(buf, n, "%.*g", p, v);
}

typedef unsigned __int128 u128;

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

static u128 times_pow10(uint64_t m, int k)
{
	u128 num = (u128)m;
	if (k > 19)
		return num * pow10_u64[19] * pow10_u64[k - 19];
	return num * pow10_u64[k];
}

/* The p significant digits of v = m * 2^-s (2^52 <= m < 2^53) rounded
 * correctly, ties to even as printf rounds, as an integer d, and the
 * decimal exponent x of the rounded value; *rt tells whether those digits
 * read back to v.  All in exact 128-bit integer arithmetic; false when v is
 * out of its range. */
static bool digits(uint64_t m, int s, int p, int x_guess, uint64_t *d, int *x, bool *rt)
{
	for (int tries = 0; tries < 4; tries++) {
		int k = p - 1 - x_guess;
		/* m * 10^k must fit 128 bits: 53 + 3.33 k < 128 */
		if (k < 0 || k > 22 || s < 2 || s > 120)
			return false;
		u128 num = times_pow10(m, k);
		u128 t = num >> s;
		/* the exponent is right when the truncated digits number p */
		if (t >= pow10_u64[p]) {
			x_guess++;
			continue;
		}
		if (t < pow10_u64[p - 1]) {
			x_guess--;
			continue;
		}
		u128 r = num - (t << s), one = (u128)1 << s, half = one >> 1;
		uint64_t q = (uint64_t)t;
		bool up = r > half || (r == half && (q & 1));
		if (up)
			q++;
		/* The digits read back to v when their distance to v is under
		 * half the gap to v's neighbour on that side (the gap below a
		 * power of two is half as wide); at exactly half, the reader
		 * rounds to the even mantissa.  In units of 2^-s / 10^k: */
		u128 dist = up ? one - r : r, lim = times_pow10(1, k);
		if (!up && m == ((uint64_t)1 << 52))
			*rt = 4 * dist <= lim;
		else
			*rt = 2 * dist < lim || (2 * dist == lim && (m & 1) == 0);
		if (q == pow10_u64[p]) {
			*d = pow10_u64[p - 1];
			*x = x_guess + 1;
		} else {
			*d = q;
			*x = x_guess;
		}
		return true;
	}
	return false;
}

/* Prints p digits d (exponent x) as "%.{p}g" prints them. */
static size_t put_g(char *out, bool neg, uint64_t d, int p, int x)
{
	char dig[24];
	for (int i = p - 1; i >= 0; i--) {
		dig[i] = (char)('0' + d % 10);
		d /= 10;
	}
	int n = p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	char *o = out;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= p) {
		*o++ = dig[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)n - 1);
			o += n - 1;
		}
		*o++ = 'e';
		int e = x;
		*o++ = e < 0 ? '-' : '+';
		if (e < 0)
			e = -e;
		if (e >= 100)
			*o++ = (char)('0' + e / 100);
		*o++ = (char)('0' + e / 10 % 10);
		*o++ = (char)('0' + e % 10);
	} else if (x >= 0) {
		for (int i = 0; i <= x; i++)
			*o++ = i < n ? dig[i] : '0';
		if (n > x + 1) {
			*o++ = '.';
			memcpy(o, dig + x + 1, (size_t)(n - x - 1));
			o += n - x - 1;
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -x - 1; i++)
			*o++ = '0';
		memcpy(o, dig, (size_t)n);
		o += n;
	}
	*o = 0;
	return (size_t)(o - out);
}

void fmt_double(double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, v < 0 ? "-Inf" : "Inf");
		return;
	}
	/* The fast path, for values from about 1e-6 to 1e15: the correctly
	 * rounded 17, 16, 15.. digit forms and whether each reads back, in
	 * exact integer arithmetic, down to the shortest that does (if N
	 * digits do not read back, fewer do not either); the rest goes
	 * through printf and strtod. */
	int e2;
	double f = frexp(fabs(v), &e2); /* |v| = f * 2^e2, 0.5 <= f < 1 */
	if (v != 0 && n >= 32 && e2 <= 50 && e2 >= -21) {
		uint64_t m = (uint64_t)ldexp(f, 53);
		int s = 53 - e2;
		int xg = (int)floor((e2 - 1) * 0.30102999566398120);
		uint64_t d, bd;
		int x, bx, best = 17;
		bool rt, ok = digits(m, s, 17, xg, &bd, &bx, &rt);
		for (int p = 16; ok && p >= 6; p--) {
			ok = digits(m, s, p, bx, &d, &x, &rt);
			if (!ok || !rt)
				break;
			best = p;
			bd = d;
			bx = x;
		}
		/* a shorter form out of range is for printf to find */
		if (ok) {
			put_g(buf, v < 0, bd, best, bx);
			return;
		}
	}
	fmt_slow(v, buf, n);
}
