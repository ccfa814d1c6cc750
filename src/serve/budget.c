/* The server's memory budget: the bytes of request bodies and of their
 * decoded rows in flight, across all connections.  A request takes its
 * share before it allocates, so that a burst of large bodies is answered
 * 503 instead of growing the process without bound; what it took is given
 * back when it completes, and the memory of a large request is returned
 * to the system then, so the server shrinks back after a burst. */
#include "internal.h"

#include <malloc.h>

bool sv_budget_take(struct sv_budget *b, size_t n)
{
	size_t used = atomic_load(&b->used);
	do {
		if (n > b->limit || used > b->limit - n)
			return false;
	} while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
	return true;
}

void sv_budget_give(struct sv_budget *b, size_t n)
{
	if (n)
		atomic_fetch_sub(&b->used, n);
}

void sv_budget_trim(size_t freed)
{
	/* glibc keeps freed chunks in its arenas (and raises its mmap
	 * threshold after freeing a large block), so without this the
	 * memory of a burst stays resident long after it is answered */
	if (freed >= SV_TRIM_BYTES)
		malloc_trim(0);
}

size_t sv_json_cost(const char *s, size_t n)
{
	/* jansson's values cost far more than their text: measured on rows
	 * as objects of four fields, about 14 times the body.  An upper
	 * bound from the structure: every value (one per ',' or ':' and the
	 * first) a json_t with its allocation and its slot in an array or an
	 * object, every object its hash table, every array its table, and the
	 * text itself for strings and keys. */
	size_t values = 1, objects = 0, arrays = 0;
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case ',':
		case ':': values++; break;
		case '{': objects++; break;
		case '[': arrays++; break;
		}
	}
	return n + 96 * values + 512 * objects + 128 * arrays;
}
