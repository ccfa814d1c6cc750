/* design — architecture designs: a named choice of training, serving,
 * inference, hardware and batching for one model and dataset, the
 * estimates that the workspace's measurements give for it, and the
 * commands that put it into effect.
 *
 * A design is kept as one JSON object (table designs), the same document
 * `design show -o json` prints under "design":
 *   {"name","model","data",
 *    "training":{"kind":"static|schedule|on-data|on-drift","every"|"glob"},
 *    "serving":"dynamic|static|hybrid", "inference":"online|batch",
 *    "hardware":{"kind":"cpu","threads":N (0: all CPUs)},
 *    "batching":{"max_batch":N,"max_wait_us":N},
 *    "keys":[COL,..], "table_size":N (0: every key), "epochs":N (0: the last run's),
 *    "traffic_per_day":X|null, "port":N, "canary":PERCENT (absent: 0),
 *    "monitor":{"drift":X,..}, "prices":{"cpu_hour":X,..},
 *    "applied":{"version","server","url","pipeline","trigger","commands","time",
 *               "current" (a canary's other version)}|null}
 *
 * The one header of src/design. */
#ifndef PM_DESIGN_H
#define PM_DESIGN_H

#include "util/util.h"

#include <jansson.h>

struct workspace;
struct frame;

/* ---- store.c: designs and their probes in the workspace -------------------------- */
/* A new design of model over dataset data, with the defaults; an error
 * when the name is taken or not a valid name. */
int design_create(struct workspace *ws, const char *name, const char *model, const char *data,
		  json_t **out, struct pm_err *err);
/* The stored design (PM_E_NOTFOUND naming `design list` when absent). */
int design_fetch(struct workspace *ws, const char *name, json_t **out, struct pm_err *err);
/* Stores a changed design (its "name" says which); `action` goes to the audit log. */
int design_save(struct workspace *ws, json_t *d, const char *action, struct pm_err *err);
/* {"designs":[{"name","model","data","training","serving","inference","applied"}]} */
int design_list(struct workspace *ws, json_t **out, struct pm_err *err);
int design_drop(struct workspace *ws, const char *name, struct pm_err *err);
/* Records a measurement a probe made: kind "predict" or "train", rows,
 * seconds, threads, the model version. */
int design_probe_record(struct workspace *ws, const char *name, const char *kind, int64_t version,
			int64_t rows, double seconds, int threads, struct pm_err *err);
/* The same with what else the probe measured (a JSON object whose keys
 * design_probe_last adds to the probe's; NULL: nothing). */
int design_probe_record_detail(struct workspace *ws, const char *name, const char *kind, int64_t version,
			       int64_t rows, double seconds, int threads, json_t *detail,
			       struct pm_err *err);
/* Every probe of a kind, newest first, each as design_probe_last gives it. */
json_t *design_probes(struct workspace *ws, const char *name, const char *kind);
/* The newest probe of a kind: {"id","kind","version","rows","seconds","rows_per_s",
 * "threads","time"} and its detail's keys, or NULL when there is none. */
json_t *design_probe_last(struct workspace *ws, const char *name, const char *kind);

/* ---- set.c: the keys a design is made of ----------------------------------------- */
/* The keys `design set` takes, with what each is for; terminated by {0}. */
struct design_key {
	const char *key, *value, *about;
};
extern const struct design_key design_keys[];
/* What the machine offers: the hardware keys refuse what it lacks. */
struct design_env {
	int ncpus;
	bool have_mpi;
	const char *gpu_missing;     /* why no GPU trains here (train's --device cuda error); NULL: one does */
};
/* Sets key to the words of value (joined by spaces) in d.  f is the
 * design's dataset (the key columns are checked against it).  Errors name
 * the key, the value and, for static serving over a continuous key, the
 * column and its distinct count. */
int design_set(json_t *d, const struct frame *f, char *const *inputs, const struct design_env *env,
	       const char *key, const char *value, struct pm_err *err);

