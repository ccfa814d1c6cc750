/* A lab's checks on a command's JSON result: PATH [OP VALUE]. */
#include "lab.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_TRUTHY, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_NEAR, OP_CONTAINS };

struct parsed {
	char *path;          /* the PATH, count( ) taken off */
	bool count;
	enum op op;
	char **words;        /* the VALUE words (unquoted) */
	size_t nwords;
	char *raw;           /* the VALUE as written (for ~='s digits) */
};

static void parsed_free(struct parsed *p)
{
	free(p->path);
	for (size_t i = 0; i < p->nwords; i++)
		free(p->words[i]);
	free(p->words);
	free(p->raw);
}

/* The next word of s: a "quoted string" or a run without spaces. */
static const char *next_word(const char *s, char **w, struct pm_err *err)
{
	s += strspn(s, " \t");
	if (!*s) {
		*w = NULL;
		return s;
	}
	struct sbuf b = {0};
	if (*s == '"' || *s == '\'') {
		char q = *s++;
		while (*s && *s != q) {
			if (*s == '\\' && s[1])
				s++;
			sbuf_putc(&b, *s++);
		}
		if (!*s) {
			sbuf_free(&b);
			pm_errcf(err, PM_E_USAGE, "unterminated quote");
			return NULL;
		}
		s++;
	} else {
		/* brackets may hold spaces: rows[value=Credit Card] */
		int depth = 0;
		while (*s && (depth || (*s != ' ' && *s != '\t'))) {
			depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
			sbuf_putc(&b, *s++);
		}
	}
	*w = sbuf_steal(&b);
	return s;
}

static const struct {
	const char *name;
	enum op op;
} ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT},  {"<=", OP_LE},
	   {">", OP_GT},  {">=", OP_GE}, {"~=", OP_NEAR}, {"contains", OP_CONTAINS}};

static int parse(const char *expr, struct parsed *p, struct pm_err *err)
{
	*p = (struct parsed){0};
	char *w;
	const char *s = next_word(expr, &w, err);
	if (!s)
		return -1;
	if (!w)
		return pm_errcf(err, PM_E_USAGE, "empty check: write PATH [OP VALUE]");
	size_t n = strlen(w);
	if (strncmp(w, "count(", 6) == 0 && n > 7 && w[n - 1] == ')') {
		p->count = true;
		p->path = xmalloc(n - 6);
		memcpy(p->path, w + 6, n - 7);
		p->path[n - 7] = 0;
		free(w);
	} else {
		p->path = w;
	}
	char *op;
	s = next_word(s, &op, err);
	if (!s)
		goto fail;
	if (!op) {
		p->op = OP_TRUTHY;
		return 0;
	}
	size_t i;
	for (i = 0; i < sizeof ops / sizeof *ops; i++)
		if (strcmp(op, ops[i].name) == 0)
			break;
	if (i == sizeof ops / sizeof *ops) {
		pm_errcf(err, PM_E_USAGE, "unknown operator \"%s\" (== != < <= > >= ~= contains)", op);
		free(op);
		goto fail;
	}
	free(op);
	p->op = ops[i].op;
	p->raw = xstrdup(s + strspn(s, " \t"));
	for (;;) {
		s = next_word(s, &w, err);
		if (!s)
			goto fail;
		if (!w)
			break;
		p->words = xrealloc(p->words, (p->nwords + 1) * sizeof *p->words);
		p->words[p->nwords++] = w;
	}
	if (p->nwords == 0) {
		pm_errcf(err, PM_E_USAGE, "\"%s\" needs a value after it", ops[i].name);
		goto fail;
	}
	if (p->op != OP_CONTAINS && p->nwords > 1) {
		pm_errcf(err, PM_E_USAGE, "one value after \"%s\" (quote one with spaces)", ops[i].name);
		goto fail;
	}
	double d;
	bool order = p->op == OP_LT || p->op == OP_LE || p->op == OP_GT || p->op == OP_GE;
	/* an order compares with a number or with another value of the result */
	if (p->op == OP_NEAR && !parse_double(p->words[0], strlen(p->words[0]), &d)) {
		pm_errcf(err, PM_E_USAGE, "\"~=\" compares with a number as written, and \"%s\" is not one",
			 p->words[0]);
		goto fail;
	}
	if (order && !parse_double(p->words[0], strlen(p->words[0]), &d) &&
	    !isalpha((unsigned char)p->words[0][0]) && p->words[0][0] != '_') {
		pm_errcf(err, PM_E_USAGE, "\"%s\" compares numbers, and \"%s\" is neither a number nor a path",
			 ops[i].name, p->words[0]);
		goto fail;
	}
	return 0;
fail:
	parsed_free(p);
	return -1;
}

