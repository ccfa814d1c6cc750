/* Pipeline commands: load, list, show, run, runs, run show, resume,
 * lineage, export, triggers and the scheduler.  The engine (src/pipeline)
 * learns what a step's command reads and writes from the table's io
 * declarations, through the hook here, and runs each step as a child
 * process of this program. */
#include "cmd.h"
#include "pipeline/pipeline.h"
#include "train/train.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the hooks ------------------------------------------------------------------ */
struct io_list {
	struct pl_io *io;
	size_t n;
};

static void add_io(void *ctx, enum cmd_io_kind kind, const char *name, bool writes)
{
	static const enum pl_kind map[] = {[IO_DATASET] = PL_DATASET, [IO_MODEL] = PL_MODEL,
					   [IO_SCHEMA] = PL_SCHEMA, [IO_FILE] = PL_FILE};
	struct io_list *l = ctx;
	l->io = xrealloc(l->io, (l->n + 1) * sizeof *l->io);
	l->io[l->n++] = (struct pl_io){map[kind], xstrdup(name), writes};
}

static int unknown_command(const char *word, struct pm_err *err)
{
	struct str_near nr;
	str_near_init(&nr, word);
	size_t n = cmd_count();
	char **first = xcalloc(n, sizeof *first);
	for (size_t i = 0; i < n; i++) {
		const char *name = cmd_at(i)->name;
		first[i] = xstrndup(name, strcspn(name, " "));
		str_near_offer(&nr, first[i]);
	}
	if (nr.best)
		pm_errf(err, "unknown command '%s'; did you mean '%s'?", word, nr.best);
	else
		pm_errf(err, "unknown command '%s' (see `help`)", word);
	for (size_t i = 0; i < n; i++)
		free(first[i]);
	free(first);
	return -1;
}

static int step_io(void *ctx, const char *command, struct pl_io **io, size_t *n, struct pm_err *err)
{
	char ***cmds;
	int nc = cmdline_parse(command, &cmds, err);
	if (nc < 0)
		return -1;
	int rc = 0;
	struct io_list l = {0};
	if (nc != 1) {
		rc = pm_errf(err, "a step is one command, not %d", nc);
	} else {
		char **w = cmds[0];
		int argc = 0, used;
		while (w[argc])
			argc++;
		const struct cmd_entry *e = cmd_find(argc, w, &used);
		if (!e)
			rc = unknown_command(w[0], err);
		else if (str_prefix(e->name, "pipeline") || strcmp(e->name, "quit") == 0)
			rc = pm_errf(err, "`%s` cannot be a step", e->name);
		if (rc == 0) {
			struct cmd_call call = {.entry = e};
			call.argv = xcalloc((size_t)argc + 1, sizeof *call.argv);
			rc = cmd_call_parse(e, argc - used, w + used, &call, err);
			if (rc == 0)
				cmd_call_io(&call, add_io, &l);
			cmd_call_done(&call);
		}
	}
	cmdline_free(cmds);
	if (rc < 0) {
		pl_io_free(l.io, l.n);
		return -1;
	}
	*io = l.io;
	*n = l.n;
	return 0;
}

struct hooks {
	struct pl_hooks h;
	char exe[4096];
};

static int hooks_init(struct session *s, struct hooks *hk, struct pm_err *err)
{
	ssize_t n = readlink("/proc/self/exe", hk->exe, sizeof hk->exe - 1);
	if (n <= 0)
		return pm_errf(err, "cannot find the prodml program to run the steps: %s", strerror(errno));
	hk->exe[n] = 0;
	hk->h = (struct pl_hooks){.io = step_io, .exe = hk->exe, .cancel = s->cancel};
	return 0;
}

static int run_id_arg(const char *a, int64_t *id, struct pm_err *err)
{
	if (!parse_int64(a, strlen(a), id) || *id < 1)
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a run number (see `pipeline runs`)", a);
	return 0;
}

/* ---- load, list, show -------------------------------------------------------------- */
static int exec_load(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct hooks hk;
	char *text;
	size_t len;
	if (session_ws(s, &ws, err) < 0 || hooks_init(s, &hk, err) < 0 ||
	    fs_read_all(call->argv[0], &text, &len, err) < 0)
		return -1;
	struct pipeline *p;
	int rc = pipeline_parse(text, call->argv[0], &p, err);
	free(text);
	if (rc < 0)
		return -1;
	bool replaced;
	if (pipeline_check(ws, p, NULL, &hk.h, err) < 0 || pipeline_store(ws, p, &replaced, err) < 0) {
		pipeline_free(p);
		return -1;
	}
	call->result = json_pack("{s:s,s:s,s:I,s:I,s:b}", "name", p->name, "file", p->file, "steps",
				 (json_int_t)p->nsteps, "params", (json_int_t)p->nparams, "replaced", replaced);
	pipeline_free(p);
	return 0;
}

static void render_load(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_int_t ns = json_integer_value(json_object_get(r, "steps"));
	json_int_t np = json_integer_value(json_object_get(r, "params"));
	sbuf_printf(out, "pipeline %s %s from %s: %lld step%s, %lld parameter%s\n",
		    json_string_value(json_object_get(r, "name")),
		    json_is_true(json_object_get(r, "replaced")) ? "replaced" : "loaded",
		    json_string_value(json_object_get(r, "file")), (long long)ns, ns == 1 ? "" : "s",
		    (long long)np, np == 1 ? "" : "s");
}

static int exec_list(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	return pipeline_list(ws, &call->result, err);
}

static void render_list(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *arr = json_object_get(r, "pipelines");
	size_t n = json_array_size(arr);
	if (!n) {
		sbuf_puts(out, "no pipelines: `pipeline load FILE` adds one\n");
		return;
	}
	static const char *const hdr[] = {"name", "steps", "runs", "last run", "file"};
	static const bool right[] = {false, true, true, false, false};
	struct table *t = table_new(5, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i);
		table_str(t, json_string_value(json_object_get(j, "name")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(j, "steps")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(j, "runs")));
		json_t *last = json_object_get(j, "last_run");
		if (json_is_integer(last))
			table_cell(t, "%lld %s", (long long)json_integer_value(last),
				   json_string_value(json_object_get(j, "last_state")));
		else
			table_str(t, "-");
		table_str(t, json_string_value(json_object_get(j, "file")));
	}
	table_render(t, out);
}

