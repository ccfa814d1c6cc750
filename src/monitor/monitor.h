/* monitor — service metrics, training-serving skew and drift over the
 * request log, prediction distributions, live quality from ground truth
 * (feedback), alerts and retention.  The one header of src/monitor. */
#ifndef PM_MONITOR_H
#define PM_MONITOR_H
#include "data/data.h"
#include "util/util.h"
#include "validate/validate.h"
#include <jansson.h>
#include <stdint.h>

struct workspace;
struct baseline;
struct schema;
struct model;

#define MONITOR_DEFAULT_ERROR_RATE 0.05      /* errors / requests of a window */
#define MONITOR_DEFAULT_LATENCY_P99_MS 500.0
#define MONITOR_DEFAULT_MIN_REQUESTS 10      /* fewer in a window: no service alert */
#define MONITOR_DEFAULT_QUALITY_DROP 0.1     /* 10% worse than the evaluation */
#define MONITOR_DEFAULT_QUALITY_MIN_ROWS 30  /* fewer labelled rows: no quality alert */
#define MONITOR_DEFAULT_KEEP_DAYS 30
#define MONITOR_DEFAULT_ROLLUP_DAYS 400
#define MONITOR_MAX_WINDOWS 1000             /* the series keeps the last ones */

/* One logged request, as the server writes it to the requests table. */
struct monitor_request {
	int64_t time_us;
	const char *model;
	int64_t version;          /* 0: unknown (stored as NULL) */
	int status;               /* HTTP status */
	int64_t latency_us;
	int64_t rows;
	const char *features;     /* JSON text: [{input: value, ..}] per row */
	const char *prediction;   /* JSON text or NULL */
	const char *error;        /* or NULL */
};
int monitor_log_insert(struct workspace *ws, const struct monitor_request *r, struct pm_err *err);

/* The version of the model's most recent logged request (raw or rolled
 * up), 0 when none was logged with a version. */
int monitor_served_version(struct workspace *ws, const char *model, int64_t *version,
			   struct pm_err *err);

/* Nearest-rank percentile: the smallest value v[k-1] of the ascending array
 * with k = ceil(p / 100 * n) (k at least 1).  NaN when n is 0. */
double monitor_percentile(const int64_t *sorted, size_t n, double p);

/* How rollups keep latencies: each one rounded to 3 significant digits
 * (so within 0.5%; below 1 ms exact), counted per rounded value, the way
 * an HDR histogram does.  Percentiles over rolled-up minutes are nearest
 * ranks over these rounded values. */
int64_t monitor_round3(int64_t us);

struct monitor_options {
	int64_t since_us;          /* INT64_MIN: from the start of the log */
	int64_t window_us;         /* series buckets; drift compares the last window to the one before */
	/* Skew, drift and presence: a check alerts when its distance is over
	 * its threshold and, after Holm's correction over every check of the
	 * summary, its p-value is under alpha (the defaults are dist_table's
	 * and validate.h's DRIFT_DEFAULT_*).  threshold[k] applies to the
	 * headline distance k of a feature where the schema sets none. */
	double threshold[DIST_N], missing_threshold, alpha;
	const struct frame *baseline; /* the training data (skew); NULL: no features */
	const struct baseline *stored; /* the version's kept baseline: used instead of
					* baseline when set (its features only) */
	const struct schema *schema;  /* per-feature skew/drift comparators, or NULL */
	const char *schema_name;
	const struct model *model; /* the monitored version's model (task, classes), or NULL */
	bool all_columns;          /* skew and drift of every logged column of the baseline;
				    * else of the model's inputs only (all when no model) */
	int64_t version;           /* its version; requests logged without one count as it */
	double error_rate;         /* service alerts per window and version (0: none) */
	double latency_p99_ms;
	int64_t min_requests;
	double quality_drop;       /* relative margin under the evaluation metric */
	int64_t quality_min_rows;
};
/* Fills the defaults above (since: the start; window: 1 hour). */
void monitor_options_init(struct monitor_options *o);

/* The `monitor M` JSON of DESIGN.md §4: {"model","requests","errors",
 * "latency":{"p50","p90","p95","p99"},"features":[{"name","skew","drift",
 * "threshold","alert"}], ...} with "series" (one entry per window: service
 * metrics per version, predictions, quality), "predictions", "quality" and
 * "due" (the alerts the numbers call for; see monitor_alerts_raise).
 * Raw requests and rollups are combined, so the numbers hold after
 * `monitor compact` (latency percentiles to 3 significant digits). */
int monitor_summary(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    json_t **out, struct pm_err *err);

