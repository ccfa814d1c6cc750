/* Training commands: train, jobs, job show|wait|cancel|exec, evaluate. */
#include "cmd.h"

#include "data/data.h"
#include "model/model.h"
#include "registry/registry.h"
#include "train/train.h"
#include "validate/validate.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------ */

static int opt_size(const struct cmd_call *call, const char *name, long long dflt, long long lo,
		    long long hi, long long *out, struct pm_err *err)
{
	if (call_opt_int(call, name, dflt, out, err) < 0)
		return -1;
	if (*out < lo || *out > hi)
		return pm_errcf(err, PM_E_USAGE, "%s must be from %lld to %lld", name, lo, hi);
	return 0;
}

static int opt_real(const struct cmd_call *call, const char *name, double dflt, double lo,
		    double hi, double *out, struct pm_err *err)
{
	if (call_opt_double(call, name, dflt, out, err) < 0)
		return -1;
	if (!(*out >= lo && *out <= hi))
		return pm_errcf(err, PM_E_USAGE, "%s must be from %g to %g", name, lo, hi);
	return 0;
}

static char **split_list(const char *s, size_t *n)
{
	char **l = str_split(s, ',', n);
	for (size_t i = 0; i < *n; i++) {
		char *t = str_trim(l[i]);
		if (t != l[i])
			memmove(l[i], t, strlen(t) + 1);
	}
	return l;
}

/* The progress line of a foreground run on a terminal: the current epoch
 * redrawn in place, each finished epoch kept as a line. */
struct train_progress {
	struct session *s;
	const char *model;
	double last;
	size_t width;
};

static void draw_train(void *ctx, const char *what, double done, double total)
{
	struct train_progress *tp = ctx;
	struct session *s = tp->s;
	if (s->quiet || !s->tty)
		return;
	double t = now_seconds();
	bool epoch_end = done == floor(done) && done > 0;
	if (!epoch_end && t - tp->last < 0.1)
		return;
	tp->last = t;
	char line[240];
	int n = snprintf(line, sizeof line, "train %s: %s", tp->model, what);
	fprintf(s->errs, "\r%s%*s", line, tp->width > (size_t)n ? (int)(tp->width - (size_t)n) : 0, "");
	tp->width = (size_t)n;
	if (epoch_end) {
		fputc('\n', s->errs);
		tp->width = 0;
	}
	fflush(s->errs);
}

static int parse_hidden(const char *s, struct train_config *c, struct pm_err *err)
{
	size_t n;
	char **l = split_list(s, &n);
	int rc = 0;
	if (n == 0 || n > MODEL_MAX_LAYERS)
		rc = pm_errcf(err, PM_E_USAGE, "--hidden takes 1 to %d layer sizes, like 64,32", MODEL_MAX_LAYERS);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t v;
		if (!parse_int64(l[i], strlen(l[i]), &v) || v < 1 || v > 65536)
			rc = pm_errcf(err, PM_E_USAGE, "--hidden: '%s' is not a layer size (1 to 65536)", l[i]);
		else
			c->hidden[i] = (int)v;
	}
	c->nhidden = rc == 0 ? (int)n : 0;
	str_list_free(l);
	return rc;
}

/* The options of training by epochs (mini-batches); the solver has none
 * of them. */
static const char *const epoch_opts[] = {"--epochs", "--max-epochs", "--holdout", "--batch", "--lr",
					 "--patience", "--schedule", "--lr-decay", "--momentum",
					 "--target", "--shuffle-buffer", "--no-cache"};

/* --optimizer, --max-iter and --tol.  Without --optimizer, linear,
 * logistic and softmax models use lbfgs (OPT_AUTO) — unless an option of
 * training by epochs is given, which asks for the epochs of adam as
 * before; with --optimizer lbfgs those options are an error, not silently
 * ignored. */
static int optimizer_from_call(const struct cmd_call *call, struct train_config *c,
			       struct pm_err *err)
{
	const char *v = call_opt(call, "--optimizer"), *epoch_opt = NULL;
	for (size_t i = 0; i < PM_ARRAY_LEN(epoch_opts) && !epoch_opt; i++)
		if (call_opt(call, epoch_opts[i]))
			epoch_opt = epoch_opts[i];
	const char *solver_opt = call_opt(call, "--max-iter") ? "--max-iter"
				 : call_opt(call, "--tol") ? "--tol" : NULL;
	if (v && !opt_kind_parse(v, &c->opt))
		return pm_errcf(err, PM_E_USAGE, "--optimizer: '%s' is not one of lbfgs, sgd, adam, adagrad, ftrl, auto", v);
	if (!v)
		c->opt = epoch_opt && !solver_opt ? OPT_ADAM : OPT_AUTO;
	if ((c->opt == OPT_LBFGS || (c->opt == OPT_AUTO && solver_opt)) && epoch_opt)
		return pm_errcf(err, PM_E_USAGE, "%s applies to training by epochs (--optimizer sgd, adam, adagrad or ftrl): lbfgs goes over every row at each iteration until the gradient norm falls to --tol of its start (at most --max-iter iterations), with no epochs, batches, learning rate or held-out rows",
				epoch_opt);
	if (solver_opt && c->opt != OPT_LBFGS && c->opt != OPT_AUTO)
		return pm_errcf(err, PM_E_USAGE, "%s applies to --optimizer lbfgs, not %s: that one stops by epochs (--epochs, --patience)",
				solver_opt, opt_kind_name(c->opt));
	if (c->opt == OPT_LBFGS && c->type_given && model_type_has(c->type, MT_DEEP))
		return pm_errcf(err, PM_E_USAGE, "--optimizer lbfgs applies to linear, logistic and softmax (convex objectives): a %s model trains with sgd, adam, adagrad or ftrl",
				model_type_name(c->type));
	if (solver_opt && c->type_given && model_type_has(c->type, MT_DEEP))
		return pm_errcf(err, PM_E_USAGE, "%s applies to --optimizer lbfgs, which trains linear, logistic and softmax models, not %s",
				solver_opt, model_type_name(c->type));
	long long n;
	if (opt_size(call, "--max-iter", TRAIN_MAX_ITER, 1, 1000000, &n, err) < 0 ||
	    opt_real(call, "--tol", TRAIN_TOL, 0, 1, &c->tol, err) < 0)
		return -1;
	c->max_iter = (int)n;
	return 0;
}

/* Options of `train` into a configuration. */
static int workers_opts(const struct cmd_call *call, int *workers, int *ps, int *max_stale,
			int *procs, struct pm_err *err);

