/* Schemas: inference from statistics, the text file format, edits. */
#include "validate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char schema_set_keys[] =
	"type|min_fraction|domain+|domain-|min|max|min_domain_mass|not_in_env|in_env|skew|drift";

struct schema *schema_new(const char *name)
{
	struct schema *s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name ? name : "");
	return s;
}

static void feature_free(struct schema_feature *f)
{
	free(f->name);
	for (size_t i = 0; i < f->ndomain; i++)
		free(f->domain[i]);
	free(f->domain);
	for (size_t i = 0; i < f->nnot_in_env; i++)
		free(f->not_in_env[i]);
	free(f->not_in_env);
}

void schema_free(struct schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		feature_free(&s->f[i]);
	free(s->f);
	free(s->name);
	name_index_free(&s->index);
	free(s);
}

struct schema_feature *schema_find(const struct schema *s, const char *feature)
{
	if (s->index.d) {
		int64_t i = name_index_find(&s->index, feature);
		return i < 0 ? NULL : &s->f[i];
	}
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->f[i].name, feature) == 0)
			return &s->f[i];
	return NULL;
}

struct schema_feature *schema_add(struct schema *s, const char *feature, enum pm_type type)
{
	xgrow((void **)&s->f, &s->cap, s->n + 1, sizeof *s->f);
	name_index_add(&s->index, feature, s->n);
	struct schema_feature *f = &s->f[s->n++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(feature);
	f->type = type;
	return f;
}

bool schema_in_env(const struct schema_feature *f, const char *env)
{
	if (!env)
		return true;
	for (size_t i = 0; i < f->nnot_in_env; i++)
		if (str_eq_ci(f->not_in_env[i], env))
			return false;
	return true;
}

static bool domain_has(const struct schema_feature *f, const char *v)
{
	for (size_t i = 0; i < f->ndomain; i++)
		if (strcmp(f->domain[i], v) == 0)
			return true;
	return false;
}

static void domain_add(struct schema_feature *f, const char *v)
{
	f->has_domain = true;
	if (domain_has(f, v))
		return;
	f->domain = xrealloc(f->domain, (f->ndomain + 1) * sizeof *f->domain);
	f->domain[f->ndomain++] = xstrdup(v);
}

static void env_add(struct schema_feature *f, const char *env)
{
	for (size_t i = 0; i < f->nnot_in_env; i++)
		if (str_eq_ci(f->not_in_env[i], env))
			return;
	f->not_in_env = xrealloc(f->not_in_env, (f->nnot_in_env + 1) * sizeof *f->not_in_env);
	f->not_in_env[f->nnot_in_env++] = xstrdup(env);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- inference ------------------------------------------------------------- */

struct schema *schema_infer(const struct dataset_stats *st, const char *name, bool ranges)
{
	struct schema *s = schema_new(name);
	for (size_t i = 0; i < st->n; i++) {
		const struct feature_stats *fs = &st->f[i];
		struct schema_feature *f = schema_add(s, fs->name, fs->type);
		if (fs->missing == 0 && st->rows > 0) {
			f->has_min_fraction = true;
			f->min_fraction = 1.0;
		}
		if (fs->type == PM_STRING && fs->count > 0 && fs->unique <= SCHEMA_MAX_DOMAIN) {
			f->has_domain = true;
			f->domain = xcalloc(fs->nvalues + 1, sizeof *f->domain);
			for (size_t k = 0; k < fs->nvalues; k++)
				f->domain[k] = xstrndup(fs->values[k].value, fs->values[k].len);
			f->ndomain = fs->nvalues;
			/* byte order keeps the file stable and diffs small */
			qsort(f->domain, f->ndomain, sizeof *f->domain, cmp_str);
		}
		if (ranges && (fs->type == PM_INT || fs->type == PM_FLOAT) &&
		    fs->count > fs->num.nan) {
			double lo = fs->num.min, hi = fs->num.max;
			if (isfinite(lo)) {
				f->has_min = true;
				f->min = lo;
			}
			if (isfinite(hi)) {
				f->has_max = true;
				f->max = hi;
			}
		}
	}
	return s;
}

/* ---- the text format ------------------------------------------------------------ */

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '\\' || *p == '#' || *p == 0x7f)
			return true;
	return false;
}

