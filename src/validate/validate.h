/* validate — statistics, schemas, anomalies and distances, with the
 * definitions of TensorFlow Data Validation (TFDV) so that numbers agree with
 * what a student of the course sees there.
 * The one header of src/validate. */
#ifndef PM_VALIDATE_H
#define PM_VALIDATE_H

#include "data/data.h"
#include "util/util.h"

#include <jansson.h>

#define STATS_BUCKETS 10     /* standard and quantiles histograms, as TFDV */
#define STATS_TOP 20         /* top values listed per string feature */
#define STATS_VERSION 1      /* bump when the cached JSON changes shape */
#define SCHEMA_MAX_DOMAIN 100 /* a string feature with more values gets no domain */

/* ---- histograms ------------------------------------------------------------
 * A bucket covers [low, high); the last bucket of a standard histogram also
 * holds its high end.  A bucket with low == high is a point mass. */
struct hist_bucket {
	double low, high, count;
};

struct histogram {
	struct hist_bucket *b;
	size_t n;
	double num_nan;   /* NaN values, outside the buckets */
	double num_inf;   /* +Inf and -Inf values, outside the buckets */
};

/* ---- statistics over an array of numbers --------------------------------- */
struct num_stats {
	size_t count;            /* values given (NaN included) */
	size_t nan, pos_inf, neg_inf, zeros;
	/* Over the non-NaN values, as TFDV: an infinite value makes mean and
	 * std infinite or NaN.  std is the population one (ddof 0). */
	double mean, std, min, max;
	double median;           /* exact: the middle value or the mean of the two */
	/* Deciles q[0] = min .. q[10] = max, by linear interpolation between
	 * order statistics (numpy's default). */
	double quantiles[STATS_BUCKETS + 1];
	/* Standard histogram: equal-width buckets over the finite values
	 * [finite min, finite max] (one point bucket when they are equal). */
	struct hist_bucket hist[STATS_BUCKETS];
	size_t nhist;
	/* Quantiles histogram: the buckets between consecutive deciles, each
	 * holding a tenth of the non-NaN values (as TFDV). */
	struct hist_bucket qhist[STATS_BUCKETS];
	size_t nqhist;
};

/* Statistics of v[0..n).  v is used as scratch: it is reordered.  With
 * sort, v ends up holding the non-NaN values in ascending order followed by
 * the NaNs (KS and PSI need that); otherwise order statistics are found by
 * selection, in linear time. */
void numstats_compute(double *v, size_t n, bool sort, struct num_stats *st);
/* Statistics of the present values of rows [0, n) of a numeric column,
 * read in place: the same figures, bit for bit, as numstats_compute over
 * the values gathered into an array, without the copy.  Scratch memory
 * comes from sc, which one thread at a time may use. */
struct numstats_scratch;
struct numstats_scratch *numstats_scratch_new(void);
void numstats_scratch_free(struct numstats_scratch *sc);
/* Room for n doubles, reused from call to call. */
double *numstats_scratch_values(struct numstats_scratch *sc, size_t n);
void numstats_column(const struct column *c, size_t n, struct numstats_scratch *sc,
		     struct num_stats *st);
/* The q-quantile (0 <= q <= 1) of sorted[0..n) by linear interpolation. */
double quantile_sorted(const double *sorted, size_t n, double q);
/* Views of the histograms of st, for the distance functions. */
struct histogram numstats_histogram(const struct num_stats *st);
struct histogram numstats_qhistogram(const struct num_stats *st);

/* ---- value counts of categorical features ---------------------------------- */
struct value_count {
	const char *value;   /* not owned: points into a frame's dictionary */
	uint32_t len;
	double count;
};

/* ---- distances ---------------------------------------------------------------
 * L-infinity: the largest absolute difference between the two normalized
 * value-count vectors (each divided by its own total), TFDV's
 * LInftyDistance.  *value gets the value where it occurs (ties go to the
 * last value in byte order, as TFDV); "" when both are empty. */
