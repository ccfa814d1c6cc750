/* The PostgreSQL driver of the database interface, over libpq.  A
 * statement is translated from SQLite's dialect once, when prepared
 * (db-dialect.c), and runs with PQexecParams when first stepped: its
 * parameters go as text (blobs as binary), its rows come back as text and
 * are read from the result one step at a time.  Every statement that
 * changes rows also sends NOTIFY prodml_changes (once a transaction, and
 * delivered when it commits): what SQLite's PRAGMA data_version tells a
 * server polling for new versions, the server here hears by LISTEN.  Types come from the
 * result's column types: integers (and NUMERIC values without a fraction,
 * such as sum() of integers) read as DB_INTEGER, as SQLite would give
 * them.  Functions that SQLite has and PostgreSQL lacks are created in the
 * database the first time a connection finds them missing. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#ifndef HAVE_LIBPQ

int db_pg_open(const char *uri, struct db **out, struct pm_err *err)
{
	(void)uri;
	*out = NULL;
	return pm_errf(err, "PostgreSQL workspaces need prodml built with libpq: install the Debian "
			    "package libpq-dev and run ./configure again");
}

#else

#include <libpq-fe.h>

/* type oids (catalog/pg_type_d.h) */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

struct pk_entry {
	char *table, *keys;
};

struct pg_db {
	struct db base;
	PGconn *conn;
	char *msg;            /* the last error */
	int64_t changes;
	struct pk_entry *pks; /* primary keys looked up, for INSERT OR REPLACE */
	size_t npks, pkcap;
	bool notified;        /* this transaction has sent its NOTIFY */
	struct learned {      /* parameters sent as text, by statement text */
		char *sql;
		Oid *types;
		int n;
	} *learned;
	size_t nlearned, lcap;
	bool listening;
	int64_t changes_heard;
};

#define CHANNEL "prodml_changes"

/* After a statement: a change tells the listeners (in a transaction, once,
 * at its commit). */
static void notify_change(struct pg_db *d, const PGresult *r)
{
	bool idle = PQtransactionStatus(d->conn) == PQTRANS_IDLE;
	const char *tag = PQcmdStatus((PGresult *)r);
	bool write = tag && (str_prefix(tag, "INSERT") || str_prefix(tag, "UPDATE") ||
			     str_prefix(tag, "DELETE") || str_prefix(tag, "COPY")) &&
		     atoll(PQcmdTuples((PGresult *)r)) > 0;
	if (write && (idle || !d->notified))
		PQclear(PQexec(d->conn, "NOTIFY " CHANNEL));
	/* in a transaction one NOTIFY is enough: it goes out at the commit */
	d->notified = !idle && (d->notified || write);
}

struct pg_stmt {
	struct db_stmt base;
	char *sql;            /* translated */
	int nparams;
	char **values;        /* [nparams] */
	int *lengths, *formats;
	Oid *types;           /* 0: the server infers it; text where it could not */
	PGresult *res;
	int row, nrows;
	bool done;
	unsigned char **blobs; /* unescaped bytea values of the current row */
	size_t *blob_len;
};

#define PG(db) ((struct pg_db *)(db))
#define PGS(st) ((struct pg_stmt *)(st))

static void set_msg(struct pg_db *d, const char *m)
{
	free(d->msg);
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	d->msg = xstrndup(m, n);
}

/* The primary message of a failed result, else the connection's. */
static void result_msg(struct pg_db *d, const PGresult *r)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	set_msg(d, m ? m : PQerrorMessage(d->conn));
}

static void pg_close(struct db *db)
{
	struct pg_db *d = PG(db);
	PQfinish(d->conn);
	for (size_t i = 0; i < d->npks; i++) {
		free(d->pks[i].table);
		free(d->pks[i].keys);
	}
	free(d->pks);
	for (size_t i = 0; i < d->nlearned; i++) {
		free(d->learned[i].sql);
		free(d->learned[i].types);
	}
	free(d->learned);
	free(d->msg);
	free(d);
}

static const char *pg_errmsg(struct db *db)
{
	return PG(db)->msg ? PG(db)->msg : PQerrorMessage(PG(db)->conn);
}

/* The columns of table's primary key (else of its first unique index),
 * comma-separated, as INSERT OR REPLACE's conflict target; cached. */
