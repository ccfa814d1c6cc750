/* monitor diagnose: the likely causes behind a monitoring summary, each
 * scored so that the strongest signal comes first. */
#include "monitor/internal.h"
#include "validate/validate.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double num_or_nan(const json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);
	return json_is_number(x) ? json_number_value(x) : NAN;
}

static void add_cause(json_t *causes, const char *kind, const char *feature, double score,
		      char *text)
{
	json_array_append_new(causes, json_pack("{s:s,s:o,s:f,s:s}", "kind", kind, "feature",
						feature ? json_string(feature) : json_null(),
						"score", score, "text", text));
	free(text);
}

static int by_score(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
	double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));
	return (x < y) - (x > y);
}

/* "L-infinity distance": the label of the distance a summary names. */
static const char *dist_label(const char *name)
{
	const struct dist_info *d = name ? dist_find(name) : NULL;
	return d ? d->label : name ? name : "distance";
}

static char *fmt_list(const json_t *a)
{
	struct sbuf b = {0};
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) sbuf_printf(&b, "%s\"%s\"", i ? ", " : "", json_string_value(x));
	return sbuf_steal(&b);
}

/* Per feature: drift and skew over 0.05, new and vanished values, a
 * missing rate that moved by 5 points. */
static void feature_causes(const json_t *res, json_t *causes)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(res, "features"), i, f)
	{
		const char *fn = json_string_value(json_object_get(f, "name"));
		const char *d = json_string_value(json_object_get(f, "distance"));
		const char *dn = dist_label(d);
		json_t *dr = json_object_get(f, "drift"), *sk = json_object_get(f, "skew");
		const char *dd = json_string_value(json_object_get(f, "drift_distance"));
		const char *ddn = dd ? dist_label(dd) : dn;
		if (json_is_number(dr) && json_number_value(dr) >= 0.05)
			add_cause(causes, "drift", fn, json_number_value(dr),
				  xasprintf("%s drifted: %s %.4f between the last window and the one "
					    "before (threshold %g)",
					    fn, ddn, json_number_value(dr), num_or_nan(f, "drift_threshold")));
		if (json_is_number(sk) && json_number_value(sk) >= 0.05)
			add_cause(causes, "skew", fn, json_number_value(sk),
				  xasprintf("%s differs from the training data: %s %.4f (threshold %g)",
					    fn, dn, json_number_value(sk), num_or_nan(f, "skew_threshold")));
		json_t *nv = json_object_get(f, "new_values"), *vv = json_object_get(f, "vanished_values");
		if (json_array_size(nv)) {
			char *l = fmt_list(nv);
			add_cause(causes, "new_values", fn, 1.0,
				  xasprintf("%s has %zu new value(s) in the last window: %s", fn,
					    json_array_size(nv), l));
			free(l);
		}
		if (json_array_size(vv)) {
			char *l = fmt_list(vv);
			add_cause(causes, "vanished_values", fn, 1.0,
				  xasprintf("%s lost %zu value(s) in the last window: %s", fn,
					    json_array_size(vv), l));
			free(l);
		}
		json_t *mw = json_object_get(f, "missing_rate_window"), *mp = json_object_get(f, "missing_rate_previous");
		if (json_is_number(mw) && json_is_number(mp) &&
		    fabs(json_number_value(mw) - json_number_value(mp)) >= 0.05)
			add_cause(causes, "missing_rate", fn,
				  fabs(json_number_value(mw) - json_number_value(mp)),
				  xasprintf("%s missing rate went from %.1f%% to %.1f%%", fn,
					    100 * json_number_value(mp), 100 * json_number_value(mw)));
	}
}

/* The last window against the one before: p99 latency up by half, the
 * error rate doubled (and at least 1%), a change of the versions served. */
