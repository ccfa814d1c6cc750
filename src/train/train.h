/* train — the trainer (optimizers, learning-rate schedules, the input
 * pipeline, early stopping, checkpoints), runs recorded in the workspace,
 * and background jobs.
 *
 * Layers, bottom up:
 *   train_model    trains on frames in memory; knows nothing of the workspace
 *   run_*          a run in the workspace: config, per-epoch metrics,
 *                  checkpoints, resume, the model artifact and its version
 *   job_*          a run in a background process (fork + setsid), watched
 *                  and cancelled through the workspace
 *   dist_*         a run on several processes (MPI): the collectives
 *                  (mpi.c) and the launch of mpirun (launch.c)
 *
 * The one header of src/train. */
#ifndef PM_TRAIN_H
#define PM_TRAIN_H

#include "util/util.h"
#include "data/data.h"
#include "model/model.h"

#include <jansson.h>

struct workspace;
struct train_config;

/* OPT_LBFGS: the full-batch solver of linear, logistic and softmax;
 * OPT_AUTO: lbfgs for those, adam for dnn and wide-deep. */
enum opt_kind { OPT_SGD, OPT_ADAM, OPT_ADAGRAD, OPT_FTRL, OPT_LBFGS, OPT_AUTO };
const char *opt_kind_name(enum opt_kind k);
/* The optimizer a run of a model type uses (OPT_AUTO resolved). */
enum opt_kind train_optimizer(const struct train_config *c, enum model_type type);
bool opt_kind_parse(const char *s, enum opt_kind *k);

enum lr_schedule { LR_CONSTANT, LR_EXPONENTIAL, LR_STEP, LR_COSINE };
const char *lr_schedule_name(enum lr_schedule s);
bool lr_schedule_parse(const char *s, enum lr_schedule *out);

/* Defaults without --epochs: the most epochs, the epochs without a better
 * held-out loss that stop a run, and the share of the training rows held
 * out when there is no eval data. */
#define TRAIN_MAX_EPOCHS 200
#define TRAIN_PATIENCE 5
#define TRAIN_HOLDOUT 0.1
/* Defaults of the lbfgs solver: it stops when the gradient norm falls to
 * TRAIN_TOL of where it started, or after TRAIN_MAX_ITER iterations. */
#define TRAIN_TOL 1e-6
#define TRAIN_MAX_ITER 1000
/* --max-staleness: with W workers pushing in turn a gradient is about W-1
 * updates old, so 8 refuses nothing below 9 workers */
#define TRAIN_MAX_STALENESS 8
/* --bucket: Horovod fuses tensors up to 64 MB, for networks with many
 * large layers; prodml's are small, so a bucket is about a layer */
#define TRAIN_BUCKET_KB 64

/* Everything a run needs; stored with the run as JSON so that it can be
 * resumed or run by a job.  Strings are owned. */
