/* workspace — the .prodml directory: prodml.db (SQLite, WAL, versioned
 * migrations) and artifacts/ (content-addressed by sha256).
 * The one header of src/workspace. */
#ifndef PM_WORKSPACE_H
#define PM_WORKSPACE_H

#include "util/util.h"

#include <limits.h>
#include <sqlite3.h>

/* ---- the database: SQLite (embedded, the default) or PostgreSQL -------------
 * One interface over both, shaped like SQLite's own: prepare, bind
 * (parameters numbered from 1, written ? or ?N), step to DB_ROW or
 * DB_DONE, read columns, finalize.  Statements are written in SQLite's
 * dialect; the PostgreSQL driver translates what differs (db-dialect.c):
 * the parameters, INSERT OR IGNORE/REPLACE, the column types of CREATE
 * TABLE, BEGIN IMMEDIATE (a workspace-wide write lock), and the functions
 * SQLite has and PostgreSQL lacks (json_extract, julianday, group_concat), which it
 * defines on connecting.  Text columns come back as text, integers and
 * reals as numbers, whichever the server. */
struct db;
struct db_stmt;
enum db_kind { DB_SQLITE, DB_POSTGRES };
enum { DB_OK = 0, DB_ERROR = 1, DB_ROW = 100, DB_DONE = 101 };
/* the type of a column's value in the current row */
enum { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 };
/* bind_text/bind_blob: the value lives until the statement is done with
 * it (DB_STATIC), is copied now (DB_TRANSIENT), or is the statement's to
 * free with the function given (free) */
#define DB_STATIC ((void (*)(void *))0)
#define DB_TRANSIENT ((void (*)(void *))-1)

/* target: "postgresql://..." or "postgres://..." (a libpq URI), else the
 * path of a SQLite file (created when missing). */
int db_open(const char *target, struct db **out, struct pm_err *err);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
/* The message of the last error on db (valid until the next call). */
const char *db_errmsg(struct db *db);
/* Runs SQL that returns no rows (several statements allowed). */
int db_exec(struct db *db, const char *sql, struct pm_err *err);
int db_prepare(struct db *db, const char *sql, struct db_stmt **st, struct pm_err *err);
int db_bind_text(struct db_stmt *st, int i, const char *s, int len, void (*lifetime)(void *));
int db_bind_blob(struct db_stmt *st, int i, const void *p, int len, void (*lifetime)(void *));
int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_int(struct db_stmt *st, int i, int v);
int db_bind_double(struct db_stmt *st, int i, double v);
int db_bind_null(struct db_stmt *st, int i);
/* DB_ROW (a row to read), DB_DONE, or DB_ERROR (db_errmsg says why). */
int db_step(struct db_stmt *st);
int db_column_count(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int i);
int db_column_type(struct db_stmt *st, int i);
int64_t db_column_int64(struct db_stmt *st, int i);
int db_column_int(struct db_stmt *st, int i);
double db_column_double(struct db_stmt *st, int i);
/* NULL for a NULL value; valid until the next step or finalize */
const unsigned char *db_column_text(struct db_stmt *st, int i);
const void *db_column_blob(struct db_stmt *st, int i);
int db_column_bytes(struct db_stmt *st, int i);
/* Whether st leaves the database as it was, as SQLite judges a prepared
 * statement (sqlite3_stmt_readonly).  PostgreSQL tells only when a
 * statement runs, so there it is always true: run the statement in a READ
 * ONLY transaction to have the server refuse a write. */
bool db_stmt_readonly(struct db_stmt *st);
/* Ready to step again from the start, with the same bindings. */
int db_reset(struct db_stmt *st);
/* Every parameter NULL again. */
int db_clear_bindings(struct db_stmt *st);
void db_finalize(struct db_stmt *st);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t db_changes(struct db *db);
/* The id of the row the last INSERT on db made (its INTEGER PRIMARY KEY;
 * on PostgreSQL the identity's last value in this session). */
int64_t db_last_insert_id(struct db *db);
/* Whether a transaction is open on db. */
bool db_in_transaction(struct db *db);
/* A number that changes when another connection has committed a change
 * to the database since the last call (SQLite's PRAGMA data_version; on
 * PostgreSQL, counted from the NOTIFY every committed write sends). */
int64_t db_data_version(struct db *db);
/* Bulk inserts: many rows into one table, inside the caller's
 * transaction (db_bulk_end leaves the commit to it).  On SQLite a
 * prepared INSERT stepped once a row; on PostgreSQL COPY .. FROM STDIN in
 * text format, the rows sent in large writes, so a batch costs one round
 * trip rather than one a row; its commit sends the NOTIFY other
 * connections' db_data_version hears.  Between begin and end no other
 * statement may run on db (PostgreSQL's connection is in COPY mode).
 * Table and column names are plain identifiers (letters, digits, _).
 * A row's values are set by column number from 1, as db_bind_*; a column
 * not set is NULL; text is borrowed until db_bulk_row (a text with a zero
 * byte ends there on PostgreSQL, as a bound parameter does). */
