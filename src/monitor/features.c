/* Training-serving skew, drift and presence of the logged features: each
 * feature's values in the logged rows against the training data (skew)
 * and in the last window against the one before (drift).  Categorical
 * features are compared with the L-infinity distance of their value
 * shares, numeric ones with the Jensen-Shannon divergence over the bins
 * between the training data's deciles, and every feature's missing share
 * with its own threshold.  A check alerts when its distance is over the
 * threshold and the window's rows make it significant: a chi-square test
 * of the counts (Fisher's exact test for the missing shares), with Holm's
 * correction over the checks of the summary that could reject.  The
 * training side is a baseline (validate.h): the one kept with the model
 * version, or one computed from the training dataset for versions
 * registered without. */
#include "model/model.h"
#include "monitor/internal.h"
#include "validate/validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the values one feature took in a set of rows ---------------------------- */
struct fvals {
	double *num;
	size_t nnum, capnum;
	struct strdict *dict;   /* categorical values, counted in cnt */
	double *cnt;
	size_t capcnt;
	size_t missing;
};

static void fv_num(struct fvals *v, double x)
{
	xgrow((void **)&v->num, &v->capnum, v->nnum + 1, sizeof *v->num);
	v->num[v->nnum++] = x;
}

static void fv_text(struct fvals *v, const char *s, size_t len)
{
	if (!v->dict)
		v->dict = strdict_new();
	uint32_t code = strdict_intern(v->dict, s, len);
	if (code >= v->capcnt) {
		size_t old = v->capcnt;
		xgrow((void **)&v->cnt, &v->capcnt, (size_t)code + 1, sizeof *v->cnt);
		memset(v->cnt + old, 0, (v->capcnt - old) * sizeof *v->cnt);
	}
	v->cnt[code]++;
}

static size_t fv_nvalues(const struct fvals *v)
{
	return v->dict ? v->dict->n : 0;
}

static void fv_free(struct fvals *v)
{
	free(v->num);
	free(v->cnt);
	if (v->dict)
		strdict_free(v->dict);
	memset(v, 0, sizeof *v);
}

static bool col_categorical(const struct column *c)
{
	return c->type == PM_STRING || c->type == PM_BOOL;
}

static void fv_add_json(struct fvals *v, bool categorical, json_t *x)
{
	if (!x || json_is_null(x)) {
		v->missing++;
		return;
	}
	if (categorical) {
		char buf[64];
		if (json_is_string(x))
			fv_text(v, json_string_value(x), json_string_length(x));
		else if (json_is_true(x) || json_is_false(x))
			fv_text(v, json_is_true(x) ? "true" : "false", json_is_true(x) ? 4 : 5);
		else if (json_is_integer(x)) {
			int n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(x));
			fv_text(v, buf, (size_t)n);
		} else
			v->missing++;
	} else {
		if (json_is_number(x))
			fv_num(v, json_number_value(x));
		else if (json_is_string(x)) {
			double d;
			int64_t us;
			/* Timestamps are logged as text; the training column holds microseconds. */
			if (parse_double(json_string_value(x), json_string_length(x), &d))
				fv_num(v, d);
			else if (ts_parse(json_string_value(x), json_string_length(x), &us))
				fv_num(v, (double)us);
			else
				v->missing++;
		} else
			v->missing++;
	}
}

/* Value counts of a sample: categorical values as they are, numbers by
 * their exact value (for an L-infinity distance a schema asks of a numeric
 * feature).  Caller frees the array (and, for numbers, its texts). */
static struct value_count *fv_counts(const struct fvals *v, bool categorical, size_t *n)
{
	if (categorical) {
		*n = fv_nvalues(v);
		struct value_count *vc = xmalloc((*n ? *n : 1) * sizeof *vc);
		for (size_t i = 0; i < *n; i++)
			vc[i] = (struct value_count){v->dict->str[i], v->dict->len[i], v->cnt[i]};
		return vc;
	}
	struct cmap m = {0};
	for (size_t i = 0; i < v->nnum; i++)
		cmap_add(&m, v->num[i], 1);
	*n = m.n;
	struct value_count *vc = xmalloc((m.n ? m.n : 1) * sizeof *vc);
	for (size_t i = 0; i < m.n; i++) {
		char buf[64];
		fmt_double(m.key[i], buf, sizeof buf);
		vc[i] = (struct value_count){xstrdup(buf), (uint32_t)strlen(buf), (double)m.count[i]};
	}
	cmap_free(&m);
	return vc;
}

