/* Small string helpers: strict number parsing, UTF-8 checks and widths. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

bool str_eq_ci(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

bool str_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

void str_one_line(char *s)
{
	char *w = s;
	while (*s) {
		size_t run = strspn(s, " \t\n\r\v\f");
		if (run && strcspn(s, "\t\n\r\v\f") < run) {
			*w++ = ' ';
			s += run;
		} else if (run) {
			memmove(w, s, run);
			w += run;
			s += run;
		} else {
			*w++ = *s++;
		}
	}
	*w = 0;
}

/* A C1 control (U+0080..U+009F) in UTF-8: some terminals obey 0x9b as ESC [. */
static bool is_c1(const unsigned char *p)
{
	return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
}

char *str_visible(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p && *p >= 0x20 && *p != 0x7f && !is_c1(p))
		p++;
	if (!*p)
		return NULL;
	struct sbuf b = {0};
	for (p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p;
		if (c == '\n' || c == '\t' || (c == '\r' && p[1] == '\n')) {
			sbuf_putc(&b, (char)c); /* a line break: a space below */
		} else if (c == '\r') {
			sbuf_puts(&b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			sbuf_printf(&b, "\\x%02x", c);
		} else if (is_c1(p)) {
			sbuf_printf(&b, "\\u%04x", p[1]);
			p++;
		} else {
			sbuf_putc(&b, (char)c);
		}
	}
	char *r = sbuf_steal(&b);
	str_one_line(r);
	return r;
}

bool str_name_chars_valid(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

bool str_name_valid(const char *name)
{
	return name && strlen(name) <= 128 && str_name_chars_valid(name, strlen(name));
}

char **str_split(const char *s, char sep, size_t *n)
{
	size_t cap = 0, cnt = 0;
	char **list = NULL;
	for (;;) {
		const char *e = strchr(s, sep);
		size_t len = e ? (size_t)(e - s) : strlen(s);
		xgrow((void **)&list, &cap, cnt + 2, sizeof *list);
		list[cnt++] = xstrndup(s, len);
		if (!e)
			break;
		s = e + 1;
	}
	list[cnt] = NULL;
	if (n)
		*n = cnt;
	return list;
}

void str_list_free(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

size_t str_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	/* three rows of the table: a transposition looks two rows back */
	size_t *prev2 = xcalloc(m + 1, sizeof *prev2), *prev = xcalloc(m + 1, sizeof *prev),
	       *cur = xcalloc(m + 1, sizeof *cur);
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[m];
	free(prev2);
	free(prev);
	free(cur);
	return d;
}

void str_near_init(struct str_near *nr, const char *word)
{
	size_t len = strlen(word);
	nr->word = word;
	nr->best = NULL;
	/* a quarter of the word: one slip in a short word, a few in a long one,
	 * never so many that an unrelated name is offered */
	nr->max = len < 4 ? 1 : len / 4 < 3 ? len / 4 : 3;
	nr->dist = nr->max + 1;
}

void str_near_offer(struct str_near *nr, const char *cand)
{
	size_t d = str_distance(nr->word, cand);
	if (d > 0 && d < nr->dist) {
		nr->dist = d;
		nr->best = cand;
	}
}

bool parse_int64(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (n == 0)
		return false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
		if (n == 1)
			return false;
	}
	uint64_t v = 0;
	if (n - i <= 18) {
		/* below 10^18: no overflow to check for (the common case) */
		for (; i < n; i++) {
			unsigned d = (unsigned char)s[i] - '0';
			if (d > 9)
				return false;
			v = v * 10 + d;
		}
	}
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - v);
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

/* Exact powers of ten for the fast path: a decimal with at most 15
 * significant digits and a small exponent converts exactly with one
 * multiplication or division (Clinger's fast path). */
static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Adds the digits from s[i] on to *mant (wrapping past 19 of them, which
 * the caller refuses); returns the index after them. */
static inline size_t digit_run(const char *s, size_t i, size_t n, uint64_t *mant)
{
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			break;
		*mant = *mant * 10 + d;
	}
	return i;
}

/* The common form of a CSV number: [sign] digits [. digits], 19 digits at
 * most and no exponent.  When the digits fit in 53 bits the value is exact
 * with one correctly rounded division (Clinger's fast path); false sends
 * everything else to the general reader. */
