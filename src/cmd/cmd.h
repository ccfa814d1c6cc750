/* cmd — the session, the command table and command execution.
 * The REPL, scripts and the TUI run user actions through cmd_run_line /
 * cmd_run.  The HTTP server is started by the serve command and answers
 * prediction requests with src/serve's engine, not through commands. */
#ifndef PM_CMD_H
#define PM_CMD_H

#include "util/util.h"

#include <jansson.h>

struct workspace;
struct frame;
struct lab;

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

/* What a positional argument or option value completes to. */
enum complete_kind {
	COMPLETE_NONE,
	COMPLETE_FILE,
	COMPLETE_DATASET,
	COMPLETE_COLUMN,
	COMPLETE_MODEL,
	COMPLETE_COMMAND,
	COMPLETE_SCHEMA,
	COMPLETE_SETTING,
	COMPLETE_WORDS,     /* one of the words in `words` */
};

struct cmd_opt {
	const char *name;        /* "--by" */
	char shortname;          /* 'n' for -n, or 0 */
	const char *arg;         /* value name ("COL"), NULL for a flag */
	enum complete_kind complete;
	const char *words;       /* for COMPLETE_WORDS: "a|b|c" */
	const char *help;
	bool repeat;             /* may be given more than once: the values joined by '\n' */
};

/* What a command reads and writes, declared beside it in the table:
 * pipelines (src/pipeline) take their data edges, cache keys and lineage
 * from it, so a new command declares its inputs and outputs where it is
 * defined. */
enum cmd_io_kind { IO_NONE, IO_DATASET, IO_MODEL, IO_SCHEMA, IO_FILE };
struct cmd_io {
	const char *arg;         /* "1": the first positional argument; or an option, "--data" */
	enum cmd_io_kind kind;
	bool writes;
	const char *fallback;    /* when arg is not given, this argument's value ("1") */
	const char *suffixes;    /* what is written is the value + each suffix ("_train,_eval") */
	const char *suffix_opt;  /* an option listing other suffixes ("--names": a,b -> _a,_b) */
	bool sql;                /* the value is a query: the tables it reads (sql_scan_tables) */
	const char *unless;      /* not when this option is given ("--db": the tables are not datasets) */
};

struct session;
struct cmd_call;

typedef int (*cmd_exec_fn)(struct session *s, struct cmd_call *call, struct pm_err *err);
/* Prints a result as a human-readable table/text.  NULL: the generic renderer. */
typedef void (*cmd_render_fn)(struct session *s, const struct cmd_call *call, json_t *result,
			      struct sbuf *out);

#define CMD_MAX_POS_COMPLETE 4

struct cmd_entry {
	const char *name;        /* "load", or "schema infer" for a subcommand */
	const char *group;       /* "data", "validation", ... */
	const char *args;        /* positional synopsis: "NAME PATH" */
	int min_args, max_args;  /* positional counts; max -1 = unlimited */
	enum complete_kind pos_complete[CMD_MAX_POS_COMPLETE];
	const struct cmd_opt *opts; /* terminated by {0} */
	const char *summary;     /* one line */
	const char *help;        /* paragraphs for `help CMD` and the man page */
	cmd_exec_fn exec;
	cmd_render_fn render;
	unsigned flags;          /* CMD_F_* */
	const struct cmd_io *io; /* what it reads and writes; terminated by {0} */
};
#define CMD_F_NO_WORKSPACE 1u  /* runs without opening the workspace */
/* not kept in the history: the commands it runs are (lab next), so a
 * replay runs them once */
#define CMD_F_NO_HISTORY 2u

#define CMD_MAX_OPTS 64
struct cmd_call {
	const struct cmd_entry *entry;
	int argc;                  /* positional arguments */
	char **argv;
	const char *optval[CMD_MAX_OPTS]; /* by index into entry->opts; flags get "" */
	json_t *result;            /* set by exec; printed by the face */
	const char *where;         /* "FILE:LINE" of a script line, for messages */
	char *joined[CMD_MAX_OPTS]; /* values of repeated options (owned; cmd_call_done frees) */
};
/* Frees what cmd_call_parse allocated for a call. */
void cmd_call_done(struct cmd_call *c);
/* An option's value (NULL when not given); `name` is its long name. */
const char *call_opt(const struct cmd_call *c, const char *name);
bool call_flag(const struct cmd_call *c, const char *name);
/* Option parsed as a number; a malformed value is a usage error. */
int call_opt_int(const struct cmd_call *c, const char *name, long long dflt, long long *out,
		 struct pm_err *err);
