/* features — the feature transform.
 *
 * A transform is learned from the training rows only (means, ranges,
 * quantiles, vocabularies), stored inside the model file, and applied by ONE
 * function, transform_apply, at training, evaluation, batch and online
 * prediction: training-serving skew cannot come from code.
 *
 * Each raw input value (struct ft_value) becomes part of two outputs:
 *   dense[ndense]  real numbers (scaled numerics, missing indicators, flags)
 *   cat[ncat]      one categorical index per categorical feature, already
 *                  offset into one global space of cat_total categories, so
 *                  a linear model's sparse weights are simply w[cat[j]].
 * Every categorical feature has an out-of-vocabulary and a missing category:
 * unseen values at serving land there, never crash.
 *
 * The one header of src/features. */
#ifndef PM_FEATURES_H
#define PM_FEATURES_H

#include "util/util.h"
#include "data/data.h"

#include <jansson.h>

/* One raw input value.  Numbers (int, float, bool 0/1, timestamps in
 * microseconds since 1970 UTC) are in num; strings in str/len. */
struct ft_value {
	bool missing;
	bool is_str;
	double num;
	const char *str;
	size_t len;
};

enum ft_kind {
	FT_NUMERIC,    /* dense: [clip] [log1p] scale, + missing indicator */
	FT_BUCKETIZE,  /* categorical: index of the bucket between boundaries */
	FT_ONEHOT,     /* categorical: vocabulary (top-k) + OOV */
	FT_HASH,       /* categorical: hash of the value into N buckets */
	FT_CROSS,      /* categorical: hash of several inputs' values together */
	FT_DATEPART,   /* categorical hour/day-of-week/month, or dense weekend flag */
};
enum ft_scale { FT_SCALE_STANDARDIZE, FT_SCALE_MINMAX, FT_SCALE_NONE };
enum ft_impute { FT_IMPUTE_MEAN, FT_IMPUTE_MEDIAN, FT_IMPUTE_MODE, FT_IMPUTE_CONST };
enum ft_datepart { FT_PART_HOUR, FT_PART_DOW, FT_PART_MONTH, FT_PART_WEEKEND };

/* A vocabulary: strings in rank order with a lookup table. */
struct ft_vocab {
	uint32_t n;
	char **str;
	uint32_t *len;
	uint32_t *slots;   /* open addressing, index+1; rebuilt on load */
	uint32_t nslots;
};

struct ft_feature {
	char *name;            /* the column, "a_x_b" for a cross, "ts.hour" for a part */
	enum ft_kind kind;
	int input;             /* index into transform inputs (first input of a cross) */
	int *cross;            /* FT_CROSS: input indices */
	int ncross;

	/* FT_NUMERIC (and the value-space steps of FT_BUCKETIZE) */
	bool clip;
	double clip_lo, clip_hi;
	bool log1p;            /* log1p(max(v, 0)), after clipping */
	enum ft_scale scale;
	double center, div;    /* out = (v - center) / div; learned */
	enum ft_impute impute;
	double impute_value;   /* raw-space value put in for a missing one; learned
			        * (or given, for FT_IMPUTE_CONST) */
	bool indicator;        /* adds a dense 1/0 "was missing" output */
	int indicator_mode;    /* 0 auto (when training had missing values), 1 on, -1 off */

	/* FT_BUCKETIZE */
	double *bounds;        /* ascending; bucket = number of bounds <= v */
	uint32_t nbounds;
	uint32_t quantiles;    /* >0: bounds learned as quantiles of training values */

	/* FT_ONEHOT */
	struct ft_vocab vocab;
	uint32_t topk;
	/* FT_HASH, FT_CROSS */
	uint32_t nbuckets;
	/* FT_DATEPART */
	enum ft_datepart part;
	bool unix_seconds;     /* the input is a number of seconds, not a timestamp */

	int embed_dim;         /* DNN embedding width for this feature; 0 = automatic */
	bool wide_only;        /* crosses: used by the wide part of wide & deep only */

	/* placement in the outputs (filled by fit/load) */
	int dense_off, ndense; /* dense outputs [dense_off, dense_off+ndense) */
	int cat_slot;          /* index into cat[], or -1 */
	uint32_t cat_off;      /* first global category of this feature */
	uint32_t card;         /* categories including OOV and missing */
	size_t train_missing;  /* missing values seen in the training rows */
};

