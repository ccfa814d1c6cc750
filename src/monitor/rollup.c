/* Retention: raw requests past their time are rolled up into one row per
 * model, version and minute, and rollups and feedback past a longer horizon
 * are dropped, so the workspace does not grow without bound.  A rollup
 * keeps counts by value (statuses, latencies to 3 significant digits,
 * batch sizes, predictions), which add up: a minute written by two
 * compactions, or minutes summed into a window, stay right. */
#include "model/model.h"
#include "monitor/internal.h"
#include "registry/registry.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *load_col(struct db_stmt *st, int col)
{
	const char *t = (const char *)db_column_text(st, col);
	return t ? json_loads(t, 0, NULL) : NULL;
}

void rollup_agg_read(struct db_stmt *st, int c, struct agg *a)
{
	a->requests = a->rolled = db_column_int64(st, c);
	a->errors = db_column_int64(st, c + 1);
	a->rows = db_column_int64(st, c + 2);
	int64_t sum = db_column_int64(st, c + 3), max = db_column_int64(st, c + 4);
	json_t *j;
	if ((j = load_col(st, c + 5)))
		cmap_add_json(&a->status, j), json_decref(j);
	else if (a->errors)
		cmap_add(&a->status, 0, a->errors);   /* statuses not kept: "0" */
	if ((j = load_col(st, c + 6))) {
		cmap_add_json(&a->latency, j), json_decref(j);
	} else if (a->requests > 0) {
		/* a minute compacted before latency histograms were kept: the
		 * slowest request at its maximum, the others at their mean */
		if (a->requests > 1)
			cmap_add(&a->latency, (double)monitor_round3((sum - max) / (a->requests - 1)),
				 a->requests - 1);
		cmap_add(&a->latency, (double)monitor_round3(max), 1);
	}
	if ((j = load_col(st, c + 7)))
		cmap_add_json(&a->batch, j), json_decref(j);
	else if (a->requests > 0)
		cmap_add(&a->batch, round((double)a->rows / (double)a->requests), a->requests);
	for (size_t i = 0; i < a->batch.n; i++)
		if (a->batch.key[i] > (double)a->rows_max)
			a->rows_max = (int64_t)a->batch.key[i];
	if ((j = load_col(st, c + 8))) {
		cmap_add_json(&a->pvalues, json_object_get(j, "values"));
		cmap_add_json(&a->pclasses, json_object_get(j, "classes"));
		json_decref(j);
	}
}

struct group {
	char *model;
	int64_t version, minute_us;
	int64_t latency_sum, latency_max;
	struct agg a;
};

static int group_flush(struct workspace *ws, struct group *g, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT requests, errors, rows, latency_sum_us, latency_max_us, statuses,"
		       " latency_hist, batches, predictions FROM rollups"
		       " WHERE model = ? AND version = ? AND minute_us = ?",
		       &st, err))
		return -1;
	db_bind_text(st, 1, g->model, -1, DB_STATIC);
	db_bind_int64(st, 2, g->version);
	db_bind_int64(st, 3, g->minute_us);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		struct agg old = {0};
		rollup_agg_read(st, 0, &old);
		g->latency_sum += db_column_int64(st, 3);
		if (db_column_int64(st, 4) > g->latency_max)
			g->latency_max = db_column_int64(st, 4);
		old.rolled = 0;
		agg_merge(&g->a, &old);
		agg_free(&old);
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return monitor_db_fail(ws, err);
	if (ws_prepare(ws,
		       "INSERT OR REPLACE INTO rollups (model, version, minute_us, requests, errors,"
		       " rows, latency_sum_us, latency_max_us, statuses, latency_hist, batches,"
		       " predictions) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
		       &st, err))
		return -1;
	json_t *pj = NULL;
	if (g->a.pvalues.n || g->a.pclasses.n)
		pj = json_pack("{s:o,s:o}", "values", cmap_to_json(&g->a.pvalues), "classes",
			       cmap_to_json(&g->a.pclasses));
	json_t *cols[4] = {cmap_to_json(&g->a.status), cmap_to_json(&g->a.latency),
			   cmap_to_json(&g->a.batch), pj};
	char *text[4];
	for (int i = 0; i < 4; i++) {
		text[i] = cols[i] ? json_dumps(cols[i], JSON_COMPACT) : NULL;
		json_decref(cols[i]);
	}
	db_bind_text(st, 1, g->model, -1, DB_STATIC);
	db_bind_int64(st, 2, g->version);
	db_bind_int64(st, 3, g->minute_us);
	db_bind_int64(st, 4, g->a.requests);
	db_bind_int64(st, 5, g->a.errors);
	db_bind_int64(st, 6, g->a.rows);
	db_bind_int64(st, 7, g->latency_sum);
	db_bind_int64(st, 8, g->latency_max);
	for (int i = 0; i < 4; i++)
		if (text[i])
			db_bind_text(st, 9 + i, text[i], -1, DB_TRANSIENT);
	rc = db_step(st);
	db_finalize(st);
	for (int i = 0; i < 4; i++)
		free(text[i]);
	return rc == DB_DONE ? 0 : monitor_db_fail(ws, err);
}

