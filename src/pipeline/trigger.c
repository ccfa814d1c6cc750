/* Triggers for continuous training (tables pipeline_triggers,
 * pipeline_trigger_files): a period, a file pattern (each new file, or new
 * content of a file, is a run with the file's path as a parameter) or an
 * alert that monitoring raised.  The scheduler asks pipeline_triggers_due
 * what to start and reports each start with pipeline_trigger_fired; a
 * pipeline with a run queued or running gets no new one, so no two runs
 * of one pipeline ever overlap, and what a trigger asked for waits. */
#include "pipeline.h"
#include "workspace/workspace.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"every", "file", "alert"};

int pipeline_trigger_add(struct workspace *ws, const struct pl_trigger *t, int64_t *id,
			 struct pm_err *err)
{
	struct db_stmt *st;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "INSERT INTO pipeline_triggers(pipeline, kind, every_us, glob, param, alert_kind,"
			   " model, params, last_alert, user, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
			   " (SELECT COALESCE(MAX(id), 0) FROM alerts), ?, ?)",
		       &st, err) < 0)
		return -1;
	char *params = json_dumps(t->params, JSON_COMPACT);
	db_bind_text(st, 1, t->pipeline, -1, DB_TRANSIENT);
	db_bind_text(st, 2, kind_names[t->kind], -1, DB_STATIC);
	if (t->kind == PL_ON_EVERY)
		db_bind_int64(st, 3, t->every_us);
	db_bind_text(st, 4, t->glob, -1, DB_TRANSIENT);
	db_bind_text(st, 5, t->param, -1, DB_TRANSIENT);
	db_bind_text(st, 6, t->alert_kind, -1, DB_TRANSIENT);
	db_bind_text(st, 7, t->model, -1, DB_TRANSIENT);
	db_bind_text(st, 8, params, -1, free);
	db_bind_text(st, 9, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 10, now, -1, DB_TRANSIENT);
	int rc = 0;
	if (db_step(st) == DB_DONE)
		*id = db_last_insert_id(ws->db);
	else
		rc = pm_errf(err, "cannot record the trigger: %s", ws_errmsg(ws));
	db_finalize(st);
	return rc;
}

int pipeline_trigger_delete(struct workspace *ws, int64_t id, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM pipeline_triggers WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	int rc = db_step(st) == DB_DONE ? 0 : pm_errf(err, "cannot delete trigger %lld: %s",
							      (long long)id, ws_errmsg(ws));
	db_finalize(st);
	if (rc == 0 && db_changes(ws->db) == 0)
		rc = pm_errcf(err, PM_E_NOTFOUND, "no trigger %lld (see `pipeline triggers`)", (long long)id);
	return rc;
}

#define TRIGGER_COLS "id, pipeline, kind, every_us, glob, param, alert_kind, model, params," \
		     " last_fired_us, last_alert, runs"

static json_t *trigger_json(struct db_stmt *st)
{
	json_t *j = json_object();
	json_object_set_new(j, "trigger", json_integer(db_column_int64(st, 0)));
	json_object_set_new(j, "pipeline", json_string((const char *)db_column_text(st, 1)));
	const char *kind = (const char *)db_column_text(st, 2);
	json_object_set_new(j, "kind", json_string(kind));
	if (strcmp(kind, "every") == 0) {
		json_object_set_new(j, "every_s", json_real((double)db_column_int64(st, 3) / 1e6));
	} else if (strcmp(kind, "file") == 0) {
		json_object_set_new(j, "glob", json_string((const char *)db_column_text(st, 4)));
		json_object_set_new(j, "param", json_string((const char *)db_column_text(st, 5)));
	} else {
		json_object_set_new(j, "alert", json_string((const char *)db_column_text(st, 6)));
		json_object_set_new(j, "model", json_string((const char *)db_column_text(st, 7)));
	}
	json_t *params = json_loads((const char *)db_column_text(st, 8), 0, NULL);
	json_object_set_new(j, "params", params ? params : json_array());
	if (db_column_type(st, 9) == DB_NULL) {
		json_object_set_new(j, "last_fired", json_null());
	} else {
		char buf[40];
		ts_format(db_column_int64(st, 9), buf, sizeof buf);
		json_object_set_new(j, "last_fired", json_string(buf));
	}
	json_object_set_new(j, "runs", json_integer(db_column_int64(st, 11)));
	return j;
}

