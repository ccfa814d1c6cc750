/* The model registry over the workspace database. */
#include "registry.h"
#include "workspace/workspace.h"

#include <ctype.h>
#include <signal.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

void reg_version_free(struct reg_version *v)
{
	if (!v)
		return;
	free(v->model);
	free(v->artifact);
	free(v->type);
	free(v->task);
	free(v->label);
	free(v->train_dataset);
	free(v->train_fingerprint);
	free(v->eval_dataset);
	free(v->eval_fingerprint);
	json_decref(v->schema);
	json_decref(v->params);
	json_decref(v->metrics);
	json_decref(v->slice_metrics);
	json_decref(v->tags);
	json_decref(v->baseline);
	free(v->description);
	free(v->user);
	free(v->host);
	free(v->prodml_version);
	free(v->created);
	memset(v, 0, sizeof *v);
}

bool reg_name_valid(const char *name)
{
	return str_name_valid(name);
}

static void bind_text(struct db_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, -1, DB_TRANSIENT);
	else
		db_bind_null(st, i);
}

static void bind_json(struct db_stmt *st, int i, json_t *j, const char *dflt)
{
	if (!j) {
		if (dflt)
			db_bind_text(st, i, dflt, -1, DB_STATIC);
		else
			db_bind_null(st, i);
		return;
	}
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	db_bind_text(st, i, s ? s : "null", -1, DB_TRANSIENT);
	free(s);
}

static json_t *col_json(struct db_stmt *st, int i)
{
	const char *s = (const char *)db_column_text(st, i);
	if (!s)
		return NULL;
	return json_loads(s, JSON_DECODE_ANY, NULL);
}

static int db_fail(struct workspace *ws, struct pm_err *err, const char *what)
{
	return pm_errf(err, "registry: %s: %s", what, ws_errmsg(ws));
}