static void counts_free(struct value_count *vc, size_t n, bool categorical)
{
	if (!categorical)
		for (size_t i = 0; i < n; i++)
			free((char *)vc[i].value);
	free(vc);
}

static size_t fv_total(const struct fvals *v)
{
	size_t n = v->missing + v->nnum;
	for (size_t i = 0; i < fv_nvalues(v); i++)
		n += (size_t)v->cnt[i];
	return n;
}

/* Values of `a` that `b` lacks, as a JSON array (at most 10). */
static json_t *fv_missing_from(const struct fvals *a, const struct fvals *b)
{
	json_t *out = json_array();
	for (size_t i = 0; i < fv_nvalues(a) && json_array_size(out) < 10; i++)
		if (!b->dict || strdict_find(b->dict, a->dict->str[i], a->dict->len[i]) < 0)
			json_array_append_new(out, json_stringn(a->dict->str[i], a->dict->len[i]));
	return out;
}

static json_t *rate_or_null(size_t part, size_t whole)
{
	return whole ? json_real((double)part / (double)whole) : json_null();
}

/* ---- checks -------------------------------------------------------------------------- */
/* A check of a distance of dist_table, or (CK_MISSING) of the missing share. */
#define CK_MISSING DIST_N

struct comparator {
	int kind;
	double threshold;
};

/* The comparators of one side (skew or drift) of a feature: the schema's,
 * else the headline distance of its type with its default threshold. */
static size_t comparators_of(const struct schema_comparator *c, bool categorical,
			     const struct monitor_options *opt, struct comparator out[DIST_N])
{
	size_t n = 0;
	for (size_t k = 0; c && k < DIST_N; k++)
		if (c->has[k])
			out[n++] = (struct comparator){(int)k, c->t[k]};
	if (n == 0) {
		enum dist_kind h = dist_headline(categorical);
		out[n++] = (struct comparator){h, opt->threshold[h]};
	}
	return n;
}

/* One check's outcome; p is Holm-adjusted once all are in. */
struct outcome {
	size_t feature;   /* index into the features array */
	int side;         /* 0 skew, 1 drift */
	int kind;         /* an enum dist_kind, or CK_MISSING */
	double distance, threshold, p;
	bool testable;    /* signif_testable: counts in Holm's correction */
	bool alert;
};

struct outcomes {
	struct outcome *o;
	size_t n, cap;
};

static void outcome_add(struct outcomes *os, struct outcome o)
{
	xgrow((void **)&os->o, &os->cap, os->n + 1, sizeof *os->o);
	os->o[os->n++] = o;
}

/* One side of a check as counts: the training data's come from its
 * baseline, a window's are counted the same way, on the training deciles
 * (shared by skew and drift so that both read on one scale). */
struct side {
	const struct value_count *vc;   /* categories, or numbers' exact values */
	size_t nvc;
	bool has_vc;
	double bins[QBINS_MAX];
	size_t nbins;
	size_t missing, total;
	struct histogram hist;           /* TFDV's equal-width one, numbers only */
	/* owned when counted from a window */
	struct value_count *own_vc;
	struct num_stats st;
};

static void side_of_baseline(const struct baseline_feature *b, struct side *s)
{
	memset(s, 0, sizeof *s);
	s->vc = b->values;
	s->nvc = b->nvalues;
	s->has_vc = b->has_values;
	memcpy(s->bins, b->counts, sizeof s->bins);
	s->nbins = b->categorical ? 0 : b->nedges + 1;
	s->missing = b->missing;
	s->total = b->rows;
	if (!b->categorical)
		s->hist = baseline_histogram(b);
}

/* values: count each value (categories always; numbers only for a check
 * of a distance by_value, as it costs a map of every distinct number). */
static void side_of_window(const struct fvals *v, bool categorical, bool values,
			   const struct baseline_feature *train, struct side *s)
{
	memset(s, 0, sizeof *s);
	if (categorical || values) {
		s->own_vc = fv_counts(v, categorical, &s->nvc);
		s->vc = s->own_vc;
		s->has_vc = true;
	}
	s->missing = v->missing;
	s->total = fv_total(v);
	if (categorical)
		return;
	s->nbins = train->nedges + 1;
	bins_count(v->num, v->nnum, train->edges, train->nedges, s->bins);
	if (v->nnum) {
		double *c = xmalloc(v->nnum * sizeof *c);
		memcpy(c, v->num, v->nnum * sizeof *c);
		numstats_compute(c, v->nnum, false, &s->st);
		free(c);
		s->hist = numstats_histogram(&s->st);
	}
}

