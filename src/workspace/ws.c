/* Opening the workspace: directory layout, the database (SQLite in the
 * directory, or PostgreSQL), its settings and migrations. */
#include "workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
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
	sqlite3 *h = ws->db ? db_sqlite_handle(ws->db) : NULL;
	if (!h)
		return false; /* a server's disk is the server's to report */
	int rc = sqlite3_extended_errcode(h) & 0xff;
	if (rc == SQLITE_FULL)
		return true;
	/* the system errno is kept from the last I/O error only: trust it
	 * only when the last error is one */
	int e = sqlite3_system_errno(h);
	return (rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN) && (e == ENOSPC || e == EDQUOT);
}

const char *ws_errmsg(struct workspace *ws)
{
	/* SQLite says "disk I/O error" when the -shm file cannot grow and
	 * "database or disk is full" when a write fails: name the cause, and
	 * the workspace, as callers' messages name only what they did */
	if (!ws_disk_full(ws))
		return db_errmsg(ws->db);
	snprintf(ws->msg, sizeof ws->msg, "no space left on device for workspace %s", ws->dir);
	return ws->msg;
}

/* SQLite's message, or the full disk's, after a "workspace DIR: " prefix. */
static const char *short_errmsg(struct workspace *ws)
{
	return ws_disk_full(ws) ? "no space left on device" : db_errmsg(ws->db);
}

static int db_err(struct workspace *ws, struct pm_err *err, const char *what)
{
	return pm_errf(err, "workspace %s: %s: %s", ws->dir, what, short_errmsg(ws));
}

int ws_exec(struct workspace *ws, const char *sql, struct pm_err *err)
{
	struct pm_err e = {0};
	if (db_exec(ws->db, sql, &e) < 0)
		return pm_errf(err, "workspace %s: %s", ws->dir, ws_disk_full(ws) ? short_errmsg(ws) : e.msg);
	return 0;
}

bool ws_table_exists(struct workspace *ws, const char *name)
{
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(ws,
		       db_kind(ws->db) == DB_SQLITE
			       ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
			       : "SELECT 1 WHERE to_regclass(CAST(? AS TEXT)) IS NOT NULL",
		       &st, &e) < 0)
		return false;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	bool ok = db_step(st) == DB_ROW;
	db_finalize(st);
	return ok;
}

int ws_prepare(struct workspace *ws, const char *sql, struct db_stmt **st, struct pm_err *err)
{
	struct pm_err e = {0};
	if (db_prepare(ws->db, sql, st, &e) < 0)
		return db_err(ws, err, "query failed");
	return 0;
}

char *ws_col_text(struct db_stmt *st, int i, const char *null_text)
{
	const char *t = (const char *)db_column_text(st, i);
	if (!t)
		t = null_text;
	return t ? xstrdup(t) : NULL;
}

int ws_ids(struct workspace *ws, const char *sql, const char *arg, int64_t **ids, size_t *n,
	   struct pm_err *err)
{
	struct db_stmt *st;
	*ids = NULL;
	*n = 0;
	if (ws_prepare(ws, sql, &st, err) < 0)
		return -1;
	if (arg)
		db_bind_text(st, 1, arg, -1, DB_TRANSIENT);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)ids, &cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = db_column_int64(st, 0);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
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
	struct db_stmt *st;
	struct pm_err e;
	if (db_prepare(ws->db, sql[kind], &st, &e) < 0)
		return v; /* e.g. a table this workspace does not have yet */
	while (db_step(st) == DB_ROW) {
		const unsigned char *t = db_column_text(st, 0);
		if (!t)
			continue;
		xgrow((void **)&v, &cap, n + 2, sizeof *v);
		v[n++] = xstrdup((const char *)t);
		v[n] = NULL;
	}
	db_finalize(st);
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
	struct pm_err e;
	if (db_in_transaction(ws->db))
		db_exec(ws->db, "ROLLBACK", &e);
}

/* The schema version: SQLite's PRAGMA user_version, or on PostgreSQL a
 * row of the table prodml_meta. */
static int user_version(struct workspace *ws, int *v, struct pm_err *err)
{
	struct db_stmt *st;
	bool sqlite = db_kind(ws->db) == DB_SQLITE;
	if (!sqlite &&
	    ws_exec(ws, "CREATE TABLE IF NOT EXISTS prodml_meta (key TEXT PRIMARY KEY, value TEXT)", err) < 0)
		return -1;
	if (ws_prepare(ws,
		       sqlite ? "PRAGMA user_version"
			      : "SELECT CAST(value AS INTEGER) FROM prodml_meta WHERE key = 'schema_version'",
		       &st, err) < 0)
		return -1;
	*v = db_step(st) == DB_ROW ? db_column_int(st, 0) : 0;
	db_finalize(st);
	return 0;
}

