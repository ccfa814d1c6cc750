/* Movement shared by the list-like views: a row cursor with paging. */
#include "internal.h"

void scroller_fix(struct scroller *sc)
{
	size_t page = sc->page > 0 ? (size_t)sc->page : 1;
	if (sc->cursorless) {
		size_t maxtop = sc->n > page ? sc->n - page : 0;
		if (sc->top > maxtop)
			sc->top = maxtop;
		sc->cur = sc->top;
		return;
	}
	if (sc->n == 0) {
		sc->cur = sc->top = 0;
		return;
	}
	if (sc->cur >= sc->n)
		sc->cur = sc->n - 1;
	if (sc->cur < sc->top)
		sc->top = sc->cur;
	if (sc->cur >= sc->top + page)
		sc->top = sc->cur - page + 1;
	/* no blank space below the last row when rows could fill it */
	if (sc->n >= page && sc->top > sc->n - page)
		sc->top = sc->n - page;
}

bool scroller_find(struct scroller *sc, int dir, bool next, bool (*match)(void *ctx, size_t i),
		   void *ctx)
{
	size_t n = sc->n;
	for (size_t k = 0; k < n; k++) {
		size_t step = k + (next ? 1 : 0);
		size_t i = dir > 0 ? (sc->cur + step) % n : (sc->cur + n * 2 - step) % n;
		if (match(ctx, i)) {
			sc->cur = i;
			scroller_fix(sc);
			return true;
		}
	}
	return false;
}

static size_t *pos(struct scroller *sc)
{
	return sc->cursorless ? &sc->top : &sc->cur;
}

static void move_by(struct view *v, long d)
{
	struct scroller *sc = &v->sc;
	size_t *p = pos(sc);
	if (d < 0)
		*p = (size_t)-d > *p ? 0 : *p - (size_t)-d;
	else
		*p += (size_t)d;
	if (!sc->cursorless && sc->n && *p >= sc->n)
		*p = sc->n - 1;
	scroller_fix(sc);
}

static long page_of(struct view *v)
{
	return v->sc.page > 1 ? v->sc.page - 1 : 1;
}

static void k_down(struct tui *t, struct view *v, int key) { move_by(v, 1); }
static void k_up(struct tui *t, struct view *v, int key) { move_by(v, -1); }
static void k_pgdn(struct tui *t, struct view *v, int key)
{
	if (!v->sc.cursorless)
		v->sc.top += (size_t)page_of(v);
	move_by(v, page_of(v));
}
static void k_pgup(struct tui *t, struct view *v, int key)
{
	if (!v->sc.cursorless)
		v->sc.top = v->sc.top > (size_t)page_of(v) ? v->sc.top - (size_t)page_of(v) : 0;
	move_by(v, -page_of(v));
}
static void k_first(struct tui *t, struct view *v, int key)
{
	*pos(&v->sc) = 0;
	scroller_fix(&v->sc);
}
static void k_last(struct tui *t, struct view *v, int key)
{
	*pos(&v->sc) = v->sc.n ? v->sc.n - 1 : 0;
	if (v->sc.cursorless)
		v->sc.top = v->sc.n;
	scroller_fix(&v->sc);
}

static const struct key_binding nav_b[] = {
	{{'j', K_DOWN}, "down one row", NULL, k_down},
	{{'k', K_UP}, "up one row", NULL, k_up},
	{{K_PGDN, ' ', K_CTRL('f')}, "down one page", NULL, k_pgdn},
	{{K_PGUP, K_CTRL('b')}, "up one page", NULL, k_pgup},
	{{'g', K_HOME}, "first row", NULL, k_first},
	{{'G', K_END}, "last row", NULL, k_last},
	{{0}},
};
const struct key_table nav_keys = {"Moving", nav_b};
