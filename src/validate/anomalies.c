/* Validation of a dataset against a schema, in the way of TFDV's
 * feature_statistics_validator: every anomaly names its feature, carries a
 * stable type code and says in plain words what to do about it. */
#include "validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXAMPLES 10

static const struct {
	const char *code, *summary;
} summaries[] = {
	{ANOMALY_MISSING_COLUMN, "a feature of the schema is not in the data"},
	{ANOMALY_NEW_COLUMN, "the data has a column the schema does not know"},
	{ANOMALY_UNEXPECTED_STRING, "values outside the feature's domain"},
	{ANOMALY_DOMAIN_MASS, "less of the data than min_domain_mass is in the domain"},
	{ANOMALY_DATA_TYPE, "values of another type than the schema's"},
	{ANOMALY_PRESENCE, "fewer rows than min_fraction have a value"},
	{ANOMALY_BELOW_MIN, "values below the schema's min"},
	{ANOMALY_ABOVE_MAX, "values above the schema's max"},
	{ANOMALY_NAN_INF, "NaN or infinite values in a numeric feature"},
	{ANOMALY_NO_DATA, "the dataset has no rows"},
};

const char *anomaly_summary(const char *code)
{
	for (size_t i = 0; i < PM_ARRAY_LEN(summaries); i++)
		if (strcmp(summaries[i].code, code) == 0)
			return summaries[i].summary;
	const struct dist_info *d = dist_by_anomaly(code);
	return d ? d->summary : "";
}

static struct anomaly *add(struct anomalies *an, const char *feature, const char *type,
			   json_t *detail, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static struct anomaly *add(struct anomalies *an, const char *feature, const char *type,
			   json_t *detail, const char *fmt, ...)
{
	xgrow((void **)&an->a, &an->cap, an->n + 1, sizeof *an->a);
	struct anomaly *a = &an->a[an->n++];
	struct sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	a->feature = xstrdup(feature);
	a->type = type;
	a->description = sbuf_steal(&b);
	a->detail = detail;
	return a;
}

void anomalies_free(struct anomalies *an)
{
	for (size_t i = 0; i < an->n; i++) {
		free(an->a[i].feature);
		free(an->a[i].description);
		if (an->a[i].detail)
			json_decref(an->a[i].detail);
	}
	free(an->a);
	memset(an, 0, sizeof *an);
}

json_t *anomalies_to_json(const struct anomalies *an)
{
	json_t *o = json_object(), *a = json_array();
	for (size_t i = 0; i < an->n; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "feature", json_string(an->a[i].feature));
		json_object_set_new(e, "type", json_string(an->a[i].type));
		json_object_set_new(e, "description", json_string(an->a[i].description));
		if (an->a[i].detail)
			json_object_update(e, an->a[i].detail);
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "anomalies", a);
	return o;
}

/* ---- formatting ---------------------------------------------------------------- */

/* TFDV prints measures "up to six significant digits" */
static const char *g6(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.6g", v);
	return buf;
}

static const char *pct(double frac, char *buf, size_t n)
{
	if (frac > 0 && frac < 0.001)
		snprintf(buf, n, "<0.1%%");
	else
		snprintf(buf, n, "%.1f%%", frac * 100);
	return buf;
}

/* A value for a message: quoted, shortened when long. */
static void put_value(struct sbuf *b, const char *s, size_t len)
{
	size_t cut = len > 40 ? utf8_fit(s, 37) : len;
	if (cut > len)
		cut = len;
	sbuf_putc(b, '"');
	sbuf_add(b, s, cut);
	if (cut < len)
		sbuf_puts(b, "...");
	sbuf_putc(b, '"');
}

/* Counted example values: the most frequent first. */
struct example {
	const char *value;
	uint32_t len;
	double count;
	char num[40]; /* storage when the value is a formatted number */
};

