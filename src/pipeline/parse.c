/* Reading a pipeline file.  A line is `pipeline NAME`, `param K = V`,
 * `step NAME : COMMAND [after A,B] [when S.FIELD OP V] [retries N]`, an
 * indented clause line continuing the step above it, a comment or blank.
 * The clauses end the command at the first unquoted word `after`, `when`
 * or `retries`, so a command that needs one of those words quotes it. */
#include "pipeline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct tok {
	const char *s;    /* start in the line */
	size_t len;
};

#define MAX_TOKS 256

/* Splits a line into words, quotes kept; '#' at the start of a word begins
 * a comment.  -1 for an unterminated quote. */
static int tokenize(const char *line, struct tok *t, size_t *n, const char **bad)
{
	*n = 0;
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return 0;
		const char *st = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r') {
			if (*p == '\'' || *p == '"') {
				const char *q = strchr(p + 1, *p);
				if (!q) {
					*bad = p;
					return -1;
				}
				p = q + 1;
			} else {
				p++;
			}
		}
		if (*n < MAX_TOKS)
			t[(*n)++] = (struct tok){st, (size_t)(p - st)};
	}
}

static bool tok_is(const struct tok *t, const char *w)
{
	return t->len == strlen(w) && strncmp(t->s, w, t->len) == 0;
}

static bool is_clause(const struct tok *t)
{
	return tok_is(t, "after") || tok_is(t, "when") || tok_is(t, "retries");
}

/* A value written in quotes loses them: param data = 'a b.csv'. */
static char *unquote(const char *s, size_t n)
{
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0] && !memchr(s + 1, s[0], n - 2))
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

/* [a, b) without the white space around it, as a new string. */
static char *trimmed(const char *a, const char *b)
{
	while (a < b && isspace((unsigned char)*a))
		a++;
	while (b > a && isspace((unsigned char)b[-1]))
		b--;
	return xstrndup(a, (size_t)(b - a));
}

struct parser {
	const char *file;
	struct pipeline *p;
	int line;
	struct pm_err *err;
};

static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *ps, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return pm_errf(ps->err, "%s:%d: %s", ps->file, ps->line, msg);
}

static const struct {
	const char *text;
	enum pl_op op;
} ops[] = {{"<=", PL_LE}, {">=", PL_GE}, {"==", PL_EQ}, {"!=", PL_NE}, {"<", PL_LT}, {">", PL_GT}};

static int parse_when(struct parser *ps, struct pl_step *st, const struct tok *t, size_t n)
{
	if (st->when)
		return perr(ps, "step '%s' has two `when` conditions", st->name);
	if (n != 3)
		return perr(ps, "`when` takes STEP.FIELD OP VALUE, for example `when train.metrics.r2 > 0.5`");
	const char *dot = memchr(t[0].s, '.', t[0].len);
	if (!dot || dot == t[0].s || dot + 1 == t[0].s + t[0].len)
		return perr(ps, "`when %.*s`: the left side is STEP.FIELD, for example train.metrics.r2",
			    (int)t[0].len, t[0].s);
	int op = -1;
	for (size_t i = 0; i < PM_ARRAY_LEN(ops); i++)
		if (tok_is(&t[1], ops[i].text))
			op = (int)ops[i].op;
	if (op < 0)
		return perr(ps, "`when`: unknown comparison '%.*s' (use < <= > >= == !=)", (int)t[1].len,
			    t[1].s);
	struct pl_when *w = xcalloc(1, sizeof *w);
	w->step = xstrndup(t[0].s, (size_t)(dot - t[0].s));
	w->field = xstrndup(dot + 1, (size_t)(t[0].s + t[0].len - dot - 1));
	w->op = (enum pl_op)op;
	w->value = unquote(t[2].s, t[2].len);
	w->text = xstrndup(t[0].s, (size_t)(t[2].s + t[2].len - t[0].s));
	st->when = w;
	return 0;
}

/* The clauses from t[0] on (t[0] is a clause word). */
static int parse_clauses(struct parser *ps, struct pl_step *st, const struct tok *t, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i + 1;
		while (j < n && !is_clause(&t[j]))
			j++;
		if (tok_is(&t[i], "after")) {
			if (j == i + 1)
				return perr(ps, "`after` needs the names of steps: after A,B");
			struct sbuf b = {0};
			for (size_t k = i + 1; k < j; k++)
				sbuf_add(&b, t[k].s, t[k].len);
			size_t nn;
			char **names = str_split(b.s, ',', &nn);
			sbuf_free(&b);
			for (size_t k = 0; k < nn; k++) {
				if (!*names[k])
					continue;
				st->after = xrealloc(st->after, (st->nafter + 1) * sizeof *st->after);
				st->after[st->nafter++] = xstrdup(names[k]);
			}
			str_list_free(names);
		} else if (tok_is(&t[i], "when")) {
			if (parse_when(ps, st, t + i + 1, j - i - 1) < 0)
				return -1;
		} else {
			int64_t r;
			if (j != i + 2 || !parse_int64(t[i + 1].s, t[i + 1].len, &r) || r < 0 || r > 100)
				return perr(ps, "`retries` takes a number from 0 to 100");
			st->retries = (int)r;
		}
		i = j;
	}
	return 0;
}

