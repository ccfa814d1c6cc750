/* The full-batch solver of the convex models (linear, logistic, softmax):
 * L-BFGS on the objective the mini-batch optimizers sample — the mean loss
 * over every training row plus l2/2 times the squared weights — until its
 * gradient norm (in the preconditioned coordinates, see diag_scale) falls
 * to --tol of where it started.  Like scikit-learn's
 * LinearRegression and LogisticRegression (lbfgs), the result is the
 * optimum itself, not a point on the way to it, so it needs no epochs,
 * learning rate, held-out rows or early stopping.
 *
 * The rows are cut into a fixed number of blocks, each summed in order on
 * one thread and the blocks added in order, so the objective does not
 * depend on the number of threads. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS 16
#define CHUNK 2048

struct objective {
	struct trainer *tr;
	const double *scale;         /* x = scale * u: the solver moves u */
	double *x;
	struct model *at;            /* a model viewing x, per block */
	struct model_scratch *scratch[BLOCKS];
	double *gsum[BLOCKS], *gchunk[BLOCKS];
	long double fsum[BLOCKS];
	size_t nblocks;
	double poll;
	/* the rows this process sums: every training row, or with several
	 * workers its shard (a copy of its cached rows) */
	const double *dense, *y;
	const uint32_t *cat;
	size_t n;
};

static int block_eval(void *ctx, size_t k, struct pm_err *err)
{
	struct objective *o = ctx;
	struct trainer *tr = o->tr;
	const struct model *m = o->at;
	size_t nd = m->tf->ndense, nc = m->tf->ncat, np = m->nparams;
	size_t lo = o->n * k / o->nblocks, hi = o->n * (k + 1) / o->nblocks;
	double *gs = o->gsum[k], *gc = o->gchunk[k];
	memset(gs, 0, np * sizeof *gs);
	o->fsum[k] = 0;
	for (size_t r = lo; r < hi; r += CHUNK) {
		struct batch b = {.n = hi - r < CHUNK ? hi - r : CHUNK, .dense = o->dense + r * nd,
				  .cat = o->cat + r * nc, .y = o->y + r};
		double loss;
		if (model_loss_grad(m, tr->be, o->scratch[k], &b, 0.0, true, 0, &loss, gc, err) < 0)
			return -1;
		/* the chunk's mean back to a sum */
		o->fsum[k] += (long double)loss * (double)b.n;
		for (size_t i = 0; i < np; i++)
			gs[i] += gc[i] * (double)b.n;
	}
	return 0;
}

static int objective_eval(void *ctx, const double *u, double *g, double *f, struct pm_err *err)
{
	struct objective *o = ctx;
	struct trainer *tr = o->tr;
	struct model *m = o->at;
	size_t np = m->nparams;
	double *x = o->x;
	for (size_t i = 0; i < np; i++)
		x[i] = o->scale[i] * u[i];
	double now = now_seconds();
	bool cancel = false;
	if (now - o->poll > 0.5) {
		o->poll = now;
		cancel = trainer_cancelled(tr);
	}
	if (cancel && !trainer_dist(tr))
		return pm_errcf(err, PM_E_CANCEL, "cancelled while solving");
	m->params = x;
	if (par_for_err(o->nblocks, tr->threads, block_eval, o, err) < 0)
		return -1;
	long double fs = 0;
	memset(g, 0, np * sizeof *g);
	for (size_t k = 0; k < o->nblocks; k++) {
		fs += o->fsum[k];
		for (size_t i = 0; i < np; i++)
			g[i] += o->gsum[k][i];
	}
	if (trainer_dist(tr)) {
		/* the sums over every worker's shard, and a request to stop from
		 * any of them: every rank takes the same L-BFGS step */
		double *buf = tr->dbuf;
		memcpy(buf, g, np * sizeof *g);
		buf[np] = (double)fs;
		buf[np + 1] = cancel;
		if (dist_allreduce_sum(tr->dist, buf, np + 2, err) < 0)
			return -1;
		memcpy(g, buf, np * sizeof *g);
		fs = buf[np];
		if (buf[np + 1] > 0)
			return pm_errcf(err, PM_E_CANCEL, "cancelled while solving");
	}
	double inv = 1.0 / (double)tr->ntr, l2 = tr->l2;
	long double reg = 0;
	for (size_t i = 0; i < np; i++)
		g[i] *= inv;
	for (size_t bi = 0; bi < m->nblocks; bi++)
		if (m->blocks[bi].l2)
			for (size_t i = m->blocks[bi].off; i < m->blocks[bi].off + m->blocks[bi].len; i++) {
				reg += x[i] * x[i];
				g[i] += l2 * x[i];
			}
	*f = (double)(fs / tr->ntr) + 0.5 * l2 * (double)reg;
	for (size_t i = 0; i < np; i++)
		g[i] *= o->scale[i];
	if (!isfinite(*f))
		return pm_errf(err, "lbfgs: the objective is %s: the transformed features hold values too large to fit",
			       isnan(*f) ? "NaN" : "infinite");
	return 0;
}

