/* Runs in the workspace: a run is created with its configuration and the
 * fingerprints of its datasets, executed (in this process or by a job),
 * writes each epoch's metrics and a checkpoint as it goes, and ends by
 * storing the model file as an artifact and registering a version — the
 * version row and the run's "done" state in one transaction. */
#include "train.h"
#include "registry/registry.h"
#include "validate/validate.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *json_text(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
}

int train_open_dataset(struct workspace *ws, const char *name, struct frame **f, char fp[17],
		       struct pm_err *err)
{
	struct ws_dataset d;
	if (ws_dataset_get(ws, name, &d, err) < 0)
		return -1;
	char *path = ws_artifact_path(ws, d.artifact, err);
	if (!path) {
		ws_dataset_free(&d);
		return pm_err_prefix(err, "dataset %s", name);
	}
	int rc = frame_open(path, name, f, err);
	free(path);
	if (rc < 0)
		pm_err_prefix(err, "dataset %s", name);
	else if (fp)
		snprintf(fp, 17, "%s", d.fingerprint ? d.fingerprint : "");
	ws_dataset_free(&d);
	return rc;
}

char *run_checkpoint_path(struct workspace *ws, int64_t run)
{
	return xasprintf("%s/runs/%lld/checkpoint.pmc", ws->dir, (long long)run);
}

int run_create(struct workspace *ws, const struct train_config *cfg, int64_t *run,
	       struct pm_err *err)
{
	if (!reg_name_valid(cfg->model_name))
		return pm_errcf(err, PM_E_USAGE,
				"'%s' is not a valid model name (letters, digits, '_', '-', '.')",
				cfg->model_name ? cfg->model_name : "");
	struct ws_dataset d = {0}, e = {0};
	if (ws_dataset_get(ws, cfg->data, &d, err) < 0)
		return -1;
	if (cfg->eval && ws_dataset_get(ws, cfg->eval, &e, err) < 0) {
		ws_dataset_free(&d);
		return -1;
	}
	json_t *cj = train_config_to_json(cfg);
	char *ctext = json_text(cj);
	json_decref(cj);
	char now[40];
	ts_now_iso(now, sizeof now);
	struct db_stmt *st;
	int rc = -1;
	if (ws_prepare(ws, "INSERT INTO runs(model, state, config, data, data_fingerprint, eval,"
			   " eval_fingerprint, user, created, updated) VALUES (?,'queued',?,?,?,?,?,?,?,?)",
		       &st, err) == 0) {
		db_bind_text(st, 1, cfg->model_name, -1, DB_TRANSIENT);
		db_bind_text(st, 2, ctext, -1, DB_TRANSIENT);
		db_bind_text(st, 3, cfg->data, -1, DB_TRANSIENT);
		db_bind_text(st, 4, d.fingerprint, -1, DB_TRANSIENT);
		if (cfg->eval) {
			db_bind_text(st, 5, cfg->eval, -1, DB_TRANSIENT);
			db_bind_text(st, 6, e.fingerprint, -1, DB_TRANSIENT);
		}
		db_bind_text(st, 7, ws_user(), -1, DB_TRANSIENT);
		db_bind_text(st, 8, now, -1, DB_TRANSIENT);
		db_bind_text(st, 9, now, -1, DB_TRANSIENT);
		if (db_step(st) == DB_DONE) {
			*run = db_last_insert_id(ws->db);
			rc = 0;
		} else
			pm_errf(err, "cannot record the run: %s", ws_errmsg(ws));
		db_finalize(st);
	}
	free(ctext);
	ws_dataset_free(&d);
	ws_dataset_free(&e);
	return rc;
}

struct run_row {
	char *model, *state, *config, *data, *data_fp, *eval, *eval_fp, *message, *host;
	int64_t version, pid, epochs_done;
};

static void run_row_free(struct run_row *r)
{
	free(r->model);
	free(r->state);
	free(r->config);
	free(r->data);
	free(r->data_fp);
	free(r->eval);
	free(r->eval_fp);
	free(r->message);
	free(r->host);
	memset(r, 0, sizeof *r);
}

