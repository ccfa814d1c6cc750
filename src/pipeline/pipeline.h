/* pipeline — pipeline definitions, DAG runs, the step cache, lineage and
 * the Argo export.
 *
 * A pipeline is a text file: a name, parameters with defaults, and steps,
 * each one prodml command with the steps it comes after:
 *
 *     pipeline taxi
 *     param data = datasets/taxi/train.csv
 *     step ingest   : load taxi_raw ${data}
 *     step schema   : schema infer taxi_raw --as taxi        after ingest
 *     step train    : train fare --data taxi_raw --label fare after schema retries 1
 *     step gate     : models promote fare:${train.version} --to production
 *                     after train when train.metrics.r2 > 0.5
 *
 * This folder knows nothing of the command table: what a command reads and
 * writes comes through struct pl_hooks, and each step runs as a child
 * process of the prodml program named there.  The tables (pipelines,
 * pipeline_runs, executions, lineage_artifacts, lineage_events) are
 * documented in the man page's WORKSPACE section.
 *
 * The one header of src/pipeline. */
#ifndef PM_PIPELINE_H
#define PM_PIPELINE_H

#include "util/util.h"

#include <jansson.h>

struct workspace;

/* ---- definitions (parse.c, dag.c) ------------------------------------------ */
struct pl_param {
	char *name, *value;
	int line;
};

enum pl_op { PL_LT, PL_LE, PL_GT, PL_GE, PL_EQ, PL_NE };

/* `when STEP.FIELD OP VALUE`: a test of an upstream step's JSON result
 * (an array's value is its length, so `validate.anomalies == 0` works). */
struct pl_when {
	char *step;
	char *field;      /* "metrics.r2" */
	enum pl_op op;
	char *value;      /* may hold ${param} */
	char *text;       /* as written */
};

struct pl_step {
	char *name;
	char *command;    /* as written: ${param} not yet substituted */
	char **after;     /* names of the upstream steps */
	size_t nafter;
	size_t *deps;     /* their indices */
	struct pl_when *when;
	int retries;      /* -1: the run's --retries */
	int line;
};

struct pipeline {
	char *name;
	char *file;       /* as named when it was loaded */
	char *text;       /* the whole definition */
	struct pl_param *params;
	size_t nparams;
	struct pl_step *steps;
	size_t nsteps;
};

/* Parses a definition; errors are "FILE:LINE: message" (syntax, duplicate
 * or unknown steps, a cycle, an undefined ${param}). */
int pipeline_parse(const char *text, const char *file, struct pipeline **out, struct pm_err *err);
void pipeline_free(struct pipeline *p);
struct pl_step *pipeline_step(const struct pipeline *p, const char *name);
/* Step indices with every step after its upstream steps, ties in file
 * order; a cycle is an error naming its steps: "a -> b -> a". */
int pipeline_order(const struct pipeline *p, size_t *order, struct pm_err *err);
/* Whether step a is upstream (an ancestor) of step b. */
bool pipeline_upstream(const struct pipeline *p, size_t a, size_t b);

/* The parameter values of a run: defaults, overridden by "k=v" items (an
 * unknown k is an error).  A JSON object of strings. */
int pipeline_values(const struct pipeline *p, char *const *overrides, size_t n, json_t **out,
		    struct pm_err *err);
/* text with each ${k} replaced by its value and each ${STEP.FIELD} by a
 * field of an upstream step's JSON result (results: {step: result}; NULL
 * leaves those as written, for checks before a run); `where` prefixes
 * errors. */
int pipeline_subst(const char *text, json_t *values, json_t *results, const char *where,
		   char **out, struct pm_err *err);
/* The field of a JSON result at a dotted path ("metrics.r2", "items.0"). */
json_t *pipeline_field(json_t *result, const char *path);
/* Evaluates a condition against the results of the upstream steps: 1
 * true, 0 false, -1 with err (no such field, a non-number compared by
 * order). */
int pipeline_when(const struct pl_when *w, json_t *values, json_t *results, struct pm_err *err);

/* ---- what a step reads and writes ------------------------------------------ */
enum pl_kind { PL_DATASET, PL_MODEL, PL_SCHEMA, PL_FILE };
const char *pl_kind_name(enum pl_kind k);

struct pl_io {
	enum pl_kind kind;
	char *name;       /* dataset or schema name, model reference, file path */
	bool writes;
};
void pl_io_free(struct pl_io *io, size_t n);

