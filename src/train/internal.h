/* Shared inside src/train: the state of one training run, so that the
 * epoch loop of the mini-batch optimizers (trainer.c) and the full-batch
 * solver (solve.c) use the same preparation (task, transform, targets,
 * cached rows, held-out rows) and the same end (best weights, metrics,
 * result).  Not part of the folder's API (train.h). */
#ifndef PM_TRAIN_INTERNAL_H
#define PM_TRAIN_INTERNAL_H

#include "train.h"

struct trainer {
	const struct train_config *cfg;
	const struct train_hooks *hooks;
	const struct frame *train, *eval;
	struct train_result *res;
	struct model *m;
	const struct backend *be;
	enum opt_kind optk;          /* the optimizer, OPT_AUTO resolved */
	double l2;                   /* the penalty, l2_auto resolved */
	int threads;                 /* for transforms and predictions */
	int blas_threads;            /* BLAS's count before training (0: untouched) */
	double t_start;

	/* the rows trained on: frame rows, scaled targets, labels as they are,
	 * and (unless no_cache) their transformed values */
	size_t *trows, ntr;
	double *ty, *tyl;
	double *tdense;
	uint32_t *tcat;
	int *colmap;                 /* the transform's inputs in the training frame */
	/* the rows judged: eval data, or rows held out of the training data */
	size_t *erows, nev;
	double *ey, *eyl;
	double *edense;
	uint32_t *ecat;
	/* with a holdout: every labelled training row, for the final metrics */
	bool holdout;
	size_t *all_rows, nall;
	double *all_y, *all_yl;
	double *pred;                /* predictions of the largest of those sets */

	/* the run's progress */
	struct optimizer opt;
	double *best_params;
	double best_value, first_loss;
	int best_epoch, bad_epochs, start_epoch;
	const char *metric;          /* the loss watched each epoch */
	json_t *history;
	double wait_total, compute_total;
	size_t rows_total;

	/* with several workers (dist->size > 1): which cached training rows
	 * are this rank's (mine[i]) and how many; every rank keeps every row
	 * for evaluation, and computes gradients on its own only */
	struct dist *dist;
	unsigned char *mine;
	size_t nmine, mine_rows_total;
	double comm_total;           /* seconds in the collectives of the steps */
	double *dbuf;                /* the gradient and flags summed over the ranks */
	struct ps_state *ps;         /* --strategy ps; NULL: all-reduce */
	/* --bucket KB: the gradient summed in buckets [lo[i], lo[i - 1]) (lo[-1]
	 * = nparams), each started as the backward pass finishes it; 0
	 * buckets: one blocking all-reduce after it */
	size_t *bucket_lo;
	int nbuckets, nb_started;
	double bucket_w;
	int bucket_rc;
	struct pm_err bucket_err;
	/* this rank's part of the epoch so far, which rank 0 hears of; rank
	 * 0: what it last heard from every rank (dist->size) */
	double my_rows, my_steps, my_loss;
	struct worker_progress *wp;
	double last_workers;

	/* on a GPU (--device cuda): the step runs there (src/train/cuda.c) */
	struct gpu *gpu;
	bool on_gpu;

	/* the mini-batch loop */
	struct model_scratch *scratch;
	double *grad;
	double base_lr, wide_lr;
	double reg_scale;            /* training loss to label units */
	double last_poll;
};

/* Everything before the first step: the model (new, or from the
 * checkpoint), targets, caches, held-out rows. */
int trainer_prepare(struct trainer *tr, const struct train_config *cfg, const struct frame *train,
		    const struct frame *eval, const void *ckpt, size_t ckpt_len,
		    const struct train_hooks *hooks, struct train_result *res, struct pm_err *err);
/* The best weights, the final metrics, and the result handed over. */
int trainer_finish(struct trainer *tr, struct pm_err *err);
void trainer_free(struct trainer *tr);
/* Predictions of cached rows, in parallel (out: n x nout). */
void trainer_predict_cached(const struct model *m, const double *dense, const uint32_t *cat,
			    size_t n, int threads, double *out);
