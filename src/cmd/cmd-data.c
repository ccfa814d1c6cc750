/* Data commands: load, datasets, show, describe, split, export, drop. */
#include "cmd.h"

#include "data/data.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- load ---------------------------------------------------------------------- */
static int parse_types(const char *spec, struct csv_options *o, struct pm_err *err)
{
	size_t n;
	char **items = str_split(spec, ',', &n);
	o->types = xcalloc(n, sizeof *o->types);
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(items[i], '=');
		enum pm_type t;
		if (!eq || eq == items[i] || !pm_type_parse(eq + 1, &t)) {
			pm_errcf(err, PM_E_USAGE,
				 "load: --types expects col=type,.. with types int, float, bool, "
				 "string, timestamp; got \"%s\"",
				 items[i]);
			str_list_free(items);
			return -1;
		}
		o->types[o->ntypes].column = xstrndup(items[i], (size_t)(eq - items[i]));
		o->types[o->ntypes].type = t;
		o->ntypes++;
	}
	str_list_free(items);
	return 0;
}

static void free_options(struct csv_options *o)
{
	for (size_t i = 0; i < o->ntypes; i++)
		free(o->types[i].column);
	free(o->types);
	str_list_free(o->columns);
}

/* The load cache key: the file's content fingerprint h (hash64_parallel
 * of its len bytes) plus every option that changes the result. */
static char *load_cache_key(uint64_t h, size_t len, const struct cmd_call *call)
{
	const char *opts[] = {"--no-header", "--columns", "--types", "--delimiter", "--skip-bad"};
	struct sbuf b = {0};
	for (size_t i = 0; i < PM_ARRAY_LEN(opts); i++) {
		const char *v = call_opt(call, opts[i]);
		sbuf_printf(&b, "%s=%s;", opts[i], v ? v : "\x01");
	}
	char *key = xasprintf("csv1:%016llx:%zu:%016llx", (unsigned long long)h, len,
			      (unsigned long long)hash64(b.s, b.len, 0));
	sbuf_free(&b);
	return key;
}

/* The parse hands over the file's hash before it reads the rows: a file
 * loaded before with the same options is then opened from the cache and
 * the parse stops there (1).  The cache keeps the data, not the rows it
 * rejected: a load that must list them parses again. */
struct load_hook {
	const struct cmd_call *call;
	struct workspace *ws;
	const char *name;
	size_t len;
	char *key;
	char artifact[65];
	struct frame *f; /* opened from the cache */
};

static int load_hashed(void *ctx, uint64_t h, struct pm_err *err)
{
	struct load_hook *k = ctx;
	k->key = load_cache_key(h, k->len, k->call);
	bool cached = false;
	if (call_opt(k->call, "--rejects"))
		return 0;
	if (ws_loadcache_get(k->ws, k->key, k->artifact, &cached, err) < 0)
		return -1;
	if (!cached)
		return 0;
	struct pm_err ignore = {0};
	char *ap = ws_artifact_path(k->ws, k->artifact, &ignore);
	int rc = ap && frame_open(ap, k->name, &k->f, &ignore) == 0;
	/* torn (a power cut before write-back): the parse stores the same
	 * content under the same name again */
	if (!rc && ap && ignore.code == PM_E_DAMAGED)
		unlink(ap);
	free(ap);
	return rc;
}

static int write_rejects(const char *path, const struct csv_report *rep, struct pm_err *err)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "line,reason\n");
	for (size_t i = 0; i < rep->nrejects; i++) {
		sbuf_printf(&b, "%zu,\"", rep->rejects[i].line);
		for (const char *p = rep->rejects[i].reason; *p; p++) {
			if (*p == '"')
				sbuf_putc(&b, '"');
			sbuf_putc(&b, *p);
		}
		sbuf_puts(&b, "\"\n");
	}
	int rc = fs_write_atomic(path, b.s, b.len, err);
	sbuf_free(&b);
	return rc;
}

static int load_sql(struct session *s, struct cmd_call *call, const char *name,
		    struct pm_err *err);

