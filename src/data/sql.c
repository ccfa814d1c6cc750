/* SQL over frames: each dataset is an eponymous virtual table (the module
 * is registered under the dataset's name, so `SELECT * FROM taxi` needs no
 * CREATE), and query results are collected back into a frame. */
#include "data.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fvtab {
	sqlite3_vtab base;
	struct frame *f;
};

struct fcursor {
	sqlite3_vtab_cursor base;
	size_t row;
};

static const char *sql_decl_type(enum pm_type t)
{
	switch (t) {
	case PM_INT: return "INTEGER";
	case PM_FLOAT: return "REAL";
	case PM_BOOL: return "BOOLEAN";
	case PM_STRING: return "TEXT";
	case PM_TIMESTAMP: return "TIMESTAMP";
	}
	return "TEXT";
}

static void sql_quote_ident(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_putc(b, '"');
		sbuf_putc(b, *s);
	}
	sbuf_putc(b, '"');
}

static int fv_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		      sqlite3_vtab **out, char **errmsg)
{
	struct frame *f = aux;
	struct sbuf b = {0};
	sbuf_puts(&b, "CREATE TABLE x(");
	for (size_t c = 0; c < f->ncols; c++) {
		if (c)
			sbuf_puts(&b, ", ");
		sql_quote_ident(&b, f->cols[c].name);
		sbuf_printf(&b, " %s", sql_decl_type(f->cols[c].type));
	}
	sbuf_puts(&b, ")");
	int rc = sqlite3_declare_vtab(db, b.s);
	sbuf_free(&b);
	if (rc != SQLITE_OK)
		return rc;
	struct fvtab *vt = sqlite3_malloc(sizeof *vt);
	if (!vt)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof *vt);
	vt->f = f;
	*out = &vt->base;
	return SQLITE_OK;
}

static int fv_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int fv_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	struct fvtab *t = (struct fvtab *)vt;
	info->estimatedCost = (double)t->f->nrows + 1;
	info->estimatedRows = (sqlite3_int64)t->f->nrows;
	return SQLITE_OK;
}

static int fv_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct fcursor *c = sqlite3_malloc(sizeof *c);
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int fv_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int fv_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
		     sqlite3_value **argv)
{
	((struct fcursor *)cur)->row = 0;
	return SQLITE_OK;
}

static int fv_next(sqlite3_vtab_cursor *cur)
{
	((struct fcursor *)cur)->row++;
	return SQLITE_OK;
}

static int fv_eof(sqlite3_vtab_cursor *cur)
{
	struct fvtab *t = (struct fvtab *)cur->pVtab;
	return ((struct fcursor *)cur)->row >= t->f->nrows;
}

static int fv_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	struct fvtab *t = (struct fvtab *)cur->pVtab;
	size_t row = ((struct fcursor *)cur)->row;
	const struct column *c = &t->f->cols[i];
	if (!column_present(c, row)) {
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	char buf[64];
	switch (c->type) {
	case PM_INT: sqlite3_result_int64(ctx, c->v.i64[row]); break;
	case PM_FLOAT: sqlite3_result_double(ctx, c->v.f64[row]); break;
	case PM_BOOL: sqlite3_result_int(ctx, c->v.b[row]); break;
	case PM_STRING: {
		uint32_t code = c->v.code[row];
		sqlite3_result_text(ctx, c->dict->str[code], (int)c->dict->len[code], SQLITE_STATIC);
		break;
	}
	case PM_TIMESTAMP:
		ts_format(c->v.i64[row], buf, sizeof buf);
		sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
		break;
	}
	return SQLITE_OK;
}

static int fv_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct fcursor *)cur)->row;
	return SQLITE_OK;
}

static const sqlite3_module frame_module = {
	.iVersion = 0,
	.xCreate = NULL, /* eponymous-only: the table exists under the module's name */
	.xConnect = fv_connect,
	.xBestIndex = fv_best_index,
	.xDisconnect = fv_disconnect,
	.xDestroy = fv_disconnect,
	.xOpen = fv_open,
	.xClose = fv_close,
	.xFilter = fv_filter,
	.xNext = fv_next,
	.xEof = fv_eof,
	.xColumn = fv_column,
	.xRowid = fv_rowid,
};

int frame_sql_register(sqlite3 *db, struct frame *f, struct pm_err *err)
{
	if (sqlite3_create_module_v2(db, f->name, &frame_module, f, NULL) != SQLITE_OK)
		return pm_errf(err, "cannot make dataset %s visible to SQL: %s", f->name,
			       sqlite3_errmsg(db));
	return 0;
}