int call_opt_double(const struct cmd_call *c, const char *name, double dflt, double *out,
		    struct pm_err *err);

/* ---- the session: all mutable state of one prodml process lives here --- */
struct loaded_frame {
	struct frame *frame;
	char *fingerprint;
	struct loaded_frame *next;
};

struct setting {
	char *key, *value;
	struct setting *next;
};
/* A list of settings as a small map: the value of key (NULL when absent),
 * setting one (a copy), freeing them all. */
const char *settings_get(const struct setting *list, const char *key);
void settings_put(struct setting **list, const char *key, const char *value);
void settings_free(struct setting **list);

struct session {
	char *ws_dir;                /* path of the workspace directory */
	struct workspace *ws;        /* opened on first use */
	enum out_format format;
	bool quiet;
	bool tty;                    /* stderr is a terminal: draw progress bars */
	bool keep_going;
	bool echo;                   /* -v, set echo: scripts show each command */
	volatile int *cancel;        /* set by SIGINT; commands poll it */
	struct progress progress;    /* draws a bar on stderr when it is a TTY */
	void *progress_state;
	struct loaded_frame *frames; /* datasets already mapped in this session */
	struct setting *settings;
	char **history;
	size_t nhistory, caphistory;
	/* background jobs this session started and has not waited for yet:
	 * its history waits for each where the session saw it end */
	struct session_job *jobs;
	size_t njobs, capjobs;
	int source_depth;
	/* labs (src/cmd/cmd-lab.c): where `lab run` collects the result of
	 * the command it runs (NULL otherwise), and the lab `lab start`
	 * started, its current step and the step's next command */
	json_t **capture;
	struct lab *lab;
	size_t lab_step, lab_cmd;
	bool lab_failed;             /* the last command checked failed its checks */
	char *lab_note;              /* what that check gave: the step done, or the
				      * failed check and its hint (the workbench's panel) */
	bool quit;
	FILE *out;                   /* results */
	FILE *errs;                  /* messages and progress */
};

struct session_job {
	int64_t id;
	bool ended, done;   /* seen in a final state; that state was "done" */
};

void session_init(struct session *s, const char *ws_dir, volatile int *cancel);
/* Appends a command line to the history (`history`, save-log). */
void session_history_add(struct session *s, const char *line);
/* A `--detach` command returns before its job has done its work, so a
 * history that replays must wait where the session waited.  The workbench
 * never blocks for a job (the Train form starts each run detached), so the
 * waits are found, not typed: before each command session_jobs_poll notes
 * which of the session's jobs have ended; once the command worked,
 * session_jobs_log adds `job wait ID` to the history ahead of it for those
 * that ended done (a failed one is left to fail again).  A job the session
 * waited for or cancelled itself needs nothing more.  Recording the run
 * without --detach instead would replay a cancelled job to its end and
 * leave `job` commands naming no job.  In src/cmd/cmd-train.c. */
void session_jobs_poll(struct session *s);
void session_jobs_log(struct session *s, const struct cmd_call *call);
/* After the command's own line: follows the job it started, if any. */
void session_jobs_follow(struct session *s, const struct cmd_call *call);
/* The waits a log saved now ends with: the jobs not known to have failed
 * (a replay must not exit with its jobs still running). */
void session_jobs_pending(const struct session *s, struct sbuf *b);
/* After each command (not a `lab` one) while a lab is started: checks
 * its result against the step's, advances or shows the hint.  In
 * src/cmd/cmd-lab.c. */
void session_lab_observe(struct session *s, const struct cmd_call *call, int rc,
			 const struct pm_err *err);
/* Shows a command (or comment) before its output: "PROMPT> TEXT", the
 * lines after the first of TEXT indented under it.  On stdout with the
 * results, or on the message stream with -o json, whose stdout holds
 * nothing but the JSON documents. */
void cmd_echo(struct session *s, const char *prompt, const char *text);
void session_free(struct session *s);
/* The workspace, opened (and created) on first use. */
int session_ws(struct session *s, struct workspace **ws, struct pm_err *err);
/* A dataset by name: mapped from its cache artifact once per session. */
int session_frame(struct session *s, const char *name, struct frame **f, struct pm_err *err);
/* Registers a new frame as dataset `f->name`: saves its cache artifact and
 * records it in the workspace, replacing an older dataset of that name.
 * Takes ownership of f. `source` says where it came from. */
int session_store_frame(struct session *s, struct frame *f, const char *source,
			const char *artifact_hint, struct pm_err *err);