struct train_config {
	char *model_name;
	char *data, *eval;           /* dataset names (eval may be NULL) */
	char *label;
	char **features;             /* NULL: every column but the label */
	size_t nfeatures;
	bool type_given;
	enum model_type type;        /* when type_given; else chosen from the label */
	int nhidden;
	int hidden[MODEL_MAX_LAYERS];
	double dropout;
	int epochs;                  /* with auto_epochs: the most */
	/* No --epochs: train until the held-out loss stops improving for
	 * `patience` epochs, on the eval data or else on a `holdout` share of
	 * the training rows drawn from the seed. */
	bool auto_epochs;
	double holdout;
	size_t batch;
	double lr;                   /* <= 0: the optimizer's default */
	enum opt_kind opt;           /* OPT_AUTO: chosen by the model type */
	int max_iter;                /* lbfgs */
	double tol;                  /* lbfgs: relative gradient norm */
	enum opt_kind wide_opt;      /* the wide part of wide & deep */
	double wide_lr;              /* <= 0: default */
	double momentum;
	double l2;
	/* --l2 not given to the solver: classification takes scikit-learn's
	 * default C=1, l2 = 1/rows (it keeps separable classes finite);
	 * regression 0, as LinearRegression */
	bool l2_auto;
	enum lr_schedule schedule;
	double lr_decay;             /* exponential: per epoch factor; step: factor every lr_step epochs */
	int lr_step;
	uint64_t seed;
	char *device;                /* --device: cpu, cuda, gpu, auto (NULL: cpu) */
	int gpus;                    /* --gpus (0: one) */
	int workers;                 /* processes computing gradients */
	char *hosts;                 /* --hosts: an Open MPI hostfile (NULL: this host) */
	/* --strategy ps: `ps` parameter servers (ranks 0..ps-1) besides the
	 * workers; 0: all-reduce.  A gradient computed on weights more than
	 * max_staleness updates old is refused and computed again. */
	int ps;
	int max_staleness;
	/* all-reduce: gradients summed in buckets of this many KB, started
	 * while the backward pass goes on (0: one blocking all-reduce) */
	int bucket_kb;
	int patience;                /* 0: no early stopping */
	size_t shuffle_buffer;       /* 0: the whole dataset */
	bool no_cache;               /* transform each batch as it is read */
	char *transform;             /* --transform overrides */
	char *crosses;               /* --cross */
	uint32_t topk, hash_buckets;
	int embed_dim;
	char *positive;              /* the positive class of a binary label */
	char *slice;                 /* --slice: metrics per value of this column, kept with the version */
	char *description;           /* --description: kept with the version */
	int threads;                 /* 0: all CPUs */
	double max_seconds;          /* 0: no limit (for benchmarks: time to metric) */
	char *target_metric;         /* stop once this eval metric reaches target (NULL: never) */
	double target;
};
void train_config_init(struct train_config *c);
/* Processes of a run: the workers and the parameter servers. */
int train_config_procs(const struct train_config *c);
void train_config_free(struct train_config *c);
json_t *train_config_to_json(const struct train_config *c);
int train_config_from_json(json_t *j, struct train_config *c, struct pm_err *err);

/* One epoch as it is reported. */
struct train_epoch {
	int epoch;                   /* 1-based */
	int epochs;                  /* planned */
	double train_loss;           /* mean objective over the epoch's batches */
	double eval_loss;            /* NaN without eval data */
	const char *metric;          /* "rmse", "auc", "accuracy", or "loss" without eval */
	double value;
	json_t *metrics;             /* all eval metrics (borrowed) */
	double lr;
	size_t rows;
	double seconds, rows_per_s, input_wait_s, compute_s;
	bool best;
};

/* One worker's progress in the current epoch, as rank 0 hears of it
 * (loss: the mean over the rows so far, in the training loss's units). */
struct worker_progress {
	int rank;
	bool server;                 /* a parameter server (no rows of its own) */
	double rows, steps, loss;
};

struct train_hooks {
	const struct progress *progress;
	/* With several workers, on rank 0 about twice a second: every rank's
	 * progress in epoch `epoch` (1-based). */
	void (*on_workers)(void *ctx, int epoch, const struct worker_progress *w, int n);
	/* After each epoch; `ckpt` is the checkpoint image to keep (NULL when
	 * want_checkpoints is false).  Returning -1 stops the run with err. */
	int (*on_epoch)(void *ctx, const struct train_epoch *ep, const struct sbuf *ckpt,
			struct pm_err *err);
	void *ctx;
	bool want_checkpoints;
	/* Polled about twice a second; true cancels the run (PM_E_CANCEL). */
	bool (*cancelled)(void *ctx);
	/* Testing: stop with an error after this many epochs (0: never), as a
	 * crash would. */
	int crash_after;
	/* NULL or one worker of several: each trains on its shard of the rows
	 * and the gradients are summed over the workers every step */
	struct dist *dist;
};