static int cmp_example(const void *pa, const void *pb)
{
	const struct example *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->value, b->value, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Appends `"v" (12.5%), ...` for the first examples and fills detail's
 * "values" with all of them, up to MAX_EXAMPLES. */
static void list_examples(struct sbuf *b, struct example *ex, size_t n, double total,
			  json_t *detail)
{
	qsort(ex, n, sizeof *ex, cmp_example);
	json_t *vals = json_array();
	for (size_t i = 0; i < n && i < MAX_EXAMPLES; i++) {
		char p[32];
		if (i)
			sbuf_puts(b, ", ");
		put_value(b, ex[i].value, ex[i].len);
		sbuf_printf(b, " (%s)", pct(total > 0 ? ex[i].count / total : 0, p, sizeof p));
		json_t *e = json_object();
		json_object_set_new(e, "value", json_stringn(ex[i].value, ex[i].len));
		json_object_set_new(e, "count", json_integer((json_int_t)ex[i].count));
		json_object_set_new(e, "fraction", json_real(total > 0 ? ex[i].count / total : 0));
		json_array_append_new(vals, e);
	}
	if (n > MAX_EXAMPLES)
		sbuf_printf(b, " and %zu more", n - MAX_EXAMPLES);
	json_object_set_new(detail, "values", vals);
}

/* ---- type checks ------------------------------------------------------------------ */

/* Whether a string value reads as the schema's type. */
static bool text_fits(enum pm_type t, const char *s, size_t n)
{
	int64_t i;
	double d;
	bool b;
	switch (t) {
	case PM_INT: return parse_int64(s, n, &i);
	case PM_FLOAT: return parse_double(s, n, &d);
	case PM_BOOL: return data_parse_bool(s, n, &b) || (n == 1 && (s[0] == '0' || s[0] == '1'));
	case PM_TIMESTAMP: return ts_parse(s, n, &i);
	case PM_STRING: return true;
	}
	return false;
}

/* Whether a number fits the schema's (numeric) type. */
static bool num_fits(enum pm_type t, double x)
{
	switch (t) {
	case PM_INT: return isfinite(x) && x == floor(x);
	case PM_FLOAT: return true;
	case PM_BOOL: return x == 0 || x == 1;
	default: return false;
	}
}

/* Collects distinct offending numbers of column c with their counts. */
static size_t bad_numbers(const struct column *c, size_t nrows, enum pm_type want,
			  struct example **out, double *nbad)
{
	struct example *ex = NULL;
	size_t n = 0, cap = 0;
	double *seen = NULL;
	*nbad = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (!c->valid[r])
			continue;
		double x = column_num(c, r);
		if (num_fits(want, x))
			continue;
		(*nbad)++;
		size_t k;
		for (k = 0; k < n; k++)
			if (seen[k] == x || (isnan(seen[k]) && isnan(x)))
				break;
		if (k < n) {
			ex[k].count++;
			continue;
		}
		if (n >= 1000)
			continue; /* enough distinct examples to show */
		xgrow((void **)&ex, &cap, n + 1, sizeof *ex);
		seen = xrealloc(seen, cap * sizeof *seen);
		seen[n] = x;
		ex[n].count = 1;
		column_text(c, r, ex[n].num, sizeof ex[n].num);
		n++;
	}
	for (size_t k = 0; k < n; k++) {
		ex[k].value = ex[k].num;
		ex[k].len = (uint32_t)strlen(ex[k].num);
	}
	free(seen);
	*out = ex;
	return n;
}

/* Returns true when the data's type does not fit the schema's (and adds
 * the anomaly). */