struct ft_input {
	char *name;
	enum pm_type type;
};

struct transform {
	size_t ninputs;
	struct ft_input *inputs;
	size_t nfeat;
	struct ft_feature *feat;
	size_t ndense, ncat;
	uint32_t cat_total;
	size_t fit_rows;       /* rows it was learned from */
};

/* What to learn a transform over and how. */
struct ft_options {
	const char *const *columns; /* input columns, in order */
	size_t ncolumns;
	/* Overrides: "COL=STEP+STEP,COL=..." where a STEP is one of
	 *   standardize | minmax | raw | log1p | clip:LO:HI
	 *   bucketize:B1:B2:.. | bucketize:qN | onehot[:K] | hash:N | dateparts
	 *   impute:mean|median|mode|const:V | indicator | noindicator | embed:D */
	const char *spec;
	/* Crosses: "A*B[*C][:N],..." hashed into N buckets (default hash_buckets). */
	const char *crosses;
	uint32_t topk;         /* vocabulary size for one-hot (0: 1000) */
	uint32_t hash_buckets; /* buckets for crosses (0: 1000) */
	int embed_dim;         /* 0: automatic per feature */
	int threads;
};

/* Learns a transform from the given rows of f (rows NULL: all rows). */
int transform_fit(const struct frame *f, const size_t *rows, size_t nrows,
		  const struct ft_options *opt, struct transform **out, struct pm_err *err);
void transform_free(struct transform *t);

/* THE transform: inputs[ninputs] -> dense[ndense], cat[ncat].  Fails (and
 * names the feature) on a NaN or infinite number or a string that is not a
 * number where one is needed. */
int transform_apply(const struct transform *t, const struct ft_value *in, double *dense,
		    uint32_t *cat, struct pm_err *err);

/* The index of input `name`, or -1 when the transform does not read it. */
int transform_input_index(const struct transform *t, const char *name);
/* Maps the transform's inputs to columns of f (colmap[ninputs]); errors
 * name the missing column or the type that does not fit. */
int transform_bind(const struct transform *t, const struct frame *f, int *colmap,
		   struct pm_err *err);
/* One row of f as transform inputs (strings point into f). */
void transform_row_values(const struct transform *t, const struct frame *f, const int *colmap,
			  size_t row, struct ft_value *vals);
/* Rows of f through transform_apply: dense is n x ndense, cat n x ncat
 * (row-major).  Uses `threads` threads; errors name the row. */
int transform_apply_rows(const struct transform *t, const struct frame *f, const int *colmap,
			 const size_t *rows, size_t n, double *dense, uint32_t *cat, int threads,
			 struct pm_err *err);

/* Reads one text value as an input of the given type (for serving):
 * numbers, true/false, timestamps; an empty or missing token is missing.
 * Strings point into s. */
int ft_value_parse(enum pm_type type, const char *s, size_t n, struct ft_value *v,
		   struct pm_err *err);

/* The text key a value has in a vocabulary or hash: the string itself, or
 * the number printed ("%lld" when integral).  Returns the key length. */
size_t ft_value_key(const struct ft_value *v, char *buf, size_t bufsz, const char **key);

/* Vocabulary: lookup (index or -1), append, build the lookup table after
 * appending, free. */
int64_t ft_vocab_find(const struct ft_vocab *v, const char *s, size_t len);
void ft_vocab_add(struct ft_vocab *v, const char *s, size_t len);
void ft_vocab_index(struct ft_vocab *v);
void ft_vocab_free(struct ft_vocab *v);
/* As a JSON array of strings (bytes that are not UTF-8 as {"hex": ".."}). */
json_t *ft_vocab_to_json(const struct ft_vocab *v);
int ft_vocab_from_json(json_t *a, struct ft_vocab *v, struct pm_err *err);

/* Default embedding width for a categorical feature of `card` categories. */
int ft_embed_dim_auto(uint32_t card);

/* Serialisation into the model file header (doubles round-trip exactly). */
json_t *transform_to_json(const struct transform *t);
int transform_from_json(json_t *j, struct transform **out, struct pm_err *err);

#endif
