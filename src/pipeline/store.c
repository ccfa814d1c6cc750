/* Pipeline definitions in the workspace (table pipelines): the file's text
 * is what is kept, so `pipeline show` prints what the person wrote. */
#include "pipeline.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

int pipeline_store(struct workspace *ws, const struct pipeline *p, bool *replaced,
		   struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_begin(ws, err) < 0)
		return -1;
	if (ws_prepare(ws, "SELECT 1 FROM pipelines WHERE name = ?", &st, err) < 0)
		goto fail;
	db_bind_text(st, 1, p->name, -1, DB_TRANSIENT);
	*replaced = db_step(st) == DB_ROW;
	db_finalize(st);
	char now[40];
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "INSERT INTO pipelines(name, text, file, user, created, updated)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(name) DO UPDATE SET"
			   " text = ?2, file = ?3, user = ?4, updated = ?5",
		       &st, err) < 0)
		goto fail;
	db_bind_text(st, 1, p->name, -1, DB_TRANSIENT);
	db_bind_text(st, 2, p->text, -1, DB_TRANSIENT);
	db_bind_text(st, 3, p->file, -1, DB_TRANSIENT);
	db_bind_text(st, 4, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 5, now, -1, DB_TRANSIENT);
	int rc = db_step(st) == DB_DONE ? 0
		 : pm_errf(err, "cannot store pipeline %s: %s", p->name, ws_errmsg(ws));
	db_finalize(st);
	if (rc < 0 || ws_audit(ws, *replaced ? "pipeline replace" : "pipeline load", p->name, p->file, err) < 0)
		goto fail;
	return ws_commit(ws, err);
fail:
	ws_rollback(ws);
	return -1;
}

int pipeline_fetch(struct workspace *ws, const char *name, struct pipeline **out,
		   struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT text, file FROM pipelines WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no pipeline %s (see `pipeline list`; `pipeline load FILE` adds one)",
				name);
	}
	const char *file = (const char *)db_column_text(st, 1);
	int rc = pipeline_parse((const char *)db_column_text(st, 0), file ? file : name, out, err);
	db_finalize(st);
	return rc;
}

int pipeline_list(struct workspace *ws, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT p.name, p.text, p.file, p.updated,"
			   " (SELECT COUNT(*) FROM pipeline_runs r WHERE r.pipeline = p.name),"
			   " (SELECT MAX(id) FROM pipeline_runs r WHERE r.pipeline = p.name)"
			   " FROM pipelines p ORDER BY p.name",
		       &st, err) < 0)
		return -1;
	json_t *arr = json_array();
	int64_t *last = NULL;
	size_t n = 0;
	while (db_step(st) == DB_ROW) {
		struct pipeline *p;
		struct pm_err e;
		const char *name = (const char *)db_column_text(st, 0);
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(name));
		if (pipeline_parse((const char *)db_column_text(st, 1), name, &p, &e) == 0) {
			json_object_set_new(j, "steps", json_integer((json_int_t)p->nsteps));
			json_object_set_new(j, "params", json_integer((json_int_t)p->nparams));
			pipeline_free(p);
		}
		const char *file = (const char *)db_column_text(st, 2);
		json_object_set_new(j, "file", file ? json_string(file) : json_null());
		json_object_set_new(j, "updated", json_string((const char *)db_column_text(st, 3)));
		json_object_set_new(j, "runs", json_integer(db_column_int64(st, 4)));
		last = xrealloc(last, (n + 1) * sizeof *last);
		last[n++] = db_column_int64(st, 5);
		json_array_append_new(arr, j);
	}
	db_finalize(st);
	/* the last run's state, through pipeline_run_get so a killed run shows as failed */
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i), *r;
		struct pm_err e;
		if (last[i] > 0 && pipeline_run_get(ws, last[i], false, &r, &e) == 0) {
			json_object_set_new(j, "last_run", json_integer(last[i]));
			json_object_set(j, "last_state", json_object_get(r, "state"));
			json_decref(r);
		} else {
			json_object_set_new(j, "last_run", json_null());
			json_object_set_new(j, "last_state", json_null());
		}
	}
	free(last);
	*out = json_pack("{s:o}", "pipelines", arr);
	return 0;
}

json_t *pipeline_json(const struct pipeline *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", json_string(p->name));
	json_object_set_new(j, "file", json_string(p->file));
	json_t *params = json_array();
	for (size_t i = 0; i < p->nparams; i++)
		json_array_append_new(params, json_pack("{s:s,s:s}", "name", p->params[i].name, "default",
							p->params[i].value));
	json_object_set_new(j, "params", params);
	json_t *steps = json_array();
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct pl_step *st = &p->steps[i];
		json_t *after = json_array();
		for (size_t k = 0; k < st->nafter; k++)
			json_array_append_new(after, json_string(st->after[k]));
		json_t *s = json_pack("{s:s,s:s,s:o,s:i}", "name", st->name, "command", st->command, "after",
				      after, "line", st->line);
		json_object_set_new(s, "when", st->when ? json_string(st->when->text) : json_null());
		json_object_set_new(s, "retries", st->retries < 0 ? json_null() : json_integer(st->retries));
		json_array_append_new(steps, s);
	}
	json_object_set_new(j, "steps", steps);
	json_object_set_new(j, "text", json_string(p->text));
	return j;
}
