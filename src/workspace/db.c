/* The database interface (workspace.h) and its SQLite driver.  A
 * connection is a driver's ops and its state; the SQLite driver is a thin
 * layer over SQLite's own calls, which the interface mirrors, so the
 * embedded default pays one indirect call per operation. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int db_open(const char *target, struct db **out, struct pm_err *err)
{
	*out = NULL;
	if (str_prefix(target, "postgresql://") || str_prefix(target, "postgres://"))
		return db_pg_open(target, out, err);
	return db_sqlite_open(target, out, err);
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->ops->kind;
}

const char *db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}

int db_exec(struct db *db, const char *sql, struct pm_err *err)
{
	return db->ops->exec(db, sql, err);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **st, struct pm_err *err)
{
	*st = NULL;
	return db->ops->prepare(db, sql, st, err);
}

int db_bind_text(struct db_stmt *st, int i, const char *s, int len, void (*lifetime)(void *))
{
	return st->db->ops->bind_text(st, i, s, len, lifetime);
}

int db_bind_blob(struct db_stmt *st, int i, const void *p, int len, void (*lifetime)(void *))
{
	return st->db->ops->bind_blob(st, i, p, len, lifetime);
}

int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return st->db->ops->bind_int64(st, i, v);
}

int db_bind_int(struct db_stmt *st, int i, int v)
{
	return st->db->ops->bind_int64(st, i, v);
}

int db_bind_double(struct db_stmt *st, int i, double v)
{
	return st->db->ops->bind_double(st, i, v);
}

int db_bind_null(struct db_stmt *st, int i)
{
	return st->db->ops->bind_null(st, i);
}

int db_step(struct db_stmt *st)
{
	return st->db->ops->step(st);
}

int db_column_count(struct db_stmt *st)
{
	return st->db->ops->column_count(st);
}

const char *db_column_name(struct db_stmt *st, int i)
{
	return st->db->ops->column_name(st, i);
}

int db_column_type(struct db_stmt *st, int i)
{
	return st->db->ops->column_type(st, i);
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
	return st->db->ops->column_int64(st, i);
}

int db_column_int(struct db_stmt *st, int i)
{
	return (int)st->db->ops->column_int64(st, i);
}

double db_column_double(struct db_stmt *st, int i)
{
	return st->db->ops->column_double(st, i);
}

const unsigned char *db_column_text(struct db_stmt *st, int i)
{
	return st->db->ops->column_text(st, i);
}

const void *db_column_blob(struct db_stmt *st, int i)
{
	return st->db->ops->column_blob(st, i);
}

int db_column_bytes(struct db_stmt *st, int i)
{
	return st->db->ops->column_bytes(st, i);
}

int db_reset(struct db_stmt *st)
{
	return st->db->ops->reset(st);
}

int db_clear_bindings(struct db_stmt *st)
{
	return st->db->ops->clear_bindings(st);
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}

int64_t db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int64_t db_last_insert_id(struct db *db)
{
	return db->ops->last_insert_id(db);
}

bool db_in_transaction(struct db *db)
{
	return db->ops->in_transaction(db);
}

int64_t db_data_version(struct db *db)
{
	return db->ops->data_version(db);
}

/* ---- bulk inserts ------------------------------------------------------------- */

