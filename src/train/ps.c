/* Asynchronous parameter servers (`train --strategy ps --ps P`): ranks
 * 0..P-1 hold contiguous shards of the weights and the optimizer's state
 * for them; ranks P.. are workers.  A worker computes the gradient of its
 * mini-batch on the weights it holds, pushes each server its slice, and
 * gets back the server's slice as it stands after the update (Downpour
 * SGD, fetching and pushing every step).  Servers apply gradients in the
 * order they arrive, so a gradient may have been computed on weights that
 * other workers' updates have since changed: its staleness, counted in
 * updates at the server.  One older than --max-staleness is refused and
 * the worker computes it again on the fresh weights it got back.
 *
 * Epochs stay synchronous at their ends: every worker passes over its
 * shard of the rows, then one all-reduce gives every rank the servers'
 * weights and optimizer state, the losses and the staleness counts, so
 * the rest of an epoch (judging, checkpoint, history) is the
 * single-process code on identical weights.  No MPI here: the dist_*
 * functions of mpi.c carry the messages. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DROPOUT_SEED_PS 0x70732d64726f70ULL

enum { TAG_GRAD = 1, TAG_DONE = 2, TAG_WEIGHTS = 3 };
/* a gradient's header: the server version it was computed on, then the
 * worker's progress in the epoch (rows, steps, running loss) */
enum { GRAD_HDR = 4 };
/* an answer's header: applied (1) or refused (0), the version, stop (1) */
enum { ANS_HDR = 3 };

struct ps_state {
	int P, W;                    /* servers, workers */
	int rank;
	size_t *lo;                  /* server s holds params [lo[s], lo[s + 1]) */
	int K;                       /* max staleness */
	/* a worker: the version of each server's slice it holds */
	double *version;
	/* counts over the epoch (a server's own; all of them after the sync) */
	double *hist;                /* applied gradients by staleness 0..K */
	double refused, stale_max;
	/* the run's totals, on every rank */
	double *run_hist;
	double run_refused, run_max;
	double *buf, **out, **in;
	size_t *nout, *nin;
	int *peers;
};

bool ps_server(const struct ps_state *ps)
{
	return ps->rank < ps->P;
}

int ps_new(struct trainer *tr, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	struct dist *d = tr->dist;
	if (!trainer_dist(tr))
		return pm_errcf(err, PM_E_USAGE, "--strategy ps runs under MPI: give --workers N");
	if (d->size <= cfg->ps)
		return pm_errcf(err, PM_E_USAGE, "--ps %d on %d processes: no process is left to compute gradients",
				cfg->ps, d->size);
	if (tr->optk == OPT_LBFGS)
		return pm_errcf(err, PM_E_USAGE, "--strategy ps applies gradients of mini-batches as they come: train with --optimizer sgd, adam, adagrad or ftrl, not lbfgs");
	struct ps_state *ps = xcalloc(1, sizeof *ps);
	ps->P = cfg->ps;
	ps->W = d->size - cfg->ps;
	ps->rank = d->rank;
	ps->K = cfg->max_staleness;
	size_t np = tr->m->nparams;
	ps->lo = xmalloc(((size_t)ps->P + 1) * sizeof *ps->lo);
	for (int s = 0; s <= ps->P; s++)
		ps->lo[s] = np * (size_t)s / (size_t)ps->P;
	ps->version = xcalloc((size_t)ps->P + 1, sizeof *ps->version);
	ps->hist = xcalloc((size_t)ps->K + 1, sizeof *ps->hist);
	ps->run_hist = xcalloc((size_t)ps->K + 1, sizeof *ps->run_hist);
	/* one buffer: a worker's P outgoing and P incoming slices, or a
	 * server's incoming gradient and its answer */
	ps->buf = xmalloc((2 * np + (size_t)ps->P * (GRAD_HDR + ANS_HDR) + 1) * sizeof *ps->buf);
	ps->out = xmalloc(((size_t)ps->P + 1) * sizeof *ps->out);
	ps->in = xmalloc(((size_t)ps->P + 1) * sizeof *ps->in);
	ps->nout = xmalloc(((size_t)ps->P + 1) * sizeof *ps->nout);
	ps->nin = xmalloc(((size_t)ps->P + 1) * sizeof *ps->nin);
	ps->peers = xmalloc(((size_t)ps->P + 1) * sizeof *ps->peers);
	double *at = ps->buf;
	for (int s = 0; s < ps->P; s++) {
		size_t len = ps->lo[s + 1] - ps->lo[s];
		ps->out[s] = at;
		ps->nout[s] = GRAD_HDR + len;
		at += ps->nout[s];
		ps->in[s] = at;
		ps->nin[s] = ANS_HDR + len;
		at += ps->nin[s];
		ps->peers[s] = s;
	}
	/* a resumed run: the staleness of its epochs before the checkpoint
	 * counts in the run's (a gradient staler than today's bound under
	 * the bound) */
	size_t i;
	json_t *rec;
	json_array_foreach(tr->history, i, rec) {
		json_t *st = json_object_get(rec, "staleness");
		json_t *h = json_object_get(st, "histogram");
		for (size_t k = 0; k < json_array_size(h); k++)
			ps->run_hist[k <= (size_t)ps->K ? k : (size_t)ps->K] +=
				json_number_value(json_array_get(h, k));
		ps->run_refused += json_number_value(json_object_get(st, "refused"));
		double mx = json_number_value(json_object_get(st, "max"));
		if (mx > ps->run_max)
			ps->run_max = mx;
	}
	tr->ps = ps;
	return 0;
}

