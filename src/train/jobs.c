/* Background jobs.  `train --detach` creates a run and a job, then forks;
 * the child starts a new session (setsid: no terminal, no SIGINT from the
 * REPL), forks again so no zombie is left behind, and execs this program
 * as `prodml -W WS -q -o json job exec ID`.  The exec gives the job a fresh
 * process: no database handle, thread or lock of the parent survives into
 * it.  The job writes its progress, result and errors to the jobs table and
 * its output to WS/jobs/ID.log; `job cancel` sets a flag that the job polls,
 * and kills the process group when the job does not stop in time. */
#include "train.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const terminal_states[] = {"done", "failed", "cancelled"};

static bool is_terminal(const char *state)
{
	for (size_t i = 0; i < PM_ARRAY_LEN(terminal_states); i++)
		if (state && strcmp(state, terminal_states[i]) == 0)
			return true;
	return false;
}

bool job_state_ended(const char *state)
{
	return is_terminal(state);
}

static bool pid_alive(int64_t pid)
{
	/* a zombie child of ours counts as gone */
	int status;
	if (pid > 0 && waitpid((pid_t)pid, &status, WNOHANG) == (pid_t)pid)
		return false;
	return proc_alive(pid);
}

int job_create(struct workspace *ws, const char *kind, const char *command, int64_t run,
	       int64_t *job, struct pm_err *err)
{
	struct db_stmt *st;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "INSERT INTO jobs(kind, state, command, run, user, created, updated)"
			   " VALUES (?, 'queued', ?, ?, ?, ?, ?5)",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, kind, -1, DB_TRANSIENT);
	db_bind_text(st, 2, command, -1, DB_TRANSIENT);
	if (run > 0) /* a job of another kind than train has no training run */
		db_bind_int64(st, 3, run);
	db_bind_text(st, 4, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 5, now, -1, DB_TRANSIENT);
	int rc = 0;
	if (db_step(st) == DB_DONE)
		*job = db_last_insert_id(ws->db);
	else
		rc = pm_errf(err, "cannot record the job: %s", ws_errmsg(ws));
	db_finalize(st);
	return rc;
}

static int job_update(struct workspace *ws, int64_t job, const char *set, const char *a,
		      const char *b, int64_t n, struct pm_err *err)
{
	char *sql = xasprintf("UPDATE jobs SET %s, updated = ?4 WHERE id = ?5", set);
	struct db_stmt *st;
	char now[40];
	ts_now_iso(now, sizeof now);
	int rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc < 0)
		return -1;
	if (a)
		db_bind_text(st, 1, a, -1, DB_TRANSIENT);
	if (b)
		db_bind_text(st, 2, b, -1, DB_TRANSIENT);
	db_bind_int64(st, 3, n);
	db_bind_text(st, 4, now, -1, DB_TRANSIENT);
	db_bind_int64(st, 5, job);
	if (db_step(st) != DB_DONE)
		rc = pm_errf(err, "cannot update job %lld: %s", (long long)job, ws_errmsg(ws));
	db_finalize(st);
	return rc;
}

int job_spawn(struct workspace *ws, int64_t job, struct pm_err *err)
{
	char idtext[32];
	snprintf(idtext, sizeof idtext, "%lld", (long long)job);
	const char *const args[] = {"job", "exec", idtext, NULL};
	return job_spawn_args(ws, job, args, err);
}

int job_spawn_args(struct workspace *ws, int64_t job, const char *const *args, struct pm_err *err)
{
	return job_spawn_pass(ws, job, args, -1, NULL, err);
}

int job_spawn_pass(struct workspace *ws, int64_t job, const char *const *args, int pass_fd,
		   const char *pass_env, struct pm_err *err)
{
	char *jdir = path_join(ws->dir, "jobs");
	if (fs_mkdir_p(jdir, err) < 0) {
		free(jdir);
		return -1;
	}
	char *log = xasprintf("%s/%lld.log", jdir, (long long)job);
	free(jdir);
	const char *head[] = {"prodml", "-W", ws->dir, "-q", "-o", "json"};
	size_t nargs = 0;
	while (args[nargs])
		nargs++;
	char **argv = xcalloc(PM_ARRAY_LEN(head) + nargs + 1, sizeof *argv);
	for (size_t i = 0; i < PM_ARRAY_LEN(head); i++)
		argv[i] = (char *)head[i];
	for (size_t i = 0; i < nargs; i++)
		argv[PM_ARRAY_LEN(head) + i] = (char *)args[i];
	struct proc_detached d = {.argv = argv, .log = log, .pass_fd = pass_fd, .pass_env = pass_env};
	int64_t pid;
	if (proc_spawn_detached(&d, &pid, err)) {
		free(log);
		free(argv);
		return pm_err_prefix(err, "cannot start the job");
	}
	/* recorded here too, so `jobs` shows the pid even before the job runs */
	int rc = job_update(ws, job, "pid = ?3, log = ?1, host = COALESCE(host, ?2)", log, NULL, pid, err);
	free(log);
	free(argv);
	return rc;
}