static int train_config_from_call(const struct cmd_call *call, const char *model, const char *device,
				  struct train_config *c, struct pm_err *err)
{
	train_config_init(c);
	const char *v;
	c->model_name = xstrdup(model);
	if (!(v = call_opt(call, "--data")))
		return pm_errcf(err, PM_E_USAGE, "train: --data NAME is required");
	c->data = xstrdup(v);
	if (!(v = call_opt(call, "--label")))
		return pm_errcf(err, PM_E_USAGE, "train: --label COL is required");
	c->label = xstrdup(v);
	if ((v = call_opt(call, "--eval")))
		c->eval = xstrdup(v);
	if ((v = call_opt(call, "--features"))) {
		c->features = split_list(v, &c->nfeatures);
		if (c->nfeatures == 0)
			return pm_errcf(err, PM_E_USAGE, "--features needs column names");
	}
	if ((v = call_opt(call, "--model"))) {
		if (!model_type_parse(v, &c->type)) {
			char *types = model_type_list(0, ", ", ", ");
			pm_errcf(err, PM_E_USAGE, "--model: '%s' is not one of %s", v, types);
			free(types);
			return -1;
		}
		c->type_given = true;
	}
	if ((v = call_opt(call, "--hidden")) && parse_hidden(v, c, err) < 0)
		return -1;
	long long n;
	if (call_opt(call, "--epochs")) {
		if (call_opt(call, "--max-epochs") || call_opt(call, "--holdout"))
			return pm_errcf(err, PM_E_USAGE, "--epochs N trains N epochs: --max-epochs and --holdout apply without it");
		if (opt_size(call, "--epochs", 10, 1, 100000, &n, err) < 0)
			return -1;
		c->epochs = (int)n;
	} else {
		c->auto_epochs = true;
		if (opt_size(call, "--max-epochs", TRAIN_MAX_EPOCHS, 1, 100000, &n, err) < 0)
			return -1;
		c->epochs = (int)n;
		if (opt_real(call, "--holdout", TRAIN_HOLDOUT, 0.01, 0.5, &c->holdout, err) < 0)
			return -1;
		if (call_opt(call, "--eval")) {
			if (call_opt(call, "--holdout"))
				return pm_errcf(err, PM_E_USAGE, "--holdout applies without --eval: the eval data is held out already");
			c->holdout = 0;
		}
	}
	if (opt_size(call, "--batch", 64, 1, 1 << 20, &n, err) < 0)
		return -1;
	c->batch = (size_t)n;
	if (opt_real(call, "--lr", 0, 0, 1e6, &c->lr, err) < 0)
		return -1;
	if (optimizer_from_call(call, c, err) < 0)
		return -1;
	if ((v = call_opt(call, "--wide-optimizer")) &&
	    (!opt_kind_parse(v, &c->wide_opt) || c->wide_opt == OPT_LBFGS || c->wide_opt == OPT_AUTO))
		return pm_errcf(err, PM_E_USAGE, "--wide-optimizer: '%s' is not one of ftrl, adagrad, adam, sgd", v);
	if (opt_real(call, "--wide-lr", 0, 0, 1e6, &c->wide_lr, err) < 0 ||
	    opt_real(call, "--momentum", 0.9, 0, 0.9999, &c->momentum, err) < 0 ||
	    opt_real(call, "--l2", 0, 0, 1e6, &c->l2, err) < 0 ||
	    opt_real(call, "--dropout", 0, 0, 0.99, &c->dropout, err) < 0 ||
	    opt_real(call, "--lr-decay", 0.5, 1e-9, 1, &c->lr_decay, err) < 0)
		return -1;
	if ((v = call_opt(call, "--schedule"))) {
		/* step takes its period: step:N */
		char *name = xstrdup(v), *colon = strchr(name, ':');
		int64_t every = 5;
		if (colon)
			*colon = 0;
		bool ok = lr_schedule_parse(name, &c->schedule) &&
			  (!colon || (c->schedule == LR_STEP && parse_int64(colon + 1, strlen(colon + 1), &every) &&
				      every >= 1 && every <= 100000));
		free(name);
		if (!ok)
			return pm_errcf(err, PM_E_USAGE, "--schedule: '%s' is not one of constant, exponential, step[:N], cosine", v);
		c->lr_step = (int)every;
	}
	if ((v = call_opt(call, "--target"))) {
		const char *eq = strchr(v, '=');
		bool known = false;
		char *name = eq ? xstrndup(v, (size_t)(eq - v)) : NULL;
		if (name)
			model_metric_higher_better(name, &known);
		if (!eq || !known || !parse_double(eq + 1, strlen(eq + 1), &c->target)) {
			free(name);
			return pm_errcf(err, PM_E_USAGE, "--target: '%s' is not METRIC=VALUE with a metric of evaluate (auc, accuracy, rmse, logloss, ...)", v);
		}
		c->target_metric = name;
	}
	if ((v = call_opt(call, "--seed"))) {
		int64_t s;
		if (!parse_int64(v, strlen(v), &s) || s < 0)
			return pm_errcf(err, PM_E_USAGE, "--seed must be a number from 0");
		c->seed = (uint64_t)s;
	}
	if ((v = call_opt(call, "--device")) || (v = device)) {
		enum train_device d;
		if (!train_device_parse(v, &d))
			return pm_errcf(err, PM_E_USAGE, "--device: unknown device '%s' (cpu, cuda or auto; gpu is cuda)", v);
		/* no GPU: said before a run is made */
		struct gpu_info gi;
		if (d == DEV_CUDA && gpu_probe(&gi, err) < 0)
			return pm_err_prefix(err, "--device cuda"), -1;
		c->device = xstrdup(v);
	}
	if (opt_size(call, "--gpus", 1, 1, 64, &n, err) < 0)
		return -1;
	c->gpus = call_opt(call, "--gpus") ? (int)n : 0;
	c->l2_auto = !call_opt(call, "--l2") && (c->opt == OPT_AUTO || c->opt == OPT_LBFGS);
	int procs;
	if (workers_opts(call, &c->workers, &c->ps, &c->max_staleness, &procs, err) < 0)
		return -1;
	if (opt_size(call, "--bucket", TRAIN_BUCKET_KB, 0, 1 << 20, &n, err) < 0)
		return -1;
	c->bucket_kb = (int)n;
	if (call_opt(call, "--bucket") && (procs < 2 || c->ps > 0))
		return pm_errcf(err, PM_E_USAGE, "--bucket applies to --workers N (N >= 2) with --strategy allreduce");
	if (c->ps > 0 && c->opt == OPT_LBFGS)
		return pm_errcf(err, PM_E_USAGE, "--strategy ps applies gradients of mini-batches as they come: train with --optimizer sgd, adam, adagrad or ftrl, not lbfgs");
	if (opt_size(call, "--patience", c->auto_epochs ? TRAIN_PATIENCE : 0, c->auto_epochs ? 1 : 0,
		     100000, &n, err) < 0)
		return -1;
	c->patience = (int)n;
	if (opt_size(call, "--shuffle-buffer", 0, 0, 1LL << 40, &n, err) < 0)
		return -1;
	c->shuffle_buffer = (size_t)n;
	c->no_cache = call_flag(call, "--no-cache");
	if ((v = call_opt(call, "--transform")))
		c->transform = xstrdup(v);
	if ((v = call_opt(call, "--cross")))
		c->crosses = xstrdup(v);
	if (opt_size(call, "--topk", 0, 0, 10000000, &n, err) < 0)
		return -1;
	c->topk = (uint32_t)n;
	if (opt_size(call, "--buckets", 0, 0, 100000000, &n, err) < 0)
		return -1;
	c->hash_buckets = (uint32_t)n;
	if (opt_size(call, "--embed", 0, 0, 1024, &n, err) < 0)
		return -1;
	c->embed_dim = (int)n;
	if ((v = call_opt(call, "--positive")))
		c->positive = xstrdup(v);
	if ((v = call_opt(call, "--slice")))
		c->slice = xstrdup(v);
	if ((v = call_opt(call, "--description")))
		c->description = xstrdup(v);
	if (c->patience && !c->eval && !c->auto_epochs)
		return pm_errcf(err, PM_E_USAGE, "--patience with --epochs watches the eval loss: give --eval NAME (or leave out --epochs to hold out training rows)");
	if (c->target_metric && !c->eval && strcmp(c->target_metric, "loss") != 0)
		return pm_errcf(err, PM_E_USAGE, "--target %s watches an eval metric: give --eval NAME", c->target_metric);
	return 0;
}

/* The command as the user would type it again (for `jobs`). */
static int start_job(struct session *s, struct workspace *ws, struct cmd_call *call, int64_t run,
		     struct pm_err *err)
{
	char *text = cmd_call_text(call);
	int64_t job;
	int rc = job_create(ws, "train", text, run, &job, err);
	free(text);
	if (rc < 0 || job_spawn(ws, job, err) < 0)
		return -1;
	json_t *j;
	if (job_get(ws, job, &j, err) < 0)
		return -1;
	json_object_del(j, "result");
	call->result = j;
	return 0;
}

static int foreground_run(struct session *s, struct workspace *ws, struct cmd_call *call,
			  int64_t run, const char *model, struct pm_err *err)
{
	struct train_progress tp = {.s = s, .model = model};
	struct progress p = {.report = draw_train, .ctx = &tp, .cancel = s->progress.cancel};
	struct train_hooks h = {.progress = &p};
	json_t *res;
	if (run_execute(ws, run, &h, &res, err) < 0) {
		if (tp.width && !s->quiet && s->tty) {
			fputc('\n', s->errs);
			fflush(s->errs);
		}
		if (err->code == PM_E_CANCEL || strstr(err->msg, "diverged") || strstr(err->msg, "changed since"))
			pm_err_prefix(err, "run %lld", (long long)run);
		if (err->code == PM_E_CANCEL) {
			char hint[96];
			snprintf(hint, sizeof hint, " (`train --resume %lld` continues it)", (long long)run);
			strncat(err->msg, hint, sizeof err->msg - strlen(err->msg) - 1);
		}
		return -1;
	}
	call->result = res;
	return 0;
}

/* ---- train -------------------------------------------------------------------- */

static int check_columns(struct session *s, const struct train_config *c, struct pm_err *err)
{
	struct frame *f;
	if (session_frame(s, c->data, &f, err) < 0)
		return -1;
	if (frame_col_index(f, c->label) < 0)
		return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (the --label)", c->data,
				c->label);
	for (size_t i = 0; i < c->nfeatures; i++) {
		if (strcmp(c->features[i], c->label) == 0)
			return pm_errcf(err, PM_E_USAGE, "the label '%s' cannot also be a feature", c->label);
		if (frame_col_index(f, c->features[i]) < 0)
			return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (in --features)",
					c->data, c->features[i]);
	}
	if (c->eval) {
		struct frame *e;
		if (session_frame(s, c->eval, &e, err) < 0)
			return -1;
		if (frame_col_index(e, c->label) < 0)
			return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (the --label)",
					c->eval, c->label);
		f = e;
	}
	/* the slices are measured on the eval data, else the training data:
	 * checked now rather than after the training */
	if (c->slice) {
		int sc = frame_col_index(f, c->slice);
		if (sc < 0)
			return pm_errcf(err, PM_E_USAGE, "--slice: dataset '%s' has no column '%s'", f->name,
					c->slice);
		if (model_slice_check(f, sc, err) < 0)
			return -1;
	}
	return 0;
}

/* Without --features, every column but the label less those the dataset's
 * schema marks not_in_env serving: a model that reads them trains well and
 * then cannot be served.  *left_out gets {"schema","features"} when the
 * schema left any out. */
