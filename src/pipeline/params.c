/* Parameters of a run and `when` conditions. */
#include "pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int pipeline_values(const struct pipeline *p, char *const *overrides, size_t n, json_t **out,
		    struct pm_err *err)
{
	json_t *v = json_object();
	for (size_t i = 0; i < p->nparams; i++)
		json_object_set_new(v, p->params[i].name, json_string(p->params[i].value));
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(overrides[i], '=');
		if (!eq || eq == overrides[i]) {
			json_decref(v);
			return pm_errcf(err, PM_E_USAGE, "--param '%s': expected KEY=VALUE", overrides[i]);
		}
		char *k = xstrndup(overrides[i], (size_t)(eq - overrides[i]));
		if (!json_object_get(v, k)) {
			struct sbuf names = {0};
			for (size_t j = 0; j < p->nparams; j++)
				sbuf_printf(&names, "%s%s", j ? ", " : "", p->params[j].name);
			pm_errcf(err, PM_E_USAGE, "--param %s: pipeline %s has no parameter '%s' (it has: %s)",
				 overrides[i], p->name, k, p->nparams ? names.s : "none");
			sbuf_free(&names);
			free(k);
			json_decref(v);
			return -1;
		}
		json_object_set_new(v, k, json_string(eq + 1));
		free(k);
	}
	*out = v;
	return 0;
}

/* A JSON scalar as a command would be written with it. */
static char *scalar_text(json_t *v)
{
	char buf[64];
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		fmt_double(json_real_value(v), buf, sizeof buf);
		return xstrdup(buf);
	}
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return NULL;
}

json_t *pipeline_field(json_t *v, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save)) {
		int64_t ix;
		if (json_is_object(v))
			v = json_object_get(v, part);
		else if (json_is_array(v) && parse_int64(part, strlen(part), &ix) && ix >= 0)
			v = json_array_get(v, (size_t)ix);
		else
			v = NULL;
	}
	free(copy);
	return v;
}

/* The value of ${k}: a parameter, or STEP.FIELD of a step's result. */
static int subst_one(const char *k, json_t *values, json_t *results, const char *where,
		     struct sbuf *b, struct pm_err *err)
{
	const char *v = json_string_value(json_object_get(values, k));
	if (v) {
		sbuf_puts(b, v);
		return 0;
	}
	const char *dot = strchr(k, '.');
	if (!dot)
		return pm_errf(err, "%s: ${%s} is not a parameter", where, k);
	if (!results) {
		sbuf_printf(b, "${%s}", k);
		return 0;
	}
	char *step = xstrndup(k, (size_t)(dot - k));
	char *text = scalar_text(pipeline_field(json_object_get(results, step), dot + 1));
	int rc = 0;
	if (text)
		sbuf_puts(b, text);
	else
		rc = pm_errf(err, "%s: ${%s}: the result of step %s has no value '%s'", where, k, step, dot + 1);
	free(text);
	free(step);
	return rc;
}

int pipeline_subst(const char *text, json_t *values, json_t *results, const char *where,
		   char **out, struct pm_err *err)
{
	struct sbuf b = {0};
	const char *s = text;
	for (const char *q; (q = strstr(s, "${"));) {
		sbuf_add(&b, s, (size_t)(q - s));
		const char *e = strchr(q, '}');
		if (!e) {
			sbuf_free(&b);
			return pm_errf(err, "%s: '${' without a closing '}'", where);
		}
		char *k = xstrndup(q + 2, (size_t)(e - q - 2));
		int rc = subst_one(k, values, results, where, &b, err);
		free(k);
		if (rc < 0) {
			sbuf_free(&b);
			return -1;
		}
		s = e + 1;
	}
	sbuf_puts(&b, s);
	*out = sbuf_steal(&b);
	return 0;
}

static bool compare(double c, enum pl_op op)
{
	switch (op) {
	case PL_LT: return c < 0;
	case PL_LE: return c <= 0;
	case PL_GT: return c > 0;
	case PL_GE: return c >= 0;
	case PL_EQ: return c == 0;
	case PL_NE: return c != 0;
	}
	return false;
}

int pipeline_when(const struct pl_when *w, json_t *values, json_t *results, struct pm_err *err)
{
	json_t *f = pipeline_field(json_object_get(results, w->step), w->field);
	if (!f)
		return pm_errf(err, "when %s: the result of step %s has no field '%s'", w->text, w->step,
			       w->field);
	char *rhs;
	char *where = xasprintf("when %s", w->text);
	int rc = pipeline_subst(w->value, values, results, where, &rhs, err);
	free(where);
	if (rc < 0)
		return -1;
	double x = 0, y = 0;
	bool lnum = true;
	char buf[64] = "";
	const char *ltext = buf;
	if (json_is_array(f))
		x = (double)json_array_size(f);
	else if (json_is_object(f))
		x = (double)json_object_size(f);
	else if (json_is_number(f))
		x = json_number_value(f);
	else if (json_is_boolean(f))
		x = json_is_true(f);
	else {
		lnum = false;
		ltext = json_is_string(f) ? json_string_value(f) : "null";
	}
	bool rnum = parse_double(rhs, strlen(rhs), &y);
	if (json_is_boolean(f) && (strcmp(rhs, "true") == 0 || strcmp(rhs, "false") == 0)) {
		y = strcmp(rhs, "true") == 0;
		rnum = true;
	}
	int out;
	if (lnum && rnum) {
		out = isnan(x) || isnan(y) ? w->op == PL_NE : compare(x < y ? -1 : x > y, w->op);
	} else if (w->op == PL_EQ || w->op == PL_NE) {
		if (lnum)
			fmt_double(x, buf, sizeof buf);
		out = compare(strcmp(ltext, rhs) != 0, w->op);
	} else {
		free(rhs);
		return pm_errf(err, "when %s: '%s' and '%s' are not both numbers", w->text,
			       lnum ? "(number)" : ltext, w->value);
	}
	free(rhs);
	return out;
}