struct job_ctx {
	struct workspace *ws;
	int64_t job;
	double last;
	bool cancel;
	struct progress progress;
	/* the latest report, written or not: where a job that stops stopped */
	char what[200];
	char frac[32];
};

static void job_progress(void *ctx, const char *what, double done, double total)
{
	struct job_ctx *jc = ctx;
	snprintf(jc->what, sizeof jc->what, "%s", what ? what : "");
	snprintf(jc->frac, sizeof jc->frac, "%.6f", total > 0 ? done / total : 0);
	double t = now_seconds();
	/* the database is written at most twice a second */
	if (t - jc->last < 0.5 && done < total)
		return;
	jc->last = t;
	struct pm_err e;
	job_update(jc->ws, jc->job, "progress = CAST(?2 AS REAL), message = ?1", what, jc->frac, 0, &e);
}

/* A job that ends early shows the progress it had made, not its last
 * throttled write (epochs behind the "cancelled at epoch N" beside it),
 * and no ETA, which means nothing once it stopped. */
static void job_progress_final(struct job_ctx *jc)
{
	if (!jc->frac[0])
		return;
	char *eta = strstr(jc->what, " ETA ");
	if (eta)
		*eta = 0;
	struct pm_err e;
	job_update(jc->ws, jc->job, "progress = CAST(?2 AS REAL), message = ?1", jc->what, jc->frac,
		   0, &e);
}

bool job_cancel_requested(struct workspace *ws, int64_t job)
{
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(ws, "SELECT cancel FROM jobs WHERE id = ?", &st, &e) < 0)
		return false;
	db_bind_int64(st, 1, job);
	bool c = db_step(st) == DB_ROW && db_column_int(st, 0);
	db_finalize(st);
	return c;
}

static bool job_cancelled(void *ctx)
{
	struct job_ctx *jc = ctx;
	if (!jc->cancel)
		jc->cancel = job_cancel_requested(jc->ws, jc->job);
	return jc->cancel;
}

int job_start(struct workspace *ws, int64_t job, struct pm_err *err)
{
	char host[256] = "", now[40];
	proc_host_name(host, sizeof host);
	ts_now_iso(now, sizeof now);
	return job_update(ws, job, "state = 'running', pid = ?3, host = ?1, started = ?2", host, now,
			  (int64_t)getpid(), err);
}

void job_finish(struct workspace *ws, int64_t job, json_t *result, const struct pm_err *failed)
{
	struct pm_err e;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (!failed) {
		char *text = result ? json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
		job_update(ws, job, "state = 'done', progress = 1, result = ?1, finished = ?2, message = NULL",
			   text, now, 0, &e);
		free(text);
	} else {
		job_update(ws, job, failed->code == PM_E_CANCEL
				? "state = 'cancelled', error = ?1, finished = ?2"
				: "state = 'failed', error = ?1, finished = ?2",
			   failed->msg, now, 0, &e);
	}
}

int job_exec(struct workspace *ws, int64_t job, json_t **result, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT state, run, kind FROM jobs WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, job);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no job %lld", (long long)job);
	}
	char *state = xstrdup((const char *)db_column_text(st, 0));
	int64_t run = db_column_int64(st, 1);
	db_finalize(st);
	if (strcmp(state, "queued") != 0) {
		int rc = pm_errcf(err, PM_E_USAGE, "job %lld is %s, not queued", (long long)job, state);
		free(state);
		return rc;
	}
	free(state);
	if (job_start(ws, job, err) < 0)
		return -1;
	struct job_ctx jc = {.ws = ws, .job = job};
	jc.progress.report = job_progress;
	jc.progress.ctx = &jc;
	struct train_hooks h = {.progress = &jc.progress, .cancelled = job_cancelled, .ctx = &jc};
	json_t *res = NULL;
	/* a run of several workers: this process starts them (mpirun) */
	int workers = 1;
	char *hosts = NULL;
	json_t *rj = NULL;
	if (run_get(ws, run, &rj, err) == 0) {
		json_t *cj = json_object_get(rj, "config");
		json_t *w = json_object_get(cj, "workers");
		json_t *ps = json_object_get(cj, "ps");
		/* the processes: the workers and the parameter servers */
		workers = (json_is_integer(w) ? (int)json_integer_value(w) : 1) +
			  (json_is_integer(ps) ? (int)json_integer_value(ps) : 0);
		const char *hf = json_string_value(json_object_get(cj, "hosts"));
		hosts = hf ? xstrdup(hf) : NULL;
		json_decref(rj);
	}
	int rc = workers > 1 ? dist_launch(ws, run, workers, hosts, &h, &res, err)
			     : run_execute(ws, run, &h, &res, err);
	free(hosts);
	if (rc != 0)
		job_progress_final(&jc);
	job_finish(ws, job, rc == 0 ? res : NULL, rc == 0 ? NULL : err);
	if (rc == 0)
		*result = res;
	return rc;
}