int reg_version_add(struct workspace *ws, struct reg_version *v, bool in_tx, struct pm_err *err)
{
	if (!reg_name_valid(v->model))
		return pm_errcf(err, PM_E_USAGE,
				"'%s' is not a valid model name (letters, digits, '_', '-', '.')", v->model);
	if (!in_tx && ws_begin(ws, err) < 0)
		return -1;
	struct db_stmt *st = NULL;
	char now[40], host[256] = "";
	ts_now_iso(now, sizeof now);
	proc_host_name(host, sizeof host);
	if (ws_prepare(ws, "INSERT OR IGNORE INTO models(name, user, created) VALUES (?,?,?)", &st,
		       err) < 0)
		goto fail;
	bind_text(st, 1, v->model);
	bind_text(st, 2, ws_user());
	bind_text(st, 3, now);
	if (db_step(st) != DB_DONE) {
		db_fail(ws, err, "cannot create the model");
		goto fail;
	}
	db_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model = ?", &st,
		       err) < 0)
		goto fail;
	bind_text(st, 1, v->model);
	if (db_step(st) != DB_ROW) {
		db_fail(ws, err, "cannot number the version");
		goto fail;
	}
	v->version = db_column_int64(st, 0);
	db_finalize(st);
	st = NULL;
	if (!v->parent) {
		/* the parent: the version serving as production when this one
		 * arrives, the one it is meant to replace */
		if (ws_prepare(ws, "SELECT version FROM aliases WHERE model = ? AND alias = 'production'",
			       &st, err) < 0)
			goto fail;
		bind_text(st, 1, v->model);
		int rc = db_step(st);
		if (rc == DB_ROW)
			v->parent = db_column_int64(st, 0);
		else if (rc != DB_DONE) {
			db_fail(ws, err, "cannot read the production alias");
			goto fail;
		}
		db_finalize(st);
		st = NULL;
	}
	free(v->created);
	v->created = xstrdup(now);
	free(v->user);
	v->user = xstrdup(ws_user());
	free(v->host);
	v->host = xstrdup(host);
	free(v->prodml_version);
	v->prodml_version = xstrdup(PACKAGE_VERSION);
	if (ws_prepare(ws,
		       "INSERT INTO versions(model, version, artifact, size, run, parent, type, task, label,"
		       " train_dataset, train_fingerprint, eval_dataset, eval_fingerprint, schema, params,"
		       " metrics, slice_metrics, description, tags, user, host, prodml_version, created,"
		       " baseline) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		       &st, err) < 0)
		goto fail;
	bind_text(st, 1, v->model);
	db_bind_int64(st, 2, v->version);
	bind_text(st, 3, v->artifact);
	db_bind_int64(st, 4, v->size);
	if (v->run)
		db_bind_int64(st, 5, v->run);
	else
		db_bind_null(st, 5);
	if (v->parent)
		db_bind_int64(st, 6, v->parent);
	else
		db_bind_null(st, 6);
	bind_text(st, 7, v->type);
	bind_text(st, 8, v->task);
	bind_text(st, 9, v->label);
	bind_text(st, 10, v->train_dataset);
	bind_text(st, 11, v->train_fingerprint);
	bind_text(st, 12, v->eval_dataset);
	bind_text(st, 13, v->eval_fingerprint);
	bind_json(st, 14, v->schema, NULL);
	bind_json(st, 15, v->params, "{}");
	bind_json(st, 16, v->metrics, "{}");
	bind_json(st, 17, v->slice_metrics, NULL);
	bind_text(st, 18, v->description);
	bind_json(st, 19, v->tags, NULL);
	bind_text(st, 20, v->user);
	bind_text(st, 21, v->host);
	bind_text(st, 22, v->prodml_version);
	bind_text(st, 23, v->created);
	bind_json(st, 24, v->baseline, NULL);
	if (db_step(st) != DB_DONE) {
		db_fail(ws, err, "cannot add the version");
		goto fail;
	}
	db_finalize(st);
	st = NULL;
	char detail[64];
	snprintf(detail, sizeof detail, "version %lld", (long long)v->version);
	if (ws_audit(ws, "register", v->model, detail, err) < 0)
		goto fail;
	/* tests/cmd/registry-kill.sh: a process dying here, with the version row
	 * written but not committed, must leave no trace of the version */
	if (getenv("PRODML_TEST_KILL_IN_REGISTER"))
		raise(SIGKILL);
	if (!in_tx && ws_commit(ws, err) < 0)
		goto fail;
	return 0;
fail:
	db_finalize(st);
	if (!in_tx)
		ws_rollback(ws);
	return -1;
}

#define VERSION_COLS                                                                          \
	"model, version, artifact, size, run, parent, type, task, label, train_dataset,"     \
	" train_fingerprint, eval_dataset, eval_fingerprint, schema, params, metrics,"        \
	" slice_metrics, description, tags, user, host, prodml_version, created, baseline"

static void read_version(struct db_stmt *st, struct reg_version *v)
{
	memset(v, 0, sizeof *v);
	v->model = ws_col_text(st, 0, NULL);
	v->version = db_column_int64(st, 1);
	v->artifact = ws_col_text(st, 2, NULL);
	v->size = db_column_int64(st, 3);
	v->run = db_column_int64(st, 4);
	v->parent = db_column_int64(st, 5);
	v->type = ws_col_text(st, 6, NULL);
	v->task = ws_col_text(st, 7, NULL);
	v->label = ws_col_text(st, 8, NULL);
	v->train_dataset = ws_col_text(st, 9, NULL);
	v->train_fingerprint = ws_col_text(st, 10, NULL);
	v->eval_dataset = ws_col_text(st, 11, NULL);
	v->eval_fingerprint = ws_col_text(st, 12, NULL);
	v->schema = col_json(st, 13);
	v->params = col_json(st, 14);
	v->metrics = col_json(st, 15);
	v->slice_metrics = col_json(st, 16);
	v->description = ws_col_text(st, 17, NULL);
	v->tags = col_json(st, 18);
	v->user = ws_col_text(st, 19, NULL);
	v->host = ws_col_text(st, 20, NULL);
	v->prodml_version = ws_col_text(st, 21, NULL);
	v->created = ws_col_text(st, 22, NULL);
	v->baseline = col_json(st, 23);
}

static bool model_exists(struct workspace *ws, const char *model)
{
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(ws, "SELECT 1 FROM models WHERE name = ?", &st, &e) < 0)
		return false;
	bind_text(st, 1, model);
	bool found = db_step(st) == DB_ROW;
	db_finalize(st);
	return found;
}