struct train_result {
	struct model *model;         /* owned by the caller */
	json_t *metrics;             /* final metrics (on eval data, else training data) */
	json_t *history;             /* array of epoch objects */
	int epochs_run;              /* epochs completed, including resumed ones */
	int best_epoch;
	bool stopped_early;          /* by patience */
	const char *watched;         /* the loss judged each epoch: "eval", "holdout" or "training" */
	const char *stopped_by;      /* "patience", "target", "time"; NULL: every epoch ran */
	bool reached_target;         /* stopped at --target */
	bool resumed;
	size_t train_rows, eval_rows;   /* eval_rows: the held-out rows with a holdout */
	char note[240];                 /* advice on the choices made, or "" */
	char device[240];               /* where it trained and why (--device given), or "" */
	size_t skipped_missing_label, skipped_unknown_label;
	double seconds, input_wait_s, compute_s, rows_per_s;
	/* the solver's report (solver NULL: trained by epochs) */
	const char *solver;
	int iterations, evaluations;
	double grad_norm, grad_norm0;
	bool converged;
	/* with several workers: this rank's share and times, and whether every
	 * rank ended with the same parameters (their checksum) */
	size_t shard_rows;
	double comm_s;
	json_t *workers;             /* per rank: rows, rows_per_s, compute_s, comm_s */
	json_t *ps;                  /* --strategy ps: servers, workers, staleness; else NULL */
	uint64_t checksum;
	bool ranks_agree;
};
void train_result_free(struct train_result *r);

/* Trains a model on `train` (and judges it on `eval`, which may be NULL).
 * With `ckpt` (a checkpoint image from on_epoch) it continues that run
 * exactly where it stopped: the same seed gives the same weights as a run
 * that was never interrupted. */
int train_model(const struct train_config *cfg, const struct frame *train,
		const struct frame *eval, const void *ckpt, size_t ckpt_len,
		const struct train_hooks *hooks, struct train_result *res, struct pm_err *err);

/* ---- the input pipeline ------------------------------------------------------
 * Rows come from a cache of transformed rows (or, with no_cache, from the
 * frame through the transform), pass a shuffle buffer of `buffer` rows, and
 * are cut into batches by a prefetch thread while the previous batch trains. */
struct pipeline;
struct pipe_source {
	size_t n;                    /* rows */
	const double *dense;         /* cached: n x ndense */
	const uint32_t *cat;
	const double *y;             /* n targets (always precomputed) */
	/* streaming instead of cached: */
	const struct transform *tf;
	const struct frame *frame;
	const int *colmap;
	const size_t *rows;          /* frame row of each of the n rows */
	/* NULL, or which rows are this worker's: a batch is drawn from every
	 * row (the global batch) and only this worker's part of it is handed
	 * out; pipeline_drawn tells the global batch's size */
	const unsigned char *mine;
};
int pipeline_start(const struct pipe_source *src, size_t batch, size_t buffer, uint64_t seed,
		   struct pipeline **out, struct pm_err *err);
/* The next batch (b->n == 0 at the end of the epoch).  *wait gets the
 * seconds spent waiting for it.  The batch stays valid until the next call. */
int pipeline_next(struct pipeline *p, struct batch *b, double *wait, struct pm_err *err);
void pipeline_stop(struct pipeline *p);
/* Rows of the global batch the last pipeline_next returned (0: the end). */
size_t pipeline_drawn(const struct pipeline *p);

/* ---- optimizers ------------------------------------------------------------------ */
struct optimizer {
	enum opt_kind kind[2];       /* per parameter group (0 default/deep, 1 wide) */
	double momentum, beta1, beta2, eps, ftrl_beta, adagrad_init;
	size_t n;
	double *s1, *s2;             /* per-parameter state (meaning depends on kind) */
	uint64_t t;                  /* steps taken */
};
void optim_init(struct optimizer *o, const struct model *m, enum opt_kind group0,
		enum opt_kind group1, double momentum);
void optim_free(struct optimizer *o);
/* One step: params -= update(grad) with lr[group]. */
void optim_step(struct optimizer *o, const struct model *m, double *params, const double *grad,
		const double lr[2]);
/* The same on params[lo, hi) only, grad[0] being the gradient of params[lo]
 * (a parameter server's shard). */
void optim_step_range(struct optimizer *o, const struct model *m, double *params,
		      const double *grad, const double lr[2], size_t lo, size_t hi);
/* Learning rate of an epoch (0-based) under a schedule. */
double lr_at(const struct train_config *c, double base, int epoch);

