/* Opening the workspace: directory layout, SQLite settings, migrations. */
#include "workspace.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const char *const ws_migrations[];
extern const int ws_nmigrations;

int ws_schema_version(void)
{
	return ws_nmigrations;
}

static int db_err(struct workspace *ws, struct pm_err *err, const char *what)
{
	return pm_errf(err, "workspace %s: %s: %s", ws->dir, what, sqlite3_errmsg(ws->db));
}

int ws_exec(struct workspace *ws, const char *sql, struct pm_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(ws->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		pm_errf(err, "workspace %s: %s", ws->dir, msg ? msg : sqlite3_errmsg(ws->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int ws_prepare(struct workspace *ws, const char *sql, sqlite3_stmt **st, struct pm_err *err)
{
	if (sqlite3_prepare_v2(ws->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_err(ws, err, "query failed");
	return 0;
}

char *ws_col_text(sqlite3_stmt *st, int i, const char *null_text)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	if (!t)
		t = null_text;
	return t ? xstrdup(t) : NULL;
}

int ws_ids(struct workspace *ws, const char *sql, const char *arg, int64_t **ids, size_t *n,
	   struct pm_err *err)
{
	sqlite3_stmt *st;
	*ids = NULL;
	*n = 0;
	if (ws_prepare(ws, sql, &st, err) < 0)
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)ids, &cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return db_err(ws, err, "query failed");
	}
	return 0;
}

char **ws_names(struct workspace *ws, enum ws_names_kind kind)
{
	static const char *const sql[] = {
		[WS_NAMES_DATASETS] = "SELECT name FROM datasets ORDER BY name",
		[WS_NAMES_SCHEMAS] = "SELECT name FROM schemas ORDER BY name",
		[WS_NAMES_MODELS] = "SELECT name FROM models ORDER BY name",
	};
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0, cap = 1;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ws->db, sql[kind], -1, &st, NULL) != SQLITE_OK)
		return v; /* e.g. a table this workspace does not have yet */
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		if (!t)
			continue;
		xgrow((void **)&v, &cap, n + 2, sizeof *v);
		v[n++] = xstrdup((const char *)t);
		v[n] = NULL;
	}
	sqlite3_finalize(st);
	return v;
}

int ws_begin(struct workspace *ws, struct pm_err *err)
{
	return ws_exec(ws, "BEGIN IMMEDIATE", err);
}

int ws_commit(struct workspace *ws, struct pm_err *err)
{
	return ws_exec(ws, "COMMIT", err);
}

void ws_rollback(struct workspace *ws)
{
	if (!sqlite3_get_autocommit(ws->db))
		sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(struct workspace *ws, int *v, struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws, "PRAGMA user_version", &st, err) < 0)
		return -1;
	*v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

/* Applies the migrations this workspace lacks, each in its own immediate
 * transaction, re-reading the version under the lock so that two processes
 * opening a new workspace at once migrate it exactly once. */
static int migrate(struct workspace *ws, struct pm_err *err)
{
	for (;;) {
		int v;
		if (user_version(ws, &v, err) < 0)
			return -1;
		if (v > ws_nmigrations)
			return pm_errf(err,
				       "workspace %s has schema version %d, newer than this prodml "
				       "understands (%d): upgrade prodml",
				       ws->dir, v, ws_nmigrations);
		if (v == ws_nmigrations)
			return 0;
		if (ws_begin(ws, err) < 0)
			return -1;
		if (user_version(ws, &v, err) < 0) {
			ws_rollback(ws);
			return -1;
		}
		if (v < ws_nmigrations) {
			char pragma[64];
			snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
			if (ws_exec(ws, ws_migrations[v], err) < 0 || ws_exec(ws, pragma, err) < 0) {
				ws_rollback(ws);
				return pm_err_prefix(err, "migration to schema version %d", v + 1);
			}
		}
		if (ws_commit(ws, err) < 0) {
			ws_rollback(ws);
			return -1;
		}
	}
}

#define BUSY_TIMEOUT_MS 30000

/* Switches a new database to WAL.  SQLite answers SQLITE_BUSY at once,
 * without calling the busy handler, while another process opening the same
 * new workspace holds the lock for its own switch: wait for it here, as
 * the busy timeout would. */
static int set_wal(struct workspace *ws, struct pm_err *err)
{
	for (int waited_ms = 0;; waited_ms += 2) {
		int rc = sqlite3_exec(ws->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS)
			return pm_errf(err, "workspace %s: %s", ws->dir, sqlite3_errmsg(ws->db));
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
}

int ws_open(const char *dir, struct workspace **out, struct pm_err *err)
{
	struct workspace *ws = xcalloc(1, sizeof *ws);
	ws->dir = xstrdup(dir);
	ws->artifacts = path_join(dir, "artifacts");
	if (fs_mkdir_p(ws->artifacts, err) < 0) {
		ws_close(ws);
		return -1;
	}
	char *dbpath = path_join(dir, "prodml.db");
	int rc = sqlite3_open_v2(dbpath, &ws->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	free(dbpath);
	if (rc != SQLITE_OK) {
		pm_errf(err, "cannot open workspace database in %s: %s", dir,
			ws->db ? sqlite3_errmsg(ws->db) : "out of memory");
		ws_close(ws);
		return -1;
	}
	sqlite3_busy_timeout(ws->db, BUSY_TIMEOUT_MS);
	if (set_wal(ws, err) < 0 ||
	    ws_exec(ws, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    migrate(ws, err) < 0) {
		ws_close(ws);
		return -1;
	}
	ws_sweep_tmp(ws);
	*out = ws;
	return 0;
}

void ws_close(struct workspace *ws)
{
	if (!ws)
		return;
	if (ws->db)
		sqlite3_close(ws->db);
	free(ws->dir);
	free(ws->artifacts);
	free(ws);
}

const char *ws_user(void)
{
	const char *u = getenv("USER");
	if (u && *u)
		return u;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

int ws_audit(struct workspace *ws, const char *action, const char *subject, const char *detail,
	     struct pm_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws,
		       "INSERT INTO audit(time, user, action, subject, detail) VALUES (?,?,?,?,?)",
		       &st, err) < 0)
		return -1;
	char now[32];
	ts_now_iso(now, sizeof now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, ws_user(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(ws, err, "audit log");
	return 0;
}
