/* Figures through GNU libplot: histograms with axes, labels and a legend,
 * as PNG, SVG or PostScript. */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <plot.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char plot_formats[] = "png|svg|ps";

/* Figure geometry in user units (the PNG is 1000x650 pixels). */
enum { FIG_W = 1000, FIG_H = 650, MARGIN_L = 110, MARGIN_R = 30, MARGIN_B = 120, MARGIN_T = 70 };

struct rgb {
	int r, g, b;
};
/* libplot is opened by write_figure (util dynlib): its functions are
 * called through PL(name), typed by plot.h's declarations. */
#define PL_FUNCS(X) \
	X(pl_alabel_r) X(pl_bgcolorname_r) X(pl_closepl_r) X(pl_deletepl_r) \
	X(pl_deleteplparams) X(pl_endpath_r) X(pl_erase_r) X(pl_fbox_r) X(pl_fcircle_r) \
	X(pl_fcont_r) X(pl_ffontsize_r) X(pl_fillcolor_r) X(pl_fillcolorname_r) \
	X(pl_filltype_r) X(pl_fline_r) X(pl_flinewidth_r) X(pl_fmove_r) X(pl_fontname_r) \
	X(pl_fspace_r) X(pl_ftextangle_r) X(pl_newpl_r) X(pl_newplparams) X(pl_openpl_r) \
	X(pl_pencolor_r) X(pl_pencolorname_r) X(pl_setplparam)
DYNLIB_TABLE(PL_FUNCS, pl_names, pl_fns);
static struct dynlib plot_lib = {.soname = PM_SONAME_PLOT, .package = "libplot-dev",
				 .names = pl_names, .fns = pl_fns};
#define PL(f) DYNLIB_FN(pl_fns, pl_##f)

/* colour-blind safe pair (Okabe-Ito blue and vermillion) */
static const struct rgb series_fill[PLOT_MAX_SERIES] = {{0x56, 0xb4, 0xe9}, {0xd5, 0x5e, 0x00}};
static const struct rgb series_line[PLOT_MAX_SERIES] = {{0x00, 0x5a, 0x8c}, {0xd5, 0x5e, 0x00}};

static void fill(plPlotter *p, struct rgb c)
{
	PL(fillcolor_r)(p, c.r * 257, c.g * 257, c.b * 257);
}

static void pen(plPlotter *p, struct rgb c)
{
	PL(pencolor_r)(p, c.r * 257, c.g * 257, c.b * 257);
}

/* Hershey fonts draw ASCII only: other bytes become '?', long text is cut. */
static char *ascii(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *t = xmalloc(n + 4);
	size_t k = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && k < max; c++) {
		if (*c >= 0x80) {
			/* one '?' per UTF-8 character, not per byte */
			if ((*c & 0xc0) == 0xc0)
				t[k++] = '?';
			continue;
		}
		t[k++] = *c >= ' ' && *c < 0x7f ? (char)*c : '?';
	}
	if (k == max && strlen(s) > max) {
		t[k - 1] = '.';
		t[k - 2] = '.';
	}
	t[k] = 0;
	return t;
}

static void label(plPlotter *p, double x, double y, int hjust, int vjust, const char *s,
		  size_t max)
{
	char *t = ascii(s, max);
	PL(fmove_r)(p, x, y);
	PL(alabel_r)(p, hjust, vjust, t);
	free(t);
}

/* A "nice" step (1, 2 or 5 times a power of ten) for about n ticks. */
static double nice_step(double range, int n)
{
	if (!(range > 0))
		return 1;
	double raw = range / n, mag = pow(10, floor(log10(raw)));
	double f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static const char *format_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return NULL;
	if (str_eq_ci(dot, ".png"))
		return "png";
	if (str_eq_ci(dot, ".svg"))
		return "svg";
	if (str_eq_ci(dot, ".ps") || str_eq_ci(dot, ".eps"))
		return "ps";
	return NULL;
}

/* Draws one panel in the FIG_W x FIG_H box whose lower left corner is
 * (ox, oy) in user units. */