/* True with more than one worker. */
static inline bool trainer_dist(const struct trainer *tr)
{
	return tr->dist && tr->dist->size > 1;
}
/* Rank 0: hands tr->wp (every rank's progress in epoch e, 0-based) to the
 * hooks about twice a second (now_too: now); with `text`, the progress
 * line too (a parameter server has no line of its own). */
void trainer_workers_report(struct trainer *tr, int e, bool text, bool now_too);

/* ---- parameter servers (ps.c) ---- */
struct ps_state;
/* The servers' state of a run with --strategy ps (tr->ps), after the model
 * and the optimizer kind are known. */
int ps_new(struct trainer *tr, struct pm_err *err);
void ps_free(struct ps_state *ps);
/* The rows of one draw of the pipeline: a batch for every worker. */
size_t ps_batch(const struct ps_state *ps, size_t batch);
/* Whether this rank is a server (ranks 0..P-1). */
bool ps_server(const struct ps_state *ps);
/* Whether a training row (its dataset row) is this rank's to learn from
 * (servers have none). */
bool ps_row_mine(const struct ps_state *ps, size_t row);
/* One epoch, asynchronous inside and synchronous at its end: every rank
 * then holds the servers' weights and optimizer state, the loss summed
 * over the workers' rows (*sumloss, *rows) and the epoch's staleness. */
int ps_epoch(struct trainer *tr, int e, const double lr[2], double *sumloss, size_t *rows,
	     double *wait, double *compute, bool *stop, struct pm_err *err);
/* The epoch's staleness, into its history record. */
void ps_epoch_json(const struct ps_state *ps, json_t *rec);
/* The run's: {"servers","workers","staleness":{...}}. */
json_t *ps_report(const struct ps_state *ps);

/* Whether the user or the job asked to stop. */
bool trainer_cancelled(const struct trainer *tr);

/* ---- the GPU step (cuda.c; cuda-none.c without CUDA) ---------------------------------------
 * The weights and the optimizer's state move to the GPU once (float32);
 * each step copies its batch from pinned host memory on a stream of its
 * own, so the next batch's copy overlaps this step; the weights come back
 * into m->params (float64) at gpu_sync. */
struct gpu;
/* Allocates for batches of tr->cfg->batch rows and uploads m->params and
 * tr->opt (optim_init'ed).  An error names the batch that would fit. */
int gpu_start(struct trainer *tr, struct gpu **out, struct pm_err *err);
/* Queues one step on batch b (tr->opt.t counts it).  With loss not NULL
 * it waits for the step and gives its objective. */
int gpu_step(struct gpu *g, struct trainer *tr, const struct batch *b, const double lr[2],
	     uint64_t dropout_seed, double *loss, struct pm_err *err);
/* Waits for the queued steps; the weights into m->params (and with
 * opt_state the optimizer's moments into tr->opt); *loss_sum: the sum of
 * the steps' objectives times their rows since the last sync. */
int gpu_sync(struct gpu *g, struct trainer *tr, bool opt_state, double *loss_sum,
	     struct pm_err *err);
void gpu_free(struct gpu *g);

/* The full-batch solver (lbfgs) for linear, logistic and softmax: from the
 * prepared state to the optimum of the same objective. */
int trainer_solve(struct trainer *tr, struct pm_err *err);

/* ---- L-BFGS over a smooth function ---------------------------------------------------------- */
/* f(x) and its gradient into g; returns -1 with err set to stop. */
typedef int (*lbfgs_fn)(void *ctx, const double *x, double *g, double *f, struct pm_err *err);
struct lbfgs_opts {
	int max_iter;                /* iterations (each one or more evaluations) */
	double tol;                  /* stop when |g| <= tol * max(1, |g0|) (2-norms) */
	int memory;                  /* correction pairs kept (default 10) */
};
struct lbfgs_result {
	int iterations, evaluations;
	double f, gnorm, gnorm0;
	bool converged;              /* by the gradient norm */
	const char *stopped_by;      /* "gradient", "max_iter", "no_progress" */
};
/* Minimises f from x (updated in place). */
int lbfgs_minimize(size_t n, double *x, lbfgs_fn fn, void *ctx, const struct lbfgs_opts *o,
		   struct lbfgs_result *r, struct pm_err *err);

#endif