static void side_free(struct side *s, bool categorical)
{
	if (s->own_vc)
		counts_free(s->own_vc, s->nvc, categorical);
}

static bool side_empty(const struct side *s)
{
	return s->total == s->missing;
}

/* One distance and its test between the sides a and b of a feature, on
 * the value counts (categories, or a distance by_value) or the bins
 * between the training deciles. */
static void check_distance(const struct side *a, const struct side *b, bool categorical,
			   enum dist_kind kind, double *dist, double *p, bool *testable)
{
	*dist = *p = NAN;
	*testable = false;
	bool by_value = categorical || dist_table[kind].by_value;
	/* a number's exact values beyond what the baseline keeps: no distance by value */
	if (side_empty(a) || side_empty(b) || (by_value && !(a->has_vc && b->has_vc)))
		return;
	double *ca, *cb;
	size_t k;
	struct signif t;
	if (by_value) {
		counts_align(a->vc, a->nvc, b->vc, b->nvc, &ca, &cb, &k);
	} else {
		k = a->nbins;
		ca = xmalloc(k * sizeof *ca);
		cb = xmalloc(k * sizeof *cb);
		memcpy(ca, a->bins, k * sizeof *ca);
		memcpy(cb, b->bins, k * sizeof *cb);
	}
	struct dist_input in = {.categorical = categorical, .ca = ca, .cb = cb, .k = k};
	*dist = dist_table[kind].measure(&in);
	signif_homogeneity(ca, cb, k, &t);
	*p = isnan(*dist) ? NAN : t.p;
	*testable = !isnan(*dist) && signif_testable(&t);
	free(ca);
	free(cb);
}

/* TFDV's equal-width JSD of a numeric feature, kept for comparison with
 * the course's figures. */
static double jsd_tfdv(const struct side *a, const struct side *b)
{
	if (side_empty(a) || side_empty(b))
		return NAN;
	double d;
	return dist_jsd_hist(&a->hist, &b->hist, &d, NULL) == 0 ? d : NAN;
}

static void check_presence(const struct side *a, const struct side *b, double *dist, double *p,
			   bool *testable)
{
	*dist = *p = NAN;
	*testable = false;
	if (!a->total || !b->total)
		return;
	struct signif t;
	signif_presence((double)a->missing, (double)a->total, (double)b->missing, (double)b->total, &t);
	*dist = fabs(t.stat);
	*p = t.p;
	*testable = signif_testable(&t);
}

static const char *const side_name[] = {"skew", "drift"};

/* The JSON of one side of a feature from its outcomes o[0..n): the check
 * that alerts furthest over its threshold (else the one closest to it)
 * decides; with two comparators, both are listed under SIDE_checks. */
static bool side_json(const struct outcome *o, size_t n, json_t *fj, double tfdv,
		      const struct outcome **decides)
{
	const char *side = side_name[o[0].side];
	size_t best = 0;
	double best_r = -INFINITY;
	bool alert = false;
	json_t *list = n > 1 ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		double r = isfinite(o[i].distance) ? o[i].distance / o[i].threshold : -1;
		if (o[i].alert)
			r += 1e9;   /* an alerting check before any that does not */
		if (r > best_r) {
			best_r = r;
			best = i;
		}
		alert |= o[i].alert;
		if (list)
			json_array_append_new(list, json_pack("{s:s,s:o,s:f,s:o,s:b}", "distance",
							      dist_table[o[i].kind].name, "value",
							      json_num(o[i].distance),
							      "threshold", o[i].threshold, "p",
							      json_num(o[i].p), "alert",
							      o[i].alert));
	}
	char k[32];
	json_object_set_new(fj, side, json_num(o[best].distance));
	snprintf(k, sizeof k, "%s_distance", side);
	json_object_set_new(fj, k, json_string(dist_table[o[best].kind].name));
	snprintf(k, sizeof k, "%s_threshold", side);
	json_object_set_new(fj, k, json_real(o[best].threshold));
	snprintf(k, sizeof k, "%s_p", side);
	json_object_set_new(fj, k, json_num(o[best].p));
	snprintf(k, sizeof k, "%s_alert", side);
	json_object_set_new(fj, k, json_boolean(alert));
	if (!isnan(tfdv)) {
		snprintf(k, sizeof k, "%s_%s", side, dist_table[DIST_JSD_TFDV].name);
		json_object_set_new(fj, k, json_real(tfdv));
	}
	if (list) {
		snprintf(k, sizeof k, "%s_checks", side);
		json_object_set_new(fj, k, list);
	}
	*decides = &o[best];
	return alert;
}

