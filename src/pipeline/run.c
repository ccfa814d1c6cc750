/* Running a pipeline's DAG.  Each step is a child process of the prodml
 * program, `prodml -q -W WS -o json -c COMMAND`, so a step does exactly
 * what the command does at the prompt and a crash in one step cannot take
 * the run down; up to `jobs` steps run at once.  Before a step starts, its
 * inputs are fingerprinted: a done execution with the same cache key whose
 * outputs are still what it wrote makes the step cached instead.  Every
 * change of a step's state is written to its executions row at once, so a
 * run killed at any moment can be resumed from what the table says. */
#include "pipeline.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum st { S_WAITING, S_RUNNING, S_CACHED, S_DONE, S_FAILED, S_SKIPPED };
static const char *const st_names[] = {"waiting", "running", "cached", "done", "failed", "skipped"};

struct step_rt {
	enum st state;
	const char *blocked_by; /* the failed step it waits on */
	int64_t exec;          /* executions.id */
	pid_t pid;
	int attempts, max_attempts;
	double t0, seconds;
	char *command, *message, *log;
	struct pl_io *io;
	size_t nio;
	struct pl_fp *in, *out;
	size_t nin, nout;
	char key[65];
	int64_t cached_from;
	int exit_status;       /* -1: none */
	json_t *result;
	char started[40], finished[40];
};

struct runner {
	struct workspace *ws;
	const struct pl_hooks *h;
	struct pipeline *p;
	int64_t run;
	json_t *values;
	int jobs, retries;
	bool no_cache;
	size_t *order;
	struct step_rt *rt;
	int running;
	char *logdir;
	double t0;
};

static json_t *fps_json(const struct pl_fp *f, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:o}", "kind", pl_kind_name(f[i].kind), "name",
						   f[i].name, "fingerprint",
						   f[i].fp ? json_string(f[i].fp) : json_null()));
	return a;
}

static char *dump(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
}

static char *fps_text(const struct pl_fp *f, size_t n)
{
	json_t *j = fps_json(f, n);
	char *t = dump(j);
	json_decref(j);
	return t;
}

static void bind_text_own(struct db_stmt *st, int i, char *s)
{
	if (s)
		db_bind_text(st, i, s, -1, free);
	else
		db_bind_null(st, i);
}

