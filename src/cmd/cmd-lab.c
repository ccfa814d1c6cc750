/* Teaching labs: list, run headless, start guided, status, reset.  The
 * format and the checks are src/lab's; this file runs a lab's commands
 * through cmd_run and hands their results to the checks. */
#include "cmd.h"
#include "lab/lab.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool line_complete(const char *text)
{
	char ***cmds;
	struct pm_err err = {0};
	int n = cmdline_parse(text, &cmds, &err);
	if (n < 0)
		return false;
	cmdline_free(cmds);
	return true;
}

static const char *lab_dir(const struct cmd_call *call)
{
	const char *d = call ? call_opt(call, "--dir") : NULL;
	return d ? d : "labs";
}

static int open_lab(const struct cmd_call *call, const char *name, struct lab **l,
		    struct pm_err *err)
{
	char *path;
	if (lab_find(lab_dir(call), name, &path, err) < 0)
		return -1;
	int rc = lab_read(path, line_complete, l, err);
	free(path);
	return rc;
}

/* Runs one command line of a lab; *result gets the last command's result
 * (NULL when none or when it failed). */
static int run_line(struct session *s, const char *text, const char *where, json_t **result,
		    struct pm_err *err)
{
	char ***cmds;
	*result = NULL;
	int n = cmdline_parse(text, &cmds, err);
	if (n < 0)
		return -1;
	int rc = 0;
	json_t **saved = s->capture;
	s->capture = result;
	for (int i = 0; i < n && rc == 0; i++) {
		json_decref(*result);
		*result = NULL;
		rc = cmd_run(s, cmds[i], where, err);
	}
	s->capture = saved;
	cmdline_free(cmds);
	return rc;
}

/* Checks one command's result: 0 when all hold, -1 with err saying which
 * failed, the value it saw and its hint. */
static int check_cmd(struct session *s, const struct lab *l, const struct lab_cmd *c, int rc,
		     const struct pm_err *cerr, json_t *result, bool echo, struct pm_err *err)
{
	if (c->fails) {
		if (rc == 0)
			return pm_errf(err, "%s:%zu: the command was to fail (%s) and it worked%s%s",
				       l->path, c->line, c->fails, c->fails_hint ? "\nhint: " : "",
				       c->fails_hint ? c->fails_hint : "");
		if (!strstr(cerr->msg, c->fails))
			return pm_errf(err, "%s:%zu: the command failed with \"%s\", not with \"%s\"%s%s",
				       l->path, c->line, cerr->msg, c->fails,
				       c->fails_hint ? "\nhint: " : "", c->fails_hint ? c->fails_hint : "");
		if (echo) {
			char m[600];
			snprintf(m, sizeof m, "fails with \"%s\": ok", c->fails);
			cmd_echo(s, "check", m);
		}
	} else if (rc < 0) {
		pm_errf(err, "%s:%zu: %s", l->path, c->line, cerr->msg);
		err->code = cerr->code;
		return -1;
	}
	for (size_t k = 0; k < c->nchecks; k++) {
		const struct lab_check *ck = &c->checks[k];
		char *got;
		struct pm_err e = {0};
		int ok = lab_check_eval(ck->expr, result, rc < 0 ? cerr->msg : NULL, &got, &e);
		if (ok < 0)
			return pm_errcf(err, PM_E_USAGE, "%s:%zu: %s", l->path, ck->line, e.msg);
		if (!ok) {
			pm_errf(err, "%s:%zu: check failed: %s (got %s)%s%s", l->path, ck->line, ck->expr,
				got, ck->hint ? "\nhint: " : "", ck->hint ? ck->hint : "");
			free(got);
			return -1;
		}
		if (echo) {
			struct sbuf m = {0};
			/* the value seen, when it is one short value */
			if (got && strlen(got) <= 40 && got[0] != '[' && got[0] != '{')
				sbuf_printf(&m, "%s: ok (%s)", ck->expr, got);
			else
				sbuf_printf(&m, "%s: ok", ck->expr);
			cmd_echo(s, "check", m.s);
			sbuf_free(&m);
		}
		free(got);
	}
	return 0;
}

