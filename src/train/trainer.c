/* The trainer: from a configuration and frames to a model, epoch by epoch,
 * with evaluation, early stopping and resumable checkpoints.
 *
 * Reproducibility: every random draw comes from the run's seed — initial
 * weights from the seed itself, the shuffle of epoch e from
 * rng_derive(seed, e), the dropout masks of step t from rng_derive(seed', t)
 * — and a checkpoint keeps the optimizer state and the step, so a resumed
 * run continues on exactly the path an uninterrupted one takes. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLASSES 1000
#define DROPOUT_SEED 0x64726f706f7574ULL
#define HOLDOUT_SEED 0x686f6c646f7574ULL
/* Fewer held-out rows than this judge an epoch by noise: the training
 * loss is watched instead. */
#define HOLDOUT_MIN_ROWS 20

void train_result_free(struct train_result *r)
{
	model_free(r->model);
	json_decref(r->metrics);
	json_decref(r->history);
	json_decref(r->workers);
	json_decref(r->ps);
	memset(r, 0, sizeof *r);
}

struct key_count {
	char *key;
	size_t len;
	size_t count;
	double num;
};

static int cmp_keys_num(const void *a, const void *b)
{
	const struct key_count *x = a, *y = b;
	return x->num < y->num ? -1 : x->num > y->num;
}

static int cmp_keys_str(const void *a, const void *b)
{
	const struct key_count *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Chooses the task and, for classification, the classes (in a fixed order:
 * numbers ascending, false before true, strings by bytes; the positive
 * class of a binary label last). */
/* An integer label with this many distinct values or fewer, learned as a
 * number, may well be classes: train says so. */
#define FEW_INT_VALUES 10

static int decide_task(const struct train_config *cfg, const struct frame *f,
		       const struct column *lc, const size_t *rows, size_t n, struct model *m,
		       enum model_type *type, char *note, size_t note_len, struct pm_err *err)
{
	struct strdict *d = strdict_new();
	size_t *cnt = NULL, cap = 0;
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		const char *key;
		size_t len = model_label_key(lc, rows[i], buf, sizeof buf, &key);
		uint32_t code = strdict_intern(d, key, len);
		if (code >= cap) {
			size_t old = cap;
			xgrow((void **)&cnt, &cap, code + 1, sizeof *cnt);
			memset(cnt + old, 0, (cap - old) * sizeof *cnt);
		}
		cnt[code]++;
		if (d->n > MAX_CLASSES + 1 && lc->type == PM_STRING)
			break;
	}
	uint32_t distinct = d->n;
	bool numeric = lc->type != PM_STRING;
	enum model_task task;
	/* the tasks the model type can learn; the label picks among them */
	unsigned tasks = cfg->type_given ? model_types[cfg->type].tasks : MT_ANY_TASK;
	const char *hint = cfg->type_given ? model_types[cfg->type].hint : NULL;
	if (tasks == MT_TASK(TASK_REGRESSION)) {
		if (!numeric || lc->type == PM_BOOL) {
			strdict_free(d);
			free(cnt);
			return pm_errcf(err, PM_E_USAGE, "label '%s' is %s; a %s model needs a numeric label%s%s%s",
					cfg->label, pm_type_name(lc->type), model_type_name(cfg->type),
					hint ? " (try --model " : "", hint ? hint : "", hint ? ")" : "");
		}
		task = TASK_REGRESSION;
	} else if (tasks == MT_TASK(TASK_BINARY)) {
		if (distinct != 2) {
			strdict_free(d);
			free(cnt);
			return pm_errcf(err, PM_E_USAGE, "label '%s' has %u distinct values; a %s model needs exactly two%s%s%s",
					cfg->label, distinct, model_type_name(cfg->type),
					hint ? " (try --model " : "", hint ? hint : "", hint ? ")" : "");
		}
		task = TASK_BINARY;
	} else if (!(tasks & MT_TASK(TASK_REGRESSION))) {
		task = distinct == 2 ? TASK_BINARY : TASK_MULTICLASS;
	} else if (lc->type == PM_BOOL || distinct == 2) {
		task = TASK_BINARY;
	} else if (!numeric) {
		task = TASK_MULTICLASS;
	} else {
		task = TASK_REGRESSION;
	}
	if (task != TASK_REGRESSION && distinct < 2) {
		strdict_free(d);
		free(cnt);
		return pm_errcf(err, PM_E_USAGE, "label '%s' has only %u distinct value%s in dataset '%s': nothing to classify",
				cfg->label, distinct, distinct == 1 ? "" : "s", f->name);
	}
	if (task == TASK_MULTICLASS && distinct > MAX_CLASSES) {
		strdict_free(d);
		free(cnt);
		return pm_errcf(err, PM_E_USAGE, "label '%s' has more than %d distinct values: too many classes",
				cfg->label, MAX_CLASSES);
	}
	if (cfg->type_given)
		*type = cfg->type;
	else
		*type = model_type_default(task);
	m->task = task;
	/* --model linear is a choice of regression; a network is not.  Two
	 * values are already a binary label. */
	if (task == TASK_REGRESSION && lc->type == PM_INT && distinct >= 3 &&
	    distinct <= FEW_INT_VALUES && tasks != MT_TASK(TASK_REGRESSION))
		snprintf(note, note_len,
			 "label '%s' is an integer with only %u distinct values, trained as regression "
			 "(a number); if they are classes, train with --model softmax",
			 cfg->label, distinct);

	if (task != TASK_REGRESSION) {
		struct key_count *kc = xcalloc(distinct, sizeof *kc);
		size_t total = 0;
		for (uint32_t i = 0; i < distinct; i++) {
			kc[i].key = (char *)d->str[i];
			kc[i].len = d->len[i];
			kc[i].count = cnt[i];
			total += cnt[i];
			if (lc->type == PM_BOOL)
				kc[i].num = d->str[i][0] == 't';
			else if (numeric)
				parse_double(kc[i].key, kc[i].len, &kc[i].num);
		}
		qsort(kc, distinct, sizeof *kc, numeric ? cmp_keys_num : cmp_keys_str);
		if (cfg->positive) {
			if (task != TASK_BINARY) {
				free(kc);
				strdict_free(d);
				free(cnt);
				return pm_errcf(err, PM_E_USAGE, "--positive applies to a label with two values");
			}
			int at = -1;
			for (int i = 0; i < 2; i++)
				if (kc[i].len == strlen(cfg->positive) && memcmp(kc[i].key, cfg->positive, kc[i].len) == 0)
					at = i;
			if (at < 0) {
				pm_errcf(err, PM_E_USAGE, "--positive: label '%s' has no value '%s' (it has '%.*s' and '%.*s')",
					 cfg->label, cfg->positive, (int)kc[0].len, kc[0].key, (int)kc[1].len, kc[1].key);
				free(kc);
				strdict_free(d);
				free(cnt);
				return -1;
			}
			if (at == 0) {
				struct key_count t = kc[0];
				kc[0] = kc[1];
				kc[1] = t;
			}
		}
		m->prior = xcalloc(distinct, sizeof *m->prior);
		for (uint32_t i = 0; i < distinct; i++) {
			ft_vocab_add(&m->classes, kc[i].key, kc[i].len);
			m->prior[i] = (double)kc[i].count / (double)total;
		}
		ft_vocab_index(&m->classes);
		free(kc);
	}
	strdict_free(d);
	free(cnt);
	return 0;
}

/* Targets of the labelled rows: scaled values or class indices.  Rows with
 * a class the model does not know are dropped (counted in *unknown). */
