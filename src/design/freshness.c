/* How stale the served model gets under a design's retraining trigger.
 * A model retrained every T seconds, each run taking t seconds, serves
 * predictions from a model whose data is on average T/2 + t old (at
 * worst T + t): uniform over the interval between runs, plus the run.  T
 * is the schedule's period, the mean interval between the files an
 * on-data glob matches (their modification times), or the mean interval
 * between the drift alerts monitoring opened for the model; with fewer
 * than two arrivals there is no interval and the estimate says why. */
#include "design.h"
#include "workspace/workspace.h"

#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The mean interval between n event times spanning span seconds. */
static json_t *from_interval(double interval, double train_s, bool have_train, const char *what,
			     const char *source)
{
	double mean = interval / 2 + train_s, worst = interval + train_s;
	char *ar = xasprintf("%s %.6g s / 2 + %.6g s training = %.6g s (at worst %.6g s)%s", what, interval,
			     train_s, mean, worst,
			     have_train ? "" : "; training time not measured, counted as 0");
	json_t *o = json_pack("{s:o,s:o,s:o,s:s,s:s}", "interval_s", json_num(interval), "mean_staleness_s",
			      json_num(mean), "max_staleness_s", json_num(worst), "arithmetic", ar,
			      "source", source);
	free(ar);
	return o;
}

static json_t *not_estimated(const char *why)
{
	return json_pack("{s:n,s:s}", "mean_staleness_s", "source", why);
}

json_t *design_freshness(struct workspace *ws, json_t *d, json_t *train)
{
	json_t *tr = json_object_get(d, "training");
	const char *kind = json_string_value(json_object_get(tr, "kind"));
	const char *model = json_string_value(json_object_get(d, "model"));
	json_t *ts = json_object_get(train, "seconds");
	bool have_train = json_is_number(ts);
	double train_s = have_train ? json_number_value(ts) : 0;
	if (strcmp(kind, "static") == 0)
		return not_estimated("static training: the model is never retrained, so its staleness "
				     "grows with its age");
	if (strcmp(kind, "schedule") == 0) {
		const char *every = json_string_value(json_object_get(tr, "every"));
		int64_t us;
		if (!every || !duration_parse(every, &us))
			return not_estimated("schedule: no period");
		char *src = xasprintf("schedule every %s", every);
		json_t *o = from_interval((double)us / 1e6, train_s, have_train, "every", src);
		free(src);
		return o;
	}
	if (strcmp(kind, "on-data") == 0) {
		const char *pat = json_string_value(json_object_get(tr, "glob"));
		glob_t g = {0};
		double lo = INFINITY, hi = -INFINITY;
		size_t n = 0;
		if (pat && glob(pat, 0, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc; i++) {
				struct stat st;
				if (stat(g.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
					continue;
				double t = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
				lo = t < lo ? t : lo;
				hi = t > hi ? t : hi;
				n++;
			}
		globfree(&g);
		if (n < 2 || !(hi > lo)) {
			char *why = xasprintf("on-data: not estimated: %zu file%s match %s, so no arrival rate "
					      "(it needs two files of different times)",
					      n, n == 1 ? "" : "s", pat ? pat : "-");
			json_t *o = not_estimated(why);
			free(why);
			return o;
		}
		char *src = xasprintf("%zu files matching %s arrived over %.6g s (their modification times)", n,
				      pat, hi - lo);
		json_t *o = from_interval((hi - lo) / (double)(n - 1), train_s, have_train,
					  "mean arrival interval", src);
		free(src);
		return o;
	}
	/* on-drift: the drift alerts monitoring opened (those of one window are one event) */
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(ws, "SELECT COUNT(DISTINCT time), (julianday(MAX(time)) - julianday(MIN(time))) * 86400"
			   " FROM alerts WHERE model = ? AND kind = 'drift'",
		       &st, &e) < 0)
		return not_estimated(e.msg);
	db_bind_text(st, 1, model, -1, DB_TRANSIENT);
	json_t *o = NULL;
	if (db_step(st) == DB_ROW) {
		int64_t n = db_column_int64(st, 0);
		double span = db_column_double(st, 1);
		if (n >= 2 && span > 0) {
			char *src = xasprintf("%lld drift alerts of model %s over %.6g s (monitoring's alerts)",
					      (long long)n, model, span);
			o = from_interval(span / (double)(n - 1), train_s, have_train, "mean interval between drift alerts",
					  src);
			free(src);
		} else {
			char *why = xasprintf("on-drift: not estimated: monitoring recorded %lld drift alert time%s "
					      "for model %s (it needs two: see `alerts`)",
					      (long long)n, n == 1 ? "" : "s", model);
			o = not_estimated(why);
			free(why);
		}
	}
	db_finalize(st);
	return o ? o : not_estimated("on-drift: cannot read the alerts");
}
