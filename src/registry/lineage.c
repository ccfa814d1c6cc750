/* The lineage of a version: its data (and whether the names still hold
 * it), the statistics computed of that data, the run that trained it,
 * the pipeline run and step that made it, the servers that serve it. */
#include "registry.h"
#include "workspace/workspace.h"

#include <string.h>

static json_t *dataset_node(struct workspace *ws, const char *name, const char *fp)
{
	if (!name)
		return json_null();
	json_t *d = json_pack("{s:s,s:s?}", "name", name, "fingerprint", fp);
	struct ws_dataset cur;
	struct pm_err e;
	if (ws_dataset_get(ws, name, &cur, &e) == 0) {
		json_object_set_new(d, "rows", json_integer(cur.rows));
		json_object_set_new(d, "source", cur.source ? json_string(cur.source) : json_null());
		/* the name may since hold other data */
		json_object_set_new(d, "current", json_boolean(fp && !strcmp(cur.fingerprint, fp)));
		ws_dataset_free(&cur);
	} else
		json_object_set_new(d, "current", json_false());
	json_t *stats = json_array();
	struct db_stmt *st;
	if (fp && ws_table_exists(ws, "stats") &&
	    ws_prepare(ws, "SELECT slice, created FROM stats WHERE fingerprint = ? ORDER BY slice", &st, &e) == 0) {
		db_bind_text(st, 1, fp, -1, DB_STATIC);
		while (db_step(st) == DB_ROW)
			json_array_append_new(stats, json_pack("{s:s,s:s}", "slice",
							       (const char *)db_column_text(st, 0) ?: "",
							       "created", (const char *)db_column_text(st, 1) ?: ""));
		db_finalize(st);
	}
	json_object_set_new(d, "statistics", stats);
	return d;
}

/* The pipeline step that made the version: the first execution that
 * recorded it (name M:V and its artifact) as an output; later cached
 * executions only reused it.  src/pipeline owns these tables. */
static json_t *pipeline_node(struct workspace *ws, const struct reg_version *v)
{
	struct db_stmt *st;
	struct pm_err e;
	json_t *p = json_null();
	if (!v->artifact || !ws_table_exists(ws, "lineage_events") ||
	    ws_prepare(ws, "SELECT r.pipeline, x.run, x.step, x.id, x.finished, r.state FROM lineage_artifacts a"
			   " JOIN lineage_events v ON v.artifact = a.id AND v.type = 'output'"
			   " JOIN executions x ON x.id = v.execution JOIN pipeline_runs r ON r.id = x.run"
			   " WHERE a.kind = 'model' AND a.name = ? AND a.fingerprint = ? ORDER BY x.id LIMIT 1",
		       &st, &e) < 0)
		return p;
	char *name = xasprintf("%s:%lld", v->model, (long long)v->version);
	db_bind_text(st, 1, name, -1, free);
	db_bind_text(st, 2, v->artifact, -1, DB_STATIC);
	if (db_step(st) == DB_ROW)
		p = json_pack("{s:s,s:I,s:s,s:I,s:s?,s:s?}", "pipeline", (const char *)db_column_text(st, 0),
			      "run", (json_int_t)db_column_int64(st, 1), "step",
			      (const char *)db_column_text(st, 2), "execution",
			      (json_int_t)db_column_int64(st, 3), "finished",
			      (const char *)db_column_text(st, 4), "run_state",
			      (const char *)db_column_text(st, 5));
	db_finalize(st);
	return p;
}

json_t *reg_lineage(struct workspace *ws, const struct reg_version *v)
{
	json_t *r = json_pack("{s:s,s:I}", "model", v->model, "version", (json_int_t)v->version);
	json_object_set_new(r, "train_dataset", dataset_node(ws, v->train_dataset, v->train_fingerprint));
	json_object_set_new(r, "eval_dataset", dataset_node(ws, v->eval_dataset, v->eval_fingerprint));
	json_t *inputs = json_object_get(v->schema, "inputs");
	json_object_set(r, "schema", inputs ? inputs : json_null());
	json_t *run = json_null();
	struct db_stmt *st;
	struct pm_err e;
	if (v->run && ws_table_exists(ws, "runs") &&
	    ws_prepare(ws, "SELECT id, state, config, user, created, finished FROM runs WHERE id = ?", &st, &e) == 0) {
		db_bind_int64(st, 1, v->run);
		if (db_step(st) == DB_ROW) {
			const char *cfg = (const char *)db_column_text(st, 2);
			json_t *cj = cfg ? json_loads(cfg, 0, NULL) : NULL;
			run = json_pack("{s:I,s:s?,s:o,s:s?,s:s?,s:s?}", "id", (json_int_t)db_column_int64(st, 0),
					"state", (const char *)db_column_text(st, 1), "config",
					cj ? cj : json_null(), "user", (const char *)db_column_text(st, 3),
					"created", (const char *)db_column_text(st, 4), "finished",
					(const char *)db_column_text(st, 5));
		}
		db_finalize(st);
	}
	json_object_set_new(r, "run", run);
	json_object_set_new(r, "pipeline", pipeline_node(ws, v));
	json_object_set(r, "params", v->params ? v->params : json_null());
	json_t *vj = reg_version_json(ws, v, true);
	json_object_set(r, "aliases", json_object_get(vj, "aliases"));
	json_object_set(r, "artifact", json_object_get(vj, "artifact"));
	json_object_set(r, "created", json_object_get(vj, "created"));
	json_object_set(r, "imported_from", json_object_get(v->tags, "imported_from") ?: json_null());
	json_decref(vj);
	json_t *servers = json_array();
	if (ws_table_exists(ws, "servers") &&
	    ws_prepare(ws, "SELECT id, url, ref, status FROM servers WHERE model = ? AND version = ?"
			   " ORDER BY id", &st, &e) == 0) {
		db_bind_text(st, 1, v->model, -1, DB_STATIC);
		db_bind_int64(st, 2, v->version);
		while (db_step(st) == DB_ROW)
			json_array_append_new(servers,
				json_pack("{s:I,s:s?,s:s?,s:s?}", "id", (json_int_t)db_column_int64(st, 0),
					  "url", (const char *)db_column_text(st, 1), "ref",
					  (const char *)db_column_text(st, 2), "status",
					  (const char *)db_column_text(st, 3)));
		db_finalize(st);
	}
	json_object_set_new(r, "servers", servers);
	return r;
}
