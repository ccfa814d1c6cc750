/* Session commands: help, set, source, history, quit. */
#include "cmd.h"

#include "train/train.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static json_t *entry_json(const struct cmd_entry *e, bool full)
{
	char *u = cmd_usage(e);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", e->name, "group", e->group,
			      "summary", e->summary, "usage", u);
	free(u);
	if (full) {
		json_object_set_new(o, "help", json_string(e->help ? e->help : ""));
		json_t *opts = json_array();
		for (const struct cmd_opt *op = e->opts; op && op->name; op++) {
			json_t *jo = json_pack("{s:s, s:s}", "name", op->name, "help",
					       op->help ? op->help : "");
			if (op->arg)
				json_object_set_new(jo, "arg", json_string(op->arg));
			if (op->shortname) {
				char sh[3] = {'-', op->shortname, 0};
				json_object_set_new(jo, "short", json_string(sh));
			}
			json_array_append_new(opts, jo);
		}
		json_object_set_new(o, "options", opts);
	}
	return o;
}

static int exec_help(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	if (call->argc > 0) {
		int used;
		const struct cmd_entry *e = cmd_find(call->argc, call->argv, &used);
		if (!e || used != call->argc) {
			/* `help schema` lists the subcommands of schema */
			json_t *list = json_array();
			for (size_t i = 0, n = cmd_count(); i < n; i++) {
				const struct cmd_entry *x = cmd_at(i);
				if (str_prefix(x->name, call->argv[0]) &&
				    x->name[strlen(call->argv[0])] == ' ')
					json_array_append_new(list, entry_json(x, false));
			}
			if (call->argc == 1 && json_array_size(list) > 0) {
				call->result = json_pack("{s:o}", "commands", list);
				return 0;
			}
			json_decref(list);
			return pm_errcf(err, PM_E_USAGE, "help: no command \"%s\" (see `help`)",
					call->argv[0]);
		}
		call->result = entry_json(e, true);
		return 0;
	}
	json_t *list = json_array();
	for (size_t i = 0, n = cmd_count(); i < n; i++)
		json_array_append_new(list, entry_json(cmd_at(i), false));
	call->result = json_pack("{s:o}", "commands", list);
	return 0;
}

static void render_help(struct session *s, const struct cmd_call *call, json_t *r,
			struct sbuf *out)
{
	json_t *cmds = json_object_get(r, "commands");
	if (cmds) {
		const char *group = NULL;
		for (size_t i = 0; i < json_array_size(cmds); i++) {
			json_t *c = json_array_get(cmds, i);
			const char *g = json_string_value(json_object_get(c, "group"));
			if (!group || strcmp(group, g) != 0) {
				sbuf_printf(out, "%s%s:\n", group ? "\n" : "", g);
				group = g;
			}
			sbuf_printf(out, "  %-18s %s\n", json_string_value(json_object_get(c, "name")),
				    json_string_value(json_object_get(c, "summary")));
		}
		if (call->argc == 0)
			sbuf_puts(out, "\n`help COMMAND` describes a command and its options.\n");
		return;
	}
	sbuf_printf(out, "usage: %s\n\n", json_string_value(json_object_get(r, "usage")));
	render_wrap(out, json_string_value(json_object_get(r, "summary")), 2, 78);
	const char *help = json_string_value(json_object_get(r, "help"));
	if (help && *help) {
		sbuf_putc(out, '\n');
		render_wrap(out, help, 2, 78);
	}
	json_t *opts = json_object_get(r, "options");
	if (json_array_size(opts)) {
		sbuf_puts(out, "\noptions:\n");
		for (size_t i = 0; i < json_array_size(opts); i++) {
			json_t *o = json_array_get(opts, i);
			const char *arg = json_string_value(json_object_get(o, "arg"));
			const char *sh = json_string_value(json_object_get(o, "short"));
			char head[96];
			snprintf(head, sizeof head, "%s%s%s%s%s", sh ? sh : "", sh ? ", " : "",
				 json_string_value(json_object_get(o, "name")), arg ? " " : "",
				 arg ? arg : "");
			sbuf_printf(out, "  %s\n", head);
			render_wrap(out, json_string_value(json_object_get(o, "help")), 6, 78);
		}
	}
}