static bool ident_ok(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

int db_bulk_begin(struct db *db, const char *table, const char *const *cols, int ncols,
		  struct db_bulk **out, struct pm_err *err)
{
	*out = NULL;
	if (ncols < 1)
		return pm_errf(err, "bulk insert into %s: no columns", table);
	bool ok = ident_ok(table);
	for (int i = 0; ok && i < ncols; i++)
		ok = ident_ok(cols[i]);
	if (!ok)
		return pm_errf(err, "bulk insert into %s: a table or column name that is not a plain "
				    "identifier", table);
	struct db_bulk *b = xcalloc(1, sizeof *b);
	b->db = db;
	b->ncols = ncols;
	b->row = xcalloc((size_t)ncols, sizeof *b->row);
	for (int i = 0; i < ncols; i++)
		b->row[i].type = DB_NULL;
	if (db->ops->bulk_begin(b, table, cols, err) < 0) {
		free(b->row);
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

static struct db_value *bulk_cell(struct db_bulk *b, int i)
{
	return i >= 1 && i <= b->ncols ? &b->row[i - 1] : NULL;
}

void db_bulk_text(struct db_bulk *b, int i, const char *s, int len)
{
	struct db_value *v = bulk_cell(b, i);
	if (v)
		*v = s ? (struct db_value){.type = DB_TEXT, .s = s, .len = len < 0 ? (int)strlen(s) : len}
		       : (struct db_value){.type = DB_NULL};
}

void db_bulk_int64(struct db_bulk *b, int i, int64_t v)
{
	struct db_value *c = bulk_cell(b, i);
	if (c)
		*c = (struct db_value){.type = DB_INTEGER, .i = v};
}

void db_bulk_double(struct db_bulk *b, int i, double v)
{
	struct db_value *c = bulk_cell(b, i);
	if (c)
		*c = (struct db_value){.type = DB_FLOAT, .d = v};
}

int db_bulk_row(struct db_bulk *b, struct pm_err *err)
{
	int rc = b->db->ops->bulk_row(b, err);
	if (rc == 0)
		b->rows++;
	for (int i = 0; i < b->ncols; i++)
		b->row[i] = (struct db_value){.type = DB_NULL};
	return rc;
}

static int bulk_finish(struct db_bulk *b, bool keep, struct pm_err *err)
{
	int rc = b->db->ops->bulk_end(b, keep, err);
	free(b->row);
	free(b);
	return rc;
}

int db_bulk_end(struct db_bulk *b, struct pm_err *err)
{
	return bulk_finish(b, true, err);
}

void db_bulk_abort(struct db_bulk *b)
{
	struct pm_err err;
	if (b)
		bulk_finish(b, false, &err);
}

/* ---- SQLite ------------------------------------------------------------------ */

struct sq_db {
	struct db base;
	sqlite3 *h;
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
};

#define SQ(db) (((struct sq_db *)(db))->h)
#define SQS(st) (((struct sq_stmt *)(st))->h)

static void sq_close(struct db *db)
{
	sqlite3_close(SQ(db));
	free(db);
}

static const char *sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(SQ(db));
}

static int sq_exec(struct db *db, const char *sql, struct pm_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(SQ(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		pm_errf(err, "%s", msg ? msg : sqlite3_errmsg(SQ(db)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out, struct pm_err *err)
{
	sqlite3_stmt *h;
	if (sqlite3_prepare_v2(SQ(db), sql, -1, &h, NULL) != SQLITE_OK)
		return pm_errf(err, "%s", sqlite3_errmsg(SQ(db)));
	struct sq_stmt *st = xcalloc(1, sizeof *st);
	st->base.db = db;
	st->h = h;
	*out = &st->base;
	return 0;
}

static int sq_rc(int rc)
{
	return rc == SQLITE_OK ? DB_OK : DB_ERROR;
}

/* DB_STATIC and DB_TRANSIENT as SQLite spells them; any other is the
 * destructor that frees the value when SQLite is done with it. */
static sqlite3_destructor_type sq_lifetime(void (*lt)(void *))
{
	return lt == DB_STATIC ? SQLITE_STATIC : lt == DB_TRANSIENT ? SQLITE_TRANSIENT : lt;
}

static int sq_bind_text(struct db_stmt *st, int i, const char *s, int len, void (*lt)(void *))
{
	return sq_rc(sqlite3_bind_text(SQS(st), i, s, len, sq_lifetime(lt)));
}

static int sq_bind_blob(struct db_stmt *st, int i, const void *p, int len, void (*lt)(void *))
{
	return sq_rc(sqlite3_bind_blob(SQS(st), i, p, len, sq_lifetime(lt)));
}

static int sq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return sq_rc(sqlite3_bind_int64(SQS(st), i, v));
}

static int sq_bind_double(struct db_stmt *st, int i, double v)
{
	return sq_rc(sqlite3_bind_double(SQS(st), i, v));
}

static int sq_bind_null(struct db_stmt *st, int i)
{
	return sq_rc(sqlite3_bind_null(SQS(st), i));
}

static int sq_step(struct db_stmt *st)
{
	int rc = sqlite3_step(SQS(st));
	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}

static int sq_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(SQS(st));
}

static const char *sq_column_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(SQS(st), i);
}

static int sq_column_type(struct db_stmt *st, int i)
{
	switch (sqlite3_column_type(SQS(st), i)) {
	case SQLITE_INTEGER:
		return DB_INTEGER;
	case SQLITE_FLOAT:
		return DB_FLOAT;
	case SQLITE_BLOB:
		return DB_BLOB;
	case SQLITE_NULL:
		return DB_NULL;
	default:
		return DB_TEXT;
	}
}

static int64_t sq_column_int64(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(SQS(st), i);
}

static double sq_column_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(SQS(st), i);
}

static const unsigned char *sq_column_text(struct db_stmt *st, int i)
{
	return sqlite3_column_text(SQS(st), i);
}

static const void *sq_column_blob(struct db_stmt *st, int i)
{
	return sqlite3_column_blob(SQS(st), i);
}

static int sq_column_bytes(struct db_stmt *st, int i)
{
	return sqlite3_column_bytes(SQS(st), i);
}

static int sq_reset(struct db_stmt *st)
{
	return sq_rc(sqlite3_reset(SQS(st)));
}

static int sq_clear_bindings(struct db_stmt *st)
{
	return sq_rc(sqlite3_clear_bindings(SQS(st)));
}

static int64_t sq_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(SQ(db));
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(SQS(st));
	free(st);
}

static int64_t sq_changes(struct db *db)
{
	return sqlite3_changes(SQ(db));
}

static bool sq_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(SQ(db));
}

