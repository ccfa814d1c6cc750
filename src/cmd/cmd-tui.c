/* Commands the workbench needs that make sense in any face: save-log. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

/* The session history as a script.  save-log lines are left out: replaying
 * a log should not write logs. */
static int exec_save_log(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *path = call->argv[0];
	struct sbuf b = {0};
	sbuf_puts(&b, "# prodml session log: `prodml -f FILE` replays it\n");
	size_t n = 0;
	for (size_t i = 0; i < s->nhistory; i++) {
		if (str_prefix(s->history[i], "save-log ") || strcmp(s->history[i], "save-log") == 0)
			continue;
		sbuf_printf(&b, "%s\n", s->history[i]);
		n++;
	}
	/* the session's jobs it has not waited for yet: a replay that exits
	 * while they run would leave them working behind it, and the
	 * workspace it leaves is the one they finish */
	struct sbuf waits = {0};
	session_jobs_pending(s, &waits);
	if (waits.len) {
		sbuf_puts(&b, "# the session's background jobs that no command above waits for\n");
		sbuf_add(&b, waits.s, waits.len);
		for (size_t i = 0; i < waits.len; i++)
			n += waits.s[i] == '\n';
	}
	sbuf_free(&waits);
	int rc = fs_write_atomic(path, b.s, b.len, err);
	sbuf_free(&b);
	if (rc < 0)
		return pm_err_prefix(err, "save-log");
	call->result = json_pack("{s:s, s:I}", "file", path, "commands", (json_int_t)n);
	return 0;
}

static void render_save_log(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	json_int_t n = json_integer_value(json_object_get(r, "commands"));
	sbuf_printf(out, "wrote %lld command%s to %s\n", (long long)n, n == 1 ? "" : "s",
		    json_string_value(json_object_get(r, "file")));
}

static const struct cmd_opt no_opts[] = {{0}};

const struct cmd_entry cmd_group_tui[] = {
	{.name = "save-log", .group = "session", .args = "FILE", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_FILE}, .opts = no_opts,
	 .summary = "save this session's commands as a script",
	 .help = "Writes the commands that worked in this session (what `history` lists) to FILE, "
		 "one per line, so that `prodml -f FILE` replays them headless. In the workbench "
		 "every action that changes the workspace is such a command, so a saved log "
		 "rebuilds the same workspace.\n"
		 "A command with --detach (the Train form starts every run so, and the workbench "
		 "never waits for one) returns before its job is done, so the log waits where the "
		 "session did: `job wait ID` comes before the first command that ran after the "
		 "job had ended, and the log ends by waiting for the jobs still running when it "
		 "was saved. Jobs the session waited for or cancelled itself keep those commands.",
	 .exec = exec_save_log, .render = render_save_log, .flags = CMD_F_NO_WORKSPACE},
	{0}};
