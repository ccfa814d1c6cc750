/* Copying a workspace into another, table by table: how a team moves a
 * SQLite workspace into PostgreSQL (`workspace migrate --to URI`).  Both
 * are at the same schema version (ws_open migrated them), so every table
 * of the source exists in the target with the same columns; tables are
 * copied in the order the migrations made them, which puts a referenced
 * table before the tables that refer to it.  Rows keep their ids; on
 * PostgreSQL each identity then continues after the largest id copied.
 * The artifacts (content-addressed files) the target's directory lacks
 * are copied there.  All rows go in one transaction: a failed copy leaves
 * the target as it was. */
#include "workspace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The source's tables, in creation order. */
static char **source_tables(struct workspace *ws, struct pm_err *err)
{
	struct db_stmt *st;
	const char *sql = db_kind(ws->db) == DB_SQLITE
				  ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
				    "AND name <> 'prodml_meta' ORDER BY rowid"
				  : "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
				    "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname <> 'prodml_meta' "
				    "ORDER BY c.oid";
	if (ws_prepare(ws, sql, &st, err) < 0)
		return NULL;
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0, cap = 1;
	while (db_step(st) == DB_ROW) {
		xgrow((void **)&v, &cap, n + 2, sizeof *v);
		v[n++] = xstrdup((const char *)db_column_text(st, 0));
		v[n] = NULL;
	}
	db_finalize(st);
	return v;
}

static int64_t count_rows(struct workspace *ws, const char *table)
{
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	struct db_stmt *st;
	struct pm_err e;
	int64_t n = -1;
	if (ws_prepare(ws, sql, &st, &e) == 0) {
		if (db_step(st) == DB_ROW)
			n = db_column_int64(st, 0);
		db_finalize(st);
	}
	free(sql);
	return n;
}

/* One table's rows; *rows gets their count. */
static int copy_table(struct workspace *from, struct workspace *to, const char *table, int64_t *rows,
		      struct pm_err *err)
{
	char *sql = xasprintf("SELECT * FROM %s", table);
	struct db_stmt *src;
	int rc = ws_prepare(from, sql, &src, err);
	free(sql);
	if (rc < 0)
		return -1;
	struct db_stmt *dst = NULL;
	bool has_id = false;
	*rows = 0;
	while ((rc = db_step(src)) == DB_ROW) {
		int nc = db_column_count(src);
		if (!dst) {
			struct sbuf b = {0};
			sbuf_printf(&b, "INSERT INTO %s (", table);
			for (int c = 0; c < nc; c++) {
				sbuf_printf(&b, "%s%s", c ? ", " : "", db_column_name(src, c));
				has_id = has_id || strcmp(db_column_name(src, c), "id") == 0;
			}
			sbuf_puts(&b, ") VALUES (");
			for (int c = 0; c < nc; c++)
				sbuf_printf(&b, "%s?", c ? ", " : "");
			sbuf_puts(&b, ")");
			int prc = ws_prepare(to, b.s, &dst, err);
			sbuf_free(&b);
			if (prc < 0) {
				db_finalize(src);
				return pm_err_prefix(err, "table %s", table);
			}
		}
		db_reset(dst);
		for (int c = 0; c < nc; c++) {
			switch (db_column_type(src, c)) {
			case DB_INTEGER:
				db_bind_int64(dst, c + 1, db_column_int64(src, c));
				break;
			case DB_FLOAT:
				db_bind_double(dst, c + 1, db_column_double(src, c));
				break;
			case DB_BLOB:
				db_bind_blob(dst, c + 1, db_column_blob(src, c), db_column_bytes(src, c), DB_TRANSIENT);
				break;
			case DB_NULL:
				db_bind_null(dst, c + 1);
				break;
			default:
				db_bind_text(dst, c + 1, (const char *)db_column_text(src, c), db_column_bytes(src, c),
					     DB_TRANSIENT);
				break;
			}
		}
		if (db_step(dst) != DB_DONE) {
			pm_errf(err, "table %s, row %lld: %s", table, (long long)*rows + 1, ws_errmsg(to));
			db_finalize(dst);
			db_finalize(src);
			return -1;
		}
		(*rows)++;
	}
	db_finalize(dst);
	db_finalize(src);
	if (rc != DB_DONE)
		return pm_errf(err, "table %s: %s", table, ws_errmsg(from));
	/* PostgreSQL: the identity continues after the copied ids */
	if (db_kind(to->db) == DB_POSTGRES && *rows && has_id) {
		char *q = xasprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), "
				    "(SELECT coalesce(max(id), 0) + 1 FROM %s), false) "
				    "WHERE pg_get_serial_sequence('%s', 'id') IS NOT NULL",
				    table, table, table);
		struct db_stmt *st;
		int qrc = ws_prepare(to, q, &st, err);
		free(q);
		if (qrc == 0) {
			if (db_step(st) == DB_ERROR)
				qrc = pm_errf(err, "%s", ws_errmsg(to));
			db_finalize(st);
		}
		if (qrc < 0)
			return pm_err_prefix(err, "table %s: its ids", table);
	}
	return 0;
}