/* The rows with a usable label, their targets as the model learns them
 * (*y: standardized for regression) and, for metrics, the labels as they
 * are (*yl): unscaling *y would round, and metrics of the same predictions
 * would then differ in the last bits from evaluate's. */
static int make_targets(const struct model *m, const struct frame *f, const struct column *lc,
			size_t **rows, size_t *n, double **y, double **yl, size_t *missing,
			size_t *unknown, struct pm_err *err)
{
	size_t *r = xmalloc((f->nrows + 1) * sizeof *r);
	double *t = xmalloc((f->nrows + 1) * sizeof *t);
	double *raw = xmalloc((f->nrows + 1) * sizeof *raw);
	size_t k = 0;
	*missing = *unknown = 0;
	for (size_t i = 0; i < f->nrows; i++) {
		double v;
		int s = model_label_value(m, lc, i, &v);
		if (s == 0) {
			(*missing)++;
			continue;
		}
		if (s < 0) {
			(*unknown)++;
			continue;
		}
		if (!isfinite(v)) {
			free(r);
			free(t);
			free(raw);
			return pm_errf(err, "dataset '%s' row %zu: label '%s' is %s", f->name, i + 1, lc->name,
				       isnan(v) ? "NaN" : "infinite");
		}
		r[k] = i;
		t[k] = m->task == TASK_REGRESSION ? (v - m->label_mean) / m->label_std : v;
		raw[k] = v;
		k++;
	}
	*rows = r;
	*n = k;
	*y = t;
	*yl = raw;
	return 0;
}

struct pred_par {
	const struct model *m;
	const double *dense;
	const uint32_t *cat;
	size_t n;
	double *out;
};

#define PAR_CHUNK 1024

static void pred_par_chunk(void *ctx, size_t k)
{
	struct pred_par *p = ctx;
	size_t lo = k * PAR_CHUNK, hi = lo + PAR_CHUNK < p->n ? lo + PAR_CHUNK : p->n;
	const struct transform *t = p->m->tf;
	model_predict_rows(p->m, p->dense + lo * t->ndense, p->cat + lo * t->ncat, hi - lo,
			   p->out + lo * (size_t)p->m->nout);
}

void trainer_predict_cached(const struct model *m, const double *dense, const uint32_t *cat,
			   size_t n, int threads, double *out)
{
	struct pred_par p = {m, dense, cat, n, out};
	par_for((n + PAR_CHUNK - 1) / PAR_CHUNK, threads, pred_par_chunk, &p);
}

/* Loss of predictions in the units users read: MSE in label units, or log loss. */
static double pred_loss(const struct model *m, const double *y, const double *pred, size_t n)
{
	long double s = 0;
	size_t K = (size_t)m->nout;
	for (size_t i = 0; i < n; i++) {
		if (m->task == TASK_REGRESSION) {
			double d = pred[i] - y[i];
			s += d * d;
		} else if (K == 1) {
			double p = pred[i] < 1e-15 ? 1e-15 : pred[i] > 1 - 1e-15 ? 1 - 1e-15 : pred[i];
			s -= y[i] > 0.5 ? log(p) : log(1 - p);
		} else {
			double p = pred[i * K + (size_t)y[i]];
			s -= log(p < 1e-15 ? 1e-15 : p);
		}
	}
	return n ? (double)(s / n) : NAN;
}

static double metric_value(json_t *metrics, const char *name)
{
	json_t *v = json_object_get(metrics, name);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* whether a loss beats the best one so far */
static bool better(double v, double best)
{
	if (!isfinite(v))
		return false;
	return !isfinite(best) || v < best;
}

static void fmt_rate(double r, char *buf, size_t n)
{
	if (r >= 1e6)
		snprintf(buf, n, "%.1fM", r / 1e6);
	else if (r >= 1e3)
		snprintf(buf, n, "%.0fk", r / 1e3);
	else
		snprintf(buf, n, "%.0f", r);
}

/* Moves a share of the training rows (drawn from the seed, so a resumed
 * run holds out the same ones) into the eval arrays, both keeping the
 * dataset's order.  False, changing nothing, when too few would be held out. */
static bool hold_out(const struct train_config *cfg, size_t **rows, double **y, double **yl,
		     size_t *n, size_t **erows, double **ey, double **eyl, size_t *nev)
{
	size_t k = (size_t)((double)*n * cfg->holdout + 0.5);
	if (k < HOLDOUT_MIN_ROWS || *n - k < HOLDOUT_MIN_ROWS)
		return false;
	size_t *idx = xmalloc(*n * sizeof *idx);
	bool *held = xcalloc(*n, sizeof *held);
	for (size_t i = 0; i < *n; i++)
		idx[i] = i;
	struct rng r;
	rng_seed(&r, rng_derive(cfg->seed ^ HOLDOUT_SEED, 0));
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)rng_below(&r, *n - i), t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
		held[idx[i]] = true;
	}
	free(idx);
	size_t *tr = xmalloc((*n - k + 1) * sizeof *tr), *hr = xmalloc((k + 1) * sizeof *hr);
	double *ty = xmalloc((*n - k + 1) * sizeof *ty), *tyl = xmalloc((*n - k + 1) * sizeof *tyl);
	double *hy = xmalloc((k + 1) * sizeof *hy), *hyl = xmalloc((k + 1) * sizeof *hyl);
	size_t a = 0, b = 0;
	for (size_t i = 0; i < *n; i++) {
		if (held[i]) {
			hr[b] = (*rows)[i];
			hy[b] = (*y)[i];
			hyl[b++] = (*yl)[i];
		} else {
			tr[a] = (*rows)[i];
			ty[a] = (*y)[i];
			tyl[a++] = (*yl)[i];
		}
	}
	free(held);
	*rows = tr;
	*y = ty;
	*yl = tyl;
	*n = a;
	*erows = hr;
	*ey = hy;
	*eyl = hyl;
	*nev = b;
	return true;
}

static int save_checkpoint(struct trainer *tr, int epochs_done, struct sbuf *out,
			   struct pm_err *err)
{
	json_t *x = json_pack("{s:i,s:I,s:f,s:i,s:i,s:O,s:f,s:f,s:f,s:I}", "epoch", epochs_done,
			      "step", (json_int_t)tr->opt.t, "best_value",
			      isfinite(tr->best_value) ? tr->best_value : 0.0, "best_epoch",
			      tr->best_epoch, "bad_epochs", tr->bad_epochs, "history", tr->history,
			      "first_loss", tr->first_loss, "wait", tr->wait_total, "compute",
			      tr->compute_total, "rows", (json_int_t)tr->rows_total);
	/* json_pack refuses a NaN: a checkpoint without its state would only
	 * fail when resumed */
	if (!x)
		return pm_errf(err, "checkpoint of epoch %d: a figure of the training state is not a number",
			       epochs_done);
	json_object_set_new(x, "best_finite", json_boolean(isfinite(tr->best_value)));
	struct model_array arr[3] = {
		{.name = "opt.s1", .data = tr->opt.s1, .len = tr->m->nparams},
		{.name = "opt.s2", .data = tr->opt.s2, .len = tr->m->nparams},
		{.name = "best", .data = tr->best_params, .len = tr->m->nparams},
	};
	int rc = model_serialize(tr->m, x, arr, 3, out, err);
	json_decref(x);
	return rc;
}