static int exec_load(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *name = call->argv[0];
	/* before reading what may be a big file */
	if (ws_dataset_name_check(name, err) < 0)
		return -1;
	if (call_opt(call, "--sql")) {
		if (call->argc != 1)
			return pm_errcf(err, PM_E_USAGE, "load: give either PATH or --sql, not both");
		return load_sql(s, call, name, err);
	}
	if (call->argc != 2)
		return pm_errcf(err, PM_E_USAGE, "load: missing PATH (or --sql QUERY); usage: load NAME PATH");
	if (call_opt(call, "--db"))
		return pm_errcf(err, PM_E_USAGE, "load: --db goes with --sql");
	const char *path = call->argv[1];
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;

	struct csv_options o = {.threads = session_threads(s), .progress = &s->progress};
	o.no_header = call_flag(call, "--no-header");
	o.skip_bad = call_flag(call, "--skip-bad");
	const char *d = call_opt(call, "--delimiter");
	if (d) {
		if (strcmp(d, "tab") == 0 || strcmp(d, "\\t") == 0)
			o.delim = '\t';
		else if (strlen(d) == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r')
			o.delim = d[0];
		else
			return pm_errcf(err, PM_E_USAGE,
					"load: --delimiter expects one character or \"tab\", got \"%s\"", d);
	}
	if (call_opt(call, "--columns"))
		o.columns = str_split(call_opt(call, "--columns"), ',', NULL);
	if (call_opt(call, "--types") && parse_types(call_opt(call, "--types"), &o, err) < 0) {
		free_options(&o);
		return -1;
	}
	double t0 = now_seconds();
	char *key = NULL;
	/* one mapping for the cache key and the parse */
	struct fs_map m;
	if (fs_map_open(path, &m, err) < 0) {
		free_options(&o);
		return -1;
	}
	struct frame *f = NULL;
	struct csv_report rep = {0};
	struct load_hook hook = {.call = call, .ws = ws, .name = name, .len = m.len};
	o.content_hashed = load_hashed;
	o.hook_ctx = &hook;
	/* parsed straight into the dataset's cache file, which storing the
	 * frame then finishes */
	char *scratch = ws_artifact_tmp(ws);
	o.cache_path = scratch;
	int prc = frame_parse_csv(m.data, m.len, path, name, &o, &f, &rep, err);
	o.cache_path = NULL;
	free(scratch);
	key = hook.key;
	if (prc < 0)
		goto fail;
	bool cached = prc == 1;
	const char *artifact = hook.artifact;
	if (cached)
		f = hook.f;
	/* a key or frame read from a file that shrank meanwhile is not kept */
	if (fs_map_check(&m, path, err) < 0)
		goto fail;
	fs_map_close(&m);
	size_t rows = f->nrows, cols = f->ncols;
	if (session_store_frame(s, f, path, cached ? artifact : NULL, err) < 0) {
		f = NULL;
		goto fail;
	}
	if (!cached) {
		struct ws_dataset rec;
		if (ws_dataset_get(ws, name, &rec, err) < 0 ||
		    ws_loadcache_put(ws, key, rec.artifact, err) < 0) {
			ws_dataset_free(&rec);
			goto fail;
		}
		ws_dataset_free(&rec);
	}
	if (call_opt(call, "--rejects") && write_rejects(call_opt(call, "--rejects"), &rep, err) < 0)
		goto fail;
	double secs = now_seconds() - t0;
	struct ws_dataset rec;
	if (ws_dataset_get(ws, name, &rec, err) < 0)
		goto fail;
	call->result = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:f}", "name", name, "source",
				 path, "rows", (json_int_t)rows, "columns", (json_int_t)cols,
				 "fingerprint", rec.fingerprint, "cached", cached, "seconds", secs);
	ws_dataset_free(&rec);
	if (!cached) {
		json_object_set_new(call->result, "bytes", json_integer((json_int_t)rep.bytes));
		json_object_set_new(call->result, "rejected", json_integer((json_int_t)rep.rejected));
		if (rep.nrejects) {
			json_t *rj = json_array();
			for (size_t i = 0; i < rep.nrejects; i++)
				json_array_append_new(rj, json_pack("{s:I, s:s}", "line",
								    (json_int_t)rep.rejects[i].line,
								    "reason", rep.rejects[i].reason));
			json_object_set_new(call->result, "rejects", rj);
		}
	}
	free(key);
	csv_report_free(&rep);
	free_options(&o);
	return 0;
fail:
	fs_map_close(&m);
	if (f)
		frame_free(f);
	free(key);
	csv_report_free(&rep);
	free_options(&o);
	return -1;
}

static void render_load(struct session *s, const struct cmd_call *call, json_t *r,
			struct sbuf *out)
{
	json_int_t rows = json_integer_value(json_object_get(r, "rows"));
	json_int_t cols = json_integer_value(json_object_get(r, "columns"));
	double secs = json_real_value(json_object_get(r, "seconds"));
	sbuf_printf(out, "%s: %lld rows, %lld columns", json_string_value(json_object_get(r, "name")),
		    (long long)rows, (long long)cols);
	json_t *b = json_object_get(r, "bytes");
	if (json_is_true(json_object_get(r, "cached")))
		sbuf_printf(out, " (unchanged file: from the cache, %.3fs)\n", secs);
	else if (b && secs > 0)
		sbuf_printf(out, " in %.2fs (%.0f MB/s)\n", secs,
			    (double)json_integer_value(b) / 1e6 / secs);
	else
		sbuf_putc(out, '\n');
	json_int_t rej = json_integer_value(json_object_get(r, "rejected"));
	if (rej) {
		sbuf_printf(out, "%lld bad row%s skipped:\n", (long long)rej, rej == 1 ? "" : "s");
		json_t *rj = json_object_get(r, "rejects");
		for (size_t i = 0; i < json_array_size(rj) && i < 10; i++) {
			json_t *x = json_array_get(rj, i);
			sbuf_printf(out, "  line %lld: %s\n",
				    (long long)json_integer_value(json_object_get(x, "line")),
				    json_string_value(json_object_get(x, "reason")));
		}
		if (json_array_size(rj) > 10)
			sbuf_printf(out, "  ... (all of them with --rejects FILE or -o json)\n");
	}
}