#define RUN_EPOCHS "CAST(json_extract(config, '$.epochs') AS INTEGER)"

/* A job killed or dead wrote no last progress: the epochs its run recorded
 * say where it stopped. */
static void job_progress_from_run(struct workspace *ws, int64_t job)
{
	struct pm_err e;
	/* written for both databases: the epochs CAST (PostgreSQL's json_extract
	 * gives text), the message joined with || (it lacks printf) */
	job_update(ws, job,
		   "progress = COALESCE((SELECT 1.0 * epochs_done / " RUN_EPOCHS
		   " FROM runs WHERE id = jobs.run AND " RUN_EPOCHS " > 0), progress),"
		   " message = COALESCE((SELECT 'epoch ' || epochs_done || '/' || " RUN_EPOCHS
		   " FROM runs WHERE id = jobs.run AND epochs_done > 0), message)",
		   NULL, NULL, 0, &e);
}

/* A job whose process is gone while the table says it runs died (kill -9,
 * a crash, a reboot): its state says so from then on. */
static void reap_dead(struct workspace *ws, int64_t job, const char *state, int64_t pid,
		      const char *host, const char *updated)
{
	if (is_terminal(state) || pid <= 0 || !proc_host_here(host))
		return;
	if (pid_alive(pid))
		return;
	struct pm_err e;
	char now[40], msg[96];
	ts_now_iso(now, sizeof now);
	snprintf(msg, sizeof msg, "the job process (pid %lld) ended without a result", (long long)pid);
	/* only if it still runs: the state read before pid_alive may be older
	 * than the process's own last word (a job that ended cancelled or done
	 * and then exited) */
	struct db_stmt *st;
	if (ws_prepare(ws, "UPDATE jobs SET state = 'failed', error = ?1, finished = ?2, updated = ?2"
			   " WHERE id = ?3 AND state IN ('queued', 'running')",
		       &st, &e) < 0)
		return;
	db_bind_text(st, 1, msg, -1, DB_TRANSIENT);
	db_bind_text(st, 2, now, -1, DB_TRANSIENT);
	db_bind_int64(st, 3, job);
	bool reaped = db_step(st) == DB_DONE && db_changes(ws->db) > 0;
	db_finalize(st);
	if (!reaped)
		return;
	job_progress_from_run(ws, job);
	/* its run can be resumed: mark it failed too, unless it finished */
	if (ws_prepare(ws, "UPDATE runs SET state = 'failed', message = ?, finished = ? WHERE"
			   " id = (SELECT run FROM jobs WHERE id = ?) AND state IN ('queued', 'running')",
		       &st, &e) == 0) {
		db_bind_text(st, 1, msg, -1, DB_TRANSIENT);
		db_bind_text(st, 2, now, -1, DB_TRANSIENT);
		db_bind_int64(st, 3, job);
		db_step(st);
		db_finalize(st);
	}
}

#define JOB_COLS "id, kind, state, command, run, pid, host, progress, message, result, error, cancel," \
		 " log, user, created, started, finished, updated"