static json_t *lab_brief(const struct lab *l)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "name", l->name, "title", l->title,
			 "course", l->course, "time", l->time, "steps", (json_int_t)l->nsteps,
			 "checks", (json_int_t)lab_nchecks(l));
}

/* ---- lab list ------------------------------------------------------------------ */
static int exec_lab_list(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	char **names;
	size_t n;
	if (lab_names(lab_dir(call), &names, &n, err) < 0)
		return -1;
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		struct lab *l;
		struct pm_err e = {0};
		char *path = xmalloc(strlen(lab_dir(call)) + strlen(names[i]) + 10);
		sprintf(path, "%s/%s.prodml", lab_dir(call), names[i]);
		if (lab_read(path, line_complete, &l, &e) < 0) {
			json_array_append_new(a, json_pack("{s:s, s:s}", "name", names[i], "error", e.msg));
		} else {
			json_array_append_new(a, lab_brief(l));
			lab_free(l);
		}
		free(path);
	}
	str_list_free(names);
	call->result = json_pack("{s:s, s:o}", "dir", lab_dir(call), "labs", a);
	return 0;
}

static void render_lab_list(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	static const char *const head[] = {"LAB", "STEPS", "CHECKS", "TITLE"};
	static const bool right[] = {false, true, true, false};
	struct table *t = table_new(4, head, right);
	json_t *a = json_object_get(r, "labs"), *x;
	size_t i;
	json_array_foreach (a, i, x) {
		table_str(t, json_string_value(json_object_get(x, "name")));
		const char *e = json_string_value(json_object_get(x, "error"));
		if (e) {
			table_str(t, "-");
			table_str(t, "-");
			table_take(t, render_cut(e, 70));
			continue;
		}
		table_take(t, render_int(json_object_get(x, "steps")));
		table_take(t, render_int(json_object_get(x, "checks")));
		table_take(t, render_cut(json_string_value(json_object_get(x, "title")), 60));
	}
	if (table_rows(t) == 0)
		sbuf_printf(out, "no labs in %s\n", json_string_value(json_object_get(r, "dir")));
	table_render(t, out);
}

/* ---- lab run ------------------------------------------------------------------- */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec_lab_run(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct lab *l;
	if (open_lab(call, call->argv[0], &l, err) < 0)
		return -1;
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0) {
		lab_free(l);
		return -1;
	}
	double t0 = now_s();
	size_t passed = 0;
	int rc = 0;
	for (size_t i = 0; i < l->nsteps && rc == 0; i++) {
		const struct lab_step *st = &l->steps[i];
		char head[400];
		snprintf(head, sizeof head, "step %zu/%zu: %s", i + 1, l->nsteps, st->title);
		cmd_echo(s, "lab", head);
		for (size_t j = 0; j < st->ncmds && rc == 0; j++) {
			const struct lab_cmd *c = &st->cmds[j];
			char where[512];
			snprintf(where, sizeof where, "%s:%zu", l->path, c->line);
			cmd_echo(s, "prodml", c->text);
			json_t *res = NULL;
			struct pm_err cerr = {0};
			int crc = run_line(s, c->text, where, &res, &cerr);
			if (crc < 0 && c->fails)
				cmd_echo(s, "error", cerr.msg);
			rc = check_cmd(s, l, c, crc, &cerr, res, true, err);
			json_decref(res);
			if (rc == 0)
				passed += c->nchecks + (c->fails != NULL);
		}
		if (rc == 0)
			rc = lab_progress_done(ws, l, i + 1, "run", st->cmds[st->ncmds - 1].text, err);
	}
	double secs = now_s() - t0;
	call->result = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:f}", "lab", l->name, "title",
				 l->title, "course", l->course, "steps", (json_int_t)l->nsteps,
				 "checks", (json_int_t)lab_nchecks(l), "passed", (json_int_t)passed,
				 "ok", rc == 0, "seconds", secs);
	lab_free(l);
	return rc;
}