static char *table_key(void *ctx, const char *table)
{
	struct pg_db *d = ctx;
	for (size_t i = 0; i < d->npks; i++)
		if (strcmp(d->pks[i].table, table) == 0)
			return xstrdup(d->pks[i].keys);
	const char *params[] = {table};
	PGresult *r = PQexecParams(d->conn,
				   "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum)) "
				   "FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
				   "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) "
				   "AND (i.indisprimary OR i.indisunique) "
				   "GROUP BY i.indexrelid, i.indisprimary ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1",
				   1, NULL, params, NULL, NULL, 0);
	char *keys = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		keys = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (!keys)
		return NULL;
	xgrow((void **)&d->pks, &d->pkcap, d->npks + 1, sizeof *d->pks);
	d->pks[d->npks].table = xstrdup(table);
	d->pks[d->npks++].keys = xstrdup(keys);
	return keys;
}

static char *translate(struct pg_db *d, const char *sql, int *nparams, struct pm_err *err)
{
	char *t = db_pg_translate(sql, nparams, table_key, d);
	if (!t) {
		set_msg(d, "statement not translatable to PostgreSQL (INSERT OR REPLACE into a table "
			   "without a primary key or unique index?)");
		pm_errf(err, "%s: %.200s", d->msg, sql);
	}
	return t;
}

static int pg_exec(struct db *db, const char *sql, struct pm_err *err)
{
	struct pg_db *d = PG(db);
	int n;
	char *t = translate(d, sql, &n, err);
	if (!t)
		return -1;
	PGresult *r = PQexec(d->conn, t);
	free(t);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		result_msg(d, r);
		rc = pm_errf(err, "%s", d->msg);
	} else {
		d->changes = atoll(PQcmdTuples(r));
		notify_change(d, r);
	}
	if (PQtransactionStatus(d->conn) == PQTRANS_IDLE)
		d->notified = false; /* committed or rolled back */
	PQclear(r);
	return rc;
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out, struct pm_err *err)
{
	struct pg_db *d = PG(db);
	int n;
	char *t = translate(d, sql, &n, err);
	if (!t)
		return -1;
	struct pg_stmt *st = xcalloc(1, sizeof *st);
	st->base.db = db;
	st->sql = t;
	st->nparams = n;
	st->values = xcalloc((size_t)n + 1, sizeof *st->values);
	st->lengths = xcalloc((size_t)n + 1, sizeof *st->lengths);
	st->formats = xcalloc((size_t)n + 1, sizeof *st->formats);
	st->types = xcalloc((size_t)n + 1, sizeof *st->types);
	st->row = -1;
	*out = &st->base;
	return 0;
}

static void clear_result(struct pg_stmt *st)
{
	if (st->res) {
		int nc = PQnfields(st->res);
		for (int i = 0; st->blobs && i < nc; i++)
			PQfreemem(st->blobs[i]);
		free(st->blobs);
		free(st->blob_len);
		st->blobs = NULL;
		st->blob_len = NULL;
		PQclear(st->res);
		st->res = NULL;
	}
	st->row = -1;
	st->nrows = 0;
	st->done = false;
}

static int set_param(struct pg_stmt *st, int i, char *v, int len, int format)
{
	if (i < 1 || i > st->nparams) {
		free(v);
		return DB_ERROR;
	}
	clear_result(st);
	free(st->values[i - 1]);
	st->values[i - 1] = v;
	st->lengths[i - 1] = len;
	st->formats[i - 1] = format;
	return DB_OK;
}

/* The value is always copied; a destructor given (not DB_STATIC or
 * DB_TRANSIENT) frees the caller's at once, as SQLite would later. */
static void release(const void *p, void (*lt)(void *))
{
	if (p && lt != DB_STATIC && lt != DB_TRANSIENT)
		lt((void *)p);
}

static int pg_bind_text(struct db_stmt *st, int i, const char *s, int len, void (*lt)(void *))
{
	if (!s)
		return set_param(PGS(st), i, NULL, 0, 0);
	size_t n = len < 0 ? strlen(s) : (size_t)len;
	int rc = set_param(PGS(st), i, xstrndup(s, n), (int)n, 0);
	release(s, lt);
	return rc;
}

static int pg_bind_blob(struct db_stmt *st, int i, const void *p, int len, void (*lt)(void *))
{
	if (!p)
		return set_param(PGS(st), i, NULL, 0, 0);
	char *v = xmalloc((size_t)len + 1);
	memcpy(v, p, (size_t)len);
	int rc = set_param(PGS(st), i, v, len, 1);
	release(p, lt);
	return rc;
}

