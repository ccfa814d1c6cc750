/* String dictionary: dense codes in first-seen order, so a string column is
 * an array of small integers and equal strings compare by code. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Strings are packed into large blocks: one allocation per block, not per
 * string, which matters for columns with millions of distinct values. */
#define ARENA_BLOCK (256u << 10)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

struct strdict_arena {
	struct arena_block *head;
	uint64_t *hash; /* code -> hash, so growing the table never rehashes strings */
	size_t hcap;
};

static char *arena_alloc(struct strdict_arena *a, size_t n)
{
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		struct arena_block *nb = xmalloc(sizeof *nb + cap);
		nb->used = 0;
		nb->cap = cap;
		if (b && n > ARENA_BLOCK / 4) {
			/* A big string gets a block of its own behind the current
			 * one, so the current block keeps filling. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	char *p = b->data + b->used;
	b->used += n;
	return p;
}

struct strdict *strdict_new(void)
{
	struct strdict *d = xcalloc(1, sizeof *d);
	d->arena = xcalloc(1, sizeof *d->arena);
	return d;
}

void strdict_free(struct strdict *d)
{
	if (!d)
		return;
	if (d->arena) {
		struct arena_block *b = d->arena->head;
		while (b) {
			struct arena_block *next = b->next;
			free(b);
			b = next;
		}
		free(d->arena->hash);
		free(d->arena);
	}
	free(d->str);
	free(d->len);
	free(d->slots);
	free(d);
}

static void grow_codes(struct strdict *d, uint32_t need)
{
	if (need <= d->cap)
		return;
	uint32_t cap = d->cap ? d->cap : 16;
	while (cap < need)
		cap *= 2;
	d->str = xrealloc(d->str, (size_t)cap * sizeof *d->str);
	d->len = xrealloc(d->len, (size_t)cap * sizeof *d->len);
	d->arena->hash = xrealloc(d->arena->hash, (size_t)cap * sizeof *d->arena->hash);
	d->arena->hcap = cap;
	d->cap = cap;
}

static void rehash(struct strdict *d, uint32_t nslots)
{
	free(d->slots);
	d->slots = xcalloc(nslots, sizeof *d->slots);
	d->nslots = nslots;
	uint32_t mask = nslots - 1;
	for (uint32_t c = 0; c < d->n; c++) {
		uint32_t i = (uint32_t)d->arena->hash[c] & mask;
		while (d->slots[i])
			i = (i + 1) & mask;
		d->slots[i] = c + 1;
	}
}

void strdict_reserve(struct strdict *d, uint32_t n)
{
	grow_codes(d, n);
	uint32_t want = 16;
	while (want < 2 * (uint64_t)n)
		want *= 2;
	if (want > d->nslots)
		rehash(d, want);
}

int64_t strdict_find(const struct strdict *d, const char *s, size_t len)
{
	if (!d->nslots)
		return -1;
	uint64_t h = strdict_hash(s, len);
	uint32_t mask = d->nslots - 1;
	for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
		uint32_t c = d->slots[i];
		if (!c)
			return -1;
		c--;
		if (d->arena->hash[c] == h && d->len[c] == len && memcmp(d->str[c], s, len) == 0)
			return c;
	}
}

static uint32_t add(struct strdict *d, const char *s, uint32_t len, uint64_t h)
{
	grow_codes(d, d->n + 1);
	uint32_t c = d->n++;
	d->str[c] = s;
	d->len[c] = len;
	d->arena->hash[c] = h;
	/* Load factor at most 1/2 keeps probe chains short. */
	if (2 * (uint64_t)d->n > d->nslots) {
		rehash(d, d->nslots ? d->nslots * 2 : 16);
	} else {
		uint32_t mask = d->nslots - 1;
		uint32_t i = (uint32_t)h & mask;
		while (d->slots[i])
			i = (i + 1) & mask;
		d->slots[i] = c + 1;
	}
	return c;
}

uint32_t strdict_intern_h(struct strdict *d, const char *s, size_t len, uint64_t h)
{
	if (d->nslots) {
		uint32_t mask = d->nslots - 1;
		for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
			uint32_t c = d->slots[i];
			if (!c)
				break;
			c--;
			if (d->arena->hash[c] == h && d->len[c] == len &&
			    memcmp(d->str[c], s, len) == 0)
				return c;
		}
	}
	char *copy = arena_alloc(d->arena, len + 1);
	memcpy(copy, s, len);
	copy[len] = 0;
	return add(d, copy, (uint32_t)len, h);
}

uint32_t strdict_intern(struct strdict *d, const char *s, size_t len)
{
	return strdict_intern_h(d, s, len, strdict_hash(s, len));
}

void strdict_add_borrowed(struct strdict *d, const char *s, uint32_t len)
{
	d->borrowed = true;
	add(d, s, len, strdict_hash(s, len));
}

void name_index_add(struct name_index *x, const char *name, size_t pos)
{
	if (!x->d)
		x->d = strdict_new();
	uint32_t before = x->d->n;
	uint32_t code = strdict_intern(x->d, name, strlen(name));
	if (x->d->n == before)
		return; /* a repeated name: the first keeps its place */
	xgrow((void **)&x->pos, &x->cap, (size_t)code + 1, sizeof *x->pos);
	x->pos[code] = pos;
}

int64_t name_index_find(const struct name_index *x, const char *name)
{
	int64_t code = x->d ? strdict_find(x->d, name, strlen(name)) : -1;
	return code < 0 ? -1 : (int64_t)x->pos[code];
}

void name_index_free(struct name_index *x)
{
	strdict_free(x->d);
	free(x->pos);
	memset(x, 0, sizeof *x);
}