static void presence_json(const struct outcome *sk, const struct outcome *dr, json_t *fj,
			  double threshold)
{
	json_object_set_new(fj, "missing_skew", json_num(sk->distance));
	json_object_set_new(fj, "missing_skew_p", json_num(sk->p));
	json_object_set_new(fj, "missing_drift", json_num(dr->distance));
	json_object_set_new(fj, "missing_drift_p", json_num(dr->p));
	json_object_set_new(fj, "missing_threshold", json_real(threshold));
	json_object_set_new(fj, "missing_alert", json_boolean(sk->alert || dr->alert));
}

/* What one feature's outcomes need beyond themselves to become JSON. */
struct fmeta {
	const char *name;
	double tfdv[2];   /* TFDV's JSD of skew and drift (NaN: categorical) */
};

/* Holm over every check, then the decision and the JSON of each feature. */
static void judge(struct outcomes *os, const struct fmeta *fm, json_t *feats, json_t *due,
		  const struct monitor_options *opt)
{
	double *p = xmalloc((os->n + 1) * sizeof *p);
	for (size_t i = 0; i < os->n; i++)
		p[i] = os->o[i].testable ? os->o[i].p : NAN;
	signif_holm(p, os->n);
	struct alert_rule rule = {.alpha = opt->alpha};
	for (size_t i = 0; i < os->n; i++) {
		if (os->o[i].testable)
			os->o[i].p = p[i];
		os->o[i].alert = alert_rule_fires(&rule, os->o[i].distance, os->o[i].threshold,
						    os->o[i].p);
	}
	free(p);
	/* outcomes come feature by feature: skew checks, drift checks, then
	 * the two presence checks */
	for (size_t i = 0; i < os->n;) {
		size_t f = os->o[i].feature, j = i;
		while (j < os->n && os->o[j].feature == f)
			j++;
		const struct outcome *o = &os->o[i];
		size_t n = j - i, nsk = 0, ndr = 0;
		while (nsk < n && o[nsk].side == 0 && o[nsk].kind != CK_MISSING)
			nsk++;
		while (nsk + ndr < n && o[nsk + ndr].kind != CK_MISSING)
			ndr++;
		json_t *fj = json_array_get(feats, f);
		const struct outcome *dk[2];
		bool a0 = side_json(o, nsk, fj, fm[f].tfdv[0], &dk[0]);
		bool a1 = side_json(o + nsk, ndr, fj, fm[f].tfdv[1], &dk[1]);
		const struct outcome *ms = &o[nsk + ndr], *md = &o[nsk + ndr + 1];
		presence_json(ms, md, fj, opt->missing_threshold);
		/* the keys of DESIGN.md: distance and threshold are the skew side's */
		json_object_set(fj, "distance", json_object_get(fj, "skew_distance"));
		json_object_set(fj, "threshold", json_object_get(fj, "skew_threshold"));
		json_object_set_new(fj, "alert", json_boolean(a0 || a1 || ms->alert || md->alert));
		for (int s = 0; s < 2; s++)
			if (s ? a1 : a0)
				monitor_due_add(due, side_name[s], fm[f].name, opt->version, false, 0,
						dk[s]->distance, dk[s]->threshold);
		for (const struct outcome *m = ms; m <= md; m++)
			if (m->alert)
				monitor_due_add(due, "missing", fm[f].name, opt->version, false, 0,
						m->distance, m->threshold);
		i = j;
	}
}