int pipeline_triggers(struct workspace *ws, const char *pipeline, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT " TRIGGER_COLS " FROM pipeline_triggers WHERE ?1 IS NULL OR pipeline = ?1"
			   " ORDER BY id",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, pipeline, -1, DB_TRANSIENT);
	json_t *arr = json_array();
	while (db_step(st) == DB_ROW)
		json_array_append_new(arr, trigger_json(st));
	db_finalize(st);
	*out = json_pack("{s:o}", "triggers", arr);
	return 0;
}

bool pipeline_busy(struct workspace *ws, const char *pipeline)
{
	struct pm_err e;
	int64_t *ids;
	size_t n;
	if (ws_ids(ws, "SELECT id FROM pipeline_runs WHERE pipeline = ? AND state IN ('queued', 'running')",
		   pipeline, &ids, &n, &e) < 0)
		return true;
	bool busy = false;
	/* through pipeline_run_get: a run whose process died is not busy */
	for (size_t i = 0; i < n && !busy; i++) {
		json_t *r;
		if (pipeline_run_get(ws, ids[i], false, &r, &e) < 0)
			continue;
		const char *state = json_string_value(json_object_get(r, "state"));
		busy = strcmp(state, "queued") == 0 || strcmp(state, "running") == 0;
		json_decref(r);
	}
	free(ids);
	return busy;
}

void pl_fire_free(struct pl_fire *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].pipeline);
		str_list_free(f[i].params);
		free(f[i].reason);
		free(f[i].file);
		free(f[i].sha);
	}
	free(f);
}

