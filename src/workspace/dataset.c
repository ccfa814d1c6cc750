/* Dataset records and the load cache. */
#include "workspace.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>

void ws_dataset_free(struct ws_dataset *d)
{
	free(d->name);
	free(d->artifact);
	free(d->fingerprint);
	free(d->source);
	free(d->created);
	memset(d, 0, sizeof *d);
}

int ws_dataset_name_check(const char *name, struct pm_err *err)
{
	if (str_name_valid(name) && strncasecmp(name, "sqlite_", 7) != 0)
		return 0;
	/* the name as one visible line, cut: it may be a newline or 5,000 bytes */
	char *vis = str_visible(name ? name : "");
	const char *shown = vis ? vis : name ? name : "";
	int n = (int)utf8_fit(shown, 40);
	pm_errcf(err, PM_E_USAGE,
		 "'%.*s%s' is not a valid dataset name (1 to 128 letters, digits, '_', '-', '.', "
		 "starting with a letter or digit, not with sqlite_)",
		 n, shown, shown[n] ? "..." : "");
	free(vis);
	return -1;
}

int ws_dataset_put(struct workspace *ws, const struct ws_dataset *d, struct pm_err *err)
{
	if (ws_dataset_name_check(d->name, err) < 0)
		return -1;
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "INSERT OR REPLACE INTO datasets(name, artifact, fingerprint, rows, cols, "
		       "source, created) VALUES (?,?,?,?,?,?,?)",
		       &st, err) < 0)
		return -1;
	char now[32];
	ts_now_iso(now, sizeof now);
	db_bind_text(st, 1, d->name, -1, DB_STATIC);
	db_bind_text(st, 2, d->artifact, -1, DB_STATIC);
	db_bind_text(st, 3, d->fingerprint, -1, DB_STATIC);
	db_bind_int64(st, 4, d->rows);
	db_bind_int64(st, 5, d->cols);
	db_bind_text(st, 6, d->source, -1, DB_STATIC);
	db_bind_text(st, 7, d->created ? d->created : now, -1, DB_TRANSIENT);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return pm_errf(err, "cannot record dataset %s: %s", d->name, ws_errmsg(ws));
	return 0;
}

#define DATASET_COLS "name, artifact, fingerprint, rows, cols, source, created"

static void read_dataset(struct db_stmt *st, struct ws_dataset *d)
{
	d->name = ws_col_text(st, 0, "");
	d->artifact = ws_col_text(st, 1, "");
	d->fingerprint = ws_col_text(st, 2, "");
	d->rows = db_column_int64(st, 3);
	d->cols = db_column_int64(st, 4);
	d->source = ws_col_text(st, 5, "");
	d->created = ws_col_text(st, 6, "");
}

int ws_dataset_get(struct workspace *ws, const char *name, struct ws_dataset *d,
		   struct pm_err *err)
{
	struct db_stmt *st;
	memset(d, 0, sizeof *d);
	if (ws_prepare(ws, "SELECT " DATASET_COLS " FROM datasets WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		read_dataset(st, d);
		db_finalize(st);
		return 0;
	}
	db_finalize(st);
	if (rc == DB_DONE)
		return pm_errcf(err, PM_E_NOTFOUND, "no dataset named \"%s\" (see `datasets`)", name);
	return pm_errf(err, "cannot read dataset %s: %s", name, ws_errmsg(ws));
}

int ws_dataset_list(struct workspace *ws, struct ws_dataset **list, size_t *n,
		    struct pm_err *err)
{
	struct db_stmt *st;
	*list = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT " DATASET_COLS " FROM datasets ORDER BY name", &st, err) < 0)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)list, &cap, *n + 1, sizeof **list);
		read_dataset(st, &(*list)[(*n)++]);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return pm_errf(err, "cannot list datasets: %s", ws_errmsg(ws));
	return 0;
}

int ws_dataset_delete(struct workspace *ws, const char *name, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM datasets WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return pm_errf(err, "cannot drop dataset %s: %s", name, ws_errmsg(ws));
	if (db_changes(ws->db) == 0)
		return pm_errcf(err, PM_E_NOTFOUND, "no dataset named \"%s\" (see `datasets`)", name);
	return 0;
}

int ws_loadcache_get(struct workspace *ws, const char *key, char artifact[65], bool *found,
		     struct pm_err *err)
{
	struct db_stmt *st;
	*found = false;
	if (ws_prepare(ws, "SELECT artifact FROM load_cache WHERE key = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, key, -1, DB_STATIC);
	if (db_step(st) == DB_ROW) {
		const unsigned char *a = db_column_text(st, 0);
		if (a && strlen((const char *)a) == 64) {
			memcpy(artifact, a, 65);
			*found = true;
		}
	}
	db_finalize(st);
	return 0;
}

int ws_loadcache_put(struct workspace *ws, const char *key, const char *artifact,
		     struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "INSERT OR REPLACE INTO load_cache(key, artifact, created) VALUES (?,?,?)",
		       &st, err) < 0)
		return -1;
	char now[32];
	ts_now_iso(now, sizeof now);
	db_bind_text(st, 1, key, -1, DB_STATIC);
	db_bind_text(st, 2, artifact, -1, DB_STATIC);
	db_bind_text(st, 3, now, -1, DB_TRANSIENT);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return pm_errf(err, "cannot record load cache: %s", ws_errmsg(ws));
	return 0;
}
