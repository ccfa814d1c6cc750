/* A pipeline run's DAG as boxes and arrows: each step a box with its state
 * (waiting, running, cached, done, failed, skipped), an arrow from each
 * step to the steps that come after it.  The view opens with `pipeline run
 * show ID` (a command, so it is in the history) and, while the run is
 * queued or running, reads the run again twice a second, so the states
 * move without a key.  A step's log (`pipeline run show ID --step S`),
 * a rerun (`pipeline run P --param .. --detach`) and a resume (`pipeline
 * resume ID --detach`) are commands too.
 *
 * The layout (dag_layout) knows no terminal, so a unit test checks it:
 * layers by longest path from a root step; in each layer the boxes in the
 * order of their upstream steps' mean place (file order first); an edge
 * that crosses a layer goes down a lane of its own there; between two
 * layers each horizontal run of an arrow gets a row (a track) that no other
 * arrow's run overlaps, save those that leave the same box or reach the
 * same box, which join. */
#include "internal.h"

#include "pipeline/pipeline.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

enum { M_UP = 1, M_DOWN = 2, M_LEFT = 4, M_RIGHT = 8, M_ARROW = 16, M_BOX = 32 };
#define GAP 3
#define REFRESH_S 0.5

/* A place in a layer: a step's box, or a lane of an edge that crosses it. */
struct slot {
	int node;     /* >= 0: the step; -1: a lane */
	int from, to; /* a lane: the edge's ends */
	double key;   /* ordering */
	int x, w;
};

struct uedge {    /* an edge between neighbouring layers, slot to slot */
	int layer, s, d;
	int track;    /* -1: straight down */
};

static int port(const struct slot *s)
{
	return s->x + s->w / 2;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	/* steps before lanes, each in file order */
	if ((x->node < 0) != (y->node < 0))
		return x->node < 0 ? 1 : -1;
	if (x->node >= 0)
		return x->node - y->node;
	return x->from != y->from ? x->from - y->from : x->to - y->to;
}

/* The slot in layer l of step `node`, or of the lane of edge from->to. */
static int find_slot(struct slot *const *layers, const int *count, int l, int node, int from, int to)
{
	for (int k = 0; k < count[l]; k++) {
		const struct slot *s = &layers[l][k];
		if (node >= 0 ? s->node == node : (s->node < 0 && s->from == from && s->to == to))
			return k;
	}
	return -1;
}

void dag_layout_free(struct dag_layout *L)
{
	free(L->layer);
	free(L->x);
	free(L->y);
	free(L->mask);
	free(L->order);
	*L = (struct dag_layout){0};
}

static void mark(struct dag_layout *L, int x, int y, unsigned char m)
{
	if (x >= 0 && x < L->width && y >= 0 && y < L->height)
		L->mask[y * L->width + x] |= m;
}

static void down_line(struct dag_layout *L, int x, int y0, int y1)
{
	for (int y = y0; y <= y1; y++)
		mark(L, x, y, M_UP | M_DOWN);
}

int dag_layout(size_t n, const size_t *nup, const size_t *const *up, int box_w, int box_h,
	       struct dag_layout *L, struct pm_err *err)
{
	*L = (struct dag_layout){.n = n, .box_w = box_w, .box_h = box_h};
	L->layer = xcalloc(n + 1, sizeof *L->layer);
	L->x = xcalloc(n + 1, sizeof *L->x);
	L->y = xcalloc(n + 1, sizeof *L->y);
	L->order = xcalloc(n + 1, sizeof *L->order);
	/* longest path from a root: relax until nothing moves (n rounds at most) */
	bool moved = true;
	for (size_t round = 0; moved && round <= n; round++) {
		moved = false;
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < nup[i]; k++) {
				if (up[i][k] >= n || up[i][k] == i) {
					dag_layout_free(L);
					return pm_errf(err, "step %zu comes after step %zu, which is not one", i, up[i][k]);
				}
				if (L->layer[i] < L->layer[up[i][k]] + 1) {
					L->layer[i] = L->layer[up[i][k]] + 1;
					moved = true;
				}
			}
	}
	if (moved) {
		dag_layout_free(L);
		return pm_errf(err, "the steps' `after` make a cycle");
	}
	int nl = 0;
	for (size_t i = 0; i < n; i++)
		if (L->layer[i] + 1 > nl)
			nl = L->layer[i] + 1;
	L->nlayers = nl;
	/* the slots of each layer: boxes, and lanes of the edges crossing it */
	struct slot **layers = xcalloc((size_t)nl + 1, sizeof *layers);
	int *count = xcalloc((size_t)nl + 1, sizeof *count), *cap = xcalloc((size_t)nl + 1, sizeof *cap);