int lab_check_syntax(const char *expr, struct pm_err *err)
{
	struct parsed p;
	if (parse(expr, &p, err) < 0)
		return -1;
	parsed_free(&p);
	return 0;
}

/* A scalar as text: strings as they are, numbers the shortest way. */
static char *scalar_text(json_t *v)
{
	char buf[64];
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return xstrdup(buf);
	}
	if (json_is_real(v)) {
		fmt_double(json_real_value(v), buf, sizeof buf);
		return xstrdup(buf);
	}
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (json_is_null(v))
		return xstrdup("null");
	return NULL;
}

/* Follows path from v; NULL when it names nothing. */
static json_t *walk(json_t *v, const char *path, struct pm_err *err, bool *bad)
{
	const char *p = path;
	while (*p && v) {
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[') {
			const char *e = strchr(p, ']');
			if (!e) {
				*bad = true;
				pm_errcf(err, PM_E_USAGE, "\"%s\": a [ without its ]", path);
				return NULL;
			}
			const char *eq = memchr(p, '=', (size_t)(e - p));
			if (!json_is_array(v))
				return NULL;
			if (!eq) {
				int64_t i;
				if (!parse_int64(p + 1, (size_t)(e - p - 1), &i)) {
					*bad = true;
					pm_errcf(err, PM_E_USAGE, "\"%s\": [%.*s] is neither an index nor KEY=VALUE",
						 path, (int)(e - p - 1), p + 1);
					return NULL;
				}
				if (i < 0)
					i += (int64_t)json_array_size(v);
				v = i < 0 ? NULL : json_array_get(v, (size_t)i);
			} else {
				char *key = xmalloc((size_t)(eq - p));
				memcpy(key, p + 1, (size_t)(eq - p - 1));
				key[eq - p - 1] = 0;
				size_t vl = (size_t)(e - eq - 1);
				json_t *found = NULL, *el;
				size_t i;
				json_array_foreach (v, i, el) {
					char *t = scalar_text(json_object_get(el, key));
					bool m = t && strlen(t) == vl && memcmp(t, eq + 1, vl) == 0;
					free(t);
					if (m) {
						found = el;
						break;
					}
				}
				free(key);
				v = found;
			}
			p = e + 1;
			continue;
		}
		size_t k = strcspn(p, ".[");
		char *key = xmalloc(k + 1);
		memcpy(key, p, k);
		key[k] = 0;
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		free(key);
		p += k;
	}
	return v;
}

/* Whether every word is among v's scalar values (recursively) or, for a
 * string, inside it. */
static void collect(json_t *v, bool *seen, char **words, size_t n)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach (v, k, x)
			collect(x, seen, words, n);
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach (v, i, x)
			collect(x, seen, words, n);
		return;
	}
	char *t = scalar_text(v);
	for (size_t i = 0; t && i < n; i++)
		if (strcmp(t, words[i]) == 0)
			seen[i] = true;
	free(t);
}

static bool holds_all(json_t *v, char **words, size_t n)
{
	bool seen[64] = {0};
	if (n > 64)
		n = 64;
	collect(v, seen, words, n);
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			return false;
	return true;
}

