/* The prodml(1) manual page, generated from the command table so that it
 * cannot drift from `help`. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

void cmd_roff(struct sbuf *b, const char *s)
{
	bool line_start = true;
	for (; *s; s++) {
		if (line_start && (*s == '.' || *s == '\''))
			sbuf_puts(b, "\\&");
		line_start = false;
		if (*s == '\\')
			sbuf_puts(b, "\\e");
		else if (*s == '-')
			sbuf_puts(b, "\\-");
		else if (*s == '\n') {
			sbuf_puts(b, "\n.PP\n");
			line_start = true;
		} else
			sbuf_putc(b, *s);
	}
}

static const char *const man_head =
	".TH PRODML 1 \"\" \"prodml " PACKAGE_VERSION "\" \"User Commands\"\n"
	".SH NAME\n"
	"prodml \\- a terminal workbench for production machine\\-learning systems\n"
	".SH SYNOPSIS\n"
	".B prodml\n"
	"[\\fIoptions\\fR]\n"
	".br\n"
	".B prodml\n"
	"[\\fIoptions\\fR] \\fB\\-c\\fR \\fI'COMMAND; COMMAND'\\fR\n"
	".br\n"
	".B prodml\n"
	"[\\fIoptions\\fR] \\fB\\-f\\fR \\fIFILE\\fR\n"
	".br\n"
	".B prodml\n"
	"[\\fIoptions\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
	".SH DESCRIPTION\n"
	"prodml explores and validates data, trains and evaluates models, keeps them in a\n"
	"registry and serves them, all from one workspace on the local machine.\n"
	"Every action is a command; the same commands run in the interactive REPL, in\n"
	"script files, from standard input and from \\fB\\-c\\fR.\n"
	".PP\n"
	"With standard input and output on a terminal, prodml opens the interactive\n"
	"workbench; otherwise it reads commands from standard input.\n"
	"In scripts, commands are separated by newlines or \\fB;\\fR, and \\fB#\\fR starts a\n"
	"comment. Words are split at spaces; single or double quotes keep spaces, and a\n"
	"quoted string may span lines.\n"
	".SH OPTIONS\n"
	".TP\n.BR \\-c \" \" \\fICOMMANDS\\fR\nRun the commands and exit.\n"
	".TP\n.BR \\-f \" \" \\fIFILE\\fR\nRun a script file (\\fB\\-\\fR for standard input).\n"
	".TP\n.B \\-\\-repl\nThe line REPL (GNU readline), even on a terminal.\n"
	"It exits 0 however it is left (\\fBquit\\fR or Ctrl\\-D).\n"
	".TP\n.BR \\-W \", \" \\-\\-workspace \" \" \\fIDIR\\fR\n"
	"The workspace directory (default \\fI./.prodml\\fR, or \\fBPRODML_WORKSPACE\\fR), or a\n"
	"PostgreSQL workspace: \\fBpostgresql://\\fIUSER\\fB@\\fIHOST\\fB/\\fIDB\\fB?artifacts=\\fIDIR\\fR, its\n"
	"tables in that database and its files in \\fIDIR\\fR (see \\fBworkspace migrate\\fR).\n"
	".TP\n.BR \\-o \", \" \\-\\-output \" \" \\fBtable\\fR|\\fBjson\\fR|\\fBcsv\\fR\n"
	"Result format. With \\fBjson\\fR each command prints exactly one JSON document on one line.\n"
	".TP\n.BR \\-q \", \" \\-\\-quiet\nNo progress output.\n"
	".TP\n.BR \\-v \", \" \\-\\-verbose\n"
	"Scripts (\\fB\\-f\\fR, \\fB\\-c\\fR, standard input, \\fBsource\\fR) show each command and\n"
	"comment line, prefixed \\fBprodml> \\fR, before its output (as \\fBset echo on\\fR).\n"
	"Output of a command that an alert hook runs always follows a line naming the hook,\n"
	"like \\fBalert.on_drift> train ...\\fR. These lines go to standard output with the\n"
	"results, or to standard error with \\fB\\-o json\\fR.\n"
	".TP\n.B \\-\\-keep\\-going\nA failing command does not stop the script.\n"
	".TP\n.B \\-\\-man\nPrint this manual page (roff) and exit.\n"
	".TP\n.B \\-\\-version\nPrint the version and exit.\n";

static const char *const man_tail =
	".SH WORKSPACE\n"
	"The workspace directory holds \\fIprodml.db\\fR, a SQLite database in WAL mode whose\n"
	"schema version is \\fBPRAGMA user_version\\fR (prodml migrates older workspaces\n"
	"forward), \\fIartifacts/\\fR, files named by the sha256 of their content, and\n"
	"\\fIspool/\\fR, where servers keep the requests they log until they are in the database.\n"
	"An artifact stays until \\fBworkspace gc\\fR finds that no column refers to it\n"
	"(datasets.artifact, versions.artifact, the fingerprints of datasets, versions, runs,\n"
	"stats and lineage_artifacts); \\fIartifacts/tmp-PID-*\\fR files are being written, and\n"
	"those of processes that are gone are removed when the workspace is opened.\n"
	"Tables, which \\fBsqlite3\\fR(1) can query:\n"
	".TP\n.B datasets\nLoaded datasets: name, artifact, fingerprint, rows, columns, source.\n"
	".TP\n.B load_cache\nThe columnar cache of CSV files, keyed by the file's content fingerprint.\n"
	".TP\n.B stats\nFeature statistics per dataset fingerprint and slice, as JSON.\n"
	".TP\n.B schemas\nSchemas by name, in their text form.\n"
	".TP\n.B audit\nWho did what and when: loads, drops, schema edits, registrations.\n"
	".TP\n.BR runs \", \" run_epochs\nTraining runs (configuration, state, checkpoint) and their per-epoch metrics.\n"
	".TP\n.B jobs\nBackground jobs (\\fBtrain \\-\\-detach\\fR): process id, state, progress.\n"
	".TP\n.BR models \", \" versions\nThe registry: models and their numbered versions with artifact, lineage and metrics;\n"
	"\\fBversions.baseline\\fR holds, as JSON, the statistics of the training data that monitoring\n"
	"compares traffic with (per input: rows, missing values, decile edges and bin counts, TFDV's\n"
	"histogram, value counts), NULL for versions registered before it was kept.\n"
	".TP\n.BR aliases \", \" alias_events\nAliases and the audit log of every move (who, when, from, to, why).\n"
	".TP\n.B model_policies\nPromotion gates: primary metric, threshold and slice floors.\n"
	".TP\n.B servers\nRunning and stopped prediction servers.\n"
	".TP\n.B requests\nThe request log that servers write: time, version, latency, status, features, prediction.\n"
	".TP\n.B spool_progress\nHow far each server's spool (\\fIspool/\\fR) has been moved into \\fBrequests\\fR.\n"
	".TP\n.BR rollups \", \" alerts\nOne-minute rollups of compacted requests, and monitoring alerts.\n"
	".TP\n.B feedback\nGround truth joined to logged predictions by \\fBmonitor feedback\\fR (live quality).\n"
	".TP\n.BR pipelines \", \" pipeline_runs\nPipeline definitions (their text) and runs: state, parameters, the definition run, the job of a detached run.\n"
	".TP\n.B executions\nOne row per step of a run: state, command, cache key, inputs and outputs with their fingerprints, result, log, attempts, time.\n"
	".TP\n.BR lineage_artifacts \", \" lineage_events\nDatasets, model versions, schemas and files by content fingerprint, and which execution read (input) or wrote (output) each.\n"
	".TP\n.BR pipeline_triggers \", \" pipeline_trigger_files\nTriggers of \\fBpipeline scheduler\\fR (a period, a file pattern or an alert kind and model) and the files each has answered.\n"
	".TP\n.BR designs \", \" design_probes\nArchitecture designs (\\fBdesign\\fR: model, data, the design as JSON) and the predict rates their probes measured.\n"
	".TP\n.BR labs \", \" lab_steps\nTeaching labs started or run here (\\fBlab\\fR: the file, its steps, the started one) and each step done: how (run or guided), the command that passed, when; see \\fBprodml\\-labs\\fR(7).\n"
	".SH EXIT STATUS\n"
	"0 when every command succeeded; 1 when a command failed (a script stops and prints\n"
	"\\fIFILE\\fR:\\fILINE\\fR: \\fImessage\\fR); 2 for a usage error.\n"
	"The interactive REPL exits 0 whether it is left with \\fBquit\\fR or Ctrl\\-D and\n"
	"whatever failed in it: each error was printed when it happened. For a status that\n"
	"says whether commands failed, run them with \\fB\\-c\\fR, \\fB\\-f\\fR or from standard input.\n"
	".SH ENVIRONMENT\n"
	".TP\n.B PRODML_WORKSPACE\nThe workspace directory when \\fB\\-W\\fR is not given.\n"
	".TP\n.B PRODML_DB\nA PostgreSQL URI: a directory workspace keeps its tables in that server,\n"
	"in a schema of its own (named in the directory's \\fIdb-schema\\fR file), and its files in\n"
	"the directory.\n"
	".TP\n.B PRODML_HOST\nThe name this machine records itself by in the workspace (servers, runs,\n"
	"jobs; default its host name).  Hosts that share a PostgreSQL workspace judge only their own\n"
	"processes: set it where host names clash.  A server bound to \\fB0.0.0.0\\fR records\n"
	"this name in its URL unless \\fBserve \\-\\-advertise\\fR says otherwise.\n"
	".TP\n.B NO_COLOR\nNo colours; ASCII figures.\n"
	".TP\n.B XDG_STATE_HOME\nThe REPL keeps its history in \\fI$XDG_STATE_HOME/prodml/history\\fR\n"
	"(default \\fI~/.local/state/prodml/history\\fR).\n"
	".SH SEE ALSO\n"
	"\\fBsqlite3\\fR(1)\n";

char *cmd_man_page(const char *faces)
{
	struct sbuf b = {0};
	sbuf_puts(&b, man_head);
	sbuf_puts(&b, ".SH COMMANDS\n");
	const char *group = NULL;
	for (size_t i = 0, n = cmd_count(); i < n; i++) {
		const struct cmd_entry *e = cmd_at(i);
		if (!group || strcmp(group, e->group) != 0) {
			group = e->group;
			sbuf_puts(&b, ".SS ");
			cmd_roff(&b, group);
			sbuf_putc(&b, '\n');
		}
		sbuf_printf(&b, ".TP\n.B ");
		cmd_roff(&b, e->name);
		if (e->args && *e->args) {
			sbuf_puts(&b, " \\fI");
			cmd_roff(&b, e->args);
			sbuf_puts(&b, "\\fR");
		}
		sbuf_putc(&b, '\n');
		cmd_roff(&b, e->summary);
		sbuf_puts(&b, ".\n");
		if (e->help && *e->help) {
			sbuf_puts(&b, ".IP\n");
			/* paragraphs of help stay inside the item */
			for (const char *p = e->help; *p;) {
				const char *nl = strchr(p, '\n');
				char *para = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
				cmd_roff(&b, para);
				sbuf_putc(&b, '\n');
				free(para);
				if (!nl)
					break;
				sbuf_puts(&b, ".IP\n");
				p = nl + 1;
			}
		}
		for (const struct cmd_opt *o = e->opts; o && o->name; o++) {
			sbuf_puts(&b, ".RS\n.TP\n.B ");
			if (o->shortname)
				sbuf_printf(&b, "\\-%c, ", o->shortname);
			cmd_roff(&b, o->name);
			if (o->arg) {
				sbuf_puts(&b, " \\fI");
				cmd_roff(&b, o->arg);
				sbuf_puts(&b, "\\fR");
			}
			sbuf_putc(&b, '\n');
			cmd_roff(&b, o->help ? o->help : "");
			sbuf_puts(&b, "\n.RE\n");
		}
	}
	if (faces)
		sbuf_puts(&b, faces);
	sbuf_puts(&b, man_tail);
	return sbuf_steal(&b);
}