struct db_bulk;
int db_bulk_begin(struct db *db, const char *table, const char *const *cols, int ncols,
		  struct db_bulk **out, struct pm_err *err);
void db_bulk_text(struct db_bulk *b, int i, const char *s, int len);
void db_bulk_int64(struct db_bulk *b, int i, int64_t v);
void db_bulk_double(struct db_bulk *b, int i, double v);
/* Sends the row set, and clears it. */
int db_bulk_row(struct db_bulk *b, struct pm_err *err);
/* Finishes and frees b: 0 when every row sent is in the table, else -1
 * with err (the caller rolls back). */
int db_bulk_end(struct db_bulk *b, struct pm_err *err);
/* Gives up and frees b (NULL: nothing): on PostgreSQL the COPY fails,
 * which aborts the transaction; the caller rolls back. */
void db_bulk_abort(struct db_bulk *b);
/* The SQLite connection under db (NULL for PostgreSQL): for what only
 * SQLite has (PRAGMAs, the busy timeout, the error codes of a full disk). */
sqlite3 *db_sqlite_handle(struct db *db);
/* PostgreSQL's text of a statement in SQLite's dialect, and how many
 * parameters it takes (db-dialect.c; pk(table) gives a table's primary
 * key columns, comma-separated, for INSERT OR REPLACE).  Caller frees. */
char *db_pg_translate(const char *sql, int *nparams, char *(*pk)(void *ctx, const char *table),
		      void *ctx);

struct workspace {
	char *dir;        /* the .prodml directory */
	char *artifacts;  /* dir/artifacts */
	struct db *db;
	char *uri;        /* a PostgreSQL database's, else NULL (SQLite in dir) */
	char *schema;     /* the PostgreSQL schema of a directory workspace (PRODML_DB) */
	char msg[PATH_MAX + 64]; /* ws_errmsg's message */
	bool private_index;      /* opened on a full disk (see ws_open) */
};

/* Opens (creating on first use) the workspace in dir and brings its
 * database schema up to date.  On a disk too full for SQLite's -shm file
 * it still opens, so that commands that only read work, but then locks
 * other processes out of the database until ws_close. */
int ws_open(const char *dir, struct workspace **out, struct pm_err *err);
/* For processes that stay (a server): fails, saying the disk is full,
 * where ws_open could only open ws that way. */
int ws_need_room(struct workspace *ws, struct pm_err *err);
void ws_close(struct workspace *ws);
/* Whether the last SQLite error of ws was the disk (or quota) being full,
 * and the message to show for the last error: "no space left on device
 * for workspace DIR" then, SQLite's message otherwise (valid until the
 * next call). */
bool ws_disk_full(struct workspace *ws);
const char *ws_errmsg(struct workspace *ws);
/* The schema version this build writes (PRAGMA user_version). */
int ws_schema_version(void);

/* Transactions.  ws_begin takes the write lock at once (BEGIN IMMEDIATE) so
 * two processes never interleave their writes. */
int ws_begin(struct workspace *ws, struct pm_err *err);
int ws_commit(struct workspace *ws, struct pm_err *err);
void ws_rollback(struct workspace *ws);
/* Runs SQL that returns no rows. */
int ws_exec(struct workspace *ws, const char *sql, struct pm_err *err);
/* Whether the database has a table of that name (a reader of tables that
 * other parts own must not fail on a workspace that lacks them). */
bool ws_table_exists(struct workspace *ws, const char *name);
/* Prepares a statement; errors carry SQLite's message. */
int ws_prepare(struct workspace *ws, const char *sql, struct db_stmt **st, struct pm_err *err);
/* A copy of text column i of st's current row; when the column is NULL, a
 * copy of null_text (NULL: NULL).  Free it. */
char *ws_col_text(struct db_stmt *st, int i, const char *null_text);
/* The integers of the first column of sql's rows (arg, if not NULL, bound
 * to its one parameter): ids to fetch one by one once the statement is
 * done.  *ids is malloc'ed (free it), *n its count. */
int ws_ids(struct workspace *ws, const char *sql, const char *arg, int64_t **ids, size_t *n,
	   struct pm_err *err);
/* Runs one read-only statement of the user's, in SQLite's dialect (the
 * PostgreSQL driver translates it as it does prodml's own): one SELECT or
 * WITH .. SELECT, refused before it runs when it is anything else, and run
 * where it cannot write (SQLite's read-only check of the prepared
 * statement; on PostgreSQL a READ ONLY transaction).  *out:
 * {"columns":[NAME..],"rows":[[VALUE..]..]}, integers and reals as JSON
 * numbers, text as strings, NULL as null, a blob as "x'HEX'". */