static int parse_step(struct parser *ps, const char *rest)
{
	const char *colon = strchr(rest, ':');
	if (!colon)
		return perr(ps, "a step is `step NAME : COMMAND`");
	char *name = trimmed(rest, colon);
	if (!str_name_chars_valid(name, strlen(name))) {
		perr(ps, "'%s' is not a step name (letters, digits, '_', '-', '.')", name);
		free(name);
		return -1;
	}
	struct pipeline *p = ps->p;
	const struct pl_step *dup = pipeline_step(p, name);
	if (dup) {
		free(name);
		return perr(ps, "step '%s' is already defined on line %d", dup->name, dup->line);
	}
	p->steps = xrealloc(p->steps, (p->nsteps + 1) * sizeof *p->steps);
	struct pl_step *st = &p->steps[p->nsteps++];
	*st = (struct pl_step){.name = name, .retries = -1, .line = ps->line};
	struct tok t[MAX_TOKS];
	size_t n;
	const char *bad;
	if (tokenize(colon + 1, t, &n, &bad) < 0)
		return perr(ps, "unterminated quote");
	size_t c = 0;
	while (c < n && !is_clause(&t[c]))
		c++;
	if (c == 0)
		return perr(ps, "step '%s' has no command", st->name);
	st->command = xstrndup(t[0].s, (size_t)(t[c - 1].s + t[c - 1].len - t[0].s));
	return parse_clauses(ps, st, t + c, n - c);
}

static int parse_param(struct parser *ps, const char *rest)
{
	const char *eq = strchr(rest, '=');
	if (!eq)
		return perr(ps, "a parameter is `param NAME = VALUE`");
	char *name = trimmed(rest, eq);
	struct pipeline *p = ps->p;
	int rc = 0;
	if (!str_name_chars_valid(name, strlen(name)))
		rc = perr(ps, "'%s' is not a parameter name", name);
	for (size_t i = 0; i < p->nparams && rc == 0; i++)
		if (strcmp(p->params[i].name, name) == 0)
			rc = perr(ps, "parameter '%s' is already defined on line %d", name, p->params[i].line);
	if (rc < 0) {
		free(name);
		return -1;
	}
	char *v = trimmed(eq + 1, eq + 1 + strlen(eq + 1));
	p->params = xrealloc(p->params, (p->nparams + 1) * sizeof *p->params);
	p->params[p->nparams++] = (struct pl_param){.name = name, .value = unquote(v, strlen(v)),
						    .line = ps->line};
	free(v);
	return 0;
}

static int parse_line(struct parser *ps, const char *line)
{
	struct tok t[MAX_TOKS];
	size_t n;
	const char *bad;
	if (tokenize(line, t, &n, &bad) < 0)
		return perr(ps, "unterminated quote");
	if (n == 0)
		return 0;
	struct pipeline *p = ps->p;
	bool indented = line[0] == ' ' || line[0] == '\t';
	if (indented && is_clause(&t[0])) {
		if (!p->nsteps)
			return perr(ps, "`%.*s` before any step", (int)t[0].len, t[0].s);
		return parse_clauses(ps, &p->steps[p->nsteps - 1], t, n);
	}
	if (!p->name) {
		if (!tok_is(&t[0], "pipeline"))
			return perr(ps, "a pipeline file starts with `pipeline NAME`");
		if (n != 2 || !str_name_chars_valid(t[1].s, t[1].len))
			return perr(ps, "`pipeline NAME`: NAME is letters, digits, '_', '-', '.'");
		p->name = xstrndup(t[1].s, t[1].len);
		return 0;
	}
	const char *rest = t[0].s + t[0].len;
	if (tok_is(&t[0], "param"))
		return parse_param(ps, rest);
	if (tok_is(&t[0], "step"))
		return parse_step(ps, rest);
	if (tok_is(&t[0], "pipeline"))
		return perr(ps, "one pipeline per file: the name is already '%s'", p->name);
	return perr(ps, "expected `param`, `step` or an indented clause, not '%.*s'", (int)t[0].len,
		    t[0].s);
}

/* Every ${k} in the text of step i names a parameter, or is STEP.FIELD
 * of a step upstream of it. */