/* Every stored dataset becomes a table of that name for the query. */
static int register_datasets(struct session *s, sqlite3 *db, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct ws_dataset *list;
	size_t n;
	if (ws_dataset_list(ws, &list, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct frame *f;
		rc = session_frame(s, list[i].name, &f, err);
		if (rc == 0)
			rc = frame_sql_register(db, f, err);
	}
	for (size_t i = 0; i < n; i++)
		ws_dataset_free(&list[i]);
	free(list);
	return rc;
}

static int load_sql(struct session *s, struct cmd_call *call, const char *name,
		    struct pm_err *err)
{
	const char *sql = call_opt(call, "--sql");
	const char *dbfile = call_opt(call, "--db");
	sqlite3 *db = NULL;
	int rc;
	if (dbfile) {
		if (!fs_exists(dbfile))
			return pm_errf(err, "load: %s: no such file", dbfile);
		rc = sqlite3_open_v2(dbfile, &db, SQLITE_OPEN_READONLY, NULL);
	} else {
		rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL);
	}
	if (rc != SQLITE_OK) {
		pm_errf(err, "load: cannot open %s: %s", dbfile ? dbfile : "SQL engine",
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	double t0 = now_seconds();
	struct frame *f = NULL;
	rc = register_datasets(s, db, err);
	if (rc == 0)
		rc = frame_from_sql(db, sql, name, &f, err);
	sqlite3_close(db);
	if (rc < 0)
		return pm_err_prefix(err, "load %s", name);
	/* the query result replaces a dataset that the query itself read, so
	 * the old mapping may go only after the query is done */
	size_t rows = f->nrows, cols = f->ncols;
	char *source = xasprintf("sql: %s%s%s", sql, dbfile ? " (db " : "", dbfile ? dbfile : "");
	if (dbfile) {
		char *t = xasprintf("%s)", source);
		free(source);
		source = t;
	}
	rc = session_store_frame(s, f, source, NULL, err);
	free(source);
	if (rc < 0)
		return -1;
	struct workspace *ws;
	struct ws_dataset rec;
	if (session_ws(s, &ws, err) < 0 || ws_dataset_get(ws, name, &rec, err) < 0)
		return -1;
	call->result = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:f}", "name", name, "source",
				 rec.source, "rows", (json_int_t)rows, "columns", (json_int_t)cols,
				 "fingerprint", rec.fingerprint, "cached", 0, "seconds",
				 now_seconds() - t0);
	ws_dataset_free(&rec);
	return 0;
}

/* ---- datasets, describe, show ------------------------------------------------------- */
static int exec_datasets(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct ws_dataset *list;
	size_t n;
	if (ws_dataset_list(ws, &list, &n, err) < 0)
		return -1;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "name",
						     list[i].name, "rows", (json_int_t)list[i].rows,
						     "columns", (json_int_t)list[i].cols, "fingerprint",
						     list[i].fingerprint, "source", list[i].source,
						     "created", list[i].created));
		ws_dataset_free(&list[i]);
	}
	free(list);
	call->result = json_pack("{s:o}", "datasets", arr);
	return 0;
}

static void render_datasets(struct session *s, const struct cmd_call *call, json_t *r,
			    struct sbuf *out)
{
	json_t *arr = json_object_get(r, "datasets");
	if (json_array_size(arr) == 0) {
		sbuf_puts(out, "no datasets yet: `load NAME FILE.csv` adds one\n");
		return;
	}
	render_generic(arr, out);
}

static json_t *value_json(const struct column *c, size_t row)
{
	if (!column_present(c, row))
		return json_null();
	char buf[64];
	switch (c->type) {
	case PM_INT: return json_integer(c->v.i64[row]);
	case PM_FLOAT:
		/* JSON has no infinity, and null means missing: "inf", "-inf" */
		if (!isfinite(c->v.f64[row]))
			return json_string(column_text(c, row, buf, sizeof buf));
		return json_real(c->v.f64[row]);
	case PM_BOOL: return json_boolean(c->v.b[row]);
	case PM_STRING:
	case PM_TIMESTAMP: return json_string(column_text(c, row, buf, sizeof buf));
	}
	return json_null();
}

static int exec_describe(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct frame *f;
	struct workspace *ws;
	struct ws_dataset rec;
	if (session_frame(s, call->argv[0], &f, err) < 0 || session_ws(s, &ws, err) < 0 ||
	    ws_dataset_get(ws, call->argv[0], &rec, err) < 0)
		return -1;
	json_t *cols = json_array();
	for (size_t c = 0; c < f->ncols; c++) {
		const struct column *col = &f->cols[c];
		json_t *o = json_pack("{s:s, s:s, s:I}", "name", col->name, "type",
				      pm_type_name(col->type), "missing", (json_int_t)col->nmissing);
		if (col->type == PM_STRING)
			json_object_set_new(o, "unique", json_integer(col->dict ? col->dict->n : 0));
		json_array_append_new(cols, o);
	}
	call->result = json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "name", f->name, "rows",
				 (json_int_t)f->nrows, "fingerprint", rec.fingerprint, "source",
				 rec.source, "created", rec.created, "columns", cols);
	ws_dataset_free(&rec);
	return 0;
}