static int load_checkpoint(struct trainer *tr, const void *data, size_t len, struct pm_err *err)
{
	json_t *x = NULL;
	struct model_array *arr = NULL;
	size_t narr = 0;
	if (model_deserialize(data, len, "checkpoint", &tr->m, &x, &arr, &narr, err) < 0)
		return -1;
	int rc = -1;
	if (!json_is_object(x) || narr != 3 || arr[0].len != tr->m->nparams ||
	    arr[2].len != tr->m->nparams) {
		pm_errf(err, "checkpoint: the training state is incomplete");
		goto out;
	}
	tr->start_epoch = (int)json_integer_value(json_object_get(x, "epoch"));
	tr->best_value = json_is_true(json_object_get(x, "best_finite"))
				 ? json_number_value(json_object_get(x, "best_value")) : NAN;
	tr->best_epoch = (int)json_integer_value(json_object_get(x, "best_epoch"));
	tr->bad_epochs = (int)json_integer_value(json_object_get(x, "bad_epochs"));
	tr->first_loss = json_number_value(json_object_get(x, "first_loss"));
	tr->wait_total = json_number_value(json_object_get(x, "wait"));
	tr->compute_total = json_number_value(json_object_get(x, "compute"));
	tr->rows_total = (size_t)json_integer_value(json_object_get(x, "rows"));
	json_decref(tr->history);
	tr->history = json_deep_copy(json_object_get(x, "history"));
	if (!json_is_array(tr->history))
		tr->history = json_array();
	/* the optimizer state is set after optim_init by the caller */
	tr->opt.t = (uint64_t)json_integer_value(json_object_get(x, "step"));
	tr->best_params = arr[2].data;
	arr[2].data = NULL;
	/* stash s1/s2 until the optimizer exists */
	tr->opt.s1 = arr[0].data;
	tr->opt.s2 = arr[1].data;
	arr[0].data = arr[1].data = NULL;
	rc = 0;
out:
	model_arrays_free(arr, narr);
	json_decref(x);
	return rc;
}

void trainer_free(struct trainer *tr)
{
	if (tr->blas_threads > 0)
		tr->be->set_threads(tr->be, tr->blas_threads);
	model_free(tr->m);
	optim_free(&tr->opt);
	free(tr->best_params);
	json_decref(tr->history);
	model_scratch_free(tr->scratch);
	gpu_free(tr->gpu);
	free(tr->trows);
	free(tr->erows);
	free(tr->all_rows);
	free(tr->all_y);
	free(tr->all_yl);
	free(tr->ty);
	free(tr->ey);
	free(tr->eyl);
	free(tr->tyl);
	free(tr->tdense);
	free(tr->tcat);
	free(tr->edense);
	free(tr->ecat);
	free(tr->grad);
	free(tr->pred);
	free(tr->colmap);
	free(tr->mine);
	free(tr->dbuf);
	free(tr->wp);
	free(tr->bucket_lo);
	ps_free(tr->ps);
	memset(tr, 0, sizeof *tr);
}

bool trainer_cancelled(const struct trainer *tr)
{
	const struct train_hooks *h = tr->hooks;
	return progress_cancelled(h->progress) || (h->cancelled && h->cancelled(h->ctx));
}

/* A new model for the configuration: the features, the task, the label's
 * scale, the transform fitted to the labelled training rows, the layout. */
static int new_model(struct trainer *tr, const struct column *lc, int lci, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	const struct frame *train = tr->train;
	/* features: the given ones, or every column but the label */
	const char **cols = xcalloc(train->ncols + cfg->nfeatures + 1, sizeof *cols);
	size_t nc = 0;
	size_t *lrows = NULL, nl = 0;
	int rc = -1;
	if (cfg->features) {
		for (size_t i = 0; i < cfg->nfeatures; i++) {
			if (strcmp(cfg->features[i], cfg->label) == 0) {
				pm_errcf(err, PM_E_USAGE, "the label '%s' cannot also be a feature", cfg->label);
				goto out;
			}
			cols[nc++] = cfg->features[i];
		}
	} else
		for (size_t i = 0; i < train->ncols; i++)
			if ((int)i != lci)
				cols[nc++] = train->cols[i].name;
	if (nc == 0) {
		pm_errcf(err, PM_E_USAGE, "no features: dataset '%s' has only the label", train->name);
		goto out;
	}
	struct model *m = tr->m = xcalloc(1, sizeof *tr->m);
	m->label = xstrdup(cfg->label);
	m->label_type = lc->type;
	/* labelled rows */
	lrows = xmalloc((train->nrows + 1) * sizeof *lrows);
	for (size_t i = 0; i < train->nrows; i++)
		if (column_present(lc, i))
			lrows[nl++] = i;
	if (nl == 0) {
		pm_errcf(err, PM_E_USAGE, "label '%s' is missing in every row of dataset '%s'", cfg->label,
			 train->name);
		goto out;
	}
	enum model_type type = model_type_default(TASK_REGRESSION);
	if (decide_task(cfg, train, lc, lrows, nl, m, &type, tr->res->note, sizeof tr->res->note, err) < 0)
		goto out;
	if (m->task == TASK_REGRESSION) {
		long double s = 0, ss = 0;
		for (size_t i = 0; i < nl; i++) {
			double v = column_num(lc, lrows[i]);
			if (!isfinite(v)) {
				pm_errf(err, "dataset '%s' row %zu: label '%s' is %s", train->name, lrows[i] + 1,
					cfg->label, isnan(v) ? "NaN" : "infinite");
				goto out;
			}
			s += v;
		}
		double mean = (double)(s / nl);
		for (size_t i = 0; i < nl; i++) {
			double d = column_num(lc, lrows[i]) - mean;
			ss += d * d;
		}
		double sd = sqrt((double)(ss / nl));
		m->label_mean = mean;
		m->label_std = sd > 0 ? sd : 1;
	}
	struct ft_options fo = {.columns = cols, .ncolumns = nc, .spec = cfg->transform,
				.crosses = cfg->crosses, .topk = cfg->topk,
				.hash_buckets = cfg->hash_buckets, .embed_dim = cfg->embed_dim,
				.threads = tr->threads};
	if (transform_fit(train, lrows, nl, &fo, &m->tf, err) < 0)
		goto out;
	struct model_spec spec = {.type = type, .task = m->task, .dropout = cfg->dropout,
				  .embed_dim = cfg->embed_dim, .seed = cfg->seed};
	spec.nout = m->task == TASK_MULTICLASS || model_type_has(type, MT_CLASS_OUTPUTS)
			    ? (int)m->classes.n : 1;
	if (model_type_has(type, MT_DEEP)) {
		if (cfg->nhidden) {
			spec.nhidden = cfg->nhidden;
			memcpy(spec.hidden, cfg->hidden, sizeof spec.hidden);
		} else {
			spec.nhidden = 2;
			spec.hidden[0] = 64;
			spec.hidden[1] = 32;
		}
	} else if (cfg->nhidden) {
		char *deep = model_type_list(MT_DEEP, ", ", " or ");
		pm_errcf(err, PM_E_USAGE, "--hidden applies to --model %s", deep);
		free(deep);
		goto out;
	}
	if (model_init(m, &spec, err) < 0)
		goto out;
	m->hyper = train_config_to_json(cfg);
	json_object_set_new(m->hyper, "model", json_string(model_type_name(type)));
	if (cfg->workers > 1 && cfg->ps == 0)
		json_object_set_new(m->hyper, "strategy", json_string("allreduce"));
	/* the result does not depend on the thread count: keep the file
	 * the same on every machine */
	json_object_del(m->hyper, "threads");
	rc = 0;
out:
	free(lrows);
	free(cols);
	return rc;
}

/* Targets and transformed rows of the training data, the held-out rows
 * and the eval data. */