static void put_quoted(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sbuf_puts(b, "\\\""); break;
		case '\\': sbuf_puts(b, "\\\\"); break;
		case '\n': sbuf_puts(b, "\\n"); break;
		case '\t': sbuf_puts(b, "\\t"); break;
		case '\r': sbuf_puts(b, "\\r"); break;
		default:
			if (*p < ' ' || *p == 0x7f)
				sbuf_printf(b, "\\x%02x", *p);
			else
				sbuf_putc(b, (char)*p);
		}
	}
	sbuf_putc(b, '"');
}

static void put_word(struct sbuf *b, const char *s)
{
	if (needs_quotes(s))
		put_quoted(b, s);
	else
		sbuf_puts(b, s);
}

static void put_num(struct sbuf *b, double v)
{
	char buf[64];
	fmt_double(v, buf, sizeof buf);
	sbuf_puts(b, buf);
}

static void put_comparator(struct sbuf *b, const char *what, const struct schema_comparator *c)
{
	if (!schema_comparator_any(c, false))
		return;
	sbuf_printf(b, "  %s", what);
	for (size_t k = 0; k < DIST_N; k++)
		if (c->has[k]) {
			sbuf_printf(b, " %s ", dist_table[k].name);
			put_num(b, c->t[k]);
		}
	sbuf_putc(b, '\n');
}

char *schema_to_text(const struct schema *s)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "# prodml schema ");
	put_word(&b, s->name);
	sbuf_puts(&b, "\n# One block per feature: edit it with `schema set` or by hand,\n"
		       "# read it back with `schema load`.\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct schema_feature *f = &s->f[i];
		sbuf_puts(&b, "\nfeature ");
		put_word(&b, f->name);
		sbuf_printf(&b, "\n  type %s\n", pm_type_name(f->type));
		if (f->has_min_fraction) {
			sbuf_puts(&b, "  presence min_fraction ");
			put_num(&b, f->min_fraction);
			sbuf_putc(&b, '\n');
		}
		if (f->has_min || f->has_max) {
			sbuf_puts(&b, "  range");
			if (f->has_min) {
				sbuf_puts(&b, " min ");
				put_num(&b, f->min);
			}
			if (f->has_max) {
				sbuf_puts(&b, " max ");
				put_num(&b, f->max);
			}
			sbuf_putc(&b, '\n');
		}
		if (f->has_domain) {
			/* wrapped lines of quoted values; each line adds to the domain */
			if (f->ndomain == 0)
				sbuf_puts(&b, "  domain\n");
			size_t col = 0;
			for (size_t k = 0; k < f->ndomain; k++) {
				struct sbuf q = {0};
				put_quoted(&q, f->domain[k]);
				if (col && col + 1 + q.len > 78) {
					sbuf_putc(&b, '\n');
					col = 0;
				}
				if (col == 0) {
					sbuf_puts(&b, "  domain");
					col = 8;
				}
				sbuf_putc(&b, ' ');
				sbuf_add(&b, q.s, q.len);
				col += 1 + q.len;
				sbuf_free(&q);
			}
			if (col)
				sbuf_putc(&b, '\n');
		}
		if (f->has_min_domain_mass) {
			sbuf_puts(&b, "  min_domain_mass ");
			put_num(&b, f->min_domain_mass);
			sbuf_putc(&b, '\n');
		}
		if (f->nnot_in_env) {
			sbuf_puts(&b, "  not_in_env");
			for (size_t k = 0; k < f->nnot_in_env; k++) {
				sbuf_putc(&b, ' ');
				put_word(&b, f->not_in_env[k]);
			}
			sbuf_putc(&b, '\n');
		}
		put_comparator(&b, "skew", &f->skew);
		put_comparator(&b, "drift", &f->drift);
	}
	return sbuf_steal(&b);
}