static int exec_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct pipeline *p;
	if (session_ws(s, &ws, err) < 0 || pipeline_fetch(ws, call->argv[0], &p, err) < 0)
		return -1;
	call->result = pipeline_json(p);
	size_t *order = xcalloc(p->nsteps + 1, sizeof *order);
	if (pipeline_order(p, order, err) == 0) {
		json_t *o = json_array();
		for (size_t i = 0; i < p->nsteps; i++)
			json_array_append_new(o, json_string(p->steps[order[i]].name));
		json_object_set_new(call->result, "order", o);
	}
	free(order);
	pipeline_free(p);
	return 0;
}

static void render_show(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	sbuf_printf(out, "# pipeline %s, loaded from %s\n", json_string_value(json_object_get(r, "name")),
		    json_string_value(json_object_get(r, "file")));
	const char *text = json_string_value(json_object_get(r, "text"));
	sbuf_puts(out, text);
	if (*text && text[strlen(text) - 1] != '\n')
		sbuf_putc(out, '\n');
}

/* ---- run, resume ------------------------------------------------------------------ */
/* Runs (or continues) a run in this process; a run started by --detach
 * reports to its job as well. */
static int execute(struct session *s, struct workspace *ws, int64_t run, struct cmd_call *call,
		   struct pm_err *err)
{
	struct hooks hk;
	if (hooks_init(s, &hk, err) < 0)
		return -1;
	int64_t job = pipeline_run_job(ws, run);
	json_t *j = NULL;
	if (job > 0 && job_get(ws, job, &j, err) == 0 &&
	    strcmp(json_string_value(json_object_get(j, "state")), "queued") != 0)
		job = 0; /* a later resume of a detached run: the job has ended */
	json_decref(j);
	if (pipeline_run_claim(ws, run, call_flag(call, "--concurrent"), job > 0, err) < 0) {
		if (job > 0)
			job_finish(ws, job, NULL, err);
		return -1;
	}
	if (job > 0 && job_start(ws, job, err) < 0)
		return -1;
	int rc = pipeline_run_execute(ws, run, &hk.h, err);
	struct pm_err e2;
	if (pipeline_run_get(ws, run, false, &call->result, rc == 0 ? err : &e2) < 0 && rc == 0)
		rc = -1;
	if (job > 0)
		job_finish(ws, job, call->result, rc == 0 ? NULL : err);
	return rc;
}

/* Runs a recorded run in the background as a job whose command is text;
 * *job gets its number. */
static int start_job(struct workspace *ws, int64_t run, const char *text, int64_t *job, struct pm_err *err)
{
	char idtext[32];
	snprintf(idtext, sizeof idtext, "%lld", (long long)run);
	const char *const args[] = {"pipeline", "resume", idtext, NULL};
	if (job_create(ws, "pipeline", text, 0, job, err) < 0 || pipeline_run_set_job(ws, run, *job, err) < 0 ||
	    job_spawn_args(ws, *job, args, err) < 0)
		return -1;
	/* from now the run is on while its job's process lives, not this one */
	json_t *j;
	if (job_get(ws, *job, &j, err) < 0)
		return -1;
	json_t *pid = json_object_get(j, "pid");
	int rc = json_is_integer(pid) ? pipeline_run_set_pid(ws, run, json_integer_value(pid), err) : 0;
	json_decref(j);
	return rc;
}

static int exec_run(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	struct pipeline *p;
	struct hooks hk;
	long long jobs, retries;
	if (call_opt_int(call, "--jobs", 1, &jobs, err) < 0 || call_opt_int(call, "--retries", 0, &retries, err) < 0)
		return -1;
	if (jobs < 1 || jobs > 64 || retries < 0 || retries > 100)
		return pm_errcf(err, PM_E_USAGE, "pipeline run: --jobs is 1 to 64 and --retries 0 to 100");
	if (session_ws(s, &ws, err) < 0 || hooks_init(s, &hk, err) < 0 ||
	    pipeline_fetch(ws, call->argv[0], &p, err) < 0)
		return -1;
	const char *pv = call_opt(call, "--param");
	size_t np = 0;
	char **params = pv ? str_split(pv, '\n', &np) : NULL;
	struct pl_run_opts o = {.params = params, .nparams = np, .jobs = (int)jobs, .retries = (int)retries,
				.no_cache = call_flag(call, "--no-cache"),
				.concurrent = call_flag(call, "--concurrent")};
	json_t *values = NULL;
	int64_t run = 0;
	int rc = pipeline_values(p, params, np, &values, err);
	if (rc == 0)
		rc = pipeline_check(ws, p, values, &hk.h, err);
	if (rc == 0)
		rc = pipeline_run_create(ws, p, &o, &run, NULL, err);
	json_decref(values);
	str_list_free(params);
	pipeline_free(p);
	if (rc < 0)
		return -1;
	if (!call_flag(call, "--detach"))
		return execute(s, ws, run, call, err);
	char *text = cmd_call_text(call);
	int64_t job;
	rc = start_job(ws, run, text, &job, err);
	free(text);
	if (rc < 0)
		return -1;
	return pipeline_run_get(ws, run, false, &call->result, err);
}

static int exec_resume(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t run;
	if (run_id_arg(call->argv[0], &run, err) < 0 || session_ws(s, &ws, err) < 0)
		return -1;
	if (!call_flag(call, "--detach"))
		return execute(s, ws, run, call, err);
	/* claimed here, so a refusal (another run on) is this command's error
	 * and not its job's; the job's process takes the claim over */
	if (pipeline_run_claim(ws, run, call_flag(call, "--concurrent"), false, err) < 0)
		return -1;
	char *text = cmd_call_text(call);
	int64_t job;
	int rc = start_job(ws, run, text, &job, err);
	free(text);
	if (rc < 0)
		return -1;
	return pipeline_run_get(ws, run, false, &call->result, err);
}