/* Whether a model version predicts a binary class (its scalar predictions
 * are P(classes[1]) and give a class too). */
static bool version_binary(struct workspace *ws, const char *model, int64_t version)
{
	struct reg_version v = {0};
	struct pm_err e = {0};
	if (version <= 0 || reg_version_get(ws, model, version, &v, &e))
		return false;
	bool b = v.task && strcmp(v.task, "binary") == 0;
	reg_version_free(&v);
	return b;
}

static int delete_before(struct workspace *ws, const char *sql, int64_t t, int64_t *n,
			 struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, sql, &st, err))
		return -1;
	db_bind_int64(st, 1, t);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return monitor_db_fail(ws, err);
	*n = db_changes(ws->db);
	return 0;
}

int monitor_compact(struct workspace *ws, int64_t before_us, int64_t drop_before_us,
		    struct monitor_compact_result *res, struct pm_err *err)
{
	struct db_stmt *st = NULL;
	memset(res, 0, sizeof *res);
	if (ws_begin(ws, err))
		return -1;
	struct group g = {0};
	bool have = false, binary = false;
	if (ws_prepare(ws,
		       "SELECT model, COALESCE(version,0), time_us, status, latency_us, rows, prediction"
		       " FROM requests WHERE time_us < ? ORDER BY model, 2, time_us, id",
		       &st, err))
		goto fail;
	db_bind_int64(st, 1, before_us);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *model = (const char *)db_column_text(st, 0);
		int64_t version = db_column_int64(st, 1), t = db_column_int64(st, 2);
		int64_t minute = monitor_floor_div(t, 60000000) * 60000000;
		bool same_mv = have && strcmp(g.model, model) == 0 && g.version == version;
		if (!same_mv || g.minute_us != minute) {
			if (have && group_flush(ws, &g, err))
				goto fail;
			if (!same_mv)
				binary = version_binary(ws, model, version);
			agg_free(&g.a);
			free(g.model);
			g = (struct group){.model = xstrdup(model), .version = version, .minute_us = minute};
			have = true;
		}
		int64_t lat = db_column_int64(st, 4);
		const char *pt = (const char *)db_column_text(st, 6);
		json_t *pred = pt ? json_loads(pt, 0, NULL) : NULL;
		agg_add_request(&g.a, db_column_int(st, 3), monitor_round3(lat),
				db_column_int64(st, 5), json_is_array(pred) ? pred : NULL, binary);
		json_decref(pred);
		g.latency_sum += lat;
		if (lat > g.latency_max)
			g.latency_max = lat;
	}
	db_finalize(st);
	st = NULL;
	if (rc != DB_DONE) {
		monitor_db_fail(ws, err);
		goto fail;
	}
	if (have && group_flush(ws, &g, err))
		goto fail;
	if (delete_before(ws, "DELETE FROM requests WHERE time_us < ?", before_us, &res->rolled, err))
		goto fail;
	if (drop_before_us != INT64_MIN &&
	    (delete_before(ws, "DELETE FROM rollups WHERE minute_us < ?", drop_before_us,
			   &res->rollups_dropped, err) ||
	     delete_before(ws, "DELETE FROM feedback WHERE time_us < ?", drop_before_us,
			   &res->feedback_dropped, err)))
		goto fail;
	agg_free(&g.a);
	free(g.model);
	return ws_commit(ws, err);
fail:
	db_finalize(st);
	agg_free(&g.a);
	free(g.model);
	ws_rollback(ws);
	return -1;
}
