/* Training-serving skew, drift and presence of the logged features: each
 * feature's values in the logged rows against the training data (skew)
 * and in the last window against the one before (drift).  Categorical
 * features are compared with the L-infinity distance of their value
 * shares, numeric ones with the Jensen-Shannon divergence over the bins
 * between the training data's deciles, and every feature's missing share
 * with its own threshold.  A check alerts when its distance is over the
 * threshold and the window's rows make it significant: a chi-square test
 * of the counts (Fisher's exact test for the missing shares), with Holm's
 * correction over all the checks of the summary. */
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

static void fv_from_column(const struct column *c, size_t nrows, struct fvals *v)
{
	char buf[64];
	for (size_t r = 0; r < nrows; r++) {
		if (!column_present(c, r)) {
			v->missing++;
			continue;
		}
		if (col_categorical(c)) {
			const char *t = column_text(c, r, buf, sizeof buf);
			fv_text(v, t, strlen(t));
		} else {
			fv_num(v, column_num(c, r));
		}
	}
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

static bool fv_empty(const struct fvals *v, bool categorical)
{
	return categorical ? fv_nvalues(v) == 0 : v->nnum == 0;
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
enum ck_kind { CK_LINF, CK_JSD, CK_MISSING };
static const char *const ck_name[] = {"linf", "jsd", "missing"};

struct comparator {
	enum ck_kind kind;
	double threshold;
};

/* The comparators of one side (skew or drift) of a feature: the schema's,
 * else the default distance of its type with its default threshold. */
static size_t comparators_of(const struct schema_comparator *c, bool categorical,
			     const struct monitor_options *opt, struct comparator out[2])
{
	size_t n = 0;
	if (c && c->has_linf)
		out[n++] = (struct comparator){CK_LINF, c->linf};
	if (c && c->has_jsd)
		out[n++] = (struct comparator){CK_JSD, c->jsd};
	if (n == 0)
		out[n++] = categorical ? (struct comparator){CK_LINF, opt->linf_threshold}
				       : (struct comparator){CK_JSD, opt->jsd_threshold};
	return n;
}

/* One check's outcome; p is Holm-adjusted once all are in. */
struct outcome {
	size_t feature;   /* index into the features array */
	int side;         /* 0 skew, 1 drift */
	enum ck_kind kind;
	double distance, threshold, p;
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

/* Bins between the training data's deciles, shared by skew and drift so
 * that both read on one scale. */
struct qbins {
	double cut[QBINS_MAX];
	size_t ncut;
};

static void qbins_of(const struct fvals *train, struct qbins *q)
{
	double *s = xmalloc((train->nnum + 1) * sizeof *s);
	if (train->nnum)
		memcpy(s, train->num, train->nnum * sizeof *s);
	struct num_stats st;
	numstats_compute(s, train->nnum, true, &st);   /* sorts, NaNs last */
	size_t n = st.count - st.nan;
	q->ncut = n ? quantile_cuts(s, n, q->cut) : 0;
	free(s);
}

/* One distance and its test between samples a and b of a feature. */
static void check_distance(const struct fvals *a, const struct fvals *b, bool categorical,
			   enum ck_kind kind, const struct qbins *q, double *dist, double *p)
{
	*dist = *p = NAN;
	if (fv_empty(a, categorical) || fv_empty(b, categorical))
		return;
	double *ca, *cb;
	size_t k;
	struct signif t;
	if (kind == CK_LINF || categorical) {
		size_t na, nb;
		struct value_count *va = fv_counts(a, categorical, &na), *vb = fv_counts(b, categorical, &nb);
		counts_align(va, na, vb, nb, &ca, &cb, &k);
		*dist = kind == CK_LINF ? dist_linf(va, na, vb, nb, NULL, NULL) : dist_jsd_bins(ca, cb, k);
		counts_free(va, na, categorical);
		counts_free(vb, nb, categorical);
	} else {
		k = q->ncut + 1;
		ca = xmalloc(k * sizeof *ca);
		cb = xmalloc(k * sizeof *cb);
		bins_count(a->num, a->nnum, q->cut, q->ncut, ca);
		bins_count(b->num, b->nnum, q->cut, q->ncut, cb);
		*dist = dist_jsd_bins(ca, cb, k);
	}
	signif_homogeneity(ca, cb, k, &t);
	*p = isnan(*dist) ? NAN : t.p;
	free(ca);
	free(cb);
}

/* TFDV's equal-width JSD of a numeric feature, kept for comparison with
 * the course's figures. */
static double jsd_tfdv(const struct fvals *a, const struct fvals *b)
{
	if (a->nnum == 0 || b->nnum == 0)
		return NAN;
	struct num_stats sa, sb;
	double *ca = xmalloc(a->nnum * sizeof *ca), *cb = xmalloc(b->nnum * sizeof *cb);
	memcpy(ca, a->num, a->nnum * sizeof *ca);
	memcpy(cb, b->num, b->nnum * sizeof *cb);
	numstats_compute(ca, a->nnum, false, &sa);
	numstats_compute(cb, b->nnum, false, &sb);
	free(ca);
	free(cb);
	struct histogram ha = numstats_histogram(&sa), hb = numstats_histogram(&sb);
	double d;
	return dist_jsd_hist(&ha, &hb, &d, NULL) == 0 ? d : NAN;
}

static void check_presence(const struct fvals *a, const struct fvals *b, double *dist, double *p)
{
	size_t ta = fv_total(a), tb = fv_total(b);
	*dist = *p = NAN;
	if (!ta || !tb)
		return;
	struct signif t;
	signif_presence((double)a->missing, (double)ta, (double)b->missing, (double)tb, &t);
	*dist = fabs(t.stat);
	*p = t.p;
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
							      ck_name[o[i].kind], "value",
							      monitor_num_or_null(o[i].distance),
							      "threshold", o[i].threshold, "p",
							      monitor_num_or_null(o[i].p), "alert",
							      o[i].alert));
	}
	char k[32];
	json_object_set_new(fj, side, monitor_num_or_null(o[best].distance));
	snprintf(k, sizeof k, "%s_distance", side);
	json_object_set_new(fj, k, json_string(ck_name[o[best].kind]));
	snprintf(k, sizeof k, "%s_threshold", side);
	json_object_set_new(fj, k, json_real(o[best].threshold));
	snprintf(k, sizeof k, "%s_p", side);
	json_object_set_new(fj, k, monitor_num_or_null(o[best].p));
	snprintf(k, sizeof k, "%s_alert", side);
	json_object_set_new(fj, k, json_boolean(alert));
	if (!isnan(tfdv)) {
		snprintf(k, sizeof k, "%s_jsd_tfdv", side);
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
	json_object_set_new(fj, "missing_skew", monitor_num_or_null(sk->distance));
	json_object_set_new(fj, "missing_skew_p", monitor_num_or_null(sk->p));
	json_object_set_new(fj, "missing_drift", monitor_num_or_null(dr->distance));
	json_object_set_new(fj, "missing_drift_p", monitor_num_or_null(dr->p));
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
		p[i] = os->o[i].p;
	signif_holm(p, os->n);
	struct alert_rule rule = {.alpha = opt->alpha};
	for (size_t i = 0; i < os->n; i++) {
		os->o[i].p = p[i];
		os->o[i].alert = alert_rule_fires(&rule, os->o[i].distance, os->o[i].threshold, p[i]);
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
	const struct frame *bf = opt->baseline;
	struct outcomes os = {0};
	struct fmeta *fm = xcalloc(bf->ncols + 1, sizeof *fm);
	for (size_t c = 0; c < bf->ncols; c++) {
		const struct column *col = &bf->cols[c];
		/* a column the model does not read (an id, or the label of a
		 * dataset fed through `monitor ingest`) does not move its
		 * predictions: by default it gets no row and raises no alert */
		if (opt->model && !opt->all_columns && transform_input_index(opt->model->tf, col->name) < 0)
			continue;
		bool cat = col_categorical(col);
		struct fvals train = {0}, all = {0}, cur = {0}, prev = {0};
		size_t present = 0;
		for (size_t i = 0; i < n; i++) {
			json_t *fa = rows[i].features;
			size_t k;
			json_t *row;
			if (!fa)
				continue;
			json_array_foreach(fa, k, row)
			{
				json_t *x = json_is_object(row) ? json_object_get(row, col->name) : NULL;
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
		fv_from_column(col, bf->nrows, &train);
		size_t fi = json_array_size(feats);
		fm[fi] = (struct fmeta){.name = col->name, .tfdv = {NAN, NAN}};
		struct qbins q = {0};
		if (!cat) {
			qbins_of(&train, &q);
			fm[fi].tfdv[0] = jsd_tfdv(&train, &all);
			fm[fi].tfdv[1] = jsd_tfdv(&prev, &cur);
		}
		const struct schema_feature *sf = opt->schema ? schema_find(opt->schema, col->name) : NULL;
		const struct fvals *pair[2][2] = {{&train, &all}, {&prev, &cur}};
		for (int s = 0; s < 2; s++) {
			struct comparator cmp[2];
			size_t nc = comparators_of(sf ? (s ? &sf->drift : &sf->skew) : NULL, cat, opt, cmp);
			for (size_t i = 0; i < nc; i++) {
				struct outcome o = {.feature = fi, .side = s, .kind = cmp[i].kind,
						    .threshold = cmp[i].threshold};
				check_distance(pair[s][0], pair[s][1], cat, cmp[i].kind, &q, &o.distance,
					       &o.p);
				outcome_add(&os, o);
			}
		}
		for (int s = 0; s < 2; s++) {
			struct outcome o = {.feature = fi, .side = s, .kind = CK_MISSING,
					    .threshold = opt->missing_threshold};
			check_presence(pair[s][0], pair[s][1], &o.distance, &o.p);
			outcome_add(&os, o);
		}
		bool from_schema = sf && (sf->skew.has_linf || sf->skew.has_jsd || sf->drift.has_linf ||
					  sf->drift.has_jsd);
		json_t *fj = json_object();
		json_object_set_new(fj, "name", json_string(col->name));
		char src[300];
		snprintf(src, sizeof src, "schema %s", opt->schema_name ? opt->schema_name : "");
		json_object_set_new(fj, "threshold_source", json_string(from_schema ? src : "default"));
		json_object_set_new(fj, "missing_rate", rate_or_null(all.missing, fv_total(&all)));
		json_object_set_new(fj, "missing_rate_window", rate_or_null(cur.missing, fv_total(&cur)));
		json_object_set_new(fj, "missing_rate_previous", rate_or_null(prev.missing, fv_total(&prev)));
		json_object_set_new(fj, "missing_rate_training", rate_or_null(train.missing, fv_total(&train)));
		if (cat && fv_nvalues(&cur) && fv_nvalues(&prev)) {
			json_object_set_new(fj, "new_values", fv_missing_from(&cur, &prev));
			json_object_set_new(fj, "vanished_values", fv_missing_from(&prev, &cur));
		}
		json_array_append_new(feats, fj);
		fv_free(&train), fv_free(&all), fv_free(&cur), fv_free(&prev);
	}
	judge(&os, fm, feats, due, opt);
	free(os.o);
	free(fm);
	return 0;
}
