/* Designs in the workspace (table designs): the whole design is one JSON
 * text, so a key added later needs no migration; model and data are
 * columns too, for `design list` and for queries with sqlite3. */
#include "design.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The defaults follow the course's advice: train once until the data is
 * seen to change, compute predictions on demand (static serving needs a
 * finite key space, which the person names with `keys`), answer online,
 * and run each request as it arrives until batching is measured to help. */
static json_t *design_defaults(const char *name, const char *model, const char *data)
{
	return json_pack("{s:s,s:s,s:s,s:{s:s},s:s,s:s,s:{s:s,s:i},s:{s:i,s:i},s:[],s:i,s:i,"
			 "s:n,s:i,s:{},s:{},s:n}",
			 "name", name, "model", model, "data", data, "training", "kind", "static",
			 "serving", "dynamic", "inference", "online", "hardware", "kind", "cpu", "threads",
			 0, "batching", "max_batch", 1, "max_wait_us", 1000, "keys", "table_size", 0,
			 "epochs", 0, "traffic_per_day", "port", 8501, "monitor", "prices", "applied");
}

int design_create(struct workspace *ws, const char *name, const char *model, const char *data,
		  json_t **out, struct pm_err *err)
{
	if (!str_name_valid(name))
		return pm_errcf(err, PM_E_USAGE,
				"'%s' is not a design name (letters, digits, '_', '-', '.')", name);
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT 1 FROM designs WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	bool taken = db_step(st) == DB_ROW;
	db_finalize(st);
	if (taken)
		return pm_errcf(err, PM_E_USAGE,
				"design %s exists (`design show %s`; `design drop %s` removes it)", name,
				name, name);
	json_t *d = design_defaults(name, model, data);
	char now[40];
	ts_now_iso(now, sizeof now);
	char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc = -1;
	if (ws_begin(ws, err) < 0)
		goto out;
	if (ws_prepare(ws, "INSERT INTO designs(name, model, data, json, user, created, updated)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
		       &st, err) < 0) {
		ws_rollback(ws);
		goto out;
	}
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	db_bind_text(st, 2, model, -1, DB_TRANSIENT);
	db_bind_text(st, 3, data, -1, DB_TRANSIENT);
	db_bind_text(st, 4, text, -1, DB_TRANSIENT);
	db_bind_text(st, 5, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 6, now, -1, DB_TRANSIENT);
	rc = db_step(st) == DB_DONE
		     ? 0
		     : pm_errf(err, "cannot store design %s: %s", name, db_errmsg(ws->db));
	db_finalize(st);
	if (rc < 0 || ws_audit(ws, "design new", name, text, err) < 0) {
		ws_rollback(ws);
		rc = -1;
		goto out;
	}
	rc = ws_commit(ws, err);
out:
	free(text);
	if (rc == 0)
		*out = d;
	else
		json_decref(d);
	return rc;
}

int design_fetch(struct workspace *ws, const char *name, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT json FROM designs WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND,
				"no design %s (see `design list`; `design new %s --model M --data D` "
				"makes one)",
				name, name);
	}
	json_error_t je;
	*out = json_loads((const char *)db_column_text(st, 0), 0, &je);
	db_finalize(st);
	if (!*out || !json_is_object(*out))
		return pm_errf(err, "design %s: stored text is not a JSON object: %s", name, je.text);
	return 0;
}

int design_save(struct workspace *ws, json_t *d, const char *action, struct pm_err *err)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char now[40];
	ts_now_iso(now, sizeof now);
	struct db_stmt *st;
	int rc = -1;
	if (ws_begin(ws, err) < 0)
		goto out;
	if (ws_prepare(ws, "UPDATE designs SET json = ?2, updated = ?3, user = ?4 WHERE name = ?1", &st,
		       err) < 0) {
		ws_rollback(ws);
		goto out;
	}
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	db_bind_text(st, 2, text, -1, DB_TRANSIENT);
	db_bind_text(st, 3, now, -1, DB_TRANSIENT);
	db_bind_text(st, 4, ws_user(), -1, DB_TRANSIENT);
	rc = db_step(st) == DB_DONE && db_changes(ws->db) == 1
		     ? 0
		     : pm_errf(err, "cannot store design %s: %s", name, db_errmsg(ws->db));
	db_finalize(st);
	if (rc < 0 || ws_audit(ws, action, name, text, err) < 0) {
		ws_rollback(ws);
		rc = -1;
		goto out;
	}
	rc = ws_commit(ws, err);
out:
	free(text);
	return rc;
}

