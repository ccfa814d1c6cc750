/* Lineage in the way of ML Metadata: artifacts (a dataset, model version,
 * schema or file at one content fingerprint), executions (a step of a
 * run) and events (this execution read, or wrote, that artifact).  Walking
 * the events up from an artifact finds the data it came from; walking
 * down finds what it fed. */
#include "pipeline.h"
#include "registry/registry.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

static int artifact_id(struct workspace *ws, const struct pl_fp *f, bool create, int64_t *id,
		       struct pm_err *err)
{
	struct db_stmt *st;
	*id = 0;
	if (create) {
		char now[40];
		ts_now_iso(now, sizeof now);
		if (ws_prepare(ws, "INSERT OR IGNORE INTO lineage_artifacts(kind, name, fingerprint, created)"
				   " VALUES (?, ?, ?, ?)",
			       &st, err) < 0)
			return -1;
		db_bind_text(st, 1, pl_kind_name(f->kind), -1, DB_STATIC);
		db_bind_text(st, 2, f->name, -1, DB_TRANSIENT);
		db_bind_text(st, 3, f->fp, -1, DB_TRANSIENT);
		db_bind_text(st, 4, now, -1, DB_TRANSIENT);
		int rc = db_step(st);
		db_finalize(st);
		if (rc != DB_DONE)
			return pm_errf(err, "cannot record artifact %s: %s", f->name, ws_errmsg(ws));
	}
	if (ws_prepare(ws, "SELECT id FROM lineage_artifacts WHERE kind = ? AND name = ? AND fingerprint = ?",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, pl_kind_name(f->kind), -1, DB_STATIC);
	db_bind_text(st, 2, f->name, -1, DB_TRANSIENT);
	db_bind_text(st, 3, f->fp, -1, DB_TRANSIENT);
	if (db_step(st) == DB_ROW)
		*id = db_column_int64(st, 0);
	db_finalize(st);
	return 0;
}

static int events(struct workspace *ws, int64_t execution, const struct pl_fp *f, size_t n,
		  const char *type, struct pm_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!f[i].fp)
			continue;
		int64_t a;
		struct db_stmt *st;
		if (artifact_id(ws, &f[i], true, &a, err) < 0 ||
		    ws_prepare(ws, "INSERT OR IGNORE INTO lineage_events(execution, artifact, type) VALUES (?, ?, ?)",
			       &st, err) < 0)
			return -1;
		db_bind_int64(st, 1, execution);
		db_bind_int64(st, 2, a);
		db_bind_text(st, 3, type, -1, DB_STATIC);
		int rc = db_step(st);
		db_finalize(st);
		if (rc != DB_DONE)
			return pm_errf(err, "cannot record lineage: %s", ws_errmsg(ws));
	}
	return 0;
}

int lineage_record(struct workspace *ws, int64_t execution, const struct pl_fp *in, size_t nin,
		   const struct pl_fp *out, size_t nout, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	if (events(ws, execution, in, nin, "input", err) < 0 ||
	    events(ws, execution, out, nout, "output", err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	return ws_commit(ws, err);
}

/* ---- walking -------------------------------------------------------------------------- */
static json_t *artifacts_of(struct workspace *ws, int64_t execution, const char *type)
{
	struct db_stmt *st;
	struct pm_err e;
	json_t *arr = json_array();
	if (ws_prepare(ws, "SELECT a.id, a.kind, a.name, a.fingerprint FROM lineage_events v JOIN"
			   " lineage_artifacts a ON a.id = v.artifact WHERE v.execution = ? AND v.type = ?"
			   " ORDER BY a.id",
		       &st, &e) < 0)
		return arr;
	db_bind_int64(st, 1, execution);
	db_bind_text(st, 2, type, -1, DB_STATIC);
	while (db_step(st) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)db_column_int64(st, 0),
						     "kind", db_column_text(st, 1), "name",
						     db_column_text(st, 2), "fingerprint",
						     db_column_text(st, 3)));
	db_finalize(st);
	return arr;
}