static int default_features(struct session *s, struct train_config *c, json_t **left_out,
			    struct pm_err *err)
{
	*left_out = NULL;
	struct frame *f;
	struct schema *sc;
	struct workspace *ws;
	if (session_frame(s, c->data, &f, err) < 0 || session_ws(s, &ws, err) < 0 ||
	    schema_of_dataset(ws, c->data, &sc, err) < 0)
		return -1;
	if (!sc)
		return 0;
	char **feats = xcalloc(f->ncols + 1, sizeof *feats);
	size_t n = 0;
	json_t *out = json_array();
	for (size_t i = 0; i < f->ncols; i++) {
		const char *name = f->cols[i].name;
		if (strcmp(name, c->label) == 0)
			continue;
		const struct schema_feature *sf = schema_find(sc, name);
		if (sf && !schema_in_env(sf, "serving"))
			json_array_append_new(out, json_string(name));
		else
			feats[n++] = xstrdup(name);
	}
	int rc = 0;
	if (json_array_size(out) && n == 0)
		rc = pm_errcf(err, PM_E_USAGE,
			      "train: schema %s marks every column of dataset '%s' but the label "
			      "not_in_env serving: no features are left (give --features)",
			      sc->name, c->data);
	if (rc == 0 && json_array_size(out)) {
		c->features = feats;
		c->nfeatures = n;
		*left_out = json_pack("{s:s,s:O}", "schema", sc->name, "features", out);
	} else {
		str_list_free(feats);
	}
	json_decref(out);
	schema_free(sc);
	return rc;
}

/* ---- several workers --------------------------------------------------------- */
static void rank0_progress(void *ctx, const char *what, double done, double total)
{
	struct session *s = ctx;
	dist_progress_line(s->errs, what, done, total);
}

/* Under mpirun each rank runs this command: rank 0 creates the run (unless
 * it resumes one) and tells the others its number; every rank trains its
 * shard, rank 0 alone writes the workspace and prints the result.  An error
 * on any rank ends them all (the others would wait for it forever), named
 * by its rank. */
static int mpi_rank_run(struct session *s, struct workspace *ws, struct cmd_call *call,
			struct train_config *cfg, int64_t run, struct pm_err *err)
{
	struct dist d;
	if (dist_init(&d, err) < 0)
		return -1;
	int rc = 0;
	if (run == 0) {
		/* a new run from this command line */
		int64_t id = 0;
		if (d.rank == 0)
			rc = run_create(ws, cfg, &id, err);
		if (dist_bcast(&d, &id, sizeof id, 0, err) < 0)
			rc = -1;
		else if (id == 0 && rc == 0)
			rc = pm_errf(err, "rank 0 could not create the run");
		run = id;
	}
	json_t *res = NULL;
	/* rank 0's progress goes to the launcher, which shows it as a run of
	 * one process shows its own */
	struct progress p = {.report = rank0_progress, .ctx = s};
	if (rc == 0)
		rc = run_execute(ws, run, &(struct train_hooks){.dist = &d, .progress = d.rank == 0 ? &p : NULL},
				 &res, err);
	dist_free(&d);
	if (rc < 0) {
		fprintf(stderr, "prodml: rank %d of %d: %s\n", d.rank, d.size, err->msg);
		fflush(stderr);
		dist_abort(&d, 1);
		return -1;
	}
	if (d.rank != 0) {
		/* one result for the run: rank 0's */
		json_decref(res);
		fflush(stdout);
		if (!freopen("/dev/null", "w", stdout))
			return pm_errf(err, "rank %d: cannot silence its output", d.rank);
		res = json_object();
	}
	call->result = res;
	return 0;
}

/* --workers N, --strategy, --ps N, --max-staleness K and --hosts FILE of
 * this command: *procs gets the processes to start (N, plus the servers). */
static int workers_opts(const struct cmd_call *call, int *workers, int *ps, int *max_stale,
			int *procs, struct pm_err *err)
{
	long long n;
	if (opt_size(call, "--workers", 1, 1, 1024, &n, err) < 0)
		return -1;
	*workers = (int)n;
	const char *st = call_opt(call, "--strategy");
	if (st && strcmp(st, "allreduce") != 0 && strcmp(st, "ps") != 0)
		return pm_errcf(err, PM_E_USAGE, "--strategy '%s': expected allreduce or ps", st);
	bool servers = st && strcmp(st, "ps") == 0;
	if (!servers && (call_opt(call, "--ps") || call_opt(call, "--max-staleness")))
		return pm_errcf(err, PM_E_USAGE, "--%s applies to --strategy ps",
				call_opt(call, "--ps") ? "ps" : "max-staleness");
	if (opt_size(call, "--ps", servers ? 1 : 0, servers ? 1 : 0, 64, &n, err) < 0)
		return -1;
	*ps = (int)n;
	if (opt_size(call, "--max-staleness", TRAIN_MAX_STALENESS, 0, 1000, &n, err) < 0)
		return -1;
	*max_stale = (int)n;
	*procs = *workers + *ps;
	const char *hosts = call_opt(call, "--hosts");
	if (*procs > 1 && !dist_built())
		return dist_not_built(*procs, err);
	if (hosts && *procs < 2)
		return pm_errcf(err, PM_E_USAGE, "--hosts spreads the workers over hosts: give --workers N (N >= 2) too");
	if (hosts && dist_check_hostfile(hosts, err) < 0)
		return -1;
	return 0;
}

/* prodml starts the workers and waits for them; Ctrl-C stops them. */
static int launch_workers(struct session *s, struct workspace *ws, struct cmd_call *call,
			  int64_t run, int workers, const char *hosts, const char *model, struct pm_err *err)
{
	struct train_progress tp = {.s = s, .model = model};
	struct progress p = {.report = draw_train, .ctx = &tp, .cancel = s->progress.cancel};
	struct train_hooks h = {.progress = &p};
	return dist_launch(ws, run, workers, hosts, &h, &call->result, err);
}

static int exec_train(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	int workers, ps, max_stale, procs, rank = 0, size = 1;
	if (workers_opts(call, &workers, &ps, &max_stale, &procs, err) < 0)
		return -1;
	const char *hosts = call_opt(call, "--hosts");
	/* started by mpirun (ours or the user's): this process is one rank */
	bool in_mpi = dist_launched(&rank, &size) && size > 1;
	if (in_mpi && !dist_built())
		return dist_not_built(size, err);
	if (in_mpi && call_opt(call, "--workers") && procs != size)
		return pm_errcf(err, PM_E_USAGE, "--workers %d%s, but mpirun started %d processes: leave --workers out under mpirun",
				workers, ps ? " and the parameter servers" : "", size);
	if (in_mpi && size <= ps)
		return pm_errcf(err, PM_E_USAGE, "--ps %d, but mpirun started %d processes: the workers need at least one more",
				ps, size);
	const char *resume = call_opt(call, "--resume");
	if (resume) {
		int64_t run;
		if (!parse_int64(resume, strlen(resume), &run) || run < 1)
			return pm_errcf(err, PM_E_USAGE, "--resume needs a run number (see `jobs` or the train output)");
		if (call_opt(call, "--data") || call_opt(call, "--label"))
			return pm_errcf(err, PM_E_USAGE, "train --resume RUN takes no --data or --label: the run has them");
		if (run_check_resumable(ws, run, err) < 0)
			return -1;
		json_t *rj;
		if (run_get(ws, run, &rj, err) < 0)
			return -1;
		char *model = xstrdup(json_string_value(json_object_get(rj, "model")));
		/* without --workers a run resumes on the workers it started with */
		char *run_hosts = NULL;
		if (!call_opt(call, "--workers") && !in_mpi) {
			json_t *cj = json_object_get(rj, "config");
			json_t *w = json_object_get(cj, "workers");
			if (json_is_integer(w))
				workers = (int)json_integer_value(w);
		}
		if (!in_mpi) {
			/* the run's servers, with its workers or the ones given */
			json_t *p = json_object_get(json_object_get(rj, "config"), "ps");
			procs = workers + (json_is_integer(p) ? (int)json_integer_value(p) : 0);
			if (procs > 1 && !dist_built()) {
				free(model);
				json_decref(rj);
				return dist_not_built(procs, err);
			}
		}
		if (!call_opt(call, "--workers") && !in_mpi) {
			const char *hf = json_string_value(json_object_get(json_object_get(rj, "config"), "hosts"));
			if (hf && !hosts)
				hosts = run_hosts = xstrdup(hf);
		}
		json_decref(rj);
		/* `train fare --resume 1` reads naturally; a MODEL that is not the
		 * run's would register the result under a name the user did not mean */
		if (call->argc > 0 && strcmp(call->argv[0], model) != 0) {
			pm_errcf(err, PM_E_USAGE, "train --resume %lld: run %lld trains model %s, not %s",
				 (long long)run, (long long)run, model, call->argv[0]);
			free(model);
			return -1;
		}
		int rc = in_mpi ? mpi_rank_run(s, ws, call, NULL, run, err)
			 : call_flag(call, "--detach") ? start_job(s, ws, call, run, err)
			 : procs > 1 ? launch_workers(s, ws, call, run, procs, hosts, model, err)
				     : foreground_run(s, ws, call, run, model, err);
		free(model);
		free(run_hosts);
		return rc;
	}
	if (call->argc < 1)
		return pm_errcf(err, PM_E_USAGE, "train: give a MODEL name (or --resume RUN)");
	struct train_config cfg;
	if (train_config_from_call(call, call->argv[0], session_get(s, "device"), &cfg, err) < 0) {
		train_config_free(&cfg);
		return -1;
	}
	if (in_mpi)
		cfg.workers = size - cfg.ps;
	if (cfg.threads == 0) {
		/* workers on one host share its cores */
		cfg.threads = session_threads(s);
		if (procs > 1 && !hosts)
			cfg.threads = cfg.threads / procs > 1 ? cfg.threads / procs : 1;
	}
	/* the mistakes that need no training are reported before a run exists */
	json_t *left_out = NULL;
	if (check_columns(s, &cfg, err) < 0 ||
	    (!cfg.features && default_features(s, &cfg, &left_out, err) < 0)) {
		train_config_free(&cfg);
		return -1;
	}
	int64_t run = 0;
	int rc;
	if (in_mpi) {
		rc = mpi_rank_run(s, ws, call, &cfg, 0, err);
		train_config_free(&cfg);
		json_decref(left_out);
		return rc;
	}
	if (hosts) {
		/* a job or a resume may start from another directory */
		char *abs = realpath(hosts, NULL);
		cfg.hosts = abs ? abs : xstrdup(hosts);
	}
	rc = run_create(ws, &cfg, &run, err);
	train_config_free(&cfg);
	if (rc == 0)
		rc = call_flag(call, "--detach") ? start_job(s, ws, call, run, err)
		     : procs > 1 ? launch_workers(s, ws, call, run, procs, hosts, call->argv[0], err)
				 : foreground_run(s, ws, call, run, call->argv[0], err);
	if (rc == 0 && left_out)
		json_object_set(call->result, "left_out", left_out);
	json_decref(left_out);
	return rc;
}