int design_list(struct workspace *ws, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT name, json, updated FROM designs ORDER BY name", &st, err) < 0)
		return -1;
	json_t *arr = json_array();
	while (db_step(st) == DB_ROW) {
		json_t *d = json_loads((const char *)db_column_text(st, 1), 0, NULL);
		if (!d)
			continue;
		json_t *tr = json_object_get(d, "training");
		json_t *j = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:s}", "name",
				      json_object_get(d, "name"), "model", json_object_get(d, "model"),
				      "data", json_object_get(d, "data"), "training",
				      json_object_get(tr, "kind"), "serving", json_object_get(d, "serving"),
				      "inference", json_object_get(d, "inference"), "applied",
				      json_object_get(d, "applied"), "updated",
				      (const char *)db_column_text(st, 2));
		if (j)
			json_array_append_new(arr, j);
		json_decref(d);
	}
	db_finalize(st);
	*out = json_pack("{s:o}", "designs", arr);
	return 0;
}

int design_drop(struct workspace *ws, const char *name, struct pm_err *err)
{
	json_t *d;
	if (design_fetch(ws, name, &d, err) < 0)
		return -1;
	json_decref(d);
	struct db_stmt *st;
	if (ws_begin(ws, err) < 0)
		return -1;
	const char *sql[] = {"DELETE FROM designs WHERE name = ?", "DELETE FROM design_probes WHERE design = ?"};
	for (size_t i = 0; i < 2; i++) {
		if (ws_prepare(ws, sql[i], &st, err) < 0)
			goto fail;
		db_bind_text(st, 1, name, -1, DB_TRANSIENT);
		int ok = db_step(st) == DB_DONE;
		db_finalize(st);
		if (!ok) {
			pm_errf(err, "cannot drop design %s: %s", name, db_errmsg(ws->db));
			goto fail;
		}
	}
	if (ws_audit(ws, "design drop", name, NULL, err) < 0)
		goto fail;
	return ws_commit(ws, err);
fail:
	ws_rollback(ws);
	return -1;
}

int design_probe_record(struct workspace *ws, const char *name, const char *kind, int64_t version,
			int64_t rows, double seconds, int threads, struct pm_err *err)
{
	return design_probe_record_detail(ws, name, kind, version, rows, seconds, threads, NULL, err);
}

int design_probe_record_detail(struct workspace *ws, const char *name, const char *kind, int64_t version,
			       int64_t rows, double seconds, int threads, json_t *detail,
			       struct pm_err *err)
{
	struct db_stmt *st;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "INSERT INTO design_probes(design, kind, version, rows, seconds, threads, time,"
			   " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	db_bind_text(st, 2, kind, -1, DB_TRANSIENT);
	db_bind_int64(st, 3, version);
	db_bind_int64(st, 4, rows);
	db_bind_double(st, 5, seconds);
	db_bind_int(st, 6, threads);
	db_bind_text(st, 7, now, -1, DB_TRANSIENT);
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	if (text)
		db_bind_text(st, 8, text, -1, free);
	int rc = db_step(st) == DB_DONE
			 ? 0
			 : pm_errf(err, "cannot record the probe of design %s: %s", name,
				   db_errmsg(ws->db));
	db_finalize(st);
	return rc;
}

/* The probes of a kind, newest first; at most limit (0: all). */
static json_t *probes_of(struct workspace *ws, const char *name, const char *kind, int limit)
{
	struct db_stmt *st;
	struct pm_err e;
	json_t *arr = json_array();
	if (ws_prepare(ws, "SELECT id, version, rows, seconds, threads, time, detail FROM design_probes"
			   " WHERE design = ? AND kind = ? ORDER BY id DESC LIMIT ?",
		       &st, &e) < 0)
		return arr;
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	db_bind_text(st, 2, kind, -1, DB_TRANSIENT);
	db_bind_int64(st, 3, limit > 0 ? limit : INT64_MAX); /* all: no negative LIMIT, which PostgreSQL refuses */
	while (db_step(st) == DB_ROW) {
		double rows = (double)db_column_int64(st, 2), s = db_column_double(st, 3);
		json_t *j = json_pack("{s:I,s:s,s:I,s:I,s:o,s:o,s:i,s:s}", "id",
				      (json_int_t)db_column_int64(st, 0), "kind", kind, "version",
				      (json_int_t)db_column_int64(st, 1), "rows",
				      (json_int_t)db_column_int64(st, 2), "seconds", json_num(s),
				      "rows_per_s", json_num(s > 0 ? rows / s : NAN), "threads",
				      db_column_int(st, 4), "time",
				      (const char *)db_column_text(st, 5));
		json_t *detail = db_column_text(st, 6)
					 ? json_loads((const char *)db_column_text(st, 6), 0, NULL)
					 : NULL;
		if (json_is_object(detail))
			json_object_update(j, detail);
		json_decref(detail);
		json_array_append_new(arr, j);
	}
	db_finalize(st);
	return arr;
}

json_t *design_probes(struct workspace *ws, const char *name, const char *kind)
{
	return probes_of(ws, name, kind, 0);
}

json_t *design_probe_last(struct workspace *ws, const char *name, const char *kind)
{
	json_t *arr = probes_of(ws, name, kind, 1);
	json_t *j = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return j;
}