/* ---- keyspace.c: the key space of static serving --------------------------------- */
struct design_keycol {
	char *name;
	const char *type;       /* pm_type_name */
	size_t distinct;
	bool continuous;        /* float or timestamp: no finite table */
};
struct design_keyspace {
	struct design_keycol *cols;
	size_t ncols;
	double product;         /* product of the columns' distinct counts */
	size_t observed;        /* distinct key tuples in the data */
	size_t key_bytes;       /* bytes of those keys' text (as the table stores them) */
	/* a key that does not determine the model's inputs: the first input
	 * two rows of one key differ in (NULL: every key fixes them) */
	char *differs, *differs_key;
	size_t differs_rows[2];
};
/* Reads the key columns of f; an error names a column f lacks.  inputs
 * (NULL-terminated, or NULL) are the model's input columns: a table of one
 * prediction per key is right only when the key fixes them. */
int design_keyspace(const struct frame *f, json_t *keys, char *const *inputs,
		    struct design_keyspace *ks, struct pm_err *err);
void design_keyspace_free(struct design_keyspace *ks);
/* Why static serving is not offered (NULL when it is): no keys, the first
 * continuous key column with its distinct count, or a key that does not
 * determine the inputs.  Caller frees. */
char *design_static_why(const struct design_keyspace *ks, const char *data);
/* The lookup table serve --lookup would build over `keys` distinct keys
 * of key_bytes bytes of text, nout outputs each: its strdict's entries
 * and slots and the predictions (src/serve/lookup.c's count). */
double design_table_bytes(size_t keys, size_t key_bytes, int nout);

/* ---- estimate.c: estimates from measurements ------------------------------------- */
/* Every estimate of d, each with its "source" (the run, probe, server or
 * log it came from, or what to run to measure it) and, for cost, the
 * arithmetic as text.  f is the design's dataset; inputs and nout the
 * model's input columns (NULL-terminated) and outputs per prediction. */
int design_estimate(struct workspace *ws, json_t *d, const struct frame *f, char *const *inputs, int nout,
		    const struct design_env *env, json_t **out, struct pm_err *err);
/* The rows and seconds of a run's measured epochs (those that recorded
 * both): its training rate is rows / seconds. */
struct run_detail;
void design_run_measured(const struct run_detail *rd, double *rows, double *secs);
/* The hit rate of a table of the top k keys (0: all) over the rows of
 * the model's newest 100000 logged requests that carry the key column
 * key: {"requests","rows","keyed_rows","keys","top","hits","hit_rate",
 * "seconds"} (seconds: from the first to the last of those requests);
 * keyed_rows 0 when the log has none. */
int design_hit_rate(struct workspace *ws, const char *model, const char *key, size_t k,
		    json_t **out, struct pm_err *err);

/* ---- freshness.c: staleness under the retraining trigger ------------------------- */
/* {"interval_s","mean_staleness_s","max_staleness_s","arithmetic","source"}:
 * the mean staleness is the interval between retraining runs / 2 + a
 * run's seconds (train: design_estimate's training estimate), the
 * interval the schedule's, the on-data glob's files' mean arrival interval
 * (their modification times) or the mean interval between the model's
 * drift alerts; {"mean_staleness_s":null,"source":WHY} when not estimated. */
json_t *design_freshness(struct workspace *ws, json_t *d, json_t *train);

/* ---- sweep.c: the batching settings a serve probe measures --------------------------- */
struct design_batching {
	int max_batch;          /* 1: no batching */
	int64_t max_wait_us;
};
#define DESIGN_SWEEP_MAX 6
/* The settings `design probe --serve` measures: no batching, max batch 4
 * and 16 × waits of 250 and 2000 us, and the design's own where the grid
 * lacks it (at most DESIGN_SWEEP_MAX). */