static void render_steps(json_t *r, bool detail, struct sbuf *out)
{
	json_t *steps = json_object_get(r, "steps");
	size_t n = json_array_size(steps);
	static const char *const hdr[] = {"step", "state", "seconds", "tries", "note"};
	static const bool right[] = {false, false, true, true, false};
	struct table *t = table_new(5, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *st = json_array_get(steps, i);
		json_t *sec = json_object_get(st, "seconds");
		table_str(t, json_string_value(json_object_get(st, "step")));
		table_str(t, json_string_value(json_object_get(st, "state")));
		if (json_is_number(sec))
			table_cell(t, "%.2f", json_number_value(sec));
		else
			table_str(t, "-");
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(st, "attempts")));
		const char *m = json_string_value(json_object_get(st, "message"));
		table_take(t, render_cut(m ? m : "", 60));
	}
	table_render(t, out);
	if (!detail)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *st = json_array_get(steps, i);
		const char *cmd = json_string_value(json_object_get(st, "command"));
		if (!cmd)
			continue;
		sbuf_printf(out, "\nstep %s: %s\n", json_string_value(json_object_get(st, "step")), cmd);
		static const char *const sides[] = {"inputs", "outputs"};
		for (int k = 0; k < 2; k++) {
			size_t m;
			json_t *a;
			json_array_foreach(json_object_get(st, sides[k]), m, a) {
				const char *fp = json_string_value(json_object_get(a, "fingerprint"));
				sbuf_printf(out, "  %-7s %s %s (%.16s)\n", k ? "wrote" : "read",
					    json_string_value(json_object_get(a, "kind")),
					    json_string_value(json_object_get(a, "name")), fp ? fp : "absent");
			}
		}
		const char *log = json_string_value(json_object_get(st, "log"));
		if (log && *log) {
			/* a result's JSON is one long line: the whole of it is in -o json */
			sbuf_puts(out, "  log:\n");
			size_t nl;
			char **lines = str_split(log, '\n', &nl);
			for (size_t k = 0; k < nl; k++) {
				if (!*lines[k] && k + 1 == nl)
					break;
				char *cut = render_cut(lines[k], 120);
				sbuf_printf(out, "    %s\n", cut);
				free(cut);
			}
			str_list_free(lines);
		}
	}
}

static void render_run(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *secs = json_object_get(r, "seconds");
	sbuf_printf(out, "pipeline %s run %lld: %s", json_string_value(json_object_get(r, "pipeline")),
		    (long long)json_integer_value(json_object_get(r, "run")),
		    json_string_value(json_object_get(r, "state")));
	if (json_is_number(secs) && !s->quiet)
		sbuf_printf(out, " in %.2fs", json_number_value(secs));
	json_t *job = json_object_get(r, "job");
	if (json_is_integer(job))
		sbuf_printf(out, " (job %lld)", (long long)json_integer_value(job));
	sbuf_putc(out, '\n');
	const char *m = json_string_value(json_object_get(r, "message"));
	if (m)
		sbuf_printf(out, "  %s\n", m);
	render_steps(r, strcmp(call->entry->name, "pipeline run show") == 0, out);
}

static int exec_runs(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	return pipeline_runs(ws, call->argc ? call->argv[0] : NULL, &call->result, err);
}

static void render_runs(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *arr = json_object_get(r, "runs");
	size_t n = json_array_size(arr);
	if (!n) {
		sbuf_puts(out, "no pipeline runs: `pipeline run P` starts one\n");
		return;
	}
	static const char *const hdr[] = {"run", "pipeline", "state", "steps", "created"};
	static const bool right[] = {true, false, false, false, false};
	struct table *t = table_new(5, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i);
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(j, "run")));
		table_str(t, json_string_value(json_object_get(j, "pipeline")));
		table_str(t, json_string_value(json_object_get(j, "state")));
		struct sbuf c = {0};
		const char *key;
		json_t *v;
		json_object_foreach(json_object_get(j, "counts"), key, v)
			sbuf_printf(&c, "%s%lld %s", c.len ? ", " : "", (long long)json_integer_value(v), key);
		table_take(t, sbuf_steal(&c));
		table_str(t, json_string_value(json_object_get(j, "created")));
	}
	table_render(t, out);
}

/* With --step: the run with that one step, whose log is what one asks for. */
static int only_step(json_t *r, const char *step, struct pm_err *err)
{
	if (!step)
		return 0;
	json_t *steps = json_object_get(r, "steps"), *one = NULL;
	struct sbuf names = {0};
	size_t i;
	json_t *st;
	json_array_foreach(steps, i, st) {
		const char *name = json_string_value(json_object_get(st, "step"));
		sbuf_printf(&names, "%s%s", i ? ", " : "", name);
		if (strcmp(name, step) == 0)
			one = st;
	}
	int rc = 0;
	if (one)
		json_object_set_new(r, "steps", json_pack("[O]", one));
	else
		rc = pm_errcf(err, PM_E_USAGE, "pipeline run %lld has no step '%s' (its steps: %s)",
			      (long long)json_integer_value(json_object_get(r, "run")), step, names.s ? names.s : "none");
	sbuf_free(&names);
	return rc;
}

static int exec_run_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t run;
	double timeout = 0;
	if (run_id_arg(call->argv[0], &run, err) < 0 || call_opt_double(call, "--timeout", 0, &timeout, err) < 0 ||
	    session_ws(s, &ws, err) < 0)
		return -1;
	if (!(timeout >= 0))
		return pm_errcf(err, PM_E_USAGE, "pipeline run show: --timeout is seconds, 0 or more");
	bool wait = call_flag(call, "--wait");
	double t0 = now_seconds();
	for (;;) {
		if (pipeline_run_get(ws, run, true, &call->result, err) < 0)
			return -1;
		const char *state = json_string_value(json_object_get(call->result, "state"));
		/* a detached run ends in its job's process: look again until then */
		if (!wait || (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0)) {
			if (only_step(call->result, call_opt(call, "--step"), err) == 0)
				return 0;
			json_decref(call->result);
			call->result = NULL;
			return -1;
		}
		if ((s->cancel && *s->cancel) || (timeout > 0 && now_seconds() - t0 >= timeout))
			return pm_errcf(err, PM_E_CANCEL, "pipeline run %lld is still %s", (long long)run, state);
		json_decref(call->result);
		call->result = NULL;
		usleep(50000);
	}
}

/* ---- triggers and the scheduler ------------------------------------------------- */
static const char *const alert_kinds[] = {"drift", "skew", "quality", "error_rate", "latency"};

