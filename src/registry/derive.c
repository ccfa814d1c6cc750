/* Versions made from another version without training (quantization):
 * the parent's data, schema, hyperparameters and monitoring baseline, the
 * new model file, and the parent as lineage. */
#include "registry.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static json_t *ref_or_null(json_t *j)
{
	return j ? json_incref(j) : NULL;
}

int reg_version_derive(struct workspace *ws, const struct reg_version *parent, const struct model *m,
		       json_t *metrics, json_t *tags, struct reg_version *out, struct pm_err *err)
{
	memset(out, 0, sizeof *out);
	struct sbuf file = {0};
	char sha[65];
	if (model_serialize(m, NULL, NULL, 0, &file, err) < 0 ||
	    ws_artifact_put(ws, file.s, file.len, sha, err) < 0) {
		free(file.s);
		return -1;
	}
	out->model = xstrdup(parent->model);
	out->artifact = xstrdup(sha);
	out->size = (int64_t)file.len;
	free(file.s);
	out->run = parent->run;
	out->parent = parent->version;
	out->type = dup_or_null(parent->type);
	out->task = dup_or_null(parent->task);
	out->label = dup_or_null(parent->label);
	out->train_dataset = dup_or_null(parent->train_dataset);
	out->train_fingerprint = dup_or_null(parent->train_fingerprint);
	out->eval_dataset = dup_or_null(parent->eval_dataset);
	out->eval_fingerprint = dup_or_null(parent->eval_fingerprint);
	out->schema = ref_or_null(parent->schema);
	out->params = ref_or_null(parent->params);
	out->metrics = json_incref(metrics);
	out->baseline = ref_or_null(parent->baseline);
	out->tags = json_is_object(parent->tags) ? json_deep_copy(parent->tags) : json_object();
	json_object_update(out->tags, tags);
	if (reg_version_add(ws, out, false, err) < 0) {
		reg_version_free(out);
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}