static int pg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return set_param(PGS(st), i, xasprintf("%lld", (long long)v), 0, 0);
}

/* The shortest text that reads back to the same double, in PostgreSQL's
 * spelling of NaN and the infinities. */
static void double_text(double v, char buf[40])
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, 40, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (v != v)
		snprintf(buf, 40, "NaN");
	else if (v > 1.7976931348623157e308)
		snprintf(buf, 40, "Infinity");
	else if (v < -1.7976931348623157e308)
		snprintf(buf, 40, "-Infinity");
}

static int pg_bind_double(struct db_stmt *st, int i, double v)
{
	char buf[40];
	double_text(v, buf);
	return set_param(PGS(st), i, xstrdup(buf), 0, 0);
}

static int pg_bind_null(struct db_stmt *st, int i)
{
	return set_param(PGS(st), i, NULL, 0, 0);
}

/* The parameter an "indeterminate type" error names (its 1-based number),
 * or 0 for any other result. */
static int untyped_param(const PGresult *r, int nparams)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	if (!state || (strcmp(state, "42P18") != 0 && strcmp(state, "42P08") != 0) || !msg)
		return 0;
	const char *at = strstr(msg, "parameter $");
	int k = at ? atoi(at + strlen("parameter $")) : 0;
	return k >= 1 && k <= nparams ? k : 0;
}

/* Runs a statement.  A parameter only tested for NULL ("?1 IS NULL OR
 * lab = ?1") has no type the server can tell from its first use, where
 * SQLite needs none: it is sent again as text.  In a transaction the
 * failed try would abort it, so such a statement runs inside a savepoint
 * there.  What was learned is kept for the next statement of that text. */
static PGresult *run_typed(struct pg_db *d, struct pg_stmt *st)
{
	for (size_t i = 0; i < d->nlearned; i++)
		if (d->learned[i].n == st->nparams && strcmp(d->learned[i].sql, st->sql) == 0) {
			for (int k = 0; k < st->nparams; k++)
				if (!st->types[k])
					st->types[k] = d->learned[i].types[k];
			break;
		}
	bool risky = strstr(st->sql, " IS NULL") || strstr(st->sql, " IS NOT NULL");
	bool guard = risky && PQtransactionStatus(d->conn) == PQTRANS_INTRANS;
	if (guard)
		PQclear(PQexec(d->conn, "SAVEPOINT prodml_typed"));
	bool learned = false;
	PGresult *r;
	for (;;) {
		r = PQexecParams(d->conn, st->sql, st->nparams, st->types, (const char *const *)st->values,
				 st->lengths, st->formats, 0);
		int k = untyped_param(r, st->nparams);
		if (!k || st->types[k - 1])
			break;
		st->types[k - 1] = 25; /* text */
		learned = true;
		PQclear(r);
		if (guard)
			PQclear(PQexec(d->conn, "ROLLBACK TO SAVEPOINT prodml_typed"));
	}
	if (guard)
		PQclear(PQexec(d->conn, "RELEASE SAVEPOINT prodml_typed"));
	if (learned) {
		xgrow((void **)&d->learned, &d->lcap, d->nlearned + 1, sizeof *d->learned);
		struct learned *l = &d->learned[d->nlearned++];
		l->sql = xstrdup(st->sql);
		l->n = st->nparams;
		l->types = xmalloc(((size_t)st->nparams + 1) * sizeof *l->types);
		memcpy(l->types, st->types, (size_t)st->nparams * sizeof *l->types);
	}
	return r;
}

static int pg_step(struct db_stmt *sst)
{
	struct pg_stmt *st = PGS(sst);
	struct pg_db *d = PG(sst->db);
	if (st->done)
		clear_result(st); /* stepped again after the end: run again, as SQLite does */
	if (!st->res) {
		st->res = run_typed(d, st);
		ExecStatusType s = PQresultStatus(st->res);
		if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && s != PGRES_EMPTY_QUERY) {
			result_msg(d, st->res);
			PQclear(st->res);
			st->res = NULL;
			return DB_ERROR;
		}
		d->changes = atoll(PQcmdTuples(st->res));
		notify_change(d, st->res);
		st->nrows = s == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
		st->row = -1;
	}
	if (st->blobs) {
		for (int i = 0; i < PQnfields(st->res); i++) {
			PQfreemem(st->blobs[i]);
			st->blobs[i] = NULL;
		}
	}
	if (++st->row < st->nrows)
		return DB_ROW;
	st->done = true;
	return DB_DONE;
}