static int set_user_version(struct workspace *ws, int v, struct pm_err *err)
{
	char sql[128];
	if (db_kind(ws->db) == DB_SQLITE)
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
	else
		snprintf(sql, sizeof sql,
			 "INSERT OR REPLACE INTO prodml_meta(key, value) VALUES ('schema_version', '%d')", v);
	return ws_exec(ws, sql, err);
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
			if (ws_exec(ws, ws_migrations[v], err) < 0 || set_user_version(ws, v + 1, err) < 0) {
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
	sqlite3 *h = db_sqlite_handle(ws->db);
	for (int waited_ms = 0;; waited_ms += 2) {
		int rc = sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
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
	if (ws->uri) {
		struct pm_err e = {0};
		if (db_open(ws->uri, &ws->db, &e) < 0)
			return pm_errf(err, "cannot open workspace %s: %s", ws->dir, e.msg);
		if (ws->schema) {
			char *sql = xasprintf("CREATE SCHEMA IF NOT EXISTS %s; SET search_path = %s, public", ws->schema,
					      ws->schema);
			int rc = ws_exec(ws, sql, err);
			free(sql);
			if (rc < 0)
				return -1;
		}
		return migrate(ws, err);
	}
	char *dbpath = path_join(ws->dir, "prodml.db");
	struct pm_err e = {0};
	int rc = db_open(dbpath, &ws->db, &e);
	free(dbpath);
	if (rc < 0)
		return pm_errf(err, "cannot open workspace database in %s: %s", ws->dir, e.msg);
	sqlite3_busy_timeout(db_sqlite_handle(ws->db), BUSY_TIMEOUT_MS);
	if (exclusive && ws_exec(ws, "PRAGMA locking_mode=EXCLUSIVE", err) < 0)
		return -1;
	if (set_wal(ws, err) < 0 ||
	    ws_exec(ws, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    migrate(ws, err) < 0)
		return -1;
	return 0;
}

/* The PostgreSQL schema of a directory workspace: a random name the
 * directory keeps in its file db-schema, made by the first process that
 * opens it (O_EXCL: of two at once, one makes it, both read it).  A
 * directory removed and made again is a new workspace with a new schema,
 * as a new SQLite file would be. */
static int schema_of_dir(struct workspace *ws, struct pm_err *err)
{
	if (fs_mkdir_p(ws->dir, err) < 0)
		return -1;
	char *path = path_join(ws->dir, "db-schema");
	char name[40] = "";
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		uint8_t r[8];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			uint64_t t = (uint64_t)now_unix_us() ^ ((uint64_t)getpid() << 32);
			memcpy(r, &t, sizeof r);
		}
		int n = snprintf(name, sizeof name, "ws_");
		for (size_t i = 0; i < sizeof r; i++)
			n += snprintf(name + n, sizeof name - (size_t)n, "%02x", r[i]);
		char line[48];
		int len = snprintf(line, sizeof line, "%s\n", name);
		int wr = fs_write_fd(fd, line, (size_t)len);
		close(fd);
		if (wr < 0) {
			unlink(path);
			int rc = pm_errf(err, "cannot write %s: %s", path, strerror(errno));
			free(path);
			return rc;
		}
	} else {
		/* made by another process: it may be writing it this instant */
		for (int tries = 0; tries < 200; tries++) {
			FILE *f = fopen(path, "r");
			bool got = f && fscanf(f, "%39s", name) == 1 && strlen(name) == 19;
			if (f)
				fclose(f);
			if (got)
				break;
			name[0] = 0;
			usleep(5000);
		}
		if (!name[0]) {
			int rc = pm_errf(err, "%s does not name the workspace's PostgreSQL schema", path);
			free(path);
			return rc;
		}
	}
	free(path);
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
			return pm_errf(err, "workspace %s: db-schema holds an unusable name", ws->dir);
	ws->schema = xstrdup(name);
	return 0;
}

/* Where the database of a workspace is: a PostgreSQL URI given as the
 * workspace (postgresql://..?artifacts=DIR: DIR holds the files), or,
 * for a directory workspace, PRODML_DB naming a server that keeps the
 * database of every directory workspace, each in a schema of its own
 * (schema_of_dir); else SQLite in the directory. */
static int locate(struct workspace *ws, const char *target, struct pm_err *err)
{
	bool uri = str_prefix(target, "postgresql://") || str_prefix(target, "postgres://");
	if (!uri) {
		ws->dir = xstrdup(target);
		const char *server = getenv("PRODML_DB");
		if (server && *server) {
			ws->uri = xstrdup(server);
			return schema_of_dir(ws, err);
		}
		return 0;
	}
	/* libpq refuses parameters it does not know: artifacts= is taken out */
	const char *q = strchr(target, '?');
	struct sbuf rest = {0};
	char *dir = NULL;
	sbuf_add(&rest, target, q ? (size_t)(q - target) : strlen(target));
	char sep = '?';
	for (const char *p = q ? q + 1 : NULL; p && *p;) {
		size_t n = strcspn(p, "&");
		if (str_prefix(p, "artifacts=")) {
			free(dir);
			dir = xstrndup(p + 10, n - 10);
		} else if (n) {
			sbuf_putc(&rest, sep);
			sbuf_add(&rest, p, n);
			sep = '&';
		}
		p += n + (p[n] == '&');
	}
	if (!dir || !*dir) {
		free(dir);
		sbuf_free(&rest);
		return pm_errcf(err, PM_E_USAGE,
				"a PostgreSQL workspace names the directory of its files, which every host "
				"mounts: %s%sartifacts=DIR",
				target, q ? "&" : "?");
	}
	ws->dir = dir;
	ws->uri = sbuf_steal(&rest);
	return 0;
}

int ws_open(const char *target, struct workspace **out, struct pm_err *err)
{
	struct workspace *ws = xcalloc(1, sizeof *ws);
	if (locate(ws, target, err) < 0) {
		ws_close(ws);
		return -1;
	}
	const char *dir = ws->dir;
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
		db_close(ws->db);
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
		db_close(ws->db);
	free(ws->dir);
	free(ws->uri);
	free(ws->schema);
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
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "INSERT INTO audit(time, user, action, subject, detail) VALUES (?,?,?,?,?)",
		       &st, err) < 0)
		return -1;
	char now[32];
	ts_now_iso(now, sizeof now);
	db_bind_text(st, 1, now, -1, DB_TRANSIENT);
	db_bind_text(st, 2, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 3, action, -1, DB_STATIC);
	db_bind_text(st, 4, subject, -1, DB_STATIC);
	db_bind_text(st, 5, detail, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(ws, err, "audit log");
	return 0;
}
