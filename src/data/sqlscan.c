/* The tables a SELECT reads, found from its text without a database: the
 * names after FROM and JOIN (and after the commas of a FROM clause), less
 * the query's own common table expressions and table-valued functions.
 * Each level of parentheses (a subquery, a function's arguments, USING's
 * columns) has its own "in a FROM clause" state: a comma brings another
 * table only at the level whose FROM it follows, however many JOIN .. ON
 * or parenthesised subqueries came between, and until WHERE, GROUP BY and
 * the like end that level's clause.
 * A pipeline step `load NAME --sql "..."` reads those datasets, so its
 * data edges and cache key can include them before anything runs. */
#include "data.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok_kind { T_END, T_IDENT, T_WORD, T_PUNCT, T_OTHER };

struct tok {
	enum tok_kind kind; /* T_WORD: an unquoted identifier, which may be a keyword */
	char *text;         /* identifiers without their quotes */
	char punct;
};

static const char *skip_space(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

/* A quoted token from p (at its opening quote) up to close; a doubled
 * close is the character itself, as SQLite reads it. */
static const char *quoted(const char *p, char close, struct sbuf *b)
{
	for (p++; *p; p++) {
		if (*p == close) {
			if (p[1] != close)
				return p + 1;
			p++;
		}
		sbuf_putc(b, *p);
	}
	return p;
}

static const char *next_tok(const char *p, struct tok *t)
{
	free(t->text);
	*t = (struct tok){0};
	p = skip_space(p);
	if (!*p)
		return p;
	struct sbuf b = {0};
	if (*p == '"' || *p == '`' || *p == '[') {
		p = quoted(p, *p == '[' ? ']' : *p, &b);
		t->kind = T_IDENT;
	} else if (*p == '\'') {
		p = quoted(p, '\'', &b);
		t->kind = T_OTHER;
	} else if (isalpha((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80) {
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || (unsigned char)*p >= 0x80)
			sbuf_putc(&b, *p++);
		t->kind = T_WORD;
	} else if (isdigit((unsigned char)*p)) {
		while (isalnum((unsigned char)*p) || *p == '.')
			p++;
		t->kind = T_OTHER;
	} else {
		t->kind = T_PUNCT;
		t->punct = *p++;
	}
	t->text = b.s ? sbuf_steal(&b) : xstrdup("");
	return p;
}

static bool is_kw(const struct tok *t, const char *kw)
{
	return t->kind == T_WORD && strcasecmp(t->text, kw) == 0;
}

/* Words that end a FROM clause at its own level. */
static bool ends_from(const struct tok *t)
{
	static const char *const kws[] = {"where", "group", "order", "limit", "union", "except",
					  "intersect", "window", "having", "select", "values", NULL};
	for (size_t i = 0; kws[i]; i++)
		if (is_kw(t, kws[i]))
			return true;
	return false;
}

static void add_name(char ***list, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], name) == 0)
			return;
	*list = xrealloc(*list, (*n + 2) * sizeof **list);
	(*list)[(*n)++] = xstrdup(name);
	(*list)[*n] = NULL;
}

static bool is_name(const struct tok *t)
{
	return t->kind == T_WORD || t->kind == T_IDENT;
}

static bool is_punct(const struct tok *t, char c)
{
	return t->kind == T_PUNCT && t->punct == c;
}

/* A window of three tokens (enough for `name AS (` and `FROM s.t`),
 * moved one token on. */
struct window {
	struct tok a, b, c;
	const char *p;
};

static void shift(struct window *w)
{
	free(w->a.text);
	w->a = w->b;
	w->b = w->c;
	w->c = (struct tok){0};
	w->p = next_tok(w->p, &w->c);
}

char **sql_scan_tables(const char *sql, size_t *count)
{
	char **tables = NULL, **ctes = NULL;
	size_t nt = 0, nc = 0;
	struct window w = {.p = sql};
	for (int i = 0; i < 3; i++)
		shift(&w);
	/* in_from[d]: level d of parentheses is in a FROM clause; deeper
	 * levels than the array holds share its last slot */
	bool in_from[64] = {false};
	size_t depth = 0;
	while (w.a.kind != T_END) {
		if (is_name(&w.a) && is_kw(&w.b, "as") && is_punct(&w.c, '('))
			add_name(&ctes, &nc, w.a.text);
		if (is_punct(&w.a, '(')) {
			depth++;
			in_from[depth < PM_ARRAY_LEN(in_from) ? depth : PM_ARRAY_LEN(in_from) - 1] = false;
		} else if (is_punct(&w.a, ')') && depth > 0) {
			depth--;
		} else if (is_punct(&w.a, ';')) {
			depth = 0;
			in_from[0] = false;
		}
		bool *in = &in_from[depth < PM_ARRAY_LEN(in_from) ? depth : PM_ARRAY_LEN(in_from) - 1];
		if (is_kw(&w.a, "from") || is_kw(&w.a, "join") || (*in && is_punct(&w.a, ','))) {
			*in = true;
			/* the next name is a table, unless a function: `json_each(..)` */
			if (is_name(&w.b) && is_punct(&w.c, '.')) {
				shift(&w);
				shift(&w);
			}
			if (is_name(&w.b) && !is_punct(&w.c, '('))
				add_name(&tables, &nt, w.b.text);
		} else if (*in && ends_from(&w.a)) {
			*in = false;
		}
		shift(&w);
	}
	free(w.a.text);
	free(w.b.text);
	free(w.c.text);
	/* the query's own names are not datasets */
	size_t k = 0;
	for (size_t i = 0; i < nt; i++) {
		bool own = false;
		for (size_t j = 0; j < nc && !own; j++)
			own = strcasecmp(tables[i], ctes[j]) == 0;
		if (own)
			free(tables[i]);
		else
			tables[k++] = tables[i];
	}
	if (tables)
		tables[k] = NULL;
	str_list_free(ctes);
	*count = k;
	if (!tables)
		tables = xcalloc(1, sizeof *tables);
	return tables;
}