/* Jacobi preconditioning: each parameter scaled by the inverse square root
 * of its diagonal Hessian entry, estimated as the loss's curvature times
 * the mean square of its input (a dense feature's, a category's share, 1
 * for a bias) plus l2.  One-hot categories of a few rows otherwise have
 * curvatures thousands of times smaller than the standardized numbers, and
 * L-BFGS would need hundreds of iterations to move them. */
static double *diag_scale(const struct trainer *tr)
{
	const struct model *m = tr->m;
	const struct transform *t = m->tf;
	size_t K = (size_t)m->nout, nd = t->ndense, nc = t->ncat, n = tr->ntr;
	double curv = m->task == TASK_REGRESSION ? 2.0 : m->task == TASK_BINARY ? 0.25 : 0.5;
	double *h = xcalloc(m->nparams + 1, sizeof *h);
	double *sq = xcalloc(nd + 1, sizeof *sq);
	double *share = xcalloc((size_t)t->cat_total + 1, sizeof *share);
	for (size_t r = 0; r < n; r++) {
		const double *x = tr->tdense + r * nd;
		for (size_t j = 0; j < nd; j++)
			sq[j] += x[j] * x[j];
		for (size_t j = 0; j < nc; j++)
			share[tr->tcat[r * nc + j]] += 1;
	}
	for (size_t k = 0; k < K; k++) {
		if (m->linear_dense)
			for (size_t j = 0; j < nd; j++)
				h[m->off_wd + k * nd + j] = curv * sq[j] / (double)n;
		for (size_t c = 0; c < (size_t)t->cat_total; c++)
			h[m->off_wc + c * K + k] = curv * share[c] / (double)n;
		h[m->off_b + k] = curv;
	}
	for (size_t bi = 0; bi < m->nblocks; bi++)
		if (m->blocks[bi].l2)
			for (size_t i = m->blocks[bi].off; i < m->blocks[bi].off + m->blocks[bi].len; i++)
				h[i] += tr->l2;
	for (size_t i = 0; i < m->nparams; i++)
		h[i] = h[i] > 0 ? 1.0 / sqrt(h[i]) : 1.0;
	free(sq);
	free(share);
	return h;
}