/* ---- query results into a frame --------------------------------------------------- */
struct cell {
	int type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
	union {
		int64_t i;
		double d;
		char *s;
	} v;
	uint32_t len;
};

/* The frame type of a result column from its cells and declared type. */
static enum pm_type result_type(struct cell *cells, size_t n, const char *decl)
{
	bool any = false, all_int = true, all_num = true, all_text = true;
	for (size_t r = 0; r < n; r++) {
		struct cell *c = &cells[r];
		if (c->type == SQLITE_NULL)
			continue;
		any = true;
		if (c->type != SQLITE_INTEGER)
			all_int = false;
		if (c->type != SQLITE_INTEGER && c->type != SQLITE_FLOAT)
			all_num = false;
		if (c->type != SQLITE_TEXT)
			all_text = false;
	}
	if (!any)
		return decl && strcmp(decl, "REAL") == 0 ? PM_FLOAT
		       : decl && strcmp(decl, "INTEGER") == 0 ? PM_INT
							      : PM_STRING;
	if (decl && strcmp(decl, "BOOLEAN") == 0 && all_int) {
		bool b01 = true;
		for (size_t r = 0; r < n; r++)
			if (cells[r].type == SQLITE_INTEGER && cells[r].v.i != 0 && cells[r].v.i != 1)
				b01 = false;
		if (b01)
			return PM_BOOL;
	}
	if (all_int)
		return PM_INT;
	if (all_num)
		return PM_FLOAT;
	if (!all_text)
		return PM_STRING;
	/* text: the same inference as for CSV (strftime gives text digits) */
	bool ti = true, tf = true, tb = true, tt = true;
	for (size_t r = 0; r < n && (ti || tf || tb || tt); r++) {
		struct cell *c = &cells[r];
		if (c->type == SQLITE_NULL)
			continue;
		int64_t iv;
		double dv;
		bool bv;
		if (ti && !parse_int64(c->v.s, c->len, &iv))
			ti = false;
		if (tf && !parse_double(c->v.s, c->len, &dv))
			tf = false;
		if (tb && !data_parse_bool(c->v.s, c->len, &bv))
			tb = false;
		if (tt && !ts_parse(c->v.s, c->len, &iv))
			tt = false;
	}
	return ti ? PM_INT : tf ? PM_FLOAT : tb ? PM_BOOL : tt ? PM_TIMESTAMP : PM_STRING;
}

static void fill_column(struct column *col, struct cell *cells, size_t n)
{
	for (size_t r = 0; r < n; r++) {
		struct cell *c = &cells[r];
		if (c->type == SQLITE_NULL)
			continue;
		bool ok = true;
		switch (col->type) {
		case PM_INT:
			if (c->type == SQLITE_INTEGER)
				col->v.i64[r] = c->v.i;
			else
				ok = parse_int64(c->v.s, c->len, &col->v.i64[r]);
			break;
		case PM_FLOAT:
			if (c->type == SQLITE_INTEGER)
				col->v.f64[r] = (double)c->v.i;
			else if (c->type == SQLITE_FLOAT)
				col->v.f64[r] = c->v.d;
			else
				ok = parse_double(c->v.s, c->len, &col->v.f64[r]);
			break;
		case PM_BOOL:
			if (c->type == SQLITE_INTEGER) {
				col->v.b[r] = c->v.i != 0;
			} else {
				bool b;
				ok = data_parse_bool(c->v.s, c->len, &b);
				col->v.b[r] = b;
			}
			break;
		case PM_TIMESTAMP:
			ok = c->type == SQLITE_TEXT && ts_parse(c->v.s, c->len, &col->v.i64[r]);
			break;
		case PM_STRING: {
			char buf[64];
			const char *s = buf;
			size_t len;
			if (c->type == SQLITE_TEXT) {
				s = c->v.s;
				len = c->len;
			} else if (c->type == SQLITE_INTEGER) {
				len = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)c->v.i);
			} else {
				fmt_double(c->v.d, buf, sizeof buf);
				len = strlen(buf);
			}
			col->v.code[r] = strdict_intern(col->dict, s, len);
			break;
		}
		}
		col->valid[r] = ok;
	}
	column_count_missing(col);
}

