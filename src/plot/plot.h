/* plot — terminal charts (sparklines, line charts and bar histograms in Unicode,
 * with an ASCII fallback) and figures through GNU libplot (PNG, SVG, PS).
 * The one header of src/plot. */
#ifndef PM_PLOT_H
#define PM_PLOT_H

#include "util/util.h"

/* Whether terminal charts may use Unicode blocks: not when NO_COLOR is set
 * or the locale (LC_ALL, LC_CTYPE, LANG) is C/POSIX or not UTF-8. */
bool plot_unicode(void);

/* One character per value, its height scaled between 0 and the largest
 * value ("▁▂▃▄▅▆▇█", or "_.,:-=+#" in ASCII).  NaN draws as a space. */
void plot_sparkline(struct sbuf *out, const double *v, size_t n, bool unicode);

/* A line chart of v[0..n) in h rows of w columns, appended to rows[0..h)
 * (top first), each exactly w columns wide.  The points are spread evenly
 * across, lo on the bottom and hi on the top (values outside are clamped;
 * lo == hi puts them in the middle).  Unicode draws braille dots, 2×4 to a
 * cell, joining consecutive points; ASCII marks points '*' and the line
 * between them '.'.  A NaN leaves a gap. */
void plot_line(struct sbuf *rows, int h, int w, const double *v, size_t n, double lo,
	       double hi, bool unicode);

/* A horizontal bar of value/max of `width` columns, in eighths of a cell
 * with Unicode ('#' per cell in ASCII), padded with spaces to width. */
void plot_bar(struct sbuf *out, double value, double max, int width, bool unicode);

/* A histogram: bins along x, one or two series of heights (bars, or lines
 * for a series over time).  Numeric bins have nbins+1 edges; categorical
 * ones a label each. */
#define PLOT_MAX_SERIES 2
struct plot_hist {
	const char *title;
	const char *xlabel, *ylabel;
	size_t nbins;
	const double *edges;            /* nbins + 1, or NULL */
	const char *const *labels;      /* nbins, when edges is NULL */
	size_t nseries;
	const char *names[PLOT_MAX_SERIES];
	const double *values[PLOT_MAX_SERIES]; /* nbins each */
	bool lines;                     /* series as lines through the bins (a time series) */
};

/* The histogram as text lines of at most `width` columns. */
void plot_hist_text(const struct plot_hist *h, struct sbuf *out, int width, bool unicode);

/* Draws the histogram with libplot into path; the format comes from the
 * suffix (.png, .svg, .ps).  The file is written under a temporary name
 * and renamed. */
int plot_hist_file(const struct plot_hist *h, const char *path, struct pm_err *err);
/* Several panels in one figure, two per row. */
int plot_panels_file(const struct plot_hist *panels, size_t n, const char *path,
		     struct pm_err *err);
/* The output formats plot_hist_file knows, as "png|svg|ps". */
extern const char plot_formats[];

#endif
