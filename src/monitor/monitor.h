/* monitor — service metrics, training-serving skew and drift over the
 * request log, alerts and retention.  The one header of src/monitor. */
#ifndef PM_MONITOR_H
#define PM_MONITOR_H
#include "../data/data.h"
#include "../util/util.h"
#include <jansson.h>
#include <stdint.h>

struct workspace;

#define MONITOR_DEFAULT_THRESHOLD 0.3

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

/* Nearest-rank percentile: the smallest value v[k-1] of the ascending array
 * with k = ceil(p / 100 * n) (k at least 1).  NaN when n is 0. */
double monitor_percentile(const int64_t *sorted, size_t n, double p);

struct monitor_options {
	int64_t since_us;          /* INT64_MIN: from the start of the log */
	int64_t window_us;         /* drift compares the last window to the one before */
	double threshold;          /* for every feature */
	const struct frame *baseline; /* the training data (skew); NULL: no features */
};

/* The `monitor M` JSON of DESIGN.md §4: {"model","requests","errors",
 * "latency":{"p50","p90","p95","p99"},"features":[{"name","skew","drift",
 * "threshold","alert"}], ...}. */
int monitor_summary(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    json_t **out, struct pm_err *err);

/* Opens an alert unless one of the same model, kind and feature is open.
 * *opened is set when a new one was recorded. */
int monitor_alert_raise(struct workspace *ws, const char *model, const char *kind,
			const char *feature, double value, double threshold, bool *opened,
			struct pm_err *err);
/* Open alerts as a JSON array (all with include_closed). */
int monitor_alert_list(struct workspace *ws, bool include_closed, json_t **out,
		       struct pm_err *err);
/* Closes alert id (PM_E_NOTFOUND when there is no open alert of that id). */
int monitor_alert_ack(struct workspace *ws, int64_t id, struct pm_err *err);

/* Rolls raw requests older than before_us up into one-minute rollups and
 * deletes them.  *rolled gets the number of requests removed. */
int monitor_compact(struct workspace *ws, int64_t before_us, int64_t *rolled,
		    struct pm_err *err);

#endif
