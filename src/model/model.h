/* model — linear, logistic, softmax, DNN and wide & deep models over the
 * outputs of a feature transform; their loss and gradients; predictions;
 * evaluation metrics; the math backend interface; the model file format.
 *
 * All numbers are float64.  Training math goes through a struct backend
 * (CBLAS on the CPU; --device cuda runs the step in src/train/cuda.c); predictions go through a
 * fixed-order kernel, so a row gets the same bits whether it is predicted
 * alone, in a batch, at evaluation or at serving.
 *
 * The one header of src/model. */
#ifndef PM_MODEL_H
#define PM_MODEL_H

#include "util/util.h"
#include "data/data.h"
#include "features/features.h"

#include <jansson.h>

/* ---- math backend -----------------------------------------------------------
 * Row-major matrices.  C = alpha * op(A) * op(B) + beta * C, where op(X) is X
 * or its transpose; op(A) is m x k, op(B) k x n. */
struct backend {
	const char *name;
	void (*gemm)(const struct backend *be, bool trans_a, bool trans_b, size_t m, size_t n,
		     size_t k, double alpha, const double *a, size_t lda, const double *b,
		     size_t ldb, double beta, double *c, size_t ldc);
	/* Threads the backend may use for one product; returns the previous
	 * count.  Small products run faster on one thread than they take to
	 * hand out to several. */
	int (*set_threads)(const struct backend *be, int n);
	void *ctx;
};
/* The CPU backend (OpenBLAS, opened on first use); NULL with err set when
 * the library cannot be loaded. */
const struct backend *backend_cpu(struct pm_err *err);

/* ---- random numbers: xoshiro256** seeded by splitmix64 ---------------------
 * Every random choice of training (initial weights, shuffling, dropout)
 * draws from one of these seeded from --seed, so a run is reproducible. */