double dist_linf(const struct value_count *a, size_t na, const struct value_count *b,
		 size_t nb, const char **value, uint32_t *value_len);
/* Jensen-Shannon divergence (log base 2, capped at 1) between value counts. */
int dist_jsd_counts(const struct value_count *a, size_t na, const struct value_count *b,
		    size_t nb, double *out, struct pm_err *err);
/* Approximate Jensen-Shannon divergence between two histograms, aligned on
 * the union of their bucket boundaries (mass spread uniformly within a
 * bucket), point masses, infinities and NaNs in buckets of their own:
 * TFDV's JensenShannonDivergence(Histogram, Histogram). */
int dist_jsd_hist(const struct histogram *a, const struct histogram *b, double *out,
		  struct pm_err *err);
/* The two histograms on shared buckets, as dist_jsd_hist sees them (before
 * normalisation).  Caller frees out_a->b and out_b->b. */
void hist_align(const struct histogram *a, const struct histogram *b, struct histogram *out_a,
		struct histogram *out_b);
/* Population stability index sum((q - p) * ln(q / p)) of B (q) against the
 * baseline A (p); an empty bin counts as a proportion of PSI_EPSILON so the
 * logarithm is defined.  For value counts the bins are the values; for
 * numbers, the ten bins between the baseline's deciles. */
#define PSI_EPSILON 1e-4
double dist_psi_counts(const struct value_count *a, size_t na, const struct value_count *b,
		       size_t nb);
int dist_psi_sorted(const double *a, size_t na, const double *b, size_t nb, double *out,
		    struct pm_err *err);
/* Two-sample Kolmogorov-Smirnov statistic sup |F_A(x) - F_B(x)| of two
 * ascending arrays. */
double dist_ks(const double *a, size_t na, const double *b, size_t nb);

/* ---- distances over the baseline's quantile bins -------------------------------
 * TFDV's numeric JSD spreads each sample's values over equal-width buckets
 * of that sample's own range, so one outlier in the training data moves
 * it more than any real shift.  Binned on the baseline's deciles instead,
 * each bin holds a tenth of the baseline and the divergence of a sample of
 * the same distribution shrinks as the sample grows. */
#define QBINS_MAX STATS_BUCKETS
/* The cut points between the deciles of sorted[0..n) (n > 0), equal ones
 * merged: at most QBINS_MAX - 1 of them; returns how many. */
size_t quantile_cuts(const double *sorted, size_t n, double *cut);
/* counts[0..ncut] of v[0..n) in the bins (-inf, cut[0]], (cut[0], cut[1]],
 * .., (cut[ncut-1], +inf); NaNs are left out.  v in any order. */
void bins_count(const double *v, size_t n, const double *cut, size_t ncut, double *counts);
/* Both sides' counts over the bins between the deciles of a (ascending,
 * no NaNs, na > 0) into ca and cb (QBINS_MAX each); returns the bins. */
size_t quantile_counts(const double *a, size_t na, const double *b, size_t nb, double *ca,
		       double *cb);
/* Jensen-Shannon divergence (log base 2, capped at 1) between two count
 * vectors over the same k bins; NaN when either is empty. */
double dist_jsd_bins(const double *a, const double *b, size_t k);
/* JSD of b against the baseline a over a's decile bins, both ascending
 * without NaNs: what `compare` and monitoring report as "jsd" for numbers. */
int dist_jsd_quantiles(const double *a, size_t na, const double *b, size_t nb, double *out,
		       struct pm_err *err);
/* The counts of both sides on the union of their values (in byte order):
 * *ca and *cb get k counts each.  Caller frees both. */
void counts_align(const struct value_count *a, size_t na, const struct value_count *b,
		  size_t nb, double **ca, double **cb, size_t *k);

