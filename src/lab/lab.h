/* lab — teaching labs: a prodml script whose comments carry directives,
 * read into steps (the text a student reads, the commands, the checks on
 * each command's JSON result), the checks' evaluation, and the progress
 * a workspace keeps.  Running the commands is the command layer's job
 * (src/cmd/cmd-lab.c); this folder never runs one.
 *
 * The format (man 7 prodml-labs), line by line:
 *   #@ lab TITLE            the lab's title (else the file's first comment)
 *   #@ course TEXT          the course lab it stands for
 *   #@ time TEXT            how long `lab run` takes ("20 s on 2 cores")
 *   #@ step TITLE           starts a step
 *   # TEXT                  the text a student reads (before the step's
 *                           first command; later comments are notes)
 *   COMMAND                 a prodml command line (continued as scripts
 *                           continue a quote or a trailing backslash)
 *   #@ expect CHECK         a check on the result of the command above it
 *   #@ fails TEXT           the command above must fail, its message
 *                           containing TEXT (a gate that refuses)
 *   #@ hint TEXT            what to look at when the check above fails
 * A script without "#@ step" is one step: plain scripts run as labs.
 * Directives are comments, so `prodml -f LAB` still runs a lab as a
 * script.
 *
 * A check is PATH [OP VALUE]: PATH names a value of the JSON result,
 * members joined by '.', an array element by [N] or by [KEY=VALUE] (the
 * first element whose KEY is VALUE), count(PATH) the length of an array
 * or object, and `error` the message of a command that failed; OP is one
 * of == != < <= > >= (numbers, or strings for == and !=; an order may
 * compare with another PATH of the result: input_wait_s > compute_s), ~= (equal at
 * the digits VALUE is written with: ~= 0.0225 holds for 0.02250000001),
 * contains WORD... (an array holding an element whose scalar values
 * include every word, or a string holding each word, or a list of
 * values holding each word as one of them; an object
 * whose values include every word; a string holding each word); without OP the value must exist and not be false or null. */
#ifndef PM_LAB_H
#define PM_LAB_H

#include "util/util.h"

#include <jansson.h>

struct workspace;

struct lab_check {
	char *expr;              /* as written after "expect" */
	char *hint;              /* NULL: none */
	size_t line;
};

struct lab_cmd {
	char *text;              /* the command line, as written */
	size_t line;
	char *fails;             /* NULL, or what its error must contain */
	char *fails_hint;
	struct lab_check *checks;
	size_t nchecks;
};

struct lab_step {
	char *title;
	char *text;              /* paragraphs, '\n' between them; "" when none */
	size_t line;
	struct lab_cmd *cmds;
	size_t ncmds;
};

struct lab {
	char *name;              /* the file name without .prodml */
	char *path;
	char *title, *course, *time; /* "" when not given */
	struct lab_step *steps;
	size_t nsteps;
};

/* Tells the reader whether text is a whole command line or asks for the
 * next line (an open quote, a trailing backslash): the command layer's
 * own line splitter decides, so labs read lines as scripts do. */
typedef bool (*lab_line_complete_fn)(const char *text);

/* Reads the lab in file path (name: its base name without .prodml);
 * errors name "PATH:LINE". */
int lab_read(const char *path, lab_line_complete_fn complete, struct lab **out,
	     struct pm_err *err);
int lab_parse(const char *text, const char *path, lab_line_complete_fn complete,
	      struct lab **out, struct pm_err *err);
void lab_free(struct lab *l);
/* The file of lab NAME in dir: NAME itself when it is a path ending in
 * .prodml, else DIR/NAME.prodml (NAME a plain name, never ../x); PM_E_NOTFOUND naming `lab
 * list` when there is none.  Caller frees. */
int lab_find(const char *dir, const char *name, char **path, struct pm_err *err);
/* The labs of dir: the sorted names of its *.prodml files. */
int lab_names(const char *dir, char ***names, size_t *n, struct pm_err *err);
/* Total number of checks (expect and fails) of a lab. */
size_t lab_nchecks(const struct lab *l);

/* ---- check.c: a check on a command's result -------------------------------------- */
/* Evaluates expr on result (NULL when the command failed; errmsg its
 * message, or NULL).  Returns 1 when it holds, 0 when not, -1 when expr
 * is malformed (err says where).  *got gets the value the check looked
 * at as text ("(none)" when the path names nothing); caller frees. */
int lab_check_eval(const char *expr, json_t *result, const char *errmsg, char **got,
		   struct pm_err *err);
/* Only whether expr is well formed (lab_parse calls it on every check). */
int lab_check_syntax(const char *expr, struct pm_err *err);

/* ---- progress.c: a workspace's progress through labs ----------------------------- */
/* Records step (1-based) of lab as done by `how` ("run", "guided") with
 * the command that passed. */
int lab_progress_done(struct workspace *ws, const struct lab *l, size_t step, const char *how,
		      const char *command, struct pm_err *err);
/* The steps of lab done so far: done[i] for step i+1 (an array of
 * l->nsteps, caller frees). */
int lab_progress_steps(struct workspace *ws, const struct lab *l, bool **done,
		       struct pm_err *err);
/* Makes lab the workspace's started one (there is one at a time). */
int lab_progress_start(struct workspace *ws, const struct lab *l, struct pm_err *err);
/* The started lab's name (NULL when none; caller frees). */
int lab_progress_active(struct workspace *ws, char **name, struct pm_err *err);
/* Forgets the progress of lab name (NULL: of every lab); *n gets the
 * number of steps forgotten. */
int lab_progress_reset(struct workspace *ws, const char *name, int64_t *n, struct pm_err *err);
/* {"labs":[{"lab","steps","done","active","started","last"}]}: every lab
 * the workspace has progress in. */
int lab_progress_list(struct workspace *ws, json_t **out, struct pm_err *err);
/* [{"step","title","how","command","time"}] of lab name. */
int lab_progress_rows(struct workspace *ws, const char *name, json_t **out, struct pm_err *err);

#endif