static void render_lab_run(struct session *s, const struct cmd_call *call, json_t *r,
			   struct sbuf *out)
{
	if (!json_is_true(json_object_get(r, "ok")))
		return;   /* the error says which check failed */
	json_int_t n = json_integer_value(json_object_get(r, "checks"));
	sbuf_printf(out, "lab %s: %lld step%s, %lld check%s passed\n",
		    json_string_value(json_object_get(r, "lab")),
		    (long long)json_integer_value(json_object_get(r, "steps")),
		    json_integer_value(json_object_get(r, "steps")) == 1 ? "" : "s", (long long)n,
		    n == 1 ? "" : "s");
}

/* ---- guided: lab start, lab next, and the checks on what the student runs --------- */
static void set_note(struct session *s, bool failed, const char *note)
{
	free(s->lab_note);
	s->lab_note = xstrdup(note);
	s->lab_failed = failed;
}
static json_t *step_json(const struct lab *l, size_t step, size_t cmd, const bool *done)
{
	size_t ndone = 0;
	for (size_t i = 0; i < l->nsteps; i++)
		ndone += done[i];
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "lab", l->name, "title", l->title,
			      "course", l->course, "steps", (json_int_t)l->nsteps, "done",
			      (json_int_t)ndone);
	if (step >= l->nsteps) {
		json_object_set_new(o, "step", json_null());
		return o;
	}
	const struct lab_step *st = &l->steps[step];
	json_t *cmds = json_array();
	for (size_t j = 0; j < st->ncmds; j++)
		json_array_append_new(cmds, json_string(st->cmds[j].text));
	json_object_set_new(o, "step", json_pack("{s:I, s:s, s:s, s:o, s:s}", "number",
						 (json_int_t)step + 1, "title", st->title, "text",
						 st->text, "commands", cmds, "next",
						 st->cmds[cmd].text));
	return o;
}

/* The first step not done, from the workspace's progress. */
static int first_undone(struct workspace *ws, const struct lab *l, bool **done, size_t *step,
			struct pm_err *err)
{
	if (lab_progress_steps(ws, l, done, err) < 0)
		return -1;
	*step = 0;
	while (*step < l->nsteps && (*done)[*step])
		(*step)++;
	return 0;
}

static int exec_lab_start(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct lab *l;
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0 || open_lab(call, call->argv[0], &l, err) < 0)
		return -1;
	bool *done;
	size_t step;
	if (lab_progress_start(ws, l, err) < 0 || first_undone(ws, l, &done, &step, err) < 0) {
		lab_free(l);
		return -1;
	}
	lab_free(s->lab);
	s->lab = l;
	s->lab_step = step;
	s->lab_cmd = 0;
	set_note(s, false, "");
	call->result = step_json(l, step, 0, done);
	free(done);
	return 0;
}

static void render_lab_step(struct sbuf *out, json_t *r)
{
	json_t *st = json_object_get(r, "step");
	sbuf_printf(out, "lab %s: %s\n", json_string_value(json_object_get(r, "lab")),
		    json_string_value(json_object_get(r, "title")));
	const char *course = json_string_value(json_object_get(r, "course"));
	if (course && *course)
		sbuf_printf(out, "course: %s\n", course);
	if (!json_is_object(st)) {
		sbuf_printf(out, "all %lld steps done (`lab reset` starts over)\n",
			    (long long)json_integer_value(json_object_get(r, "steps")));
		return;
	}
	sbuf_printf(out, "\nstep %lld/%lld: %s\n\n",
		    (long long)json_integer_value(json_object_get(st, "number")),
		    (long long)json_integer_value(json_object_get(r, "steps")),
		    json_string_value(json_object_get(st, "title")));
	const char *text = json_string_value(json_object_get(st, "text"));
	if (text && *text) {
		render_wrap(out, text, 2, 78);
		sbuf_putc(out, '\n');
	}
	sbuf_printf(out, "run: %s\n", json_string_value(json_object_get(st, "next")));
	sbuf_puts(out, "(`lab next` runs it, or type your own)\n");
}

static void render_lab_start(struct session *s, const struct cmd_call *call, json_t *r,
			     struct sbuf *out)
{
	render_lab_step(out, r);
}

