/* Opening the workspace: directory layout, SQLite settings, migrations. */
#include "workspace.h"

#include <errno.h>
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

bool ws_disk_full(struct workspace *ws)
{
	int rc = sqlite3_extended_errcode(ws->db) & 0xff;
	if (rc == SQLITE_FULL)
		return true;
	/* the system errno is kept from the last I/O error only: trust it
	 * only when the last error is one */
	int e = sqlite3_system_errno(ws->db);
	return (rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN) && (e == ENOSPC || e == EDQUOT);
}

const char *ws_errmsg(struct workspace *ws)
{
	/* SQLite says "disk I/O error" when the -shm file cannot grow and
	 * "database or disk is full" when a write fails: name the cause, and
	 * the workspace, as callers' messages name only what they did */
	if (!ws_disk_full(ws))
		return sqlite3_errmsg(ws->db);
	snprintf(ws->msg, sizeof ws->msg, "no space left on device for workspace %s", ws->dir);
	return ws->msg;
}

/* SQLite's message, or the full disk's, after a "workspace DIR: " prefix. */
static const char *short_errmsg(struct workspace *ws)
{
	return ws_disk_full(ws) ? "no space left on device" : sqlite3_errmsg(ws->db);
}

static int db_err(struct workspace *ws, struct pm_err *err, const char *what)
{
	return pm_errf(err, "workspace %s: %s: %s", ws->dir, what, short_errmsg(ws));
}

int ws_exec(struct workspace *ws, const char *sql, struct pm_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(ws->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		pm_errf(err, "workspace %s: %s", ws->dir,
			ws_disk_full(ws) || !msg ? short_errmsg(ws) : msg);
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
			return pm_errf(err, "workspace %s: %s", ws->dir, short_errmsg(ws));
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
}

/* Opens the database and brings it up to date.  With exclusive, the
 * connection keeps its WAL index in its own memory instead of the -shm
 * file (SQLite's exclusive locking mode): it then needs no byte of free
 * disk to read, at the price of locking other processes out while it is
 * open. */
static int connect(struct workspace *ws, bool exclusive, struct pm_err *err)
{
	char *dbpath = path_join(ws->dir, "prodml.db");
	int rc = sqlite3_open_v2(dbpath, &ws->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	free(dbpath);
	if (rc != SQLITE_OK)
		return pm_errf(err, "cannot open workspace database in %s: %s", ws->dir,
			       ws->db ? short_errmsg(ws) : "out of memory");
	sqlite3_busy_timeout(ws->db, BUSY_TIMEOUT_MS);
	if (exclusive && ws_exec(ws, "PRAGMA locking_mode=EXCLUSIVE", err) < 0)
		return -1;
	if (set_wal(ws, err) < 0 ||
	    ws_exec(ws, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    migrate(ws, err) < 0)
		return -1;
	return 0;
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
	int rc = connect(ws, false, err);
	if (rc < 0 && ws->db && ws_disk_full(ws)) {
		/* Reading needs a 32 KB -shm file that a full disk cannot
		 * give: read without one, so that commands that only read
		 * still work; those that write fail with ENOSPC. */
		sqlite3_close(ws->db);
		ws->db = NULL;
		struct pm_err again = {0};
		rc = connect(ws, true, &again);
		if (rc < 0 && !(ws->db && ws_disk_full(ws)))
			*err = again;
		ws->private_index = rc == 0;
	}
	if (rc < 0) {
		ws_close(ws);
		return -1;
	}
	ws_sweep_tmp(ws);
	*out = ws;
	return 0;
}

int ws_need_room(struct workspace *ws, struct pm_err *err)
{
	if (!ws->private_index)
		return 0;
	return pm_errf(err, "workspace %s: no space left on device", ws->dir);
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