static int exec_trigger(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *every = call_opt(call, "--every"), *glob = call_opt(call, "--on-file"),
		   *alert = call_opt(call, "--on-alert");
	if ((every != NULL) + (glob != NULL) + (alert != NULL) != 1)
		return pm_errcf(err, PM_E_USAGE, "pipeline trigger: give one of --every D, --on-file GLOB, "
						 "--on-alert KIND MODEL");
	if (alert && call->argc != 2)
		return pm_errcf(err, PM_E_USAGE, "pipeline trigger: --on-alert %s needs the model: "
						 "pipeline trigger %s --on-alert %s MODEL",
				alert, call->argv[0], alert);
	if (!alert && call->argc == 2)
		return pm_errcf(err, PM_E_USAGE, "pipeline trigger: a MODEL goes with --on-alert KIND only");
	struct pl_trigger t = {.pipeline = call->argv[0], .glob = glob, .alert_kind = alert,
			       .model = alert ? call->argv[1] : NULL};
	if (every) {
		t.kind = PL_ON_EVERY;
		if (!duration_parse(every, &t.every_us))
			return pm_errcf(err, PM_E_USAGE, "--every: expected a duration such as 90s, 30m, 1h or 2d, "
							 "got \"%s\"", every);
	} else if (glob) {
		t.kind = PL_ON_FILE;
		t.param = call_opt(call, "--as") ? call_opt(call, "--as") : "file";
	} else {
		t.kind = PL_ON_ALERT;
		bool known = false;
		for (size_t i = 0; i < PM_ARRAY_LEN(alert_kinds); i++)
			known |= strcmp(alert, alert_kinds[i]) == 0;
		if (!known)
			return pm_errcf(err, PM_E_USAGE, "--on-alert: unknown alert kind '%s' (drift, skew, quality, "
							 "error_rate, latency)", alert);
	}
	struct workspace *ws;
	struct pipeline *p;
	if (session_ws(s, &ws, err) < 0 || pipeline_fetch(ws, t.pipeline, &p, err) < 0)
		return -1;
	const char *pv = call_opt(call, "--param");
	size_t np = 0;
	char **params = pv ? str_split(pv, '\n', &np) : NULL;
	json_t *values = NULL;
	int rc = pipeline_values(p, params, np, &values, err);
	if (rc == 0 && t.param && !json_object_get(values, t.param))
		rc = pm_errcf(err, PM_E_USAGE, "pipeline %s has no parameter '%s' to give the new file's path "
					       "(add `param %s = ...` or name one with --as)",
			      p->name, t.param, t.param);
	t.params = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(t.params, json_string(params[i]));
	int64_t id;
	if (rc == 0)
		rc = pipeline_trigger_add(ws, &t, &id, err);
	json_decref(values);
	str_list_free(params);
	pipeline_free(p);
	if (rc == 0) {
		json_t *list;
		rc = pipeline_triggers(ws, t.pipeline, &list, err);
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(list, "triggers"), i, x)
			if (json_integer_value(json_object_get(x, "trigger")) == id)
				call->result = json_incref(x);
		json_decref(list);
	}
	json_decref(t.params);
	return rc;
}

static char *trigger_text(json_t *t)
{
	const char *kind = json_string_value(json_object_get(t, "kind"));
	if (strcmp(kind, "every") == 0) {
		double e = json_number_value(json_object_get(t, "every_s"));
		static const struct {
			double s;
			const char *unit;
		} units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}};
		for (size_t i = 0; i < PM_ARRAY_LEN(units); i++)
			if (e >= units[i].s && fmod(e, units[i].s) == 0)
				return xasprintf("every %g%s", e / units[i].s, units[i].unit);
		return xasprintf("every %gs", e);
	}
	if (strcmp(kind, "file") == 0)
		return xasprintf("on file %s (as %s)", json_string_value(json_object_get(t, "glob")),
				 json_string_value(json_object_get(t, "param")));
	return xasprintf("on alert %s of %s", json_string_value(json_object_get(t, "alert")),
			 json_string_value(json_object_get(t, "model")));
}

static void render_trigger(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	char *t = trigger_text(r);
	bool alert = strcmp(json_string_value(json_object_get(r, "kind")) ?: "", "alert") == 0;
	sbuf_printf(out, "trigger %lld: pipeline %s %s; %s\n",
		    (long long)json_integer_value(json_object_get(r, "trigger")),
		    json_string_value(json_object_get(r, "pipeline")), t,
		    alert ? "monitoring starts it as the alert opens" : "`pipeline scheduler` runs it");
	free(t);
}

static int exec_triggers(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	return pipeline_triggers(ws, call->argc ? call->argv[0] : NULL, &call->result, err);
}

static void render_triggers(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *arr = json_object_get(r, "triggers");
	size_t n = json_array_size(arr);
	if (!n) {
		sbuf_puts(out, "no triggers: `pipeline trigger P --every D|--on-file GLOB|--on-alert KIND MODEL` adds one\n");
		return;
	}
	static const char *const hdr[] = {"id", "pipeline", "when", "runs", "last fired"};
	static const bool right[] = {true, false, false, true, false};
	struct table *t = table_new(5, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i);
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(j, "trigger")));
		table_str(t, json_string_value(json_object_get(j, "pipeline")));
		table_take(t, trigger_text(j));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(j, "runs")));
		table_str(t, json_string_value(json_object_get(j, "last_fired")) ?: "-");
	}
	table_render(t, out);
}

static int exec_trigger_delete(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	int64_t id;
	const char *a = call->argv[0];
	if (!parse_int64(a, strlen(a), &id) || id < 1)
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a trigger number (see `pipeline triggers`)", a);
	if (session_ws(s, &ws, err) < 0 || pipeline_trigger_delete(ws, id, err) < 0)
		return -1;
	call->result = json_pack("{s:I,s:b}", "trigger", (json_int_t)id, "deleted", 1);
	return 0;
}

/* Starts the run a trigger asks for, in the background as a job.  What
 * went wrong is kept in the entry, and the trigger counts as answered so
 * that a bad file is not tried forever.  NULL when another process started
 * a run of the pipeline since pipeline_triggers_due looked: the trigger's
 * turn comes after it. */