/* ---- the table of distances -------------------------------------------------------
 * Every distance prodml measures between two samples of a feature is a row
 * of dist_table[] (distance.c): compare's columns and JSON, its thresholds
 * and their options, schemas' skew and drift comparators, validation's
 * anomalies, monitoring's checks and diagnosis, and the TUI's compare and
 * schema views read the row, so a new distance is an enum constant here
 * and a function and a row in distance.c.
 *
 * A distance is measured on a struct dist_input: the counts of both
 * sides on shared bins (each value of a category, or the bins between the
 * baseline's deciles for numbers; a numeric feature's exact values where
 * the row asks for them), and, in `compare`, the statistics of both. */
enum dist_kind {
	DIST_LINF,          /* L-infinity of the value shares (TFDV) */
	DIST_JSD,           /* Jensen-Shannon over the value counts, or the decile bins */
	DIST_JSD_TFDV,      /* TFDV's: value counts, or equal-width histograms aligned */
	DIST_JSD_QUANTILES, /* TFDV's over the quantiles histograms */
	DIST_PSI,           /* population stability index */
	DIST_KS,            /* two-sample Kolmogorov-Smirnov */
	DIST_N
};
/* the kinds of feature a distance is measured on (dist_info.applies) */
#define DIST_CATEGORICAL 1u
#define DIST_NUMERIC 2u
struct feature_stats;
struct dist_input {
	bool categorical;
	const double *ca, *cb;   /* the counts of both sides; NULL when there are none */
	size_t k;
	const struct feature_stats *a, *b;   /* compare only, else NULL */
};
struct dist_info {
	const char *name;         /* JSON key, compare's column, the schema's word,
				     --NAME-threshold and monitor.NAME_threshold */
	const char *label;        /* in sentences: "L-infinity distance" */
	const char *short_label;  /* "L-infinity": the TUI's order "by L-infinity" */
	const char *heading;      /* the TUI's column: "Linf" */
	const char *heading_utf8; /* "L\u221e" */
	unsigned applies;         /* DIST_CATEGORICAL | DIST_NUMERIC: where compare reports it */
	unsigned headline;        /* the features it alerts on unless a schema says
				     otherwise (compare, monitoring) */
	double default_threshold; /* its threshold as a headline or comparator */
	bool comparator;          /* schemas set skew and drift thresholds of it;
				     monitoring checks it (--NAME-threshold) */
	bool by_value;            /* on numbers: the counts of each exact value,
				     not the decile bins (monitoring) */
	enum dist_kind validates; /* the distance validation holds against a
				     comparator's threshold (TFDV's own) */
	const char *anomaly;      /* validation's code when over a comparator's threshold */
	const char *summary;      /* and its summary, for `help validate` and the TUI */
	bool where;               /* compare also reports NAME_value, where it is largest */
	bool optional;            /* compare's JSON leaves it out when not measured
				     and its table never shows it */
	bool in_tui;              /* a column of the TUI's compare view */
	/* the distance, NaN when it cannot be measured on in */
	double (*measure)(const struct dist_input *in);
};
extern const struct dist_info dist_table[DIST_N];
/* The row named name, or NULL. */
const struct dist_info *dist_find(const char *name);
/* The row with anomaly code code, or NULL. */
const struct dist_info *dist_by_anomaly(const char *code);
/* The headline distance of a categorical or numeric feature. */
enum dist_kind dist_headline(bool categorical);
/* The names of the comparators in table order, each followed by suffix,
 * joined with sep and, before the last, last: ("", ", ", " or ") gives
 * "linf or jsd".  Caller frees. */
char *dist_comparator_list(const char *suffix, const char *sep, const char *last);

/* ---- a training baseline kept with a model version ----------------------------
 * What monitoring's skew checks read of the training data, per feature:
 * the rows and how many lack a value; for numbers the cut points between
 * the deciles (edges) with the training rows in each bin between them
 * (counts), TFDV's equal-width histogram (for jsd_tfdv) and, when at most
 * BASELINE_MAX_VALUES distinct, each value's count; for categories each
 * value's count, most frequent first.  Values are owned texts (numbers in
 * fmt_double's form).  Stored as JSON in the registry (versions.baseline). */
