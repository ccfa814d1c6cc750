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
		 "rebuilds the same workspace.",
	 .exec = exec_save_log, .render = render_save_log, .flags = CMD_F_NO_WORKSPACE},
	{0}};