static json_t *fire(struct session *s, struct workspace *ws, const struct pl_fire *f, int64_t now_us)
{
	json_t *j = json_pack("{s:I,s:s,s:s}", "trigger", (json_int_t)f->trigger, "pipeline", f->pipeline,
			      "reason", f->reason);
	struct pm_err e = {0};
	struct pipeline *p = NULL;
	struct hooks hk;
	json_t *values = NULL;
	int64_t run = 0, job = 0;
	struct pl_run_opts o = {.params = f->params, .nparams = f->nparams, .jobs = 1};
	int rc = hooks_init(s, &hk, &e);
	if (rc == 0)
		rc = pipeline_fetch(ws, f->pipeline, &p, &e);
	if (rc == 0)
		rc = pipeline_values(p, f->params, f->nparams, &values, &e);
	if (rc == 0)
		rc = pipeline_check(ws, p, values, &hk.h, &e);
	int64_t active = 0;
	if (rc == 0)
		rc = pipeline_run_create(ws, p, &o, &run, &active, &e);
	if (active) {
		json_decref(values);
		pipeline_free(p);
		json_decref(j);
		return NULL;
	}
	if (rc == 0) {
		struct sbuf t = {0};
		sbuf_printf(&t, "pipeline run %s", f->pipeline);
		for (size_t i = 0; i < f->nparams; i++) {
			sbuf_puts(&t, " --param ");
			cmd_quote_word(&t, f->params[i]);
		}
		rc = start_job(ws, run, t.s, &job, &e);
		sbuf_free(&t);
	}
	if (run)
		json_object_set_new(j, "run", json_integer(run));
	if (job)
		json_object_set_new(j, "job", json_integer(job));
	if (rc < 0)
		json_object_set_new(j, "error", json_string(e.msg));
	if (pipeline_trigger_fired(ws, f, now_us, run, &e) < 0)
		json_object_set_new(j, "error", json_string(e.msg));
	json_decref(values);
	pipeline_free(p);
	return j;
}

json_t *pipeline_answer_alerts(struct session *s, struct workspace *ws)
{
	json_t *arr = json_array();
	struct pl_fire *fires;
	size_t n;
	struct pm_err e = {0};
	int64_t now = now_unix_us();
	if (pipeline_triggers_due(ws, now, 1u << PL_ON_ALERT, &fires, &n, &e) < 0) {
		json_array_append_new(arr, json_pack("{s:s}", "error", e.msg));
		return arr;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *x = fire(s, ws, &fires[i], now);
		if (x)
			json_array_append_new(arr, x);
	}
	pl_fire_free(fires, n);
	return arr;
}

/* The environment variable that hands a detached scheduler the lock its
 * starter took (pipeline_sched_adopt). */
#define SCHED_LOCK_ENV "PRODML_SCHEDULER_LOCK"

/* Takes the one-scheduler lock: a detached scheduler keeps the hold its
 * starter passed down, any other takes it now. */
static int scheduler_lock(struct workspace *ws, int64_t job, int *lock, struct pm_err *err)
{
	const char *pass = job > 0 ? getenv(SCHED_LOCK_ENV) : NULL;
	int64_t fd;
	if (pass && parse_int64(pass, strlen(pass), &fd) && fd > 2 && fd < 65536) {
		/* not for the runs it starts */
		unsetenv(SCHED_LOCK_ENV);
		if (pipeline_sched_adopt(ws, (int)fd, job, err) < 0)
			return -1;
		*lock = (int)fd;
		return 0;
	}
	return pipeline_sched_lock(ws, job, lock, err);
}

/* Starts the scheduler as a job.  The lock is taken here, before the job
 * exists, and handed to the job's process: two `--detach` at the same
 * instant cannot both start one, and the loser hears which one runs. */
static int scheduler_detach(struct session *s, struct workspace *ws, struct cmd_call *call, double tick,
			    struct pm_err *err)
{
	int lock;
	if (pipeline_sched_lock(ws, -1, &lock, err) < 0)
		return -1;
	char *text = cmd_call_text(call), idtext[32], ticktext[32];
	int64_t id;
	int rc = job_create(ws, "scheduler", text, 0, &id, err);
	free(text);
	if (rc == 0) {
		pipeline_sched_note(lock, id, getpid());
		snprintf(idtext, sizeof idtext, "%lld", (long long)id);
		snprintf(ticktext, sizeof ticktext, "%g", tick);
		const char *const args[] = {"pipeline", "scheduler", "--job", idtext, "--tick", ticktext, NULL};
		rc = job_spawn_pass(ws, id, args, lock, SCHED_LOCK_ENV, err);
		if (rc < 0)
			job_finish(ws, id, NULL, err);
	}
	if (rc == 0)
		rc = job_get(ws, id, &call->result, err);
	json_t *pid = call->result ? json_object_get(call->result, "pid") : NULL;
	if (json_is_integer(pid))
		pipeline_sched_note(lock, id, json_integer_value(pid));
	pipeline_sched_unlock(lock);
	return rc;
}

