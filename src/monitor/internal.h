/* Shared between the files of src/monitor only: counts by value, the
 * aggregate of a set of requests, and text keys of logged values. */
#ifndef PM_MONITOR_INTERNAL_H
#define PM_MONITOR_INTERNAL_H
#include "monitor/monitor.h"
#include "workspace/workspace.h"

int monitor_db_fail(struct workspace *ws, struct pm_err *err);
/* a / b rounded down (b > 0): the window or minute of a time, before 1970 too. */
int64_t monitor_floor_div(int64_t a, int64_t b);

/* ---- counts by value ------------------------------------------------------
 * Keys are numbers (a status, a latency in microseconds, a batch size, a
 * prediction, a class index); adding the same key again adds to its count.
 * Maps merge by adding counts, which is what lets rollups of one minute
 * written by two compactions add up. */
struct cmap {
	double *key;
	int64_t *count;
	size_t n, cap;
	uint32_t *slot;   /* open addressing: index + 1 */
	size_t nslot;
};
void cmap_add(struct cmap *m, double key, int64_t count);
void cmap_merge(struct cmap *dst, const struct cmap *src);
int64_t cmap_total(const struct cmap *m);
/* Entry indexes in ascending key order (caller frees). */
size_t *cmap_order(const struct cmap *m);
/* Nearest rank over the counted values (as monitor_percentile); NaN when empty. */
double cmap_percentile(const struct cmap *m, const size_t *order, double p);
void cmap_free(struct cmap *m);
/* [[key, count], ..] in ascending key order; keys that are whole numbers
 * as JSON integers. */
json_t *cmap_to_json(const struct cmap *m);
/* Adds the pairs of such an array (NULL or malformed entries are skipped). */
void cmap_add_json(struct cmap *m, json_t *a);

/* ---- what a set of requests did ------------------------------------------ */
struct agg {
	int64_t requests, errors, rows, rows_max;
	int64_t rolled;              /* requests that came from rollups */
	struct cmap status;          /* errors only (status >= 400) */
	struct cmap latency;         /* us: exact for raw requests, 3 significant digits rolled up */
	struct cmap batch;           /* rows per request */
	struct cmap pvalues;         /* scalar predictions, 3 significant digits */
	struct cmap pclasses;        /* predicted class index */
	int64_t pnull;               /* rows predicted without a usable value */
};
void agg_free(struct agg *a);
void agg_merge(struct agg *dst, const struct agg *src);
/* One request as logged; `pred` is its parsed prediction array (or NULL),
 * binary tells that scalars are P(classes[1]) and give a class too. */
void agg_add_request(struct agg *a, int status, int64_t latency_us, int64_t rows, json_t *pred,
		     bool binary);
/* Adds the predictions of one request (an array, one entry per row). */
void agg_add_predictions(struct agg *a, json_t *pred, bool binary);

/* Reads the aggregate of a rollup row from columns c.. of st: requests,
 * errors, rows, latency_sum_us, latency_max_us, statuses, latency_hist,
 * batches, predictions. */
void rollup_agg_read(struct db_stmt *st, int c, struct agg *a);

/* Prediction rounding for distributions: 3 significant digits. */
double monitor_round3d(double v);

/* ---- text keys of values (feedback joins) ---------------------------------
 * A value as text, the same whether it comes from a logged JSON value or a
 * dataset column: integers and integral floats in decimal, other numbers
 * in their shortest round-trip form, booleans true/false, strings as they
 * are, timestamps as ts_format prints them.  False for a missing value. */
bool key_text_json(json_t *v, struct sbuf *out);
bool key_text_column(const struct column *c, size_t row, struct sbuf *out);

/* ---- the dashboard's parts ----------------------------------------------- */
struct logrow {
	int64_t time_us, latency_us, rows;
	int status;
	int64_t version;
	json_t *features;  /* array or NULL */
	json_t *pred;      /* array or NULL */
};
/* Appends an alert the numbers call for to a summary's "due" list. */
void monitor_due_add(json_t *due, const char *kind, const char *feature, int64_t version,
		     bool has_window, int64_t window_us, double value, double threshold);
/* Skew, drift and presence of each feature of the baseline that the
 * logged rows carry (rows[0..n), the last window from cur_lo, the one
 * before from prev_lo): one object per feature into feats, the alerts
 * they call for into due. */
int monitor_features(const struct logrow *rows, size_t n, const struct monitor_options *opt,
		     int64_t cur_lo, int64_t prev_lo, json_t *feats, json_t *due,
		     struct pm_err *err);

#endif