/* Writes a step's row as it stands. */
static int save_step(struct runner *r, size_t i, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	struct db_stmt *st;
	if (ws_prepare(r->ws, "UPDATE executions SET state = ?, command = ?, cache_key = ?, cached_from = ?,"
			      " inputs = ?, outputs = ?, result = ?, log = ?, exit_status = ?, attempts = ?,"
			      " message = ?, pid = ?, proc_start = ?, started = ?, finished = ?, seconds = ?"
			      " WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, st_names[s->state], -1, DB_STATIC);
	bind_text_own(st, 2, s->command ? xstrdup(s->command) : NULL);
	bind_text_own(st, 3, s->key[0] ? xstrdup(s->key) : NULL);
	if (s->cached_from > 0)
		db_bind_int64(st, 4, s->cached_from);
	bind_text_own(st, 5, s->command ? fps_text(s->in, s->nin) : NULL);
	bind_text_own(st, 6, s->nout || s->state == S_DONE || s->state == S_CACHED ? fps_text(s->out, s->nout) : NULL);
	bind_text_own(st, 7, dump(s->result));
	bind_text_own(st, 8, s->log ? xstrdup(s->log) : NULL);
	if (s->exit_status >= 0)
		db_bind_int(st, 9, s->exit_status);
	db_bind_int(st, 10, s->attempts);
	bind_text_own(st, 11, s->message ? xstrdup(s->message) : NULL);
	if (s->pid > 0) {
		db_bind_int64(st, 12, s->pid);
		db_bind_int64(st, 13, proc_start_time(s->pid));
	}
	if (s->started[0])
		db_bind_text(st, 14, s->started, -1, DB_TRANSIENT);
	if (s->finished[0])
		db_bind_text(st, 15, s->finished, -1, DB_TRANSIENT);
	if (s->state == S_DONE || s->state == S_FAILED || s->state == S_CACHED)
		db_bind_double(st, 16, s->seconds);
	db_bind_int64(st, 17, s->exec);
	int rc = db_step(st) == DB_DONE ? 0
		 : pm_errf(err, "cannot record step %s: %s", r->p->steps[i].name, ws_errmsg(r->ws));
	db_finalize(st);
	return rc;
}

static void set_message(struct step_rt *s, char *msg)
{
	free(s->message);
	s->message = msg;
}

static void finish(struct step_rt *s, enum st state)
{
	s->state = state;
	ts_now_iso(s->finished, sizeof s->finished);
	if (s->t0 > 0)
		s->seconds = now_seconds() - s->t0;
}

/* ---- preparing a step: command, inputs, cache key -------------------------------- */
/* {step: result} of the steps done so far, for ${STEP.FIELD} and `when`. */
static json_t *upstream_results(struct runner *r)
{
	json_t *o = json_object();
	for (size_t i = 0; i < r->p->nsteps; i++)
		if (r->rt[i].result)
			json_object_set(o, r->p->steps[i].name, r->rt[i].result);
	return o;
}

static int prepare(struct runner *r, size_t i, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	const struct pl_step *ps = &r->p->steps[i];
	char *where = xasprintf("step %s", ps->name);
	json_t *results = upstream_results(r);
	int rc = pipeline_subst(ps->command, r->values, results, where, &s->command, err);
	json_decref(results);
	free(where);
	if (rc < 0 || r->h->io(r->h->ctx, s->command, &s->io, &s->nio, err) < 0)
		return -1;
	s->in = xcalloc(s->nio + 1, sizeof *s->in);
	for (size_t k = 0; k < s->nio; k++) {
		if (s->io[k].writes)
			continue;
		if (pipeline_fingerprint(r->ws, &s->io[k], &s->in[s->nin], err) < 0)
			return -1;
		s->nin++;
	}
	pipeline_cache_key(s->command, PACKAGE_VERSION, s->in, s->nin, s->key);
	return 0;
}

/* Outputs recorded as JSON are still what the workspace holds. */
static bool outputs_current(struct runner *r, json_t *outs)
{
	size_t k;
	json_t *o;
	json_array_foreach(outs, k, o) {
		const char *kind = json_string_value(json_object_get(o, "kind"));
		const char *fp = json_string_value(json_object_get(o, "fingerprint"));
		struct pl_io io = {.name = (char *)json_string_value(json_object_get(o, "name"))};
		for (int kk = PL_DATASET; kk <= PL_FILE; kk++)
			if (kind && strcmp(kind, pl_kind_name((enum pl_kind)kk)) == 0)
				io.kind = (enum pl_kind)kk;
		struct pl_fp now;
		struct pm_err e;
		if (!io.name || !fp || pipeline_fingerprint(r->ws, &io, &now, &e) < 0)
			return false;
		bool same = now.fp && strcmp(now.fp, fp) == 0;
		pl_fp_free(&now, 1);
		if (!same)
			return false;
	}
	return true;
}

/* 1 when an earlier execution can stand for this one. */
static int cache_lookup(struct runner *r, size_t i, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	struct db_stmt *st;
	if (ws_prepare(r->ws, "SELECT id, outputs, result FROM executions WHERE cache_key = ? AND"
			      " state = 'done' AND id != ? ORDER BY id DESC LIMIT 1",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, s->key, -1, DB_STATIC);
	db_bind_int64(st, 2, s->exec);
	int hit = 0;
	if (db_step(st) == DB_ROW) {
		const char *ot = (const char *)db_column_text(st, 1);
		const char *rt = (const char *)db_column_text(st, 2);
		json_t *outs = ot ? json_loads(ot, 0, NULL) : json_array();
		if (outs && outputs_current(r, outs)) {
			hit = 1;
			s->cached_from = db_column_int64(st, 0);
			s->result = rt ? json_loads(rt, 0, NULL) : NULL;
			size_t k;
			json_t *o;
			s->out = xcalloc(json_array_size(outs) + 1, sizeof *s->out);
			json_array_foreach(outs, k, o) {
				const char *kind = json_string_value(json_object_get(o, "kind"));
				struct pl_fp *f = &s->out[s->nout++];
				f->kind = PL_DATASET;
				for (int kk = PL_DATASET; kk <= PL_FILE; kk++)
					if (strcmp(kind, pl_kind_name((enum pl_kind)kk)) == 0)
						f->kind = (enum pl_kind)kk;
				f->name = xstrdup(json_string_value(json_object_get(o, "name")));
				f->fp = xstrdup(json_string_value(json_object_get(o, "fingerprint")));
			}
		}
		json_decref(outs);
	}
	db_finalize(st);
	return hit;
}

/* ---- child processes ---------------------------------------------------------------- */
static char *out_path(struct runner *r, size_t i, const char *ext)
{
	return xasprintf("%s/%lld.%s", r->logdir, (long long)r->rt[i].exec, ext);
}

static int spawn(struct runner *r, size_t i, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	char *o = out_path(r, i, "out"), *e = out_path(r, i, "err");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *argv[] = {(char *)"prodml", (char *)"-q", (char *)"-W", r->ws->dir, (char *)"-o",
			(char *)"json", (char *)"-c", s->command, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, r->h->exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(o);
	free(e);
	if (rc != 0)
		return pm_errf(err, "step %s: cannot run %s: %s", r->p->steps[i].name, r->h->exe, strerror(rc));
	s->pid = pid;
	s->attempts++;
	s->state = S_RUNNING;
	if (s->attempts == 1) {
		s->t0 = now_seconds();
		ts_now_iso(s->started, sizeof s->started);
	}
	r->running++;
	return save_step(r, i, err);
}

static char *read_and_remove(const char *path)
{
	char *data = NULL;
	size_t len;
	struct pm_err e;
	if (fs_read_all(path, &data, &len, &e) < 0)
		data = xstrdup("");
	unlink(path);
	return data;
}

/* The last line of text that is not empty, without the "-c:1: " the
 * script runner puts before a command's error. */
static char *last_line(const char *text)
{
	const char *end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *st = end;
	while (st > text && st[-1] != '\n')
		st--;
	if (str_prefix(st, "-c:1: "))
		st += 6;
	return xstrndup(st, (size_t)(end - st));
}

static int outputs_after(struct runner *r, size_t i, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	s->out = xcalloc(s->nio + 1, sizeof *s->out);
	for (size_t k = 0; k < s->nio; k++) {
		if (!s->io[k].writes)
			continue;
		if (pipeline_fingerprint(r->ws, &s->io[k], &s->out[s->nout], err) < 0)
			return -1;
		if (!s->out[s->nout].fp) { /* declared but not written (an option not given) */
			pl_fp_free(&s->out[s->nout], 1);
			continue;
		}
		s->nout++;
	}
	return 0;
}

static int reaped(struct runner *r, size_t i, int status, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	r->running--;
	char *o = out_path(r, i, "out"), *e = out_path(r, i, "err");
	char *out = read_and_remove(o), *errs = read_and_remove(e);
	free(o);
	free(e);
	struct sbuf log = {0};
	if (s->log) {
		sbuf_puts(&log, s->log);
		sbuf_printf(&log, "--- attempt %d\n", s->attempts);
	}
	sbuf_puts(&log, out);
	sbuf_puts(&log, errs);
	free(s->log);
	s->log = sbuf_steal(&log);
	s->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	int rc = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		char *line = last_line(out);
		json_decref(s->result);
		s->result = *line ? json_loads(line, 0, NULL) : NULL;
		free(line);
		finish(s, S_DONE);
		set_message(s, NULL);
		rc = outputs_after(r, i, err);
		if (rc == 0)
			rc = lineage_record(r->ws, s->exec, s->in, s->nin, s->out, s->nout, err);
	} else {
		char *why = WIFSIGNALED(status) ? xasprintf("killed by signal %d", WTERMSIG(status))
						: last_line(errs);
		if (!*why) {
			free(why);
			why = xasprintf("exit status %d", s->exit_status);
		}
		set_message(s, why);
		if (s->attempts < s->max_attempts && !(r->h->cancel && *r->h->cancel)) {
			free(out);
			free(errs);
			s->state = S_WAITING;
			return spawn(r, i, err);
		}
		finish(s, S_FAILED);
	}
	free(out);
	free(errs);
	if (save_step(r, i, err) < 0)
		rc = -1;
	return rc;
}

static int wait_one(struct runner *r, struct pm_err *err)
{
	int status;
	pid_t pid;
	do
		pid = waitpid(-1, &status, 0);
	while (pid < 0 && errno == EINTR && !(r->h->cancel && *r->h->cancel));
	if (pid < 0) {
		if (errno == EINTR)
			return 0;
		return pm_errf(err, "waiting for the steps: %s", strerror(errno));
	}
	for (size_t i = 0; i < r->p->nsteps; i++)
		if (r->rt[i].state == S_RUNNING && r->rt[i].pid == pid)
			return reaped(r, i, status, err);
	return 0; /* not one of ours */
}

/* ---- scheduling ---------------------------------------------------------------------- */
/* Moves step i on if it can; true when its state changed. */
static int advance(struct runner *r, size_t i, bool *changed, struct pm_err *err)
{
	struct step_rt *s = &r->rt[i];
	const struct pl_step *ps = &r->p->steps[i];
	if (s->state != S_WAITING || s->blocked_by)
		return 0;
	for (size_t k = 0; k < ps->nafter; k++) {
		struct step_rt *d = &r->rt[ps->deps[k]];
		if (d->state == S_FAILED || d->blocked_by) {
			s->blocked_by = d->blocked_by ? d->blocked_by : r->p->steps[ps->deps[k]].name;
			set_message(s, xasprintf("not run: step %s failed", s->blocked_by));
			*changed = true;
			return save_step(r, i, err);
		}
	}
	/* skipped only once every upstream step has settled: a skipped one
	 * beside one still to run (that may fail) would make the verdict
	 * depend on the order the steps are looked at */
	const char *skipped_with = NULL;
	for (size_t k = 0; k < ps->nafter; k++) {
		struct step_rt *d = &r->rt[ps->deps[k]];
		if (d->state == S_SKIPPED) {
			if (!skipped_with)
				skipped_with = r->p->steps[ps->deps[k]].name;
			continue;
		}
		if (d->state != S_DONE && d->state != S_CACHED)
			return 0;
	}
	if (skipped_with) {
		finish(s, S_SKIPPED);
		set_message(s, xasprintf("skipped with step %s", skipped_with));
		*changed = true;
		return save_step(r, i, err);
	}
	if (r->running >= r->jobs)
		return 0;
	*changed = true;
	struct pm_err e = {0};
	if (ps->when) {
		json_t *results = upstream_results(r);
		int t = pipeline_when(ps->when, r->values, results, &e);
		json_decref(results);
		if (t <= 0) {
			finish(s, t == 0 ? S_SKIPPED : S_FAILED);
			set_message(s, t == 0 ? xasprintf("when %s: false", ps->when->text) : xstrdup(e.msg));
			return save_step(r, i, err);
		}
	}
	if (prepare(r, i, &e) < 0) {
		finish(s, S_FAILED);
		set_message(s, xstrdup(e.msg));
		return save_step(r, i, err);
	}
	if (!r->no_cache) {
		int hit = cache_lookup(r, i, err);
		if (hit < 0)
			return -1;
		if (hit) {
			s->t0 = now_seconds();
			ts_now_iso(s->started, sizeof s->started);
			finish(s, S_CACHED);
			set_message(s, xasprintf("outputs of execution %lld", (long long)s->cached_from));
			return save_step(r, i, err);
		}
	}
	s->max_attempts = 1 + (ps->retries >= 0 ? ps->retries : r->retries);
	if (spawn(r, i, &e) < 0) {
		finish(s, S_FAILED);
		set_message(s, xstrdup(e.msg));
		return save_step(r, i, err);
	}
	return 0;
}

static void stop_children(struct runner *r)
{
	for (size_t i = 0; i < r->p->nsteps; i++)
		if (r->rt[i].state == S_RUNNING && r->rt[i].pid > 0)
			kill(r->rt[i].pid, SIGTERM);
}

static int schedule(struct runner *r, struct pm_err *err)
{
	for (;;) {
		bool cancelled = r->h->cancel && *r->h->cancel;
		bool changed = !cancelled;
		while (changed) {
			changed = false;
			for (size_t k = 0; k < r->p->nsteps; k++)
				if (advance(r, r->order[k], &changed, err) < 0) {
					stop_children(r);
					return -1;
				}
		}
		if (cancelled)
			stop_children(r);
		if (r->running == 0)
			return 0;
		if (wait_one(r, err) < 0)
			return -1;
	}
}

/* ---- loading and finishing a run --------------------------------------------------------- */
static int run_set(struct runner *r, const char *sql, const char *a, const char *b, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(r->ws, sql, &st, err) < 0)
		return -1;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (a)
		db_bind_text(st, 1, a, -1, DB_TRANSIENT);
	if (b)
		db_bind_text(st, 2, b, -1, DB_TRANSIENT);
	db_bind_text(st, 3, now, -1, DB_TRANSIENT);
	db_bind_int64(st, 4, r->run);
	db_bind_double(st, 5, now_seconds() - r->t0);
	int rc = db_step(st) == DB_DONE ? 0 : pm_errf(err, "cannot update run %lld: %s",
							      (long long)r->run, ws_errmsg(r->ws));
	db_finalize(st);
	return rc;
}

static int mark_running(struct runner *r, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(r->ws, "UPDATE pipeline_runs SET state = 'running', pid = ?, proc_start = ?,"
			      " host = ?, started = COALESCE(started, ?4), finished = NULL, message = NULL,"
			      " failed_step = NULL WHERE id = ?",
		       &st, err) < 0)
		return -1;
	char host[256] = "", now[40];
	proc_host_name(host, sizeof host);
	ts_now_iso(now, sizeof now);
	db_bind_int64(st, 1, getpid());
	db_bind_int64(st, 2, proc_start_time(getpid()));
	db_bind_text(st, 3, host, -1, DB_TRANSIENT);
	db_bind_text(st, 4, now, -1, DB_TRANSIENT);
	db_bind_int64(st, 5, r->run);
	int rc = db_step(st) == DB_DONE ? 0 : pm_errf(err, "cannot start run %lld: %s",
							      (long long)r->run, ws_errmsg(r->ws));
	db_finalize(st);
	return rc;
}

/* An executions row of a killed run may name a step process that outlived
 * it: end that process before the step runs again. */
static void end_stray(int64_t pid, int64_t start)
{
	if (pid <= 0 || !proc_alive(pid) || (start > 0 && proc_start_time(pid) != start))
		return;
	kill((pid_t)pid, SIGKILL);
	for (int i = 0; i < 100 && proc_alive(pid); i++)
		usleep(10000);
}

static int load_steps(struct runner *r, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(r->ws, "SELECT id, step, state, result, pid, proc_start FROM executions WHERE run = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, r->run);
	while (db_step(st) == DB_ROW) {
		const struct pl_step *ps = pipeline_step(r->p, (const char *)db_column_text(st, 1));
		if (!ps)
			continue;
		struct step_rt *s = &r->rt[ps - r->p->steps];
		s->exec = db_column_int64(st, 0);
		const char *state = (const char *)db_column_text(st, 2);
		if (strcmp(state, "done") == 0 || strcmp(state, "cached") == 0 || strcmp(state, "skipped") == 0) {
			s->state = state[0] == 'd' ? S_DONE : state[0] == 'c' ? S_CACHED : S_SKIPPED;
			const char *res = (const char *)db_column_text(st, 3);
			s->result = res ? json_loads(res, 0, NULL) : NULL;
			continue;
		}
		if (strcmp(state, "running") == 0 || strcmp(state, "failed") == 0)
			end_stray(db_column_int64(st, 4), db_column_int64(st, 5));
		s->state = S_WAITING;
	}
	db_finalize(st);
	for (size_t i = 0; i < r->p->nsteps; i++) {
		struct step_rt *s = &r->rt[i];
		if (!s->exec)
			return pm_errf(err, "run %lld has no record of step %s", (long long)r->run,
				       r->p->steps[i].name);
		/* a step that runs again starts from a clean row */
		if (s->state == S_WAITING && save_step(r, i, err) < 0)
			return -1;
	}
	return 0;
}

static int open_run(struct runner *r, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(r->ws, "SELECT pipeline, state, text, params, jobs, retries, no_cache, pid,"
			      " proc_start FROM pipeline_runs WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, r->run);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no pipeline run %lld (see `pipeline runs`)", (long long)r->run);
	}
	const char *state = (const char *)db_column_text(st, 1);
	int64_t pid = db_column_int64(st, 7);
	int rc = 0;
	if (strcmp(state, "done") == 0)
		rc = pm_errcf(err, PM_E_USAGE, "run %lld is done: nothing to resume", (long long)r->run);
	else if (strcmp(state, "running") == 0 && pid != getpid() &&
		 proc_alive(pid) && proc_start_time(pid) == db_column_int64(st, 8))
		rc = pm_errcf(err, PM_E_USAGE, "run %lld is running (pid %lld)", (long long)r->run, (long long)pid);
	if (rc == 0) {
		char *label = xasprintf("pipeline %s", (const char *)db_column_text(st, 0));
		rc = pipeline_parse((const char *)db_column_text(st, 2), label, &r->p, err);
		free(label);
		const char *v = (const char *)db_column_text(st, 3);
		r->values = v ? json_loads(v, 0, NULL) : NULL;
		if (!r->values)
			r->values = json_object();
		r->jobs = db_column_int(st, 4) > 0 ? db_column_int(st, 4) : 1;
		r->retries = db_column_int(st, 5);
		r->no_cache = db_column_int(st, 6);
	}
	db_finalize(st);
	return rc;
}

static void runner_free(struct runner *r)
{
	for (size_t i = 0; r->rt && i < r->p->nsteps; i++) {
		struct step_rt *s = &r->rt[i];
		free(s->command);
		free(s->message);
		free(s->log);
		pl_io_free(s->io, s->nio);
		pl_fp_free(s->in, s->nin);
		free(s->in);
		pl_fp_free(s->out, s->nout);
		free(s->out);
		json_decref(s->result);
	}
	free(r->rt);
	free(r->order);
	free(r->logdir);
	json_decref(r->values);
	pipeline_free(r->p);
}

/* the end of a run's UPDATE: ?3 now, ?4 the run, ?5 seconds of this execute */
#define ENDED " finished = ?3, seconds = COALESCE(seconds, 0) + ?5 WHERE id = ?4"

int pipeline_run_execute(struct workspace *ws, int64_t run, const struct pl_hooks *h,
			 struct pm_err *err)
{
	struct runner r = {.ws = ws, .h = h, .run = run, .t0 = now_seconds()};
	int rc = open_run(&r, err);
	if (rc < 0) {
		runner_free(&r);
		return -1;
	}
	r.rt = xcalloc(r.p->nsteps, sizeof *r.rt);
	for (size_t i = 0; i < r.p->nsteps; i++)
		r.rt[i].exit_status = -1;
	r.order = xcalloc(r.p->nsteps + 1, sizeof *r.order);
	r.logdir = path_join(ws->dir, "pipelines");
	if (pipeline_order(r.p, r.order, err) < 0 || fs_mkdir_p(r.logdir, err) < 0 ||
	    mark_running(&r, err) < 0 || load_steps(&r, err) < 0) {
		runner_free(&r);
		return -1;
	}
	rc = schedule(&r, err);
	const char *failed = NULL, *why = NULL;
	for (size_t k = 0; k < r.p->nsteps && !failed; k++)
		if (r.rt[r.order[k]].state == S_FAILED) {
			failed = r.p->steps[r.order[k]].name;
			why = r.rt[r.order[k]].message;
		}
	bool cancelled = h->cancel && *h->cancel;
	struct pm_err e2 = {0};
	if (rc < 0) {
		run_set(&r, "UPDATE pipeline_runs SET state = 'failed', message = ?1," ENDED, err->msg, NULL, &e2);
	} else if (failed) {
		char *msg = xasprintf("step %s failed: %s", failed, why ? why : "no message");
		run_set(&r, "UPDATE pipeline_runs SET state = 'failed', message = ?1, failed_step = ?2," ENDED,
			msg, failed, &e2);
		rc = pm_errcf(err, cancelled ? PM_E_CANCEL : PM_E_FAIL, "pipeline %s run %lld: %s", r.p->name,
			      (long long)run, msg);
		free(msg);
	} else {
		run_set(&r, "UPDATE pipeline_runs SET state = 'done'," ENDED, NULL, NULL, &e2);
	}
	runner_free(&r);
	return rc;
}