/* "  HEAD a, b, c" wrapped under the first name; head is 10 columns wide */
static void render_names(struct sbuf *out, const char *head, json_t *names, const char *tail)
{
	if (!json_array_size(names))
		return;
	struct sbuf b = {0}, w = {0};
	size_t i;
	json_t *x;
	json_array_foreach(names, i, x) sbuf_printf(&b, "%s%s", i ? ", " : "", json_string_value(x));
	if (tail)
		sbuf_puts(&b, tail);
	render_wrap(&w, b.s, 12, 78);
	memcpy(w.s + 2, head, 10);
	sbuf_add(out, w.s, w.len);
	sbuf_free(&b);
	sbuf_free(&w);
}

/* Why a run without --epochs ended where it did. */
static void render_stop(json_t *r, struct sbuf *out)
{
	json_t *a = json_object_get(r, "auto_epochs");
	if (!a)
		return;
	long long epochs = json_integer_value(json_object_get(r, "epochs")),
		  best = json_integer_value(json_object_get(r, "best_epoch")),
		  patience = json_integer_value(json_object_get(a, "patience"));
	const char *watched = json_string_value(json_object_get(a, "watched")) ?: "";
	const char *by = json_string_value(json_object_get(a, "stopped_by"));
	struct sbuf what = {0};
	if (!strcmp(watched, "eval"))
		sbuf_puts(&what, "eval loss");
	else if (!strcmp(watched, "holdout"))
		sbuf_printf(&what, "loss on %lld held-out training rows",
			    (long long)json_integer_value(json_object_get(a, "holdout_rows")));
	else
		sbuf_puts(&what, "training loss (too few rows to hold some out)");
	struct sbuf t = {0};
	if (!by)
		sbuf_printf(&t, "ran all %lld epochs (--max-epochs) before %s went %lld epochs without improving",
			    epochs, what.s, patience);
	else if (!strcmp(by, "patience"))
		sbuf_printf(&t, "stopped at epoch %lld: %s did not improve for %lld epochs", epochs,
			    what.s, patience);
	else if (!strcmp(by, "target"))
		sbuf_printf(&t, "stopped at epoch %lld: --target reached", epochs);
	else
		sbuf_printf(&t, "stopped at epoch %lld: out of time", epochs);
	/* without held-out rows the last weights are kept, not the best */
	if (strcmp(watched, "training") != 0)
		sbuf_printf(&t, "; best epoch %lld", best);
	render_wrap(out, t.s, 2, 79);
	sbuf_free(&t);
	sbuf_free(&what);
}

/* How far the solver went.  The iterations and the gradient norm differ
 * in their last steps from one CPU's BLAS kernels to another's, so they are
 * shown unless --quiet (scripts and tests), like timings; whether it
 * converged is shown always. */
static void render_solver(struct session *s, json_t *so, json_int_t rows, json_int_t params,
			  struct sbuf *out)
{
	const char *name = json_string_value(json_object_get(so, "name")) ?: "solver";
	const char *by = json_string_value(json_object_get(so, "stopped_by")) ?: "";
	long long it = json_integer_value(json_object_get(so, "iterations"));
	double g = json_number_value(json_object_get(so, "gradient_norm")),
	       g0 = json_number_value(json_object_get(so, "initial_gradient_norm")),
	       tol = json_number_value(json_object_get(so, "tol"));
	struct sbuf t = {0};
	if (json_is_true(json_object_get(so, "converged")))
		sbuf_printf(&t, "%s converged", name);
	else if (!strcmp(by, "max_iter"))
		sbuf_printf(&t, "%s stopped at --max-iter %lld before converging", name, it);
	else
		sbuf_printf(&t, "%s stopped before --tol: no further decrease at double precision", name);
	if (!s->quiet)
		sbuf_printf(&t, " (%lld iterations, gradient norm %.3g from %.3g, --tol %g)", it, g, g0, tol);
	sbuf_printf(&t, ", %lld rows, %lld parameters", (long long)rows, (long long)params);
	render_wrap(out, t.s, 2, 79);
	sbuf_free(&t);
}

/* The workers of `train --workers N`: whether they ended on one model and,
 * unless --quiet (timings vary), each one's rate and communication share. */
static void render_workers(struct session *s, json_t *d, struct sbuf *out)
{
	if (!d)
		return;
	bool agree = json_is_true(json_object_get(d, "ranks_agree"));
	sbuf_printf(out, "  workers %lld (%s): %s\n", (long long)json_integer_value(json_object_get(d, "workers")),
		    json_string_value(json_object_get(d, "strategy")),
		    agree ? "the same parameters on every rank" : "THE RANKS' PARAMETERS DIFFER");
	json_t *st = json_object_get(d, "staleness");
	if (st)
		sbuf_printf(out, "  %lld parameter server%s; staleness of %lld updates: mean %.3g, max %lld (bound %lld), %lld refused\n",
			    (long long)json_integer_value(json_object_get(d, "servers")),
			    json_integer_value(json_object_get(d, "servers")) == 1 ? "" : "s",
			    (long long)json_integer_value(json_object_get(st, "updates")),
			    json_number_value(json_object_get(st, "mean")),
			    (long long)json_integer_value(json_object_get(st, "max")),
			    (long long)json_integer_value(json_object_get(st, "bound")),
			    (long long)json_integer_value(json_object_get(st, "refused")));
	if (s->quiet)
		return;
	sbuf_printf(out, "  communicating %.0f%% of the time, computing %.0f%%\n",
		    100 * json_number_value(json_object_get(d, "comm_share")),
		    100 * (1 - json_number_value(json_object_get(d, "comm_share"))));
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(d, "per_worker"), i, w) {
		const char *role = json_string_value(json_object_get(w, "role"));
		sbuf_printf(out, "    rank %lld%s%s: ", (long long)json_integer_value(json_object_get(w, "rank")),
			    role ? " " : "", role ? role : "");
		render_metric_num(out, round(json_number_value(json_object_get(w, "rows_per_s"))));
		sbuf_printf(out, " rows/s, computing %.3fs, communicating %.3fs (%.0f%%)\n",
			    json_number_value(json_object_get(w, "compute_s")),
			    json_number_value(json_object_get(w, "comm_s")),
			    100 * json_number_value(json_object_get(w, "comm_share")));
	}
}

static void render_train(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	if (json_object_get(r, "job")) {
		sbuf_printf(out, "job %lld started: %s (state %s)\n  log: %s\n  `job wait %lld` waits for it; `job show %lld` shows its progress\n",
			    (long long)json_integer_value(json_object_get(r, "job")),
			    json_string_value(json_object_get(r, "command")),
			    json_string_value(json_object_get(r, "state")),
			    json_string_value(json_object_get(r, "log")) ?: "-",
			    (long long)json_integer_value(json_object_get(r, "job")),
			    (long long)json_integer_value(json_object_get(r, "job")));
		return;
	}
	sbuf_printf(out, "model %s version %lld (run %lld): %s, %s\n",
		    json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    (long long)json_integer_value(json_object_get(r, "run")),
		    json_string_value(json_object_get(r, "type")), json_string_value(json_object_get(r, "task")));
	json_t *so = json_object_get(r, "solver");
	if (so)
		render_solver(s, so, json_integer_value(json_object_get(r, "rows")),
			      json_integer_value(json_object_get(r, "parameters")), out);
	else
		sbuf_printf(out, "  epochs %lld (best %lld)%s%s%s, %lld rows, %lld parameters\n",
			    (long long)json_integer_value(json_object_get(r, "epochs")),
			    (long long)json_integer_value(json_object_get(r, "best_epoch")),
			    /* without --epochs the next line says why */
			    json_is_true(json_object_get(r, "stopped_early")) && !json_object_get(r, "auto_epochs")
				    ? ", stopped early" : "",
			    json_is_true(json_object_get(r, "reached_target")) ? ", target reached" : "",
			    json_is_true(json_object_get(r, "resumed")) ? ", resumed" : "",
			    (long long)json_integer_value(json_object_get(r, "rows")),
			    (long long)json_integer_value(json_object_get(r, "parameters")));
	render_stop(r, out);
	const char *dev = json_string_value(json_object_get(r, "device"));
	if (dev) {
		char *t = xasprintf("device: %s", dev);
		render_wrap(out, t, 2, 79);
		free(t);
	}
	const char *note = json_string_value(json_object_get(r, "note"));
	if (note) {
		char *t = xasprintf("note: %s", note);
		render_wrap(out, t, 2, 79);
		free(t);
	}
	/* timings vary from run to run: shown unless --quiet (scripts, tests) */
	if (!s->quiet) {
		sbuf_puts(out, "  ");
		render_metric_num(out, round(json_number_value(json_object_get(r, "rows_per_s"))));
		sbuf_printf(out, " rows/s; waiting for input %.3fs, computing %.3fs\n",
			    json_number_value(json_object_get(r, "input_wait_s")),
			    json_number_value(json_object_get(r, "compute_s")));
	}
	render_workers(s, json_object_get(r, "distributed"), out);
	render_names(out, "features: ", json_object_get(r, "features"), NULL);
	json_t *lo = json_object_get(r, "left_out");
	if (lo) {
		char *why = xasprintf(" (schema %s: not_in_env serving)",
				      json_string_value(json_object_get(lo, "schema")));
		render_names(out, "left out: ", json_object_get(lo, "features"), why);
		free(why);
	}
	render_metrics(json_object_get(r, "metrics"), json_string_value(json_object_get(r, "task")), "  ",
		       out);
	render_slices(json_object_get(r, "slices"), json_string_value(json_object_get(r, "task")), out);
}