void ps_free(struct ps_state *ps)
{
	if (!ps)
		return;
	free(ps->lo);
	free(ps->version);
	free(ps->hist);
	free(ps->run_hist);
	free(ps->buf);
	free(ps->out);
	free(ps->in);
	free(ps->nout);
	free(ps->nin);
	free(ps->peers);
	free(ps);
}

bool ps_row_mine(const struct ps_state *ps, size_t row)
{
	return !ps_server(ps) && dist_shard_of(row, ps->W) == ps->rank - ps->P;
}

size_t ps_batch(const struct ps_state *ps, size_t batch)
{
	/* a global draw of W batches gives each worker about one */
	return batch * (size_t)ps->W;
}

/* Rank 0 asks the workers to stop (the user cancelled, or the time is up):
 * the answer carries it.  *why: 1 cancelled, 2 time. */
static int server_stop(struct trainer *tr, double *last_poll)
{
	double now = now_seconds();
	if (tr->dist->rank != 0 || now - *last_poll < 0.5)
		return 0;
	*last_poll = now;
	if (trainer_cancelled(tr))
		return 1;
	if (tr->cfg->max_seconds > 0 && now - tr->t_start > tr->cfg->max_seconds)
		return 2;
	return 0;
}

/* A server's epoch: answer gradients until every worker has passed over
 * its rows. */
static int serve(struct trainer *tr, int e, const double lr[2], double *compute, int *stop_why,
		 struct pm_err *err)
{
	struct ps_state *ps = tr->ps;
	struct model *m = tr->m;
	size_t lo = ps->lo[ps->rank], hi = ps->lo[ps->rank + 1], len = hi - lo;
	double *in = ps->buf, *ans = ps->buf + GRAD_HDR + len;
	double version = ps->version[ps->rank], last_poll = now_seconds();
	int done = 0;
	while (done < ps->W) {
		int from, tag;
		size_t n;
		if (dist_recv(tr->dist, in, GRAD_HDR + len, &from, &tag, &n, err) < 0)
			return -1;
		double c0 = now_seconds();
		if (tag == TAG_DONE) {
			done++;
			continue;
		}
		if (tag != TAG_GRAD || n != GRAD_HDR + len || from < ps->P)
			return pm_errf(err, "parameter server %d: a message of %zu values (tag %d) from rank %d",
				       ps->rank, n, tag, from);
		double stale = version - in[0];
		bool apply = stale <= ps->K;
		if (apply) {
			optim_step_range(&tr->opt, m, m->params, in + GRAD_HDR, lr, lo, hi);
			version++;
			ps->hist[(size_t)stale]++;
			if (stale > ps->stale_max)
				ps->stale_max = stale;
		} else
			ps->refused++;
		tr->wp[from] = (struct worker_progress){.rank = from, .rows = in[1], .steps = in[2],
							 .loss = in[3]};
		int why = server_stop(tr, &last_poll);
		if (why)
			*stop_why = why;
		ans[0] = apply;
		ans[1] = version;
		ans[2] = *stop_why != 0;
		memcpy(ans + ANS_HDR, m->params + lo, len * sizeof *ans);
		*compute += now_seconds() - c0;
		if (dist_send(tr->dist, from, TAG_WEIGHTS, ans, ANS_HDR + len, err) < 0)
			return -1;
		trainer_workers_report(tr, e, true, false);
	}
	ps->version[ps->rank] = version;
	return 0;
}

/* A worker's epoch: its mini-batches, each pushed to every server until
 * every server has applied it. */
