/* What the database drivers of src/workspace share: a connection is its
 * driver's ops and the driver's state after them. */
#ifndef PM_WORKSPACE_INTERNAL_H
#define PM_WORKSPACE_INTERNAL_H

#include "workspace.h"

struct db_ops {
	enum db_kind kind;
	void (*close)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*exec)(struct db *db, const char *sql, struct pm_err *err);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out, struct pm_err *err);
	int (*bind_text)(struct db_stmt *st, int i, const char *s, int len, void (*lt)(void *));
	int (*bind_blob)(struct db_stmt *st, int i, const void *p, int len, void (*lt)(void *));
	int (*bind_int64)(struct db_stmt *st, int i, int64_t v);
	int (*bind_double)(struct db_stmt *st, int i, double v);
	int (*bind_null)(struct db_stmt *st, int i);
	int (*step)(struct db_stmt *st);
	int (*column_count)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int i);
	int (*column_type)(struct db_stmt *st, int i);
	int64_t (*column_int64)(struct db_stmt *st, int i);
	double (*column_double)(struct db_stmt *st, int i);
	const unsigned char *(*column_text)(struct db_stmt *st, int i);
	const void *(*column_blob)(struct db_stmt *st, int i);
	int (*column_bytes)(struct db_stmt *st, int i);
	int (*reset)(struct db_stmt *st);
	int (*clear_bindings)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	int64_t (*changes)(struct db *db);
	int64_t (*last_insert_id)(struct db *db);
	bool (*in_transaction)(struct db *db);
	int64_t (*data_version)(struct db *db);
	/* bulk inserts (db_bulk_*): begin sets b->impl, row sends b->row,
	 * end finishes (keep) or gives up (!keep) and frees b->impl */
	int (*bulk_begin)(struct db_bulk *b, const char *table, const char *const *cols,
			  struct pm_err *err);
	int (*bulk_row)(struct db_bulk *b, struct pm_err *err);
	int (*bulk_end)(struct db_bulk *b, bool keep, struct pm_err *err);
};

/* One value of a bulk row: type DB_NULL (not set), DB_INTEGER, DB_FLOAT or
 * DB_TEXT (s and len borrowed until the row is sent). */
struct db_value {
	int type;
	int64_t i;
	double d;
	const char *s;
	int len;
};

struct db_bulk {
	struct db *db;
	int ncols;
	struct db_value *row; /* [ncols] */
	int64_t rows;         /* rows sent */
	void *impl;           /* the driver's */
};

struct db {
	const struct db_ops *ops;
};

struct db_stmt {
	struct db *db;
};

/* How many statements sql holds (text between semicolons other than space
 * and comments), and the first word of the first, upper-cased, in
 * word[n] ("" when it starts with no word): a lexical look, by the
 * dialect's tokenizer, so that a ';' inside a literal or comment does not
 * count. */
int db_sql_statements(const char *sql, char *word, size_t n);

int db_sqlite_open(const char *path, struct db **out, struct pm_err *err);
/* Without libpq: an error saying how to build with it. */
int db_pg_open(const char *uri, struct db **out, struct pm_err *err);

#endif