static bool check_type(const struct schema *s, const struct schema_feature *sf,
		       const struct column *c, size_t nrows, const struct feature_stats *fs,
		       struct anomalies *an)
{
	enum pm_type want = sf->type, got = c->type;
	if (want == got || want == PM_STRING || (want == PM_FLOAT && got == PM_INT))
		return false;
	struct example *ex = NULL;
	size_t nex = 0;
	double nbad = 0;
	if (got == PM_STRING) {
		ex = xcalloc(fs->nvalues + 1, sizeof *ex);
		for (size_t k = 0; k < fs->nvalues; k++) {
			const struct value_count *v = &fs->values[k];
			if (text_fits(want, v->value, v->len))
				continue;
			ex[nex++] = (struct example){.value = v->value, .len = v->len, .count = v->count};
			nbad += v->count;
		}
	} else if (want != PM_TIMESTAMP && got != PM_TIMESTAMP) {
		nex = bad_numbers(c, nrows, want, &ex, &nbad);
	} else {
		/* numbers against timestamps: every value is of the wrong kind */
		nex = bad_numbers(c, nrows, PM_TIMESTAMP, &ex, &nbad);
	}
	if (nbad == 0) {
		/* e.g. floats that are all whole numbers in an int column */
		free(ex);
		return false;
	}
	json_t *d = json_object();
	json_object_set_new(d, "expected", json_string(pm_type_name(want)));
	json_object_set_new(d, "actual", json_string(pm_type_name(got)));
	json_object_set_new(d, "count", json_integer((json_int_t)nbad));
	struct sbuf b = {0};
	list_examples(&b, ex, nex, (double)fs->count, d);
	char p[32];
	const char *what = want == PM_INT     ? "integers"
			   : want == PM_FLOAT ? "numbers"
			   : want == PM_BOOL  ? "booleans (true/false, 0/1)"
					      : "timestamps";
	add(an, sf->name, ANOMALY_DATA_TYPE, d,
	    "The schema says %s, but the data reads as %s: %.0f of %zu values (%s) are not %s: "
	    "%s. Fix the values upstream, or if the new type is right change it with `schema set "
	    "%s %s type %s`.",
	    pm_type_name(want), pm_type_name(got), nbad, fs->count,
	    pct(nbad / (double)fs->count, p, sizeof p), what, b.s ? b.s : "", s->name, sf->name, pm_type_name(got));
	sbuf_free(&b);
	free(ex);
	return true;
}

/* ---- domains ------------------------------------------------------------------------ */

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_sorted(char **dom, size_t n, const char *v, size_t len)
{
	char *key = xstrndup(v, len);
	bool found = bsearch(&key, dom, n, sizeof *dom, cmp_cstr) != NULL;
	free(key);
	return found;
}

static void check_domain(const struct schema *s, const struct schema_feature *sf,
			 const struct column *c, size_t nrows, const struct feature_stats *fs,
			 struct anomalies *an)
{
	/* value counts as text: a string column has them; other types are
	 * counted here through a dictionary of their text */
	struct value_count *vals = fs->values;
	size_t nvals = fs->nvalues;
	struct strdict *tmp = NULL;
	struct value_count *own = NULL;
	if (c->type != PM_STRING && !fs->categorical) {
		tmp = strdict_new();
		double *cnt = NULL;
		size_t cap = 0;
		char buf[64];
		for (size_t r = 0; r < nrows; r++) {
			if (!c->valid[r])
				continue;
			const char *t = column_text(c, r, buf, sizeof buf);
			uint32_t code = strdict_intern(tmp, t, strlen(t));
			if (code >= cap) {
				size_t old = cap;
				xgrow((void **)&cnt, &cap, code + 1, sizeof *cnt);
				memset(cnt + old, 0, (cap - old) * sizeof *cnt);
			}
			cnt[code]++;
		}
		own = xcalloc(tmp->n + 1, sizeof *own);
		for (uint32_t k = 0; k < tmp->n; k++)
			own[k] = (struct value_count){tmp->str[k], tmp->len[k], cnt[k]};
		free(cnt);
		vals = own;
		nvals = tmp->n;
	}
	char **dom = xmalloc((sf->ndomain + 1) * sizeof *dom);
	memcpy(dom, sf->domain, sf->ndomain * sizeof *dom);
	qsort(dom, sf->ndomain, sizeof *dom, cmp_cstr);
	struct example *ex = xcalloc(nvals + 1, sizeof *ex);
	size_t nex = 0;
	double oov = 0, total = 0;
	for (size_t k = 0; k < nvals; k++) {
		total += vals[k].count;
		if (in_sorted(dom, sf->ndomain, vals[k].value, vals[k].len))
			continue;
		ex[nex++] = (struct example){.value = vals[k].value, .len = vals[k].len,
					     .count = vals[k].count};
		oov += vals[k].count;
	}
	free(dom);
	if (oov > 0 && total > 0) {
		double in = 1 - oov / total;
		char p1[32], p2[32];
		json_t *d = json_object();
		json_object_set_new(d, "fraction_in_domain", json_real(in));
		struct sbuf b = {0};
		list_examples(&b, ex, nex, total, d);
		const char *first = b.s ? b.s : "";
		if (sf->has_min_domain_mass) {
			if (in < sf->min_domain_mass) {
				json_object_set_new(d, "min_domain_mass", json_real(sf->min_domain_mass));
				add(an, sf->name, ANOMALY_DOMAIN_MASS, d,
				    "Only %s of the values are in the domain, below min_domain_mass %s; "
				    "values outside it: %s. Add the legitimate ones with `schema set %s "
				    "%s domain+ VALUE`, or fix the data upstream.",
				    pct(in, p1, sizeof p1), g6(sf->min_domain_mass, p2, sizeof p2), first,
				    s->name, sf->name);
				d = NULL;
			}
		} else {
			add(an, sf->name, ANOMALY_UNEXPECTED_STRING, d,
			    "Values not in the schema's domain: %s. If they are legitimate, add them "
			    "with `schema set %s %s domain+ VALUE` (or allow a share of other values "
			    "with min_domain_mass); otherwise fix the data upstream.",
			    first, s->name, sf->name);
			d = NULL;
		}
		if (d)
			json_decref(d);
		sbuf_free(&b);
	}
	free(ex);
	free(own);
	strdict_free(tmp);
}