static int prepare_rows(struct trainer *tr, const struct column *lc, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	const struct frame *train = tr->train, *eval = tr->eval;
	struct train_result *res = tr->res;
	const struct model *m = tr->m;
	const struct transform *tf = m->tf;

	/* training targets and cache */
	if (make_targets(m, train, lc, &tr->trows, &tr->ntr, &tr->ty, &tr->tyl, &res->skipped_missing_label,
			 &res->skipped_unknown_label, err) < 0)
		return -1;
	if (tr->ntr == 0)
		return pm_errcf(err, PM_E_USAGE, "no usable rows in dataset '%s'", train->name);
	/* the solver trains on every row: it has no epochs to judge */
	if (!eval && cfg->holdout > 0 && tr->optk != OPT_LBFGS) {
		tr->all_rows = tr->trows;
		tr->all_y = tr->ty;
		tr->all_yl = tr->tyl;
		tr->nall = tr->ntr;
		tr->holdout = hold_out(cfg, &tr->trows, &tr->ty, &tr->tyl, &tr->ntr, &tr->erows, &tr->ey,
				       &tr->eyl, &tr->nev);
		if (!tr->holdout) {
			tr->all_rows = NULL;
			tr->all_y = tr->all_yl = NULL;
			tr->nall = 0;
		}
	}
	tr->colmap = xmalloc((tf->ninputs + 1) * sizeof *tr->colmap);
	if (transform_bind(tf, train, tr->colmap, err) < 0)
		return -1;
	size_t ntr = tr->ntr;
	if (trainer_dist(tr)) {
		/* the shard: by the dataset row, not the position among the
		 * labelled or held-out rows */
		tr->mine = xmalloc(ntr + 1);
		tr->nmine = 0;
		for (size_t i = 0; i < ntr; i++) {
			tr->mine[i] = tr->ps ? ps_row_mine(tr->ps, tr->trows[i])
				     : dist_shard_of(tr->trows[i], tr->dist->size) == tr->dist->rank;
			tr->nmine += tr->mine[i];
		}
		/* the gradient, the loss, two flags and every rank's progress */
		tr->dbuf = xmalloc((m->nparams + 4 + 3 * (size_t)tr->dist->size) * sizeof *tr->dbuf);
		tr->wp = xcalloc((size_t)tr->dist->size + 1, sizeof *tr->wp);
	}
	if (!cfg->no_cache) {
		tr->tdense = xmalloc((ntr * tf->ndense + 1) * sizeof *tr->tdense);
		tr->tcat = xmalloc((ntr * tf->ncat + 1) * sizeof *tr->tcat);
		if (transform_apply_rows(tf, train, tr->colmap, tr->trows, ntr, tr->tdense, tr->tcat,
					 tr->threads, err) < 0)
			return -1;
	} else {
		/* check every row once, so a bad value stops the run before training */
		double *d1 = xmalloc((tf->ndense + 1) * sizeof *d1);
		uint32_t *c1 = xmalloc((tf->ncat + 1) * sizeof *c1);
		struct ft_value *vals = xmalloc((tf->ninputs + 1) * sizeof *vals);
		int bad = 0;
		for (size_t i = 0; i < ntr && !bad; i++) {
			transform_row_values(tf, train, tr->colmap, tr->trows[i], vals);
			if (transform_apply(tf, vals, d1, c1, err) < 0) {
				pm_err_prefix(err, "dataset '%s' row %zu", train->name, tr->trows[i] + 1);
				bad = 1;
			}
		}
		free(d1);
		free(c1);
		free(vals);
		if (bad)
			return -1;
	}
	res->train_rows = ntr;

	/* eval targets and cache */
	if (eval) {
		int eli = frame_col_index(eval, cfg->label);
		if (eli < 0)
			return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (the --label)",
					eval->name, cfg->label);
		size_t miss, unk;
		if (make_targets(m, eval, &eval->cols[eli], &tr->erows, &tr->nev, &tr->ey, &tr->eyl, &miss,
				 &unk, err) < 0)
			return -1;
		int *emap = xmalloc((tf->ninputs + 1) * sizeof *emap);
		if (transform_bind(tf, eval, emap, err) < 0) {
			free(emap);
			return -1;
		}
		tr->edense = xmalloc((tr->nev * tf->ndense + 1) * sizeof *tr->edense);
		tr->ecat = xmalloc((tr->nev * tf->ncat + 1) * sizeof *tr->ecat);
		int arc = transform_apply_rows(tf, eval, emap, tr->erows, tr->nev, tr->edense, tr->ecat,
					       tr->threads, err);
		free(emap);
		if (arc < 0)
			return -1;
		res->eval_rows = tr->nev;
	} else if (tr->holdout) {
		tr->edense = xmalloc((tr->nev * tf->ndense + 1) * sizeof *tr->edense);
		tr->ecat = xmalloc((tr->nev * tf->ncat + 1) * sizeof *tr->ecat);
		if (transform_apply_rows(tf, train, tr->colmap, tr->erows, tr->nev, tr->edense, tr->ecat,
					 tr->threads, err) < 0)
			return -1;
		res->eval_rows = tr->nev;
	}
	res->watched = tr->nev ? (tr->holdout ? "holdout" : "eval") : "training";
	size_t most = tr->nev > ntr ? tr->nev : ntr;
	if (tr->nall > most)
		most = tr->nall;
	tr->pred = xmalloc((most * (size_t)m->nout + 1) * sizeof *tr->pred);
	return 0;
}

/* With several workers the transform is fitted once, on rank 0 over every
 * training row, and the new model (transform, classes, label scale,
 * initial weights) is broadcast as its file image: every rank applies
 * identical transforms and starts from identical weights. */
static int shared_model(struct trainer *tr, const struct column *lc, int lci, struct pm_err *err)
{
	struct dist *d = tr->dist;
	struct sbuf img = {0};
	uint64_t len = 0;
	int rc = 0;
	if (d->rank == 0) {
		rc = new_model(tr, lc, lci, err);
		if (rc == 0)
			rc = model_serialize(tr->m, NULL, NULL, 0, &img, err);
		len = rc == 0 ? img.len : 0;
	}
	if (dist_bcast(d, &len, sizeof len, 0, err) < 0) {
		sbuf_free(&img);
		return -1;
	}
	if (len == 0) {
		sbuf_free(&img);
		return rc < 0 ? -1 : pm_errf(err, "rank %d: rank 0 could not prepare the model", d->rank);
	}
	if (d->rank != 0)
		img.s = xmalloc(len);
	if (dist_bcast(d, img.s, len, 0, err) < 0) {
		sbuf_free(&img);
		return -1;
	}
	if (d->rank != 0) {
		rc = model_deserialize(img.s, len, "the model from rank 0", &tr->m, NULL, NULL, NULL, err);
	}
	sbuf_free(&img);
	return rc;
}