int reg_version_get(struct workspace *ws, const char *model, int64_t version,
		    struct reg_version *out, struct pm_err *err)
{
	struct db_stmt *st;
	const char *sql = version > 0
		? "SELECT " VERSION_COLS " FROM versions WHERE model = ? AND version = ?"
		: "SELECT " VERSION_COLS " FROM versions WHERE model = ? ORDER BY version DESC LIMIT 1";
	if (ws_prepare(ws, sql, &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	if (version > 0)
		db_bind_int64(st, 2, version);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		read_version(st, out);
		db_finalize(st);
		return 0;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_fail(ws, err, "cannot read a version");
	if (!model_exists(ws, model))
		return pm_errcf(err, PM_E_NOTFOUND, "no model named '%s' (see `models`)", model);
	if (version > 0)
		return pm_errcf(err, PM_E_NOTFOUND, "model '%s' has no version %lld", model,
				(long long)version);
	return pm_errcf(err, PM_E_NOTFOUND, "model '%s' has no versions", model);
}

int reg_resolve(struct workspace *ws, const char *ref, struct reg_version *out,
		struct pm_err *err)
{
	const char *colon = strchr(ref, ':'), *at = strchr(ref, '@');
	if (colon && at)
		return pm_errcf(err, PM_E_USAGE, "'%s': use MODEL, MODEL:VERSION or MODEL@ALIAS", ref);
	const char *sep = colon ? colon : at;
	char *name = sep ? xstrndup(ref, (size_t)(sep - ref)) : xstrdup(ref);
	int rc;
	if (!reg_name_valid(name)) {
		rc = pm_errcf(err, PM_E_USAGE, "'%s': use MODEL, MODEL:VERSION or MODEL@ALIAS", ref);
	} else if (colon) {
		int64_t v;
		if (!parse_int64(colon + 1, strlen(colon + 1), &v) || v < 1)
			rc = pm_errcf(err, PM_E_USAGE, "'%s': the version must be a number from 1", ref);
		else
			rc = reg_version_get(ws, name, v, out, err);
	} else if (at) {
		struct db_stmt *st;
		rc = ws_prepare(ws, "SELECT version FROM aliases WHERE model = ? AND alias = ?", &st, err);
		if (rc == 0) {
			bind_text(st, 1, name);
			bind_text(st, 2, at + 1);
			int s = db_step(st);
			int64_t v = s == DB_ROW ? db_column_int64(st, 0) : 0;
			db_finalize(st);
			if (v > 0)
				rc = reg_version_get(ws, name, v, out, err);
			else if (!model_exists(ws, name))
				rc = pm_errcf(err, PM_E_NOTFOUND, "no model named '%s' (see `models`)", name);
			else
				rc = pm_errcf(err, PM_E_NOTFOUND, "model '%s' has no alias '%s'", name, at + 1);
		}
	} else
		rc = reg_version_get(ws, name, 0, out, err);
	free(name);
	return rc;
}

int reg_versions(struct workspace *ws, const char *model, struct reg_version **out, size_t *n,
		 struct pm_err *err)
{
	struct db_stmt *st;
	*out = NULL;
	*n = 0;
	if (!model_exists(ws, model))
		return pm_errcf(err, PM_E_NOTFOUND, "no model named '%s' (see `models`)", model);
	if (ws_prepare(ws, "SELECT " VERSION_COLS " FROM versions WHERE model = ? ORDER BY version", &st,
		       err) < 0)
		return -1;
	bind_text(st, 1, model);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)out, &cap, *n + 1, sizeof **out);
		read_version(st, &(*out)[(*n)++]);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_fail(ws, err, "cannot list versions");
	return 0;
}

int reg_models(struct workspace *ws, char ***names, size_t *n, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT name FROM models ORDER BY name", &st, err) < 0)
		return -1;
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)names, &cap, *n + 2, sizeof **names);
		(*names)[(*n)++] = ws_col_text(st, 0, NULL);
	}
	db_finalize(st);
	xgrow((void **)names, &cap, *n + 1, sizeof **names);
	(*names)[*n] = NULL;
	if (rc != DB_DONE)
		return db_fail(ws, err, "cannot list models");
	return 0;
}

int reg_aliases_of(struct workspace *ws, const char *model, int64_t version, char ***out,
		   struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT alias FROM aliases WHERE model = ? AND version = ? ORDER BY alias", &st,
		       err) < 0)
		return -1;
	bind_text(st, 1, model);
	db_bind_int64(st, 2, version);
	size_t n = 0, cap = 0;
	char **list = NULL;
	while (db_step(st) == DB_ROW) {
		xgrow((void **)&list, &cap, n + 2, sizeof *list);
		list[n++] = ws_col_text(st, 0, NULL);
	}
	db_finalize(st);
	xgrow((void **)&list, &cap, n + 1, sizeof *list);
	list[n] = NULL;
	*out = list;
	return 0;
}

int reg_alias_set(struct workspace *ws, const char *model, const char *alias, int64_t version,
		  struct pm_err *err)
{
	if (!reg_name_valid(alias))
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a valid alias name", alias);
	struct reg_version v;
	if (reg_version_get(ws, model, version, &v, err) < 0)
		return -1;
	reg_version_free(&v);
	struct db_stmt *st;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "INSERT INTO aliases(model, alias, version, user, updated) VALUES (?,?,?,?,?)"
			   " ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version,"
			   " user = excluded.user, updated = excluded.updated",
		       &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	bind_text(st, 2, alias);
	db_bind_int64(st, 3, version);
	bind_text(st, 4, ws_user());
	bind_text(st, 5, now);
	int rc = db_step(st) == DB_DONE ? 0 : db_fail(ws, err, "cannot set the alias");
	db_finalize(st);
	return rc;
}