/* ---- ranges, NaN and Inf --------------------------------------------------------------- */

static void check_range(const struct schema *s, const struct schema_feature *sf,
			const struct column *c, size_t nrows, const struct feature_stats *fs,
			struct anomalies *an)
{
	if (!sf->has_min && !sf->has_max)
		return;
	size_t below = 0, above = 0;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t r = 0; r < nrows; r++) {
		if (!c->valid[r])
			continue;
		double x = column_num(c, r);
		if (sf->has_min && x < sf->min) {
			below++;
			if (x < lo)
				lo = x;
		}
		if (sf->has_max && x > sf->max) {
			above++;
			if (x > hi)
				hi = x;
		}
	}
	char a[32], b[32], p[32];
	if (below) {
		json_t *d = json_object();
		json_object_set_new(d, "count", json_integer((json_int_t)below));
		json_object_set_new(d, "min", json_real(sf->min));
		json_object_set_new(d, "smallest", json_real(lo));
		add(an, sf->name, ANOMALY_BELOW_MIN, d,
		    "%zu of %zu values (%s) are below the minimum %s; the smallest is %s. Look for "
		    "bad records or a change of units upstream; if such values are valid, lower the "
		    "minimum with `schema set %s %s min %s`.",
		    below, fs->count, pct((double)below / (double)fs->count, p, sizeof p),
		    g6(sf->min, a, sizeof a), g6(lo, b, sizeof b), s->name, sf->name, b);
	}
	if (above) {
		json_t *d = json_object();
		json_object_set_new(d, "count", json_integer((json_int_t)above));
		json_object_set_new(d, "max", json_real(sf->max));
		json_object_set_new(d, "largest", json_real(hi));
		add(an, sf->name, ANOMALY_ABOVE_MAX, d,
		    "%zu of %zu values (%s) are above the maximum %s; the largest is %s. Look for "
		    "bad records or a change of units upstream; if such values are valid, raise the "
		    "maximum with `schema set %s %s max %s`.",
		    above, fs->count, pct((double)above / (double)fs->count, p, sizeof p),
		    g6(sf->max, a, sizeof a), g6(hi, b, sizeof b), s->name, sf->name, b);
	}
}

static void check_nan_inf(const struct schema_feature *sf, const struct feature_stats *fs,
			  struct anomalies *an)
{
	const struct num_stats *n = &fs->num;
	size_t inf = n->pos_inf + n->neg_inf;
	if (!fs->numeric || (n->nan == 0 && inf == 0))
		return;
	json_t *d = json_object();
	json_object_set_new(d, "nan", json_integer((json_int_t)n->nan));
	json_object_set_new(d, "pos_inf", json_integer((json_int_t)n->pos_inf));
	json_object_set_new(d, "neg_inf", json_integer((json_int_t)n->neg_inf));
	add(an, sf->name, ANOMALY_NAN_INF, d,
	    "NaN: %zu, infinite: %zu (+Inf %zu, -Inf %zu), of %zu values. They usually come from "
	    "a division by zero or an overflow upstream: fix or filter those rows before "
	    "training, since most models cannot learn from them.",
	    n->nan, inf, n->pos_inf, n->neg_inf, fs->count);
}