#define ADD_SLOT(l, s_)                                                                              \
	do {                                                                                         \
		if (count[l] == cap[l]) {                                                            \
			cap[l] = cap[l] ? 2 * cap[l] : 4;                                            \
			layers[l] = xrealloc(layers[l], (size_t)cap[l] * sizeof *layers[l]);         \
		}                                                                                    \
		layers[l][count[l]++] = (s_);                                                        \
	} while (0)
	for (size_t i = 0; i < n; i++)
		ADD_SLOT(L->layer[i], ((struct slot){.node = (int)i, .w = box_w}));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < nup[i]; k++)
			for (int l = L->layer[up[i][k]] + 1; l < L->layer[i]; l++)
				ADD_SLOT(l, ((struct slot){.node = -1, .from = (int)up[i][k], .to = (int)i, .w = 1}));
	/* order: the first layer in file order, each next one by the mean place
	 * of what leads into each slot in the layer above */
	for (int k = 0; k < count[0]; k++)
		layers[0][k].key = layers[0][k].node;
	qsort(layers[0], (size_t)count[0], sizeof **layers, cmp_slot);
	for (int l = 1; l < nl; l++) {
		for (int k = 0; k < count[l]; k++) {
			struct slot *s = &layers[l][k];
			double sum = 0;
			int m = 0;
			if (s->node < 0) {
				int p = L->layer[s->from] == l - 1 ? find_slot(layers, count, l - 1, s->from, 0, 0)
								    : find_slot(layers, count, l - 1, -1, s->from, s->to);
				sum = p;
				m = 1;
			} else {
				for (size_t j = 0; j < nup[s->node]; j++) {
					int u = (int)up[s->node][j];
					sum += L->layer[u] == l - 1 ? find_slot(layers, count, l - 1, u, 0, 0)
								    : find_slot(layers, count, l - 1, -1, u, s->node);
					m++;
				}
			}
			s->key = m ? sum / m : 0;
		}
		qsort(layers[l], (size_t)count[l], sizeof **layers, cmp_slot);
	}
	/* columns: each layer packed, then centred on the widest */
	int width = 0;
	for (int l = 0; l < nl; l++) {
		int w = 0;
		for (int k = 0; k < count[l]; k++)
			w += layers[l][k].w + (k ? GAP : 0);
		width = w > width ? w : width;
	}
	for (int l = 0; l < nl; l++) {
		int w = 0;
		for (int k = 0; k < count[l]; k++)
			w += layers[l][k].w + (k ? GAP : 0);
		int at = (width - w) / 2;
		for (int k = 0; k < count[l]; k++) {
			layers[l][k].x = at;
			at += layers[l][k].w + GAP;
		}
	}
	/* the edges between neighbouring layers, slot to slot */
	struct uedge *ue = NULL;
	size_t nue = 0, cue = 0;
	for (int l = 0; l + 1 < nl; l++)
		for (int k = 0; k < count[l + 1]; k++) {
			const struct slot *d = &layers[l + 1][k];
			size_t nin = d->node >= 0 ? nup[d->node] : 1;
			for (size_t j = 0; j < nin; j++) {
				int s;
				if (d->node < 0)
					s = L->layer[d->from] == l ? find_slot(layers, count, l, d->from, 0, 0)
								   : find_slot(layers, count, l, -1, d->from, d->to);
				else {
					int u = (int)up[d->node][j];
					s = L->layer[u] == l ? find_slot(layers, count, l, u, 0, 0)
							     : find_slot(layers, count, l, -1, u, d->node);
				}
				if (s < 0)
					continue;
				if (nue == cue) {
					cue = cue ? 2 * cue : 8;
					ue = xrealloc(ue, cue * sizeof *ue);
				}
				ue[nue++] = (struct uedge){l, s, k, -1};
			}
		}
	/* tracks: the fewest rows in each gap such that two runs that overlap
	 * (or touch) share one only when they leave or reach the same slot */
	int *tracks = xcalloc((size_t)nl + 1, sizeof *tracks);
	for (size_t e = 0; e < nue; e++) {
		int sx = port(&layers[ue[e].layer][ue[e].s]), dx = port(&layers[ue[e].layer + 1][ue[e].d]);
		if (sx == dx)
			continue;
		int a = sx < dx ? sx : dx, b = sx < dx ? dx : sx;
		for (int t = 0;; t++) {
			bool clash = false;
			for (size_t f = 0; f < e && !clash; f++) {
				if (ue[f].layer != ue[e].layer || ue[f].track != t)
					continue;
				int fs = port(&layers[ue[f].layer][ue[f].s]), fd = port(&layers[ue[f].layer + 1][ue[f].d]);
				int c = fs < fd ? fs : fd, d = fs < fd ? fd : fs;
				bool overlap = a <= d + 1 && c <= b + 1;
				clash = overlap && ue[f].s != ue[e].s && ue[f].d != ue[e].d;
			}
			if (!clash) {
				ue[e].track = t;
				if (t + 1 > tracks[ue[e].layer])
					tracks[ue[e].layer] = t + 1;
				break;
			}
		}
	}
	/* rows: a layer's boxes, then its gap's tracks and the arrow row */
	int *ly = xcalloc((size_t)nl + 1, sizeof *ly);
	int y = 0;
	for (int l = 0; l < nl; l++) {
		ly[l] = y;
		y += box_h + (l + 1 < nl ? tracks[l] + 1 : 0);
	}
	L->width = width;
	L->height = y;
	L->mask = xcalloc((size_t)(L->width * L->height) + 1, 1);
	size_t no = 0;
	for (int l = 0; l < nl; l++)
		for (int k = 0; k < count[l]; k++) {
			const struct slot *s = &layers[l][k];
			if (s->node >= 0) {
				L->x[s->node] = s->x;
				L->y[s->node] = ly[l];
				L->order[no++] = (size_t)s->node;
				for (int yy = 0; yy < box_h; yy++)
					for (int xx = 0; xx < box_w; xx++)
						mark(L, s->x + xx, ly[l] + yy, M_BOX);
			} else {
				down_line(L, s->x, ly[l], ly[l] + box_h - 1);
			}
		}
	for (size_t e = 0; e < nue; e++) {
		const struct slot *s = &layers[ue[e].layer][ue[e].s], *d = &layers[ue[e].layer + 1][ue[e].d];
		int sx = port(s), dx = port(d), top = ly[ue[e].layer] + box_h;
		int arrow = ly[ue[e].layer + 1] - 1;
		if (ue[e].track < 0) {
			down_line(L, sx, top, arrow - 1);
		} else {
			int r = top + ue[e].track;
			down_line(L, sx, top, r - 1);
			mark(L, sx, r, M_UP | (dx > sx ? M_RIGHT : M_LEFT));
			for (int x = (sx < dx ? sx : dx) + 1; x < (sx < dx ? dx : sx); x++)
				mark(L, x, r, M_LEFT | M_RIGHT);
			mark(L, dx, r, M_DOWN | (dx > sx ? M_LEFT : M_RIGHT));
			down_line(L, dx, r + 1, arrow - 1);
		}
		/* into a box an arrow; into a lane the line goes on */
		mark(L, dx, arrow, d->node >= 0 ? M_ARROW : M_UP | M_DOWN);
		if (s->node >= 0)
			mark(L, sx, top - 1, M_DOWN);
	}
	for (int l = 0; l < nl; l++)
		free(layers[l]);
	free(layers);
	free(count);
	free(cap);
	free(ue);
	free(tracks);
	free(ly);
	return 0;
}