static int exec_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	long long nrows, offset;
	if (call_opt_int(call, "--rows", 10, &nrows, err) < 0 ||
	    call_opt_int(call, "--offset", 0, &offset, err) < 0)
		return -1;
	if (nrows < 0 || offset < 0)
		return pm_errcf(err, PM_E_USAGE, "show: --rows and --offset must not be negative");
	struct frame *f;
	if (session_frame(s, call->argv[0], &f, err) < 0)
		return -1;
	size_t ncols = 0, *idx = xcalloc(f->ncols + 1, sizeof *idx);
	if (call_opt(call, "--columns")) {
		size_t n;
		char **names = str_split(call_opt(call, "--columns"), ',', &n);
		for (size_t i = 0; i < n; i++) {
			int ci = frame_col_index(f, names[i]);
			if (ci < 0) {
				pm_errf(err, "show: no column \"%s\" in dataset %s", names[i], f->name);
				str_list_free(names);
				free(idx);
				return -1;
			}
			if (ncols < f->ncols)
				idx[ncols++] = (size_t)ci;
		}
		str_list_free(names);
	} else {
		for (size_t c = 0; c < f->ncols; c++)
			idx[ncols++] = c;
	}
	json_t *cols = json_array();
	for (size_t k = 0; k < ncols; k++)
		json_array_append_new(cols, json_pack("{s:s, s:s}", "name", f->cols[idx[k]].name,
						      "type", pm_type_name(f->cols[idx[k]].type)));
	json_t *rows = json_array();
	for (size_t r = (size_t)offset; r < f->nrows && r < (size_t)(offset + nrows); r++) {
		json_t *row = json_array();
		for (size_t k = 0; k < ncols; k++)
			json_array_append_new(row, value_json(&f->cols[idx[k]], r));
		json_array_append_new(rows, row);
	}
	free(idx);
	call->result = json_pack("{s:s, s:I, s:o, s:o}", "name", f->name, "total_rows",
				 (json_int_t)f->nrows, "columns", cols, "rows", rows);
	return 0;
}

/* ---- split ------------------------------------------------------------------------------- */
/* A part further than this from its ratio, in percentage points, is worth
 * a warning: a hash split of a few thousand rows lands within one or two. */
#define SPLIT_OFF_POINTS 5.0

static double split_share(size_t rows, size_t total)
{
	return total ? (double)rows / (double)total : 0.0;
}

/* A split by a column keeps the rows of one value together, so a column
 * with few values (or one value holding many rows) cannot meet the ratios;
 * neither can a few rows split by row.  Says so, with the shares the parts
 * got, instead of letting a 97/3/0 split pass for 80/10/10. */
static int split_warning(const struct frame *f, const char *by, const int *ratios,
			 const size_t *counts, size_t nparts, char **warning, struct pm_err *err)
{
	*warning = NULL;
	double worst = 0;
	struct sbuf got = {0}, asked = {0};
	for (size_t i = 0; i < nparts; i++) {
		double pct = 100.0 * split_share(counts[i], f->nrows);
		if (fabs(pct - ratios[i]) > worst)
			worst = fabs(pct - ratios[i]);
		sbuf_printf(&got, "%s%.1f", i ? "/" : "", pct);
		sbuf_printf(&asked, "%s%d", i ? "/" : "", ratios[i]);
	}
	int rc = 0;
	if (worst > SPLIT_OFF_POINTS && f->nrows) {
		size_t nkeys = 0, largest = 0;
		if (by)
			rc = frame_split_keys(f, by, &nkeys, &largest, err);
		if (rc == 0 && by)
			*warning = xasprintf("the parts got %s%% of the rows, not %s: rows with the "
					     "same %s stay in one part, and %s has %zu values, the "
					     "largest with %.1f%% of the rows",
					     got.s, asked.s, by, by, nkeys,
					     100.0 * split_share(largest, f->nrows));
		else if (rc == 0)
			*warning = xasprintf("the parts got %s%% of the rows, not %s: a hash split "
					     "meets the ratios only on average, and %zu rows are too few",
					     got.s, asked.s, f->nrows);
	}
	sbuf_free(&got);
	sbuf_free(&asked);
	return rc;
}