static void service_causes(const json_t *res, json_t *causes)
{
	json_t *w = json_object_get(json_object_get(res, "windows"), "window");
	json_t *p = json_object_get(json_object_get(res, "windows"), "previous");
	json_t *lw = json_object_get(w, "p99"), *lp = json_object_get(p, "p99");
	if (json_is_number(lw) && json_is_number(lp) && json_number_value(lp) > 0 &&
	    json_number_value(lw) >= 1.5 * json_number_value(lp))
		add_cause(causes, "latency", NULL, json_number_value(lw) / json_number_value(lp) - 1,
			  xasprintf("latency spike: p99 %.2f ms in the last window, %.2f ms before",
				    json_number_value(lw), json_number_value(lp)));
	json_t *ew = json_object_get(w, "errors"), *ep = json_object_get(p, "errors");
	json_t *rw = json_object_get(w, "requests"), *rp = json_object_get(p, "requests");
	if (json_integer_value(rw) > 0 && json_integer_value(rp) > 0) {
		double a = (double)json_integer_value(ew) / (double)json_integer_value(rw);
		double b = (double)json_integer_value(ep) / (double)json_integer_value(rp);
		if (a >= 0.01 && a >= 2 * b)
			add_cause(causes, "error_rate", NULL, a - b + 0.5,
				  xasprintf("error rate rose to %.1f%% in the last window from %.1f%% before",
					    100 * a, 100 * b));
	}
}

/* Live quality: the last window with feedback against the evaluation.  A
 * drop with no feature over its threshold points at concept drift. */
static void quality_causes(const json_t *res, json_t *causes)
{
	bool any_alert = false;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(res, "features"), i, f)
		any_alert |= json_is_true(json_object_get(f, "alert"));
	json_t *q = json_object_get(res, "quality");
	json_t *qw = json_object_get(q, "windows");
	json_t *last = json_array_get(qw, json_array_size(qw) ? json_array_size(qw) - 1 : 0);
	size_t vi;
	json_t *vq;
	json_array_foreach(json_object_get(last, "versions"), vi, vq)
	{
		json_t *live = json_object_get(vq, "live"), *ev = json_object_get(vq, "eval");
		if (!json_is_true(json_object_get(vq, "drop")) || !json_is_number(live) || !json_is_number(ev))
			continue;
		const char *metric = json_string_value(json_object_get(q, "metric"));
		double lv = json_number_value(live), e = json_number_value(ev);
		add_cause(causes, "quality", metric, 1.5 + fabs(lv - e) / (fabs(e) > 0 ? fabs(e) : 1),
			  xasprintf("quality fell: live %s %.4f of version %lld on %lld labelled rows "
				    "from %s, evaluated at %.4f (limit %.4f)%s",
				    metric, lv, (long long)json_integer_value(json_object_get(vq, "version")),
				    (long long)json_integer_value(json_object_get(vq, "rows")),
				    json_string_value(json_object_get(last, "start")), e,
				    json_number_value(json_object_get(vq, "limit")),
				    any_alert ? ""
					      : ", while no feature is over its skew or drift threshold "
						"(concept drift)"));
	}
}

static void version_causes(const json_t *res, json_t *causes)
{
	json_t *w = json_object_get(json_object_get(res, "windows"), "window");
	json_t *p = json_object_get(json_object_get(res, "windows"), "previous");
	json_t *vw = json_object_get(w, "versions"), *vp = json_object_get(p, "versions");
	if (json_array_size(vw) && json_array_size(vp) && !json_equal(vw, vp)) {
		char *a = json_dumps(vp, JSON_COMPACT), *b = json_dumps(vw, JSON_COMPACT);
		add_cause(causes, "version", NULL, 1.0,
			  xasprintf("version change: versions %s served before, %s in the last window",
				    a, b));
		free(a), free(b);
	}
}

json_t *monitor_diagnose(const json_t *summary)
{
	json_t *causes = json_array();
	feature_causes(summary, causes);
	service_causes(summary, causes);
	quality_causes(summary, causes);
	version_causes(summary, causes);
	size_t n = json_array_size(causes);
	json_t **arr = xcalloc(n ? n : 1, sizeof *arr);
	for (size_t i = 0; i < n; i++)
		arr[i] = json_incref(json_array_get(causes, i));
	qsort(arr, n, sizeof *arr, by_score);
	json_t *sorted = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(sorted, arr[i]);
	free(arr);
	json_decref(causes);
	return sorted;
}