/* ---- devices: where the training step runs -------------------------------------------
 * `train --device cpu|cuda|auto` (gpu is another name of cuda).  The CPU
 * trains in float64 through OpenBLAS; a GPU (src/train/cuda.c, built only
 * with configure --with-cuda; src/train/cuda-none.c stands in) trains in
 * float32 through cuBLAS and prodml's kernels, and the weights come back
 * to the float64 model after each epoch: the model file, its evaluation
 * and its serving are the CPU's. */
enum train_device { DEV_CPU, DEV_CUDA, DEV_AUTO };
/* "cpu", "cuda" (or "gpu"), "auto"; NULL is cpu.  False for other words. */
bool train_device_parse(const char *s, enum train_device *d);
/* Whether this prodml was built with the CUDA backend. */
bool gpu_built(void);
/* What one GPU is. */
struct gpu_info {
	char name[96];
	int major, minor;            /* compute capability */
	size_t mem_total, mem_free;  /* bytes */
	int driver, runtime;         /* CUDA versions, 1000 * major + 10 * minor */
	int count;                   /* GPUs visible */
};
/* Finds GPU 0: 0 with info filled; -1 with err naming why there is none
 * (not built, no driver, the driver too old, no GPU). */
int gpu_probe(struct gpu_info *info, struct pm_err *err);
/* The device a run trains on, for --device `device` and --gpus `gpus`
 * (0: one) with optimizer `optk` of a model of type `type`: *on_gpu, a
 * line saying where it trains and why (auto says which it chose and, on
 * the CPU, why not the GPU) into what[n]; -1 with err when the device
 * asked for cannot train it. */
/* What --device `word` would train on, for the workbench's train form
 * (the GPU's name and memory; why not, when it cannot): false when the
 * word or the device cannot train. */
bool train_device_note(const char *word, char *buf, size_t n);
int train_device_pick(const char *device, int gpus, enum opt_kind optk, bool workers,
		      bool *on_gpu, char *what, size_t n, struct pm_err *err);

/* The GPU memory a training run needs: its parameters with their gradient
 * and optimizer state (four float32 copies), and per row of a batch its
 * input (twice: the batch trained on and the next one in flight), its
 * activations and their gradients.  Planned on the host, so the error for
 * a batch too large can name the batch that fits. */
struct gpu_shape {
	size_t nparams, ndense, ncat, nout;
	size_t emb_cols;             /* deep input columns that are embeddings */
	int nlayers;                 /* deep layers (hidden + output); 0: linear model */
	size_t dims[MODEL_MAX_LAYERS + 2];
	bool dropout;
};
#define GPU_PLAN_RESERVE ((size_t)64 << 20)   /* CUDA context and cuBLAS workspace */
void gpu_shape_of(const struct model *m, struct gpu_shape *s);
size_t gpu_plan_bytes(const struct gpu_shape *s, size_t batch);
/* The largest batch whose plan fits in `avail` bytes (0: none does). */
size_t gpu_plan_batch_fits(const struct gpu_shape *s, size_t avail);

/* ---- workers (MPI) ------------------------------------------------------------------
 * `train --workers N` runs N processes under Open MPI's mpirun: synchronous
 * data parallelism (all-reduce).  src/train/mpi.c holds every MPI call and
 * is built only with MPI (configure --with-mpi); without it these answer
 * with how to get it.  Every rank reads the workspace; rank 0 alone writes
 * it (the run, its epochs, the version). */
struct dist {
	int rank, size;
	double comm_s;               /* seconds spent in collective calls */
	/* all-reduces started and not yet waited for (mpi.c's) */
	void *pending;
	int npending, cappending;
};
/* Whether this prodml was built with MPI. */
bool dist_built(void);
/* The error for --workers N > 1 in a prodml built without MPI. */
int dist_not_built(int workers, struct pm_err *err);
/* Whether this process was started by mpirun (or srun with PMI): its rank
 * and the number of processes, from the environment. */