int reg_version_annotate(struct workspace *ws, const char *model, int64_t version,
			 const char *description, json_t *tags, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	struct reg_version v;
	if (reg_version_get(ws, model, version, &v, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	json_t *merged = json_is_object(v.tags) ? json_deep_copy(v.tags) : json_object();
	const char *key;
	json_t *x;
	json_object_foreach(tags, key, x) {
		if (json_is_null(x))
			json_object_del(merged, key);
		else
			json_object_set(merged, key, x);
	}
	struct db_stmt *st = NULL;
	int rc = ws_prepare(ws, "UPDATE versions SET description = ?, tags = ? WHERE model = ? AND version = ?",
			    &st, err);
	if (rc == 0) {
		const char *d = description ? description : v.description;
		bind_text(st, 1, d && *d ? d : NULL);
		bind_json(st, 2, json_object_size(merged) ? merged : NULL, NULL);
		bind_text(st, 3, model);
		db_bind_int64(st, 4, version);
		if (db_step(st) != DB_DONE)
			rc = db_fail(ws, err, "cannot annotate the version");
		db_finalize(st);
	}
	json_decref(merged);
	reg_version_free(&v);
	if (rc < 0 || ws_commit(ws, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	return 0;
}

int reg_load_model(struct workspace *ws, const struct reg_version *v, struct model **out,
		   struct pm_err *err)
{
	char *path = ws_artifact_path(ws, v->artifact, err);
	if (!path)
		return pm_err_prefix(err, "model %s:%lld", v->model, (long long)v->version);
	if (ws_artifact_verify(ws, v->artifact, err) < 0) {
		free(path);
		return pm_err_prefix(err, "model %s:%lld", v->model, (long long)v->version);
	}
	int rc = model_load_file(path, out, err);
	free(path);
	if (rc < 0)
		pm_err_prefix(err, "model %s:%lld", v->model, (long long)v->version);
	return rc;
}

json_t *reg_version_json(struct workspace *ws, const struct reg_version *v, bool detail)
{
	json_t *aliases = json_array();
	char **al = NULL;
	struct pm_err e;
	if (reg_aliases_of(ws, v->model, v->version, &al, &e) == 0) {
		for (char **p = al; *p; p++)
			json_array_append_new(aliases, json_string(*p));
		str_list_free(al);
	}
	json_t *j = json_pack("{s:I,s:o,s:o,s:s?,s:s?,s:s?}", "version", (json_int_t)v->version,
			      "aliases", aliases, "metrics",
			      v->metrics ? json_incref(v->metrics) : json_object(), "created", v->created,
			      "type", v->type, "task", v->task);
	json_object_set_new(j, "run", v->run ? json_integer((json_int_t)v->run) : json_null());
	if (detail) {
		json_object_set_new(j, "artifact", json_string(v->artifact ? v->artifact : ""));
		json_object_set_new(j, "user", json_string(v->user ? v->user : ""));
		json_object_set_new(j, "size", json_integer((json_int_t)v->size));
		json_object_set_new(j, "label", v->label ? json_string(v->label) : json_null());
		json_object_set_new(j, "train_dataset", v->train_dataset ? json_string(v->train_dataset) : json_null());
		json_object_set_new(j, "train_fingerprint", v->train_fingerprint ? json_string(v->train_fingerprint) : json_null());
		json_object_set_new(j, "eval_dataset", v->eval_dataset ? json_string(v->eval_dataset) : json_null());
		json_object_set_new(j, "eval_fingerprint", v->eval_fingerprint ? json_string(v->eval_fingerprint) : json_null());
		json_object_set(j, "schema", v->schema ? v->schema : json_null());
		json_object_set(j, "params", v->params ? v->params : json_null());
		json_object_set_new(j, "host", v->host ? json_string(v->host) : json_null());
		json_object_set_new(j, "prodml_version", v->prodml_version ? json_string(v->prodml_version) : json_null());
		json_object_set_new(j, "parent", v->parent ? json_integer((json_int_t)v->parent) : json_null());
		json_object_set_new(j, "description", v->description ? json_string(v->description) : json_null());
		json_object_set(j, "tags", v->tags ? v->tags : json_null());
		json_object_set(j, "slice_metrics", v->slice_metrics ? v->slice_metrics : json_null());
		json_object_set(j, "baseline", v->baseline ? v->baseline : json_null());
	}
	return j;
}