/* Splits a line into words: whitespace separated, "quoted" with C escapes,
 * # to the end of the line a comment. */
static int tokenize(const char *line, size_t len, char ***words, size_t *nw, const char *label,
		    int lineno, struct pm_err *err)
{
	char **w = NULL;
	size_t n = 0, cap = 0;
	size_t i = 0;
	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		struct sbuf t = {0};
		if (line[i] == '"') {
			i++;
			bool closed = false;
			while (i < len) {
				char c = line[i++];
				if (c == '"') {
					closed = true;
					break;
				}
				if (c != '\\') {
					sbuf_putc(&t, c);
					continue;
				}
				if (i >= len)
					break;
				c = line[i++];
				switch (c) {
				case 'n': sbuf_putc(&t, '\n'); break;
				case 't': sbuf_putc(&t, '\t'); break;
				case 'r': sbuf_putc(&t, '\r'); break;
				case '"': sbuf_putc(&t, '"'); break;
				case '\\': sbuf_putc(&t, '\\'); break;
				case 'x': {
					int v = 0, k = 0;
					while (k < 2 && i < len && isxdigit((unsigned char)line[i])) {
						char h = line[i++];
						v = v * 16 + (isdigit((unsigned char)h)
								      ? h - '0'
								      : tolower((unsigned char)h) - 'a' + 10);
						k++;
					}
					if (k == 0 || v == 0)
						goto bad_escape;
					sbuf_putc(&t, (char)v);
					break;
				}
				default:
				bad_escape:
					sbuf_free(&t);
					for (size_t k = 0; k < n; k++)
						free(w[k]);
					free(w);
					return pm_errf(err, "%s:%d: unknown escape \\%c in a quoted string",
						       label, lineno, c);
				}
			}
			if (!closed) {
				sbuf_free(&t);
				for (size_t k = 0; k < n; k++)
					free(w[k]);
				free(w);
				return pm_errf(err, "%s:%d: unterminated quoted string", label, lineno);
			}
		} else {
			while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
			       line[i] != '#')
				sbuf_putc(&t, line[i++]);
		}
		xgrow((void **)&w, &cap, n + 2, sizeof *w);
		w[n++] = sbuf_steal(&t);
	}
	*words = w;
	*nw = n;
	return 0;
}

static bool num_arg(const char *s, double *out)
{
	return parse_double(s, strlen(s), out) && isfinite(*out);
}

/* Checks one number of a key; fills err as "LABEL:LINE: message" (or
 * without a location for `schema set`). */
static int want_num(const char *s, const char *what, bool unit, double *out, const char *loc,
		    struct pm_err *err)
{
	if (!num_arg(s, out))
		return pm_errf(err, "%s%s: \"%s\" is not a number", loc, what, s);
	if (unit && (*out < 0 || *out > 1))
		return pm_errf(err, "%s%s must be between 0 and 1, not %s", loc, what, s);
	return 0;
}

static int comparator_words(struct schema_comparator *c, char *const *w, size_t n,
			    const char *what, const char *loc, struct pm_err *err)
{
	if (n == 1 && strcmp(w[0], "none") == 0) {
		memset(c, 0, sizeof *c);
		return 0;
	}
	if (n == 0 || n % 2) {
		char *pairs = dist_comparator_list(" THRESHOLD", ", ", " and/or ");
		pm_errf(err, "%s%s takes pairs: %s", loc, what, pairs);
		free(pairs);
		return -1;
	}
	for (size_t k = 0; k < n; k += 2) {
		double v;
		bool none = strcmp(w[k + 1], "none") == 0;
		if (!none && want_num(w[k + 1], what, true, &v, loc, err) < 0)
			return -1;
		const struct dist_info *d = dist_find(w[k]);
		if (!d || !d->comparator) {
			char *names = dist_comparator_list("", ", ", " or ");
			pm_errf(err, "%sunknown %s measure \"%s\" (expected %s)", loc, what, w[k], names);
			free(names);
			return -1;
		}
		c->has[d - dist_table] = !none;
		c->t[d - dist_table] = none ? 0 : v;
	}
	return 0;
}