/* After a command the student ran while a lab is started: when it is the
 * command the step suggests next (the same command, by name), its checks
 * run on its result; the step advances when they hold, else the hint
 * shows.  Other commands pass by. */
void session_lab_observe(struct session *s, const struct cmd_call *call, int rc,
			 const struct pm_err *cerr)
{
	struct lab *l = s->lab;
	if (!l || s->lab_step >= l->nsteps || strncmp(call->entry->name, "lab", 3) == 0)
		return;
	const struct lab_step *st = &l->steps[s->lab_step];
	const struct lab_cmd *c = &st->cmds[s->lab_cmd];
	char ***cmds;
	struct pm_err e = {0};
	int n = cmdline_parse(c->text, &cmds, &e);
	if (n <= 0) {
		if (n == 0)
			cmdline_free(cmds);
		return;
	}
	int used = 0, argc = 0;
	while (cmds[n - 1][argc])
		argc++;
	const struct cmd_entry *want = cmd_find(argc, cmds[n - 1], &used);
	cmdline_free(cmds);
	if (want != call->entry)
		return;
	struct pm_err err = {0};
	if (check_cmd(s, l, c, rc, cerr, call->result, true, &err) < 0) {
		cmd_echo(s, "lab", err.msg);
		/* the student reads the check and its hint, not where the lab file has them */
		const char *msg = err.msg;
		size_t pl = strlen(l->path);
		if (strncmp(msg, l->path, pl) == 0 && msg[pl] == ':') {
			const char *q = strchr(msg + pl + 1, ':');
			if (q && q[1] == ' ')
				msg = q + 2;
		}
		set_note(s, true, msg);
		return;
	}
	set_note(s, false, "");
	if (++s->lab_cmd < st->ncmds)
		return;
	struct workspace *ws;
	char *text = cmd_call_text(call);
	if (session_ws(s, &ws, &err) < 0 ||
	    lab_progress_done(ws, l, s->lab_step + 1, "guided", text, &err) < 0) {
		cmd_echo(s, "lab", err.msg);
		free(text);
		return;
	}
	free(text);
	bool *done;
	size_t step;
	if (first_undone(ws, l, &done, &step, &err) < 0) {
		cmd_echo(s, "lab", err.msg);
		return;
	}
	char m[400];
	snprintf(m, sizeof m, "step %zu done: %s", s->lab_step + 1, st->title);
	cmd_echo(s, "lab", m);
	set_note(s, false, m);
	s->lab_step = step;
	s->lab_cmd = 0;
	json_t *r = step_json(l, step, 0, done);
	struct sbuf b = {0};
	render_lab_step(&b, r);
	fputs(b.s, s->format == OUT_JSON ? s->errs : s->out);
	fflush(s->format == OUT_JSON ? s->errs : s->out);
	sbuf_free(&b);
	json_decref(r);
	free(done);
}

static int exec_lab_next(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct lab *l = s->lab;
	if (!l)
		return pm_errcf(err, PM_E_USAGE, "no lab started in this session (`lab start NAME`)");
	if (s->lab_step >= l->nsteps)
		return pm_errf(err, "lab %s: every step is done (`lab reset %s` starts over)", l->name,
			       l->name);
	const struct lab_cmd *c = &l->steps[s->lab_step].cmds[s->lab_cmd];
	char where[512];
	snprintf(where, sizeof where, "%s:%zu", l->path, c->line);
	cmd_echo(s, "prodml", c->text);
	/* runs as if typed, so session_lab_observe checks it */
	struct pm_err cerr = {0};
	if (cmd_run_line(s, c->text, where, &cerr) < 0 && !c->fails) {
		*err = cerr;
		return -1;
	}
	return 0;
}

