/* registry — models and their versions, aliases, in the workspace database
 * (tables models, versions, aliases).  A version points at a model file
 * in the artifacts by its sha256; registering one is a single transaction,
 * so a process killed midway leaves no half version.
 *
 * Every move of an alias is kept in alias_events (who, when, from, to,
 * why) and the audit log; promotion policies live in model_policies.
 *
 * References: "M" (the latest version), "M:V" (version V), "M@ALIAS".
 *
 * The one header of src/registry. */
#ifndef PM_REGISTRY_H
#define PM_REGISTRY_H

#include "util/util.h"
#include "model/model.h"

#include <jansson.h>

struct workspace;

struct reg_version {
	char *model;
	int64_t version;
	char *artifact;              /* sha256 hex */
	int64_t size;
	int64_t run;                 /* 0: none */
	int64_t parent;              /* 0: none */
	char *type, *task, *label;
	char *train_dataset, *train_fingerprint;
	char *eval_dataset, *eval_fingerprint;
	json_t *schema, *params, *metrics, *slice_metrics, *tags;
	json_t *baseline;            /* the training data for monitoring (baseline_to_json),
					NULL for versions registered before it was kept */
	char *description;
	char *user, *host, *prodml_version, *created;
};
void reg_version_free(struct reg_version *v);

/* Model names: letters, digits, '_', '-', '.'; starting with a letter or digit. */
bool reg_name_valid(const char *name);

/* Adds version (max + 1) of v->model, creating the model on first use;
 * v->version, created, user, host and prodml_version are filled in, and
 * parent (when 0) with the version then holding the production alias.
 * Runs in its own transaction unless one is open (in_tx). */
int reg_version_add(struct workspace *ws, struct reg_version *v, bool in_tx, struct pm_err *err);

/* Sets a version's description (unless NULL; "" clears it) and merges
 * tags ({"key": "value"}, a null value removes the key) into its tags, in
 * one transaction. */
int reg_version_annotate(struct workspace *ws, const char *model, int64_t version,
			 const char *description, json_t *tags, struct pm_err *err);

/* Parses "M", "M:V" or "M@ALIAS" and finds the version (PM_E_NOTFOUND
 * when there is none). */
int reg_resolve(struct workspace *ws, const char *ref, struct reg_version *out,
		struct pm_err *err);
int reg_version_get(struct workspace *ws, const char *model, int64_t version,
		    struct reg_version *out, struct pm_err *err);
/* All versions of a model, oldest first. */
int reg_versions(struct workspace *ws, const char *model, struct reg_version **out, size_t *n,
		 struct pm_err *err);
/* Model names, sorted. */
int reg_models(struct workspace *ws, char ***names, size_t *n, struct pm_err *err);
/* Aliases that point at a version (NULL-terminated; free with str_list_free). */
int reg_aliases_of(struct workspace *ws, const char *model, int64_t version, char ***out,
		   struct pm_err *err);
/* Points ALIAS of MODEL at VERSION (creating or moving it). */
int reg_alias_set(struct workspace *ws, const char *model, const char *alias, int64_t version,
		  struct pm_err *err);

/* Loads a version's model file, checking the artifact's sha256 and the
 * file's own checksum: a corrupted model is an error, never a crash. */
int reg_load_model(struct workspace *ws, const struct reg_version *v, struct model **out,
		   struct pm_err *err);

/* JSON of a version (what `models show` prints for it). */
json_t *reg_version_json(struct workspace *ws, const struct reg_version *v, bool detail);

/* `models lineage`: {"model","version","train_dataset","eval_dataset"
 * (each {"name","fingerprint","rows","source","current","statistics":
 * [{"slice","created"}]} or null),"schema","run" ({"id","state","config",
 * "user","created","finished"} or null),"pipeline" (the step that made
 * it: {"pipeline","run","step","execution","finished","run_state"} or
 * null),"params","aliases","artifact",
 * "created","imported_from","servers":[{"id","url","ref","status"}]}. */
json_t *reg_lineage(struct workspace *ws, const struct reg_version *v);

/* ---- aliases with history (table alias_events) ------------------------------
 * Every move of an alias is one transaction: the alias row, an
 * alias_events row and an audit line commit together or not at all. */