/* ---- skew and drift ---------------------------------------------------------------------- */

static double share(const struct feature_stats *fs, const char *v, uint32_t len)
{
	double total = 0, c = 0;
	for (size_t k = 0; k < fs->nvalues; k++) {
		total += fs->values[k].count;
		if (fs->values[k].len == len && memcmp(fs->values[k].value, v, len) == 0)
			c = fs->values[k].count;
	}
	return total > 0 ? c / total : 0;
}

static void check_comparator(const char *dataset, const struct schema *s,
			     const struct schema_feature *sf, const struct feature_stats *fs,
			     const struct schema_comparator *cmp, bool skew,
			     const struct dataset_stats *control, const char *control_name,
			     struct anomalies *an)
{
	if (!control || !schema_comparator_any(cmp, false))
		return;
	const struct feature_stats *cf = stats_feature(control, sf->name);
	if (!cf)
		return;
	struct feature_distance d;
	feature_distance_compute(cf, fs, &d);
	const char *kind = skew ? "skew" : "drift";
	const char *against = skew ? "baseline" : "previous span";
	const char *advice =
		skew ? "Training-serving skew: check that the data is produced the same way as the "
		       "baseline (same source, same transforms, same filters)"
		     : "The distribution drifted since the previous span: check the upstream source, "
		       "and consider retraining on recent data";
	char a[32], b[32], p1[32], p2[32];
	for (size_t k = 0; k < DIST_N; k++) {
		const struct dist_info *di = &dist_table[k];
		enum dist_kind m = di->validates;   /* what is held against the threshold */
		if (!cmp->has[k] || !d.has[m] || !(d.v[m] > cmp->t[k]))
			continue;
		json_t *j = json_object();
		json_object_set_new(j, "comparator", json_string(kind));
		json_object_set_new(j, "value", json_real(d.v[m]));
		json_object_set_new(j, "threshold", json_real(cmp->t[k]));
		struct sbuf where = {0};
		if (dist_table[m].where) {
			char key[64];
			snprintf(key, sizeof key, "%s_value", dist_table[m].name);
			json_object_set_new(j, key, json_stringn(d.linf_value, d.linf_value_len));
			struct sbuf v = {0};
			put_value(&v, d.linf_value, d.linf_value_len);
			sbuf_printf(&where, "; the value with the largest difference is %s (%s in %s, %s in %s)",
				    v.s, pct(share(fs, d.linf_value, d.linf_value_len), p1, sizeof p1),
				    dataset, pct(share(cf, d.linf_value, d.linf_value_len), p2, sizeof p2),
				    control_name);
			sbuf_free(&v);
		}
		add(an, sf->name, di->anomaly, j,
		    "The %s between %s and %s %s is %s, above the %s threshold %s%s. %s; raise the "
		    "threshold with `schema set %s %s %s %s X` only if the change is expected.",
		    dist_table[m].label, dataset, against, control_name, g6(d.v[m], a, sizeof a), kind,
		    g6(cmp->t[k], b, sizeof b), where.s ? where.s : "", advice, s->name, sf->name,
		    kind, di->name);
		sbuf_free(&where);
	}
}

/* ---- the whole dataset -------------------------------------------------------------------- */