/* ---- jobs ---------------------------------------------------------------------- */

static int exec_jobs(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	return job_list(ws, &call->result, err);
}

static void render_jobs(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *arr = json_object_get(r, "jobs");
	if (json_array_size(arr) == 0) {
		sbuf_puts(out, "no jobs: `train ... --detach` starts one\n");
		return;
	}
	size_t n = json_array_size(arr);
	static const char *const hdr[] = {"job", "state", "progress", "run", "command", "message"};
	static const bool right[] = {true, false, true, true, false, false};
	struct table *t = table_new(6, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i);
		table_take(t, render_int(json_object_get(j, "job")));
		table_str(t, json_string_value(json_object_get(j, "state")));
		table_cell(t, "%.0f%%", 100 * json_number_value(json_object_get(j, "progress")));
		table_take(t, render_int(json_object_get(j, "run")));
		table_str(t, json_string_value(json_object_get(j, "command")));
		const char *m = json_string_value(json_object_get(j, "error"));
		if (!m)
			m = json_string_value(json_object_get(j, "message"));
		table_str(t, m);
	}
	table_render(t, out);
}

static int job_id_arg(const struct cmd_call *call, int64_t *id, struct pm_err *err)
{
	const char *a = call->argv[0];
	if (!parse_int64(a, strlen(a), id) || *id < 1)
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a job number (see `jobs`)", a);
	return 0;
}

static int exec_job_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t id;
	if (job_id_arg(call, &id, err) < 0 || session_ws(s, &ws, err) < 0)
		return -1;
	json_t *j;
	if (job_get(ws, id, &j, err) < 0)
		return -1;
	/* the run's epochs so far: what the TUI draws its curves from */
	json_t *run = json_object_get(j, "run");
	if (json_is_integer(run)) {
		json_t *rj;
		if (run_get(ws, json_integer_value(run), &rj, err) == 0) {
			json_object_set(j, "epochs", json_object_get(rj, "epochs"));
			json_object_set(j, "run_state", json_object_get(rj, "state"));
			/* a distributed run's workers, as rank 0 last heard of them */
			if (json_object_get(rj, "workers"))
				json_object_set(j, "workers", json_object_get(rj, "workers"));
			json_decref(rj);
		}
	}
	call->result = j;
	return 0;
}

static void render_job(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	sbuf_printf(out, "job %lld: %s  %.0f%%  run %lld\n  %s\n",
		    (long long)json_integer_value(json_object_get(r, "job")),
		    json_string_value(json_object_get(r, "state")) ?: "",
		    100 * json_number_value(json_object_get(r, "progress")),
		    (long long)json_integer_value(json_object_get(r, "run")),
		    json_string_value(json_object_get(r, "command")) ?: "");
	const char *m = json_string_value(json_object_get(r, "message"));
	if (m)
		sbuf_printf(out, "  %s\n", m);
	const char *e = json_string_value(json_object_get(r, "error"));
	if (e)
		sbuf_printf(out, "  error: %s\n", e);
	json_t *eps = json_object_get(r, "epochs");
	if (json_array_size(eps)) {
		sbuf_puts(out, "  epoch  train_loss       metric       value    rows/s  wait_s  compute_s\n");
		size_t i;
		json_t *e1;
		json_array_foreach(eps, i, e1) {
			sbuf_printf(out, "  %5lld  %10.6g  %11s  %10.6g  %8.0f  %6.2f  %9.2f\n",
				    (long long)json_integer_value(json_object_get(e1, "epoch")),
				    json_number_value(json_object_get(e1, "train_loss")),
				    json_string_value(json_object_get(e1, "metric")) ?: "",
				    json_number_value(json_object_get(e1, "value")),
				    json_number_value(json_object_get(e1, "rows_per_s")),
				    json_number_value(json_object_get(e1, "input_wait_s")),
				    json_number_value(json_object_get(e1, "compute_s")));
		}
	}
	json_t *wk = json_object_get(json_object_get(r, "workers"), "workers");
	if (json_array_size(wk)) {
		sbuf_printf(out, "  workers in epoch %lld (as of %s):\n",
			    (long long)json_integer_value(json_object_get(json_object_get(r, "workers"), "epoch")),
			    json_string_value(json_object_get(json_object_get(r, "workers"), "updated")) ?: "");
		sbuf_puts(out, "   rank  role        rows   steps        loss\n");
		size_t i;
		json_t *w;
		json_array_foreach(wk, i, w) {
			json_t *l = json_object_get(w, "loss");
			sbuf_printf(out, "  %5lld  %-6s  %8lld  %6lld  %10.6g\n",
				    (long long)json_integer_value(json_object_get(w, "rank")),
				    json_string_value(json_object_get(w, "role")) ?: "",
				    (long long)json_integer_value(json_object_get(w, "rows")),
				    (long long)json_integer_value(json_object_get(w, "steps")),
				    json_is_number(l) ? json_number_value(l) : NAN);
		}
	}
	json_t *res = json_object_get(r, "result");
	if (json_is_object(res)) {
		sbuf_puts(out, "result:\n");
		render_train(s, call, res, out);
	}
}

static int exec_job_wait(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t id;
	double timeout;
	if (job_id_arg(call, &id, err) < 0 || session_ws(s, &ws, err) < 0 ||
	    opt_real(call, "--timeout", 0, 0, 1e9, &timeout, err) < 0)
		return -1;
	json_t *j;
	if (job_wait(ws, id, timeout, s->progress.cancel, &j, err) < 0)
		return -1;
	const char *state = json_string_value(json_object_get(j, "state"));
	if (strcmp(state, "done") != 0) {
		const char *e = json_string_value(json_object_get(j, "error"));
		pm_errf(err, "job %lld %s: %s", (long long)id, state, e ? e : "no result");
		json_decref(j);
		return -1;
	}
	call->result = j;
	return 0;
}

static int exec_job_cancel(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t id;
	double grace;
	if (job_id_arg(call, &id, err) < 0 || session_ws(s, &ws, err) < 0 ||
	    opt_real(call, "--grace", 10, 0, 3600, &grace, err) < 0)
		return -1;
	return job_cancel(ws, id, grace, &call->result, err);
}

static int exec_job_exec(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t id;
	if (job_id_arg(call, &id, err) < 0 || session_ws(s, &ws, err) < 0)
		return -1;
	return job_exec(ws, id, &call->result, err);
}

/* ---- evaluate ----------------------------------------------------------------- */

static int exec_evaluate(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct frame *f;
	const char *data = call_opt(call, "--data");
	if (!data)
		return pm_errcf(err, PM_E_USAGE, "evaluate: --data NAME is required");
	double threshold;
	if (opt_real(call, "--threshold", 0.5, 0, 1, &threshold, err) < 0)
		return -1;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct reg_version v;
	if (reg_resolve(ws, call->argv[0], &v, err) < 0)
		return -1;
	struct model *m = NULL;
	int rc = -1;
	if (reg_load_model(ws, &v, &m, err) < 0)
		goto out;
	if (session_frame(s, data, &f, err) < 0)
		goto out;
	int sc = -1;
	const char *slice = call_opt(call, "--slice");
	if (slice && (sc = frame_col_index(f, slice)) < 0) {
		pm_errcf(err, PM_E_USAGE, "--slice: dataset '%s' has no column '%s'", data, slice);
		goto out;
	}
	struct model_eval e;
	if (model_evaluate(m, f, sc, threshold, session_threads(s), &e, err) < 0)
		goto out;
	json_t *r = json_pack("{s:s,s:I,s:s,s:s,s:s,s:I,s:{s:I,s:I},s:o,s:o}", "model", v.model, "version",
			      (json_int_t)v.version, "type", model_type_name(m->type), "task",
			      model_task_name(m->task), "dataset", data,
			      "rows", (json_int_t)e.rows, "skipped_rows", "missing_label",
			      (json_int_t)e.missing_label, "unknown_label", (json_int_t)e.unknown_label,
			      "metrics", e.metrics, "slices", e.slices);
	if (!r) {
		pm_errf(err, "evaluate: cannot build the result");
		goto out;
	}
	call->result = r;
	rc = 0;
out:
	model_free(m);
	reg_version_free(&v);
	return rc;
}