static int exec_split(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *by = call_opt(call, "--by");
	bool by_row = call_flag(call, "--by-row");
	if (!!by == by_row)
		return pm_errcf(err, PM_E_USAGE, "split: give exactly one of --by COL or --by-row");
	const char *rs = call_opt(call, "--ratios");
	if (!rs)
		rs = "80,10,10";
	size_t nparts;
	char **items = str_split(rs, ',', &nparts);
	int ratios[16];
	if (nparts < 2 || nparts > 16) {
		str_list_free(items);
		return pm_errcf(err, PM_E_USAGE, "split: --ratios needs 2 to 16 parts, got \"%s\"", rs);
	}
	for (size_t i = 0; i < nparts; i++) {
		int64_t v;
		if (!parse_int64(items[i], strlen(items[i]), &v) || v < 0 || v > 100) {
			pm_errcf(err, PM_E_USAGE, "split: --ratios expects percentages like 80,10,10; got \"%s\"", rs);
			str_list_free(items);
			return -1;
		}
		ratios[i] = (int)v;
	}
	str_list_free(items);
	char **names = NULL;
	size_t nnames = 0;
	if (call_opt(call, "--names")) {
		names = str_split(call_opt(call, "--names"), ',', &nnames);
		if (nnames != nparts) {
			str_list_free(names);
			return pm_errcf(err, PM_E_USAGE, "split: --names gives %zu names for %zu parts",
					nnames, nparts);
		}
	}
	static const char *const dflt[] = {"train", "eval", "test"};
	struct frame *f;
	if (session_frame(s, call->argv[0], &f, err) < 0) {
		str_list_free(names);
		return -1;
	}
	size_t *rows[16] = {0}, counts[16] = {0};
	if (frame_split(f, by, ratios, nparts, rows, counts, err) < 0) {
		str_list_free(names);
		return -1;
	}
	char *base = xstrdup(f->name);
	json_t *parts = json_array();
	char *pnames[16];
	int rc = 0;
	for (size_t i = 0; i < nparts; i++) {
		pnames[i] = names ? xasprintf("%s_%s", base, names[i])
			    : nparts <= 3 ? xasprintf("%s_%s", base, dflt[i])
					  : xasprintf("%s_part%zu", base, i + 1);
		/* every name checked before the first part is stored */
		if (rc == 0)
			rc = ws_dataset_name_check(pnames[i], err);
	}
	for (size_t i = 0; i < nparts; i++) {
		char *pname = pnames[i];
		if (rc == 0) {
			/* f stays mapped while parts are stored: storing never replaces base */
			struct frame *part = frame_take(f, pname, rows[i], counts[i]);
			char *source = xasprintf("split of %s (%s%s, ratios %s)", base,
						 by ? "by " : "by-row", by ? by : "", rs);
			rc = session_store_frame(s, part, source, NULL, err);
			free(source);
			if (rc == 0)
				json_array_append_new(
					parts, json_pack("{s:s, s:I, s:f, s:f}", "name", pname, "rows",
							 (json_int_t)counts[i], "fraction",
							 split_share(counts[i], f->nrows), "ratio",
							 ratios[i] / 100.0));
		}
		free(pname);
		free(rows[i]);
	}
	str_list_free(names);
	if (rc < 0) {
		free(base);
		json_decref(parts);
		return -1;
	}
	call->result = json_pack("{s:s, s:s, s:o}", "dataset", base, "by", by ? by : "(row)", "parts",
				 parts);
	free(base);
	char *warning = NULL;
	if (split_warning(f, by, ratios, counts, nparts, &warning, err) < 0)
		return -1;
	if (warning)
		json_object_set_new(call->result, "warning", json_string(warning));
	free(warning);
	return 0;
}

/* The parts got the rows, shown as the result's warning line. */
static void render_split(struct session *s, const struct cmd_call *call, json_t *result,
			 struct sbuf *out)
{
	(void)s;
	(void)call;
	json_t *rest = json_copy(result);
	json_object_del(rest, "warning");
	render_generic(rest, out);
	json_decref(rest);
	const char *w = json_string_value(json_object_get(result, "warning"));
	if (w)
		sbuf_printf(out, "warning: %s\n", w);
}