static void draw(plPlotter *p, const struct plot_hist *h, double ox, double oy)
{
	const double x0 = ox + MARGIN_L, x1 = ox + FIG_W - MARGIN_R, y0 = oy + MARGIN_B,
		     y1 = oy + FIG_H - MARGIN_T;
	PL(fontname_r)(p, "HersheySans");
	PL(flinewidth_r)(p, 1.5);

	double max = 0;
	for (size_t s = 0; s < h->nseries; s++)
		for (size_t i = 0; i < h->nbins; i++)
			if (isfinite(h->values[s][i]) && h->values[s][i] > max)
				max = h->values[s][i];
	double step = nice_step(max, 5);
	double top = max > 0 ? ceil(max / step) * step : 1;
	double bw = (x1 - x0) / (double)(h->nbins ? h->nbins : 1);
#define Y(v) (y0 + (v) / top * (y1 - y0))

	/* grid and y ticks */
	PL(ffontsize_r)(p, 15);
	char buf[64];
	for (double t = 0; t <= top + step / 2; t += step) {
		PL(pencolorname_r)(p, "gray90");
		PL(fline_r)(p, x0, Y(t), x1, Y(t));
		PL(pencolorname_r)(p, "black");
		PL(fline_r)(p, x0 - 6, Y(t), x0, Y(t));
		fmt_double(round(t / step) * step, buf, sizeof buf);
		if (strlen(buf) > 8)
			snprintf(buf, sizeof buf, "%.3g", t);
		label(p, x0 - 10, Y(t), 'r', 'c', buf, 12);
	}

	/* lines: one polyline per series through the bin centres, a gap where
	 * a value is missing, a dot on each value */
	for (size_t s = 0; s < h->nseries && h->lines; s++) {
		pen(p, series_line[s]);
		PL(flinewidth_r)(p, s ? 3 : 2);
		bool down = false;
		for (size_t i = 0; i < h->nbins; i++) {
			double v = h->values[s][i];
			if (!isfinite(v)) {
				if (down)
					PL(endpath_r)(p);
				down = false;
				continue;
			}
			double x = x0 + bw * ((double)i + 0.5), y = Y(fmax(v, 0));
			if (down)
				PL(fcont_r)(p, x, y);
			else
				PL(fmove_r)(p, x, y);
			down = true;
		}
		if (down)
			PL(endpath_r)(p);
		PL(filltype_r)(p, 1);
		fill(p, series_line[s]);
		for (size_t i = 0; i < h->nbins; i++)
			if (isfinite(h->values[s][i]))
				PL(fcircle_r)(p, x0 + bw * ((double)i + 0.5), Y(fmax(h->values[s][i], 0)), 4);
		PL(filltype_r)(p, 0);
	}
	/* bars: the first series filled, the second as an outline on top, so
	 * both stay visible where they overlap */
	for (size_t s = 0; s < h->nseries && !h->lines; s++) {
		for (size_t i = 0; i < h->nbins; i++) {
			double v = h->values[s][i];
			if (!(v > 0))
				continue;
			double a = x0 + bw * (double)i, b = a + bw;
			if (s == 0) {
				PL(filltype_r)(p, 1);
				fill(p, series_fill[0]);
				pen(p, series_line[0]);
				PL(flinewidth_r)(p, 1.5);
				PL(fbox_r)(p, a + 1, y0, b - 1, Y(v));
			} else {
				PL(filltype_r)(p, 0);
				pen(p, series_line[1]);
				PL(flinewidth_r)(p, 4);
				PL(fbox_r)(p, a + 4, y0, b - 4, Y(v));
			}
		}
	}
	PL(filltype_r)(p, 0);
	PL(flinewidth_r)(p, 1.5);
	PL(pencolorname_r)(p, "black");
	PL(fline_r)(p, x0, y0, x1, y0);
	PL(fline_r)(p, x0, y0, x0, y1);

	/* x ticks: edges of numeric bins (thinned to about 11), or the
	 * category names slanted */
	if (h->edges) {
		size_t every = h->nbins > 10 ? (h->nbins + 9) / 10 : 1;
		for (size_t i = 0; i <= h->nbins; i++) {
			if (i % every && i != h->nbins)
				continue;
			double x = x0 + bw * (double)i;
			PL(fline_r)(p, x, y0, x, y0 - 6);
			double e = h->edges[i];
			fmt_double(e, buf, sizeof buf);
			if (strlen(buf) > 8)
				snprintf(buf, sizeof buf, "%.4g", e);
			label(p, x, y0 - 10, 'c', 't', buf, 12);
		}
	} else {
		PL(ftextangle_r)(p, 35);
		/* a time series labels about a dozen of its points */
		size_t every = h->lines && h->nbins > 12 ? (h->nbins + 11) / 12 : 1;
		for (size_t i = 0; i < h->nbins; i++) {
			if (i % every)
				continue;
			double x = x0 + bw * ((double)i + 0.5);
			PL(fline_r)(p, x, y0, x, y0 - 6);
			label(p, x + 4, y0 - 12, 'r', 't', h->labels[i], 18);
		}
		PL(ftextangle_r)(p, 0);
	}

	PL(ffontsize_r)(p, 18);
	if (h->xlabel)
		label(p, (x0 + x1) / 2, oy + 18, 'c', 'b', h->xlabel, 80);
	if (h->ylabel) {
		PL(ftextangle_r)(p, 90);
		label(p, ox + 24, (y0 + y1) / 2, 'c', 'c', h->ylabel, 60);
		PL(ftextangle_r)(p, 0);
	}
	PL(ffontsize_r)(p, 22);
	if (h->title)
		label(p, (x0 + x1) / 2, oy + FIG_H - 22, 'c', 'c', h->title, 90);

	/* legend, top right */
	PL(ffontsize_r)(p, 16);
	if (h->nseries > 1) {
		/* on a white panel, so bars behind it do not show through */
		PL(filltype_r)(p, 1);
		PL(fillcolorname_r)(p, "white");
		PL(pencolorname_r)(p, "gray70");
		PL(flinewidth_r)(p, 1);
		PL(fbox_r)(p, x1 - 245, y1 - 22 - 26 * (double)(h->nseries - 1) - 16, x1 - 5, y1 - 6);
	}
	for (size_t s = 0; s < h->nseries && h->nseries > 1; s++) {
		double ly = y1 - 22 - 26 * (double)s, lx = x1 - 230;
		if (h->lines) {
			pen(p, series_line[s]);
			PL(flinewidth_r)(p, s ? 3 : 2);
			PL(fline_r)(p, lx, ly, lx + 30, ly);
			PL(pencolorname_r)(p, "black");
			label(p, lx + 40, ly, 'l', 'c', h->names[s], 22);
			continue;
		}
		if (s == 0) {
			PL(filltype_r)(p, 1);
			fill(p, series_fill[0]);
			pen(p, series_line[0]);
			PL(flinewidth_r)(p, 1.5);
		} else {
			PL(filltype_r)(p, 0);
			pen(p, series_line[1]);
			PL(flinewidth_r)(p, 4);
		}
		PL(fbox_r)(p, lx, ly - 8, lx + 30, ly + 8);
		PL(filltype_r)(p, 0);
		PL(pencolorname_r)(p, "black");
		label(p, lx + 40, ly, 'l', 'c', h->names[s], 22);
	}
#undef Y
}