static char **params_of(json_t *params, const char *extra)
{
	size_t n = json_array_size(params);
	char **v = xcalloc(n + 2, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(json_string_value(json_array_get(params, i)) ?: "");
	if (extra)
		v[n] = xstrdup(extra);
	return v;
}

/* The first file matching the pattern that this trigger has not answered
 * (by path and content); 0 when there is none. */
static int new_file(struct workspace *ws, int64_t trigger, const char *pattern, char **path, char **sha,
		    struct pm_err *err)
{
	glob_t g;
	*path = *sha = NULL;
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	struct db_stmt *st;
	int rc = ws_prepare(ws, "SELECT 1 FROM pipeline_trigger_files WHERE trigger = ? AND path = ? AND sha256 = ?",
			    &st, err);
	for (size_t i = 0; rc == 0 && i < g.gl_pathc && !*path; i++) {
		char hex[65];
		struct pm_err e;
		if (!fs_exists(g.gl_pathv[i]) || fs_is_dir(g.gl_pathv[i]) || sha256_file(g.gl_pathv[i], hex, &e) < 0)
			continue;
		db_reset(st);
		db_bind_int64(st, 1, trigger);
		db_bind_text(st, 2, g.gl_pathv[i], -1, DB_TRANSIENT);
		db_bind_text(st, 3, hex, -1, DB_TRANSIENT);
		if (db_step(st) != DB_ROW) {
			*path = xstrdup(g.gl_pathv[i]);
			*sha = xstrdup(hex);
		}
	}
	if (rc == 0)
		db_finalize(st);
	globfree(&g);
	return rc;
}

/* The newest alert of the kind for the model after `after` (0: none). */
static int64_t new_alert(struct workspace *ws, const char *kind, const char *model, int64_t after,
			 char **feature)
{
	struct db_stmt *st;
	struct pm_err e;
	*feature = NULL;
	if (ws_prepare(ws, "SELECT id, feature FROM alerts WHERE kind = ? AND model = ? AND id > ?"
			   " ORDER BY id DESC LIMIT 1",
		       &st, &e) < 0)
		return 0;
	db_bind_text(st, 1, kind, -1, DB_TRANSIENT);
	db_bind_text(st, 2, model, -1, DB_TRANSIENT);
	db_bind_int64(st, 3, after);
	int64_t id = 0;
	if (db_step(st) == DB_ROW) {
		id = db_column_int64(st, 0);
		const char *f = (const char *)db_column_text(st, 1);
		*feature = f ? xstrdup(f) : NULL;
	}
	db_finalize(st);
	return id;
}

/* What trigger row st asks for now: 1 and *f filled, or 0. */
static int due_one(struct workspace *ws, struct db_stmt *st, int64_t now_us, struct pl_fire *f,
		   struct pm_err *err)
{
	*f = (struct pl_fire){.trigger = db_column_int64(st, 0)};
	const char *kind = (const char *)db_column_text(st, 2);
	json_t *params = json_loads((const char *)db_column_text(st, 8), 0, NULL);
	char *extra = NULL;
	int due = 0;
	if (strcmp(kind, "every") == 0) {
		int64_t every = db_column_int64(st, 3);
		due = db_column_type(st, 9) == DB_NULL || now_us - db_column_int64(st, 9) >= every;
		if (due)
			f->reason = xasprintf("every %gs", (double)every / 1e6);
	} else if (strcmp(kind, "file") == 0) {
		if (new_file(ws, f->trigger, (const char *)db_column_text(st, 4), &f->file, &f->sha, err) < 0) {
			json_decref(params);
			return -1;
		}
		if (f->file) {
			due = 1;
			extra = xasprintf("%s=%s", (const char *)db_column_text(st, 5), f->file);
			f->reason = xasprintf("new file %s", f->file);
		}
	} else {
		char *feature;
		f->alert = new_alert(ws, (const char *)db_column_text(st, 6), (const char *)db_column_text(st, 7),
				     db_column_int64(st, 10), &feature);
		if (f->alert) {
			due = 1;
			f->reason = xasprintf("alert %lld: %s of %s%s%s", (long long)f->alert,
					      (const char *)db_column_text(st, 6), (const char *)db_column_text(st, 7),
					      feature ? " on " : "", feature ? feature : "");
		}
		free(feature);
	}
	if (due) {
		f->pipeline = xstrdup((const char *)db_column_text(st, 1));
		f->params = params_of(params, extra);
		while (f->params[f->nparams])
			f->nparams++;
	}
	free(extra);
	json_decref(params);
	return due;
}

static bool kind_in(const char *kind, unsigned kinds)
{
	for (size_t k = 0; k < PM_ARRAY_LEN(kind_names); k++)
		if (strcmp(kind, kind_names[k]) == 0)
			return kinds & (1u << k);
	return false;
}

int pipeline_triggers_due(struct workspace *ws, int64_t now_us, unsigned kinds, struct pl_fire **out,
			  size_t *n, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT " TRIGGER_COLS " FROM pipeline_triggers ORDER BY id", &st, err) < 0)
		return -1;
	struct pl_fire *fires = NULL;
	size_t nf = 0;
	json_t *taken = json_object(); /* pipelines already busy, or given a run this tick */
	int rc = 0;
	while (rc == 0 && db_step(st) == DB_ROW) {
		const char *pipeline = (const char *)db_column_text(st, 1);
		if (json_object_get(taken, pipeline) || !kind_in((const char *)db_column_text(st, 2), kinds))
			continue;
		if (pipeline_busy(ws, pipeline)) {
			json_object_set_new(taken, pipeline, json_true());
			continue;
		}
		fires = xrealloc(fires, (nf + 1) * sizeof *fires);
		int due = due_one(ws, st, now_us, &fires[nf], err);
		if (due < 0)
			rc = -1;
		else if (due) {
			json_object_set_new(taken, pipeline, json_true());
			nf++;
		}
	}
	db_finalize(st);
	json_decref(taken);
	if (rc < 0) {
		pl_fire_free(fires, nf);
		return -1;
	}
	*out = fires;
	*n = nf;
	return 0;
}

int pipeline_trigger_fired(struct workspace *ws, const struct pl_fire *f, int64_t now_us, int64_t run,
			   struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_begin(ws, err) < 0)
		return -1;
	if (ws_prepare(ws, "UPDATE pipeline_triggers SET last_fired_us = ?, runs = runs + 1,"
			   " last_alert = MAX(last_alert, ?) WHERE id = ?",
		       &st, err) < 0)
		goto fail;
	db_bind_int64(st, 1, now_us);
	db_bind_int64(st, 2, f->alert);
	db_bind_int64(st, 3, f->trigger);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		goto sqlfail;
	if (f->file) {
		char now[40];
		ts_now_iso(now, sizeof now);
		if (ws_prepare(ws, "INSERT OR REPLACE INTO pipeline_trigger_files(trigger, path, sha256, run, seen)"
				   " VALUES (?, ?, ?, ?, ?)",
			       &st, err) < 0)
			goto fail;
		db_bind_int64(st, 1, f->trigger);
		db_bind_text(st, 2, f->file, -1, DB_TRANSIENT);
		db_bind_text(st, 3, f->sha, -1, DB_TRANSIENT);
		db_bind_int64(st, 4, run);
		db_bind_text(st, 5, now, -1, DB_TRANSIENT);
		rc = db_step(st);
		db_finalize(st);
		if (rc != DB_DONE)
			goto sqlfail;
	}
	return ws_commit(ws, err);
sqlfail:
	pm_errf(err, "cannot record trigger %lld: %s", (long long)f->trigger, ws_errmsg(ws));
fail:
	ws_rollback(ws);
	return -1;
}