static int exec_scheduler(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	double tick;
	long long job = 0;
	if (call_opt_double(call, "--tick", 1, &tick, err) < 0 || call_opt_int(call, "--job", 0, &job, err) < 0)
		return -1;
	if (!(tick >= 0.01 && tick <= 86400))
		return pm_errcf(err, PM_E_USAGE, "pipeline scheduler: --tick is 0.01 to 86400 seconds");
	if (session_ws(s, &ws, err) < 0)
		return -1;
	if (call_flag(call, "--detach"))
		return scheduler_detach(s, ws, call, tick, err);
	int lock;
	if (scheduler_lock(ws, job, &lock, err) < 0) {
		if (job > 0)
			job_finish(ws, job, NULL, err);
		return -1;
	}
	if (job > 0 && job_start(ws, job, err) < 0) {
		pipeline_sched_unlock(lock);
		return -1;
	}
	json_t *started = json_array();
	long long ticks = 0;
	int rc = 0;
	for (;;) {
		int64_t now = now_unix_us();
		struct pl_fire *fires;
		size_t n;
		if (pipeline_triggers_due(ws, now, PL_TRIGGERS_ALL, &fires, &n, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			json_t *x = fire(s, ws, &fires[i], now);
			if (x)
				json_array_append_new(started, x);
		}
		pl_fire_free(fires, n);
		ticks++;
		if (call_flag(call, "--once"))
			break;
		bool stop = false;
		for (double waited = 0; waited < tick && !stop; waited += 0.05) {
			usleep(50000);
			stop = (s->cancel && *s->cancel) || (job > 0 && job_cancel_requested(ws, job));
		}
		if (stop) {
			rc = pm_errcf(err, PM_E_CANCEL, "the scheduler was stopped after %lld ticks", ticks);
			break;
		}
	}
	call->result = json_pack("{s:I,s:o}", "ticks", (json_int_t)ticks, "started", started);
	if (job > 0)
		job_finish(ws, job, call->result, rc == 0 ? NULL : err);
	pipeline_sched_unlock(lock);
	/* stopping is how a scheduler ends: not a failure */
	if (rc < 0 && err->code == PM_E_CANCEL) {
		pm_err_clear(err);
		rc = 0;
	}
	return rc;
}

static void render_scheduler(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	if (json_object_get(r, "job")) {
		sbuf_printf(out, "scheduler started as job %lld (`job cancel %lld` stops it)\n",
			    (long long)json_integer_value(json_object_get(r, "job")),
			    (long long)json_integer_value(json_object_get(r, "job")));
		return;
	}
	json_t *arr = json_object_get(r, "started");
	sbuf_printf(out, "%lld tick%s, %zu run%s started\n", (long long)json_integer_value(json_object_get(r, "ticks")),
		    json_integer_value(json_object_get(r, "ticks")) == 1 ? "" : "s", json_array_size(arr),
		    json_array_size(arr) == 1 ? "" : "s");
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) {
		const char *e = json_string_value(json_object_get(x, "error"));
		sbuf_printf(out, "  trigger %lld: pipeline %s run %lld (%s)%s%s\n",
			    (long long)json_integer_value(json_object_get(x, "trigger")),
			    json_string_value(json_object_get(x, "pipeline")),
			    (long long)json_integer_value(json_object_get(x, "run")),
			    json_string_value(json_object_get(x, "reason")), e ? ": " : "", e ? e : "");
	}
}

/* ---- lineage, export ------------------------------------------------------------- */
static int exec_lineage(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	return pipeline_lineage(ws, call->argv[0], &call->result, err);
}

static void render_artifacts(json_t *arr, const char *verb, int indent, struct sbuf *out)
{
	size_t i;
	json_t *a;
	json_array_foreach(arr, i, a)
		sbuf_printf(out, "%*s%s %s %s (%.16s)\n", indent, "", verb,
			    json_string_value(json_object_get(a, "kind")), json_string_value(json_object_get(a, "name")),
			    json_string_value(json_object_get(a, "fingerprint")));
}

static void render_lineage(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	sbuf_printf(out, "%s %s (%.16s)\n", json_string_value(json_object_get(r, "kind")),
		    json_string_value(json_object_get(r, "name")), json_string_value(json_object_get(r, "fingerprint")));
	if (!json_is_true(json_object_get(r, "recorded"))) {
		sbuf_puts(out, "  no pipeline run read or wrote it\n");
		return;
	}
	static const char *const sides[] = {"upstream", "downstream"};
	for (int k = 0; k < 2; k++) {
		json_t *arr = json_object_get(r, sides[k]);
		sbuf_printf(out, "%s:%s\n", k ? "downstream (what it fed)" : "upstream (what made it)",
			    json_array_size(arr) ? "" : " none");
		size_t i;
		json_t *x;
		json_array_foreach(arr, i, x) {
			int d = 2 * (int)json_integer_value(json_object_get(x, "depth"));
			sbuf_printf(out, "%*spipeline %s run %lld step %s: %s\n", d, "",
				    json_string_value(json_object_get(x, "pipeline")),
				    (long long)json_integer_value(json_object_get(x, "run")),
				    json_string_value(json_object_get(x, "step")),
				    json_string_value(json_object_get(x, "command")));
			render_artifacts(json_object_get(x, "inputs"), "read ", d + 2, out);
			render_artifacts(json_object_get(x, "outputs"), "wrote", d + 2, out);
		}
	}
}

static int exec_export(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *format = call_opt(call, "--format");
	if (format && strcmp(format, "argo") != 0)
		return pm_errcf(err, PM_E_USAGE, "pipeline export: unknown format '%s' (argo is the one there is)",
				format);
	struct workspace *ws;
	struct pipeline *p;
	if (session_ws(s, &ws, err) < 0 || pipeline_fetch(ws, call->argv[0], &p, err) < 0)
		return -1;
	struct sbuf y = {0};
	pipeline_argo(p, &y);
	pipeline_free(p);
	const char *file = call_opt(call, "--out");
	if (file && fs_write_atomic(file, y.s, y.len, err) < 0) {
		sbuf_free(&y);
		return -1;
	}
	call->result = json_pack("{s:s,s:s,s:s?}", "format", "argo", "yaml", y.s, "file", file);
	sbuf_free(&y);
	return 0;
}

static void render_export(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	const char *file = json_string_value(json_object_get(r, "file"));
	if (file)
		sbuf_printf(out, "wrote the Argo Workflow to %s (`argo submit %s` runs it)\n", file, file);
	else
		sbuf_puts(out, json_string_value(json_object_get(r, "yaml")));
}

/* ---- the table ------------------------------------------------------------------- */
static const struct cmd_opt no_opts[] = {{0}};

static const struct cmd_opt run_opts[] = {
	{"--param", 0, "K=V", COMPLETE_NONE, NULL, "a parameter's value for this run (repeat for more)", true},
	{"--jobs", 'j', "N", COMPLETE_NONE, NULL, "steps that may run at once (default 1)"},
	{"--retries", 0, "N", COMPLETE_NONE, NULL,
	 "times a failed step is tried again, for steps without their own `retries` (default 0)"},
	{"--no-cache", 0, NULL, COMPLETE_NONE, NULL, "run every step, even one whose inputs are unchanged"},
	{"--detach", 0, NULL, COMPLETE_NONE, NULL, "run in the background as a job (`jobs`)"},
	{"--concurrent", 0, NULL, COMPLETE_NONE, NULL,
	 "start even while another run of the pipeline is queued or running"},
	{0}};