int trainer_prepare(struct trainer *tr, const struct train_config *cfg, const struct frame *train,
		    const struct frame *eval, const void *ckpt, size_t ckpt_len,
		    const struct train_hooks *hooks, struct train_result *res, struct pm_err *err)
{
	*tr = (struct trainer){.cfg = cfg, .hooks = hooks, .train = train, .eval = eval, .res = res,
			       .best_value = NAN, .first_loss = NAN, .history = json_array(),
			       .threads = cfg->threads > 0 ? cfg->threads : pm_ncpu(),
			       .t_start = now_seconds()};
	if (!(tr->be = backend_cpu(err)))
		return -1;
	tr->dist = hooks->dist;
	if (cfg->workers > 1 && !trainer_dist(tr) && !dist_built())
		return dist_not_built(cfg->workers, err);
	if (cfg->epochs < 1 || cfg->batch < 1)
		return pm_errcf(err, PM_E_USAGE, "--epochs and --batch must be at least 1");
	int lci = frame_col_index(train, cfg->label);
	if (lci < 0)
		return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no column '%s' (the --label)", train->name,
				cfg->label);
	const struct column *lc = &train->cols[lci];
	if (ckpt) {
		if (load_checkpoint(tr, ckpt, ckpt_len, err) < 0)
			return -1;
		res->resumed = true;
	} else if (trainer_dist(tr)) {
		if (shared_model(tr, lc, lci, err) < 0)
			return -1;
	} else if (new_model(tr, lc, lci, err) < 0)
		return -1;
	tr->optk = train_optimizer(cfg, tr->m->type);
	if (tr->optk == OPT_LBFGS && model_type_has(tr->m->type, MT_DEEP))
		return pm_errcf(err, PM_E_USAGE, "--optimizer lbfgs applies to linear, logistic and softmax (convex objectives): a %s model trains with sgd, adam, adagrad or ftrl",
				model_type_name(tr->m->type));
	if (train_device_pick(cfg->device, cfg->gpus, tr->optk, cfg->workers > 1, &tr->on_gpu,
			      res->device, sizeof res->device, err) < 0)
		return -1;
	if (cfg->ps > 0 && ps_new(tr, err) < 0)
		return -1;
	if (prepare_rows(tr, lc, err) < 0)
		return -1;
	tr->l2 = cfg->l2;
	if (tr->optk == OPT_LBFGS && cfg->l2_auto && tr->m->task != TASK_REGRESSION)
		tr->l2 = 1.0 / (double)tr->ntr;
	if (!ckpt) {
		/* what was used, for `models show` */
		json_object_set_new(tr->m->hyper, "optimizer", json_string(opt_kind_name(tr->optk)));
		if (cfg->l2_auto)
			json_object_set_new(tr->m->hyper, "l2", json_real(tr->l2));
	}
	return 0;
}

/* The optimizer (with the checkpoint's state when resuming), learning
 * rates, BLAS threads and buffers of the mini-batch loop. */
static int sgd_start(struct trainer *tr, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	const struct model *m = tr->m;
	double *s1 = tr->opt.s1, *s2 = tr->opt.s2;
	uint64_t t = tr->opt.t;
	optim_init(&tr->opt, m, tr->optk, cfg->wide_opt, cfg->momentum);
	if (s1) {
		memcpy(tr->opt.s1, s1, m->nparams * sizeof *s1);
		memcpy(tr->opt.s2, s2, m->nparams * sizeof *s2);
		tr->opt.t = t;
		free(s1);
		free(s2);
	}
	if (!tr->best_params) {
		tr->best_params = xmalloc((m->nparams + 1) * sizeof *tr->best_params);
		memcpy(tr->best_params, m->params, m->nparams * sizeof *tr->best_params);
	}
	tr->metric = tr->nev ? model_loss_metric(m) : "loss";
	/* Adam's usual 0.001 suits networks; convex models over standardized
	 * features converge in few epochs at 0.01 */
	tr->base_lr = cfg->lr > 0 ? cfg->lr
		      : tr->optk == OPT_SGD ? 0.01
		      : tr->optk == OPT_ADAM ? model_types[m->type].adam_lr : 0.05;
	tr->wide_lr = cfg->wide_lr > 0 ? cfg->wide_lr
		      : cfg->wide_opt == OPT_ADAM ? tr->base_lr
		      : cfg->wide_opt == OPT_SGD ? 0.01 : 0.05;
	if (!model_type_has(m->type, MT_WIDE))
		tr->wide_lr = tr->base_lr;
	/* the largest product of a step decides whether BLAS may use threads:
	 * handing small products to threads costs more than it saves */
	double flops = 2.0 * (double)cfg->batch * (double)m->tf->ndense * (double)m->nout;
	for (int l = 0; m->has_deep && l <= m->nhidden; l++) {
		double f = 2.0 * (double)cfg->batch * (double)m->dims[l] * (double)m->dims[l + 1];
		if (f > flops)
			flops = f;
	}
	tr->reg_scale = m->task == TASK_REGRESSION ? m->label_std * m->label_std : 1.0;
	tr->last_poll = now_seconds();
	if (tr->on_gpu)
		return gpu_start(tr, &tr->gpu, err);
	if (tr->be->set_threads) {
		tr->blas_threads = tr->be->set_threads(tr->be, 0);
		tr->be->set_threads(tr->be, flops < 16e6 ? 1
				    : (tr->threads < tr->blas_threads ? tr->threads : tr->blas_threads));
	}
	/* a worker of parameter servers gets its part of a draw of W batches */
	tr->scratch = model_scratch_new(m, tr->ps ? ps_batch(tr->ps, cfg->batch) : cfg->batch);
	tr->grad = xmalloc((m->nparams + 1) * sizeof *tr->grad);
	if (trainer_dist(tr) && !tr->ps && cfg->bucket_kb > 0) {
		/* buckets of whole layers, from the top, each at least bucket_kb */
		size_t cuts[MODEL_MAX_LAYERS + 3], hi = m->nparams;
		int n = model_grad_layers(m, cuts);
		tr->bucket_lo = xmalloc(((size_t)n + 1) * sizeof *tr->bucket_lo);
		for (int i = 0; i < n; i++)
			if (cuts[i] == 0 || (hi - cuts[i]) * sizeof(double) >= (size_t)cfg->bucket_kb * 1024) {
				tr->bucket_lo[tr->nbuckets++] = cuts[i];
				hi = cuts[i];
			}
	}
	return 0;
}

void trainer_workers_report(struct trainer *tr, int e, bool text, bool now_too)
{
	const struct train_hooks *h = tr->hooks;
	double now = now_seconds();
	if (tr->dist->rank != 0 || (!now_too && now - tr->last_workers < 0.5) ||
	    (!h->on_workers && !h->progress))
		return;
	tr->last_workers = now;
	int n = tr->dist->size;
	double rows = 0, loss = 0;
	struct worker_progress *w = xmalloc((size_t)n * sizeof *w);
	for (int r = 0; r < n; r++) {
		/* the loss in the units of the epochs' */
		w[r] = tr->wp[r];
		w[r].loss *= tr->reg_scale;
		if (!w[r].server && isfinite(w[r].loss)) {
			rows += w[r].rows;
			loss += w[r].loss * w[r].rows;
		}
	}
	if (h->on_workers)
		h->on_workers(h->ctx, e + 1, w, n);
	free(w);
	if (text && h->progress) {
		char what[160];
		snprintf(what, sizeof what, "epoch %d/%d loss %.4g (%d workers, %.0f rows)", e + 1,
			 tr->cfg->epochs, rows > 0 ? loss / rows : NAN, n - (tr->ps ? tr->cfg->ps : 0), rows);
		progress_report(h->progress, what, e + (rows < (double)tr->ntr ? rows / (double)tr->ntr : 1),
				tr->cfg->epochs);
	}
}

/* One step of several workers: this rank's part of the global batch of
 * `drawn` rows gives its share of the gradient (its rows' mean weighted by
 * their part of the batch; the l2 term, in every part's mean, adds up to
 * itself once), and one all-reduce sums the shares, the losses and the
 * requests to stop: every rank then holds the gradient of the whole batch
 * and applies the same update.  Dropout masks are drawn per part, so a
 * network with --dropout follows a different (equally likely) path than
 * one worker does. */
/* Starts summing the buckets that the backward pass has finished
 * (grad[from, nparams)), this rank's share weighted into dbuf. */