static void render_evaluate(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	sbuf_printf(out, "model %s version %lld on %s: %lld rows",
		    json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    json_string_value(json_object_get(r, "dataset")),
		    (long long)json_integer_value(json_object_get(r, "rows")));
	json_t *sk = json_object_get(r, "skipped_rows");
	json_int_t m1 = json_integer_value(json_object_get(sk, "missing_label")),
		   m2 = json_integer_value(json_object_get(sk, "unknown_label"));
	if (m1 || m2)
		sbuf_printf(out, " (skipped: %lld without label, %lld with an unknown class)", (long long)m1,
			    (long long)m2);
	sbuf_putc(out, '\n');
	render_metrics(json_object_get(r, "metrics"), json_string_value(json_object_get(r, "task")), "  ",
		       out);
	render_slices(json_object_get(r, "slices"), json_string_value(json_object_get(r, "task")), out);
}

/* ---- the table ----------------------------------------------------------------- */

static const struct cmd_opt train_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "the training dataset (required)"},
	{"--label", 0, "COL", COMPLETE_COLUMN, NULL,
	 "the column to predict (required); rows where it is missing are skipped and counted"},
	{"--features", 0, "a,b,..", COMPLETE_COLUMN, NULL,
	 "the input columns (default: every column but the label, less those the dataset's "
	 "schema marks not_in_env serving)"},
	{"--model", 0, "TYPE", COMPLETE_WORDS, MODEL_TYPE_WORDS,
	 "the model (default from the label: numeric -> linear, two values or bool -> logistic, "
	 "a few string classes -> softmax)"},
	{"--hidden", 0, "N,N,..", COMPLETE_NONE, NULL,
	 "hidden layer sizes of dnn and wide-deep (default 64,32)"},
	{"--epochs", 0, "N", COMPLETE_NONE, NULL,
	 "exactly N passes over the training data (default: until the held-out loss stops "
	 "improving, see --patience, --max-epochs and --holdout)"},
	{"--max-epochs", 0, "N", COMPLETE_NONE, NULL,
	 "without --epochs: the most passes over the training data (default 200)"},
	{"--holdout", 0, "P", COMPLETE_NONE, NULL,
	 "without --epochs and --eval: the share of the training rows held out to judge each "
	 "epoch (default 0.1; drawn from --seed)"},
	{"--batch", 0, "N", COMPLETE_NONE, NULL, "rows per mini-batch (default 64)"},
	{"--lr", 0, "X", COMPLETE_NONE, NULL,
	 "learning rate (default: adam 0.01 for linear, logistic and softmax, 0.001 for dnn and "
	 "wide-deep; sgd 0.01; adagrad and ftrl 0.05)"},
	{"--optimizer", 0, "NAME", COMPLETE_WORDS, "lbfgs|sgd|adam|adagrad|ftrl|auto",
	 "optimizer (default auto: lbfgs for linear, logistic and softmax, adam for dnn and "
	 "wide-deep).  lbfgs: full batch, to the optimum (linear, logistic, softmax only); sgd, "
	 "adam, adagrad, ftrl: mini-batches, by epochs; sgd uses --momentum.  auto picks adam "
	 "for every model whenever an option of "
	 "training by epochs (--epochs, --max-epochs, --holdout, --batch, --lr, --patience, "
	 "--schedule, --lr-decay, --momentum, --target, --shuffle-buffer, --no-cache) is given, "
	 "which is an error with --optimizer lbfgs"},
	{"--max-iter", 0, "N", COMPLETE_NONE, NULL,
	 "lbfgs: the most iterations (default 1000)"},
	{"--tol", 0, "X", COMPLETE_NONE, NULL,
	 "lbfgs: stop when the gradient norm of the objective falls to X times its norm at the "
	 "start, or below X when that was under 1 (default 1e-6; the gradient is taken in "
	 "coordinates scaled by the diagonal of the curvature, so that a rare category "
	 "counts as much as a common one)"},
	{"--l2", 0, "X", COMPLETE_NONE, NULL,
	 "L2 penalty: adds X/2 times the sum of squared weights (not biases) to the loss "
	 "(default 0; with lbfgs, logistic and softmax 1/rows: scikit-learn's C=1)"},
	{"--eval", 0, "NAME", COMPLETE_DATASET, NULL,
	 "held-out dataset judged after each epoch; the weights of the epoch with the best eval "
	 "loss (rmse, or logloss for classification) are kept"},
	{"--seed", 0, "N", COMPLETE_NONE, NULL,
	 "seed of every random choice (weights, shuffling, dropout): the same seed gives the same model (default 42)"},
	{"--device", 0, "cpu|cuda|auto", COMPLETE_WORDS, "cpu|cuda|auto",
	 "where the training step runs (default cpu; `set device` changes it): cpu (float64), cuda (an NVIDIA GPU, float32; gpu is the same) or auto (the GPU when there is one)"},
	{"--gpus", 0, "N", COMPLETE_NONE, NULL, "with --device cuda: GPUs to train on (default 1; more need the mirrored strategy, not built yet)"},
	{"--workers", 0, "N", COMPLETE_NONE, NULL,
	 "training processes under MPI: prodml starts mpirun itself; synchronous all-reduce (default 1)"},
	{"--strategy", 0, "allreduce|ps", COMPLETE_WORDS, "allreduce|ps",
	 "with --workers: all-reduce (synchronous, every worker applies the summed gradient) "
	 "or ps (asynchronous parameter servers) (default allreduce)"},
	{"--ps", 0, "N", COMPLETE_NONE, NULL,
	 "with --strategy ps: parameter servers holding shards of the weights, started besides the workers (default 1)"},
	{"--max-staleness", 0, "K", COMPLETE_NONE, NULL,
	 "with --strategy ps: a gradient computed on weights more than K updates old is refused and "
	 "computed again on fresh ones (default 8)"},
	{"--bucket", 0, "KB", COMPLETE_NONE, NULL,
	 "with --workers (all-reduce): the gradient is summed in buckets of whole layers of at least KB "
	 "kilobytes, each started (MPI_Iallreduce) as the backward pass finishes it, as Horovod does; "
	 "0: one blocking all-reduce after the backward pass (default 64)"},
	{"--hosts", 0, "FILE", COMPLETE_FILE, NULL,
	 "with --workers: an Open MPI hostfile (\"HOST slots=N\" a line) to spread the workers over"},
	{"--detach", 0, NULL, COMPLETE_NONE, NULL,
	 "run as a background job; prints the job (see `jobs`, `job wait`)"},
	{"--resume", 0, "RUN", COMPLETE_NONE, NULL,
	 "continue an interrupted run from its last checkpoint, with the run's data and "
	 "options (`train --resume RUN`, or `train MODEL --resume RUN` naming the run's model)"},
	{"--dropout", 0, "P", COMPLETE_NONE, NULL, "dropout rate of the hidden layers (default 0)"},
	{"--patience", 0, "N", COMPLETE_NONE, NULL,
	 "stop after N epochs without a better held-out loss (default 5; with --epochs it "
	 "needs --eval, and without --patience every epoch runs)"},
	{"--schedule", 0, "NAME", COMPLETE_WORDS, "constant|exponential|step|cosine",
	 "learning-rate schedule over the epochs (default constant): exponential multiplies it by "
	 "--lr-decay each epoch, step:N every N epochs (default 5), cosine lowers it to 1% at the "
	 "last epoch"},
	{"--lr-decay", 0, "X", COMPLETE_NONE, NULL,
	 "factor of the exponential and step schedules (default 0.5)"},
	{"--target", 0, "METRIC=X", COMPLETE_NONE, NULL,
	 "stop once an eval metric reaches X (auc=0.9, rmse=1.1, ...): time to a metric"},
	{"--momentum", 0, "X", COMPLETE_NONE, NULL, "momentum of sgd (default 0.9)"},
	{"--wide-optimizer", 0, "NAME", COMPLETE_WORDS, "ftrl|adagrad|adam|sgd",
	 "optimizer of the wide part of wide-deep (default ftrl)"},
	{"--wide-lr", 0, "X", COMPLETE_NONE, NULL,
	 "learning rate of the wide part (default 0.05 for ftrl and adagrad)"},
	{"--transform", 0, "COL=STEP+..,..", COMPLETE_NONE, NULL,
	 "per-feature transforms instead of the automatic ones (see below)"},
	{"--cross", 0, "A*B[:N],..", COMPLETE_NONE, NULL,
	 "hashed feature crosses into N buckets (default --buckets)"},
	{"--buckets", 0, "N", COMPLETE_NONE, NULL, "hash buckets of crosses (default 1000)"},
	{"--topk", 0, "K", COMPLETE_NONE, NULL,
	 "vocabulary size of one-hot string features; the rest is out-of-vocabulary (default 1000)"},
	{"--embed", 0, "D", COMPLETE_NONE, NULL,
	 "embedding width of categorical features in dnn and wide-deep (default: per feature, "
	 "1.6 * categories^0.56, 2 to 16)"},
	{"--positive", 0, "VALUE", COMPLETE_NONE, NULL,
	 "the positive class of a two-valued label (default: the larger value, true, or the later string)"},
	{"--slice", 0, "COL", COMPLETE_COLUMN, NULL,
	 "also measure the final model per value of COL (on the eval data, else the training "
	 "data) and keep those metrics with the version (models show, models compare)"},
	{"--description", 0, "TEXT", COMPLETE_NONE, NULL, "a description kept with the version"},
	{"--shuffle-buffer", 0, "N", COMPLETE_NONE, NULL,
	 "rows in the shuffle buffer (default: all rows, a full shuffle)"},
	{"--no-cache", 0, NULL, COMPLETE_NONE, NULL,
	 "transform rows as each batch is read instead of once before training"},
	{0}};