struct rng {
	uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
double rng_uniform(struct rng *r);            /* [0, 1) */
double rng_normal(struct rng *r);             /* N(0, 1) */
uint64_t rng_below(struct rng *r, uint64_t n);/* [0, n) */
/* A seed derived from a seed and a number (epoch, step): independent streams. */
uint64_t rng_derive(uint64_t seed, uint64_t k);

/* ---- models -------------------------------------------------------------------- */
enum model_task { TASK_REGRESSION, TASK_BINARY, TASK_MULTICLASS };
const char *model_task_name(enum model_task t);

/* ---- model types ------------------------------------------------------------------
 * Everything that tells one model type from another outside its math is a
 * row of MODEL_TYPES: --model's words and errors, the TUI's list, the
 * trainer's choice of task and its defaults, the parameter layout and the
 * model file's "type" all read it (through model_types[]), so a new type
 * is a row here and its parts in model.c.
 *   tasks:  MT_TASK(t) of each task it learns (a label of another task is
 *           an error; with several, the label decides)
 *   parts:  MT_LINEAR  linear over the dense and one-hot inputs
 *           MT_WIDE    linear over the one-hot inputs only, with its own
 *                      optimizer (--wide-optimizer, --wide-lr)
 *           MT_DEEP    hidden layers over the dense inputs and embeddings
 *                      (--hidden, default 64,32; --dropout; --embed)
 *           MT_CLASS_OUTPUTS  one output per class, two classes included
 *   default_for: the tasks it is trained for when --model is not given
 *   adam_lr: Adam's default learning rate
 *   hint:   the types to try when the label does not suit it
 *   note:   what it learns, in a word (the TUI's list of types) */
#define MT_TASK(t) (1u << (t))
#define MT_ANY_TASK (MT_TASK(TASK_REGRESSION) | MT_TASK(TASK_BINARY) | MT_TASK(TASK_MULTICLASS))
#define MT_LINEAR 1u
#define MT_WIDE 2u
#define MT_DEEP 4u
#define MT_CLASS_OUTPUTS 8u
/*  ID         name         tasks                                        parts                         default_for                  adam_lr  hint                    note */
#define MODEL_TYPES(X)                                                                                                                                                             \
	X(LINEAR,    "linear",    MT_TASK(TASK_REGRESSION),                    MT_LINEAR,                    MT_TASK(TASK_REGRESSION),    0.01,   "logistic or softmax", "regression: a numeric label") \
	X(LOGISTIC,  "logistic",  MT_TASK(TASK_BINARY),                        MT_LINEAR,                    MT_TASK(TASK_BINARY),        0.01,   "softmax",             "two classes")                 \
	X(SOFTMAX,   "softmax",   MT_TASK(TASK_BINARY) | MT_TASK(TASK_MULTICLASS), MT_LINEAR | MT_CLASS_OUTPUTS, MT_TASK(TASK_MULTICLASS), 0.01, NULL,                  "several classes")             \
	X(DNN,       "dnn",       MT_ANY_TASK,                                 MT_DEEP,                      0,                           0.001,  NULL,                  "hidden layers, embeddings")   \
	X(WIDE_DEEP, "wide-deep", MT_ANY_TASK,                                 MT_WIDE | MT_DEEP,            0,                           0.001,  NULL,                  "linear wide part + dnn")

#define MODEL_TYPE_ENUM(id, ...) MODEL_##id,
enum model_type { MODEL_TYPES(MODEL_TYPE_ENUM) MODEL_NTYPES };
#undef MODEL_TYPE_ENUM

struct model_type_info {
	const char *name;
	unsigned tasks, parts, default_for;
	double adam_lr;
	const char *hint, *note;
};
extern const struct model_type_info model_types[MODEL_NTYPES];

/* The names as COMPLETE_WORDS takes them, "linear|logistic|...", a
 * constant for the command table. */
#define MODEL_TYPE_WORD(id, name, ...) "|" name
#define MODEL_TYPE_WORDS (MODEL_TYPES(MODEL_TYPE_WORD) + 1)

const char *model_type_name(enum model_type t);
/* The type named s (the names of model_types[], and wide_deep and widedeep
 * for wide-deep). */
bool model_type_parse(const char *s, enum model_type *t);
/* Whether type t has every part of parts (MT_DEEP ...). */
bool model_type_has(enum model_type t, unsigned parts);
/* The names of the types with every part of parts (0: all), in table
 * order, joined with sep and, before the last, with last: ("", ", ",
 * " or ") gives "dnn or wide-deep".  Caller frees. */
char *model_type_list(unsigned parts, const char *sep, const char *last);
/* The type trained for task when --model is not given. */
enum model_type model_type_default(enum model_task task);

#define MODEL_MAX_LAYERS 8
#define MODEL_MAX_BLOCKS (8 + 2 * MODEL_MAX_LAYERS)

/* A named range of the flat parameter array. */
struct pblock {
	char name[24];
	size_t off, len;
	bool l2;      /* weights take L2; biases do not */
	int group;    /* 0: deep/default optimizer, 1: wide optimizer */
};

struct model {
	enum model_type type;
	enum model_task task;
	struct transform *tf;        /* owned */
	char *label;
	enum pm_type label_type;
	/* classification: class names (label values as keys) and their
	 * training frequencies; binary: classes[1] is the positive class */
	struct ft_vocab classes;
	double *prior;
	/* regression: the model learns (y - label_mean) / label_std */
	double label_mean, label_std;
	int nout;                    /* 1, or the number of classes for softmax */
	int nhidden;
	int hidden[MODEL_MAX_LAYERS];
	double dropout;
	int *embed;                  /* per categorical slot: embedding width in the deep part, 0 none */

	size_t nparams;
	double *params;
	struct pblock blocks[MODEL_MAX_BLOCKS];
	size_t nblocks;
	/* layout */
	bool has_linear, has_deep, linear_dense;
	size_t off_wd, off_wc, off_b;   /* linear part: Wd [nout x ndense], Wc [cat_total x nout], b */
	size_t *off_emb;                /* per slot, into params */
	size_t *emb_col;                /* per slot: first column of its embedding in the deep input */
	size_t d0;                      /* deep input width */
	size_t dims[MODEL_MAX_LAYERS + 2];
	size_t off_w[MODEL_MAX_LAYERS + 1], off_bias[MODEL_MAX_LAYERS + 1];