struct pl_hooks {
	/* What a command line reads and writes: -1 with err for an unknown
	 * command or bad usage. */
	int (*io)(void *ctx, const char *command, struct pl_io **io, size_t *n,
		  struct pm_err *err);
	void *ctx;
	const char *exe;  /* the prodml program that runs each step */
	const volatile int *cancel;
};

/* Load-time checks that need the commands and the workspace: each step's
 * command is known and well formed, and everything it reads is written by
 * an upstream step or is in the workspace (or on disk, for files).
 * values: the parameters (NULL: the defaults). */
int pipeline_check(struct workspace *ws, const struct pipeline *p, json_t *values,
		   const struct pl_hooks *h, struct pm_err *err);

/* ---- stored definitions (store.c) -------------------------------------------- */
int pipeline_store(struct workspace *ws, const struct pipeline *p, bool *replaced,
		   struct pm_err *err);
/* PM_E_NOTFOUND when there is none. */
int pipeline_fetch(struct workspace *ws, const char *name, struct pipeline **out,
		   struct pm_err *err);
/* {"pipelines":[{"name","steps","params","file","updated","runs","last_run","last_state"}]} */
int pipeline_list(struct workspace *ws, json_t **out, struct pm_err *err);
/* The definition as JSON: name, file, params, steps with after/when/retries. */
json_t *pipeline_json(const struct pipeline *p);

/* ---- fingerprints and the cache (cache.c) -------------------------------------- */
/* An input or output as it is now: its kind, name and content fingerprint
 * (a dataset's fingerprint, a file's sha256, a model version's artifact,
 * a schema's text hash); a model reference becomes "M:V". */
struct pl_fp {
	enum pl_kind kind;
	char *name;
	char *fp;         /* NULL: absent */
};
void pl_fp_free(struct pl_fp *f, size_t n);
int pipeline_fingerprint(struct workspace *ws, const struct pl_io *io, struct pl_fp *out,
			 struct pm_err *err);
/* The cache key of an execution: sha256 over the command after
 * substitution, the prodml version and the inputs' fingerprints (in any
 * order). */
void pipeline_cache_key(const char *command, const char *version, const struct pl_fp *in,
			size_t n, char key[65]);

/* ---- runs (run.c, runs.c) ------------------------------------------------------- */
struct pl_run_opts {
	char *const *params;  /* "k=v" overrides */
	size_t nparams;
	int jobs;             /* steps at once (>= 1) */
	int retries;          /* for steps without their own */
	bool no_cache;
	bool concurrent;      /* may start while another run of the pipeline is on */
};
/* Records a new run (state queued) with the definition and values it runs,
 * and this process as the one it waits on.  One transaction (BEGIN
 * IMMEDIATE) looks for a queued or running run of the pipeline whose
 * process lives and adds the new one, so two processes (a person and a
 * trigger) never both find the pipeline idle: unless o->concurrent, such
 * a run is an error naming it, and *active (when not NULL) gets its id. */
int pipeline_run_create(struct workspace *ws, const struct pipeline *p,
			const struct pl_run_opts *o, int64_t *run, int64_t *active, struct pm_err *err);
/* Takes a run to execute in this process, in one transaction: refused when
 * it is done, when another process runs it, or (a failed or killed run
 * resumed, unless concurrent) when another run of its pipeline is on.  A
 * queued run claimed its turn when it was created; owner: this process is
 * the job that the run (queued, or claimed by `resume --detach`) was
 * handed to. */
int pipeline_run_claim(struct workspace *ws, int64_t run, bool concurrent, bool owner, struct pm_err *err);
/* Runs a queued run, or continues a failed or killed one from its first
 * unfinished steps.  -1 with err naming the failed step when a step failed;
 * the run's record says the rest. */
int pipeline_run_execute(struct workspace *ws, int64_t run, const struct pl_hooks *h,
			 struct pm_err *err);
/* A run with its steps (state, seconds, attempts, inputs, outputs, the
 * steps each comes after; the logs and results too when detail). */
int pipeline_run_get(struct workspace *ws, int64_t run, bool detail, json_t **out,
		     struct pm_err *err);
/* {"runs":[..]} newest first; pipeline NULL: all. */
int pipeline_runs(struct workspace *ws, const char *pipeline, json_t **out, struct pm_err *err);
/* The job that runs a detached run (0: none). */
int pipeline_run_set_job(struct workspace *ws, int64_t run, int64_t job, struct pm_err *err);
/* The process a queued or claimed run waits on from now (its job's):
 * while it lives, the run is on. */