/* Panels in a grid of `cols` columns, the first at the top left. */
static int write_figure(const struct plot_hist *h, size_t n, size_t cols, const char *path,
			struct pm_err *err)
{
	const char *fmt = format_of(path);
	if (!fmt)
		return pm_errf(err, "%s: unknown figure format (use .png, .svg or .ps)", path);
	if (n == 0)
		return pm_errf(err, "%s: nothing to draw", path);
	if (dynlib_open(&plot_lib, err) < 0)
		return -1;
	size_t rows = (n + cols - 1) / cols;
	char *tmp = fs_tmp_name(path);
	FILE *fp = fopen(tmp, "wb");
	if (!fp) {
		int e = errno;
		free(tmp);
		return pm_errf(err, "%s: %s", path, strerror(e));
	}
	plPlotterParams *params = PL(newplparams)();
	char size[64], page[64];
	/* a single panel is FIG_W x FIG_H pixels; a grid keeps panels at 70% */
	int pw = cols > 1 ? FIG_W * 7 / 10 : FIG_W, ph = cols > 1 ? FIG_H * 7 / 10 : FIG_H;
	snprintf(size, sizeof size, "%dx%d", pw * (int)cols, ph * (int)rows);
	PL(setplparam)(params, "BITMAPSIZE", size);
	/* vector formats: the figure's shape on the page */
	if (cols == 1 && rows == 1)
		snprintf(page, sizeof page, "a4,xsize=16cm,ysize=10.4cm");
	else
		snprintf(page, sizeof page, "a4,xsize=18cm,ysize=%.1fcm",
			 18.0 * (double)(rows * FIG_H) / (double)(cols * FIG_W));
	PL(setplparam)(params, "PAGESIZE", page);
	plPlotter *p = PL(newpl_r)(fmt, NULL, fp, NULL, params);
	int rc = 0;
	if (!p || PL(openpl_r)(p) < 0) {
		rc = pm_errf(err, "%s: libplot could not start a %s plotter", path, fmt);
	} else {
		PL(fspace_r)(p, 0, 0, (double)(cols * FIG_W), (double)(rows * FIG_H));
		PL(bgcolorname_r)(p, "white");
		PL(erase_r)(p);
		for (size_t i = 0; i < n; i++)
			draw(p, &h[i], (double)(i % cols) * FIG_W, (double)(rows - 1 - i / cols) * FIG_H);
		if (PL(closepl_r)(p) < 0)
			rc = pm_errf(err, "%s: libplot could not finish the figure", path);
	}
	if (p)
		PL(deletepl_r)(p);
	PL(deleteplparams)(params);
	if (fclose(fp) != 0 && rc == 0)
		rc = pm_errf(err, "%s: %s", path, strerror(errno));
	if (rc == 0)
		rc = fs_rename(tmp, path, err);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int plot_hist_file(const struct plot_hist *h, const char *path, struct pm_err *err)
{
	return write_figure(h, 1, 1, path, err);
}

int plot_panels_file(const struct plot_hist *panels, size_t n, const char *path,
		     struct pm_err *err)
{
	return write_figure(panels, n, n > 1 ? 2 : 1, path, err);
}