/* The likely causes behind a monitor_summary result, most likely first:
 * [{"kind","feature","score","text"}] (a new array).  Kinds: drift, skew,
 * new_values, vanished_values, missing_rate, latency, error_rate, quality,
 * version. */
json_t *monitor_diagnose(const json_t *summary);

/* Live quality from the feedback table: {"metric","higher_better",
 * "rows","unscored","unknown_label","metrics":{..},"windows":[{"start",
 * "end","rows","metrics",versions:[{"version","rows","metrics","eval",
 * "limit","drop"}]}]}; buckets aligned as monitor_summary's series.
 * `due` (may be NULL) gets the quality alerts the numbers call for. */
int monitor_quality(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    json_t **out, json_t *due, struct pm_err *err);

/* ---- feedback: ground truth that arrives after the predictions ------------ */
struct monitor_feedback_options {
	const struct frame *data;     /* the labels */
	const char *const *keys;      /* join columns (NULL-terminated), or NULL: every
					 column of data but the label that the log carries */
	const char *label;            /* label column of data */
	bool regression;              /* labels are numbers */
	int64_t since_us;             /* logged requests from then on */
};
/* Joins the labels to the logged rows of `model` by key and stores each
 * match in the feedback table (a row joined again is replaced).  *out gets
 * {"model","dataset","keys":[..],"label","feedback_rows","logged_rows",
 * "joined","unmatched","no_key","missing_label","unscored"}. */
int monitor_feedback_join(struct workspace *ws, const char *model,
			  const struct monitor_feedback_options *o, json_t **out, struct pm_err *err);

/* ---- alerts ------------------------------------------------------------------------- */
struct monitor_alert {
	const char *model;
	const char *kind;          /* skew drift error_rate latency quality */
	const char *feature;       /* or NULL */
	int64_t version;           /* 0: none */
	bool has_window;           /* per-window alerts are raised once per window, */
	int64_t window_us;         /* open or acknowledged; the others once while open */
	double value, threshold;
};
/* Records the alert unless it was raised already.  *opened is set when a
 * new one was recorded. */
int monitor_alert_add(struct workspace *ws, const struct monitor_alert *a, bool *opened,
		      struct pm_err *err);
/* Opens an alert unless one of the same model, kind and feature is open. */
int monitor_alert_raise(struct workspace *ws, const char *model, const char *kind,
			const char *feature, double value, double threshold, bool *opened,
			struct pm_err *err);
/* Raises the alerts of a summary's "due" list; *opened gets those that are
 * new (an array of {"kind","feature","version","window","value","threshold"}). */
int monitor_alerts_raise(struct workspace *ws, const char *model, json_t *due, json_t **opened,
			 struct pm_err *err);
/* Open alerts as a JSON array (all with include_closed). */
int monitor_alert_list(struct workspace *ws, bool include_closed, json_t **out,
		       struct pm_err *err);
/* Closes alert id (PM_E_NOTFOUND when there is no open alert of that id). */
int monitor_alert_ack(struct workspace *ws, int64_t id, struct pm_err *err);

/* ---- what lists read --------------------------------------------------------------- */
/* The requests logged for model (raw, not rolled up): how many and the
 * last id, which tell whether the log moved since. */
int monitor_log_mark(struct workspace *ws, const char *model, int64_t *n, int64_t *last,
		     struct pm_err *err);
/* Raw requests and one-minute rollups in the log. */
int monitor_log_size(struct workspace *ws, int64_t *requests, int64_t *rollups,
		     struct pm_err *err);
/* A model with logged requests (raw and rolled up), its open alerts and
 * its running servers. */
struct monitor_model {
	char *model;
	int64_t requests, errors, last_us, alerts, servers;
};
/* Every model of the log, by name. */
int monitor_models(struct workspace *ws, struct monitor_model **out, size_t *n,
		   struct pm_err *err);
void monitor_models_free(struct monitor_model *m, size_t n);
int monitor_alert_count_open(struct workspace *ws, int64_t *n, struct pm_err *err);

/* ---- retention ---------------------------------------------------------------------- */
struct monitor_compact_result {
	int64_t rolled;            /* raw requests rolled up and deleted */
	int64_t rollups_dropped;   /* rollup minutes past the rollup horizon */
	int64_t feedback_dropped;  /* feedback rows past the rollup horizon */
};
/* Rolls raw requests older than before_us up into one-minute rollups
 * (requests, errors by status, rows, batch sizes, latencies to 3
 * significant digits, predictions) and deletes them; drops rollups and
 * feedback older than drop_before_us (INT64_MIN: none).  One transaction. */
int monitor_compact(struct workspace *ws, int64_t before_us, int64_t drop_before_us,
		    struct monitor_compact_result *res, struct pm_err *err);

#endif
