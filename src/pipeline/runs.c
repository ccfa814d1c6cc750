/* Run records (tables pipeline_runs, executions): creating a run, reading
 * it back, and noticing a run whose process died (kill -9, a crash): its
 * record says failed from then on, so `pipeline resume` may continue it. */
#include "pipeline.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A process recorded as running: still the same process? */
static bool still_running(int64_t pid, int64_t start, const char *host)
{
	if (!proc_host_here(host))
		return true; /* another machine's: cannot tell */
	return proc_alive(pid) && (start <= 0 || proc_start_time(pid) == start);
}

/* Records that a queued or running run's process is gone: the run failed,
 * and so did the steps it was running. */
static void mark_dead(struct workspace *ws, int64_t run, int64_t pid)
{
	struct db_stmt *st;
	struct pm_err e;
	char now[40], *msg = pid > 0 ? xasprintf("the run's process (pid %lld) ended before the run finished",
						 (long long)pid)
				     : xstrdup("the run's process ended before the run started");
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "UPDATE pipeline_runs SET state = 'failed', message = ?, finished = ?"
			   " WHERE id = ? AND state IN ('queued', 'running')",
		       &st, &e) == 0) {
		db_bind_text(st, 1, msg, -1, DB_TRANSIENT);
		db_bind_text(st, 2, now, -1, DB_TRANSIENT);
		db_bind_int64(st, 3, run);
		db_step(st);
		db_finalize(st);
	}
	/* pid stays: resume ends a step's process that outlived the run */
	if (ws_prepare(ws, "UPDATE executions SET state = 'failed', message = 'the run was killed"
			   " while this step ran' WHERE run = ? AND state = 'running'",
		       &st, &e) == 0) {
		db_bind_int64(st, 1, run);
		db_step(st);
		db_finalize(st);
	}
	free(msg);
}

/* Whether a run is queued or running and its process (the one that
 * created it, then the job that runs it, then the one that runs it) still
 * runs.  A queued or running run whose process is gone is marked failed
 * here: in its own transaction, or in the caller's when one is open. */
static bool run_alive(struct workspace *ws, int64_t run)
{
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(ws, "SELECT pid, proc_start, host FROM pipeline_runs WHERE id = ? AND"
			   " state IN ('queued', 'running')",
		       &st, &e) < 0)
		return false;
	db_bind_int64(st, 1, run);
	bool active = false, dead = false;
	int64_t pid = 0;
	if (db_step(st) == DB_ROW) {
		pid = db_column_int64(st, 0);
		/* a run with no process (older prodml left queued ones) is dead */
		active = db_column_type(st, 0) != DB_NULL &&
			 still_running(pid, db_column_int64(st, 1), (const char *)db_column_text(st, 2));
		dead = !active;
	}
	db_finalize(st);
	if (!dead)
		return active;
	bool own = !db_in_transaction(ws->db);
	if (own && ws_begin(ws, &e) < 0)
		return false;
	mark_dead(ws, run, pid);
	if (own)
		ws_commit(ws, &e);
	return false;
}

static void reap(struct workspace *ws, int64_t run)
{
	run_alive(ws, run);
}

/* A queued or running run of the pipeline other than `except` whose
 * process lives (0: none); runs whose process died are marked failed on
 * the way.  Reads in the caller's transaction. */
