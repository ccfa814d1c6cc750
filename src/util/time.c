/* Clocks and timestamps (UTC, microseconds since 1970). */
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int64_t now_unix_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), valid for any year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
	const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

static bool digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
	if (at + count > n)
		return false;
	int v = 0;
	for (size_t i = 0; i < count; i++) {
		unsigned c = (unsigned char)s[at + i] - '0';
		if (c > 9)
			return false;
		v = v * 10 + (int)c;
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool ts_parse(const char *s, size_t n, int64_t *us)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0;
	if (n < 10 || !digits(s, n, 0, 4, &y) || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
	    s[7] != '-' || !digits(s, n, 8, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	size_t i = 10;
	int64_t offset_s = 0;
	if (i < n && (s[i] == 'T' || s[i] == ' ') && i + 1 < n &&
	    (unsigned char)(s[i + 1] - '0') <= 9) {
		i++;
		if (!digits(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' ||
		    !digits(s, n, i + 3, 2, &mi))
			return false;
		i += 5;
		if (i < n && s[i] == ':') {
			if (!digits(s, n, i + 1, 2, &sec))
				return false;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				i++;
				int nd = 0;
				while (i < n && (unsigned char)(s[i] - '0') <= 9) {
					if (nd < 6) {
						frac = frac * 10 + (s[i] - '0');
						nd++;
					}
					i++;
				}
				if (nd == 0)
					return false;
				while (nd++ < 6)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		if (i < n && s[i] == 'Z') {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int oh, om = 0;
			int sign = s[i] == '-' ? -1 : 1;
			if (!digits(s, n, i + 1, 2, &oh))
				return false;
			i += 3;
			if (i < n && s[i] == ':')
				i++;
			if (i < n && digits(s, n, i, 2, &om))
				i += 2;
			offset_s = sign * (oh * 3600 + om * 60);
		} else if (n - i == 4 && memcmp(s + i, " UTC", 4) == 0) {
			i += 4;
		}
	}
	if (i != n)
		return false;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t t = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
	*us = t * 1000000 + frac;
	return true;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void ts_parts(int64_t us, int *year, int *month, int *day, int *hour, int *min, int *sec, int *dow)
{
	int64_t s = floordiv(us, 1000000);
	int64_t days = floordiv(s, 86400);
	int64_t rem = s - days * 86400;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	if (year)
		*year = y;
	if (month)
		*month = m;
	if (day)
		*day = d;
	if (hour)
		*hour = (int)(rem / 3600);
	if (min)
		*min = (int)(rem / 60 % 60);
	if (sec)
		*sec = (int)(rem % 60);
	if (dow) {
		int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
		*dow = (int)(w < 0 ? w + 7 : w);
	}
}

void ts_format(int64_t us, char *buf, size_t n)
{
	int y, m, d, h, mi, s;
	ts_parts(us, &y, &m, &d, &h, &mi, &s, NULL);
	int64_t frac = us - floordiv(us, 1000000) * 1000000;
	if (frac)
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", y, m, d, h, mi, s,
			 (long long)frac);
	else
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, h, mi, s);
}

void ts_now_iso(char *buf, size_t n)
{
	int64_t us = now_unix_us();
	int y, m, d, h, mi, s;
	ts_parts(us, &y, &m, &d, &h, &mi, &s, NULL);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, s);
}

bool duration_parse(const char *s, int64_t *us)
{
	char *end;
	double v = strtod(s, &end);
	double unit = 1;
	if (end == s || v <= 0 || !isfinite(v))
		return false;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60, end++;
	else if (*end == 'h')
		unit = 3600, end++;
	else if (*end == 'd')
		unit = 86400, end++;
	if (*end)
		return false;
	*us = (int64_t)(v * unit * 1e6);
	return *us > 0;
}