/* ---- lab status, lab reset --------------------------------------------------------- */
static int exec_lab_status(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	if (call->argc == 0)
		return lab_progress_list(ws, &call->result, err);
	struct lab *l;
	if (open_lab(call, call->argv[0], &l, err) < 0)
		return -1;
	json_t *rows;
	if (lab_progress_rows(ws, l->name, &rows, err) < 0) {
		lab_free(l);
		return -1;
	}
	json_t *steps = json_array();
	size_t ndone = 0;
	for (size_t i = 0; i < l->nsteps; i++) {
		json_t *row = NULL, *x;
		size_t k;
		json_array_foreach (rows, k, x)
			if (json_integer_value(json_object_get(x, "step")) == (json_int_t)i + 1)
				row = x;
		json_t *o = json_pack("{s:I, s:s, s:b}", "step", (json_int_t)i + 1, "title",
				      l->steps[i].title, "done", row != NULL);
		if (row) {
			ndone++;
			json_object_set(o, "how", json_object_get(row, "how"));
			json_object_set(o, "command", json_object_get(row, "command"));
			json_object_set(o, "time", json_object_get(row, "time"));
		}
		json_array_append_new(steps, o);
	}
	json_decref(rows);
	call->result = json_pack("{s:s, s:s, s:I, s:I, s:o}", "lab", l->name, "title", l->title,
				 "steps", (json_int_t)l->nsteps, "done", (json_int_t)ndone,
				 "rows", steps);
	lab_free(l);
	return 0;
}

static void render_lab_status(struct session *s, const struct cmd_call *call, json_t *r,
			      struct sbuf *out)
{
	json_t *labs = json_object_get(r, "labs"), *x;
	size_t i;
	if (labs) {
		if (json_array_size(labs) == 0) {
			sbuf_puts(out, "no lab started or run in this workspace (`lab list`)\n");
			return;
		}
		static const char *const head[] = {"LAB", "DONE", "STEPS", "ACTIVE", "LAST"};
		static const bool right[] = {false, true, true, false, false};
		struct table *t = table_new(5, head, right);
		json_array_foreach (labs, i, x) {
			table_str(t, json_string_value(json_object_get(x, "lab")));
			table_take(t, render_int(json_object_get(x, "done")));
			table_take(t, render_int(json_object_get(x, "steps")));
			table_str(t, json_is_true(json_object_get(x, "active")) ? "yes" : "");
			table_str(t, json_string_value(json_object_get(x, "last")));
		}
		table_render(t, out);
		return;
	}
	sbuf_printf(out, "lab %s: %lld of %lld steps done\n",
		    json_string_value(json_object_get(r, "lab")),
		    (long long)json_integer_value(json_object_get(r, "done")),
		    (long long)json_integer_value(json_object_get(r, "steps")));
	static const char *const head[] = {"STEP", "DONE", "TITLE", "HOW", "TIME"};
	static const bool right[] = {true, false, false, false, false};
	struct table *t = table_new(5, head, right);
	json_array_foreach (json_object_get(r, "rows"), i, x) {
		table_take(t, render_int(json_object_get(x, "step")));
		table_str(t, json_is_true(json_object_get(x, "done")) ? "yes" : "no");
		table_take(t, render_cut(json_string_value(json_object_get(x, "title")), 48));
		table_str(t, json_string_value(json_object_get(x, "how")));
		table_str(t, json_string_value(json_object_get(x, "time")));
	}
	table_render(t, out);
}

static int exec_lab_reset(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *name = call->argc ? call->argv[0] : NULL;
	int64_t n;
	if (lab_progress_reset(ws, name, &n, err) < 0)
		return -1;
	if (s->lab && (!name || strcmp(name, s->lab->name) == 0)) {
		s->lab_step = 0;
		s->lab_cmd = 0;
		set_note(s, false, "");
	}
	call->result = json_pack("{s:o, s:I}", "lab", name ? json_string(name) : json_null(),
				 "steps_forgotten", (json_int_t)n);
	return 0;
}

static void render_lab_reset(struct session *s, const struct cmd_call *call, json_t *r,
			     struct sbuf *out)
{
	const char *name = json_string_value(json_object_get(r, "lab"));
	json_int_t n = json_integer_value(json_object_get(r, "steps_forgotten"));
	sbuf_printf(out, "forgot %lld step%s done in %s%s\n", (long long)n, n == 1 ? "" : "s",
		    name ? "lab " : "every lab", name ? name : "");
}