int trainer_solve(struct trainer *tr, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	const struct train_hooks *hooks = tr->hooks;
	struct train_result *res = tr->res;
	struct model *m = tr->m;
	if (!tr->tdense)
		return pm_errcf(err, PM_E_USAGE, "--no-cache applies to the mini-batch optimizers: lbfgs reads every row at each iteration");
	/* the blocks run on threads: BLAS products of a chunk are too small to share */
	if (tr->be->set_threads) {
		tr->blas_threads = tr->be->set_threads(tr->be, 0);
		tr->be->set_threads(tr->be, 1);
	}
	struct objective o = {.tr = tr, .poll = now_seconds(), .dense = tr->tdense, .cat = tr->tcat,
			      .y = tr->ty, .n = tr->ntr};
	double *sdense = NULL, *sy = NULL;
	uint32_t *scat = NULL;
	if (trainer_dist(tr)) {
		size_t nd = m->tf->ndense, nc = m->tf->ncat, k = 0;
		sdense = xmalloc((tr->nmine * nd + 1) * sizeof *sdense);
		scat = xmalloc((tr->nmine * nc + 1) * sizeof *scat);
		sy = xmalloc((tr->nmine + 1) * sizeof *sy);
		for (size_t i = 0; i < tr->ntr; i++)
			if (tr->mine[i]) {
				memcpy(sdense + k * nd, tr->tdense + i * nd, nd * sizeof *sdense);
				memcpy(scat + k * nc, tr->tcat + i * nc, nc * sizeof *scat);
				sy[k++] = tr->ty[i];
			}
		o.dense = sdense;
		o.cat = scat;
		o.y = sy;
		o.n = tr->nmine;
	}
	o.nblocks = o.n < BLOCKS ? o.n : BLOCKS;
	/* a shallow copy whose params point at the point evaluated */
	struct model view = *m;
	o.at = &view;
	size_t cap = o.n < CHUNK ? o.n : CHUNK;
	for (size_t k = 0; k < o.nblocks; k++) {
		o.scratch[k] = model_scratch_new(m, cap);
		o.gsum[k] = xmalloc((m->nparams + 1) * sizeof *o.gsum[k]);
		o.gchunk[k] = xmalloc((m->nparams + 1) * sizeof *o.gchunk[k]);
	}
	struct lbfgs_opts lo = {.max_iter = cfg->max_iter, .tol = cfg->tol, .memory = 10};
	struct lbfgs_result lr;
	double t0 = now_seconds(), comm0 = trainer_dist(tr) ? tr->dist->comm_s : 0;
	double *scale = diag_scale(tr), *u = xmalloc((m->nparams + 1) * sizeof *u);
	o.scale = scale;
	o.x = xmalloc((m->nparams + 1) * sizeof *o.x);
	for (size_t i = 0; i < m->nparams; i++)
		u[i] = m->params[i] / scale[i];
	int rc = lbfgs_minimize(m->nparams, u, objective_eval, &o, &lo, &lr, err);
	for (size_t i = 0; i < m->nparams; i++)
		m->params[i] = scale[i] * u[i];
	double secs = now_seconds() - t0;
	free(sdense);
	free(scat);
	free(sy);
	free(scale);
	free(u);
	free(o.x);
	for (size_t k = 0; k < o.nblocks; k++) {
		model_scratch_free(o.scratch[k]);
		free(o.gsum[k]);
		free(o.gchunk[k]);
	}
	if (rc < 0)
		return -1;

	res->solver = "lbfgs";
	res->iterations = lr.iterations;
	res->evaluations = lr.evaluations;
	res->grad_norm = lr.gnorm;
	res->grad_norm0 = lr.gnorm0;
	res->converged = lr.converged;
	res->stopped_by = lr.stopped_by;
	res->epochs_run = 1;
	tr->best_epoch = 1;
	tr->comm_total = trainer_dist(tr) ? tr->dist->comm_s - comm0 : 0;
	tr->compute_total = secs - tr->comm_total;
	tr->rows_total = tr->ntr * (size_t)lr.evaluations;
	tr->mine_rows_total = o.n * (size_t)lr.evaluations;
	tr->metric = tr->nev ? model_loss_metric(m) : "loss";

	/* one record, as an epoch is recorded, so that runs, jobs and the
	 * TUI show a solved run the way they show the others */
	double reg_scale = m->task == TASK_REGRESSION ? m->label_std * m->label_std : 1.0;
	struct train_epoch ep = {.epoch = 1, .epochs = 1, .train_loss = lr.f * reg_scale,
				 .eval_loss = NAN, .metric = tr->metric, .lr = 0, .rows = tr->ntr,
				 .seconds = secs, .compute_s = secs, .best = true};
	ep.rows_per_s = (double)tr->rows_total / (secs > 1e-9 ? secs : 1e-9);
	json_t *em = NULL;
	if (tr->nev) {
		trainer_predict_cached(m, tr->edense, tr->ecat, tr->nev, tr->threads, tr->pred);
		em = model_metrics(m, tr->eyl, tr->pred, tr->nev);
		json_t *v = json_object_get(em, tr->metric);
		ep.value = json_is_number(v) ? json_number_value(v) : NAN;
		/* the eval loss as the epochs report it: MSE or log loss */
		ep.eval_loss = m->task == TASK_REGRESSION ? ep.value * ep.value : ep.value;
	} else
		ep.value = ep.train_loss;
	ep.metrics = em;
	json_array_append_new(tr->history,
			      json_pack("{s:i,s:f,s:o,s:s,s:o,s:f,s:I,s:f,s:f,s:f,s:f,s:b,s:i,s:f}",
					"epoch", 1, "train_loss", ep.train_loss, "eval_loss",
					isfinite(ep.eval_loss) ? json_real(ep.eval_loss) : json_null(),
					"metric", tr->metric, "value",
					isfinite(ep.value) ? json_real(ep.value) : json_null(), "lr", 0.0,
					"rows", (json_int_t)tr->ntr, "seconds", secs, "rows_per_s",
					ep.rows_per_s, "input_wait_s", 0.0, "compute_s", secs, "best", 1,
					"iterations", lr.iterations, "gradient_norm", lr.gnorm));
	if (hooks->progress) {
		char what[160];
		snprintf(what, sizeof what, "lbfgs: %d iterations, loss %.6g, gradient norm %.3g", lr.iterations,
			 ep.train_loss, lr.gnorm);
		progress_report(hooks->progress, what, 1, 1);
	}
	if (hooks->on_epoch) {
		int hrc = hooks->on_epoch(hooks->ctx, &ep, NULL, err);
		if (hrc < 0) {
			json_decref(em);
			return -1;
		}
	}
	json_decref(em);
	free(tr->best_params);
	tr->best_params = xmalloc((m->nparams + 1) * sizeof *tr->best_params);
	memcpy(tr->best_params, m->params, m->nparams * sizeof *m->params);
	return 0;
}