static int run_load(struct workspace *ws, int64_t run, struct run_row *r, struct pm_err *err)
{
	struct db_stmt *st;
	memset(r, 0, sizeof *r);
	if (ws_prepare(ws, "SELECT model, state, config, data, data_fingerprint, eval, eval_fingerprint,"
			   " message, host, version, pid, epochs_done FROM runs WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, run);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no run %lld", (long long)run);
	}
	r->model = ws_col_text(st, 0, NULL);
	r->state = ws_col_text(st, 1, NULL);
	r->config = ws_col_text(st, 2, NULL);
	r->data = ws_col_text(st, 3, NULL);
	r->data_fp = ws_col_text(st, 4, NULL);
	r->eval = ws_col_text(st, 5, NULL);
	r->eval_fp = ws_col_text(st, 6, NULL);
	r->message = ws_col_text(st, 7, NULL);
	r->host = ws_col_text(st, 8, NULL);
	r->version = db_column_int64(st, 9);
	r->pid = db_column_int64(st, 10);
	r->epochs_done = db_column_int64(st, 11);
	db_finalize(st);
	return 0;
}


static int check_resumable(struct workspace *ws, int64_t run, const struct run_row *r,
			   struct pm_err *err)
{
	if (strcmp(r->state, "done") == 0)
		return pm_errcf(err, PM_E_USAGE, "run %lld already finished: model %s version %lld",
				(long long)run, r->model, (long long)r->version);
	if (strcmp(r->state, "running") == 0 && r->pid != getpid() && proc_host_here(r->host) &&
	    proc_alive(r->pid))
		return pm_errcf(err, PM_E_USAGE, "run %lld is still running (pid %lld)", (long long)run,
				(long long)r->pid);
	return 0;
}

int run_check_resumable(struct workspace *ws, int64_t run, struct pm_err *err)
{
	struct run_row r;
	if (run_load(ws, run, &r, err) < 0)
		return -1;
	int rc = check_resumable(ws, run, &r, err);
	run_row_free(&r);
	return rc;
}