#define BASELINE_MAX_VALUES 1000
struct baseline_feature {
	char *name;
	enum pm_type type;
	bool categorical;             /* string and bool */
	size_t rows, missing;
	double edges[QBINS_MAX];      /* at most QBINS_MAX - 1 used */
	size_t nedges;
	double counts[QBINS_MAX];     /* nedges + 1 bins, as bins_count */
	struct hist_bucket hist[STATS_BUCKETS];
	size_t nhist;
	double num_nan, num_inf;
	bool has_values;
	struct value_count *values;
	size_t nvalues;
};
struct baseline {
	size_t rows;
	struct baseline_feature *f;
	size_t n;
};
void baseline_feature_compute(const struct column *c, size_t nrows, struct baseline_feature *out);
/* The baseline of the columns of f named in names (NULL-terminated; NULL:
 * every column), in f's column order. */
int baseline_compute(const struct frame *f, const char *const *names, struct baseline *out,
		     struct pm_err *err);
void baseline_feature_free(struct baseline_feature *f);
void baseline_free(struct baseline *b);
const struct baseline_feature *baseline_find(const struct baseline *b, const char *name);
/* TFDV's standard histogram of a numeric feature, for dist_jsd_hist. */
struct histogram baseline_histogram(const struct baseline_feature *f);
/* {"rows","features":[{"name","type","missing",["edges","counts",
 * "histogram":[[low,high,count]..],"nan","inf"],["values":[[v,count]..]]}]};
 * reals keep every digit, so reading it back gives the same numbers. */
json_t *baseline_to_json(const struct baseline *b);
int baseline_from_json(json_t *j, struct baseline *out, struct pm_err *err);

/* ---- significance ------------------------------------------------------------------
 * Pearson's chi-square test of homogeneity of two samples' counts over the
 * same cells (categories, or quantile bins).  Cells
 * whose expected count in the smaller sample is under CHI2_MIN_EXPECTED
 * are pooled, rarest first, so the chi-square approximation holds for
 * small windows; fewer than two cells left give p = 1. */
#define CHI2_MIN_EXPECTED 5.0
struct signif {
	double stat, df, p;   /* df 0: no other outcome was possible, p is 1 */
};
/* Whether the test could have rejected at all: a check whose margins allow
 * one table only (a feature missing on neither side, one category left)
 * has p = 1 by construction, and Holm's correction leaves it out of its
 * count as Tarone's argument allows (it can never be a false alert). */
bool signif_testable(const struct signif *t);
void signif_homogeneity(const double *a, const double *b, size_t k, struct signif *out);
/* The two-sided test of two missing shares (Fisher's exact test of the
 * 2x2 table missing / present); stat gets the difference of the shares,
 * B's minus A's. */
void signif_presence(double missing_a, double total_a, double missing_b, double total_b,
		     struct signif *out);
/* P(X > x) for X chi-square with df degrees of freedom. */
double chi2_sf(double x, double df);
/* Holm's step-down correction for checking n hypotheses at once: replaces
 * each p-value by its adjusted one (compare it with the level itself).
 * NaNs stay and do not count (pass NaN for a check that is not
 * signif_testable). */
void signif_holm(double *p, size_t n);

/* ---- when a distance is worth an alert ----------------------------------------------
 * An alert needs both: the distance over its threshold (the difference
 * matters) and, after Holm's correction over every check of the report,
 * a p-value under the level (the rows show it is not noise).  The
 * defaults (and the distances' own, in dist_table) were chosen on the
 * bundled taxi data (bench/monitor-alerts and README's Monitoring section
 * give the figures). */