int ws_query(struct workspace *ws, const char *sql, json_t **out, struct pm_err *err);
/* Copies workspace from into to, an empty workspace (`workspace migrate`):
 * every table's rows with their ids, in one transaction, and the
 * artifacts to's directory lacks.  *out: {"tables":{NAME: rows},"rows",
 * "artifacts_copied","artifact_bytes"}. */
int ws_copy(struct workspace *from, struct workspace *to, json_t **out, struct pm_err *err);
/* The names of stored datasets, schemas or models, sorted (for
 * completion): a NULL-terminated list (free with str_list_free); empty
 * when the workspace has no such table yet. */
enum ws_names_kind { WS_NAMES_DATASETS, WS_NAMES_SCHEMAS, WS_NAMES_MODELS };
char **ws_names(struct workspace *ws, enum ws_names_kind kind);

/* ---- artifacts --------------------------------------------------------------
 * A file is written under a temporary name first, then moved to
 * artifacts/ab/abcdef... by its sha256: readers never see half a file. */
/* A fresh temporary path inside artifacts/ for writing a new artifact. */
char *ws_artifact_tmp(struct workspace *ws);
/* Hashes tmp_path and moves it into place; *sha gets its hex digest. */
int ws_artifact_commit(struct workspace *ws, const char *tmp_path, char sha[65],
		       struct pm_err *err);
/* The same for a file whose sha256 the writer computed as it wrote it. */
int ws_artifact_place(struct workspace *ws, const char *tmp_path, const char *sha,
		      struct pm_err *err);
int ws_artifact_put(struct workspace *ws, const void *data, size_t len, char sha[65],
		    struct pm_err *err);
/* Path of an artifact (caller frees); NULL and an error when it is absent. */
char *ws_artifact_path(struct workspace *ws, const char *sha, struct pm_err *err);
/* Removes the temporary files in artifacts/ of processes that are gone
 * (killed while writing one); called by ws_open, errors ignored. */
void ws_sweep_tmp(struct workspace *ws);
/* What ws_gc removed (or would remove). */
struct ws_gc_item {
	char *name;         /* artifact id, or a temporary file's name */
	int64_t bytes;
	bool tmp;
};
struct ws_gc {
	struct ws_gc_item *items;
	size_t n, cap;
	int64_t bytes;      /* of all items */
	size_t recent;      /* unreferenced artifacts kept: written in the last minute */
};
/* Removes the artifacts that no row of the database refers to (and the
 * load cache's entries for them) and orphaned temporary files; with dry,
 * only lists them. */
int ws_gc(struct workspace *ws, bool dry, struct ws_gc *g, struct pm_err *err);
void ws_gc_free(struct ws_gc *g);
/* Checks an artifact's content against its name. */
int ws_artifact_verify(struct workspace *ws, const char *sha, struct pm_err *err);

/* ---- datasets ------------------------------------------------------------------- */
struct ws_dataset {
	char *name;
	char *artifact;     /* sha256 of the columnar cache file */
	char *fingerprint;  /* content fingerprint of the frame */
	int64_t rows, cols;
	char *source;       /* file path, SQL text or parent dataset */
	char *created;      /* ISO time */
};
void ws_dataset_free(struct ws_dataset *d);
/* Dataset names follow the model names' rule (str_name_valid), and may
 * not start with sqlite_: datasets are SQL tables to --sql, and SQLite
 * keeps those names for its own.  A usage error naming the name. */
int ws_dataset_name_check(const char *name, struct pm_err *err);
int ws_dataset_put(struct workspace *ws, const struct ws_dataset *d, struct pm_err *err);
/* 0 found, -1 error; a missing dataset is an error with code PM_E_NOTFOUND. */
int ws_dataset_get(struct workspace *ws, const char *name, struct ws_dataset *d,
		   struct pm_err *err);
int ws_dataset_list(struct workspace *ws, struct ws_dataset **list, size_t *n,
		    struct pm_err *err);
int ws_dataset_delete(struct workspace *ws, const char *name, struct pm_err *err);

/* The load cache: (source content fingerprint + options) -> artifact. */
int ws_loadcache_get(struct workspace *ws, const char *key, char artifact[65], bool *found,
		     struct pm_err *err);
int ws_loadcache_put(struct workspace *ws, const char *key, const char *artifact,
		     struct pm_err *err);

/* Appends a line to the audit log (who, what, details). */
int ws_audit(struct workspace *ws, const char *action, const char *subject,
	     const char *detail, struct pm_err *err);
/* The user running prodml ($USER or the passwd name). */
const char *ws_user(void);

#endif