static const struct cmd_opt eval_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "the dataset to judge the model on (required)"},
	{"--slice", 0, "COL", COMPLETE_COLUMN, NULL,
	 "also give every metric per value of COL (performance by slice)"},
	{"--threshold", 0, "P", COMPLETE_NONE, NULL,
	 "probability from which a binary prediction counts as positive (default 0.5)"},
	{0}};

static const struct cmd_opt wait_opts[] = {
	{"--timeout", 0, "S", COMPLETE_NONE, NULL, "give up after S seconds (default: wait for the end)"},
	{0}};

static const struct cmd_opt cancel_opts[] = {
	{"--grace", 0, "S", COMPLETE_NONE, NULL,
	 "seconds the job has to stop by itself before it is killed (default 10)"},
	{0}};

static const struct cmd_opt no_opts[] = {{0}};

/* what each command reads and writes (pipelines take their data edges from these) */
static const struct cmd_io train_io[] = {
	{"1", IO_MODEL, true}, {"--data", IO_DATASET, false}, {"--eval", IO_DATASET, false}, {0}};
static const struct cmd_io evaluate_io[] = {{"1", IO_MODEL, false}, {"--data", IO_DATASET, false}, {0}};

const struct cmd_entry cmd_group_train[] = {
	{.name = "train", .group = "training", .args = "MODEL", .min_args = 0, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = train_opts,
	 .summary = "train a model on a dataset and register it as a new version of MODEL",
	 .help = "Learns the feature transform from the training rows (means and deviations, "
		 "ranges, quantiles, vocabularies), trains the model, and "
		 "registers the result as the next version of MODEL: its model file (schema, "
		 "transform, hyperparameters, metrics, weights and a checksum) goes into the "
		 "workspace artifacts. The transform is stored in the model and applied by the same "
		 "code in training, evaluate, predict and serve, so serving cannot skew.\n"
		 "Automatic transforms: int and float columns are standardized (z-score) with "
		 "missing values imputed by the mean and a missing-indicator feature added when the "
		 "training data had missing values; bools are 0/1; strings are one-hot over the "
		 "--topk most frequent values plus an out-of-vocabulary and a missing category "
		 "(values unseen in training go to out-of-vocabulary); timestamps become hour, day "
		 "of week, month and a weekend flag. --transform overrides them per column with "
		 "steps joined by '+': standardize, minmax, raw, log1p, clip:LO:HI, "
		 "bucketize:B1:B2:.. or bucketize:qN (N quantile buckets), onehot[:K], hash:N, "
		 "dateparts (also for an int column of unix seconds), impute:mean|median|mode|"
		 "const:V, indicator, noindicator, embed:D; for example --transform "
		 "'fare=clip:0:200+log1p,company=hash:64'. --cross 'hour*day:100' adds a hashed "
		 "cross (used by the wide part of wide-deep, and by the other models as a "
		 "categorical feature).\n"
		 "Models: linear (squared error), logistic (log loss), softmax (cross-entropy), dnn "
		 "(ReLU hidden layers, dropout, embeddings for categorical features) and wide-deep "
		 "(a linear wide part over the categorical features and crosses, trained with FTRL "
		 "or AdaGrad, plus a dnn deep part, trained with the main optimizer). Regression "
		 "labels are learned standardized and predicted in their own units.\n"
		 "The input pipeline transforms the rows once (or per batch with --no-cache), draws "
		 "them through a shuffle buffer, and a prefetch thread prepares the next batch "
		 "while the current one trains; the time spent waiting for input and computing is "
		 "reported, so an input-bound run can be told from a compute-bound one.\n"
		 "Each epoch's metrics are stored in the workspace as it ends (`job show` and the "
		 "TUI read them), and a checkpoint is written: `train --resume RUN` continues a run "
		 "that was interrupted (Ctrl-C, a crash, kill -9) and ends with the same model as "
		 "an uninterrupted run. A NaN or infinite value in an input or the label, or a "
		 "diverging loss, stops the run with a message that names the cause.\n"
		 "Optimizers: linear, logistic and softmax models are convex, and by default "
		 "they are solved to their optimum like scikit-learn's LinearRegression and "
		 "LogisticRegression: full-batch L-BFGS over every training row (threads share the "
		 "rows) on the same objective (mean loss plus --l2/2 times the squared weights), "
		 "stopping when the gradient norm falls to --tol (default 1e-6) of its start or after "
		 "--max-iter iterations (default 1000). train reports the iterations, the final "
		 "gradient norm and whether it converged (JSON: \"solver\"). The solver has no "
		 "epochs, batches, learning rate, held-out rows or early stopping: --eval is judged "
		 "once at the end. scikit-learn's LogisticRegression(C=c) minimizes the same log "
		 "loss with the penalty 1/(2c) |w|^2 on the sum over n rows, which is --l2 1/(c n) "
		 "here on the same features (prodml's automatic transform: standardized numbers, "
		 "one-hot strings), so without --l2 the solver takes scikit-learn's default C=1, "
		 "--l2 1/n, for logistic and softmax (which also keeps the weights of classes that "
		 "a category separates finite), and 0 for linear, as LinearRegression; Ridge(alpha) "
		 "is --l2 2*alpha/n (the label is learned standardized). "
		 "--optimizer sgd|adam|adagrad|ftrl trains by epochs of mini-batches instead (adam is "
		 "the default of dnn and wide-deep, and is chosen for the convex models too when an "
		 "option of epochs such as --epochs or --batch is given without --optimizer); "
		 "giving those options with --optimizer lbfgs is an error.\n"
		 "Without --epochs, a run by epochs trains until the held-out loss (rmse, or logloss for "
		 "classification) has not improved for --patience epochs (default 5), at most "
		 "--max-epochs (default 200); the held-out rows are the --eval data or else a "
		 "--holdout share of the training rows (default 10%, drawn from --seed; when it would be fewer "
		 "than 20 rows, the training loss is watched). train says at which epoch it stopped "
		 "and why. --epochs N trains exactly N epochs. With held-out rows the best epoch's "
		 "weights are the ones registered; with --epochs and --eval, --patience stops a run "
		 "that no longer improves. --target auc=0.9 stops once a metric is reached. An "
		 "integer label with few distinct values is learned as a number: train notes it and "
		 "names --model softmax.\n"
		 "On a terminal a progress line shows epoch, loss, the eval metric, rows/s and the "
		 "time left. With --detach the run is a background job (`jobs`, `job show`, "
		 "`job wait`, `job cancel`). The result: {\"model\",\"version\",\"run\",\"metrics\"} "
		 "with the metrics of `evaluate` on the --eval data (on all the training data without "
		 "--eval); with lbfgs \"solver\":{\"name\",\"iterations\",\"evaluations\","
		 "\"gradient_norm\",\"initial_gradient_norm\",\"tol\",\"max_iter\",\"converged\","
		 "\"stopped_by\"} (stopped_by: gradient, max_iter or no_progress), and by epochs "
		 "without --epochs \"auto_epochs\":{\"max_epochs\",\"patience\",\"watched\","
		 "\"stopped_by\"}.\n"
		 "Several workers (--workers N, prodml built with MPI: the Debian packages openmpi-bin "
		 "and libopenmpi-dev, configure --with-mpi): prodml starts Open MPI's mpirun on "
		 "itself (N processes, --oversubscribe when N exceeds the cores, --hosts FILE an Open "
		 "MPI hostfile), or, started by the user's own `mpirun -np N prodml train ...`, each "
		 "process is one rank. Strategies: synchronous all-reduce (the default) and "
		 "asynchronous parameter servers (--strategy ps). Each rank trains on its shard of the rows, chosen by a hash of "
		 "the row's number, so the split does not depend on the order the workers start in; "
		 "the transform is fitted once, on rank 0 over every training row, and broadcast "
		 "with the initial weights. The mini-batch optimizers draw each global batch of "
		 "--batch rows as one worker would, every rank computes the gradient of its rows of "
		 "it, the gradients are summed over the ranks and every rank applies the same "
		 "update. A network's gradient is summed in buckets of whole layers (--bucket KB, "
		 "default 64): each bucket's MPI_Iallreduce starts as soon as the backward pass has "
		 "finished its layers, so the sum of the last layers overlaps the computation of "
		 "the first, as Horovod does; --bucket 0 sums it in one blocking MPI_Allreduce "
		 "after the pass (the same numbers). The solver sums the objective and its gradient over the ranks, so every "
		 "rank takes the same L-BFGS steps. With the same --seed and --batch the loss curve "
		 "is one worker's but for the order of the additions (--dropout masks are drawn per "
		 "worker, so a network with dropout follows another, equally likely, path). At the "
		 "end the ranks compare a checksum of their parameters. Rank 0 alone writes the "
		 "workspace (the run, its epochs and checkpoints, the version); the other ranks read "
		 "the run and the datasets from the same workspace path, so with --hosts the "
		 "workspace must be on a shared file system mounted at the same path, and every host "
		 "needs ssh access and the same prodml. Each rank still loads and transforms every "
		 "row (the evaluation of each epoch is done by every rank); the gradient work is what "
		 "is divided. Ranks share a host's cores: without --threads each takes its share. "
		 "The result adds \"distributed\":{\"strategy\",\"workers\",\"parameters_checksum\","
		 "\"ranks_agree\",\"comm_share\",\"per_worker\":[{\"rank\",\"shard_rows\",\"rows\" (computed, every epoch),\"rows_per_s\","
		 "\"compute_s\",\"comm_s\",\"comm_share\",\"same_parameters\"}]} (communication: the "
		 "time inside the collectives, waiting for the slowest rank included), and the "
		 "version's hyperparameters record the workers and the strategy. A worker that dies "
		 "ends the run with an error naming its rank and host; `train --resume RUN` continues "
		 "it from its last checkpoint on the run's workers, or with --workers N on another "
		 "number of them. With --detach the job's process starts mpirun, and `job cancel` "
		 "stops every rank. "
		 "With --strategy ps, --ps P parameter servers (ranks 0..P-1, started besides the "
		 "N workers) hold contiguous shards of the weights and the optimizer's state; each "
		 "worker draws about --batch rows of its shard a step, computes their gradient on "
		 "the weights it holds, pushes each server its slice and receives the slice as it "
		 "stands after the server applied it (MPI point to point), without waiting for the "
		 "other workers. A gradient's staleness is how many updates the server applied "
		 "between the worker's weights and its gradient; one staler than --max-staleness K "
		 "(default 8) is refused and computed again on the fresh weights. Epochs end "
		 "together: the servers' weights and state are gathered on every rank, which judge "
		 "the epoch as one process does. Each epoch in \"history\" and the run's "
		 "\"distributed\" add \"staleness\":{\"updates\",\"mean\",\"max\",\"refused\","
		 "\"bound\",\"histogram\" (updates applied at each staleness 0..max)}, and "
		 "\"distributed\" the \"servers\" and each rank's \"role\". The optimizer defaults "
		 "to adam (the solver is not step-wise). "
		 "While a distributed run goes, rank 0 hears every rank's rows, steps and loss in "
		 "the epoch (with the all-reduce, or with the gradients) and writes them to the "
		 "run's workers.json twice a second: `job show` and the workbench's run view list "
		 "the workers, and `jobs` shows the run's progress line.\n\n"
		 "On an NVIDIA GPU (--device cuda, or `set device cuda`; prodml built with configure "
		 "--with-cuda, which finds NVIDIA's CUDA toolkit in /usr/local/cuda): the whole "
		 "mini-batch step runs there, in float32 (the CPU trains in float64: a GPU's float64 "
		 "rate is a small share of its float32 rate), with cuBLAS for the products and "
		 "prodml's kernels for the rest; each batch is copied from pinned memory while the "
		 "step before it runs. The weights return to the float64 model after every epoch, so "
		 "evaluation, the model file and serving are the CPU's. The lbfgs solver stays on "
		 "the CPU: give --optimizer adam or sgd. --device auto trains on the GPU when there "
		 "is one and on the CPU otherwise; train prints where it trained and why (JSON "
		 "\"device\"). Without a GPU, a driver, or with a driver older than the toolkit, "
		 "--device cuda says which; a batch too large for the GPU's memory is refused with "
		 "the batch that fits. Dropout masks come from another random stream on the GPU. "
		 "--gpus N > 1 (mirrored over several GPUs) is not built yet.",
	 .io = train_io, .exec = exec_train, .render = render_train},
	{.name = "jobs", .group = "training", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "list background jobs and their state",
	 .help = "One line per job: state (queued, running, done, failed, cancelled), progress, "
		 "its run and the command that started it. A job whose process died without a "
		 "result is shown as failed; its run can be resumed with `train --resume RUN`. A run "
		 "in the foreground whose process is gone (killed) is marked dead and listed too, "
		 "with no job number, and `train --resume RUN` suggested.",
	 .exec = exec_jobs, .render = render_jobs},
	{.name = "job show", .group = "training", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = no_opts, .summary = "state, progress, per-epoch metrics and result of a job",
	 .help = "Shows a job with the metrics of every epoch its run finished so far (loss, "
		 "eval metric, rows/s, time waiting for input and computing) and, once done, "
		 "its result.",
	 .exec = exec_job_show, .render = render_job},
	{.name = "job wait", .group = "training", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = wait_opts, .summary = "wait until a job ends and print it",
	 .help = "Returns when the job is done (its result is printed) or fails with the job's "
		 "error when it failed or was cancelled.",
	 .exec = exec_job_wait, .render = render_job},
	{.name = "job cancel", .group = "training", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = cancel_opts, .summary = "stop a running job",
	 .help = "Asks the job to stop (it checks twice a second); a job that does not stop within "
		 "--grace seconds is killed. The run keeps its last checkpoint: `train --resume RUN` "
		 "continues it.",
	 .exec = exec_job_cancel, .render = render_job},
	{.name = "job exec", .group = "training", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = no_opts, .summary = "run a queued job in this process (what --detach starts)",
	 .help = "The background process of `train --detach` runs this. Useful to run a queued "
		 "job by hand, for example under a debugger.",
	 .exec = exec_job_exec, .render = render_train},
	{.name = "evaluate", .group = "training", .args = "MODEL[:V|@ALIAS]", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = eval_opts,
	 .summary = "metrics of a model version on a dataset, overall and by slice",
	 .help = "Predicts every row of --data that has a label, through the model's own "
		 "transform, and compares. MODEL alone is its latest version. Regression: rmse, "
		 "mae, r2, and the baseline of predicting the training mean (baseline_rmse, "
		 "baseline_mae). Classification: auc (ROC), pr_auc (average precision), accuracy, "
		 "precision, recall, f1, logloss, the confusion matrix (rows and columns named by "
		 "class), and the baselines of the "
		 "majority class (baseline_accuracy) and of the training class frequencies "
		 "(baseline_logloss); multi-class precision, recall, f1 and auc are macro averages "
		 "(one-vs-rest auc). The primary metric (rmse, auc for binary, accuracy for "
		 "multi-class), the one `models` shows and `models promote` compares, is printed "
		 "first. Rows without a label, or with a class the model never saw, "
		 "are skipped and counted. --slice COL adds the same metrics for each value of COL. "
		 "The result: {\"metrics\":{..},\"slices\":[{\"slice\",\"value\",\"rows\",\"metrics\"}]}.",
	 .io = evaluate_io, .exec = exec_evaluate, .render = render_evaluate},
	{0}};