/* The glyph of a cell of lines (UTF-8 box drawing, or ASCII). */
static const char *line_glyph(unsigned char m, bool utf8)
{
	static const char *const u[16] = {" ", "│", "│", "│", "─", "┘", "┐", "┤",
					  "─", "└", "┌", "├", "─", "┴", "┬", "┼"};
	static const char *const a[16] = {" ", "|", "|", "|", "-", "+", "+", "+",
					  "-", "+", "+", "+", "-", "+", "+", "+"};
	return (utf8 ? u : a)[m & 15];
}

char **dag_lines(const struct dag_layout *L, const char *const *labels, bool utf8)
{
	char **lines = xcalloc((size_t)L->height + 1, sizeof *lines);
	for (int y = 0; y < L->height; y++) {
		struct sbuf b = {0};
		for (int x = 0; x < L->width; x++) {
			unsigned char m = L->mask[y * L->width + x];
			if (m & M_ARROW) {
				sbuf_puts(&b, utf8 ? "▼" : "v");
			} else if (m & M_BOX) {
				/* which box, and where in it */
				size_t i = 0;
				while (i < L->n && !(x >= L->x[i] && x < L->x[i] + L->box_w && y >= L->y[i] &&
						     y < L->y[i] + L->box_h))
					i++;
				int bx = x - L->x[i], by = y - L->y[i];
				bool top = by == 0, bottom = by == L->box_h - 1, left = bx == 0,
				     right = bx == L->box_w - 1;
				if ((top || bottom) && (left || right))
					sbuf_puts(&b, line_glyph(top ? (left ? M_DOWN | M_RIGHT : M_DOWN | M_LEFT)
								    : (left ? M_UP | M_RIGHT : M_UP | M_LEFT),
								 utf8));
				else if (top || bottom)
					sbuf_puts(&b, line_glyph(M_LEFT | M_RIGHT | (bottom && (m & M_DOWN) ? M_DOWN : 0),
								 utf8));
				else if (left || right)
					sbuf_puts(&b, line_glyph(M_UP | M_DOWN, utf8));
				else {
					/* the label from the second column in, cut to the box */
					const char *lab = labels && by == 1 ? labels[i] : NULL;
					size_t at = (size_t)(bx - 2);
					sbuf_putc(&b, lab && bx >= 2 && bx < L->box_w - 2 && at < strlen(lab) ? lab[at] : ' ');
				}
			} else {
				sbuf_puts(&b, line_glyph(m, utf8));
			}
		}
		/* no blanks at the end of a line */
		while (b.len && b.s[b.len - 1] == ' ')
			b.s[--b.len] = 0;
		lines[y] = b.s ? sbuf_steal(&b) : xstrdup("");
	}
	return lines;
}