#define DRIFT_DEFAULT_MISSING 0.05    /* presence: change of the missing share */
#define DRIFT_DEFAULT_ALPHA 0.005     /* the level, after Holm's correction */
struct alert_rule {
	double threshold[DIST_N];     /* of each distance as the headline */
	double missing, alpha;
};
/* The defaults: dist_table's thresholds and the ones above. */
void alert_rule_init(struct alert_rule *r);
/* Whether a check alerts: distance over threshold and adjusted p at most
 * alpha (so alpha 1 leaves the distance alone to decide). */
bool alert_rule_fires(const struct alert_rule *r, double distance, double threshold,
		      double p_adjusted);

/* ---- statistics of a frame ------------------------------------------------------ */
struct feature_stats {
	char *name;
	enum pm_type type;
	size_t count;                /* present values */
	size_t missing;
	bool numeric;                /* int, float, bool, timestamp: num is set */
	struct num_stats num;
	double *sorted;              /* with keep_sorted: non-NaN values ascending */
	size_t nsorted;
	bool categorical;            /* string and bool: values is set */
	size_t unique;
	double avg_length;           /* bytes per value, as TFDV */
	struct value_count *values;  /* each distinct value once, in no order */
	size_t nvalues;
	size_t top[STATS_TOP];       /* indexes into values: count desc, then value */
	size_t ntop;
};

struct dataset_stats {
	char *dataset;
	size_t rows;
	struct feature_stats *f;
	size_t n;
	struct name_index index; /* feature name -> position in f */
};

struct stats_options {
	const size_t *rows;    /* a subset of rows (a slice), or NULL for all */
	size_t nrows;
	bool keep_sorted;      /* fill feature_stats.sorted (for KS and PSI) */
	int threads;           /* 0: all CPUs */
	const struct progress *progress;
};

/* Statistics of every column of f: one pass per column, columns in
 * parallel.  String values point into f's dictionaries, so f must outlive
 * the result. */
int stats_compute(const struct frame *f, const struct stats_options *opt,
		  struct dataset_stats **out, struct pm_err *err);
void stats_free(struct dataset_stats *s);
const struct feature_stats *stats_feature(const struct dataset_stats *s, const char *name);
/* The `stats` JSON of DESIGN.md §4: {"dataset","rows","features":[...]}. */
json_t *stats_to_json(const struct dataset_stats *s);
json_t *feature_stats_to_json(const struct feature_stats *fs);

/* Rows of f grouped by the value of column `col`, for `stats --slice`.
 * labels[i] is the slice's value as text (NULL for missing values); rows[i]
 * its rows.  More than max_slices distinct values is an error. */
struct slices {
	size_t n;
	char **labels;
	size_t **rows;
	size_t *nrows;
};
int slices_make(const struct frame *f, const char *col, size_t max_slices, struct slices *out,
		struct pm_err *err);
void slices_free(struct slices *s);

/* ---- comparing two datasets (`compare`) ----------------------------------------------- */
struct feature_distance {
	const char *name;            /* points into the stats */
	enum pm_type type;
	const struct feature_stats *a, *b;
	bool categorical;            /* both sides are */
	bool has[DIST_N];            /* measured (dist_table says on what) */
	double v[DIST_N];
	const char *linf_value;      /* where L-infinity is largest; points into a
					frame dictionary */
	uint32_t linf_value_len;
	/* presence: the missing shares of A and B (NaN for an empty side) */
	double missing_a, missing_b;
	/* significance of the headline difference (the value counts, or the
	 * decile bins) and of the missing shares, before any correction */
	bool has_test;
	struct signif test, presence;
	/* set by compare_judge */
	double p, p_missing;         /* after Holm's correction over the report */
	double threshold;            /* of the headline distance's kind */
	bool over, alert, missing_alert;
};
/* Distances between the features that A and B share (both computed with
 * keep_sorted), in A's column order; feature limits it to one. */
int compare_stats(const struct dataset_stats *a, const struct dataset_stats *b,
		  const char *feature, struct feature_distance **out, size_t *n,
		  struct pm_err *err);
/* Judges each feature of a report with the rule: headline distance (L-inf
 * for categories, JSD over the decile bins for numbers) and missing share,
 * each against its threshold and, with Holm's correction over the 2n
 * tests, against the level. */