static int run_set_state(struct workspace *ws, int64_t run, const char *state, const char *message,
			 struct pm_err *err)
{
	struct db_stmt *st;
	char now[40], host[256] = "";
	ts_now_iso(now, sizeof now);
	proc_host_name(host, sizeof host);
	bool running = strcmp(state, "running") == 0;
	const char *sql = running
		? "UPDATE runs SET state = ?, message = ?, pid = ?, host = ?, started = COALESCE(started, ?),"
		  " updated = ?5, finished = NULL WHERE id = ?6"
		: "UPDATE runs SET state = ?, message = ?, pid = ?, host = ?, finished = ?, updated = ?5"
		  " WHERE id = ?6";
	if (ws_prepare(ws, sql, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, state, -1, DB_STATIC);
	if (message)
		db_bind_text(st, 2, message, -1, DB_TRANSIENT);
	else
		db_bind_null(st, 2);
	db_bind_int64(st, 3, (int64_t)getpid());
	db_bind_text(st, 4, host, -1, DB_TRANSIENT);
	db_bind_text(st, 5, now, -1, DB_TRANSIENT);
	db_bind_int64(st, 6, run);
	int rc = db_step(st) == DB_DONE ? 0
		 : pm_errf(err, "cannot update run %lld: %s", (long long)run, ws_errmsg(ws));
	db_finalize(st);
	return rc;
}

int run_fail(struct workspace *ws, int64_t run, bool cancelled, const char *msg,
	     struct pm_err *err)
{
	struct run_row r;
	if (run_load(ws, run, &r, err) < 0)
		return -1;
	int rc = strcmp(r.state, "done") == 0
			 ? 0 : run_set_state(ws, run, cancelled ? "cancelled" : "failed", msg, err);
	run_row_free(&r);
	return rc;
}

/* Marks the run as ours, running, in one transaction that checks again
 * that it may be resumed: of two `train --resume` of one run started at
 * once, the second finds the first's process and stops. */
static int run_claim(struct workspace *ws, int64_t run, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	struct run_row r;
	int rc = run_load(ws, run, &r, err);
	if (rc == 0) {
		rc = check_resumable(ws, run, &r, err);
		run_row_free(&r);
	}
	if (rc == 0)
		rc = run_set_state(ws, run, "running", NULL, err);
	if (rc == 0)
		rc = ws_commit(ws, err);
	if (rc < 0)
		ws_rollback(ws);
	return rc;
}

struct run_ctx {
	struct workspace *ws;
	int64_t run;
	const struct train_hooks *outer;
	char *ckpt_path;
	int kill_after;
};

/* Per epoch: the checkpoint file first (atomically), then the epoch row and
 * the run's progress in one transaction: a reader never sees an epoch whose
 * checkpoint is missing. */
static int run_on_epoch(void *ctx, const struct train_epoch *ep, const struct sbuf *ck,
			struct pm_err *err)
{
	struct run_ctx *rc = ctx;
	struct workspace *ws = rc->ws;
	if (ck && fs_write_atomic(rc->ckpt_path, ck->s, ck->len, err) < 0)
		return pm_err_prefix(err, "checkpoint");
	char now[40];
	ts_now_iso(now, sizeof now);
	char *mtext = ep->metrics ? json_text(ep->metrics) : NULL;
	struct db_stmt *st = NULL;
	int ok = -1;
	if (ws_begin(ws, err) < 0) {
		free(mtext);
		return -1;
	}
	if (ws_prepare(ws, "INSERT OR REPLACE INTO run_epochs(run, epoch, train_loss, eval_loss, metric,"
			   " value, metrics, lr, rows, seconds, rows_per_s, input_wait_s, compute_s, best, time)"
			   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		       &st, err) == 0) {
		db_bind_int64(st, 1, rc->run);
		db_bind_int(st, 2, ep->epoch);
		if (isfinite(ep->train_loss))
			db_bind_double(st, 3, ep->train_loss);
		if (isfinite(ep->eval_loss))
			db_bind_double(st, 4, ep->eval_loss);
		db_bind_text(st, 5, ep->metric, -1, DB_STATIC);
		if (isfinite(ep->value))
			db_bind_double(st, 6, ep->value);
		if (mtext)
			db_bind_text(st, 7, mtext, -1, DB_TRANSIENT);
		db_bind_double(st, 8, ep->lr);
		db_bind_int64(st, 9, (int64_t)ep->rows);
		db_bind_double(st, 10, ep->seconds);
		db_bind_double(st, 11, ep->rows_per_s);
		db_bind_double(st, 12, ep->input_wait_s);
		db_bind_double(st, 13, ep->compute_s);
		db_bind_int(st, 14, ep->best);
		db_bind_text(st, 15, now, -1, DB_TRANSIENT);
		if (db_step(st) == DB_DONE)
			ok = 0;
		else
			pm_errf(err, "cannot record epoch %d: %s", ep->epoch, ws_errmsg(ws));
		db_finalize(st);
	}
	if (ok == 0) {
		ok = -1;
		if (ws_prepare(ws, "UPDATE runs SET epochs_done = ?, updated = ? WHERE id = ?", &st, err) == 0) {
			db_bind_int(st, 1, ep->epoch);
			db_bind_text(st, 2, now, -1, DB_TRANSIENT);
			db_bind_int64(st, 3, rc->run);
			ok = db_step(st) == DB_DONE ? 0 : pm_errf(err, "cannot update the run");
			db_finalize(st);
		}
	}
	free(mtext);
	if (ok < 0 || ws_commit(ws, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	/* tests of resume: die here as `kill -9` would, after the checkpoint */
	if (rc->kill_after > 0 && ep->epoch >= rc->kill_after)
		raise(SIGKILL);
	if (rc->outer && rc->outer->on_epoch)
		return rc->outer->on_epoch(rc->outer->ctx, ep, ck, err);
	return 0;
}

/* Rank 0 of a distributed run: every rank's progress into runs/N/
 * workers.json, which `job show`, `runs`' view and the TUI's run view read
 * while the run goes (the database is left to the epochs: a file renamed
 * twice a second costs the run nothing). */
static void run_on_workers(void *ctx, int epoch, const struct worker_progress *w, int n)
{
	struct run_ctx *rc = ctx;
	char now[40];
	ts_now_iso(now, sizeof now);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:i,s:s,s:I,s:I,s:o}", "rank", w[i].rank, "role",
						     w[i].server ? "server" : "worker", "rows",
						     (json_int_t)w[i].rows, "steps", (json_int_t)w[i].steps,
						     "loss", json_num(w[i].loss)));
	json_t *j = json_pack("{s:i,s:s,s:o}", "epoch", epoch, "updated", now, "workers", arr);
	char *text = json_text(j), *path = xasprintf("%s/runs/%lld/workers.json", rc->ws->dir,
						      (long long)rc->run);
	struct pm_err e = {0};
	/* progress only: a failed write is not the run's failure */
	fs_write_atomic(path, text, strlen(text), &e);
	free(path);
	free(text);
	json_decref(j);
}