/* ---- the view ------------------------------------------------------------------------ */
struct dagview {
	struct view v;
	int64_t run;
	json_t *res;        /* `pipeline run show ID` */
	struct dag_layout L;
	char **lines;
	char *err;
	double read_at;
	int xoff, yoff;
	bool utf8;
};

static json_t *step_at(struct dagview *d, size_t i)
{
	return json_array_get(json_object_get(d->res, "steps"), i);
}

static bool live(struct dagview *d)
{
	const char *st = tui_jstr(d->res, "state");
	return !strcmp(st, "queued") || !strcmp(st, "running");
}

/* The layout from a result's steps and their "after". */
static int dv_layout(struct dagview *d, struct pm_err *err)
{
	json_t *steps = json_object_get(d->res, "steps");
	size_t n = json_array_size(steps), longest = 4;
	size_t *nup = xcalloc(n + 1, sizeof *nup);
	size_t **up = xcalloc(n + 1, sizeof *up);
	for (size_t i = 0; i < n; i++) {
		json_t *st = json_array_get(steps, i), *after = json_object_get(st, "after");
		size_t len = strlen(tui_jstr(st, "step"));
		longest = len > longest ? len : longest;
		up[i] = xcalloc(json_array_size(after) + 1, sizeof **up);
		for (size_t k = 0; k < json_array_size(after); k++) {
			const char *name = json_string_value(json_array_get(after, k));
			for (size_t j = 0; j < n; j++)
				if (name && !strcmp(name, tui_jstr(json_array_get(steps, j), "step")))
					up[i][nup[i]++] = j;
		}
	}
	if (longest > 16)
		longest = 16;
	/* "│ name  skipped │" */
	int rc = dag_layout(n, nup, (const size_t *const *)up, (int)longest + 13, 3, &d->L, err);
	for (size_t i = 0; i < n; i++)
		free(up[i]);
	free(up);
	free(nup);
	if (rc == 0)
		d->lines = dag_lines(&d->L, NULL, d->utf8);
	d->v.sc.n = n;
	scroller_fix(&d->v.sc);
	return rc;
}

/* The run read again (not a command: the view following the run). */
static void dv_reread(struct dagview *d, struct tui *t)
{
	struct workspace *ws;
	struct pm_err err = {0};
	json_t *r;
	if (session_ws(t->s, &ws, &err) < 0 || pipeline_run_get(ws, d->run, false, &r, &err) < 0) {
		free(d->err);
		d->err = xstrdup(err.msg);
		return;
	}
	json_decref(d->res);
	d->res = r;
}