static bool contains(json_t *v, char **words, size_t n)
{
	if (json_is_string(v)) {
		for (size_t i = 0; i < n; i++)
			if (!strstr(json_string_value(v), words[i]))
				return false;
		return true;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *el;
		bool scalars = true;
		json_array_foreach (v, i, el) {
			if (holds_all(el, words, n) || (json_is_string(el) && contains(el, words, n)))
				return true;
			scalars = scalars && !json_is_array(el) && !json_is_object(el);
		}
		/* a list of values (a domain) contains each word as one of them */
		return scalars && holds_all(v, words, n);
	}
	if (json_is_object(v))
		return holds_all(v, words, n);
	return false;
}

/* How far ~= lets a number be from the literal: half a unit of its last
 * written digit (0.0225: 0.00005; 12: 0.5; 1.5e-3: 0.00005). */
static double near_tolerance(const char *lit)
{
	const char *dot = strchr(lit, '.');
	const char *ex = strpbrk(lit, "eE");
	int decimals = 0;
	if (dot)
		decimals = (int)((ex ? ex : lit + strlen(lit)) - dot - 1);
	int e10 = ex ? atoi(ex + 1) : 0;
	return 0.5 * pow(10.0, (double)(e10 - decimals));
}

int lab_check_eval(const char *expr, json_t *result, const char *errmsg, char **got,
		   struct pm_err *err)
{
	struct parsed p;
	*got = NULL;
	if (parse(expr, &p, err) < 0)
		return -1;
	/* a failed command's message is its result's "error" */
	json_t *root = result ? json_incref(result) : json_object();
	if (errmsg) {
		json_t *o = json_is_object(root) ? json_copy(root) : json_object();
		json_decref(root);
		root = o;
		json_object_set_new(root, "error", json_string(errmsg));
	}
	bool bad = false;
	json_t *v = walk(root, p.path, err, &bad);
	json_t *cnt = NULL;
	int r = 0;
	if (bad) {
		r = -1;
		goto done;
	}
	if (v && p.count) {
		if (!json_is_array(v) && !json_is_object(v)) {
			v = NULL;
		} else {
			cnt = json_integer((json_int_t)(json_is_array(v) ? json_array_size(v)
									  : json_object_size(v)));
			v = cnt;
		}
	}
	if (!v) {
		*got = xstrdup("(none)");
		goto done;
	}
	char *text = scalar_text(v);
	if (json_is_real(v)) {
		/* shown as metrics print: trained numbers differ in their last
		 * bits from CPU to CPU */
		char buf[40];
		snprintf(buf, sizeof buf, "%.6g", json_real_value(v));
		*got = xstrdup(buf);
	} else if (text) {
		*got = xstrdup(text);
	} else {
		char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (d && strlen(d) > 200)
			strcpy(d + 197, "...");
		*got = xstrdup(d ? d : "?");
		free(d);
	}
	double x = 0, y = 0;
	bool num = json_is_number(v);
	if (num)
		x = json_number_value(v);
	if (p.nwords && !parse_double(p.words[0], strlen(p.words[0]), &y)) {
		json_t *w = NULL;
		if (p.op == OP_LT || p.op == OP_LE || p.op == OP_GT || p.op == OP_GE)
			w = walk(root, p.words[0], err, &bad);
		if (bad) {
			r = -1;
			free(text);
			goto done;
		}
		if (json_is_number(w))
			y = json_number_value(w);
		else
			num = false;
	}
	switch (p.op) {
	case OP_TRUTHY:
		r = !json_is_false(v) && !json_is_null(v);
		break;
	case OP_EQ:
	case OP_NE: {
		bool eq;
		if (num)
			eq = x == y;
		else
			eq = text && strcmp(text, p.words[0]) == 0;
		r = p.op == OP_EQ ? eq : !eq;
		break;
	}
	case OP_LT: r = num && x < y; break;
	case OP_LE: r = num && x <= y; break;
	case OP_GT: r = num && x > y; break;
	case OP_GE: r = num && x >= y; break;
	case OP_NEAR: r = num && fabs(x - y) <= near_tolerance(p.words[0]) * (1 + 1e-9); break;
	case OP_CONTAINS: r = contains(v, p.words, p.nwords); break;
	}
	free(text);
done:
	json_decref(cnt);
	json_decref(root);
	parsed_free(&p);
	return r;
}