const struct setting_doc cmd_settings[] = {
	{"output", "result format: table, json or csv (as -o)"},
	{"quiet", "on: no progress output (as -q)"},
	{"threads", "worker threads for parallel work (default: all CPUs)"},
	{"sync", "full: a stored dataset's columnar cache reaches the disk before the command ends (default normal: the kernel writes it back)"},
	{"device", "where train runs its step when --device is not given: cpu, cuda or auto (default cpu)"},
	{"keep-going", "on: a failing command does not stop a script"},
	{"echo", "on: scripts show each command and comment before its output (as -v)"},
	{"monitor.schema", "schema whose skew and drift thresholds monitor uses"},
	{"monitor.threshold", "both distances' threshold at once (default: as below)"},
	{"monitor.linf_threshold", "L-infinity over which a categorical feature may alert (default 0.05)"},
	{"monitor.jsd_threshold", "JSD over which a numeric feature may alert (default 0.02)"},
	{"monitor.missing_threshold", "change of the missing share that may alert (default 0.05)"},
	{"monitor.alpha", "significance level of the checks, after Holm (default 0.005)"},
	{"monitor.error_rate", "error rate over which a window alerts (default 0.05)"},
	{"monitor.latency_p99_ms", "p99 latency over which a window alerts (default 500)"},
	{"monitor.min_requests", "requests a window needs to alert on errors or latency (default 10)"},
	{"monitor.quality_drop", "relative quality loss that alerts (default 0.1)"},
	{"monitor.quality_min_rows", "labelled rows a quality alert needs (default 30)"},
	{"monitor.retention_days", "days of raw requests kept (default 30)"},
	{"monitor.rollup_days", "days of rollups and feedback kept (default 400)"},
	{"alert.on_skew", "command run when a skew alert opens"},
	{"alert.on_drift", "command run when a drift alert opens"},
	{"alert.on_missing", "command run when a missing-share alert opens"},
	{"alert.on_error_rate", "command run when an error-rate alert opens"},
	{"alert.on_latency", "command run when a latency alert opens"},
	{"alert.on_quality", "command run when a quality alert opens"},
	{0}};

static int exec_set(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	if (call->argc == 0) {
		json_t *list = json_array();
		for (const struct setting_doc *d = cmd_settings; d->key; d++) {
			const char *k = d->key;
			const char *v = session_get(s, k);
			char buf[16];
			if (strcmp(k, "output") == 0)
				v = s->format == OUT_JSON ? "json" : s->format == OUT_CSV ? "csv" : "table";
			else if (strcmp(k, "quiet") == 0)
				v = s->quiet ? "on" : "off";
			else if (strcmp(k, "keep-going") == 0)
				v = s->keep_going ? "on" : "off";
			else if (strcmp(k, "echo") == 0)
				v = s->echo ? "on" : "off";
			else if (strcmp(k, "threads") == 0 && !v) {
				snprintf(buf, sizeof buf, "%d", session_threads(s));
				v = buf;
			}
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "key", k, "value",
							      v ? v : "", "about", d->about));
		}
		call->result = json_pack("{s:o}", "settings", list);
		return 0;
	}
	if (call->argc != 2)
		return pm_errcf(err, PM_E_USAGE, "set: expected KEY VALUE");
	const char *k = call->argv[0], *v = call->argv[1];
	/* a misspelt key would be stored and never read: the setting the user
	 * meant silently keeps its default */
	struct str_near nr;
	str_near_init(&nr, k);
	bool known = false;
	for (const struct setting_doc *d = cmd_settings; d->key && !known; d++) {
		known = strcmp(d->key, k) == 0;
		str_near_offer(&nr, d->key);
	}
	if (!known && nr.best)
		return pm_errcf(err, PM_E_USAGE,
				"set: unknown setting %s; did you mean %s? (`set` lists the settings)", k,
				nr.best);
	if (!known)
		return pm_errcf(err, PM_E_USAGE, "set: unknown setting %s (`set` lists the settings)", k);
	bool on = str_eq_ci(v, "on") || str_eq_ci(v, "true") || strcmp(v, "1") == 0;
	bool off = str_eq_ci(v, "off") || str_eq_ci(v, "false") || strcmp(v, "0") == 0;
	if (strcmp(k, "output") == 0) {
		if (strcmp(v, "table") == 0)
			s->format = OUT_TABLE;
		else if (strcmp(v, "json") == 0)
			s->format = OUT_JSON;
		else if (strcmp(v, "csv") == 0)
			s->format = OUT_CSV;
		else
			return pm_errcf(err, PM_E_USAGE, "set output: expected table, json or csv, got \"%s\"", v);
	} else if (strcmp(k, "quiet") == 0 || strcmp(k, "keep-going") == 0 ||
		   strcmp(k, "echo") == 0) {
		if (!on && !off)
			return pm_errcf(err, PM_E_USAGE, "set %s: expected on or off, got \"%s\"", k, v);
		if (k[0] == 'q')
			s->quiet = on;
		else if (k[0] == 'e')
			s->echo = on;
		else
			s->keep_going = on;
	} else if (strcmp(k, "device") == 0) {
		enum train_device d;
		if (!train_device_parse(v, &d))
			return pm_errcf(err, PM_E_USAGE, "set device: expected cpu, cuda or auto (gpu is cuda), got \"%s\"", v);
	} else if (strcmp(k, "sync") == 0) {
		if (strcmp(v, "normal") != 0 && strcmp(v, "full") != 0)
			return pm_errcf(err, PM_E_USAGE, "set sync: expected normal or full, got \"%s\"", v);
	} else if (strcmp(k, "threads") == 0) {
		int64_t n;
		if (!parse_int64(v, strlen(v), &n) || n < 1 || n > 256)
			return pm_errcf(err, PM_E_USAGE, "set threads: expected a number from 1 to 256, got \"%s\"", v);
	}
	session_set(s, k, v);
	return 0;
}