static int check_range(const struct schema_feature *f, const char *loc, struct pm_err *err)
{
	if (f->has_min && f->has_max && f->min > f->max)
		return pm_errf(err, "%sfeature %s: min is greater than max", loc, f->name);
	return 0;
}

int schema_parse(const char *text, size_t len, const char *label, const char *name,
		 struct schema **out, struct pm_err *err)
{
	struct schema *s = schema_new(name);
	struct schema_feature *cur = NULL;
	int lineno = 0;
	size_t pos = 0;
	char loc[600];
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl ? 1 : 0);
		lineno++;
		snprintf(loc, sizeof loc, "%s:%d: ", label, lineno);
		size_t bad;
		if (!utf8_valid(line, ll, &bad)) {
			pm_errf(err, "%s:%d:%zu: invalid UTF-8", label, lineno, bad + 1);
			goto fail;
		}
		if (memchr(line, 0, ll)) {
			pm_errf(err, "%snul byte in a schema file", loc);
			goto fail;
		}
		char **w = NULL;
		size_t n = 0;
		if (tokenize(line, ll, &w, &n, label, lineno, err) < 0)
			goto fail;
		int rc = 0;
		if (n == 0) {
			/* blank or comment */
		} else if (strcmp(w[0], "feature") == 0) {
			if (n != 2) {
				rc = pm_errf(err, "%sexpected: feature NAME", loc);
			} else if (schema_find(s, w[1])) {
				rc = pm_errf(err, "%sfeature %s is defined twice", loc, w[1]);
			} else {
				cur = schema_add(s, w[1], PM_STRING);
				cur->type = (enum pm_type)-1;
			}
		} else if (!cur) {
			rc = pm_errf(err, "%s\"%s\" comes before the first `feature NAME` line", loc,
				     w[0]);
		} else if (strcmp(w[0], "type") == 0) {
			enum pm_type t;
			if (n != 2)
				rc = pm_errf(err, "%sexpected: type int|float|bool|string|timestamp",
					     loc);
			else if (!pm_type_parse(w[1], &t))
				rc = pm_errf(err,
					     "%sunknown type \"%s\" (expected int, float, bool, string "
					     "or timestamp)",
					     loc, w[1]);
			else
				cur->type = t;
		} else if (strcmp(w[0], "presence") == 0) {
			if (n != 3 || strcmp(w[1], "min_fraction") != 0)
				rc = pm_errf(err, "%sexpected: presence min_fraction X", loc);
			else if ((rc = want_num(w[2], "min_fraction", true, &cur->min_fraction, loc,
						err)) == 0)
				cur->has_min_fraction = true;
		} else if (strcmp(w[0], "range") == 0) {
			if (n != 3 && n != 5)
				rc = pm_errf(err, "%sexpected: range [min X] [max Y]", loc);
			for (size_t k = 1; rc == 0 && k + 1 < n; k += 2) {
				double v;
				if (strcmp(w[k], "min") == 0 && !cur->has_min) {
					if ((rc = want_num(w[k + 1], "min", false, &v, loc, err)) == 0) {
						cur->has_min = true;
						cur->min = v;
					}
				} else if (strcmp(w[k], "max") == 0 && !cur->has_max) {
					if ((rc = want_num(w[k + 1], "max", false, &v, loc, err)) == 0) {
						cur->has_max = true;
						cur->max = v;
					}
				} else if (strcmp(w[k], "min") == 0 || strcmp(w[k], "max") == 0) {
					rc = pm_errf(err, "%sfeature %s: range %s is given twice", loc,
						     cur->name, w[k]);
				} else {
					rc = pm_errf(err, "%sexpected: range [min X] [max Y]", loc);
				}
			}
			if (rc == 0)
				rc = check_range(cur, loc, err);
		} else if (strcmp(w[0], "domain") == 0) {
			cur->has_domain = true;
			for (size_t k = 1; k < n; k++)
				domain_add(cur, w[k]);
		} else if (strcmp(w[0], "min_domain_mass") == 0) {
			if (n != 2)
				rc = pm_errf(err, "%sexpected: min_domain_mass X", loc);
			else if ((rc = want_num(w[1], "min_domain_mass", true, &cur->min_domain_mass,
						loc, err)) == 0)
				cur->has_min_domain_mass = true;
		} else if (strcmp(w[0], "not_in_env") == 0) {
			if (n < 2)
				rc = pm_errf(err, "%sexpected: not_in_env ENV..", loc);
			for (size_t k = 1; k < n; k++)
				env_add(cur, w[k]);
		} else if (strcmp(w[0], "skew") == 0 || strcmp(w[0], "drift") == 0) {
			struct schema_comparator *c = w[0][0] == 's' ? &cur->skew : &cur->drift;
			rc = comparator_words(c, w + 1, n - 1, w[0], loc, err);
		} else {
			rc = pm_errf(err,
				     "%sunknown key \"%s\" (expected type, presence, range, domain, "
				     "min_domain_mass, not_in_env, skew or drift)",
				     loc, w[0]);
		}
		for (size_t k = 0; k < n; k++)
			free(w[k]);
		free(w);
		if (rc < 0)
			goto fail;
	}
	snprintf(loc, sizeof loc, "%s: ", label);
	for (size_t i = 0; i < s->n; i++) {
		if ((int)s->f[i].type == -1) {
			pm_errf(err, "%sfeature %s has no type line", loc, s->f[i].name);
			goto fail;
		}
		if (check_range(&s->f[i], loc, err) < 0)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	schema_free(s);
	return -1;
}

