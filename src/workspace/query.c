/* A user's read-only SQL over the workspace (`workspace query`): what a
 * test or a person would ask `sqlite3 prodml.db` for, asked through the
 * database interface instead, so that it reads a PostgreSQL workspace
 * too.  The statement is in SQLite's dialect, translated for PostgreSQL
 * like prodml's own.  Read-only is checked twice: by its first word before
 * anything runs (for a message that says what was refused), and by the
 * database itself (SQLite's verdict on the prepared statement, a READ
 * ONLY transaction on PostgreSQL), which also catches a WITH that writes. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first words of statements other than SELECT in SQLite's dialect and
 * PostgreSQL's: refused by name.  Any other word starts no statement
 * either database runs, so the database parses it and says what is wrong. */
static const char *const other_statements[] = {
	"ABORT", "ALTER", "ANALYZE", "ATTACH", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER",
	"COMMENT", "COMMIT", "COPY", "CREATE", "DEALLOCATE", "DECLARE", "DELETE", "DETACH", "DISCARD",
	"DO", "DROP", "END", "EXECUTE", "EXPLAIN", "FETCH", "GRANT", "IMPORT", "INSERT", "LISTEN",
	"LOAD", "LOCK", "MERGE", "MOVE", "NOTIFY", "PRAGMA", "PREPARE", "REASSIGN", "REFRESH",
	"REINDEX", "RELEASE", "REPLACE", "RESET", "REVOKE", "ROLLBACK", "SAVEPOINT", "SECURITY", "SET",
	"SHOW", "START", "TABLE", "TRUNCATE", "UNLISTEN", "UPDATE", "VACUUM", NULL};

static int refuse_write(struct pm_err *err, const char *what)
{
	return pm_errcf(err, PM_E_USAGE,
			"read-only: %s may not run here; give one SELECT (or WITH .. SELECT) "
			"statement",
			what);
}

/* The database's message, said to be the database's; a missing table
 * gets one message on both backends, naming it. */
static int db_failed(struct workspace *ws, struct pm_err *err)
{
	const char *m = db_errmsg(ws->db);
	bool pg = db_kind(ws->db) == DB_POSTGRES;
	if (pg && strstr(m, "read-only transaction"))
		return refuse_write(err, "a statement that writes");
	const char *name = NULL;
	size_t n = 0;
	if (!pg && str_prefix(m, "no such table: ")) {
		name = m + strlen("no such table: ");
		n = strlen(name);
	} else if (pg && str_prefix(m, "relation \"") && strstr(m, "\" does not exist")) {
		name = m + strlen("relation \"");
		n = (size_t)(strstr(m, "\" does not exist") - name);
	}
	if (name)
		return pm_errcf(err, PM_E_NOTFOUND, "no table %.*s in the workspace", (int)n, name);
	return pm_errf(err, "%s: %s", pg ? "PostgreSQL" : "SQLite", m);
}

static json_t *cell_json(struct db_stmt *st, int i)
{
	switch (db_column_type(st, i)) {
	case DB_NULL:
		return json_null();
	case DB_INTEGER:
		return json_integer((json_int_t)db_column_int64(st, i));
	case DB_FLOAT:
		return json_num(db_column_double(st, i));
	case DB_TEXT: {
		const char *t = (const char *)db_column_text(st, i);
		int n = db_column_bytes(st, i);
		if (utf8_valid(t, (size_t)n, NULL))
			return json_stringn(t, (size_t)n);
		break; /* not text JSON can hold: shown as bytes */
	}
	default:
		break;
	}
	const unsigned char *p = db_column_blob(st, i);
	int n = db_column_bytes(st, i);
	struct sbuf b = {0};
	sbuf_puts(&b, "x'");
	for (int k = 0; k < n; k++)
		sbuf_printf(&b, "%02x", p[k]);
	sbuf_putc(&b, '\'');
	json_t *v = json_string(b.s);
	sbuf_free(&b);
	return v;
}

int ws_query(struct workspace *ws, const char *sql, json_t **out, struct pm_err *err)
{
	*out = NULL;
	char word[16];
	int n = db_sql_statements(sql, word, sizeof word);
	if (n == 0)
		return pm_errcf(err, PM_E_USAGE, "give a SELECT statement");
	if (n > 1)
		return pm_errcf(err, PM_E_USAGE, "give one statement, not %d", n);
	bool other = false;
	for (size_t i = 0; other_statements[i] && !other; i++)
		other = strcmp(word, other_statements[i]) == 0;
	if (other) {
		char what[40];
		snprintf(what, sizeof what, "%s statements", word);
		return refuse_write(err, what);
	}
	bool pg = db_kind(ws->db) == DB_POSTGRES;
	if (db_in_transaction(ws->db))
		return pm_errf(err, "a transaction is open on the workspace");
	/* on PostgreSQL the server refuses every write in the transaction */
	if (pg && db_exec(ws->db, "BEGIN READ ONLY", err) < 0)
		return db_failed(ws, err);
	struct db_stmt *st;
	int rc = 0;
	if (db_prepare(ws->db, sql, &st, err) < 0) {
		rc = db_failed(ws, err);
		st = NULL;
	} else if (!db_stmt_readonly(st)) {
		rc = refuse_write(err, "a statement that writes");
	}
	json_t *cols = json_array(), *rows = json_array();
	int step = DB_DONE;
	while (rc == 0 && (step = db_step(st)) == DB_ROW) {
		int nc = db_column_count(st);
		if (json_array_size(cols) == 0)
			for (int i = 0; i < nc; i++)
				json_array_append_new(cols, json_string(db_column_name(st, i)));
		json_t *row = json_array();
		for (int i = 0; i < nc; i++)
			json_array_append_new(row, cell_json(st, i));
		json_array_append_new(rows, row);
	}
	if (rc == 0 && step != DB_DONE)
		rc = db_failed(ws, err);
	/* a query without rows still has its columns' names */
	if (rc == 0 && json_array_size(cols) == 0)
		for (int i = 0; i < db_column_count(st); i++)
			json_array_append_new(cols, json_string(db_column_name(st, i)));
	if (st)
		db_finalize(st);
	if (pg) {
		struct pm_err ignored = {0};
		db_exec(ws->db, "ROLLBACK", &ignored);
	}
	if (rc < 0) {
		json_decref(cols);
		json_decref(rows);
		return -1;
	}
	*out = json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
	return 0;
}
