/* A workspace's progress through labs (tables labs and lab_steps). */
#include "lab.h"

#include "workspace/workspace.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static int ensure_lab(struct workspace *ws, const struct lab *l, struct pm_err *err)
{
	char now[40];
	ts_now_iso(now, sizeof now);
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "INSERT INTO labs (name, path, steps, started) VALUES (?1, ?2, ?3, ?4)"
		       " ON CONFLICT (name) DO UPDATE SET path = ?2, steps = ?3",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, l->name, -1, DB_STATIC);
	db_bind_text(st, 2, l->path, -1, DB_STATIC);
	db_bind_int64(st, 3, (int64_t)l->nsteps);
	db_bind_text(st, 4, now, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return pm_errf(err, "workspace: recording lab %s: %s", l->name, ws_errmsg(ws));
	return 0;
}

int lab_progress_done(struct workspace *ws, const struct lab *l, size_t step, const char *how,
		      const char *command, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	if (ensure_lab(ws, l, err) < 0)
		goto fail;
	char now[40];
	ts_now_iso(now, sizeof now);
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "INSERT OR REPLACE INTO lab_steps (lab, step, title, how, command, time)"
		       " VALUES (?, ?, ?, ?, ?, ?)",
		       &st, err) < 0)
		goto fail;
	db_bind_text(st, 1, l->name, -1, DB_STATIC);
	db_bind_int64(st, 2, (int64_t)step);
	db_bind_text(st, 3, l->steps[step - 1].title, -1, DB_STATIC);
	db_bind_text(st, 4, how, -1, DB_STATIC);
	db_bind_text(st, 5, command, -1, DB_STATIC);
	db_bind_text(st, 6, now, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE) {
		pm_errf(err, "workspace: recording step %zu of lab %s: %s", step, l->name, ws_errmsg(ws));
		goto fail;
	}
	return ws_commit(ws, err);
fail:
	ws_rollback(ws);
	return -1;
}

int lab_progress_steps(struct workspace *ws, const struct lab *l, bool **done, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT step FROM lab_steps WHERE lab = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, l->name, -1, DB_STATIC);
	bool *d = xcalloc(l->nsteps ? l->nsteps : 1, sizeof *d);
	while (db_step(st) == DB_ROW) {
		int64_t k = db_column_int64(st, 0);
		/* a lab that lost steps since keeps the ones that are still there */
		if (k >= 1 && (size_t)k <= l->nsteps)
			d[k - 1] = true;
	}
	db_finalize(st);
	*done = d;
	return 0;
}

int lab_progress_start(struct workspace *ws, const struct lab *l, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	if (ensure_lab(ws, l, err) < 0)
		goto fail;
	struct db_stmt *st;
	if (ws_prepare(ws, "UPDATE labs SET active = CASE WHEN name = ? THEN 1 ELSE 0 END", &st, err) < 0)
		goto fail;
	db_bind_text(st, 1, l->name, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE) {
		pm_errf(err, "workspace: starting lab %s: %s", l->name, ws_errmsg(ws));
		goto fail;
	}
	return ws_commit(ws, err);
fail:
	ws_rollback(ws);
	return -1;
}

int lab_progress_active(struct workspace *ws, char **name, struct pm_err *err)
{
	struct db_stmt *st;
	*name = NULL;
	if (ws_prepare(ws, "SELECT name FROM labs WHERE active = 1", &st, err) < 0)
		return -1;
	if (db_step(st) == DB_ROW)
		*name = ws_col_text(st, 0, NULL);
	db_finalize(st);
	return 0;
}

int lab_progress_reset(struct workspace *ws, const char *name, int64_t *n, struct pm_err *err)
{
	if (ws_begin(ws, err) < 0)
		return -1;
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM lab_steps WHERE ?1 IS NULL OR lab = ?1", &st, err) < 0)
		goto fail;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	*n = db_changes(ws->db);
	if (rc != DB_DONE ||
	    ws_prepare(ws, "DELETE FROM labs WHERE ?1 IS NULL OR name = ?1", &st, err) < 0)
		goto fail;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE) {
		pm_errf(err, "workspace: resetting labs: %s", ws_errmsg(ws));
		goto fail;
	}
	return ws_commit(ws, err);
fail:
	ws_rollback(ws);
	return -1;
}

int lab_progress_list(struct workspace *ws, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT l.name, l.steps, (SELECT count(*) FROM lab_steps s WHERE s.lab = l.name"
		       " AND s.step <= l.steps), l.active, l.started,"
		       " (SELECT max(time) FROM lab_steps s WHERE s.lab = l.name)"
		       " FROM labs l ORDER BY l.name",
		       &st, err) < 0)
		return -1;
	json_t *a = json_array();
	while (db_step(st) == DB_ROW) {
		const char *last = (const char *)db_column_text(st, 5);
		json_array_append_new(
			a, json_pack("{s:s, s:I, s:I, s:b, s:s, s:o}", "lab", db_column_text(st, 0),
				     "steps", (json_int_t)db_column_int64(st, 1), "done",
				     (json_int_t)db_column_int64(st, 2), "active",
				     db_column_int(st, 3), "started", db_column_text(st, 4),
				     "last", last ? json_string(last) : json_null()));
	}
	db_finalize(st);
	*out = json_pack("{s:o}", "labs", a);
	return 0;
}

int lab_progress_rows(struct workspace *ws, const char *name, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT step, title, how, command, time FROM lab_steps WHERE lab = ?"
			   " ORDER BY step",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	json_t *a = json_array();
	while (db_step(st) == DB_ROW)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s}", "step",
						   (json_int_t)db_column_int64(st, 0), "title",
						   db_column_text(st, 1), "how",
						   db_column_text(st, 2), "command",
						   db_column_text(st, 3), "time",
						   db_column_text(st, 4)));
	db_finalize(st);
	*out = a;
	return 0;
}