/* Forgets a cached frame (after its dataset was replaced or dropped). */
void session_forget_frame(struct session *s, const char *name);
/* The keys `set` accepts and what each is for (`set` lists them, completion
 * offers them); terminated by {0}. */
struct setting_doc {
	const char *key, *about;
};
extern const struct setting_doc cmd_settings[];
const char *session_get(const struct session *s, const char *key);
void session_set(struct session *s, const char *key, const char *value);
/* Threads to use (setting "threads", default all CPUs). */
int session_threads(const struct session *s);
/* `set sync full`: a dataset's columnar cache is on the disk before the
 * command that stored it returns (default: left to the kernel's write-back). */
bool session_sync_full(const struct session *s);
/* How long the request log keeps raw requests and rollups, in days: the
 * call's --keep-days and --rollup-days, else the settings
 * monitor.retention_days and monitor.rollup_days, else 30 and 400. */
int monitor_retention_days(struct session *s, const struct cmd_call *call, long long *keep,
			   long long *rollup, struct pm_err *err);
/* Answers the alert triggers (`pipeline trigger P --on-alert KIND MODEL`)
 * that alerts opened since they were last answered ask for, as monitoring
 * does when it opens alerts: each run starts in the background as a job.
 * [{"trigger","pipeline","reason","run","job"} (with "error" when a run
 * could not start)]; empty when none. */
json_t *pipeline_answer_alerts(struct session *s, struct workspace *ws);

/* ---- the table ------------------------------------------------------------------- */
/* Each group file (cmd-data.c, cmd-validate.c, ...) defines one array of
 * entries terminated by an entry whose name is NULL; cmd.c lists the groups
 * in help order.  Help, completion and the man page all walk this table. */
extern const struct cmd_entry cmd_group_data[];
extern const struct cmd_entry cmd_group_validate[];
extern const struct cmd_entry cmd_group_train[];
extern const struct cmd_entry cmd_group_registry[];
extern const struct cmd_entry cmd_group_edge[];     /* models quantize (src/cmd/cmd-edge.c) */
extern const struct cmd_entry cmd_group_serve[];
extern const struct cmd_entry cmd_group_monitor[];
extern const struct cmd_entry cmd_group_session[];
extern const struct cmd_entry cmd_group_pipeline[];
extern const struct cmd_entry cmd_group_design[];
extern const struct cmd_entry cmd_group_lab[];     /* src/cmd/cmd-lab.c */
extern const struct cmd_entry cmd_group_tui[];     /* save-log (src/cmd/cmd-tui.c) */
size_t cmd_count(void);
const struct cmd_entry *cmd_at(size_t i);
/* Finds the entry for argv (longest match of "word word"); *used gets the
 * number of words taken by the name. */
const struct cmd_entry *cmd_find(int argc, char **argv, int *used);
const struct cmd_entry *cmd_lookup(const char *name);
/* Parses the words after a command's name into call (call->argv must hold
 * argc + 1 pointers); a usage error names the command. */
int cmd_call_parse(const struct cmd_entry *e, int argc, char **argv, struct cmd_call *call,
		   struct pm_err *err);
/* Calls fn for each dataset, model, schema or file that a parsed call
 * reads or writes, as its entry's io declares. */
void cmd_call_io(const struct cmd_call *call,
		 void (*fn)(void *ctx, enum cmd_io_kind kind, const char *name, bool writes),
		 void *ctx);
/* A parsed call as one command line, options in table order (the
 * command of a job). */
char *cmd_call_text(const struct cmd_call *call);
/* Usage line: "load NAME PATH [--no-header] ..." (caller frees). */
char *cmd_usage(const struct cmd_entry *e);
/* The man page, generated from the table (roff text); faces is what the
 * faces add (the workbench's keys), in roff, or NULL. */
char *cmd_man_page(const char *faces);
/* Appends text to a manual page in roff: dashes, backslashes and lines
 * starting with a dot escaped; a newline starts a paragraph. */
void cmd_roff(struct sbuf *b, const char *s);

/* ---- running ----------------------------------------------------------------------- */
/* Splits a line into commands (';' outside quotes) and words (shell-like
 * quoting; '#' starts a comment).  Returns the number of commands and
 * fills *cmds with NULL-terminated word arrays; free with cmdline_free. */
int cmdline_parse(const char *line, char ****cmds, struct pm_err *err);
void cmdline_free(char ***cmds);
/* Appends w to b as one word of a command line: as is when plain, else in
 * single quotes (the history and the workbench's prefilled prompts). */
void cmd_quote_word(struct sbuf *b, const char *w);
/* Runs one command given as words; prints its result.  Returns 0, or -1
 * with err filled (err->code PM_E_USAGE for usage errors). */