/* ---- export, drop -------------------------------------------------------------------------- */
static int exec_export(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct frame *f;
	if (session_frame(s, call->argv[0], &f, err) < 0)
		return -1;
	const char *path = call->argv[1];
	char *tmp = fs_tmp_name(path);
	FILE *out = fopen(tmp, "w");
	if (!out) {
		pm_errf(err, "export: cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	int rc = frame_write_csv(f, out, err);
	if (fclose(out) != 0 && rc == 0)
		rc = pm_errf(err, "export: cannot write %s: %s", path, strerror(errno));
	if (rc == 0)
		rc = fs_rename(tmp, path, err);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	if (rc < 0)
		return -1;
	call->result = json_pack("{s:s, s:s, s:I}", "dataset", f->name, "file", path, "rows",
				 (json_int_t)f->nrows);
	return 0;
}

static int exec_drop(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0 || ws_dataset_delete(ws, call->argv[0], err) < 0)
		return -1;
	session_forget_frame(s, call->argv[0]);
	call->result = json_pack("{s:s}", "dropped", call->argv[0]);
	return 0;
}

/* ---- workspace migrate ----------------------------------------------------------------- */
static int exec_workspace_migrate(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *target = call_opt(call, "--to");
	if (!target)
		return pm_errcf(err, PM_E_USAGE,
				"workspace migrate: give --to postgresql://USER@HOST/DB?artifacts=DIR (the "
				"workspace to copy this one into)");
	struct workspace *ws, *to;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	if (ws_open(target, &to, err) < 0)
		return pm_err_prefix(err, "workspace migrate");
	json_t *r;
	int rc = ws_copy(ws, to, &r, err);
	if (rc == 0) {
		json_object_set_new(r, "from", json_string(ws->dir));
		json_object_set_new(r, "to", json_string(target));
		call->result = r;
	} else {
		pm_err_prefix(err, "workspace migrate");
	}
	ws_close(to);
	return rc;
}

static void render_workspace_migrate(struct session *s, const struct cmd_call *call, json_t *r,
				     struct sbuf *out)
{
	(void)s;
	(void)call;
	sbuf_printf(out, "copied %lld rows of %zu tables and %lld artifacts (%lld bytes) into %s\n",
		    (long long)json_integer_value(json_object_get(r, "rows")),
		    json_object_size(json_object_get(r, "tables")),
		    (long long)json_integer_value(json_object_get(r, "artifacts_copied")),
		    (long long)json_integer_value(json_object_get(r, "artifact_bytes")),
		    json_string_value(json_object_get(r, "to")));
}

/* ---- workspace gc ------------------------------------------------------------------------- */
static int exec_workspace_gc(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	bool dry = call_flag(call, "--dry-run");
	struct ws_gc g;
	int rc = ws_gc(ws, dry, &g, err);
	if (rc < 0) {
		ws_gc_free(&g);
		return pm_err_prefix(err, "workspace gc");
	}
	json_t *arts = json_array(), *tmps = json_array();
	for (size_t i = 0; i < g.n; i++)
		json_array_append_new(g.items[i].tmp ? tmps : arts,
				      json_pack("{s:s,s:I}", g.items[i].tmp ? "file" : "artifact",
						g.items[i].name, "bytes", (json_int_t)g.items[i].bytes));
	call->result = json_pack("{s:b,s:o,s:o,s:I,s:I}", "dry_run", dry, "artifacts", arts,
				 "temporary", tmps, "bytes", (json_int_t)g.bytes, "kept_recent",
				 (json_int_t)g.recent);
	ws_gc_free(&g);
	return 0;
}

static void render_workspace_gc(struct session *s, const struct cmd_call *call, json_t *result,
				struct sbuf *out)
{
	(void)s;
	(void)call;
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	json_t *arts = json_object_get(result, "artifacts"), *tmps = json_object_get(result, "temporary");
	size_t i;
	json_t *v;
	json_array_foreach(arts, i, v)
		sbuf_printf(out, "%s artifact %s (%lld bytes)\n", dry ? "would remove" : "removed",
			    json_string_value(json_object_get(v, "artifact")),
			    (long long)json_integer_value(json_object_get(v, "bytes")));
	json_array_foreach(tmps, i, v)
		sbuf_printf(out, "%s temporary file %s (%lld bytes)\n", dry ? "would remove" : "removed",
			    json_string_value(json_object_get(v, "file")),
			    (long long)json_integer_value(json_object_get(v, "bytes")));
	long long bytes = (long long)json_integer_value(json_object_get(result, "bytes"));
	sbuf_printf(out, "%zu artifact%s, %zu temporary file%s: %lld bytes %s\n",
		    json_array_size(arts), json_array_size(arts) == 1 ? "" : "s", json_array_size(tmps),
		    json_array_size(tmps) == 1 ? "" : "s", bytes, dry ? "would be freed" : "freed");
	long long recent = (long long)json_integer_value(json_object_get(result, "kept_recent"));
	if (recent)
		sbuf_printf(out, "kept %lld unreferenced artifact%s written in the last minute (a "
			    "command may be about to refer to it)\n", recent, recent == 1 ? "" : "s");
}

/* ---- workspace query ----------------------------------------------------------------------- */
static int exec_workspace_query(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	if (ws_query(ws, call->argv[0], &call->result, err) < 0)
		return pm_err_prefix(err, "workspace query");
	return 0;
}

/* As `sqlite3 prodml.db "SELECT .."` prints by default: no header, the
 * columns separated by |, NULL as nothing, so that a script reads either. */
static void render_workspace_query(struct session *s, const struct cmd_call *call, json_t *r,
				   struct sbuf *out)
{
	(void)s;
	(void)call;
	size_t i, k;
	json_t *row, *v;
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		json_array_foreach(row, k, v) {
			if (k)
				sbuf_putc(out, '|');
			if (json_is_string(v)) {
				sbuf_puts(out, json_string_value(v));
			} else if (json_is_integer(v)) {
				sbuf_printf(out, "%lld", (long long)json_integer_value(v));
			} else if (json_is_real(v)) {
				char buf[40];
				fmt_double(json_real_value(v), buf, sizeof buf);
				sbuf_puts(out, buf);
			}
		}
		sbuf_putc(out, '\n');
	}
}

/* ---- the table ------------------------------------------------------------------------------- */
static const struct cmd_opt load_opts[] = {
	{"--no-header", 0, NULL, COMPLETE_NONE, NULL,
	 "the file has no header row; names come from --columns (else column_1, column_2, ...)"},
	{"--columns", 0, "a,b,..", COMPLETE_NONE, NULL,
	 "column names, in order (with --no-header), or new names for the header's columns"},
	{"--types", 0, "col=type,..", COMPLETE_NONE, NULL,
	 "override inferred types: int, float, bool, string, timestamp (integers read as a "
	 "timestamp are seconds since 1970)"},
	{"--delimiter", 0, "C", COMPLETE_NONE, NULL,
	 "field separator: one character, or \"tab\" (default: ',' or tab for .tsv/.tab files)"},
	{"--skip-bad", 0, NULL, COMPLETE_NONE, NULL,
	 "skip bad rows (ragged, invalid UTF-8, unconvertible values) and report them instead of "
	 "failing"},
	{"--rejects", 0, "FILE", COMPLETE_FILE, NULL,
	 "with --skip-bad: write the skipped rows' line numbers and reasons to FILE as CSV"},
	{"--sql", 0, "QUERY", COMPLETE_NONE, NULL,
	 "make the dataset from a SQLite SELECT over the loaded datasets (each a table by its name)"},
	{"--db", 0, "FILE", COMPLETE_FILE, NULL,
	 "with --sql: run the query on an external SQLite database file (read-only)"},
	{0}};