static const struct cmd_opt dir_opts[] = {
	{"--dir", 0, "DIR", COMPLETE_FILE, NULL, "the folder of the labs (default labs)"},
	{0}};
static const struct cmd_opt no_opts[] = {{0}};

#define LAB_FORMAT_HELP                                                                       \
	"A lab is a prodml script (labs/NAME.prodml) whose comments carry directives: `#@ step "  \
	"TITLE` starts a step, the comments after it are the text a student reads, the command "  \
	"lines are what the step runs, `#@ expect CHECK` checks the JSON result (-o json) of the " \
	"command above it, `#@ fails TEXT` wants that command to fail, and `#@ hint TEXT` says "  \
	"what to look at when a check fails. A check is PATH [OP VALUE]: members joined by '.', " \
	"[N] or [KEY=VALUE] for an array's element, count(PATH), and `error` for a failed "       \
	"command's message; OP is == != < <= > >= ~= (equal at the digits written) or contains "  \
	"WORD.... A plain script is a lab of one step without checks. See prodml-labs(7)."

const struct cmd_entry cmd_group_lab[] = {
	{.name = "lab list", .group = "labs", .args = "", .min_args = 0, .max_args = 0,
	 .opts = dir_opts, .summary = "the teaching labs: steps, checks, title",
	 .help = "Lists the labs of the course in labs/ (or --dir): each one's steps, checks and "
		 "title; `lab run NAME` runs one headless, `lab start NAME` follows it step by step.\n" LAB_FORMAT_HELP,
	 .exec = exec_lab_list, .render = render_lab_list, .flags = CMD_F_NO_WORKSPACE},
	{.name = "lab run", .group = "labs", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = dir_opts, .summary = "run a lab headless, every check",
	 .help = "Runs every step of lab NAME (a name in labs/, or a .prodml file) in this "
		 "workspace, showing each step's title, each command and its output, and each "
		 "check that held. It stops at the first check that fails, printing the check, the "
		 "value it saw and the lab's hint, and exits 1. The steps that passed are kept as "
		 "done (`lab status`).",
	 .exec = exec_lab_run, .render = render_lab_run},
	{.name = "lab start", .group = "labs", .args = "NAME", .min_args = 1, .max_args = 1,
	 .opts = dir_opts, .summary = "follow a lab step by step",
	 .help = "Starts lab NAME in this session at its first step not done and shows the "
		 "step: its text and the command it suggests. `lab next` runs that command, or type "
		 "your own: when it is the command the step suggests (by name), the step's checks run "
		 "on its result, and the lab moves to the next step or shows the hint. Progress is "
		 "kept in the workspace; `lab start` again resumes, `lab reset` starts over. In the "
		 "workbench the step shows in a side panel.",
	 .exec = exec_lab_start, .render = render_lab_start},
	{.name = "lab next", .group = "labs", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "run the started lab's suggested command",
	 .help = "Runs the command the current step of the started lab suggests, and checks its "
		 "result as if it had been typed. The history (and save-log) keeps that command, "
		 "not `lab next`, so a saved session replays the same steps.",
	 .exec = exec_lab_next, .flags = CMD_F_NO_HISTORY},
	{.name = "lab status", .group = "labs", .args = "[NAME]", .min_args = 0, .max_args = 1,
	 .opts = dir_opts, .summary = "the steps of labs done in this workspace",
	 .help = "The teacher's view: every lab this workspace started or ran, with the steps "
		 "done; with NAME, each step of that lab, done or not, how (run or guided) and when.",
	 .exec = exec_lab_status, .render = render_lab_status},
	{.name = "lab reset", .group = "labs", .args = "[NAME]", .min_args = 0, .max_args = 1,
	 .opts = no_opts, .summary = "forget the progress through a lab",
	 .help = "Forgets the steps done of lab NAME (of every lab without NAME), so that it starts "
		 "over at its first step. The datasets and models the lab made stay.",
	 .exec = exec_lab_reset, .render = render_lab_reset},
	{0}};