static bool run_cancelled(void *ctx)
{
	struct run_ctx *rc = ctx;
	return rc->outer && rc->outer->cancelled && rc->outer->cancelled(rc->outer->ctx);
}

int run_execute(struct workspace *ws, int64_t run, const struct train_hooks *hooks,
		json_t **result, struct pm_err *err)
{
	struct run_row r;
	struct train_config cfg;
	struct frame *train = NULL, *eval = NULL;
	char *ckpt = NULL;
	size_t ckpt_len = 0;
	struct train_result res = {0};
	struct run_ctx ctx = {.ws = ws, .run = run, .outer = hooks};
	char *tmp = NULL;
	struct sbuf file = {0};
	int rc = -1;
	bool started = false;
	json_t *slices = NULL; /* --slice: the final model's metrics per value */

	/* with several workers rank 0 alone writes the workspace: the others
	 * read the run and the data, train, and report to rank 0 */
	struct dist *d = hooks ? hooks->dist : NULL;
	bool follower = d && d->size > 1 && d->rank != 0;
	train_config_init(&cfg);
	if (run_load(ws, run, &r, err) < 0)
		return -1;
	if (!follower && check_resumable(ws, run, &r, err) < 0)
		goto out;
	json_error_t je;
	json_t *cj = json_loads(r.config, 0, &je);
	if (!cj) {
		pm_errf(err, "run %lld: bad configuration: %s", (long long)run, je.text);
		goto out;
	}
	int crc = train_config_from_json(cj, &cfg, err);
	json_decref(cj);
	if (crc < 0)
		goto out;
	char fp[17];
	if (train_open_dataset(ws, r.data, &train, fp, err) < 0)
		goto out;
	if (strcmp(fp, r.data_fp) != 0) {
		pm_errf(err, "dataset '%s' changed since run %lld started (fingerprint %s, now %s)", r.data,
			(long long)run, r.data_fp, fp);
		goto out;
	}
	if (r.eval) {
		if (train_open_dataset(ws, r.eval, &eval, fp, err) < 0)
			goto out;
		if (strcmp(fp, r.eval_fp ? r.eval_fp : "") != 0) {
			pm_errf(err, "dataset '%s' changed since run %lld started (fingerprint %s, now %s)",
				r.eval, (long long)run, r.eval_fp ? r.eval_fp : "", fp);
			goto out;
		}
	}
	/* the slices are measured on the data the final metrics come from */
	const struct frame *judged = eval ? eval : train;
	int slice_col = -1;
	if (cfg.slice && (slice_col = frame_col_index(judged, cfg.slice)) < 0) {
		pm_errcf(err, PM_E_USAGE, "--slice: dataset '%s' has no column '%s'", judged->name,
			 cfg.slice);
		goto out;
	}
	ctx.ckpt_path = run_checkpoint_path(ws, run);
	char *dir = xasprintf("%s/runs/%lld", ws->dir, (long long)run);
	int mrc = follower ? 0 : fs_mkdir_p(dir, err);
	free(dir);
	if (mrc < 0)
		goto out;
	if (fs_exists(ctx.ckpt_path) && fs_read_all(ctx.ckpt_path, &ckpt, &ckpt_len, err) < 0)
		goto out;
	const char *ka = getenv("PRODML_TEST_KILL_AFTER_EPOCH");
	ctx.kill_after = ka ? atoi(ka) : 0;
	if (!follower) {
		if (run_claim(ws, run, err) < 0)
			goto out;
		started = true;
	}

	struct train_hooks h = {.progress = hooks ? hooks->progress : NULL, .on_epoch = run_on_epoch,
				.ctx = &ctx, .want_checkpoints = true, .cancelled = run_cancelled, .dist = d,
				.on_workers = d && d->size > 1 ? run_on_workers : NULL};
	if (follower)
		h = (struct train_hooks){.dist = d};
	if (train_model(&cfg, train, eval, ckpt, ckpt_len, &h, &res, err) < 0)
		goto out;
	if (follower) {
		char sum[17];
		snprintf(sum, sizeof sum, "%016llx", (unsigned long long)res.checksum);
		*result = json_pack("{s:I,s:i,s:s,s:b}", "run", (json_int_t)run, "rank", d->rank,
				    "parameters_checksum", sum, "ranks_agree", res.ranks_agree);
		rc = 0;
		goto out;
	}

	/* the model file, into the artifacts */
	struct model *m = res.model;
	if (slice_col >= 0) {
		struct model_eval e;
		if (model_evaluate(m, judged, slice_col, 0.5, cfg.threads, &e, err) < 0)
			goto out;
		slices = json_incref(e.slices);
		model_eval_free(&e);
	}
	char now[40];
	ts_now_iso(now, sizeof now);
	json_decref(m->info);
	/* no time or user in the file: the same data, options and seed give
	 * the same bytes, hence the same artifact (the registry keeps who and when) */
	m->info = json_pack("{s:I,s:s,s:s,s:s?,s:s?}", "run", (json_int_t)run, "train_dataset",
			    r.data, "train_fingerprint", r.data_fp, "eval_dataset", r.eval,
			    "eval_fingerprint", r.eval_fp);
	if (model_serialize(m, NULL, NULL, 0, &file, err) < 0)
		goto out;
	tmp = ws_artifact_tmp(ws);
	char sha[65];
	if (fs_write_atomic(tmp, file.s, file.len, err) < 0 || ws_artifact_commit(ws, tmp, sha, err) < 0) {
		unlink(tmp);
		goto out;
	}

	/* register the version and close the run together */
	json_t *hdr = model_header_json(m);
	struct reg_version v = {0};
	v.model = xstrdup(r.model);
	v.artifact = xstrdup(sha);
	v.size = (int64_t)file.len;
	v.run = run;
	v.type = xstrdup(model_type_name(m->type));
	v.task = xstrdup(model_task_name(m->task));
	v.label = xstrdup(m->label);
	v.train_dataset = xstrdup(r.data);
	v.train_fingerprint = xstrdup(r.data_fp);
	v.eval_dataset = r.eval ? xstrdup(r.eval) : NULL;
	v.eval_fingerprint = r.eval_fp ? xstrdup(r.eval_fp) : NULL;
	v.schema = json_incref(json_object_get(hdr, "schema"));
	v.params = json_incref(m->hyper);
	v.metrics = json_incref(res.metrics);
	v.slice_metrics = slices ? model_slice_record(slices) : NULL;
	v.description = cfg.description ? xstrdup(cfg.description) : NULL;
	json_decref(hdr);
	/* monitoring measures skew against these numbers, not against whatever
	 * the dataset's name holds by then */
	const char **inputs = xcalloc(m->tf->ninputs + 1, sizeof *inputs);
	for (size_t i = 0; i < m->tf->ninputs; i++)
		inputs[i] = m->tf->inputs[i].name;
	struct baseline base;
	int brc = baseline_compute(train, inputs, &base, err);
	free(inputs);
	if (brc < 0) {
		reg_version_free(&v);
		goto out;
	}
	v.baseline = baseline_to_json(&base);
	baseline_free(&base);
	if (ws_begin(ws, err) < 0) {
		reg_version_free(&v);
		goto out;
	}
	if (reg_version_add(ws, &v, true, err) < 0) {
		ws_rollback(ws);
		reg_version_free(&v);
		goto out;
	}
	json_t *out = json_pack("{s:s,s:I,s:I,s:O}", "model", r.model, "version", (json_int_t)v.version,
				"run", (json_int_t)run, "metrics", res.metrics);
	json_object_set_new(out, "type", json_string(model_type_name(m->type)));
	json_object_set_new(out, "task", json_string(model_task_name(m->task)));
	json_object_set_new(out, "epochs", json_integer(res.epochs_run));
	json_object_set_new(out, "best_epoch", json_integer(res.best_epoch));
	json_object_set_new(out, "stopped_early", json_boolean(res.stopped_early));
	json_object_set_new(out, "resumed", json_boolean(res.resumed));
	if (cfg.target_metric)
		json_object_set_new(out, "reached_target", json_boolean(res.reached_target));
	if (res.solver) {
		/* how far the solver went: the optimum within --tol, or not */
		json_t *so = json_pack("{s:s,s:i,s:i,s:f,s:f,s:f,s:i,s:b,s:s}", "name", res.solver,
				       "iterations", res.iterations, "evaluations", res.evaluations,
				       "gradient_norm", res.grad_norm, "initial_gradient_norm", res.grad_norm0,
				       "tol", cfg.tol, "max_iter", cfg.max_iter, "converged", res.converged,
				       "stopped_by", res.stopped_by);
		json_object_set_new(out, "solver", so);
	} else if (cfg.auto_epochs) {
		/* why the run ended where it did: the epochs were not given */
		json_t *st = json_pack("{s:i,s:i,s:s,s:s?}", "max_epochs", cfg.epochs, "patience",
				       cfg.patience, "watched", res.watched, "stopped_by", res.stopped_by);
		if (!strcmp(res.watched, "holdout"))
			json_object_set_new(st, "holdout_rows", json_integer((json_int_t)res.eval_rows));
		else if (cfg.holdout > 0)
			json_object_set_new(st, "holdout", json_real(cfg.holdout));
		json_object_set_new(out, "auto_epochs", st);
	}
	if (res.note[0])
		json_object_set_new(out, "note", json_string(res.note));
	if (cfg.device && res.device[0])
		json_object_set_new(out, "device", json_string(res.device));
	json_object_set(out, "history", res.history);
	json_object_set_new(out, "rows", json_integer((json_int_t)res.train_rows));
	json_object_set_new(out, "eval_rows", json_integer((json_int_t)res.eval_rows));
	json_object_set_new(out, "skipped_rows",
			    json_pack("{s:I,s:I}", "missing_label", (json_int_t)res.skipped_missing_label,
				      "unknown_label", (json_int_t)res.skipped_unknown_label));
	json_object_set_new(out, "parameters", json_integer((json_int_t)m->nparams));
	/* the inputs the model reads, whether given or chosen by default: what
	 * serving has to send */
	json_t *feats = json_array();
	for (size_t i = 0; i < m->tf->ninputs; i++)
		json_array_append_new(feats, json_string(m->tf->inputs[i].name));
	json_object_set_new(out, "features", feats);
	json_object_set_new(out, "seconds", json_num(res.seconds));
	json_object_set_new(out, "rows_per_s", json_num(res.rows_per_s));
	json_object_set_new(out, "input_wait_s", json_num(res.input_wait_s));
	json_object_set_new(out, "compute_s", json_num(res.compute_s));
	json_object_set_new(out, "artifact", json_string(sha));
	if (d && d->size > 1) {
		/* what the workers did, and whether they ended on one model */
		char sum[17];
		snprintf(sum, sizeof sum, "%016llx", (unsigned long long)res.checksum);
		double comm = 0, busy = 0;
		size_t i;
		json_t *w;
		json_array_foreach(res.workers, i, w) {
			comm += json_number_value(json_object_get(w, "comm_s"));
			busy += json_number_value(json_object_get(w, "comm_s")) +
				json_number_value(json_object_get(w, "compute_s"));
		}
		/* workers: the processes computing gradients (not the servers) */
		json_t *dj = json_pack("{s:s,s:i,s:s,s:b,s:o,s:O}", "strategy",
				       cfg.ps > 0 ? "ps" : "allreduce", "workers", d->size - cfg.ps,
				       "parameters_checksum", sum, "ranks_agree", res.ranks_agree,
				       "comm_share", json_num(busy > 0 ? comm / busy : 0), "per_worker",
				       res.workers);
		if (res.ps) {
			json_object_set_new(dj, "servers", json_incref(json_object_get(res.ps, "servers")));
			json_object_set_new(dj, "staleness", json_incref(json_object_get(res.ps, "staleness")));
		}
		json_object_set_new(out, "distributed", dj);
	}
	if (slices)
		json_object_set(out, "slices", slices);
	char *mtext = json_text(res.metrics), *otext = json_text(out);
	struct db_stmt *st;
	int urc = ws_prepare(ws, "UPDATE runs SET state = 'done', version = ?, metrics = ?, result = ?,"
				 " message = NULL, finished = ?, updated = ?4 WHERE id = ?",
			     &st, err);
	if (urc == 0) {
		db_bind_int64(st, 1, v.version);
		db_bind_text(st, 2, mtext, -1, DB_TRANSIENT);
		db_bind_text(st, 3, otext, -1, DB_TRANSIENT);
		db_bind_text(st, 4, now, -1, DB_TRANSIENT);
		db_bind_int64(st, 5, run);
		if (db_step(st) != DB_DONE)
			urc = pm_errf(err, "cannot finish run %lld: %s", (long long)run, ws_errmsg(ws));
		db_finalize(st);
	}
	free(mtext);
	free(otext);
	reg_version_free(&v);
	if (urc < 0 || ws_commit(ws, err) < 0) {
		ws_rollback(ws);
		json_decref(out);
		goto out;
	}
	/* finished: the checkpoint has served its purpose */
	unlink(ctx.ckpt_path);
	char *rdir = xasprintf("%s/runs/%lld", ws->dir, (long long)run);
	rmdir(rdir);
	free(rdir);
	*result = out;
	rc = 0;
out:
	if (rc < 0 && started) {
		struct pm_err e2 = {0};
		run_set_state(ws, run, err->code == PM_E_CANCEL ? "cancelled" : "failed", err->msg, &e2);
	}
	train_result_free(&res);
	train_config_free(&cfg);
	json_decref(slices);
	run_row_free(&r);
	frame_free(train);
	frame_free(eval);
	free(ckpt);
	free(ctx.ckpt_path);
	free(tmp);
	sbuf_free(&file);
	return rc;
}