static json_t *job_row_json(struct db_stmt *st)
{
	json_t *j = json_object();
	json_object_set_new(j, "job", json_integer(db_column_int64(st, 0)));
	json_object_set_new(j, "kind", json_string((const char *)db_column_text(st, 1)));
	json_object_set_new(j, "state", json_string((const char *)db_column_text(st, 2)));
	json_object_set_new(j, "command", json_string((const char *)db_column_text(st, 3)));
	json_object_set_new(j, "run", db_column_type(st, 4) == DB_NULL ? json_null()
				      : json_integer(db_column_int64(st, 4)));
	json_object_set_new(j, "pid", db_column_type(st, 5) == DB_NULL ? json_null()
				      : json_integer(db_column_int64(st, 5)));
	json_object_set_new(j, "progress", json_real(db_column_double(st, 7)));
	const char *msg = (const char *)db_column_text(st, 8);
	json_object_set_new(j, "message", msg ? json_string(msg) : json_null());
	const char *res = (const char *)db_column_text(st, 9);
	json_t *rj = res ? json_loads(res, 0, NULL) : NULL;
	json_object_set_new(j, "result", rj ? rj : json_null());
	const char *er = (const char *)db_column_text(st, 10);
	json_object_set_new(j, "error", er ? json_string(er) : json_null());
	const char *log = (const char *)db_column_text(st, 12);
	json_object_set_new(j, "log", log ? json_string(log) : json_null());
	json_object_set_new(j, "user", json_string((const char *)db_column_text(st, 13)));
	json_object_set_new(j, "created", json_string((const char *)db_column_text(st, 14)));
	const char *s = (const char *)db_column_text(st, 15);
	json_object_set_new(j, "started", s ? json_string(s) : json_null());
	s = (const char *)db_column_text(st, 16);
	json_object_set_new(j, "finished", s ? json_string(s) : json_null());
	return j;
}

static int job_fetch(struct workspace *ws, int64_t job, json_t **out, bool reap, struct pm_err *err)
{
	struct db_stmt *st;
	for (int pass = 0; pass < 2; pass++) {
		if (ws_prepare(ws, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", &st, err) < 0)
			return -1;
		db_bind_int64(st, 1, job);
		if (db_step(st) != DB_ROW) {
			db_finalize(st);
			return pm_errcf(err, PM_E_NOTFOUND, "no job %lld (see `jobs`)", (long long)job);
		}
		const char *state = (const char *)db_column_text(st, 2);
		if (pass == 0 && reap && !is_terminal(state) && db_column_int64(st, 5) > 0) {
			char *stc = xstrdup(state);
			char *host = db_column_text(st, 6) ? xstrdup((const char *)db_column_text(st, 6)) : NULL;
			int64_t pid = db_column_int64(st, 5);
			db_finalize(st);
			reap_dead(ws, job, stc, pid, host, NULL);
			free(stc);
			free(host);
			continue;
		}
		*out = job_row_json(st);
		db_finalize(st);
		return 0;
	}
	return -1;
}

int job_get(struct workspace *ws, int64_t job, json_t **out, struct pm_err *err)
{
	return job_fetch(ws, job, out, true, err);
}

/* Whether a run's recorded process is gone: as `servers` tells a dead
 * server, its pid runs nothing, or a process that started after the run
 * did (a reused pid).  A run of another host is not judged. */
static bool run_gone(int64_t pid, const char *host, const char *started)
{
	if (pid <= 0 || !proc_host_here(host))
		return false;
	if (!pid_alive(pid))
		return true;
	int64_t us, at = proc_start_unix(pid);
	return started && ts_parse(started, strlen(started), &us) && at > us / 1000000 + 1;
}

/* Runs left running or queued by a process that is gone (a foreground
 * `train` killed, which has no job) are marked dead, and listed. */
static int dead_runs(struct workspace *ws, json_t *arr, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT id, pid, host, started FROM runs WHERE state IN ('queued', 'running')"
			   " AND id NOT IN (SELECT run FROM jobs WHERE run IS NOT NULL)",
		       &st, err) < 0)
		return -1;
	while (db_step(st) == DB_ROW) {
		if (!run_gone(db_column_int64(st, 1), (const char *)db_column_text(st, 2),
			      (const char *)db_column_text(st, 3)))
			continue;
		struct db_stmt *up;
		if (ws_prepare(ws, "UPDATE runs SET state = 'dead', message = 'its process (pid ' || pid ||"
				   " ') is gone', finished = ?2 WHERE id = ?1 AND state IN ('queued', 'running')",
			       &up, err) < 0) {
			db_finalize(st);
			return -1;
		}
		char now[40];
		ts_now_iso(now, sizeof now);
		db_bind_int64(up, 1, db_column_int64(st, 0));
		db_bind_text(up, 2, now, -1, DB_TRANSIENT);
		db_step(up);
		db_finalize(up);
	}
	db_finalize(st);
	if (ws_prepare(ws, "SELECT id, model, pid, epochs_done FROM runs WHERE state = 'dead'"
			   " AND id NOT IN (SELECT run FROM jobs WHERE run IS NOT NULL) ORDER BY id",
		       &st, err) < 0)
		return -1;
	while (db_step(st) == DB_ROW) {
		long long run = db_column_int64(st, 0);
		char *cmd = xasprintf("train %s", (const char *)db_column_text(st, 1));
		char *msg = xasprintf("its process (pid %lld) is gone after %lld epochs: "
				      "`train --resume %lld` goes on",
				      (long long)db_column_int64(st, 2),
				      (long long)db_column_int64(st, 3), run);
		json_array_append_new(arr, json_pack("{s:n,s:s,s:f,s:I,s:s,s:s}", "job", "state", "dead",
						     "progress", 0.0, "run", (json_int_t)run,
						     "command", cmd, "message", msg));
		free(cmd);
		free(msg);
	}
	db_finalize(st);
	return 0;
}