static int64_t active_run(struct workspace *ws, const char *pipeline, int64_t except, struct pm_err *err)
{
	int64_t *ids, active = 0;
	size_t n;
	if (ws_ids(ws, "SELECT id FROM pipeline_runs WHERE pipeline = ? AND state IN ('queued', 'running')"
		       " ORDER BY id",
		   pipeline, &ids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && !active; i++)
		if (ids[i] != except && run_alive(ws, ids[i]))
			active = ids[i];
	free(ids);
	return active;
}

/* The error for a run refused because run `active` of the pipeline is on. */
static int busy_error(struct workspace *ws, const char *pipeline, int64_t active, const char *what,
		      struct pm_err *err)
{
	struct db_stmt *st;
	struct sbuf b = {0};
	if (ws_prepare(ws, "SELECT state, pid, job FROM pipeline_runs WHERE id = ?", &st, err) == 0) {
		db_bind_int64(st, 1, active);
		if (db_step(st) == DB_ROW) {
			sbuf_printf(&b, "%s (pid %lld", (const char *)db_column_text(st, 0),
				    (long long)db_column_int64(st, 1));
			if (db_column_type(st, 2) != DB_NULL)
				sbuf_printf(&b, ", job %lld", (long long)db_column_int64(st, 2));
			sbuf_putc(&b, ')');
		}
		db_finalize(st);
	}
	pm_errcf(err, PM_E_FAIL, "pipeline %s: run %lld is %s; %s (`pipeline run show %lld --wait` waits for it, "
				 "--concurrent runs beside it)",
		 pipeline, (long long)active, b.s ? b.s : "active", what, (long long)active);
	sbuf_free(&b);
	return -1;
}

int pipeline_run_create(struct workspace *ws, const struct pipeline *p,
			const struct pl_run_opts *o, int64_t *run, int64_t *active, struct pm_err *err)
{
	json_t *values;
	if (pipeline_values(p, o->params, o->nparams, &values, err) < 0)
		return -1;
	char *vtext = json_dumps(values, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(values);
	char now[40];
	ts_now_iso(now, sizeof now);
	struct db_stmt *st = NULL;
	if (active)
		*active = 0;
	/* BEGIN IMMEDIATE: no other process looks for an active run or adds
	 * one between this one's look and its insert */
	if (ws_begin(ws, err) < 0) {
		free(vtext);
		return -1;
	}
	if (!o->concurrent) {
		int64_t on = active_run(ws, p->name, 0, err);
		if (on < 0)
			goto fail;
		if (on > 0) {
			if (active)
				*active = on;
			busy_error(ws, p->name, on, "no second run starts", err);
			goto fail;
		}
	}
	char host[256] = "";
	proc_host_name(host, sizeof host);
	if (ws_prepare(ws, "INSERT INTO pipeline_runs(pipeline, state, text, params, jobs, retries,"
			   " no_cache, user, created, pid, proc_start, host)"
			   " VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       &st, err) < 0)
		goto fail;
	/* the creator's process until a job or the run's own takes over */
	db_bind_int64(st, 9, getpid());
	db_bind_int64(st, 10, proc_start_time(getpid()));
	db_bind_text(st, 11, host, -1, DB_TRANSIENT);
	db_bind_text(st, 1, p->name, -1, DB_TRANSIENT);
	db_bind_text(st, 2, p->text, -1, DB_TRANSIENT);
	db_bind_text(st, 3, vtext, -1, DB_TRANSIENT);
	db_bind_int(st, 4, o->jobs);
	db_bind_int(st, 5, o->retries);
	db_bind_int(st, 6, o->no_cache);
	db_bind_text(st, 7, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 8, now, -1, DB_TRANSIENT);
	if (db_step(st) != DB_DONE) {
		pm_errf(err, "cannot record the run: %s", ws_errmsg(ws));
		goto fail;
	}
	db_finalize(st);
	*run = db_last_insert_id(ws->db);
	if (ws_prepare(ws, "INSERT INTO executions(run, step, state) VALUES (?, ?, 'waiting')", &st, err) < 0)
		goto fail;
	for (size_t i = 0; i < p->nsteps; i++) {
		db_reset(st);
		db_bind_int64(st, 1, *run);
		db_bind_text(st, 2, p->steps[i].name, -1, DB_TRANSIENT);
		if (db_step(st) != DB_DONE) {
			pm_errf(err, "cannot record the run's steps: %s", ws_errmsg(ws));
			goto fail;
		}
	}
	db_finalize(st);
	free(vtext);
	return ws_commit(ws, err);
fail:
	db_finalize(st);
	ws_rollback(ws);
	free(vtext);
	return -1;
}

static json_t *col_json(struct db_stmt *st, int i)
{
	const char *t = (const char *)db_column_text(st, i);
	json_t *j = t ? json_loads(t, 0, NULL) : NULL;
	return j ? j : json_null();
}

static json_t *col_str(struct db_stmt *st, int i)
{
	const char *t = (const char *)db_column_text(st, i);
	return t ? json_string(t) : json_null();
}

static int steps_json(struct workspace *ws, int64_t run, bool detail, json_t *counts, json_t **out,
		      struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT id, step, state, command, cache_key, cached_from, inputs, outputs,"
			   " result, log, exit_status, attempts, message, started, finished, seconds"
			   " FROM executions WHERE run = ? ORDER BY id",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, run);
	json_t *arr = json_array();
	while (db_step(st) == DB_ROW) {
		json_t *j = json_object();
		const char *state = (const char *)db_column_text(st, 2);
		json_object_set_new(j, "execution", json_integer(db_column_int64(st, 0)));
		json_object_set_new(j, "step", col_str(st, 1));
		json_object_set_new(j, "state", json_string(state));
		json_object_set_new(j, "command", col_str(st, 3));
		json_object_set_new(j, "seconds", db_column_type(st, 15) == DB_NULL
							 ? json_null() : json_real(db_column_double(st, 15)));
		json_object_set_new(j, "attempts", json_integer(db_column_int64(st, 11)));
		json_object_set_new(j, "cached_from", db_column_type(st, 5) == DB_NULL
							     ? json_null() : json_integer(db_column_int64(st, 5)));
		json_object_set_new(j, "message", col_str(st, 12));
		json_object_set_new(j, "inputs", col_json(st, 6));
		json_object_set_new(j, "outputs", col_json(st, 7));
		if (detail) {
			json_object_set_new(j, "cache_key", col_str(st, 4));
			json_object_set_new(j, "exit_status", db_column_type(st, 10) == DB_NULL
								      ? json_null() : json_integer(db_column_int64(st, 10)));
			json_object_set_new(j, "started", col_str(st, 13));
			json_object_set_new(j, "finished", col_str(st, 14));
			json_object_set_new(j, "result", col_json(st, 8));
			json_object_set_new(j, "log", col_str(st, 9));
		}
		json_array_append_new(arr, j);
		json_int_t c = json_integer_value(json_object_get(counts, state));
		json_object_set_new(counts, state, json_integer(c + 1));
	}
	db_finalize(st);
	*out = arr;
	return 0;
}

#define RUN_COLS "id, pipeline, state, params, jobs, retries, no_cache, job, pid, failed_step," \
		 " message, user, created, started, finished, seconds, text"

/* Each step's "after" from the definition the run runs (not the one
 * loaded since), for what draws the run's DAG. */
static void steps_after(json_t *steps, const char *text, const char *name)
{
	struct pipeline *p;
	struct pm_err e;
	char *label = xasprintf("pipeline %s", name);
	int rc = text ? pipeline_parse(text, label, &p, &e) : -1;
	free(label);
	if (rc < 0)
		return;
	size_t i;
	json_t *st;
	json_array_foreach(steps, i, st) {
		const struct pl_step *ps = pipeline_step(p, json_string_value(json_object_get(st, "step")));
		json_t *after = json_array();
		for (size_t k = 0; ps && k < ps->nafter; k++)
			json_array_append_new(after, json_string(ps->after[k]));
		json_object_set_new(st, "after", after);
	}
	pipeline_free(p);
}

int pipeline_run_get(struct workspace *ws, int64_t run, bool detail, json_t **out,
		     struct pm_err *err)
{
	reap(ws, run);
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT " RUN_COLS " FROM pipeline_runs WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, run);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no pipeline run %lld (see `pipeline runs`)", (long long)run);
	}
	json_t *j = json_object();
	json_object_set_new(j, "run", json_integer(db_column_int64(st, 0)));
	json_object_set_new(j, "pipeline", col_str(st, 1));
	json_object_set_new(j, "state", col_str(st, 2));
	json_object_set_new(j, "params", col_json(st, 3));
	json_object_set_new(j, "jobs", json_integer(db_column_int64(st, 4)));
	json_object_set_new(j, "retries", json_integer(db_column_int64(st, 5)));
	json_object_set_new(j, "no_cache", json_boolean(db_column_int(st, 6)));
	json_object_set_new(j, "job", db_column_type(st, 7) == DB_NULL ? json_null()
				      : json_integer(db_column_int64(st, 7)));
	json_object_set_new(j, "pid", db_column_type(st, 8) == DB_NULL ? json_null()
				      : json_integer(db_column_int64(st, 8)));
	json_object_set_new(j, "failed_step", col_str(st, 9));
	json_object_set_new(j, "message", col_str(st, 10));
	json_object_set_new(j, "user", col_str(st, 11));
	json_object_set_new(j, "created", col_str(st, 12));
	json_object_set_new(j, "started", col_str(st, 13));
	json_object_set_new(j, "finished", col_str(st, 14));
	json_object_set_new(j, "seconds", db_column_type(st, 15) == DB_NULL
						 ? json_null() : json_real(db_column_double(st, 15)));
	char *text = db_column_text(st, 16) ? xstrdup((const char *)db_column_text(st, 16)) : NULL;
	db_finalize(st);
	json_t *counts = json_object(), *steps;
	if (steps_json(ws, run, detail, counts, &steps, err) < 0) {
		free(text);
		json_decref(counts);
		json_decref(j);
		return -1;
	}
	steps_after(steps, text, json_string_value(json_object_get(j, "pipeline")));
	free(text);
	json_object_set_new(j, "counts", counts);
	json_object_set_new(j, "steps", steps);
	*out = j;
	return 0;
}

int pipeline_runs(struct workspace *ws, const char *pipeline, json_t **out, struct pm_err *err)
{
	int64_t *ids;
	size_t n;
	if (ws_ids(ws, pipeline ? "SELECT id FROM pipeline_runs WHERE pipeline = ? ORDER BY id DESC"
				: "SELECT id FROM pipeline_runs ORDER BY id DESC",
		   pipeline, &ids, &n, err) < 0)
		return -1;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *r;
		if (pipeline_run_get(ws, ids[i], false, &r, err) < 0) {
			free(ids);
			json_decref(arr);
			return -1;
		}
		json_array_append_new(arr, r);
	}
	free(ids);
	*out = json_pack("{s:o}", "runs", arr);
	return 0;
}