static inline bool parse_plain_decimal(const char *s, size_t n, double *out)
{
	size_t i = s[0] == '-' || s[0] == '+';
	uint64_t mant = 0;
	size_t e = digit_run(s, i, n, &mant), intd = e - i, fracd = 0;
	if (e < n && s[e] == '.') {
		i = e + 1;
		e = digit_run(s, i, n, &mant);
		fracd = e - i;
	}
	if (e != n || intd + fracd == 0 || intd + fracd > 19 || mant > (1ULL << 53))
		return false;
	double v = (double)mant;
	if (fracd)
		v /= pow10_tab[fracd];
	*out = s[0] == '-' ? -v : v;
	return true;
}

bool parse_double(const char *s, size_t n, double *out)
{
	if (n == 0)
		return false;
	if (parse_plain_decimal(s, n, out))
		return true;
	size_t i = 0;
	bool neg = false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	uint64_t mant = 0;
	int digits = 0, exp10 = 0;
	bool any = false, fast = true;
	for (; i < n && (unsigned char)(s[i] - '0') <= 9; i++) {
		any = true;
		if (mant == 0 && s[i] == '0')
			continue;
		if (digits < 19) {
			mant = mant * 10 + (uint64_t)(s[i] - '0');
			digits++;
		} else {
			exp10++;
			fast = false;
		}
	}
	if (i < n && s[i] == '.') {
		i++;
		for (; i < n && (unsigned char)(s[i] - '0') <= 9; i++) {
			any = true;
			if (mant == 0 && s[i] == '0') {
				exp10--;
				continue;
			}
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				digits++;
				exp10--;
			} else {
				fast = false;
			}
		}
	}
	if (!any) {
		/* inf / infinity / nan spelled out */
		size_t m = n - i;
		const char *t = s + i;
		if ((m == 3 && strncasecmp(t, "inf", 3) == 0) ||
		    (m == 8 && strncasecmp(t, "infinity", 8) == 0)) {
			*out = neg ? -INFINITY : INFINITY;
			return true;
		}
		return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		if (i >= n)
			return false;
		int e = 0;
		for (; i < n && (unsigned char)(s[i] - '0') <= 9; i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		exp10 += eneg ? -e : e;
	}
	if (i != n)
		return false;
	if (fast && digits <= 15 && exp10 >= -22 && exp10 <= 22) {
		double v = (double)mant;
		v = exp10 < 0 ? v / pow10_tab[-exp10] : v * pow10_tab[exp10];
		*out = neg ? -v : v;
		return true;
	}
	/* Slow path: strtod on a NUL-terminated copy. */
	char tmp[128];
	char *buf = n < sizeof tmp ? tmp : xmalloc(n + 1);
	memcpy(buf, s, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	bool ok = end == buf + n;
	if (buf != tmp)
		free(buf);
	if (!ok)
		return false;
	*out = v;
	return true;
}

char *str_text_problem(bool nul, unsigned byte)
{
	return nul ? xstrdup("NUL byte") : xasprintf("invalid UTF-8 (byte 0x%02x)", byte & 0xffu);
}

char *str_text_check(const char *s, size_t n)
{
	size_t bad;
	if (memchr(s, 0, n))
		return str_text_problem(true, 0);
	if (!utf8_valid(s, n, &bad))
		return str_text_problem(false, (unsigned char)s[bad]);
	return NULL;
}

bool utf8_valid(const char *str, size_t n, size_t *bad_off)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else
			goto bad;
		if (i + len > n)
			goto bad;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += len;
	}
	return true;
bad:
	if (bad_off)
		*bad_off = i;
	return false;
}

/* Decodes one code point; returns its length in bytes (1 for a bad byte). */
static size_t utf8_next(const char *s, wchar_t *wc)
{
	mbstate_t st = {0};
	size_t r = mbrtowc(wc, s, 4, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*wc = (unsigned char)*s;
		return 1;
	}
	return r;
}

int utf8_width(const char *s)
{
	int w = 0;
	while (*s) {
		wchar_t wc;
		s += utf8_next(s, &wc);
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
	}
	return w;
}

size_t utf8_fit(const char *s, int width)
{
	const char *p = s;
	int w = 0;
	while (*p) {
		wchar_t wc;
		size_t len = utf8_next(p, &wc);
		int cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (w + cw > width)
			break;
		w += cw;
		p += len;
	}
	return (size_t)(p - s);
}
