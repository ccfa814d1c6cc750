/* registry — models and their versions, aliases, in the workspace database
 * (tables models, versions, aliases).  A version points at a model file
 * in the artifacts by its sha256; registering one is a single transaction,
 * so a process killed midway leaves no half version.
 *
 * References: "M" (the latest version), "M:V" (version V), "M@ALIAS".
 *
 * The one header of src/registry. */
#ifndef PM_REGISTRY_H
#define PM_REGISTRY_H

#include "../util/util.h"
#include "../model/model.h"

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
	char *description;
	char *user, *host, *prodml_version, *created;
};
void reg_version_free(struct reg_version *v);

/* Model names: letters, digits, '_', '-', '.'; starting with a letter or digit. */
bool reg_name_valid(const char *name);

/* Adds version (max + 1) of v->model, creating the model on first use;
 * v->version, created, user, host and prodml_version are filled in.  Runs
 * in its own transaction unless one is open (in_tx). */
int reg_version_add(struct workspace *ws, struct reg_version *v, bool in_tx, struct pm_err *err);

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

#endif