static const struct cmd_opt show_opts[] = {
	{"--rows", 'n', "N", COMPLETE_NONE, NULL, "number of rows to print (default 10)"},
	{"--offset", 0, "N", COMPLETE_NONE, NULL, "first row to print, from 0 (default 0)"},
	{"--columns", 0, "a,b,..", COMPLETE_COLUMN, NULL, "only these columns, in this order"},
	{0}};

static const struct cmd_opt split_opts[] = {
	{"--by", 0, "COL", COMPLETE_COLUMN, NULL,
	 "hash the value of COL: rows sharing a value land in the same part"},
	{"--by-row", 0, NULL, COMPLETE_NONE, NULL, "hash each whole row"},
	{"--ratios", 0, "P,P,..", COMPLETE_NONE, NULL,
	 "percentages of the parts, summing to 100 (default 80,10,10)"},
	{"--names", 0, "a,b,..", COMPLETE_NONE, NULL,
	 "suffixes of the parts (default train,eval,test; part1.. beyond three)"},
	{0}};

static const struct cmd_opt no_opts[] = {{0}};

/* what each command reads and writes (pipelines take their data edges from these) */
static const struct cmd_opt migrate_opts[] = {
	{"--to", 0, "WORKSPACE", COMPLETE_NONE, NULL,
	 "the empty workspace to copy into: postgresql://USER@HOST/DB?artifacts=DIR"},
	{0}};

static const struct cmd_opt gc_opts[] = {
	{"--dry-run", 0, NULL, COMPLETE_NONE, NULL, "list what would be removed, remove nothing"},
	{0}};
static const struct cmd_io load_io[] = {
	{"1", IO_DATASET, true},
	{"2", IO_FILE, false},
	{"--db", IO_FILE, false},
	{"--sql", IO_DATASET, false, .sql = true, .unless = "--db"},
	{0}};
static const struct cmd_io reads_dataset_io[] = {{"1", IO_DATASET, false}, {0}};
static const struct cmd_io split_io[] = {
	{"1", IO_DATASET, false},
	{"1", IO_DATASET, true, .suffixes = "_train,_eval,_test", .suffix_opt = "--names"},
	{0}};
static const struct cmd_io export_io[] = {{"1", IO_DATASET, false}, {"2", IO_FILE, true}, {0}};