static enum style state_style(const char *st)
{
	if (!strcmp(st, "failed"))
		return S_WARN;
	if (!strcmp(st, "running"))
		return S_SPARK;
	if (!strcmp(st, "waiting") || !strcmp(st, "skipped"))
		return S_NA;
	if (!strcmp(st, "cached"))
		return S_INFO;
	return S_NORMAL;
}

/* What the foot says of the cursor's step. */
static void draw_step(struct dagview *d, struct tui *t, int y, int x, int h, int w)
{
	json_t *st = step_at(d, d->L.order[d->v.sc.cur]);
	if (!st || h < 1)
		return;
	for (int i = 0; i < w - 2; i++)
		tui_put(t, y, x + 1 + i, 1, S_RULE, t->g->hline);
	struct sbuf b = {0};
	sbuf_printf(&b, "step %s  %s", tui_jstr(st, "step"), tui_jstr(st, "state"));
	json_t *secs = json_object_get(st, "seconds");
	if (json_is_number(secs))
		sbuf_printf(&b, "  %.2fs", json_number_value(secs));
	long long tries = (long long)json_integer_value(json_object_get(st, "attempts"));
	if (tries)
		sbuf_printf(&b, "  %lld tr%s", tries, tries == 1 ? "y" : "ies");
	if (h > 1)
		tui_put(t, y + 1, x + 1, w - 2, S_SECTION, b.s);
	sbuf_free(&b);
	const char *cmd = tui_jstr(st, "command");
	if (h > 2 && *cmd)
		tui_putf(t, y + 2, x + 1, w - 2, S_NORMAL, "$ %s", cmd);
	const char *msg = tui_jstr(st, "message");
	if (h > 3 && *msg)
		tui_put(t, y + 3, x + 1, w - 2, !strcmp(tui_jstr(st, "state"), "failed") ? S_WARN : S_INFO, msg);
}

#define FOOT 4

static void dv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct dagview *d = (struct dagview *)v;
	if (live(d) && tui_due(&d->read_at, REFRESH_S))
		dv_reread(d, t);
	int yy = y;
	char head[256];
	snprintf(head, sizeof head, "pipeline %s run %lld: %s", tui_jstr(d->res, "pipeline"),
		 (long long)d->run, tui_jstr(d->res, "state"));
	tui_put(t, yy, x + 1, w - 2, state_style(tui_jstr(d->res, "state")), head);
	const char *msg = tui_jstr(d->res, "message");
	if (*msg && h > 1)
		tui_put(t, ++yy, x + 1, w - 2, S_WARN, msg);
	yy++;
	if (d->err && !d->lines) {
		tui_put(t, yy, x + 1, w - 2, S_MSG_ERROR, d->err);
		return;
	}
	int foot = h - (yy - y) > FOOT + 4 ? FOOT : 0;
	int room = h - (yy - y) - foot;
	if (room < 1 || !d->lines || !d->L.n)
		return;
	/* keep the cursor's box in sight */
	size_t node = d->L.order[v->sc.cur];
	int by = d->L.y[node], bx = d->L.x[node];
	if (by < d->yoff)
		d->yoff = by;
	if (by + d->L.box_h > d->yoff + room)
		d->yoff = by + d->L.box_h - room;
	if (d->L.width <= w - 2)
		d->xoff = 0;
	else if (bx < d->xoff)
		d->xoff = bx;
	else if (bx + d->L.box_w > d->xoff + w - 2)
		d->xoff = bx + d->L.box_w - (w - 2);
	/* the layout centred when it fits */
	int x0 = x + 1 + (d->L.width < w - 2 ? (w - 2 - d->L.width) / 2 : 0);
	for (int r = 0; r < room && d->yoff + r < d->L.height; r++)
		tui_put_hl(t, yy + r, x0, w - 1 - (x0 - x), S_RULE, d->lines[d->yoff + r], d->xoff, NULL);
	/* each box's label: its name and its state */
	for (size_t i = 0; i < d->L.n; i++) {
		int ry = d->L.y[i] + 1 - d->yoff, rx = d->L.x[i] + 2 - d->xoff;
		if (ry < 0 || ry >= room || rx < 0 || rx + d->L.box_w - 4 > w - 2 - (x0 - x - 1))
			continue;
		json_t *st = step_at(d, i);
		bool cur = i == node;
		int inner = d->L.box_w - 4;
		tui_fill(t, yy + ry, x0 + rx - 1, inner + 2, cur ? S_ROW_CUR : S_NORMAL);
		const char *state = tui_jstr(st, "state");
		int sw = (int)strlen(state);
		tui_cell(t, yy + ry, x0 + rx, inner - sw - 1, cur ? S_ROW_CUR : S_NORMAL, tui_jstr(st, "step"), false);
		tui_put(t, yy + ry, x0 + rx + inner - sw, sw, cur ? S_ROW_CUR : state_style(state), state);
	}
	if (foot)
		draw_step(d, t, y + h - foot, x, foot, w);
}

