/* The schemas and the statistics cache in the workspace: the one place that
 * reads and writes the schemas and stats tables. */
#include "validate.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

int stats_cache_get(struct workspace *ws, const char *fp, const char *slice, json_t **out,
		    struct pm_err *err)
{
	struct db_stmt *st;
	*out = NULL;
	if (ws_prepare(ws, "SELECT json FROM stats WHERE fingerprint = ? AND slice = ?", &st,
		       err) < 0)
		return -1;
	db_bind_text(st, 1, fp, -1, DB_STATIC);
	db_bind_text(st, 2, slice, -1, DB_STATIC);
	if (db_step(st) == DB_ROW) {
		json_t *j = json_loads((const char *)db_column_text(st, 0), 0, NULL);
		/* an entry from another version of the statistics is recomputed */
		if (j && json_integer_value(json_object_get(j, "stats_version")) == STATS_VERSION)
			*out = j;
		else if (j)
			json_decref(j);
	}
	db_finalize(st);
	return 0;
}

/* JSON text of a result for the cache, NaN/Inf as null like every output.
 * Measured first, then written into a buffer of its size: json_dumps
 * grows a buffer by doubling and then copies it, three times the text at
 * its peak (150 MB for the statistics of 100k columns). */
static char *json_text(json_t *j)
{
	size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(17);
	size_t n = json_dumpb(j, NULL, 0, flags);
	char *t = xmalloc(n + 1);
	json_dumpb(j, t, n, flags);
	t[n] = '\0';
	return t;
}

int stats_cache_put(struct workspace *ws, const char *fp, const char *slice, json_t *j,
		    struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "INSERT OR REPLACE INTO stats (fingerprint, slice, json, created) "
		       "VALUES (?, ?, ?, ?)",
		       &st, err) < 0)
		return -1;
	char now[64];
	ts_now_iso(now, sizeof now);
	char *text = json_text(j);
	db_bind_text(st, 1, fp, -1, DB_STATIC);
	db_bind_text(st, 2, slice, -1, DB_STATIC);
	db_bind_text(st, 3, text, -1, free);
	db_bind_text(st, 4, now, -1, DB_STATIC);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc < 0)
		pm_errf(err, "workspace: %s", ws_errmsg(ws));
	db_finalize(st);
	return rc;
}

int schema_fetch(struct workspace *ws, const char *name, struct schema **out,
		 struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT text FROM schemas WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	int rc;
	if (db_step(st) == DB_ROW) {
		const char *text = (const char *)db_column_text(st, 0);
		char *label = xasprintf("schema %s", name);
		rc = schema_parse(text, strlen(text), label, name, out, err);
		free(label);
	} else {
		rc = pm_errcf(err, PM_E_NOTFOUND,
			      "no schema named %s (make one with `schema infer DATASET --as %s` or "
			      "`schema load %s FILE`)",
			      name, name, name);
	}
	db_finalize(st);
	return rc;
}

int schema_of_dataset(struct workspace *ws, const char *dataset, struct schema **out,
		      struct pm_err *err)
{
	*out = NULL;
	char *name = xstrdup(dataset);
	/* a split part has its parent's schema: parts are named NAME_PART, and
	 * the schema was inferred before the split */
	for (int depth = 0; name && depth < 8; depth++) {
		struct db_stmt *st;
		if (ws_prepare(ws,
			       "SELECT name FROM schemas WHERE name = ?1 OR source = 'inferred from ' || ?1 "
			       "ORDER BY name = ?1 DESC, updated DESC LIMIT 1",
			       &st, err) < 0) {
			free(name);
			return -1;
		}
		db_bind_text(st, 1, name, -1, DB_STATIC);
		char *found = db_step(st) == DB_ROW
				      ? xstrdup((const char *)db_column_text(st, 0))
				      : NULL;
		db_finalize(st);
		if (found) {
			free(name);
			int rc = schema_fetch(ws, found, out, err);
			free(found);
			return rc;
		}
		struct ws_dataset d;
		struct pm_err e;
		char *parent = NULL;
		if (ws_dataset_get(ws, name, &d, &e) == 0) {
			const char *p = d.source && str_prefix(d.source, "split of ")
						? d.source + strlen("split of ")
						: NULL;
			if (p)
				parent = xstrndup(p, strcspn(p, " "));
			ws_dataset_free(&d);
		}
		free(name);
		name = parent;
	}
	free(name);
	return 0;
}

int schema_store(struct workspace *ws, const struct schema *sc, const char *source,
		 const char *action, const char *detail, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_begin(ws, err) < 0)
		return -1;
	if (ws_prepare(ws,
		       "INSERT INTO schemas (name, text, source, created, updated) "
		       "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(name) DO UPDATE SET "
		       "text = excluded.text, source = coalesce(excluded.source, schemas.source), "
		       "updated = excluded.updated",
		       &st, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	char now[64];
	ts_now_iso(now, sizeof now);
	char *text = schema_to_text(sc);
	db_bind_text(st, 1, sc->name, -1, DB_STATIC);
	db_bind_text(st, 2, text, -1, free);
	if (source)
		db_bind_text(st, 3, source, -1, DB_STATIC);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, now, -1, DB_STATIC);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc < 0)
		pm_errf(err, "workspace: %s", ws_errmsg(ws));
	db_finalize(st);
	if (rc == 0)
		rc = ws_audit(ws, action, sc->name, detail, err);
	if (rc == 0)
		rc = ws_commit(ws, err);
	if (rc < 0)
		ws_rollback(ws);
	return rc;
}

int schema_list(struct workspace *ws, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT name, source, updated, text FROM schemas ORDER BY name", &st,
		       err) < 0)
		return -1;
	json_t *arr = json_array();
	while (db_step(st) == DB_ROW) {
		const char *text = (const char *)db_column_text(st, 3);
		json_int_t nf = 0;
		for (const char *p = text; (p = strstr(p, "\nfeature ")); p++)
			nf++;
		const char *src = (const char *)db_column_text(st, 1);
		json_array_append_new(
			arr, json_pack("{s:s, s:I, s:s, s:s}", "name",
				       (const char *)db_column_text(st, 0), "features", nf,
				       "source", src ? src : "", "updated",
				       (const char *)db_column_text(st, 2)));
	}
	db_finalize(st);
	*out = arr;
	return 0;
}