int monitor_features(const struct logrow *rows, size_t n, const struct monitor_options *opt,
		     int64_t cur_lo, int64_t prev_lo, json_t *feats, json_t *due,
		     struct pm_err *err)
{
	(void)err;
	const struct frame *bf = opt->stored ? NULL : opt->baseline;
	size_t nfeat = opt->stored ? opt->stored->n : bf->ncols;
	struct outcomes os = {0};
	struct fmeta *fm = xcalloc(nfeat + 1, sizeof *fm);
	for (size_t c = 0; c < nfeat; c++) {
		const char *name = opt->stored ? opt->stored->f[c].name : bf->cols[c].name;
		/* a column the model does not read (an id, or the label of a
		 * dataset fed through `monitor ingest`) does not move its
		 * predictions: by default it gets no row and raises no alert */
		if (opt->model && !opt->all_columns && transform_input_index(opt->model->tf, name) < 0)
			continue;
		bool cat = opt->stored ? opt->stored->f[c].categorical : col_categorical(&bf->cols[c]);
		struct fvals all = {0}, cur = {0}, prev = {0};
		size_t present = 0;
		for (size_t i = 0; i < n; i++) {
			json_t *fa = rows[i].features;
			size_t k;
			json_t *row;
			if (!fa)
				continue;
			json_array_foreach(fa, k, row)
			{
				json_t *x = json_is_object(row) ? json_object_get(row, name) : NULL;
				if (x)
					present++;
				fv_add_json(&all, cat, x);
				if (rows[i].time_us >= cur_lo)
					fv_add_json(&cur, cat, x);
				else if (rows[i].time_us >= prev_lo)
					fv_add_json(&prev, cat, x);
			}
		}
		if (!present) {   /* the requests do not carry it */
			fv_free(&all), fv_free(&cur), fv_free(&prev);
			continue;
		}
		struct baseline_feature own;
		const struct baseline_feature *train = &own;
		if (opt->stored)
			train = &opt->stored->f[c];
		else
			baseline_feature_compute(&bf->cols[c], bf->nrows, &own);
		const struct schema_feature *sf = opt->schema ? schema_find(opt->schema, name) : NULL;
		bool by_value = sf && (schema_comparator_any(&sf->skew, true) ||
				       schema_comparator_any(&sf->drift, true));
		struct side st, sa, sc, sp;
		side_of_baseline(train, &st);
		side_of_window(&all, cat, by_value, train, &sa);
		side_of_window(&cur, cat, by_value, train, &sc);
		side_of_window(&prev, cat, by_value, train, &sp);
		size_t fi = json_array_size(feats);
		fm[fi] = (struct fmeta){.name = name, .tfdv = {NAN, NAN}};
		if (!cat) {
			fm[fi].tfdv[0] = jsd_tfdv(&st, &sa);
			fm[fi].tfdv[1] = jsd_tfdv(&sp, &sc);
		}
		const struct side *pair[2][2] = {{&st, &sa}, {&sp, &sc}};
		for (int s = 0; s < 2; s++) {
			struct comparator cmp[DIST_N];
			size_t nc = comparators_of(sf ? (s ? &sf->drift : &sf->skew) : NULL, cat, opt, cmp);
			for (size_t i = 0; i < nc; i++) {
				struct outcome o = {.feature = fi, .side = s, .kind = cmp[i].kind,
						    .threshold = cmp[i].threshold};
				check_distance(pair[s][0], pair[s][1], cat, cmp[i].kind, &o.distance, &o.p,
					       &o.testable);
				outcome_add(&os, o);
			}
		}
		for (int s = 0; s < 2; s++) {
			struct outcome o = {.feature = fi, .side = s, .kind = CK_MISSING,
					    .threshold = opt->missing_threshold};
			check_presence(pair[s][0], pair[s][1], &o.distance, &o.p, &o.testable);
			outcome_add(&os, o);
		}
		bool from_schema = sf && (schema_comparator_any(&sf->skew, false) ||
					  schema_comparator_any(&sf->drift, false));
		json_t *fj = json_object();
		json_object_set_new(fj, "name", json_string(name));
		char src[300];
		snprintf(src, sizeof src, "schema %s", opt->schema_name ? opt->schema_name : "");
		json_object_set_new(fj, "threshold_source", json_string(from_schema ? src : "default"));
		json_object_set_new(fj, "missing_rate", rate_or_null(all.missing, fv_total(&all)));
		json_object_set_new(fj, "missing_rate_window", rate_or_null(cur.missing, fv_total(&cur)));
		json_object_set_new(fj, "missing_rate_previous", rate_or_null(prev.missing, fv_total(&prev)));
		json_object_set_new(fj, "missing_rate_training", rate_or_null(train->missing, train->rows));
		if (cat && fv_nvalues(&cur) && fv_nvalues(&prev)) {
			json_object_set_new(fj, "new_values", fv_missing_from(&cur, &prev));
			json_object_set_new(fj, "vanished_values", fv_missing_from(&prev, &cur));
		}
		json_array_append_new(feats, fj);
		side_free(&sa, cat), side_free(&sc, cat), side_free(&sp, cat);
		if (train == &own)
			baseline_feature_free(&own);
		fv_free(&all), fv_free(&cur), fv_free(&prev);
	}
	judge(&os, fm, feats, due, opt);
	free(os.o);
	free(fm);
	return 0;
}