/* Copies the files under dir src that dst lacks (the artifacts are kept
 * in subdirectories by their first two hex digits). */
static int copy_tree(const char *src, const char *dst, int64_t *files, int64_t *bytes, struct pm_err *err)
{
	DIR *d = opendir(src);
	if (!d)
		return errno == ENOENT ? 0 : pm_errf(err, "%s: %s", src, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp"))
			continue;
		char *s = path_join(src, e->d_name), *t = path_join(dst, e->d_name);
		struct stat sb;
		if (stat(s, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			rc = fs_mkdir_p(t, err);
			if (rc == 0)
				rc = copy_tree(s, t, files, bytes, err);
		} else if (S_ISREG(sb.st_mode) && !fs_exists(t)) {
			struct fs_map m;
			rc = fs_map_open(s, &m, err);
			if (rc == 0) {
				rc = fs_write_atomic(t, m.data, m.len, err);
				if (rc == 0) {
					(*files)++;
					*bytes += (int64_t)m.len;
				}
				fs_map_close(&m);
			}
		}
		free(s);
		free(t);
	}
	closedir(d);
	return rc;
}

int ws_copy(struct workspace *from, struct workspace *to, json_t **out, struct pm_err *err)
{
	static const char *const kept[] = {"datasets", "models", "runs", "pipelines", "designs"};
	for (size_t i = 0; i < PM_ARRAY_LEN(kept); i++)
		if (count_rows(to, kept[i]) > 0)
			return pm_errf(err, "the target workspace %s already holds %s: copy into an empty one",
				       to->dir, kept[i]);
	char **tables = source_tables(from, err);
	if (!tables)
		return -1;
	json_t *counts = json_object();
	int rc = ws_begin(to, err);
	int64_t total = 0;
	for (size_t i = 0; rc == 0 && tables[i]; i++) {
		int64_t n;
		rc = copy_table(from, to, tables[i], &n, err);
		if (rc == 0 && n) {
			json_object_set_new(counts, tables[i], json_integer((json_int_t)n));
			total += n;
		}
	}
	if (rc == 0)
		rc = ws_commit(to, err);
	if (rc < 0)
		ws_rollback(to);
	str_list_free(tables);
	int64_t files = 0, bytes = 0;
	if (rc == 0 && strcmp(from->artifacts, to->artifacts) != 0)
		rc = copy_tree(from->artifacts, to->artifacts, &files, &bytes, err);
	if (rc < 0) {
		json_decref(counts);
		return -1;
	}
	*out = json_pack("{s:o,s:I,s:I,s:I}", "tables", counts, "rows", (json_int_t)total, "artifacts_copied",
			 (json_int_t)files, "artifact_bytes", (json_int_t)bytes);
	return 0;
}