int pipeline_run_set_pid(struct workspace *ws, int64_t run, int64_t pid, struct pm_err *err);
int64_t pipeline_run_job(struct workspace *ws, int64_t run);

/* ---- lineage (lineage.c) --------------------------------------------------------- */
/* Records what a done execution read and wrote. */
int lineage_record(struct workspace *ws, int64_t execution, const struct pl_fp *in, size_t nin,
		   const struct pl_fp *out, size_t nout, struct pm_err *err);
/* The executions upstream and downstream of an artifact: a dataset name,
 * M:V (or M, M@ALIAS) or a file path. */
int pipeline_lineage(struct workspace *ws, const char *ref, json_t **out, struct pm_err *err);

/* ---- triggers (trigger.c) ------------------------------------------------------- */
enum pl_trigger_kind { PL_ON_EVERY, PL_ON_FILE, PL_ON_ALERT };
struct pl_trigger {
	const char *pipeline;
	enum pl_trigger_kind kind;
	int64_t every_us;          /* PL_ON_EVERY */
	const char *glob, *param;  /* PL_ON_FILE: the pattern, the parameter that gets the path */
	const char *alert_kind, *model; /* PL_ON_ALERT */
	json_t *params;            /* ["k=v", ..] for every run it starts */
};
/* Records a trigger; an alert trigger answers the alerts raised from now on. */
int pipeline_trigger_add(struct workspace *ws, const struct pl_trigger *t, int64_t *id,
			 struct pm_err *err);
int pipeline_trigger_delete(struct workspace *ws, int64_t id, struct pm_err *err);
/* {"triggers":[{"trigger","pipeline","kind",..,"params","last_fired","runs"}]} */
int pipeline_triggers(struct workspace *ws, const char *pipeline, json_t **out, struct pm_err *err);
/* Whether a run of the pipeline is queued or running (its process lives). */
bool pipeline_busy(struct workspace *ws, const char *pipeline);

/* A run a trigger asks for. */
struct pl_fire {
	int64_t trigger;
	char *pipeline;
	char **params;             /* "k=v" overrides (NULL-terminated) */
	size_t nparams;
	char *reason;
	char *file, *sha;          /* the new file of a file trigger */
	int64_t alert;             /* the alert answered */
};
void pl_fire_free(struct pl_fire *f, size_t n);
/* The runs the triggers ask for now: at most one per pipeline, none for a
 * pipeline with a run queued or running (its turn comes later).  kinds:
 * the trigger kinds asked about, a mask of 1u << enum pl_trigger_kind
 * (PL_TRIGGERS_ALL: every kind; monitoring asks for its alerts only). */
#define PL_TRIGGERS_ALL (1u << PL_ON_EVERY | 1u << PL_ON_FILE | 1u << PL_ON_ALERT)
int pipeline_triggers_due(struct workspace *ws, int64_t now_us, unsigned kinds, struct pl_fire **out,
			  size_t *n, struct pm_err *err);
/* Records that f started run (its file answered, its alert consumed). */
int pipeline_trigger_fired(struct workspace *ws, const struct pl_fire *f, int64_t now_us, int64_t run,
			   struct pm_err *err);

/* ---- one scheduler per workspace (schedlock.c) ------------------------------------ */
/* The scheduler holds WS/scheduler.lock (flock) while it lives; the kernel
 * lets go of it when the process ends, kill -9 included.  Takes it for
 * this process (job: the job it runs as, 0 in the foreground, -1 while
 * starting a detached one whose job is not yet recorded); *fd keeps
 * it (close-on-exec).  Held by another: -1 with err naming its pid and
 * job. */
int pipeline_sched_lock(struct workspace *ws, int64_t job, int *fd, struct pm_err *err);
/* Records the holder in the file, for the error that the next one gets. */
int pipeline_sched_note(int fd, int64_t job, int64_t pid);
/* Keeps a hold that the starting process passed down to a detached
 * scheduler (the lock never free between the two): fd must be a
 * descriptor of the workspace's lock file, already locked. */
int pipeline_sched_adopt(struct workspace *ws, int fd, int64_t job, struct pm_err *err);
void pipeline_sched_unlock(int fd);

/* ---- Argo Workflows (argo.c) ----------------------------------------------------- */
/* A Workflow that runs each step as `prodml -c COMMAND` in a container. */
void pipeline_argo(const struct pipeline *p, struct sbuf *out);

#endif
