/* The graph of steps: a topological order, cycles, ancestry. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

/* Depth-first search from step i for a way back to a step on the path;
 * fills path (of length *len) with the cycle when it finds one. */
static bool find_cycle(const struct pipeline *p, size_t i, int *color, size_t *path, size_t *len)
{
	color[i] = 1;
	path[(*len)++] = i;
	const struct pl_step *st = &p->steps[i];
	for (size_t k = 0; k < st->nafter; k++) {
		size_t d = st->deps[k];
		if (color[d] == 1) {
			size_t from = 0;
			while (path[from] != d)
				from++;
			memmove(path, path + from, (*len - from) * sizeof *path);
			*len -= from;
			return true;
		}
		if (color[d] == 0 && find_cycle(p, d, color, path, len))
			return true;
	}
	color[i] = 2;
	(*len)--;
	return false;
}

static int cycle_error(const struct pipeline *p, struct pm_err *err)
{
	int *color = xcalloc(p->nsteps, sizeof *color);
	size_t *path = xcalloc(p->nsteps + 1, sizeof *path), len = 0;
	for (size_t i = 0; i < p->nsteps && !len; i++)
		if (color[i] == 0 && find_cycle(p, i, color, path, &len))
			break;
	/* the search follows `after` edges, upstream: print them downstream,
	 * from the step that comes first in the file */
	size_t m = 0;
	for (size_t k = 1; k < len; k++)
		if (path[k] < path[m])
			m = k;
	struct sbuf b = {0};
	size_t first = path[m];
	for (size_t k = 0; k < len; k++)
		sbuf_printf(&b, "%s -> ", p->steps[path[(m + len - k) % len]].name);
	sbuf_puts(&b, p->steps[first].name);
	pm_errf(err, "%s:%d: the steps form a cycle: %s", p->file, p->steps[first].line, b.s);
	sbuf_free(&b);
	free(color);
	free(path);
	return -1;
}

int pipeline_order(const struct pipeline *p, size_t *order, struct pm_err *err)
{
	bool *placed = xcalloc(p->nsteps + 1, sizeof *placed);
	size_t n = 0;
	while (n < p->nsteps) {
		bool progress = false;
		for (size_t i = 0; i < p->nsteps; i++) {
			if (placed[i])
				continue;
			bool ready = true;
			for (size_t k = 0; k < p->steps[i].nafter; k++)
				if (!placed[p->steps[i].deps[k]])
					ready = false;
			if (ready) {
				placed[i] = true;
				order[n++] = i;
				progress = true;
				/* restart from the top: ties go in file order */
				break;
			}
		}
		if (!progress) {
			free(placed);
			return cycle_error(p, err);
		}
	}
	free(placed);
	return 0;
}

static bool upstream_rec(const struct pipeline *p, size_t a, size_t b, bool *seen)
{
	if (seen[b])
		return false;
	seen[b] = true;
	const struct pl_step *st = &p->steps[b];
	for (size_t k = 0; k < st->nafter; k++)
		if (st->deps[k] == a || upstream_rec(p, a, st->deps[k], seen))
			return true;
	return false;
}

bool pipeline_upstream(const struct pipeline *p, size_t a, size_t b)
{
	bool *seen = xcalloc(p->nsteps + 1, sizeof *seen);
	bool r = upstream_rec(p, a, b, seen);
	free(seen);
	return r;
}