int job_list(struct workspace *ws, json_t **out, struct pm_err *err)
{
	int64_t *ids;
	size_t n;
	if (ws_ids(ws, "SELECT id FROM jobs ORDER BY id", NULL, &ids, &n, err) < 0)
		return -1;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j;
		if (job_fetch(ws, ids[i], &j, true, err) < 0) {
			free(ids);
			json_decref(arr);
			return -1;
		}
		/* the list is a summary: the full result is in `job show` */
		json_object_del(j, "result");
		json_array_append_new(arr, j);
	}
	free(ids);
	if (dead_runs(ws, arr, err) < 0) {
		json_decref(arr);
		return -1;
	}
	*out = json_pack("{s:o}", "jobs", arr);
	return 0;
}

int job_wait(struct workspace *ws, int64_t job, double timeout_s, const volatile int *cancel,
	     json_t **out, struct pm_err *err)
{
	double t0 = now_seconds();
	for (;;) {
		json_t *j;
		if (job_fetch(ws, job, &j, true, err) < 0)
			return -1;
		const char *state = json_string_value(json_object_get(j, "state"));
		if (is_terminal(state)) {
			*out = j;
			return 0;
		}
		json_decref(j);
		if (cancel && *cancel)
			return pm_errcf(err, PM_E_CANCEL, "interrupted while waiting for job %lld", (long long)job);
		if (timeout_s > 0 && now_seconds() - t0 > timeout_s)
			return pm_errf(err, "job %lld is still %s after %g s", (long long)job, state, timeout_s);
		usleep(100000);
	}
}

int job_cancel(struct workspace *ws, int64_t job, double grace_s, json_t **out,
	       struct pm_err *err)
{
	json_t *j;
	if (job_fetch(ws, job, &j, true, err) < 0)
		return -1;
	const char *state = json_string_value(json_object_get(j, "state"));
	if (is_terminal(state)) {
		int rc = pm_errcf(err, PM_E_USAGE, "job %lld already ended (%s)", (long long)job, state);
		json_decref(j);
		return rc;
	}
	json_int_t pid = json_integer_value(json_object_get(j, "pid"));
	json_decref(j);
	if (job_update(ws, job, "cancel = 1", NULL, NULL, 0, err) < 0)
		return -1;
	double t0 = now_seconds();
	while (now_seconds() - t0 < grace_s) {
		if (job_fetch(ws, job, &j, true, err) < 0)
			return -1;
		if (is_terminal(json_string_value(json_object_get(j, "state")))) {
			*out = j;
			return 0;
		}
		json_decref(j);
		usleep(100000);
	}
	/* it did not stop in time: end its process group (setsid made the
	 * job the leader of its own) */
	if (pid > 0 && pid_alive(pid)) {
		kill(-(pid_t)pid, SIGKILL);
		kill((pid_t)pid, SIGKILL);
		for (int i = 0; i < 50 && pid_alive(pid); i++)
			usleep(20000);
	}
	char now[40];
	ts_now_iso(now, sizeof now);
	job_update(ws, job, "state = 'cancelled', error = ?1, finished = ?2",
		   "cancelled: the job did not stop in time and was killed", now, 0, err);
	job_progress_from_run(ws, job);
	struct db_stmt *st;
	if (ws_prepare(ws, "UPDATE runs SET state = 'cancelled', message = 'cancelled', finished = ?"
			   " WHERE id = (SELECT run FROM jobs WHERE id = ?) AND state IN ('queued', 'running')",
		       &st, err) == 0) {
		db_bind_text(st, 1, now, -1, DB_TRANSIENT);
		db_bind_int64(st, 2, job);
		db_step(st);
		db_finalize(st);
	}
	return job_fetch(ws, job, out, false, err);
}