int frame_from_sql(sqlite3 *db, const char *sql, const char *name, struct frame **out,
		   struct pm_err *err)
{
	sqlite3_stmt *st;
	const char *tail;
	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK)
		return pm_errf(err, "SQL: %s", sqlite3_errmsg(db));
	if (!st)
		return pm_errf(err, "SQL: the query is empty");
	while (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';')
		tail++;
	if (*tail) {
		sqlite3_finalize(st);
		return pm_errf(err, "SQL: give one SELECT statement (found more after it: \"%.40s\")",
			       tail);
	}
	if (!sqlite3_stmt_readonly(st)) {
		sqlite3_finalize(st);
		return pm_errf(err, "SQL: only queries that read (SELECT) are allowed");
	}
	int ncols = sqlite3_column_count(st);
	if (ncols == 0) {
		sqlite3_finalize(st);
		return pm_errf(err, "SQL: the statement returns no columns");
	}
	struct cell **cells = xcalloc((size_t)ncols, sizeof *cells);
	size_t nrows = 0, cap = 0;
	int rc;
	char *bad = NULL; /* why a text value cannot be kept */
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nrows == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			for (int c = 0; c < ncols; c++)
				cells[c] = xrealloc(cells[c], ncap * sizeof **cells);
			cap = ncap;
		}
		for (int c = 0; c < ncols; c++) {
			struct cell *x = &cells[c][nrows];
			x->type = sqlite3_column_type(st, c);
			switch (x->type) {
			case SQLITE_INTEGER: x->v.i = sqlite3_column_int64(st, c); break;
			case SQLITE_FLOAT:
				x->v.d = sqlite3_column_double(st, c);
				break;
			case SQLITE_NULL: break;
			default: {
				/* text and blobs are kept as their bytes */
				const unsigned char *t = sqlite3_column_text(st, c);
				x->len = (uint32_t)sqlite3_column_bytes(st, c);
				x->v.s = xstrndup(t ? (const char *)t : "", x->len);
				x->type = SQLITE_TEXT;
				/* the loader's rule: export would write what load refuses */
				char *why = bad ? NULL : str_text_check(x->v.s, x->len);
				if (why) {
					const char *cn = sqlite3_column_name(st, c);
					bad = xasprintf("SQL: row %zu, column %d (\"%s\"): %s", nrows + 1,
							c + 1, cn ? cn : "", why);
					free(why);
				}
			}
			}
		}
		nrows++;
	}
	int result = 0;
	if (bad) {
		result = pm_errf(err, "%s", bad);
		free(bad);
	} else if (rc != SQLITE_DONE) {
		result = pm_errf(err, "SQL: %s", sqlite3_errmsg(db));
	} else {
		struct frame *f = frame_new(name, nrows, (size_t)ncols);
		for (int c = 0; c < ncols; c++) {
			const char *cname = sqlite3_column_name(st, c);
			enum pm_type t = result_type(cells[c], nrows, sqlite3_column_decltype(st, c));
			/* duplicate result names (SELECT a.x, b.x) get a suffix */
			char *nm = xstrdup(cname ? cname : "column");
			for (int k = 2, again = 1; again; k++) {
				again = 0;
				for (int p = 0; p < c && !again; p++)
					again = strcmp(f->cols[p].name, nm) == 0;
				if (again) {
					free(nm);
					nm = xasprintf("%s_%d", cname, k);
				}
			}
			column_init(&f->cols[c], nm, t, nrows);
			free(nm);
			fill_column(&f->cols[c], cells[c], nrows);
		}
		*out = f;
	}
	for (int c = 0; c < ncols; c++) {
		for (size_t r = 0; r < nrows; r++)
			if (cells[c][r].type == SQLITE_TEXT)
				free(cells[c][r].v.s);
		free(cells[c]);
	}
	free(cells);
	sqlite3_finalize(st);
	return result;
}

static bool plain_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* An identifier as SQL reads it: as is when plain, else in double quotes
 * with the quotes in it doubled. */
static void sql_ident(struct sbuf *b, const char *s)
{
	if (plain_ident(s)) {
		sbuf_puts(b, s);
		return;
	}
	sbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_putc(b, '"');
		sbuf_putc(b, *s);
	}
	sbuf_putc(b, '"');
}

char *frame_filter_sql(const char *table, const char *where)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "SELECT * FROM ");
	sql_ident(&b, table);
	sbuf_printf(&b, " WHERE %s", where);
	return sbuf_steal(&b);
}