struct walk {
	struct workspace *ws;
	json_t *list;
	json_t *seen;   /* execution ids already listed */
	bool up;
};

static void walk_from(struct walk *w, int64_t artifact, int depth)
{
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(w->ws, "SELECT x.id, x.run, r.pipeline, x.step, x.command, x.finished FROM"
			      " lineage_events v JOIN executions x ON x.id = v.execution JOIN pipeline_runs r"
			      " ON r.id = x.run WHERE v.artifact = ? AND v.type = ? ORDER BY x.id",
		       &st, &e) < 0)
		return;
	db_bind_int64(st, 1, artifact);
	db_bind_text(st, 2, w->up ? "output" : "input", -1, DB_STATIC);
	json_t *found = json_array();
	while (db_step(st) == DB_ROW) {
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)db_column_int64(st, 0));
		if (json_object_get(w->seen, key))
			continue;
		json_object_set_new(w->seen, key, json_true());
		json_t *x = json_pack("{s:i,s:I,s:I,s:s,s:s,s:s?}", "depth", depth, "execution",
				      (json_int_t)db_column_int64(st, 0), "run",
				      (json_int_t)db_column_int64(st, 1), "pipeline", db_column_text(st, 2),
				      "step", db_column_text(st, 3), "command", db_column_text(st, 4),
				      "finished", db_column_text(st, 5));
		json_array_append_new(found, x);
	}
	db_finalize(st);
	size_t i;
	json_t *x;
	json_array_foreach(found, i, x) {
		int64_t id = json_integer_value(json_object_get(x, "execution"));
		json_object_set_new(x, "inputs", artifacts_of(w->ws, id, "input"));
		json_object_set_new(x, "outputs", artifacts_of(w->ws, id, "output"));
		json_array_append(w->list, x);
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(x, w->up ? "inputs" : "outputs"), k, a)
			walk_from(w, json_integer_value(json_object_get(a, "id")), depth + 1);
	}
	json_decref(found);
}

/* What ref names: a file (a path that exists or has a '/'), a model
 * version (M:V, M@A), a dataset, else a model or a schema. */
static int resolve_ref(struct workspace *ws, const char *ref, struct pl_fp *f, struct pm_err *err)
{
	enum pl_kind order[4];
	size_t n = 0;
	if (strchr(ref, '/') || fs_exists(ref))
		order[n++] = PL_FILE;
	else if (strpbrk(ref, ":@"))
		order[n++] = PL_MODEL;
	else {
		order[n++] = PL_DATASET;
		order[n++] = PL_MODEL;
		order[n++] = PL_SCHEMA;
	}
	for (size_t i = 0; i < n; i++) {
		struct pl_io io = {order[i], (char *)ref, false};
		if (pipeline_fingerprint(ws, &io, f, err) < 0)
			return -1;
		if (f->fp)
			return 0;
		pl_fp_free(f, 1);
	}
	return pm_errcf(err, PM_E_NOTFOUND, "'%s' is not a dataset, model version, schema or file", ref);
}

int pipeline_lineage(struct workspace *ws, const char *ref, json_t **out, struct pm_err *err)
{
	struct pl_fp f;
	if (resolve_ref(ws, ref, &f, err) < 0)
		return -1;
	int64_t id;
	if (artifact_id(ws, &f, false, &id, err) < 0) {
		pl_fp_free(&f, 1);
		return -1;
	}
	json_t *j = json_pack("{s:s,s:s,s:s}", "kind", pl_kind_name(f.kind), "name", f.name, "fingerprint", f.fp);
	json_object_set_new(j, "recorded", json_boolean(id > 0));
	pl_fp_free(&f, 1);
	for (int up = 1; up >= 0; up--) {
		struct walk w = {.ws = ws, .list = json_array(), .seen = json_object(), .up = up};
		if (id > 0)
			walk_from(&w, id, 1);
		json_object_set_new(j, up ? "upstream" : "downstream", w.list);
		json_decref(w.seen);
	}
	*out = j;
	return 0;
}