struct reg_move {
	const char *action;          /* "alias", "promote", "rollback", "delete" */
	bool forced;                 /* promoted past a failed gate */
	const char *reason;          /* why, as the user said it (may be NULL) */
	json_t *detail;              /* the gate's findings (may be NULL; borrowed) */
	bool check_from;             /* refuse when the holder is no longer expect_from: */
	int64_t expect_from;         /* a gate judged against a holder that moved meanwhile */
};
/* Points ALIAS at VERSION (0: deletes the alias); *from gets the previous
 * holder (0: none).  Moving an alias to the version it holds is an error.
 * Callers need no transaction of their own: this one takes the write lock. */
int reg_alias_move(struct workspace *ws, const char *model, const char *alias, int64_t version,
		   const struct reg_move *mv, int64_t *from, struct pm_err *err);
/* The version ALIAS points at (0 when unset). */
int reg_alias_get(struct workspace *ws, const char *model, const char *alias, int64_t *version,
		  struct pm_err *err);
/* The version a rollback of ALIAS returns to: the holder before the last
 * move that was not itself undone (PM_E_NOTFOUND when there is none). */
int reg_alias_previous(struct workspace *ws, const char *model, const char *alias,
		       int64_t *version, struct pm_err *err);
/* Alias moves of a model (alias NULL: all), oldest first:
 * [{"id","alias","action","from","to","forced","reason","detail","user","time"}]. */
int reg_history(struct workspace *ws, const char *model, const char *alias, json_t **out,
		struct pm_err *err);

/* ---- promotion policy (table model_policies) ---------------------------------
 * Keys: "min_improvement" (how much the primary metric must improve on the
 * alias holder), "floor METRIC" (a bound on an overall metric),
 * "slice_floor COL=VALUE METRIC" (the same on the rows where COL is VALUE).
 * A floor is a minimum for metrics where higher is better (auc, accuracy,
 * r2) and a maximum for the others (rmse, mae, logloss). */
int reg_policy_set(struct workspace *ws, const char *model, const char *key, double value,
		   struct pm_err *err);
int reg_policy_delete(struct workspace *ws, const char *model, const char *key,
		      struct pm_err *err);
/* {"KEY": value, ..}, sorted by key. */
int reg_policy_get(struct workspace *ws, const char *model, json_t **out, struct pm_err *err);
/* Normalises a policy key typed as words ("floor", "auc") into its stored
 * form, checking it; NULL and an error when it is not a policy key. */
char *reg_policy_key(int nwords, char *const *words, struct pm_err *err);


/* The promotion gate: candidate against the alias holder (NULL: none) and
 * the policy.  slice_metrics is {"COL=VALUE": {metric: value}} for the
 * candidate (NULL: none computed).  *out gets {"passed", "metric",
 * "candidate", "current", "improvement", "reasons":[..], "checks":[..]}. */
int reg_gate(struct workspace *ws, const struct reg_version *cand, const struct reg_version *holder,
	     json_t *slice_metrics, json_t **out, struct pm_err *err);

/* Metrics of model m on the rows of f with a usable label, judged at 0.5 as
 * training judges them, with "rows" added ({} when no row has a label):
 * what `models compare --data` and the slice floors of a policy read.
 * With slices (and slice_col >= 0), *slices gets {VALUE: metrics} for each
 * value of that column (model_evaluate's slices, at most MODEL_MAX_SLICES). */
int reg_measure(const struct model *m, const struct frame *f, int slice_col, int threads,
		json_t **metrics, json_t **slices, struct pm_err *err);

/* Registers m, made from version `parent` without training (quantized), as
 * the next version of parent's model: its parent is `parent`, it keeps the
 * parent's data, schema, hyperparameters and baseline, its metrics are
 * `metrics` and its tags the parent's with `tags` merged in.  *out gets
 * the new version. */
int reg_version_derive(struct workspace *ws, const struct reg_version *parent, const struct model *m,
		       json_t *metrics, json_t *tags, struct reg_version *out, struct pm_err *err);

/* ---- export and import ---------------------------------------------------------
 * One file: a text header (magic, sizes, sha256 of what follows), the
 * version's record as JSON, then the model file. */
int reg_export(struct workspace *ws, const struct reg_version *v, const char *path,
	       struct pm_err *err);
/* Verifies and registers the file as a new version of its model (as
 * `as_model` when not NULL); *out gets the new version. */
int reg_import(struct workspace *ws, const char *path, const char *as_model,
	       struct reg_version *out, struct pm_err *err);

#endif