static void bucket_ready(void *ctx, size_t from)
{
	struct trainer *tr = ctx;
	size_t np = tr->m->nparams;
	while (tr->bucket_rc == 0 && tr->nb_started < tr->nbuckets &&
	       tr->bucket_lo[tr->nb_started] >= from) {
		int i = tr->nb_started++;
		size_t lo = tr->bucket_lo[i], hi = i ? tr->bucket_lo[i - 1] : np;
		for (size_t k = lo; k < hi; k++)
			tr->dbuf[k] = tr->grad[k] * tr->bucket_w;
		tr->bucket_rc = dist_iallreduce_sum(tr->dist, tr->dbuf + lo, hi - lo, &tr->bucket_err);
	}
	dist_poke(tr->dist);
}

/* The gradient in buckets summed while the backward pass goes on: each
 * rank starts the same buckets in the same order (an empty share starts
 * them all at once), then the loss and flags, then waits for them all. */
static int bucketed_grad(struct trainer *tr, const struct batch *b, size_t drawn, double *part,
			 struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	struct model *m = tr->m;
	tr->nb_started = 0;
	tr->bucket_rc = 0;
	tr->bucket_w = b->n > 0 ? (double)b->n / (double)drawn : 0;
	*part = 0;
	if (b->n > 0) {
		struct grad_ready r = {.fn = bucket_ready, .ctx = tr};
		if (model_loss_grad_ready(m, tr->be, tr->scratch, b, cfg->l2, true,
					  rng_derive(cfg->seed ^ DROPOUT_SEED, tr->opt.t + 1), part, tr->grad,
					  &r, err) < 0)
			return -1;
	} else
		memset(tr->grad, 0, m->nparams * sizeof *tr->grad);
	/* a diverged loss leaves the backward pass before its buckets */
	if (!isfinite(*part))
		memset(tr->grad, 0, m->nparams * sizeof *tr->grad);
	bucket_ready(tr, 0);
	if (tr->bucket_rc < 0) {
		*err = tr->bucket_err;
		return -1;
	}
	return 0;
}

static int dist_step(struct trainer *tr, const struct batch *b, size_t drawn, double *loss,
		     bool *stop, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	struct model *m = tr->m;
	size_t np = m->nparams;
	double *buf = tr->dbuf;
	double part = 0;
	if (tr->nbuckets) {
		if (bucketed_grad(tr, b, drawn, &part, err) < 0)
			return -1;
		buf[np] = part * tr->bucket_w;
	} else if (b->n > 0) {
		if (model_loss_grad(m, tr->be, tr->scratch, b, cfg->l2, true,
				    rng_derive(cfg->seed ^ DROPOUT_SEED, tr->opt.t + 1), &part, tr->grad,
				    err) < 0)
			return -1;
		double w = (double)b->n / (double)drawn;
		for (size_t i = 0; i < np; i++)
			buf[i] = tr->grad[i] * w;
		buf[np] = part * w;
	} else {
		memset(buf, 0, (np + 1) * sizeof *buf);
	}
	/* the polls of one rank would leave the others waiting: a request to
	 * stop travels with the gradient */
	double now = now_seconds();
	buf[np + 1] = buf[np + 2] = 0;
	/* this rank's progress rides along, for rank 0's report */
	int R = tr->dist->size;
	double *prog = buf + np + 3;
	memset(prog, 0, 3 * (size_t)R * sizeof *prog);
	tr->my_rows += (double)b->n;
	tr->my_steps++;
	tr->my_loss += part * (double)b->n;
	prog[3 * tr->dist->rank] = tr->my_rows;
	prog[3 * tr->dist->rank + 1] = tr->my_steps;
	prog[3 * tr->dist->rank + 2] = tr->my_rows > 0 ? tr->my_loss / tr->my_rows : NAN;
	if (now - tr->last_poll > 0.5) {
		tr->last_poll = now;
		buf[np + 1] = trainer_cancelled(tr);
		buf[np + 2] = tr->dist->rank == 0 && cfg->max_seconds > 0 &&
			      now - tr->t_start > cfg->max_seconds;
	}
	if (tr->nbuckets ? dist_iallreduce_sum(tr->dist, buf + np, 3 + 3 * (size_t)R, err) < 0 ||
				   dist_wait(tr->dist, err) < 0
			 : dist_allreduce_sum(tr->dist, buf, np + 3 + 3 * (size_t)R, err) < 0)
		return -1;
	for (int r = 0; r < R; r++)
		tr->wp[r] = (struct worker_progress){.rank = r, .rows = prog[3 * r], .steps = prog[3 * r + 1],
						     .loss = prog[3 * r + 2]};
	memcpy(tr->grad, buf, np * sizeof *buf);
	*loss = buf[np];
	if (buf[np + 1] > 0)
		return pm_errcf(err, PM_E_CANCEL, "cancelled at step %llu", (unsigned long long)tr->opt.t + 1);
	if (buf[np + 2] > 0) {
		*stop = true;
		tr->res->stopped_by = "time";
	}
	return 0;
}

/* The steps of epoch e over the training rows (with several workers, each
 * an all-reduce of the gradient): the summed loss and the rows, the
 * seconds waiting for input and computing. */
static int epoch_steps(struct trainer *tr, int e, const double lr[2], double t0, long double *sumloss_out,
		       size_t *rows_out, double *wait, double *compute, bool *stop, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	const struct train_hooks *hooks = tr->hooks;
	struct train_result *res = tr->res;
	struct model *m = tr->m;
	struct pipe_source src = {.n = tr->ntr, .dense = tr->tdense, .cat = tr->tcat, .y = tr->ty,
				  .tf = m->tf, .frame = tr->train, .colmap = tr->colmap, .rows = tr->trows,
				  .mine = tr->mine};
	bool dist = trainer_dist(tr);
	struct pipeline *pipe = NULL;
	if (pipeline_start(&src, cfg->batch, cfg->shuffle_buffer, rng_derive(cfg->seed, (uint64_t)e + 1),
			   &pipe, err) < 0)
		return -1;
	double last_report = 0;
	long double sumloss = 0;
	size_t rows = 0;
	*wait = *compute = 0;
	tr->my_rows = tr->my_steps = tr->my_loss = 0;
	for (;;) {
		struct batch b;
		double w;
		if (pipeline_next(pipe, &b, &w, err) < 0) {
			pipeline_stop(pipe);
			return -1;
		}
		*wait += w;
		size_t drawn = dist ? pipeline_drawn(pipe) : b.n;
		if (drawn == 0)
			break;
		double c0 = now_seconds(), loss = 0, comm0 = dist ? tr->dist->comm_s : 0;
		uint64_t dseed = rng_derive(cfg->seed ^ DROPOUT_SEED, tr->opt.t + 1);
		if (tr->gpu) {
			/* the GPU's losses are summed there and read at the epoch's
			 * end; the first one is read at once, as divergence is
			 * judged against it */
			if (gpu_step(tr->gpu, tr, &b, lr, dseed, isfinite(tr->first_loss) ? NULL : &loss,
				     err) < 0) {
				pipeline_stop(pipe);
				return -1;
			}
		} else if (dist) {
			if (dist_step(tr, &b, drawn, &loss, stop, err) < 0) {
				pipeline_stop(pipe);
				return -1;
			}
		} else if (model_loss_grad(m, tr->be, tr->scratch, &b, cfg->l2, true, dseed, &loss,
					   tr->grad, err) < 0) {
			pipeline_stop(pipe);
			return -1;
		}
		if (!isfinite(loss)) {
			pipeline_stop(pipe);
			return pm_errf(err, "training diverged at epoch %d, step %llu: the loss is %s; lower --lr (now %g)%s",
				       e + 1, (unsigned long long)tr->opt.t + 1, isnan(loss) ? "NaN" : "infinite", lr[0],
				       cfg->l2 > 0 ? "" : " or add --l2");
		}
		if (!isfinite(tr->first_loss))
			tr->first_loss = loss;
		if (!tr->gpu)
			optim_step(&tr->opt, m, m->params, tr->grad, lr);
		double c1 = now_seconds();
		double comm = dist ? tr->dist->comm_s - comm0 : 0;
		*compute += c1 - c0 - comm;
		tr->comm_total += comm;
		sumloss += loss * (double)drawn;
		rows += drawn;
		tr->mine_rows_total += b.n;
		if (*stop)
			break;
		/* with several workers dist_step polls, all ranks together */
		if (!dist && c1 - tr->last_poll > 0.5) {
			tr->last_poll = c1;
			if (trainer_cancelled(tr)) {
				pipeline_stop(pipe);
				return pm_errcf(err, PM_E_CANCEL, "cancelled at epoch %d", e + 1);
			}
			if (cfg->max_seconds > 0 && c1 - tr->t_start > cfg->max_seconds) {
				*stop = true;
				res->stopped_by = "time";
			}
		}
		if (dist)
			trainer_workers_report(tr, e, false, false);
		if (hooks->progress && c1 - last_report > 0.25) {
			last_report = c1;
			double rate = rows / (c1 - t0 > 1e-9 ? c1 - t0 : 1e-9);
			double left = ((double)(cfg->epochs - e) * (double)tr->ntr - (double)rows) / rate;
			char r[16], what[160];
			fmt_rate(rate, r, sizeof r);
			if (tr->gpu)
				snprintf(what, sizeof what, "epoch %d/%d %s rows/s ETA %.0fs", e + 1,
					 cfg->epochs, r, left);
			else
				snprintf(what, sizeof what, "epoch %d/%d loss %.4g %s rows/s ETA %.0fs", e + 1,
					 cfg->epochs, (double)(sumloss / rows) * tr->reg_scale, r, left);
			progress_report(hooks->progress, what, e + (double)rows / (double)tr->ntr, cfg->epochs);
		}
		if (*stop)
			break;
	}
	pipeline_stop(pipe);
	*sumloss_out = sumloss;
	*rows_out = rows;
	return 0;
}