const struct cmd_entry cmd_group_data[] = {
	{.name = "load", .group = "data", .args = "NAME [PATH]", .min_args = 1, .max_args = 2,
	 .pos_complete = {COMPLETE_DATASET, COMPLETE_FILE}, .opts = load_opts,
	 .summary = "load a CSV/TSV file, or the result of a SQL query, as dataset NAME",
	 .help = "Reads PATH (RFC 4180 CSV; TSV for .tsv/.tab) in parallel and infers each "
		 "column's type over the whole column: int, float, bool, timestamp or string. "
		 "Empty fields and NA, N/A, NaN, nan, null, NULL are missing values. Bad input "
		 "(ragged rows, invalid UTF-8, an unterminated quote) is an error naming the line "
		 "and field, unless --skip-bad. Loading a file whose content was loaded before "
		 "with the same options is near-instant: the columnar cache is reused. The cache "
		 "file is handed to the kernel to write back, as the workspace's SQLite commits "
		 "are (synchronous=NORMAL): it survives a killed prodml at once, and after a power "
		 "cut a cache that had not reached the disk fails its checksum, the error naming "
		 "the load that gives it again; `set sync full` waits until it is on the disk.\n"
		 "With --sql, runs a SQLite SELECT over the stored datasets (each a table of its "
		 "name; timestamps read as 'YYYY-MM-DD HH:MM:SS' text, so strftime works) or, "
		 "with --db, over an external SQLite database, and stores the result. As a "
		 "pipeline step it reads the datasets the query names after FROM and JOIN (not "
		 "its WITH names), which its upstream steps or the workspace must have.",
	 .io = load_io, .exec = exec_load, .render = render_load},
	{.name = "datasets", .group = "data", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "list the datasets in the workspace",
	 .help = "One line per dataset: rows, columns, content fingerprint, where it came from.",
	 .exec = exec_datasets, .render = render_datasets},
	{.name = "show", .group = "data", .args = "NAME", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_DATASET}, .opts = show_opts,
	 .summary = "print rows of a dataset",
	 .help = "Prints --rows rows from --offset. Missing values print as NA (null in JSON); "
		 "infinite floats as inf and -inf (the strings \"inf\" and \"-inf\" in JSON).",
	 .io = reads_dataset_io, .exec = exec_show},
	{.name = "describe", .group = "data", .args = "NAME", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_DATASET}, .opts = no_opts,
	 .summary = "rows, fingerprint and column types of a dataset",
	 .help = "The fingerprint is a hash of the dataset's content (names, types, values): "
		 "equal fingerprints mean equal data.",
	 .io = reads_dataset_io, .exec = exec_describe},
	{.name = "split", .group = "data", .args = "NAME", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_DATASET}, .opts = split_opts,
	 .summary = "split a dataset into train/eval/test parts by a hash",
	 .help = "Assigns each row to a part by a hash of the value of --by COL (all rows with "
		 "one value go to the same part, so related rows never leak between train and "
		 "eval) or of the whole row (--by-row). The same input splits the same way on "
		 "every machine. Makes NAME_train, NAME_eval, NAME_test.\n"
		 "Each part's fraction is the share of the rows it got. A column with few values, "
		 "or one value holding many rows, cannot meet the ratios: when a part is more than "
		 "5 percentage points off its ratio, split says so in a warning (\"warning\" in "
		 "JSON) with the shares the parts got.",
	 .io = split_io, .exec = exec_split, .render = render_split},
	{.name = "export", .group = "data", .args = "NAME FILE", .min_args = 2, .max_args = 2,
	 .pos_complete = {COMPLETE_DATASET, COMPLETE_FILE}, .opts = no_opts,
	 .summary = "write a dataset to a CSV file",
	 .help = "Writes RFC 4180 CSV with a header; missing values are empty fields. The file "
		 "is written under a temporary name and renamed, so it is never half-written.",
	 .io = export_io, .exec = exec_export},
	{.name = "drop", .group = "data", .args = "NAME", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_DATASET}, .opts = no_opts,
	 .summary = "remove a dataset from the workspace",
	 .help = "Forgets the dataset's name; its cached columns stay in artifacts/ for other "
		 "datasets or models that share them, until `workspace gc` finds that nothing "
		 "refers to them.",
	 .exec = exec_drop},
	{.name = "workspace migrate", .group = "data", .args = "", .min_args = 0, .max_args = 0,
	 .opts = migrate_opts,
	 .summary = "copy this workspace into another: a SQLite workspace into PostgreSQL",
	 .help = "Copies every table of this workspace (datasets, schemas, statistics, runs, jobs, "
		 "the registry and its audit, servers, the request log, rollups, alerts, pipelines, "
		 "designs, labs) into the workspace --to names, which must be empty: a PostgreSQL "
		 "database, postgresql://USER@HOST/DB?artifacts=DIR, whose files live in DIR (a "
		 "directory every host mounts; it may be this workspace's own directory). Rows keep "
		 "their ids and all go in one transaction, so a failed copy leaves the target as it "
		 "was; the artifacts DIR lacks are copied there. Logs of jobs and servers stay where "
		 "they were. Afterwards run prodml with -W (or PRODML_WORKSPACE) set to the new "
		 "workspace. JSON: {\"tables\":{NAME: rows},\"rows\",\"artifacts_copied\","
		 "\"artifact_bytes\",\"from\",\"to\"}.",
	 .exec = exec_workspace_migrate, .render = render_workspace_migrate},
	{.name = "workspace gc", .group = "data", .args = "", .min_args = 0, .max_args = 0,
	 .opts = gc_opts,
	 .summary = "reclaim unreferenced artifacts and leftover temporary files",
	 .help = "Removes the files of artifacts/ that nothing in the workspace refers to: no "
		 "dataset, model version, run, cached statistics or pipeline lineage (a dropped "
		 "dataset's columns, for example; the load cache's entries for them go too), and "
		 "the temporary files of processes that are gone (a load or split killed while "
		 "writing). Prints each file and the bytes freed. Artifacts written in the last "
		 "minute are kept: a command may be about to refer to them. Temporary files of "
		 "dead processes are also removed whenever the workspace is opened.",
	 .exec = exec_workspace_gc, .render = render_workspace_gc},
	{.name = "workspace query", .group = "data", .args = "SQL", .min_args = 1, .max_args = 1,
	 .opts = no_opts,
	 .summary = "run a read-only SQL query over the workspace's tables",
	 .help = "Runs one SELECT (or WITH .. SELECT) statement, written in SQLite's dialect, over "
		 "the workspace's database, whichever it is: in SQLite, or in PostgreSQL, where it is "
		 "translated as prodml's own statements are (json_extract, julianday, group_concat, "
		 "x IS y, LIKE, two-argument max and min work on both). It only reads: any other statement is "
		 "refused before it runs, and the database itself refuses a write (SQLite's read-only "
		 "check of the statement; a READ ONLY transaction on PostgreSQL). Prints the rows "
		 "as the sqlite3 shell does by default: no header, columns separated by |, NULL as "
		 "nothing. With -o csv a header row and CSV; with -o json "
		 "{\"columns\":[NAME..],\"rows\":[[VALUE..]..]}, NULL as null. An unknown table is "
		 "\"no table NAME in the workspace\"; other errors carry the database's message.",
	 .exec = exec_workspace_query, .render = render_workspace_query},
	{0}};
