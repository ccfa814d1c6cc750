/* Reclaiming artifacts/: temporary files that killed processes left, and
 * artifacts that no row of the database refers to any more (a dropped
 * dataset's columns, a deleted model's file). */
#include "workspace.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Every column that may hold an artifact id.  Dataset fingerprints are
 * their artifact's id, so runs, versions, cached statistics and pipeline
 * lineage keep the data they were made from; the load cache is only a
 * cache: its entries go with their artifacts. */
static const char *const refs_sql =
	"SELECT artifact FROM datasets UNION SELECT fingerprint FROM datasets"
	" UNION SELECT artifact FROM versions UNION SELECT train_fingerprint FROM versions"
	" UNION SELECT eval_fingerprint FROM versions UNION SELECT data_fingerprint FROM runs"
	" UNION SELECT eval_fingerprint FROM runs UNION SELECT fingerprint FROM stats"
	" UNION SELECT fingerprint FROM lineage_artifacts";

/* An artifact written this recently may belong to a command that has not
 * yet committed the row that refers to it (ws_artifact_place touches an
 * artifact it reuses for the same reason). */
#define GC_GRACE_S 60

/* tmp-PID-HEX (ws_artifact_tmp) and tmp-PID-HEX.tmp.PID (fs_write_atomic
 * of such a name): the writer's pid, or 0 when name is not one. */
static long tmp_pid(const char *name)
{
	if (strncmp(name, "tmp-", 4) != 0)
		return 0;
	char *end;
	long pid = strtol(name + 4, &end, 10);
	return end > name + 4 && *end == '-' && pid > 0 ? pid : 0;
}

/* Whether a temporary file's writer is gone: its pid runs no process, or
 * one that started after the file was last written (the pid was reused). */
static bool tmp_orphaned(long pid, time_t mtime)
{
	if (pid == (long)getpid())
		return false;
	if (!proc_alive(pid))
		return true;
	int64_t started = proc_start_unix(pid);
	return started > 0 && started > (int64_t)mtime + 1;
}

static void add_item(struct ws_gc *g, const char *name, int64_t bytes, bool tmp)
{
	xgrow((void **)&g->items, &g->cap, g->n + 1, sizeof *g->items);
	g->items[g->n++] = (struct ws_gc_item){.name = xstrdup(name), .bytes = bytes, .tmp = tmp};
	g->bytes += bytes;
}

/* The orphaned temporary files of artifacts/ (removed unless dry). */
static void sweep_tmp(struct workspace *ws, bool dry, struct ws_gc *g)
{
	DIR *d = opendir(ws->artifacts);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		long pid = tmp_pid(e->d_name);
		struct stat st;
		char *p = xasprintf("%s/%s", ws->artifacts, e->d_name);
		if (pid && lstat(p, &st) == 0 && S_ISREG(st.st_mode) && tmp_orphaned(pid, st.st_mtime) &&
		    (dry || unlink(p) == 0 || errno == ENOENT) && g)
			add_item(g, e->d_name, (int64_t)st.st_size, true);
		free(p);
	}
	closedir(d);
}

void ws_sweep_tmp(struct workspace *ws)
{
	sweep_tmp(ws, false, NULL);
}

static bool is_sha(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

struct refs {
	char **id;
	size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool refs_has(const struct refs *r, const char *id)
{
	return bsearch(&id, r->id, r->n, sizeof *r->id, cmp_str) != NULL;
}

static void refs_free(struct refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->id[i]);
	free(r->id);
}

/* The ids rows refer to, sorted. */
static int load_refs(struct workspace *ws, struct refs *r, struct pm_err *err)
{
	memset(r, 0, sizeof *r);
	struct db_stmt *st;
	if (ws_prepare(ws, refs_sql, &st, err) < 0)
		return -1;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *s = (const char *)db_column_text(st, 0);
		if (!s)
			continue;
		xgrow((void **)&r->id, &r->cap, r->n + 1, sizeof *r->id);
		r->id[r->n++] = xstrdup(s);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		refs_free(r);
		return pm_errf(err, "workspace gc: %s", ws_errmsg(ws));
	}
	qsort(r->id, r->n, sizeof *r->id, cmp_str);
	return 0;
}

static int forget_cached(struct workspace *ws, const char *sha, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM load_cache WHERE artifact = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, sha, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? 0 : pm_errf(err, "workspace gc: %s", ws_errmsg(ws));
}

int ws_gc(struct workspace *ws, bool dry, struct ws_gc *g, struct pm_err *err)
{
	memset(g, 0, sizeof *g);
	sweep_tmp(ws, dry, g);
	/* the write lock: no command commits a new reference meanwhile */
	if (ws_begin(ws, err) < 0)
		return -1;
	struct refs refs;
	if (load_refs(ws, &refs, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	time_t now = time(NULL);
	int rc = 0;
	DIR *top = opendir(ws->artifacts);
	struct dirent *e;
	while (rc == 0 && top && (e = readdir(top)) != NULL) {
		if (strlen(e->d_name) != 2 || strspn(e->d_name, "0123456789abcdef") != 2)
			continue;
		char *sub = xasprintf("%s/%s", ws->artifacts, e->d_name);
		DIR *d = opendir(sub);
		struct dirent *f;
		while (rc == 0 && d && (f = readdir(d)) != NULL) {
			struct stat st;
			char *p = xasprintf("%s/%s", sub, f->d_name);
			if (is_sha(f->d_name) && strncmp(f->d_name, e->d_name, 2) == 0 &&
			    lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
			    !refs_has(&refs, f->d_name)) {
				if (now - st.st_mtime < GC_GRACE_S)
					g->recent++;
				else if (dry || forget_cached(ws, f->d_name, err) == 0)
					add_item(g, f->d_name, (int64_t)st.st_size, false);
				else
					rc = -1;
			}
			free(p);
		}
		if (d)
			closedir(d);
		free(sub);
	}
	if (top)
		closedir(top);
	refs_free(&refs);
	if (rc < 0 || dry) {
		ws_rollback(ws);
		return rc;
	}
	/* the rows first: a file whose removal fails is only unreferenced */
	if (ws_commit(ws, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->items[i].tmp)
			continue;
		char *p = xasprintf("%s/%.2s/%s", ws->artifacts, g->items[i].name, g->items[i].name);
		if (unlink(p) < 0 && errno != ENOENT) {
			rc = pm_errf(err, "cannot remove %s: %s", p, strerror(errno));
			free(p);
			break;
		}
		free(p);
	}
	return rc;
}

void ws_gc_free(struct ws_gc *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->items[i].name);
	free(g->items);
	memset(g, 0, sizeof *g);
}