/* One pass over the training rows (epoch e, 0-based), its judgement on the
 * held-out rows, its report; *stop is set when the run should end. */
static int sgd_epoch(struct trainer *tr, int e, bool *stop, struct pm_err *err)
{
	const struct train_config *cfg = tr->cfg;
	const struct train_hooks *hooks = tr->hooks;
	struct train_result *res = tr->res;
	struct model *m = tr->m;
	double lr[2] = {lr_at(cfg, tr->base_lr, e), lr_at(cfg, tr->wide_lr, e)};
	double t0 = now_seconds(), wait = 0, compute = 0, comm_start = tr->comm_total;
	long double sumloss = 0;
	size_t rows = 0;
	if (tr->ps) {
		double sum;
		if (ps_epoch(tr, e, lr, &sum, &rows, &wait, &compute, stop, err) < 0)
			return -1;
		sumloss = sum;
		/* the workers' losses meet at the epoch's end: its mean is the
		 * first loss the divergence check and the checkpoint keep */
		if (!isfinite(tr->first_loss) && rows)
			tr->first_loss = sum / (double)rows;
	} else if (epoch_steps(tr, e, lr, t0, &sumloss, &rows, &wait, &compute, stop, err) < 0)
		return -1;
	if (tr->gpu) {
		/* the epoch's queued steps, its loss, and the weights for judging it */
		double s0 = now_seconds(), sum;
		if (gpu_sync(tr->gpu, tr, tr->hooks->want_checkpoints, &sum, err) < 0)
			return -1;
		compute += now_seconds() - s0;
		sumloss = sum;
		if (!isfinite(sum))
			return pm_errf(err, "training diverged at epoch %d: the loss is %s; lower --lr (now %g)%s",
				       e + 1, isnan(sum) ? "NaN" : "infinite", lr[0],
				       cfg->l2 > 0 ? "" : " or add --l2");
	}
	/* each worker's whole epoch */
	if (trainer_dist(tr))
		trainer_workers_report(tr, e, false, true);
	double secs = now_seconds() - t0;
	double train_loss = rows ? (double)(sumloss / rows) : NAN;
	if (isfinite(tr->first_loss) && train_loss > 100 * (tr->first_loss > 1e-3 ? tr->first_loss : 1e-3))
		return pm_errf(err, "training diverged at epoch %d: the loss rose from %.4g to %.4g; lower --lr (now %g)",
			       e + 1, tr->first_loss * tr->reg_scale, train_loss * tr->reg_scale, lr[0]);
	struct train_epoch ep = {.epoch = e + 1, .epochs = cfg->epochs,
				 .train_loss = train_loss * tr->reg_scale, .eval_loss = NAN,
				 .metric = tr->metric, .lr = lr[0], .rows = rows, .seconds = secs,
				 .input_wait_s = wait, .compute_s = compute};
	/* with several workers the all-reduce is part of every step */
	double busy = wait + compute + (tr->comm_total - comm_start);
	ep.rows_per_s = rows / (busy > 1e-9 ? busy : 1e-9);
	json_t *em = NULL;
	if (tr->nev) {
		trainer_predict_cached(m, tr->edense, tr->ecat, tr->nev, tr->threads, tr->pred);
		em = model_metrics(m, tr->eyl, tr->pred, tr->nev);
		ep.eval_loss = pred_loss(m, tr->eyl, tr->pred, tr->nev);
		ep.value = metric_value(em, tr->metric);
	} else
		ep.value = ep.train_loss;
	ep.metrics = em;
	if (better(ep.value, tr->best_value)) {
		tr->best_value = ep.value;
		tr->best_epoch = e + 1;
		tr->bad_epochs = 0;
		memcpy(tr->best_params, m->params, m->nparams * sizeof *m->params);
		ep.best = true;
	} else
		tr->bad_epochs++;
	tr->wait_total += wait;
	tr->compute_total += compute;
	tr->rows_total += rows;
	json_t *rec = json_pack("{s:i,s:o,s:o,s:s,s:o,s:f,s:I,s:f,s:f,s:f,s:f,s:b}", "epoch", e + 1,
				"train_loss", json_num(ep.train_loss),
				"eval_loss", json_num(ep.eval_loss),
				"metric", tr->metric, "value",
				json_num(ep.value), "lr", ep.lr, "rows",
				(json_int_t)rows, "seconds", secs, "rows_per_s", ep.rows_per_s, "input_wait_s",
				wait, "compute_s", compute, "best", ep.best);
	if (tr->ps)
		ps_epoch_json(tr->ps, rec);
	json_array_append_new(tr->history, rec);
	if (hooks->progress) {
		char r[16], what[200];
		fmt_rate(ep.rows_per_s, r, sizeof r);
		/* classification: the headline metric too */
		char extra[48] = "";
		const char *sec = model_primary_metric(model_task_name(m->task), NULL);
		if (sec && strcmp(sec, tr->metric) == 0)
			sec = NULL;
		if (sec && em)
			snprintf(extra, sizeof extra, " %s %.4g", sec, metric_value(em, sec));
		if (em)
			snprintf(what, sizeof what, "epoch %d/%d loss %.4g eval %s %.4g%s %s rows/s",
				 e + 1, cfg->epochs, ep.train_loss, tr->metric, ep.value, extra, r);
		else
			snprintf(what, sizeof what, "epoch %d/%d loss %.4g %s rows/s", e + 1,
				 cfg->epochs, ep.train_loss, r);
		progress_report(hooks->progress, what, e + 1, cfg->epochs);
	}
	bool early = cfg->patience > 0 && tr->bad_epochs >= cfg->patience;
	bool reached = false;
	if (cfg->target_metric) {
		bool known;
		bool hb = model_metric_higher_better(cfg->target_metric, &known);
		double tv = strcmp(cfg->target_metric, "loss") == 0 ? ep.train_loss
			    : metric_value(em, cfg->target_metric);
		reached = isfinite(tv) && (hb ? tv >= cfg->target : tv <= cfg->target);
	}
	if (hooks->on_epoch) {
		struct sbuf ck = {0};
		int hrc = 0;
		if (hooks->want_checkpoints && save_checkpoint(tr, e + 1, &ck, err) < 0)
			hrc = -1;
		if (hrc == 0)
			hrc = hooks->on_epoch(hooks->ctx, &ep, hooks->want_checkpoints ? &ck : NULL, err);
		sbuf_free(&ck);
		if (hrc < 0) {
			json_decref(em);
			return -1;
		}
	}
	json_decref(em);
	if (hooks->crash_after && e + 1 - tr->start_epoch >= hooks->crash_after)
		return pm_errf(err, "simulated crash after epoch %d", e + 1);
	if (early) {
		res->stopped_early = true;
		res->stopped_by = "patience";
		*stop = true;
	}
	if (reached) {
		/* the model that reached the target is the one to keep */
		res->reached_target = true;
		res->stopped_by = "target";
		memcpy(tr->best_params, m->params, m->nparams * sizeof *m->params);
		tr->best_epoch = e + 1;
		*stop = true;
	}
	return 0;
}