static int check_refs(struct parser *ps, const struct pipeline *p, size_t i, const char *text)
{
	const char *name = p->steps[i].name;
	for (const char *q = strstr(text, "${"); q; q = strstr(q + 2, "${")) {
		const char *e = strchr(q, '}');
		if (!e)
			return perr(ps, "step '%s': '${' without a closing '}'", name);
		int len = (int)(e - q - 2);
		const char *k = q + 2;
		for (size_t j = 0; j < p->nparams; j++)
			if (strlen(p->params[j].name) == (size_t)len && strncmp(p->params[j].name, k, (size_t)len) == 0)
				goto next;
		const char *dot = memchr(k, '.', (size_t)len);
		if (dot) {
			char *step = xstrndup(k, (size_t)(dot - k));
			const struct pl_step *up = pipeline_step(p, step);
			free(step);
			if (up && pipeline_upstream(p, (size_t)(up - p->steps), i))
				goto next;
			return perr(ps, "step '%s' uses ${%.*s}, but '%.*s' is not a step upstream of it", name,
				    len, k, (int)(dot - k), k);
		}
		return perr(ps, "step '%s' uses ${%.*s}, which is not a parameter (add `param %.*s = ...`)",
			    name, len, k, len, k);
	next:;
	}
	return 0;
}

static int resolve(struct parser *ps)
{
	struct pipeline *p = ps->p;
	for (size_t i = 0; i < p->nsteps; i++) {
		struct pl_step *st = &p->steps[i];
		ps->line = st->line;
		st->deps = xcalloc(st->nafter + 1, sizeof *st->deps);
		for (size_t k = 0; k < st->nafter; k++) {
			struct pl_step *up = pipeline_step(p, st->after[k]);
			if (!up) {
				struct str_near nr;
				str_near_init(&nr, st->after[k]);
				for (size_t j = 0; j < p->nsteps; j++)
					str_near_offer(&nr, p->steps[j].name);
				return nr.best ? perr(ps, "step '%s' comes after '%s', which is not a step of this "
							  "pipeline; did you mean '%s'?",
						      st->name, st->after[k], nr.best)
					       : perr(ps, "step '%s' comes after '%s', which is not a step of this pipeline",
						      st->name, st->after[k]);
			}
			st->deps[k] = (size_t)(up - p->steps);
		}
	}
	size_t *order = xcalloc(p->nsteps + 1, sizeof *order);
	int rc = pipeline_order(p, order, ps->err);
	free(order);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < p->nsteps; i++) {
		struct pl_step *st = &p->steps[i];
		ps->line = st->line;
		if (check_refs(ps, p, i, st->command) < 0 || (st->when && check_refs(ps, p, i, st->when->value) < 0))
			return -1;
		if (!st->when)
			continue;
		struct pl_step *up = pipeline_step(p, st->when->step);
		if (!up || !pipeline_upstream(p, (size_t)(up - p->steps), i))
			return perr(ps, "step '%s': `when %s` tests step '%s', which is not upstream of it",
				    st->name, st->when->text, st->when->step);
	}
	return 0;
}

int pipeline_parse(const char *text, const char *file, struct pipeline **out, struct pm_err *err)
{
	struct pipeline *p = xcalloc(1, sizeof *p);
	p->file = xstrdup(file);
	p->text = xstrdup(text);
	struct parser ps = {.file = file, .p = p, .err = err};
	const char *s = text;
	int rc = 0;
	while (*s && rc == 0) {
		ps.line++;
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len);
		rc = parse_line(&ps, line);
		free(line);
		s += len;
		if (*s)
			s++;
	}
	if (rc == 0 && !p->name) {
		ps.line = 1;
		rc = perr(&ps, "a pipeline file starts with `pipeline NAME`");
	}
	if (rc == 0 && !p->nsteps)
		rc = perr(&ps, "pipeline %s has no steps", p->name);
	if (rc == 0)
		rc = resolve(&ps);
	if (rc < 0) {
		pipeline_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].value);
	}
	for (size_t i = 0; i < p->nsteps; i++) {
		struct pl_step *st = &p->steps[i];
		free(st->name);
		free(st->command);
		for (size_t k = 0; k < st->nafter; k++)
			free(st->after[k]);
		free(st->after);
		free(st->deps);
		if (st->when) {
			free(st->when->step);
			free(st->when->field);
			free(st->when->value);
			free(st->when->text);
			free(st->when);
		}
	}
	free(p->params);
	free(p->steps);
	free(p->name);
	free(p->file);
	free(p->text);
	free(p);
}

struct pl_step *pipeline_step(const struct pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (strcmp(p->steps[i].name, name) == 0)
			return &p->steps[i];
	return NULL;
}