static int exec_source(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	if (s->source_depth >= 16)
		return pm_errf(err, "source: scripts nested too deeply (16 levels)");
	FILE *in = fopen(call->argv[0], "r");
	if (!in)
		return pm_errf(err, "source: %s: %s", call->argv[0], strerror(errno));
	s->source_depth++;
	int rc = cmd_run_script(s, in, call->argv[0]);
	s->source_depth--;
	fclose(in);
	if (rc != 0)
		return pm_errcf(err, rc == 2 ? PM_E_USAGE : PM_E_FAIL,
				"source: %s stopped at a failing command", call->argv[0]);
	return 0;
}

static int exec_history(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	json_t *list = json_array();
	for (size_t i = 0; i < s->nhistory; i++)
		json_array_append_new(list, json_string(s->history[i]));
	call->result = json_pack("{s:o}", "history", list);
	return 0;
}

static void render_history(struct session *s, const struct cmd_call *call, json_t *r,
			   struct sbuf *out)
{
	json_t *h = json_object_get(r, "history");
	for (size_t i = 0; i < json_array_size(h); i++)
		sbuf_printf(out, "%s\n", json_string_value(json_array_get(h, i)));
}

static int exec_quit(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	s->quit = true;
	return 0;
}

static const struct cmd_opt no_opts[] = {{0}};

const struct cmd_entry cmd_group_session[] = {
	{.name = "help", .group = "session", .args = "[COMMAND]", .min_args = 0, .max_args = 2,
	 .pos_complete = {COMPLETE_COMMAND}, .opts = no_opts,
	 .summary = "list the commands, or describe one",
	 .help = "Without an argument, lists every command by group. With a command name "
		 "(`help load`, `help schema infer`), prints its usage, what it does and its "
		 "options. The same text is in the prodml(1) manual page.",
	 .exec = exec_help, .render = render_help, .flags = CMD_F_NO_WORKSPACE},
	{.name = "set", .group = "session", .args = "[KEY VALUE]", .min_args = 0, .max_args = 2,
	 .pos_complete = {COMPLETE_SETTING}, .opts = no_opts,
	 .summary = "show or change a session setting",
	 .help = "Without arguments, lists the settings. Keys: output (table, json or csv), "
		 "quiet (on/off), threads (a number), keep-going (on/off), echo (on/off: a "
		 "script shows each command and comment, prefixed \"prodml> \", before its "
		 "output, as -v does); monitor.schema, "
		 "monitor.threshold, monitor.linf_threshold, monitor.jsd_threshold, "
		 "monitor.missing_threshold, monitor.alpha, monitor.error_rate, monitor.latency_p99_ms, "
		 "monitor.min_requests, monitor.quality_drop, monitor.quality_min_rows, "
		 "monitor.retention_days and monitor.rollup_days (see `help monitor`); "
		 "alert.on_skew, alert.on_drift, alert.on_missing, alert.on_error_rate, alert.on_latency and "
		 "alert.on_quality (a command run when such an alert opens, for any model, in this "
		 "session; its output follows a line naming the hook, like \"alert.on_drift> train "
		 "...\"; `pipeline trigger P --on-alert KIND MODEL` runs a pipeline instead and is "
		 "kept in the workspace). Any other key is "
		 "an error that names the closest known one.",
	 .exec = exec_set, .flags = CMD_F_NO_WORKSPACE},
	{.name = "source", .group = "session", .args = "FILE", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_FILE}, .opts = no_opts,
	 .summary = "run the commands of a script file",
	 .help = "Runs FILE as a script: one command per line or separated by `;`, `#` starts "
		 "a comment. The first failing command stops it unless keep-going is on.",
	 .exec = exec_source, .flags = CMD_F_NO_WORKSPACE},
	{.name = "history", .group = "session", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "list the commands run in this session",
	 .help = "Prints this session's commands as a script that `prodml -f` replays.",
	 .exec = exec_history, .render = render_history, .flags = CMD_F_NO_WORKSPACE},
	{.name = "quit", .group = "session", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "leave prodml",
	 .help = "Ends the REPL or script. The REPL exits 0 however it is left (quit or Ctrl-D) "
		 "and whatever failed in it: each error was printed when it happened. Run "
		 "commands with -c, -f or from stdin for an exit status that says whether they "
		 "failed (1 a command failed, 2 a usage error).", .exec = exec_quit, .flags = CMD_F_NO_WORKSPACE},
	{0}};