/* The end of a run of several workers: whether every rank holds the
 * same parameters (rank 0's checksum against each rank's), and each
 * rank's rows and times, gathered for rank 0's report. */
static int dist_report(struct trainer *tr, struct pm_err *err)
{
	struct dist *d = tr->dist;
	struct train_result *res = tr->res;
	const struct model *m = res->model;
	int n = d->size;
	uint64_t mine = hash64(m->params, m->nparams * sizeof *m->params, 0), first = mine;
	if (dist_bcast(d, &first, sizeof first, 0, err) < 0)
		return -1;
	/* per rank: differs, rows computed, compute seconds, communication
	 * seconds, rows of its shard */
	enum { K = 5 };
	double *v = xcalloc((size_t)n * K + 1, sizeof *v);
	v[d->rank * K] = mine != first;
	v[d->rank * K + 1] = (double)tr->mine_rows_total;
	v[d->rank * K + 2] = tr->compute_total;
	v[d->rank * K + 3] = tr->comm_total;
	v[d->rank * K + 4] = (double)tr->nmine;
	if (dist_allreduce_sum(d, v, (size_t)n * K, err) < 0) {
		free(v);
		return -1;
	}
	res->checksum = mine;
	res->ranks_agree = true;
	res->shard_rows = tr->nmine;
	res->comm_s = tr->comm_total;
	if (tr->ps)
		res->ps = ps_report(tr->ps);
	res->workers = json_array();
	for (int r = 0; r < n; r++) {
		const double *x = v + r * K;
		if (x[0] != 0)
			res->ranks_agree = false;
		double busy = x[2] + x[3];
		json_array_append_new(res->workers,
				      json_pack("{s:i,s:I,s:I,s:o,s:o,s:o,s:o,s:b}", "rank", r, "shard_rows",
						(json_int_t)x[4], "rows", (json_int_t)x[1], "rows_per_s",
						json_num(x[1] / (x[2] > 1e-9 ? x[2] : 1e-9)), "compute_s",
						json_num(x[2]), "comm_s", json_num(x[3]), "comm_share",
						json_num(busy > 0 ? x[3] / busy : 0), "same_parameters",
						x[0] == 0));
		if (tr->ps)
			json_object_set_new(json_array_get(res->workers, (size_t)r), "role",
					    json_string(r < tr->cfg->ps ? "server" : "worker"));
	}
	free(v);
	return 0;
}

int trainer_finish(struct trainer *tr, struct pm_err *err)
{
	struct train_result *res = tr->res;
	struct model *m = tr->m;
	const struct frame *train = tr->train, *eval = tr->eval;
	/* the best epoch's weights, judged on held-out data */
	if (tr->nev && tr->best_epoch > 0)
		memcpy(m->params, tr->best_params, m->nparams * sizeof *m->params);
	res->best_epoch = tr->best_epoch;
	if (eval && tr->nev) {
		trainer_predict_cached(m, tr->edense, tr->ecat, tr->nev, tr->threads, tr->pred);
		res->metrics = model_metrics(m, tr->eyl, tr->pred, tr->nev);
	} else if (tr->holdout) {
		/* every training row, as `evaluate --data` of the training data gives them */
		if (model_predict_frame(m, train, tr->all_rows, tr->nall, tr->threads, tr->pred, err) < 0)
			return -1;
		res->metrics = model_metrics(m, tr->all_yl, tr->pred, tr->nall);
	} else {
		if (tr->tdense)
			trainer_predict_cached(m, tr->tdense, tr->tcat, tr->ntr, tr->threads, tr->pred);
		else if (model_predict_frame(m, train, tr->trows, tr->ntr, tr->threads, tr->pred, err) < 0)
			return -1;
		res->metrics = model_metrics(m, tr->tyl, tr->pred, tr->ntr);
	}
	json_object_set_new(res->metrics, "evaluated_on",
			    json_string(eval && tr->nev ? eval->name : train->name));
	json_decref(m->metrics);
	m->metrics = json_incref(res->metrics);
	res->seconds = now_seconds() - tr->t_start;
	res->input_wait_s = tr->wait_total;
	res->compute_s = tr->compute_total;
	double busy = tr->wait_total + tr->compute_total + tr->comm_total;
	res->rows_per_s = tr->rows_total / (busy > 1e-9 ? busy : 1e-9);
	res->history = tr->history;
	tr->history = NULL;
	res->model = m;
	tr->m = NULL;
	if (trainer_dist(tr))
		return dist_report(tr, err);
	return 0;
}

int train_model(const struct train_config *cfg, const struct frame *train,
		const struct frame *eval, const void *ckpt, size_t ckpt_len,
		const struct train_hooks *hooks, struct train_result *res, struct pm_err *err)
{
	static const struct train_hooks no_hooks;
	if (!hooks)
		hooks = &no_hooks;
	memset(res, 0, sizeof *res);
	struct trainer tr;
	int rc = -1;
	if (trainer_prepare(&tr, cfg, train, eval, ckpt, ckpt_len, hooks, res, err) < 0)
		goto out;
	if (tr.optk == OPT_LBFGS) {
		if (trainer_solve(&tr, err) < 0)
			goto out;
		rc = trainer_finish(&tr, err);
		goto out;
	}
	if (sgd_start(&tr, err) < 0)
		goto out;
	int e;
	bool stop = false;
	for (e = tr.start_epoch; e < cfg->epochs && !stop; e++)
		if (sgd_epoch(&tr, e, &stop, err) < 0)
			goto out;
	res->epochs_run = e;
	rc = trainer_finish(&tr, err);
out:
	if (rc < 0 && res->metrics) {
		json_decref(res->metrics);
		res->metrics = NULL;
	}
	trainer_free(&tr);
	return rc;
}