int run_get(struct workspace *ws, int64_t run, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT id, model, state, config, data, eval, epochs_done, metrics, version,"
			   " message, pid, user, created, started, finished FROM runs WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, run);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no run %lld", (long long)run);
	}
	json_t *cfg = json_loads((const char *)db_column_text(st, 3), 0, NULL);
	const char *mt = (const char *)db_column_text(st, 7);
	json_t *metrics = mt ? json_loads(mt, 0, NULL) : NULL;
	json_t *j = json_pack("{s:I,s:s,s:s,s:o,s:s,s:s?,s:I,s:o}", "run", db_column_int64(st, 0),
			      "model", db_column_text(st, 1), "state", db_column_text(st, 2),
			      "config", cfg ? cfg : json_null(), "data", db_column_text(st, 4), "eval",
			      db_column_text(st, 5), "epochs_done", db_column_int64(st, 6),
			      "metrics", metrics ? metrics : json_null());
	json_object_set_new(j, "version", db_column_type(st, 8) == DB_NULL ? json_null()
					  : json_integer(db_column_int64(st, 8)));
	json_object_set_new(j, "message", db_column_type(st, 9) == DB_NULL ? json_null()
					  : json_string((const char *)db_column_text(st, 9)));
	json_object_set_new(j, "user", json_string((const char *)db_column_text(st, 11)));
	json_object_set_new(j, "created", json_string((const char *)db_column_text(st, 12)));
	db_finalize(st);
	/* the epochs so far */
	json_t *eps = json_array();
	if (ws_prepare(ws, "SELECT epoch, train_loss, eval_loss, metric, value, rows_per_s, input_wait_s,"
			   " compute_s, seconds FROM run_epochs WHERE run = ? ORDER BY epoch",
		       &st, err) == 0) {
		db_bind_int64(st, 1, run);
		while (db_step(st) == DB_ROW) {
			json_t *e = json_object();
			json_object_set_new(e, "epoch", json_integer(db_column_int64(st, 0)));
			json_object_set_new(e, "train_loss", db_column_type(st, 1) == DB_NULL ? json_null() : json_real(db_column_double(st, 1)));
			json_object_set_new(e, "eval_loss", db_column_type(st, 2) == DB_NULL ? json_null() : json_real(db_column_double(st, 2)));
			json_object_set_new(e, "metric", json_string((const char *)db_column_text(st, 3) ?: ""));
			json_object_set_new(e, "value", db_column_type(st, 4) == DB_NULL ? json_null() : json_real(db_column_double(st, 4)));
			json_object_set_new(e, "rows_per_s", json_real(db_column_double(st, 5)));
			json_object_set_new(e, "input_wait_s", json_real(db_column_double(st, 6)));
			json_object_set_new(e, "compute_s", json_real(db_column_double(st, 7)));
			json_object_set_new(e, "seconds", json_real(db_column_double(st, 8)));
			json_array_append_new(eps, e);
		}
		db_finalize(st);
	}
	json_object_set_new(j, "epochs", eps);
	json_t *w = run_workers_read(ws, run);
	if (w)
		json_object_set_new(j, "workers", w);
	*out = j;
	return 0;
}