static void dv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct dagview *d = (struct dagview *)v;
	struct sbuf b = {0};
	const char *key;
	json_t *c;
	json_object_foreach(json_object_get(d->res, "counts"), key, c)
		sbuf_printf(&b, "%s%lld %s", b.len ? ", " : "", (long long)json_integer_value(c), key);
	snprintf(buf, n, "%s%s", b.s ? b.s : "", live(d) ? ", live" : "");
	sbuf_free(&b);
}

static void dv_free(struct view *v)
{
	struct dagview *d = (struct dagview *)v;
	json_decref(d->res);
	dag_layout_free(&d->L);
	str_list_free(d->lines);
	free(d->err);
}

static void dv_enter(struct view *v, struct tui *t)
{
	struct dagview *d = (struct dagview *)v;
	dv_reread(d, t);
}

static void k_log(struct tui *t, struct view *v, int key)
{
	struct dagview *d = (struct dagview *)v;
	json_t *st = step_at(d, d->L.order[v->sc.cur]);
	if (!st)
		return;
	char *line = xasprintf("pipeline run show %lld --step %s", (long long)d->run, tui_jstr(st, "step"));
	tui_command(t, line);
	free(line);
}

static void k_rerun(struct tui *t, struct view *v, int key)
{
	pipelines_rerun(t, ((struct dagview *)v)->res);
}

static void k_resume(struct tui *t, struct view *v, int key)
{
	struct dagview *d = (struct dagview *)v;
	if (pipelines_resume(t, d->res))
		dv_reread(d, t);
}

static bool dv_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct dagview *d = (struct dagview *)v;
	size_t n = d->L.n;
	for (size_t k = next ? 1 : 0; k <= n && n; k++) {
		size_t at = dir > 0 ? (v->sc.cur + k) % n : (v->sc.cur + n - k % n) % n;
		if (tui_strcasestr(tui_jstr(step_at(d, d->L.order[at]), "step"), pat)) {
			v->sc.cur = at;
			return true;
		}
	}
	return false;
}

static const struct key_binding dv_b[] = {
	{{K_ENTER, 'l'}, "the step's command, inputs, outputs and log (pipeline run show ID --step S)", "log",
	 k_log},
	{{'r'}, "run the pipeline again with this run's parameters (pipeline run P --param .. --detach)",
	 "rerun", k_rerun},
	{{'u'}, "resume the run from its first unfinished step (pipeline resume ID --detach)", "resume",
	 k_resume},
	{{0}},
};
static const struct key_table dv_keys = {"Run", dv_b};

const struct view_class dagview_class = {
	.name = "run",
	.about = "Pipeline run: its DAG, each step a box with its state (waiting, running, "
		 "cached, done, failed, skipped), read again twice a second while the run goes on; "
		 "j and k move from step to step",
	.keys = {&dv_keys, &nav_keys, NULL},
	.draw = dv_draw,
	.enter = dv_enter,
	.free = dv_free,
	.info = dv_info,
	.search = dv_search,
};

struct view *dagview_open(struct tui *t, int64_t run)
{
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)run);
	char *words[] = {"pipeline", "run", "show", id, NULL};
	json_t *res;
	struct pm_err err = {0};
	if (tui_exec_json(t, words, &res, &err) < 0) {
		tui_error(t, "%s", err.msg);
		return NULL;
	}
	struct dagview *d = xcalloc(1, sizeof *d);
	char *title = xasprintf("run %lld", (long long)run);
	view_init(&d->v, &dagview_class, title);
	free(title);
	d->run = run;
	d->res = res;
	d->utf8 = t->utf8;
	d->read_at = now_seconds();
	if (dv_layout(d, &err) < 0)
		d->err = xstrdup(err.msg);
	return &d->v;
}