void compare_judge(struct feature_distance *d, size_t n, const struct alert_rule *r);
/* Distances of one feature, for validation's skew and drift checks. */
void feature_distance_compute(const struct feature_stats *a, const struct feature_stats *b,
			      struct feature_distance *d);

/* ---- a column's histogram over one or more frames (`plot hist`) -------------------
 * Numeric columns: about nbins equal-width bins with round edges (a step
 * of 1, 2, 2.5 or 5 times a power of ten) over the finite values of all
 * frames together, the last bin holding its upper edge.  String and
 * bool columns: one bin per value, most frequent in the first frame first;
 * beyond nbins values the rest are summed into "(other)". */
#define COL_HIST_MAX_FRAMES 2
struct col_hist {
	bool categorical;
	enum pm_type type;
	size_t nbins;
	double *edges;                          /* nbins + 1, numeric only */
	char **labels;                          /* nbins, categorical only */
	size_t nframes;
	double *counts[COL_HIST_MAX_FRAMES];    /* nbins each */
	size_t total[COL_HIST_MAX_FRAMES];      /* values counted per frame */
	size_t outside[COL_HIST_MAX_FRAMES];    /* NaN and infinite values left out */
};
int col_hist_compute(const struct frame *const *frames, size_t nframes, const char *col,
		     size_t nbins, struct col_hist *out, struct pm_err *err);
void col_hist_free(struct col_hist *h);

/* ---- schema -------------------------------------------------------------------------------
 * Expectations about a dataset in the way of TFDV's schema.proto, kept as a
 * readable text file (one block per feature, see schema_to_text). */
/* Thresholds of the distances with dist_table[k].comparator. */
struct schema_comparator {
	bool has[DIST_N];
	double t[DIST_N];
};
/* Whether any threshold is set; with by_value, any of a distance that
 * counts a number's exact values. */
bool schema_comparator_any(const struct schema_comparator *c, bool by_value);

struct schema_feature {
	char *name;
	enum pm_type type;
	bool has_min_fraction;
	double min_fraction;
	bool has_domain;
	char **domain;
	size_t ndomain;
	bool has_min_domain_mass;
	double min_domain_mass;
	bool has_min, has_max;
	double min, max;
	char **not_in_env;
	size_t nnot_in_env;
	struct schema_comparator skew, drift;
};

struct schema {
	char *name;
	struct schema_feature *f;
	size_t n, cap;
	/* feature name -> position in f, kept by schema_add; a schema made
	 * by hand around one feature (n = 1, no index) is scanned instead */
	struct name_index index;
};

struct schema *schema_new(const char *name);
void schema_free(struct schema *s);
struct schema_feature *schema_find(const struct schema *s, const char *feature);
struct schema_feature *schema_add(struct schema *s, const char *feature, enum pm_type type);
/* A schema from statistics: types, presence (min_fraction 1 when never
 * missing), a string domain when a string feature has at most
 * SCHEMA_MAX_DOMAIN distinct values, and with ranges each numeric
 * feature's observed [min, max]. */
struct schema *schema_infer(const struct dataset_stats *st, const char *name, bool ranges);
/* The text form: readable and diff-friendly.  Caller frees. */
char *schema_to_text(const struct schema *s);
/* Parses the text form; errors read "LABEL:LINE: message". */
int schema_parse(const char *text, size_t len, const char *label, const char *name,
		 struct schema **out, struct pm_err *err);
/* `schema set S FEATURE KEY VALUE..`: type, min_fraction, domain+, domain-,
 * min, max, min_domain_mass, not_in_env, in_env, skew DIST X,
 * drift DIST X (DIST: a comparator of dist_table); the value none clears a
 * setting.  Setting the type of
 * an unknown feature adds it. */
int schema_set(struct schema *s, const char *feature, const char *key, char *const *vals,
	       size_t nvals, struct pm_err *err);