/* The text of column i of the current row; NULL when there is no such
 * cell or it is NULL. */
static const char *cell(const struct pg_stmt *st, int i)
{
	if (!st->res || st->row < 0 || st->row >= st->nrows || i < 0 || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

static int pg_column_count(struct db_stmt *st)
{
	return PGS(st)->res ? PQnfields(PGS(st)->res) : 0;
}

static const char *pg_column_name(struct db_stmt *st, int i)
{
	return PGS(st)->res ? PQfname(PGS(st)->res, i) : NULL;
}

static int pg_column_type(struct db_stmt *sst, int i)
{
	struct pg_stmt *st = PGS(sst);
	const char *v = cell(st, i);
	if (!v)
		return DB_NULL;
	switch (PQftype(st->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DB_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DB_FLOAT;
	case OID_NUMERIC:
		return strpbrk(v, ".eEN") ? DB_FLOAT : DB_INTEGER;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static int64_t pg_column_int64(struct db_stmt *sst, int i)
{
	struct pg_stmt *st = PGS(sst);
	const char *v = cell(st, i);
	if (!v)
		return 0;
	if (PQftype(st->res, i) == OID_BOOL)
		return *v == 't';
	if (strpbrk(v, ".eE"))
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_column_double(struct db_stmt *sst, int i)
{
	struct pg_stmt *st = PGS(sst);
	const char *v = cell(st, i);
	if (!v)
		return 0;
	if (PQftype(st->res, i) == OID_BOOL)
		return *v == 't';
	return strtod(v, NULL);
}

static const unsigned char *pg_column_text(struct db_stmt *sst, int i)
{
	return (const unsigned char *)cell(PGS(sst), i);
}

static const void *pg_column_blob(struct db_stmt *sst, int i)
{
	struct pg_stmt *st = PGS(sst);
	const char *v = cell(st, i);
	if (!v || PQftype(st->res, i) != OID_BYTEA)
		return v;
	if (!st->blobs) {
		st->blobs = xcalloc((size_t)PQnfields(st->res), sizeof *st->blobs);
		st->blob_len = xcalloc((size_t)PQnfields(st->res), sizeof *st->blob_len);
	}
	if (!st->blobs[i])
		st->blobs[i] = PQunescapeBytea((const unsigned char *)v, &st->blob_len[i]);
	return st->blobs[i];
}

static int pg_column_bytes(struct db_stmt *sst, int i)
{
	struct pg_stmt *st = PGS(sst);
	if (!cell(st, i))
		return 0;
	if (PQftype(st->res, i) == OID_BYTEA) {
		pg_column_blob(sst, i);
		return st->blobs && st->blobs[i] ? (int)st->blob_len[i] : 0;
	}
	return PQgetlength(st->res, st->row, i);
}

static int pg_reset(struct db_stmt *st)
{
	clear_result(PGS(st));
	return DB_OK;
}

static int pg_clear_bindings(struct db_stmt *sst)
{
	struct pg_stmt *st = PGS(sst);
	clear_result(st);
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = st->formats[i] = 0;
	}
	return DB_OK;
}

/* lastval(): the value the session's last nextval() gave, which an
 * identity column's insert calls */
static int64_t pg_last_insert_id(struct db *db)
{
	PGresult *r = PQexec(PG(db)->conn, "SELECT lastval()");
	int64_t id = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return id;
}

static void pg_finalize(struct db_stmt *sst)
{
	struct pg_stmt *st = PGS(sst);
	clear_result(st);
	for (int i = 0; i < st->nparams; i++)
		free(st->values[i]);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->types);
	free(st->sql);
	free(st);
}

static int64_t pg_changes(struct db *db)
{
	return PG(db)->changes;
}

static bool pg_in_transaction(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(PG(db)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Notifications of changes committed by other connections, counted. */
static int64_t pg_data_version(struct db *db)
{
	struct pg_db *d = PG(db);
	if (!d->listening) {
		PQclear(PQexec(d->conn, "LISTEN " CHANNEL));
		d->listening = true;
	}
	PQconsumeInput(d->conn);
	PGnotify *n;
	int self = PQbackendPID(d->conn);
	while ((n = PQnotifies(d->conn))) {
		if (n->be_pid != self)
			d->changes_heard++;
		PQfreemem(n);
	}
	return d->changes_heard;
}

/* ---- bulk inserts: COPY .. FROM STDIN ------------------------------------------ */

#define COPY_CHUNK (256 << 10) /* bytes of rows sent in one PQputCopyData */

struct pg_copy {
	struct sbuf out;   /* rows not yet sent */
	bool failed;       /* a send failed: the COPY ends in error */
};

static int pg_bulk_begin(struct db_bulk *b, const char *table, const char *const *cols,
			 struct pm_err *err)
{
	struct pg_db *d = PG(b->db);
	struct sbuf q = {0};
	/* quoted: a column named by a reserved word (user, offset) */
	sbuf_printf(&q, "COPY \"%s\" (", table);
	for (int i = 0; i < b->ncols; i++)
		sbuf_printf(&q, "%s\"%s\"", i ? ", " : "", cols[i]);
	sbuf_puts(&q, ") FROM STDIN");
	PGresult *r = PQexec(d->conn, q.s);
	sbuf_free(&q);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		result_msg(d, r);
		PQclear(r);
		return pm_errf(err, "%s", d->msg);
	}
	PQclear(r);
	b->impl = xcalloc(1, sizeof(struct pg_copy));
	return 0;
}

/* A text value in COPY's text format: the delimiter (tab), the row's end
 * (newline), carriage return and backslash escaped; a zero byte ends it,
 * as it ends a text parameter. */
static void copy_text(struct sbuf *o, const char *s, int len)
{
	int from = 0, k = 0;
	for (; k < len && s[k]; k++) {
		const char *e = s[k] == '\\' ? "\\\\" : s[k] == '\t' ? "\\t" : s[k] == '\n' ? "\\n"
			      : s[k] == '\r' ? "\\r" : NULL;
		if (!e)
			continue;
		sbuf_add(o, s + from, (size_t)(k - from));
		sbuf_puts(o, e);
		from = k + 1;
	}
	sbuf_add(o, s + from, (size_t)(k - from));
}

static int copy_send(struct pg_db *d, struct pg_copy *c, struct pm_err *err)
{
	if (c->out.len && PQputCopyData(d->conn, c->out.s, (int)c->out.len) != 1) {
		c->failed = true;
		set_msg(d, PQerrorMessage(d->conn));
		return pm_errf(err, "%s", d->msg);
	}
	c->out.len = 0;
	return 0;
}

static int pg_bulk_row(struct db_bulk *b, struct pm_err *err)
{
	struct pg_copy *c = b->impl;
	if (c->failed)
		return pm_errf(err, "%s", PG(b->db)->msg);
	for (int i = 0; i < b->ncols; i++) {
		const struct db_value *v = &b->row[i];
		char num[40];
		if (i)
			sbuf_putc(&c->out, '\t');
		switch (v->type) {
		case DB_INTEGER:
			sbuf_printf(&c->out, "%lld", (long long)v->i);
			break;
		case DB_FLOAT:
			double_text(v->d, num);
			sbuf_puts(&c->out, num);
			break;
		case DB_TEXT:
			copy_text(&c->out, v->s, v->len);
			break;
		default:
			sbuf_puts(&c->out, "\\N");
			break;
		}
	}
	sbuf_putc(&c->out, '\n');
	return c->out.len >= COPY_CHUNK ? copy_send(PG(b->db), c, err) : 0;
}

static int pg_bulk_end(struct db_bulk *b, bool keep, struct pm_err *err)
{
	struct pg_db *d = PG(b->db);
	struct pg_copy *c = b->impl;
	int rc = 0;
	if (keep)
		rc = c->failed ? pm_errf(err, "%s", d->msg) : copy_send(d, c, err);
	bool ok = keep && rc == 0;
	/* an error message ends the COPY in failure: no row of it stays */
	if (PQputCopyEnd(d->conn, ok ? NULL : "bulk insert abandoned") != 1 && ok) {
		set_msg(d, PQerrorMessage(d->conn));
		rc = pm_errf(err, "%s", d->msg);
	}
	PGresult *r, *done = NULL;
	while ((r = PQgetResult(d->conn))) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK && !done) {
			done = r;
			continue;
		}
		if (PQresultStatus(r) != PGRES_COMMAND_OK && ok && rc == 0) {
			result_msg(d, r);
			rc = pm_errf(err, "%s", d->msg);
		}
		PQclear(r);
	}
	/* once the COPY's results are all read: the connection takes a
	 * statement again (the NOTIFY) */
	if (done) {
		d->changes = atoll(PQcmdTuples(done));
		notify_change(d, done);
		PQclear(done);
	}
	sbuf_free(&c->out);
	free(c);
	return keep ? rc : 0;
}

static const struct db_ops pg_ops = {
	.kind = DB_POSTGRES,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.changes = pg_changes,
	.last_insert_id = pg_last_insert_id,
	.in_transaction = pg_in_transaction,
	.data_version = pg_data_version,
	.bulk_begin = pg_bulk_begin,
	.bulk_row = pg_bulk_row,
	.bulk_end = pg_bulk_end,
};

/* SQLite's functions that statements use, for PostgreSQL: json_extract
 * of a path such as '$.a.b' or '$[0].a' (as text; prodml_json_path turns
 * the path into jsonb's keys and array indexes), julianday of a
 * timestamp's text, and the aggregate group_concat(x [, separator]) that
 * queries of the workspace (`workspace query`) are used to from SQLite:
 * the values as text in the order they come, NULLs left out. */
static const char compat_sql[] =
	"SELECT pg_advisory_lock(7318790940181869);"
	"CREATE OR REPLACE FUNCTION prodml_json_path(path text) RETURNS text[] "
	"LANGUAGE sql IMMUTABLE AS $$ SELECT array_remove(string_to_array("
	"regexp_replace(substr(path, 2), '\\[([0-9]+)\\]', '.\\1', 'g'), '.'), '') $$;"
	"CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text "
	"LANGUAGE sql IMMUTABLE AS $$ SELECT jsonb_extract_path_text(doc::jsonb, "
	"VARIADIC prodml_json_path(path)) $$;"
	"CREATE OR REPLACE FUNCTION prodml_concat(acc text, v anyelement, sep text) RETURNS text "
	"LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL "
	"THEN v::text ELSE acc || sep || v::text END $$;"
	"CREATE OR REPLACE FUNCTION prodml_concat(acc text, v anyelement) RETURNS text "
	"LANGUAGE sql IMMUTABLE AS $$ SELECT prodml_concat(acc, v, ',') $$;"
	"CREATE OR REPLACE AGGREGATE group_concat(anyelement) (SFUNC = prodml_concat, STYPE = text);"
	"CREATE OR REPLACE AGGREGATE group_concat(anyelement, text) (SFUNC = prodml_concat, STYPE = text);"
	"CREATE OR REPLACE FUNCTION julianday(t text) RETURNS double precision "
	"LANGUAGE sql IMMUTABLE AS $$ SELECT extract(epoch FROM t::timestamptz) / 86400.0 + 2440587.5 $$;"
	"SELECT pg_advisory_unlock(7318790940181869);";

static int ensure_compat(struct pg_db *d, struct pm_err *err)
{
	/* a database that has the functions of an older prodml (json_extract
	 * without array indexes, no group_concat) lacks some: all are made again */
	PGresult *r = PQexec(d->conn, "SELECT count(DISTINCT proname) FROM pg_proc WHERE proname IN "
				      "('json_extract', 'julianday', 'prodml_json_path', 'prodml_concat', "
				      "'group_concat')");
	bool have = PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) >= 5;
	PQclear(r);
	if (have)
		return 0;
	r = PQexec(d->conn, compat_sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		result_msg(d, r);
		rc = pm_errf(err, "cannot create prodml's SQL functions: %s", d->msg);
	}
	PQclear(r);
	return rc;
}

int db_pg_open(const char *uri, struct db **out, struct pm_err *err)
{
	*out = NULL;
	PGconn *c = PQconnectdb(uri);
	if (!c)
		return pm_errf(err, "out of memory");
	if (PQstatus(c) != CONNECTION_OK) {
		struct pg_db tmp = {.conn = c};
		set_msg(&tmp, PQerrorMessage(c));
		pm_errf(err, "%s", tmp.msg);
		free(tmp.msg);
		PQfinish(c);
		return -1;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	struct pg_db *d = xcalloc(1, sizeof *d);
	d->base.ops = &pg_ops;
	d->conn = c;
	if (ensure_compat(d, err) < 0) {
		pg_close(&d->base);
		return -1;
	}
	*out = &d->base;
	return 0;
}

#endif