	struct model_quant *quant;      /* NULL: float64; else int8 or fp16 (quant.c) */

	json_t *hyper;                  /* hyperparameters, as given to train */
	json_t *metrics;                /* metrics at the end of training */
	json_t *info;                   /* run, datasets, created ... */
};

struct model_spec {
	enum model_type type;
	enum model_task task;
	int nout;
	int nhidden;
	int hidden[MODEL_MAX_LAYERS];
	double dropout;
	int embed_dim;               /* 0: per feature automatic */
	uint64_t seed;
};

/* Lays out and initialises the parameters of a model over m->tf (set
 * before).  Weights of the linear part start at zero, layers He-normal. */
int model_init(struct model *m, const struct model_spec *spec, struct pm_err *err);
/* The parameter layout alone, from type, tf, nout, hidden and embed (the
 * file reader uses it to check the stored weights). */
int model_layout(struct model *m, struct pm_err *err);
void model_free(struct model *m);

/* One mini-batch of transformed rows with targets: y is the scaled target
 * (regression) or the class index (classification). */
struct batch {
	size_t n;
	const double *dense;      /* n x ndense */
	const uint32_t *cat;      /* n x ncat */
	const double *y;
};

/* Scratch memory for forward/backward over batches of up to `cap` rows. */
struct model_scratch;
struct model_scratch *model_scratch_new(const struct model *m, size_t cap);
void model_scratch_free(struct model_scratch *s);

/* Objective on a batch: mean loss (squared error on the scaled target,
 * log loss, or cross-entropy) + l2/2 * sum of squared weights.  When grad is
 * not NULL, it receives d objective / d params (nparams).  dropout_seed
 * seeds the dropout masks (training only: pass train = true). */
int model_loss_grad(const struct model *m, const struct backend *be, struct model_scratch *s,
		    const struct batch *b, double l2, bool train, uint64_t dropout_seed,
		    double *loss, double *grad, struct pm_err *err);
/* The same, telling `ready` as the backward pass finishes the gradient
 * from the top: ready->fn(ctx, from) when grad[from, nparams) is final
 * (l2 included), with decreasing `from` (each layer's start, model_grad_
 * layers), the last call with 0; not called for an empty batch.  A
 * trainer starts summing the last layers over its workers while the
 * earlier ones are still being computed. */
struct grad_ready {
	void (*fn)(void *ctx, size_t from);
	void *ctx;
};
int model_loss_grad_ready(const struct model *m, const struct backend *be,
			  struct model_scratch *s, const struct batch *b, double l2, bool train,
			  uint64_t dropout_seed, double *loss, double *grad,
			  const struct grad_ready *ready, struct pm_err *err);
/* Where those calls cut the parameters: from[0] > from[1] > ... > 0 = the
 * last (at most MODEL_MAX_LAYERS + 2); returns how many. */
int model_grad_layers(const struct model *m, size_t *from);

/* Predictions for transformed rows: out is n x nout: the value
 * (regression, in label units), P(positive) (binary) or class
 * probabilities (multiclass).  Fixed-order arithmetic: each row's result
 * does not depend on the other rows. */
void model_predict_rows(const struct model *m, const double *dense, const uint32_t *cat,
			size_t n, double *out);
/* The same from raw input values (one row), through transform_apply. */
int model_predict_values(const struct model *m, const struct ft_value *in, double *out,
			 struct pm_err *err);
/* Rows of a frame (rows NULL: all), through transform_apply_rows. */
int model_predict_frame(const struct model *m, const struct frame *f, const size_t *rows,
			size_t n, int threads, double *out, struct pm_err *err);

/* Label of a row as a model target: *y is the value (regression) or the
 * class index; returns 1 when usable, 0 when missing, -1 when the class is
 * unknown to the model. */
int model_label_value(const struct model *m, const struct column *c, size_t row, double *y);
/* The text key of a label value: false/true for bools, numbers as
 * ft_value_key prints them, strings as they are. */
size_t model_label_key(const struct column *c, size_t row, char *buf, size_t n, const char **key);

/* ---- judging a model on a dataset -------------------------------------------------- */
#define MODEL_MAX_SLICES 1000

/* Metrics of predictions; a binary model is judged at `threshold` (the
 * probability from which a prediction counts as positive). */
json_t *model_eval_metrics(const struct model *m, const double *y, const double *pred, size_t n,
			   double threshold);

struct model_eval {
	json_t *metrics;   /* overall */
	json_t *slices;    /* [{slice, value (null: missing), rows, metrics}], largest first */
	size_t rows;       /* rows judged */
	size_t missing_label, unknown_label; /* rows skipped */
};
/* Predicts every row of f with a usable label and measures the model,
 * overall and (slice_col >= 0) per value of that column, at most
 * MODEL_MAX_SLICES of them. */
int model_evaluate(const struct model *m, const struct frame *f, int slice_col, double threshold,
		   int threads, struct model_eval *out, struct pm_err *err);
void model_eval_free(struct model_eval *e);
/* Whether column sc of f has at most MODEL_MAX_SLICES values to slice by
 * (the error model_evaluate would give, found before any work). */
int model_slice_check(const struct frame *f, int sc, struct pm_err *err);
/* The slices as a version records them: {"COL=VALUE": metrics}, the key a
 * promotion policy's slice_floor names; the missing-value slice is left out. */
json_t *model_slice_record(const json_t *slices);

/* ---- model files ------------------------------------------------------------------
 * "PRODMLMD" | u32 format | u32 0 | u64 header length | header JSON
 * (schema, transform, model, hyperparameters, metrics, info, arrays) |
 * u64 count | that many float64 (little endian) | sha256 of all before. */
#define MODEL_FORMAT_VERSION 1
/* quantized models: numbers then "u64 count | bytes" before the sha256 */
#define MODEL_FORMAT_QUANT 2

struct model_array {
	char *name;
	double *data;
	size_t len;
};

/* Serialises m (its params first) and extra arrays; `extra_header` is
 * stored under "extra" (checkpoints keep their state there). */
int model_serialize(const struct model *m, json_t *extra_header, const struct model_array *extra,
		    size_t nextra, struct sbuf *out, struct pm_err *err);
/* Parses and checks (magic, version, lengths, checksum) a model file image.
 * extra/extra_header may be NULL when not wanted. */
int model_deserialize(const void *data, size_t len, const char *label, struct model **out,
		      json_t **extra_header, struct model_array **extra, size_t *nextra,
		      struct pm_err *err);
int model_load_file(const char *path, struct model **out, struct pm_err *err);
void model_arrays_free(struct model_array *a, size_t n);
/* The header document of a model (what `models show` prints of it). */
json_t *model_header_json(const struct model *m);

/* ---- export to ONNX (src/model/export-onnx.c) -----------------------------------------
 * The model with its transform as an ONNX graph (ai.onnx opset 13,
 * ai.onnx.ml opset 2): one [N,1] input per raw input of the transform
 * (tensor(string) for strings; tensor(double) for numbers, bools 0/1 and
 * timestamps in microseconds; NaN or "" when missing) and one output,
 * "prediction" [N,K] as model_predict_rows gives it.  Written atomically
 * to path; `name` (M:V) names the graph.  Hashed features and crosses
 * have no ONNX operator: an error names the feature.  Built with
 * protobuf-c; without it (no protobuf-c, or configure --without-onnx)
 * an error says how to get it. */
struct model_onnx_info {
	size_t bytes, nodes;
	int opset, ml_opset;
};
int model_export_onnx(const struct model *m, const char *name, const char *path,
		      struct model_onnx_info *info, struct pm_err *err);

/* ---- metrics ------------------------------------------------------------------------ */
/* ROC AUC with ties counted half (the Mann-Whitney statistic); NaN when
 * one class is absent. */
double metric_auc(const double *y, const double *score, size_t n);
/* Average precision (the step-wise area under the precision-recall curve,
 * as scikit-learn's average_precision_score); NaN without positives. */
double metric_pr_auc(const double *y, const double *score, size_t n);
/* rmse, mae, r2, baseline_rmse/baseline_mae (predicting `train_mean`). */
json_t *metrics_regression(const double *y, const double *pred, size_t n, double train_mean);
/* auc, pr_auc, accuracy, precision, recall, f1, logloss, confusion matrix
 * [[tn, fp], [fn, tp]] at `threshold`, and the majority-class baseline
 * (accuracy) and prior baseline (logloss of predicting `prior_pos`). */
json_t *metrics_binary(const double *y, const double *p, size_t n, double threshold,
		       double prior_pos);
/* accuracy, logloss, macro precision/recall/f1, macro one-vs-rest auc,
 * confusion matrix (rows: true class), baselines. */
json_t *metrics_multiclass(const double *y, const double *prob, size_t n, size_t k,
			   const double *prior, const struct ft_vocab *classes);
/* Metrics for a model's task from targets and predictions. */
json_t *model_metrics(const struct model *m, const double *y, const double *pred, size_t n);
/* The held-out loss watched at each epoch (keeping the best epoch, early
 * stopping): "rmse" for regression, "logloss" for classification; lower
 * is better. */
const char *model_loss_metric(const struct model *m);
/* The one metric a version is judged by everywhere: shown by train,
 * evaluate, `models` and the TUI, compared by the promotion gate and by
 * monitoring with feedback.  rmse for "regression", auc for "binary",
 * accuracy for "multiclass" (a task name as model_task_name gives it);
 * NULL for an unknown task.  *higher_better (may be NULL) its direction. */
const char *model_primary_metric(const char *task, bool *higher_better);
/* Whether a larger value of a metric of evaluate is better; *known
 * (may be NULL) is false for names that are not such metrics. */
bool model_metric_higher_better(const char *name, bool *known);

/* ---- post-training quantization (quant.c, qkernel.c) ----------------------------
 * Of a model with a deep part (dnn, wide-deep): the hidden and output
 * layers' weights and the embedding tables become int8 (symmetric, one
 * scale per output row of a layer and per embedding row) or fp16 halves.
 * Biases, the wide/linear part and the transform stay float64: they are
 * small or lookups, and the transform must stay exact.
 *   int8 layers: the layer's input is quantized to int8 (scale max|a|/127:
 *     per row, "dynamic", or fixed per layer from calibration rows,
 *     "static"); int8 x int8 products accumulate in int32 exactly, then
 *     out = acc * (w_scale * a_scale) + bias in double.
 *   fp16 layers: halves widened to float, products and sums in float.
 * m->params holds the dequantized values, so the layout, the file reader's
 * checks and the wide part read as for a float model. */
enum quant_kind { QUANT_NONE, QUANT_INT8, QUANT_FP16 };
enum quant_mode { QUANT_DYNAMIC, QUANT_STATIC };

struct quant_layer {
	size_t din, dout, stride;    /* stride: din padded to QK_ALIGN (zero bytes) */
	int8_t *w8;                  /* int8: dout x stride */
	double *scale;               /* int8: dout per-row weight scales */
	int32_t *rowsum;             /* int8: dout sums of each row's weights */
	float *wf;                   /* fp16: dout x din, the halves widened */
	uint16_t *w16;               /* fp16: the halves as stored */
	double act_scale;            /* int8 static: the input's fixed scale */
};

/* The int8 kernels, one set per instruction set (qkernel.c):
 *   gemv:     acc[k] = sum_i w[k*stride + i] * q[i] over stride (a
 *             multiple of QK_ALIGN; padding is zero), int32, exact;
 *             rowsum[k] = sum_i w[k*stride + i] (for kernels that shift
 *             q to unsigned);
 *   quantize: q[i] = a[i] * inv clamped to [-127, 127], rounded half away
 *             from zero;
 *   requant:  o[k] = acc[k] * (scale[k] * s) + bias[k], then relu;
 *   absmax:   max |a[i]| (0 for none), the dynamic scale times 127.
 * Every set gives the same bits (element-wise IEEE operations, no fused
 * multiply-add; integer sums exact in any order). */
#define QK_ALIGN 64
struct qk_ops {
	const char *name;
	void (*gemv)(const int8_t *w, const int32_t *rowsum, size_t dout, size_t stride, const int8_t *q,
		     int32_t *acc);
	void (*quantize)(const double *a, size_t n, double inv, int8_t *q);
	void (*requant)(const int32_t *acc, const double *scale, const double *bias, double s, size_t n,
			bool relu, double *o);
	double (*absmax)(const double *a, size_t n);
};
/* "portable", "avx2", "avx512vnni": that set, NULL when this CPU (or
 * build) lacks it; NULL: the best this CPU has (chosen with
 * __builtin_cpu_supports). */
const struct qk_ops *qk_ops_get(const char *name);

struct model_quant {
	enum quant_kind kind;
	enum quant_mode mode;
	int nlayers;                 /* nhidden + 1 */
	struct quant_layer layer[MODEL_MAX_LAYERS + 1];
	int8_t *emb8;                /* int8: the embeddings block, one byte per value */
	double *emb_scale;           /* int8: per embedding row (rows in block order) */
	uint16_t *emb16;             /* fp16: the embeddings block as halves */
	size_t emb_len, emb_rows;
	const struct qk_ops *ops;    /* picked at load by the CPU's features */
};

const char *quant_kind_name(enum quant_kind k);
const char *quant_mode_name(enum quant_mode m);
/* Whether models of type t can be quantized (they have a deep part); the
 * list of those types for errors. */
bool quant_type_ok(enum model_type t);
/* A quantized copy of m (a float model).  calib (static int8 only) gives
 * the rows whose layer inputs fix the activation scales; errors name the
 * model's features calib lacks. */
int model_quantize(const struct model *m, enum quant_kind kind, enum quant_mode mode,
		   const struct frame *calib, int threads, struct model **out, struct pm_err *err);
void model_quant_free(struct model_quant *q);
/* The deep part of n <= MODEL_QROWS rows of a quantized model: in is their
 * deep input (n x d0), z (n x K) receives += the output layer.  scratch:
 * model_quant_scratch_size bytes. */
#define MODEL_QROWS 8
size_t model_quant_scratch_size(const struct model *m);
void model_quant_deep(const struct model *m, const double *in, size_t n, double *z, void *scratch);
/* Picks the dequantized params, the kernel; after the file reader filled
 * q's stored parts. */
int model_quant_finish(struct model *m, struct pm_err *err);
/* The stored parts, as the model file holds them (file.c): the float64
 * scales (int8: each layer's row scales, the embedding rows', each layer's
 * activation scale) and the bytes (each layer's int8 or fp16 weights, then
 * the embeddings).  store: from q into the buffer, else back. */
struct model_quant *model_quant_new(const struct model *m, enum quant_kind kind, enum quant_mode mode);
size_t model_quant_nscales(const struct model *m);
void model_quant_scales(const struct model *m, double *s, bool store);
size_t model_quant_nbytes(const struct model *m);
void model_quant_bytes(const struct model *m, unsigned char *p, bool store);
/* The deep input of n transformed rows (n x d0): dense values then each
 * categorical slot's embedding row. */
void model_deep_input(const struct model *m, const double *dense, const uint32_t *cat, size_t n,
		      double *a0);
/* half <-> float (round to nearest even; values past the largest half
 * become it). */
uint16_t quant_half_from_float(float f);
float quant_half_to_float(uint16_t h);
/* Quantizes a row of values to int8 with scale s (0: all zero), as the
 * kernels take them: a / s as a * (1 / s), clamped to [-127, 127]. */
void quant_act_row(const double *a, size_t n, double s, int8_t *q);
/* The dynamic scale of a row: max |a| / 127 (0 when all zero). */
double quant_act_scale(const double *a, size_t n);

/* ---- standalone C export (export-c.c) -------------------------------------------
 * One C99 source and a header: the transform and the model (float64, int8
 * or fp16), no heap, libm only.  prefix names the functions and types
 * (PREFIX_input, PREFIX_predict; a C identifier); title (M:V) the model in
 * comments.  *data_bytes gets the size of the constant tables. */
int model_export_c(const struct model *m, const char *prefix, const char *title, struct sbuf *src,
		   struct sbuf *hdr, size_t *data_bytes, struct pm_err *err);

#endif