/* Keys that schema_set accepts, for help and completion: "type|min_fraction|..". */
extern const char schema_set_keys[];
json_t *schema_to_json(const struct schema *s);
bool schema_in_env(const struct schema_feature *f, const char *env);

/* ---- anomalies ----------------------------------------------------------------------------------
 * Each anomaly type has a stable code, modelled on TFDV's AnomalyInfo. */
#define ANOMALY_MISSING_COLUMN "SCHEMA_MISSING_COLUMN"
#define ANOMALY_NEW_COLUMN "SCHEMA_NEW_COLUMN"
#define ANOMALY_UNEXPECTED_STRING "ENUM_TYPE_UNEXPECTED_STRING_VALUES"
#define ANOMALY_DOMAIN_MASS "DOMAIN_MASS_BELOW_MIN"
#define ANOMALY_DATA_TYPE "UNEXPECTED_DATA_TYPE"
#define ANOMALY_PRESENCE "FEATURE_PRESENCE_BELOW_MIN_FRACTION"
#define ANOMALY_BELOW_MIN "VALUE_BELOW_MIN"
#define ANOMALY_ABOVE_MAX "VALUE_ABOVE_MAX"
#define ANOMALY_NAN_INF "NAN_OR_INF_PRESENT"
/* the comparators' codes are in dist_table */
#define ANOMALY_NO_DATA "NO_DATA_IN_SPAN"

struct anomaly {
	char *feature;
	const char *type;      /* one of the ANOMALY_* codes */
	char *description;     /* what was found and what to do */
	json_t *detail;        /* extra fields for JSON (owned), or NULL */
};

struct anomalies {
	struct anomaly *a;
	size_t n, cap;
};

struct validate_options {
	const char *env;                       /* "training", "serving" or NULL */
	const struct dataset_stats *baseline;  /* skew: usually the training data */
	const char *baseline_name;
	const struct dataset_stats *previous;  /* drift: the previous span */
	const char *previous_name;
};

/* Checks a dataset (frame f and its statistics st) against a schema.
 * Statistics of the baseline and previous span need keep_sorted. */
int validate_dataset(const struct frame *f, const struct dataset_stats *st,
		     const struct schema *s, const struct validate_options *opt,
		     struct anomalies *out, struct pm_err *err);
void anomalies_free(struct anomalies *an);
/* {"anomalies":[{"feature","type","description",...}]} */
json_t *anomalies_to_json(const struct anomalies *an);
/* The one-line summary of an anomaly code (for help and tables). */
const char *anomaly_summary(const char *code);

/* ---- the store: schemas and cached statistics in the workspace ----------------- */
struct workspace;
/* A stored schema by name (PM_E_NOTFOUND when there is none); free with
 * schema_free. */
int schema_fetch(struct workspace *ws, const char *name, struct schema **out,
		 struct pm_err *err);
/* The schema of a dataset: the one named after it, else the latest one
 * inferred from it, else its parent's when it is a part of a split; *out is
 * NULL when it has none. */
int schema_of_dataset(struct workspace *ws, const char *dataset, struct schema **out,
		      struct pm_err *err);
/* Saves sc under sc->name, replacing its text (source NULL keeps the old
 * source), and audits it as action with detail, in one transaction. */
int schema_store(struct workspace *ws, const struct schema *sc, const char *source,
		 const char *action, const char *detail, struct pm_err *err);
/* The stored schemas by name: [{"name","features","source","updated"}]. */
int schema_list(struct workspace *ws, json_t **out, struct pm_err *err);
/* The cached statistics JSON of a dataset fingerprint and slice column
 * ("" for none); *out is NULL when there is none of this STATS_VERSION. */
int stats_cache_get(struct workspace *ws, const char *fp, const char *slice, json_t **out,
		    struct pm_err *err);
int stats_cache_put(struct workspace *ws, const char *fp, const char *slice, json_t *j,
		    struct pm_err *err);

#endif
