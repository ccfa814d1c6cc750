/* Terminal charts: sparklines and bar histograms, Unicode or ASCII. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool utf8_locale(const char *v)
{
	return v && (strcasestr(v, "UTF-8") || strcasestr(v, "utf8"));
}

bool plot_unicode(void)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	/* the first of these that is set decides, as in setlocale */
	const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (size_t i = 0; i < PM_ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return utf8_locale(v);
	}
	return false;
}

static const char *const spark_u[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
				       "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
				       "\xe2\x96\x87", "\xe2\x96\x88"};
static const char spark_a[] = "_.,:-=+#";

void plot_sparkline(struct sbuf *out, const double *v, size_t n, bool unicode)
{
	double max = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > max)
			max = v[i];
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]) || v[i] < 0) {
			sbuf_putc(out, ' ');
			continue;
		}
		/* a non-zero value always shows at least the lowest mark, so a
		 * rare bucket is not mistaken for an empty one */
		int k;
		if (max <= 0 || v[i] <= 0)
			k = -1;
		else
			k = (int)ceil(v[i] / max * 8) - 1;
		if (k > 7)
			k = 7;
		if (unicode)
			sbuf_puts(out, k < 0 ? " " : spark_u[k]);
		else
			sbuf_putc(out, k < 0 ? ' ' : spark_a[k]);
	}
}

/* left eighth blocks: 1/8 .. 7/8 */
static const char *const eighths[8] = {"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
				       "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"};

void plot_bar(struct sbuf *out, double value, double max, int width, bool unicode)
{
	if (width < 1)
		return;
	double frac = max > 0 && isfinite(value) && value > 0 ? value / max : 0;
	if (frac > 1)
		frac = 1;
	int used = 0;
	if (unicode) {
		int e = (int)lround(frac * width * 8);
		if (e == 0 && frac > 0)
			e = 1;
		for (; e >= 8; e -= 8, used++)
			sbuf_puts(out, "\xe2\x96\x88");
		if (e > 0) {
			sbuf_puts(out, eighths[e]);
			used++;
		}
	} else {
		int c = (int)lround(frac * width);
		if (c == 0 && frac > 0)
			c = 1;
		for (; used < c; used++)
			sbuf_putc(out, '#');
	}
	for (; used < width; used++)
		sbuf_putc(out, ' ');
}

static void bin_label(const struct plot_hist *h, size_t i, char *buf, size_t n)
{
	if (!h->edges) {
		snprintf(buf, n, "%s", h->labels[i]);
		return;
	}
	char a[32], b[32];
	fmt_double(h->edges[i], a, sizeof a);
	fmt_double(h->edges[i + 1], b, sizeof b);
	/* the last numeric bin holds its upper edge */
	snprintf(buf, n, "[%s, %s%c", a, b, i + 1 == h->nbins ? ']' : ')');
}

static void put_padded(struct sbuf *out, const char *s, int w)
{
	size_t fit = utf8_fit(s, w);
	char *t = xstrndup(s, fit);
	int tw = utf8_width(t);
	sbuf_puts(out, t);
	free(t);
	for (; tw < w; tw++)
		sbuf_putc(out, ' ');
}

void plot_hist_text(const struct plot_hist *h, struct sbuf *out, int width, bool unicode)
{
	if (width < 40)
		width = 40;
	int lw = 4;
	char buf[256];
	for (size_t i = 0; i < h->nbins; i++) {
		bin_label(h, i, buf, sizeof buf);
		int w = utf8_width(buf);
		if (w > lw)
			lw = w;
	}
	if (lw > 28)
		lw = 28;
	double max = 0;
	int vw = 1;
	for (size_t s = 0; s < h->nseries; s++)
		for (size_t i = 0; i < h->nbins; i++) {
			double v = h->values[s][i];
			if (v > max)
				max = v;
			fmt_double(round(v * 1e4) / 1e4, buf, sizeof buf);
			int w = (int)strlen(buf);
			if (w > vw)
				vw = w;
		}
	int nw = 0;
	if (h->nseries > 1)
		for (size_t s = 0; s < h->nseries; s++) {
			int w = utf8_width(h->names[s]);
			if (w > nw)
				nw = w;
		}
	if (nw > 16)
		nw = 16;
	int bw = width - lw - vw - 4 - (nw ? nw + 2 : 0);
	if (bw < 10)
		bw = 10;
	if (h->title)
		sbuf_printf(out, "%s\n", h->title);
	for (size_t i = 0; i < h->nbins; i++) {
		for (size_t s = 0; s < h->nseries; s++) {
			sbuf_puts(out, "  ");
			if (s == 0)
				bin_label(h, i, buf, sizeof buf);
			else
				buf[0] = 0;
			put_padded(out, buf, lw);
			sbuf_puts(out, " ");
			if (nw) {
				put_padded(out, h->names[s], nw);
				sbuf_puts(out, " ");
			}
			if (s == 0) {
				plot_bar(out, h->values[s][i], max, bw, unicode);
			} else {
				/* the second series in a lighter shade (or '=') */
				struct sbuf bar = {0};
				plot_bar(&bar, h->values[s][i], max, bw, false);
				for (size_t k = 0; k < bar.len; k++) {
					if (bar.s[k] == '#')
						sbuf_puts(out, unicode ? "\xe2\x96\x91" : "=");
					else
						sbuf_putc(out, bar.s[k]);
				}
				sbuf_free(&bar);
			}
			fmt_double(round(h->values[s][i] * 1e4) / 1e4, buf, sizeof buf);
			sbuf_printf(out, " %*s\n", vw, buf);
		}
	}
}