static int work(struct trainer *tr, int e, double *sumloss, size_t *rows, double *wait,
		double *compute, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	struct ps_state *ps = tr->ps;
	struct model *m = tr->m;
	struct pipe_source src = {.n = tr->ntr, .dense = tr->tdense, .cat = tr->tcat, .y = tr->ty,
				  .tf = m->tf, .frame = tr->train, .colmap = tr->colmap, .rows = tr->trows,
				  .mine = tr->mine};
	struct pipeline *pipe = NULL;
	if (pipeline_start(&src, ps_batch(ps, cfg->batch), cfg->shuffle_buffer,
			   rng_derive(cfg->seed, (uint64_t)e + 1), &pipe, err) < 0)
		return -1;
	bool *need = xcalloc((size_t)ps->P + 1, sizeof *need);
	int rc = 0;
	bool stop = false;
	double steps = 0;
	while (rc == 0 && !stop) {
		struct batch b;
		double w;
		if ((rc = pipeline_next(pipe, &b, &w, err)) < 0)
			break;
		*wait += w;
		if (pipeline_drawn(pipe) == 0)
			break;
		if (b.n == 0)
			continue;
		for (int s = 0; s < ps->P; s++)
			need[s] = true;
		double loss = NAN;
		for (int left = ps->P; left > 0 && rc == 0;) {
			double c0 = now_seconds(), comm0 = tr->dist->comm_s;
			uint64_t seed = rng_derive(cfg->seed ^ DROPOUT_SEED_PS,
						   ((uint64_t)ps->rank << 40) + (uint64_t)tr->opt.t + 1);
			if ((rc = model_loss_grad(m, tr->be, tr->scratch, &b, cfg->l2, true, seed, &loss,
						  tr->grad, err)) < 0)
				break;
			tr->opt.t++;
			/* only the servers that refused it get it again */
			int np = 0, peers[64];
			double *out[64], *in[64];
			size_t nout[64], nin[64];
			for (int s = 0; s < ps->P; s++) {
				if (!need[s])
					continue;
				double *o = ps->out[s];
				o[0] = ps->version[s];
				o[1] = (double)*rows + (double)b.n;
				o[2] = steps + 1;
				o[3] = (*sumloss + loss * (double)b.n) / ((double)*rows + (double)b.n);
				memcpy(o + GRAD_HDR, tr->grad + ps->lo[s], (ps->nout[s] - GRAD_HDR) * sizeof *o);
				peers[np] = s;
				out[np] = o;
				in[np] = ps->in[s];
				nout[np] = ps->nout[s];
				nin[np] = ps->nin[s];
				np++;
			}
			if ((rc = dist_exchange(tr->dist, np, peers, TAG_GRAD, out, nout, in, nin, err)) < 0)
				break;
			for (int i = 0; i < np; i++) {
				int s = peers[i];
				const double *a = ps->in[s];
				memcpy(m->params + ps->lo[s], a + ANS_HDR, (ps->nin[s] - ANS_HDR) * sizeof *a);
				ps->version[s] = a[1];
				if (a[0] > 0) {
					need[s] = false;
					left--;
				}
				if (a[2] > 0)
					stop = true;
			}
			double comm = tr->dist->comm_s - comm0;
			*compute += now_seconds() - c0 - comm;
			tr->comm_total += comm;
		}
		if (rc < 0)
			break;
		if (!isfinite(loss)) {
			rc = pm_errf(err, "training diverged at epoch %d on worker rank %d: the loss is %s; lower --lr",
				     e + 1, ps->rank, isnan(loss) ? "NaN" : "infinite");
			break;
		}
		*sumloss += loss * (double)b.n;
		*rows += b.n;
		tr->mine_rows_total += b.n;
		steps++;
	}
	pipeline_stop(pipe);
	free(need);
	if (rc < 0)
		return -1;
	/* after its last gradient (messages between two ranks keep their order) */
	double none = 0;
	for (int s = 0; s < ps->P; s++)
		if (dist_send(tr->dist, s, TAG_DONE, &none, 1, err) < 0)
			return -1;
	return 0;
}