int validate_dataset(const struct frame *f, const struct dataset_stats *st,
		     const struct schema *s, const struct validate_options *opt,
		     struct anomalies *out, struct pm_err *err)
{
	static const struct validate_options none = {0};
	if (!opt)
		opt = &none;
	memset(out, 0, sizeof *out);
	const char *dataset = st->dataset;
	if (st->rows == 0) {
		add(out, "", ANOMALY_NO_DATA, NULL,
		    "Dataset %s has no rows: check the step that produced it (an empty file, a "
		    "filter or a query that matched nothing).",
		    dataset);
		return 0;
	}
	struct name_index cols = {0};
	for (size_t i = 0; i < f->ncols; i++)
		name_index_add(&cols, f->cols[i].name, i);
	for (size_t i = 0; i < s->n; i++) {
		const struct schema_feature *sf = &s->f[i];
		if (!schema_in_env(sf, opt->env))
			continue;
		int64_t ci = name_index_find(&cols, sf->name);
		const struct feature_stats *fs = stats_feature(st, sf->name);
		if (ci < 0 || !fs) {
			json_t *d = json_object();
			json_object_set_new(d, "expected_type", json_string(pm_type_name(sf->type)));
			if (opt->env)
				add(out, sf->name, ANOMALY_MISSING_COLUMN, d,
				    "Column dropped: schema %s expects feature %s (%s) in environment "
				    "%s, but dataset %s has no such column. Fix the step that produces "
				    "the data; if the feature is absent in %s by design (a label at "
				    "serving), mark it with `schema set %s %s not_in_env %s`.",
				    s->name, sf->name, pm_type_name(sf->type), opt->env, dataset,
				    opt->env, s->name, sf->name, opt->env);
			else
				add(out, sf->name, ANOMALY_MISSING_COLUMN, d,
				    "Column dropped: schema %s expects feature %s (%s), but dataset %s "
				    "has no such column. Fix the step that produces the data; if the "
				    "feature is absent by design in some environment, mark it with "
				    "`schema set %s %s not_in_env ENV` and validate with --env ENV.",
				    s->name, sf->name, pm_type_name(sf->type), dataset, s->name,
				    sf->name);
			continue;
		}
		const struct column *c = &f->cols[ci];
		if (sf->has_min_fraction) {
			double frac = fs->missing == 0 ? 1.0 : (double)fs->count / (double)st->rows;
			if (frac < sf->min_fraction) {
				char p[32], m[32], q[32];
				json_t *d = json_object();
				json_object_set_new(d, "fraction", json_real(frac));
				json_object_set_new(d, "min_fraction", json_real(sf->min_fraction));
				json_object_set_new(d, "missing", json_integer((json_int_t)fs->missing));
				add(out, sf->name, ANOMALY_PRESENCE, d,
				    "Only %s of the rows have a value (min_fraction %s): %zu of %zu rows "
				    "have none. Find why values go missing upstream, or if that is expected "
				    "lower the bound with `schema set %s %s min_fraction %s`.",
				    pct(frac, p, sizeof p), g6(sf->min_fraction, m, sizeof m), fs->missing,
				    st->rows, s->name, sf->name, g6(floor(frac * 100) / 100, q, sizeof q));
			}
		}
		bool mismatch = check_type(s, sf, c, f->nrows, fs, out);
		if (sf->has_domain)
			check_domain(s, sf, c, f->nrows, fs, out);
		if (!mismatch && c->type != PM_STRING) {
			check_range(s, sf, c, f->nrows, fs, out);
			check_nan_inf(sf, fs, out);
		}
		check_comparator(dataset, s, sf, fs, &sf->skew, true, opt->baseline,
				 opt->baseline_name, out);
		check_comparator(dataset, s, sf, fs, &sf->drift, false, opt->previous,
				 opt->previous_name, out);
	}
	for (size_t i = 0; i < f->ncols; i++) {
		const struct column *c = &f->cols[i];
		if (schema_find(s, c->name))
			continue;
		json_t *d = json_object();
		json_object_set_new(d, "actual_type", json_string(pm_type_name(c->type)));
		add(out, c->name, ANOMALY_NEW_COLUMN, d,
		    "New column: %s (%s) is not in schema %s. If it is a new feature, add it with "
		    "`schema set %s %s type %s` (or infer the schema again); otherwise drop it "
		    "upstream.",
		    c->name, pm_type_name(c->type), s->name, s->name, c->name,
		    pm_type_name(c->type));
	}
	name_index_free(&cols);
	(void)err;
	return 0;
}
