/* Terminal line charts: a series as a line of Unicode braille dots (2×4
 * dots a character cell), or of ASCII marks. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the bit of the braille dot at column dx (0, 1) and row dy (0..3, top
 * first) of a cell: U+2800 plus the sum of the bits set */
static unsigned dot_bit(int dx, int dy)
{
	static const unsigned bits[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
	return bits[dy][dx];
}

struct canvas {
	int w, h;       /* in dots */
	int cw;         /* dots across a cell: 2 (braille) or 1 */
	int ch;         /* dots down a cell: 4 or 1 */
	unsigned char *mark; /* w*h: 0 none, 1 on the line, 2 a point of the series */
};

static void set(struct canvas *c, int x, int y, unsigned char m)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return;
	unsigned char *p = &c->mark[(size_t)y * (size_t)c->w + (size_t)x];
	if (*p < m)
		*p = m;
}

/* Bresenham's line from (x0, y0) to (x1, y1), end points excluded */
static void segment(struct canvas *c, int x0, int y0, int x1, int y1)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int e = dx + dy;
	for (;;) {
		if (x0 == x1 && y0 == y1)
			break;
		set(c, x0, y0, 1);
		int e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

/* the dot row of v: lo on the bottom row, hi on the top one; a flat
 * range puts every value in the middle */
static int dot_y(const struct canvas *c, double v, double lo, double hi)
{
	double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return c->h - 1 - (int)lround(f * (c->h - 1));
}

void plot_line(struct sbuf *rows, int h, int w, const double *v, size_t n, double lo,
	       double hi, bool unicode)
{
	if (h < 1 || w < 1)
		return;
	struct canvas c = {.cw = unicode ? 2 : 1, .ch = unicode ? 4 : 1};
	c.w = w * c.cw;
	c.h = h * c.ch;
	c.mark = xcalloc((size_t)c.w * (size_t)c.h, 1);
	/* points spread evenly over the width; the first on the left edge and,
	 * when there are several, the last on the right one */
	int px = 0, py = 0;
	bool prev = false;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			prev = false;
			continue;
		}
		int x = n > 1 ? (int)lround((double)i * (c.w - 1) / (double)(n - 1)) : 0;
		int y = dot_y(&c, v[i], lo, hi);
		if (prev)
			segment(&c, px, py, x, y);
		set(&c, x, y, 2);
		px = x;
		py = y;
		prev = true;
	}
	for (int r = 0; r < h; r++) {
		for (int col = 0; col < w; col++) {
			if (!unicode) {
				unsigned char m = c.mark[(size_t)r * (size_t)c.w + (size_t)col];
				sbuf_putc(&rows[r], m == 2 ? '*' : m == 1 ? '.' : ' ');
				continue;
			}
			unsigned cp = 0x2800;
			for (int dy = 0; dy < 4; dy++)
				for (int dx = 0; dx < 2; dx++)
					if (c.mark[(size_t)(r * 4 + dy) * (size_t)c.w + (size_t)(col * 2 + dx)])
						cp |= dot_bit(dx, dy);
			if (cp == 0x2800) {
				sbuf_putc(&rows[r], ' ');
				continue;
			}
			/* U+2800..U+28FF in UTF-8: E2 A0..A3 80..BF */
			char u[4] = {(char)0xe2, (char)(0xa0 | ((cp >> 6) & 0x3)),
				     (char)(0x80 | (cp & 0x3f)), 0};
			sbuf_puts(&rows[r], u);
		}
	}
	free(c.mark);
}