int ps_epoch(struct trainer *tr, int e, const double lr[2], double *sumloss, size_t *rows,
	     double *wait, double *compute, bool *stop, struct pm_err *err)
{
	struct ps_state *ps = tr->ps;
	struct model *m = tr->m;
	size_t np = m->nparams, K1 = (size_t)ps->K + 1, P = (size_t)ps->P;
	int stop_why = 0;
	*sumloss = 0;
	*rows = 0;
	memset(ps->hist, 0, K1 * sizeof *ps->hist);
	for (int r = 0; r < tr->dist->size; r++)
		tr->wp[r] = (struct worker_progress){.rank = r, .server = r < ps->P, .loss = NAN};
	ps->refused = ps->stale_max = 0;
	if (ps_server(ps) ? serve(tr, e, lr, compute, &stop_why, err) < 0
			  : work(tr, e, sumloss, rows, wait, compute, err) < 0)
		return -1;
	/* the sync: weights, optimizer state, losses, versions and counts */
	enum { LOSS, ROWS, STOP, NFLAGS };
	size_t n = 3 * np + NFLAGS + 2 * P + K1 + 1;
	double *v = xcalloc(n + 1, sizeof *v);
	double *flags = v + 3 * np, *ver = flags + NFLAGS, *smax = ver + P, *hist = smax + P;
	if (ps_server(ps)) {
		size_t lo = ps->lo[ps->rank], len = ps->lo[ps->rank + 1] - lo;
		memcpy(v + lo, m->params + lo, len * sizeof *v);
		memcpy(v + np + lo, tr->opt.s1 + lo, len * sizeof *v);
		memcpy(v + 2 * np + lo, tr->opt.s2 + lo, len * sizeof *v);
		ver[ps->rank] = ps->version[ps->rank];
		smax[ps->rank] = ps->stale_max;
		memcpy(hist, ps->hist, K1 * sizeof *hist);
		hist[K1] = ps->refused;
		flags[STOP] = stop_why;
	} else {
		flags[LOSS] = *sumloss;
		flags[ROWS] = (double)*rows;
	}
	double c0 = tr->dist->comm_s;
	int rc = dist_allreduce_sum(tr->dist, v, n, err);
	tr->comm_total += tr->dist->comm_s - c0;
	if (rc == 0) {
		memcpy(m->params, v, np * sizeof *v);
		memcpy(tr->opt.s1, v + np, np * sizeof *v);
		memcpy(tr->opt.s2, v + 2 * np, np * sizeof *v);
		memcpy(ps->version, ver, P * sizeof *ver);
		memcpy(ps->hist, hist, K1 * sizeof *hist);
		ps->refused = hist[K1];
		ps->stale_max = 0;
		for (size_t s = 0; s < P; s++)
			if (smax[s] > ps->stale_max)
				ps->stale_max = smax[s];
		for (size_t k = 0; k < K1; k++)
			ps->run_hist[k] += hist[k];
		ps->run_refused += ps->refused;
		if (ps->stale_max > ps->run_max)
			ps->run_max = ps->stale_max;
		*sumloss = flags[LOSS];
		*rows = (size_t)flags[ROWS];
		/* only rank 0 polls: its reason travels in the sum */
		if (flags[STOP] == 1)
			rc = pm_errcf(err, PM_E_CANCEL, "cancelled at epoch %d", e + 1);
		else if (flags[STOP] == 2) {
			*stop = true;
			tr->res->stopped_by = "time";
		}
	}
	free(v);
	return rc;
}

/* The staleness of the applied gradients: mean, max and how many had
 * each value 0..K, and how many were refused. */
static json_t *staleness_json(const struct ps_state *ps, const double *hist, double refused,
			      double max)
{
	double count = 0, sum = 0;
	json_t *h = json_array();
	size_t last = 0;
	for (size_t k = 0; k <= (size_t)ps->K; k++)
		if (hist[k] > 0)
			last = k;
	for (size_t k = 0; k <= (size_t)ps->K; k++) {
		count += hist[k];
		sum += (double)k * hist[k];
		if (k <= last)
			json_array_append_new(h, json_integer((json_int_t)hist[k]));
	}
	return json_pack("{s:I,s:o,s:I,s:I,s:i,s:o}", "updates", (json_int_t)count, "mean",
			 json_num(count > 0 ? sum / count : 0), "max", (json_int_t)max, "refused",
			 (json_int_t)refused, "bound", ps->K, "histogram", h);
}

void ps_epoch_json(const struct ps_state *ps, json_t *rec)
{
	json_object_set_new(rec, "staleness", staleness_json(ps, ps->hist, ps->refused, ps->stale_max));
}

json_t *ps_report(const struct ps_state *ps)
{
	return json_pack("{s:i,s:i,s:o}", "servers", ps->P, "workers", ps->W, "staleness",
			 staleness_json(ps, ps->run_hist, ps->run_refused, ps->run_max));
}