static const struct cmd_opt resume_opts[] = {
	{"--concurrent", 0, NULL, COMPLETE_NONE, NULL,
	 "resume even while another run of the pipeline is queued or running"},
	{"--detach", 0, NULL, COMPLETE_NONE, NULL, "continue in the background as a job (`jobs`)"},
	{0}};

static const struct cmd_opt trigger_opts[] = {
	{"--every", 0, "D", COMPLETE_NONE, NULL, "a run every D (90s, 30m, 1h, 2d)"},
	{"--on-file", 0, "GLOB", COMPLETE_FILE, NULL,
	 "a run for each new file (or new content of a file) matching GLOB"},
	{"--as", 0, "PARAM", COMPLETE_NONE, NULL,
	 "with --on-file: the parameter that gets the file's path (default file)"},
	{"--on-alert", 0, "KIND", COMPLETE_WORDS, "drift|skew|quality|error_rate|latency",
	 "a run when monitoring raises an alert of KIND for MODEL"},
	{"--param", 0, "K=V", COMPLETE_NONE, NULL, "a parameter's value for its runs (repeat for more)", true},
	{0}};

static const struct cmd_opt run_show_opts[] = {
	{"--step", 0, "NAME", COMPLETE_NONE, NULL, "that step only: its command, inputs, outputs and log"},
	{"--wait", 0, NULL, COMPLETE_NONE, NULL, "wait until the run has ended, then show it"},
	{"--timeout", 0, "S", COMPLETE_NONE, NULL, "with --wait: give up after S seconds (default: wait)"},
	{0}};
static const struct cmd_opt scheduler_opts[] = {
	{"--once", 0, NULL, COMPLETE_NONE, NULL, "look at the triggers once and return"},
	{"--tick", 0, "S", COMPLETE_NONE, NULL, "seconds between looks at the triggers (default 1)"},
	{"--detach", 0, NULL, COMPLETE_NONE, NULL, "run in the background as a job (`jobs`; `job cancel` stops it)"},
	{"--job", 0, "ID", COMPLETE_NONE, NULL, "report to job ID (what --detach starts)"},
	{0}};

static const struct cmd_opt export_opts[] = {
	{"--format", 0, "FMT", COMPLETE_WORDS, "argo", "argo (the default): an Argo Workflows Workflow (YAML)"},
	{"--out", 0, "FILE", COMPLETE_FILE, NULL, "write it to FILE instead of printing it"},
	{0}};