int cmd_run(struct session *s, char **words, const char *where, struct pm_err *err);
/* The same, left out of the history: a read the workbench makes to redraw
 * a view is not something the user did, and a replay need not repeat it. */
int cmd_run_unlogged(struct session *s, char **words, const char *where, struct pm_err *err);
/* Runs every command of one line. */
int cmd_run_line(struct session *s, const char *line, const char *where, struct pm_err *err);
/* Prints a result in the session's format. */
void cmd_print_result(struct session *s, const struct cmd_call *call, json_t *result);
/* Runs a script file (or "-" for stdin); stops at the first failure unless
 * keep_going. Messages go to s->errs as "FILE:LINE: message".
 * Returns 0, 1 (a command failed) or 2 (usage error). */
int cmd_run_script(struct session *s, FILE *in, const char *label);

/* Candidates for the word that ends at `point` in line (NULL-terminated,
 * sorted; free with str_list_free); *word_start is where that word begins. */
char **cmd_complete(struct session *s, const char *line, size_t point, size_t *word_start);

/* ---- output helpers for renderers ---------------------------------------------- */
/* The generic renderer: objects as "key: value" lines, arrays of objects as
 * aligned tables, {"columns","rows"} as a grid. */
void render_generic(json_t *v, struct sbuf *out);
/* An aligned text table that owns its cells: made with ncols headers
 * (copied) and which columns align right (NULL: none), filled a cell at a
 * time, row after row, then rendered and freed in one call.  Columns are
 * two spaces apart and headers left-aligned; a narrow table (the
 * statistics tables, which fit 80 columns) puts one space between the
 * columns after the second and aligns headers with their columns. */
struct table;
struct table *table_new(size_t ncols, const char *const *headers, const bool *right);
void table_narrow(struct table *t);
void table_right(struct table *t, size_t col, bool right);
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A cell of text s (NULL: empty). */
void table_str(struct table *t, const char *s);
/* A cell the table takes over (a malloc'd string; NULL: empty). */
void table_take(struct table *t, char *cell);
/* A number cell: v times scale printed with fmt (one double), "-" when v
 * is not a number. */
void table_num(struct table *t, json_t *v, double scale, const char *fmt)
	__attribute__((format(printf, 4, 0)));
size_t table_rows(const struct table *t);
/* A JSON integer as a cell ("-" when v is not one: a version or run that
 * is not there); caller frees. */
char *render_int(json_t *v);
void table_render(struct table *t, struct sbuf *out);
/* A number as metrics print it: integers whole, others to 6 significant
 * digits, NA when not finite. */
void render_metric_num(struct sbuf *out, double v);
/* Model metrics as aligned "name  value" lines after `indent`: the primary
 * metric of `task` (model_primary_metric) first, the others in a fixed
 * order, then a confusion matrix, its rows and columns named by "classes"
 * when the metrics have them. */
void render_metrics(json_t *m, const char *task, const char *indent, struct sbuf *out);
/* Per-slice metrics ([{slice, value, rows, metrics}]) as a "slices:" table
 * of the main metrics, the primary one of `task` first; nothing when empty. */
void render_slices(json_t *slices, const char *task, struct sbuf *out);
/* Text wrapped at width display columns, every line indented by indent;
 * each '\n' of text starts a new paragraph. */
void render_wrap(struct sbuf *out, const char *text, int indent, int width);
/* A copy of s cut to at most w display columns, ending in an ellipsis ("…",
 * or "~" where terminal output is ASCII) when it had to be cut. */
char *render_cut(const char *s, int w);
/* A number in at most 7 columns, as the statistics and distance tables
 * print it: 4 significant digits when they fit, else fewer, with a short
 * exponent ("1.7e10"); "-" for NaN.  Returns buf or a constant. */
const char *render_num(double v, char *buf, size_t n);
/* A p-value with two significant digits ("1.2e-12"); one that underflowed
 * to 0 is "<1e-300" (it is smaller than a double holds, not zero), NaN "-". */
const char *render_p(double p, char *buf, size_t n);
/* Writes v as compact JSON, numbers in their shortest round-trip form. */
void json_write(json_t *v, struct sbuf *b);

/* models export --format c (src/cmd/cmd-edge.c): writes the predictor of
 * version v to path (a file, a directory, or NULL: the current one) and
 * sets its result; the text of that result. */
struct reg_version;
int edge_export_c(struct session *s, const struct reg_version *v, const char *path, json_t **result,
		  struct pm_err *err);
void edge_render_export_c(json_t *r, struct sbuf *out);

#endif