/* ---- the session's jobs in its history (see session_jobs_poll in cmd.h) ----- */
void session_jobs_poll(struct session *s)
{
	struct workspace *ws;
	struct pm_err err = {0};
	if (!s->njobs || session_ws(s, &ws, &err) < 0)
		return;
	for (size_t i = 0; i < s->njobs; i++) {
		struct session_job *sj = &s->jobs[i];
		json_t *j;
		if (sj->ended || job_get(ws, sj->id, &j, &err) < 0)
			continue;
		const char *state = json_string_value(json_object_get(j, "state"));
		sj->ended = job_state_ended(state);
		sj->done = sj->ended && strcmp(state, "done") == 0;
		json_decref(j);
	}
}

static void forget_job(struct session *s, size_t i)
{
	memmove(&s->jobs[i], &s->jobs[i + 1], (s->njobs - i - 1) * sizeof *s->jobs);
	s->njobs--;
}

void session_jobs_log(struct session *s, const struct cmd_call *call)
{
	const char *name = call->entry->name;
	int64_t id;
	if ((strcmp(name, "job wait") == 0 || strcmp(name, "job cancel") == 0) && call->argc == 1 &&
	    parse_int64(call->argv[0], strlen(call->argv[0]), &id))
		for (size_t i = s->njobs; i-- > 0;)
			if (s->jobs[i].id == id)
				forget_job(s, i);
	for (size_t i = 0; i < s->njobs;) {
		if (!s->jobs[i].ended) {
			i++;
			continue;
		}
		if (s->jobs[i].done) {
			char line[48];
			snprintf(line, sizeof line, "job wait %lld", (long long)s->jobs[i].id);
			session_history_add(s, line);
		}
		forget_job(s, i);
	}
}

void session_jobs_follow(struct session *s, const struct cmd_call *call)
{
	json_t *job = call->result ? json_object_get(call->result, "job") : NULL;
	if (!call_flag(call, "--detach") || !json_is_integer(job))
		return;
	xgrow((void **)&s->jobs, &s->capjobs, s->njobs + 1, sizeof *s->jobs);
	s->jobs[s->njobs++] = (struct session_job){.id = json_integer_value(job)};
}

void session_jobs_pending(const struct session *s, struct sbuf *b)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (!s->jobs[i].ended || s->jobs[i].done)
			sbuf_printf(b, "job wait %lld\n", (long long)s->jobs[i].id);
}