const struct cmd_entry cmd_group_pipeline[] = {
	{.name = "pipeline load", .group = "pipelines", .args = "FILE", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_FILE}, .opts = no_opts,
	 .summary = "check a pipeline file and store it in the workspace",
	 .help = "A pipeline file names the pipeline, its parameters and its steps, one to a line:\n"
		 "pipeline taxi\n"
		 "param data = datasets/taxi/train.csv\n"
		 "step ingest : load taxi_raw ${data}\n"
		 "step schema : schema infer taxi_raw --as taxi after ingest\n"
		 "step train  : train fare --data taxi_raw --label fare after schema retries 1\n"
		 "step gate   : models promote fare --to production after train when train.metrics.r2 > 0.5\n"
		 "Each step is one prodml command. `after A,B` lists the steps it waits for; "
		 "`when STEP.FIELD OP VALUE` runs it only when a field of an upstream step's JSON "
		 "result compares true (OP is < <= > >= == !=; an array compares by its length, so "
		 "`when check.anomalies == 0` works); `retries N` tries a failed step again. The "
		 "clauses end the command at the first unquoted word after, when or retries, and may "
		 "also stand on indented lines below the step. ${NAME} is a parameter's value; "
		 "`pipeline run --param` overrides it. # starts a comment.\n"
		 "Loading checks the file and names the line of each problem: the syntax, a duplicate "
		 "step, an unknown step in `after`, a cycle (its steps), an undefined ${parameter}, "
		 "an unknown command or bad usage, and a step that reads a dataset, model, schema or "
		 "file that no upstream step writes and the workspace does not have. What a command "
		 "reads and writes comes from its entry in the command table (`load NAME --sql "
		 "QUERY` reads the datasets its query names after FROM and JOIN). Loading a file of the "
		 "same pipeline name replaces the definition; its runs stay.",
	 .exec = exec_load, .render = render_load},
	{.name = "pipeline list", .group = "pipelines", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "the pipelines of the workspace",
	 .help = "One line per pipeline: steps, runs, the last run and its state. With -o json: "
		 "{\"pipelines\":[{\"name\",\"steps\",\"params\",\"runs\",\"last_run\",\"last_state\",\"file\"}]}.",
	 .exec = exec_list, .render = render_list},
	{.name = "pipeline show", .group = "pipelines", .args = "P", .min_args = 1, .max_args = 1,
	 .opts = no_opts, .summary = "a pipeline's definition",
	 .help = "Prints the definition as it was loaded. With -o json: the name, parameters, steps "
		 "(command, after, when, retries, line) and the order the steps run in.",
	 .exec = exec_show, .render = render_show},
	{.name = "pipeline run", .group = "pipelines", .args = "P", .min_args = 1, .max_args = 1,
	 .opts = run_opts, .summary = "run a pipeline's steps in the order of its DAG",
	 .help = "Runs each step as its own prodml process (`prodml -q -W WS -o json -c COMMAND`), "
		 "up to --jobs at once, each as soon as the steps it comes after are done. A step "
		 "whose command (after parameters are put in), prodml version and inputs (the "
		 "datasets' content fingerprints, the files' sha256, the model versions' artifacts) "
		 "match an earlier successful execution whose outputs are still in the workspace is "
		 "not run again: it is shown as cached. --no-cache runs every step.\n"
		 "A step that fails (after its retries) stops the steps downstream of it; the others "
		 "go on, and the run fails naming the step and its error. A step whose `when` is "
		 "false is skipped, and so is everything downstream of it. Each step's output is "
		 "kept as its log (`pipeline run show`), with its inputs and outputs, which also "
		 "feed `pipeline lineage`. `pipeline resume` continues a run that failed or was "
		 "killed. With --detach the run is a background job (`jobs`, `job wait`).\n"
		 "One run of a pipeline at a time: while a run of P is queued or running (its "
		 "process alive), another is refused with an error naming that run, whether a person "
		 "or a trigger asks; the check and the new run's record are one transaction, so two "
		 "processes asking at the same instant cannot both start one. --concurrent starts "
		 "the run beside the other (two runs that write the same datasets or models then "
		 "race each other); triggers never do.",
	 .exec = exec_run, .render = render_run},
	{.name = "pipeline runs", .group = "pipelines", .args = "[P]", .min_args = 0, .max_args = 1,
	 .opts = no_opts, .summary = "runs of the pipelines, newest first",
	 .help = "One line per run: state (queued, running, done, failed) and how many steps are in "
		 "each state (waiting, running, cached, done, failed, skipped). A run whose process "
		 "died is shown as failed.",
	 .exec = exec_runs, .render = render_runs},
	{.name = "pipeline run show", .group = "pipelines", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = run_show_opts, .summary = "a run's steps: state, time, inputs, outputs and log",
	 .help = "Each step with its state, seconds, attempts, the command it ran, what it read and "
		 "wrote (with fingerprints), its cache key, its JSON result and its log. --wait "
		 "first waits until the run has ended (a detached run, or one a trigger started), "
		 "done or failed alike: unlike `job wait`, a failed run is shown, not an error; "
		 "--timeout S gives up after S seconds. --step NAME shows that step only (its log, "
		 "as the workbench's Pipelines screen opens it). Each step lists the steps it comes "
		 "after (\"after\"), from the definition the run runs.",
	 .exec = exec_run_show, .render = render_run},
	{.name = "pipeline resume", .group = "pipelines", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = resume_opts, .summary = "continue a failed or killed run",
	 .help = "Runs again every step of run ID that is not done, cached or skipped, with the "
		 "run's definition and parameters; a step's process left over from a killed run is "
		 "ended first. Steps already done are not run again. Refused while another process "
		 "runs ID, or (unless --concurrent) while another run of its pipeline is queued or "
		 "running. With --detach the run goes on as a background job (`jobs`).",
	 .exec = exec_resume, .render = render_run},
	{.name = "pipeline lineage", .group = "pipelines", .args = "ARTIFACT", .min_args = 1,
	 .max_args = 1, .opts = no_opts, .summary = "what made an artifact and what it fed",
	 .help = "ARTIFACT is a dataset, a model version (M:V, M@ALIAS, or M for the latest), a "
		 "schema or a file path, at its current content. Upstream: the step executions that "
		 "wrote it, what they read, what wrote that, and so on; downstream: the executions "
		 "that read it and what they wrote, and so on (ML Metadata's artifacts, executions "
		 "and events, in the tables lineage_artifacts and lineage_events).",
	 .exec = exec_lineage, .render = render_lineage},
	{.name = "pipeline trigger", .group = "pipelines", .args = "P [MODEL]", .min_args = 1,
	 .max_args = 2, .pos_complete = {COMPLETE_NONE, COMPLETE_MODEL}, .opts = trigger_opts,
	 .summary = "run a pipeline on a schedule, on new files or on monitoring alerts",
	 .help = "Records a trigger that `pipeline scheduler` answers: --every D starts a run every "
		 "D; --on-file GLOB starts one run for each file matching GLOB that it has not seen "
		 "(a file whose content changes counts as new), with the file's path as the "
		 "parameter named by --as; --on-alert KIND MODEL starts a run when monitoring raises "
		 "an alert of KIND (drift, skew, quality, error_rate, latency) for MODEL after the "
		 "trigger was made: `monitor` and `monitor feedback` start it themselves as the "
		 "alert opens, as a background job, and report it (the scheduler answers an alert "
		 "that came while the pipeline was running). This is the stored, per-model form of the alert.on_KIND "
		 "settings. --param values go to every run it starts. A pipeline never has "
		 "two runs at once: while one is queued or running, what its triggers ask for waits.",
	 .exec = exec_trigger, .render = render_trigger},
	{.name = "pipeline triggers", .group = "pipelines", .args = "[P]", .min_args = 0, .max_args = 1,
	 .opts = no_opts, .summary = "the triggers, with their runs so far",
	 .help = "One line per trigger: its pipeline, when it fires, how many runs it started and "
		 "when it last did.",
	 .exec = exec_triggers, .render = render_triggers},
	{.name = "pipeline trigger delete", .group = "pipelines", .args = "ID", .min_args = 1,
	 .max_args = 1, .opts = no_opts, .summary = "remove a trigger",
	 .help = "The trigger's runs stay.", .exec = exec_trigger_delete},
	{.name = "pipeline scheduler", .group = "pipelines", .args = "", .min_args = 0, .max_args = 0,
	 .opts = scheduler_opts, .summary = "answer the triggers: start the runs they ask for",
	 .help = "Looks at every trigger each --tick seconds and starts the runs they ask for, each "
		 "as a background job (`jobs`, `pipeline runs`), never a second run of a pipeline "
		 "while one is queued or running. Runs until interrupted (Ctrl-C), or until `job "
		 "cancel` when it runs as a job (--detach). --once looks once and returns. One "
		 "scheduler per workspace: it holds WS/scheduler.lock (flock) while it runs, and "
		 "another one, in the foreground or detached, is refused with an error naming its "
		 "pid and job; the lock goes with the process, so a killed scheduler blocks no later "
		 "one. The "
		 "result: {\"ticks\",\"started\":[{\"trigger\",\"pipeline\",\"reason\",\"run\",\"job\"}]}.",
	 .exec = exec_scheduler, .render = render_scheduler},
	{.name = "pipeline export", .group = "pipelines", .args = "P", .min_args = 1, .max_args = 1,
	 .opts = export_opts, .summary = "a pipeline as an Argo Workflows Workflow",
	 .help = "Writes a Workflow (argoproj.io/v1alpha1) whose DAG has one task per step, with the "
		 "step's `after` as dependencies, `retries` as retryStrategy.limit and `when` as an "
		 "expression over the upstream task's JSON output. Each task runs the same prodml "
		 "command in a container whose image is the workflow parameter `image`; the "
		 "pipeline's parameters are workflow parameters, and every task mounts one volume "
		 "(claim `work`, at /work) that holds the workspace (parameter `workspace`) and the "
		 "data files.",
	 .exec = exec_export, .render = render_export},
	{0}};