static int64_t sq_data_version(struct db *db)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(SQ(db), "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A prepared INSERT of the columns, stepped once a row: SQLite has no
 * faster way in (its own .import does the same). */
static int sq_bulk_begin(struct db_bulk *b, const char *table, const char *const *cols,
			 struct pm_err *err)
{
	struct sbuf q = {0};
	sbuf_printf(&q, "INSERT INTO %s (", table);
	for (int i = 0; i < b->ncols; i++)
		sbuf_printf(&q, "%s%s", i ? ", " : "", cols[i]);
	sbuf_puts(&q, ") VALUES (");
	for (int i = 0; i < b->ncols; i++)
		sbuf_puts(&q, i ? ", ?" : "?");
	sbuf_puts(&q, ")");
	sqlite3_stmt *h;
	int rc = sqlite3_prepare_v2(SQ(b->db), q.s, -1, &h, NULL);
	sbuf_free(&q);
	if (rc != SQLITE_OK)
		return pm_errf(err, "%s", sqlite3_errmsg(SQ(b->db)));
	b->impl = h;
	return 0;
}

static int sq_bulk_row(struct db_bulk *b, struct pm_err *err)
{
	sqlite3_stmt *h = b->impl;
	for (int i = 0; i < b->ncols; i++) {
		const struct db_value *v = &b->row[i];
		switch (v->type) {
		case DB_INTEGER:
			sqlite3_bind_int64(h, i + 1, v->i);
			break;
		case DB_FLOAT:
			sqlite3_bind_double(h, i + 1, v->d);
			break;
		case DB_TEXT:
			sqlite3_bind_text(h, i + 1, v->s, v->len, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(h, i + 1);
			break;
		}
	}
	int rc = sqlite3_step(h);
	sqlite3_reset(h);
	sqlite3_clear_bindings(h);
	return rc == SQLITE_DONE ? 0 : pm_errf(err, "%s", sqlite3_errmsg(SQ(b->db)));
}

static int sq_bulk_end(struct db_bulk *b, bool keep, struct pm_err *err)
{
	(void)keep; /* the rows stepped are the transaction's: its rollback undoes them */
	(void)err;
	sqlite3_finalize(b->impl);
	return 0;
}

static const struct db_ops sq_ops = {
	.kind = DB_SQLITE,
	.close = sq_close,
	.errmsg = sq_errmsg,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.column_bytes = sq_column_bytes,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.finalize = sq_finalize,
	.changes = sq_changes,
	.last_insert_id = sq_last_insert_id,
	.in_transaction = sq_in_transaction,
	.data_version = sq_data_version,
	.bulk_begin = sq_bulk_begin,
	.bulk_row = sq_bulk_row,
	.bulk_end = sq_bulk_end,
};

int db_sqlite_open(const char *path, struct db **out, struct pm_err *err)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		pm_errf(err, "%s", h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return -1;
	}
	struct sq_db *db = xcalloc(1, sizeof *db);
	db->base.ops = &sq_ops;
	db->h = h;
	*out = &db->base;
	return 0;
}

sqlite3 *db_sqlite_handle(struct db *db)
{
	return db->ops->kind == DB_SQLITE ? SQ(db) : NULL;
}

bool db_stmt_readonly(struct db_stmt *st)
{
	return st->db->ops->kind != DB_SQLITE || sqlite3_stmt_readonly(SQS(st));
}