bool dist_launched(int *rank, int *size);
/* Joins the processes of the launch (once per process; finalized at exit). */
int dist_init(struct dist *d, struct pm_err *err);
/* x[0..n) summed over every rank, the same sum on every rank. */
int dist_allreduce_sum(struct dist *d, double *x, size_t n, struct pm_err *err);
int dist_bcast(struct dist *d, void *buf, size_t len, int root, struct pm_err *err);
/* Starts summing x[0..n) over every rank (the same call, in the same
 * order, on every rank); x must stay put until dist_wait. */
int dist_iallreduce_sum(struct dist *d, double *x, size_t n, struct pm_err *err);
/* Lets the started sums advance (Open MPI moves them only inside its calls). */
void dist_poke(struct dist *d);
/* Waits for every started sum. */
int dist_wait(struct dist *d, struct pm_err *err);
/* Frees what the started sums kept. */
void dist_free(struct dist *d);
int dist_barrier(struct dist *d, struct pm_err *err);
/* Point to point, for the parameter servers: n doubles to rank dest. */
int dist_send(struct dist *d, int dest, int tag, const double *x, size_t n, struct pm_err *err);
/* The next message from any rank (at most cap doubles): its sender, tag
 * and length. */
int dist_recv(struct dist *d, double *x, size_t cap, int *from, int *tag, size_t *n,
	      struct pm_err *err);
/* out[i] (nout[i] doubles, with tag) to peers[i] and one answer from each
 * into in[i] (at most nin[i]), for every i. */
int dist_exchange(struct dist *d, int npeers, const int *peers, int tag, double *const *out,
		  const size_t *nout, double *const *in, const size_t *nin, struct pm_err *err);
/* Ends every process of the launch (after an error on one rank: the
 * others would otherwise wait for it forever). */
void dist_abort(struct dist *d, int code);
/* The rank that trains on a row: a hash of its index, so the split does
 * not depend on the order in which the workers start. */
int dist_shard_of(size_t row, int size);

/* Runs `run` on `workers` processes: prodml starts mpirun on itself
 * (`mpirun -np N [--hostfile FILE] [--oversubscribe] prodml -W WS -q -o json
 * train --resume RUN`) and *result gets rank 0's train document.  A rank
 * that dies is named in the error, and the run is marked failed.  hooks
 * (may be NULL): its cancelled/progress cancel stop the workers (mpirun
 * gets SIGTERM). */
int dist_launch(struct workspace *ws, int64_t run, int workers, const char *hostfile,
		const struct train_hooks *hooks, json_t **result, struct pm_err *err);
/* Rank 0's progress under the launcher: a line of its stderr that
 * dist_launch hands to its hooks' progress instead of the errors. */
#define DIST_PROGRESS "prodml-progress: "
void dist_progress_line(FILE *f, const char *what, double done, double total);
/* Checks a hostfile (Open MPI's format: "HOST [slots=N] ..." per line). */
int dist_check_hostfile(const char *path, struct pm_err *err);

/* ---- runs in the workspace ------------------------------------------------------- */
/* Creates a run (state "queued") for cfg: checks that the datasets exist
 * and records their fingerprints. */
int run_create(struct workspace *ws, const struct train_config *cfg, int64_t *run,
	       struct pm_err *err);
/* Runs (or resumes from its checkpoint) a run in this process; registers
 * the model version at the end.  *result gets the document train prints:
 * {"model","version","run","metrics",...}. */
int run_execute(struct workspace *ws, int64_t run, const struct train_hooks *hooks,
		json_t **result, struct pm_err *err);
/* A run as JSON (state, config, epochs...). */
int run_get(struct workspace *ws, int64_t run, json_t **out, struct pm_err *err);
/* Marks a run that has not finished as failed with msg (the workers'
 * launcher does: a killed rank 0 cannot). */
int run_fail(struct workspace *ws, int64_t run, bool cancelled, const char *msg,
	     struct pm_err *err);
/* Checks that run can be resumed: not finished, not running elsewhere. */
int run_check_resumable(struct workspace *ws, int64_t run, struct pm_err *err);

/* A run as a list shows it ("" for a missing text, 0 for a missing number;
 * job: the run's latest job, 0 when none). */