/* ---- edits ------------------------------------------------------------------------ */

static int set_opt_num(bool *has, double *v, const char *val, const char *what, bool unit,
		       struct pm_err *err)
{
	if (strcmp(val, "none") == 0) {
		*has = false;
		*v = 0;
		return 0;
	}
	double x;
	if (want_num(val, what, unit, &x, "", err) < 0)
		return -1;
	*has = true;
	*v = x;
	return 0;
}

int schema_set(struct schema *s, const char *feature, const char *key, char *const *vals,
	       size_t nvals, struct pm_err *err)
{
	struct schema_feature *f = schema_find(s, feature);
	bool is_comparator = strcmp(key, "skew") == 0 || strcmp(key, "drift") == 0;
	if (!is_comparator && nvals != 1)
		return pm_errcf(err, PM_E_USAGE, "schema set: %s takes one value", key);
	if (!f) {
		enum pm_type t;
		if (strcmp(key, "type") != 0)
			return pm_errcf(err, PM_E_NOTFOUND,
					"schema %s has no feature %s (set its type first to add it)",
					s->name, feature);
		if (!pm_type_parse(vals[0], &t))
			return pm_errf(err,
				       "unknown type \"%s\" (expected int, float, bool, string or "
				       "timestamp)",
				       vals[0]);
		schema_add(s, feature, t);
		return 0;
	}
	const char *v = vals[0];
	if (strcmp(key, "type") == 0) {
		if (!pm_type_parse(v, &f->type))
			return pm_errf(err,
				       "unknown type \"%s\" (expected int, float, bool, string or "
				       "timestamp)",
				       v);
	} else if (strcmp(key, "min_fraction") == 0) {
		return set_opt_num(&f->has_min_fraction, &f->min_fraction, v, "min_fraction", true,
				   err);
	} else if (strcmp(key, "min_domain_mass") == 0) {
		return set_opt_num(&f->has_min_domain_mass, &f->min_domain_mass, v,
				   "min_domain_mass", true, err);
	} else if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0) {
		bool is_min = key[1] == 'i';
		struct schema_feature save = *f;
		if (set_opt_num(is_min ? &f->has_min : &f->has_max, is_min ? &f->min : &f->max, v,
				key, false, err) < 0)
			return -1;
		if (check_range(f, "", err) < 0) {
			f->has_min = save.has_min;
			f->min = save.min;
			f->has_max = save.has_max;
			f->max = save.max;
			return -1;
		}
	} else if (strcmp(key, "domain+") == 0) {
		domain_add(f, v);
	} else if (strcmp(key, "domain-") == 0) {
		size_t k;
		for (k = 0; k < f->ndomain; k++)
			if (strcmp(f->domain[k], v) == 0)
				break;
		if (k == f->ndomain)
			return pm_errcf(err, PM_E_NOTFOUND, "feature %s: \"%s\" is not in the domain",
					feature, v);
		free(f->domain[k]);
		memmove(&f->domain[k], &f->domain[k + 1], (f->ndomain - k - 1) * sizeof *f->domain);
		f->ndomain--;
	} else if (strcmp(key, "not_in_env") == 0) {
		env_add(f, v);
	} else if (strcmp(key, "in_env") == 0) {
		for (size_t k = 0; k < f->nnot_in_env; k++) {
			if (str_eq_ci(f->not_in_env[k], v)) {
				free(f->not_in_env[k]);
				memmove(&f->not_in_env[k], &f->not_in_env[k + 1],
					(f->nnot_in_env - k - 1) * sizeof *f->not_in_env);
				f->nnot_in_env--;
				break;
			}
		}
	} else if (is_comparator) {
		struct schema_comparator *c = key[0] == 's' ? &f->skew : &f->drift;
		struct schema_comparator save = *c;
		if (comparator_words(c, vals, nvals, key, "", err) < 0) {
			*c = save;
			return -1;
		}
	} else {
		return pm_errcf(err, PM_E_USAGE, "schema set: unknown key \"%s\" (expected %s)", key,
				schema_set_keys);
	}
	return 0;
}