size_t design_sweep_grid(json_t *d, struct design_batching *out);
/* "off" or "max batch N, wait W us"; caller frees. */
char *design_batching_text(int max_batch, int64_t max_wait_us);
/* The best of the measured settings ([{"max_batch","max_wait_us","req_per_s",
 * "p50_ms","p99_ms","errors"},..]): the most req/s among those that answered
 * every request with a p99 within p99_limit_ms (NaN: no limit); when none is
 * within it, the lowest p99.  *why (caller frees) says which rule chose;
 * -1 when no setting answered every request. */
int design_sweep_pick(json_t *settings, double p99_limit_ms, char **why);
/* The estimate of the newest sweep probe (design_probe_last's "batching"):
 * {"settings","best","design" (indexes or null),"why","pick","source"}, or
 * {"source"} naming the probe to run when there is none. */
json_t *design_sweep_estimate(json_t *d, json_t *probe);

/* ---- apply.c: the commands a design stands for ----------------------------------- */
/* What a plan needs to know besides the design. */
struct design_plan_in {
	const char *label, *type;   /* the model's (its latest version's) */
	const char *features;       /* its inputs, comma-separated */
	int64_t version;            /* the version to serve */
	int64_t current;            /* canary: the version serving now, beside which the
				     * newest takes the canary's share (0: none known) */
	const char *current_why;    /* where current came from (an earlier apply, an alias) */
	const char *source;         /* the dataset's source file (on-data's default), or NULL */
	const char *dir;            /* where the pipeline file goes */
};
/* {"pipeline":NAME,"pipeline_file":PATH,"pipeline_text":TEXT,"commands":[LINE,..],
 *  "serve":LINE|null, "canary":{"current","version","percent"}|null}: the
 * pipeline that trains (and, for batch inference, predicts) as the design
 * says, the commands that load it and add the trigger that reruns it, and
 * the serve command (online inference; with a canary, serve M --split
 * CURRENT=100-P,NEWEST=P).  A canary without a current version other than
 * the newest, or over batch inference, is an error naming the fix. */
int design_plan(json_t *d, const struct design_plan_in *in, json_t **out, struct pm_err *err);

/* Appends " W" to b: one word of a command line, quoted when it is not plain. */
void design_word(struct sbuf *b, const char *w);

/* ---- hardware.c: training time per hardware choice -------------------------------- */
/* [{"hardware","kind","threads"|"workers","design","measured",
 *   "rows_per_s","epochs","seconds","arithmetic","source","run"|"probe"},..]:
 * the design's own choice, one CPU thread, and any other hardware a run
 * or probe measured (a thread count, MPI workers, a GPU); each from
 * the newest finished run of the model on it, else the newest training
 * probe with its threads (seconds = nrows × epochs / rows/s); an
 * unmeasured one {"measured":false,"source"} names the command that
 * measures it. */
json_t *design_hardware_estimates(struct workspace *ws, json_t *d, int64_t nrows, int64_t epochs,
				  const struct design_env *env);

/* ---- load.c: a bounded load probe of a server on 127.0.0.1 ---------------------------- */
struct design_load_in {
	int port;
	const char *path;           /* e.g. /v1/models/M:predict */
	char *const *bodies;        /* request bodies, sent in turn */
	size_t nbodies;
	size_t requests;            /* at most this many requests */
	double max_s;               /* and for at most this long */
	int concurrency;            /* client threads, one connection per request */
};
struct design_load {
	size_t sent, ok, errors;
	double seconds, p50_s, p99_s;   /* percentiles of the answered (200) requests */
	int concurrency;
};
/* Sends the requests; an error when none is answered 200 (naming the status). */
int design_load(const struct design_load_in *in, struct design_load *out, struct pm_err *err);
/* {"instances":[ROW]} for each of the first n rows of f, with the key
 * columns and the model's inputs (NULL-terminated); free with str_list_free. */
char **design_load_bodies(const struct frame *f, json_t *keys, char *const *inputs, size_t n);

#endif