struct run_brief {
	int64_t id, job, epochs_done, epochs, version;
	char *model, *state, *data, *created;
};
/* Every run, newest first. */
int run_briefs(struct workspace *ws, struct run_brief **out, size_t *n, struct pm_err *err);
void run_briefs_free(struct run_brief *r, size_t n);

/* One epoch of a run (NaN where the epoch recorded nothing). */
struct run_epoch {
	int64_t epoch, rows;
	double train_loss, eval_loss, value, seconds, rows_per_s, wait, compute;
	bool best;
};
/* A run with its epochs, as its view shows it (type: the model type;
 * metric: the evaluation metric of the epochs, NULL when none). */
struct run_detail {
	int64_t job, epochs, version;
	char *model, *state, *data, *label, *type, *metric, *message;
	struct run_epoch *ep;
	size_t nep;
	/* a distributed run's workers as rank 0 last wrote them (runs/N/
	 * workers.json), in epoch w_epoch; nw 0: none */
	struct worker_progress *w;
	size_t nw;
	int64_t w_epoch;
};
int run_detail_read(struct workspace *ws, int64_t run, struct run_detail *out, struct pm_err *err);
void run_detail_free(struct run_detail *r);
/* The same as JSON ({"epoch","updated","workers":[...]}); NULL when the
 * run has no file. */
json_t *run_workers_read(struct workspace *ws, int64_t run);
/* Path of a run's checkpoint file (caller frees). */
char *run_checkpoint_path(struct workspace *ws, int64_t run);
/* Loads a run's dataset (by name) as a frame; *fp gets its fingerprint. */
int train_open_dataset(struct workspace *ws, const char *name, struct frame **f, char fp[17],
		       struct pm_err *err);

/* ---- jobs -------------------------------------------------------------------------- */
/* A job runs `run` in a background process: fork, setsid, and exec of this
 * program (`prodml -W WS -c "job exec ID"`), so it owns no state of the
 * parent (database handles, threads).  Progress, the result and the log
 * are in the workspace. */
int job_create(struct workspace *ws, const char *kind, const char *command, int64_t run,
	       int64_t *job, struct pm_err *err);
int job_spawn(struct workspace *ws, int64_t job, struct pm_err *err);
/* The same, running `prodml -W WS -q -o json ARGS..` (NULL-terminated) in
 * the background process: a job of another kind runs its own command. */
int job_spawn_args(struct workspace *ws, int64_t job, const char *const *args, struct pm_err *err);
/* The same, with descriptor pass_fd kept open in the job's process and
 * its number in the environment variable pass_env (a lock it inherits). */
int job_spawn_pass(struct workspace *ws, int64_t job, const char *const *args, int pass_fd,
		   const char *pass_env, struct pm_err *err);
/* What that command reports: it runs (its pid), and how it ended
 * (failed NULL: done, with result). */
int job_start(struct workspace *ws, int64_t job, struct pm_err *err);
void job_finish(struct workspace *ws, int64_t job, json_t *result, const struct pm_err *failed);
/* Whether `job cancel` asked the job to stop (a job polls this). */
bool job_cancel_requested(struct workspace *ws, int64_t job);
/* Runs a job in this process (what the child of job_spawn does). */
int job_exec(struct workspace *ws, int64_t job, json_t **result, struct pm_err *err);
int job_get(struct workspace *ws, int64_t job, json_t **out, struct pm_err *err);
/* True for the states a job ends in: done, failed, cancelled. */
bool job_state_ended(const char *state);
int job_list(struct workspace *ws, json_t **out, struct pm_err *err);
/* Jobs queued or running. */
int job_count_active(struct workspace *ws, int64_t *n, struct pm_err *err);
/* Waits until the job ends (timeout_s <= 0: forever); *out as job_get. */
int job_wait(struct workspace *ws, int64_t job, double timeout_s, const volatile int *cancel,
	     json_t **out, struct pm_err *err);
/* Asks the job to stop; kills it when it has not stopped within grace_s. */
int job_cancel(struct workspace *ws, int64_t job, double grace_s, json_t **out,
	       struct pm_err *err);

#endif