int pipeline_run_set_job(struct workspace *ws, int64_t run, int64_t job, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "UPDATE pipeline_runs SET job = ? WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, job);
	db_bind_int64(st, 2, run);
	int rc = db_step(st) == DB_DONE ? 0 : pm_errf(err, "cannot record the job of run %lld: %s",
							      (long long)run, ws_errmsg(ws));
	db_finalize(st);
	return rc;
}

int pipeline_run_set_pid(struct workspace *ws, int64_t run, int64_t pid, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "UPDATE pipeline_runs SET pid = ?, proc_start = ? WHERE id = ? AND state IN ('queued', 'running')",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, pid);
	db_bind_int64(st, 2, proc_start_time(pid));
	db_bind_int64(st, 3, run);
	int rc = db_step(st) == DB_DONE ? 0 : pm_errf(err, "cannot record the process of run %lld: %s",
							      (long long)run, db_errmsg(ws->db));
	db_finalize(st);
	return rc;
}

int pipeline_run_claim(struct workspace *ws, int64_t run, bool concurrent, bool owner, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT pipeline, state, pid FROM pipeline_runs WHERE id = ?", &st, err) < 0)
		goto fail;
	db_bind_int64(st, 1, run);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		pm_errcf(err, PM_E_NOTFOUND, "no pipeline run %lld (see `pipeline runs`)", (long long)run);
		goto fail;
	}
	char *pipeline = xstrdup((const char *)db_column_text(st, 0));
	char *state = xstrdup((const char *)db_column_text(st, 1));
	int64_t pid = db_column_int64(st, 2);
	db_finalize(st);
	int rc = 0;
	bool queued = strcmp(state, "queued") == 0;
	if (strcmp(state, "done") == 0) {
		rc = pm_errcf(err, PM_E_USAGE, "run %lld is done: nothing to resume", (long long)run);
	} else if (pid != getpid() && !owner && run_alive(ws, run)) {
		rc = pm_errcf(err, PM_E_USAGE, "run %lld is %s (pid %lld)", (long long)run, state, (long long)pid);
	} else if (!queued && !concurrent) {
		/* a queued run claimed its turn when it was created */
		int64_t on = active_run(ws, pipeline, run, err);
		if (on < 0)
			rc = -1;
		else if (on > 0) {
			char *what = xasprintf("run %lld is not resumed", (long long)run);
			rc = busy_error(ws, pipeline, on, what, err);
			free(what);
		}
	}
	if (rc == 0) {
		char host[256] = "";
		proc_host_name(host, sizeof host);
		if (ws_prepare(ws, "UPDATE pipeline_runs SET state = 'running', pid = ?, proc_start = ?, host = ?"
				   " WHERE id = ?",
			       &st, err) < 0) {
			rc = -1;
		} else {
			db_bind_int64(st, 1, getpid());
			db_bind_int64(st, 2, proc_start_time(getpid()));
			db_bind_text(st, 3, host, -1, DB_TRANSIENT);
			db_bind_int64(st, 4, run);
			if (db_step(st) != DB_DONE)
				rc = pm_errf(err, "cannot start run %lld: %s", (long long)run, db_errmsg(ws->db));
			db_finalize(st);
		}
	}
	free(pipeline);
	free(state);
	if (rc < 0)
		goto fail;
	return ws_commit(ws, err);
fail:
	ws_rollback(ws);
	return -1;
}

int64_t pipeline_run_job(struct workspace *ws, int64_t run)
{
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(ws, "SELECT job FROM pipeline_runs WHERE id = ?", &st, &e) < 0)
		return 0;
	db_bind_int64(st, 1, run);
	int64_t job = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	return job;
}