/* ---- JSON ---------------------------------------------------------------------------- */

static json_t *comparator_json(const struct schema_comparator *c)
{
	json_t *o = json_object();
	for (size_t k = 0; k < DIST_N; k++)
		if (c->has[k])
			json_object_set_new(o, dist_table[k].name, json_real(c->t[k]));
	return o;
}

bool schema_comparator_any(const struct schema_comparator *c, bool by_value)
{
	for (size_t k = 0; k < DIST_N; k++)
		if (c->has[k] && (!by_value || dist_table[k].by_value))
			return true;
	return false;
}

json_t *schema_to_json(const struct schema *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(s->name));
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++) {
		const struct schema_feature *f = &s->f[i];
		json_t *e = json_object();
		json_object_set_new(e, "name", json_string(f->name));
		json_object_set_new(e, "type", json_string(pm_type_name(f->type)));
		if (f->has_min_fraction)
			json_object_set_new(e, "min_fraction", json_real(f->min_fraction));
		if (f->has_min)
			json_object_set_new(e, "min", json_real(f->min));
		if (f->has_max)
			json_object_set_new(e, "max", json_real(f->max));
		if (f->has_domain) {
			json_t *d = json_array();
			for (size_t k = 0; k < f->ndomain; k++)
				json_array_append_new(d, json_string(f->domain[k]));
			json_object_set_new(e, "domain", d);
		}
		if (f->has_min_domain_mass)
			json_object_set_new(e, "min_domain_mass", json_real(f->min_domain_mass));
		if (f->nnot_in_env) {
			json_t *d = json_array();
			for (size_t k = 0; k < f->nnot_in_env; k++)
				json_array_append_new(d, json_string(f->not_in_env[k]));
			json_object_set_new(e, "not_in_env", d);
		}
		if (schema_comparator_any(&f->skew, false))
			json_object_set_new(e, "skew", comparator_json(&f->skew));
		if (schema_comparator_any(&f->drift, false))
			json_object_set_new(e, "drift", comparator_json(&f->drift));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "features", a);
	return o;
}
