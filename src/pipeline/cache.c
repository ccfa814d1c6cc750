/* Fingerprints of what steps read and write, and the cache key of an
 * execution (Kubeflow's execution caching): the same command over inputs
 * with the same content, by the same prodml, gives the same outputs. */
#include "pipeline.h"
#include "registry/registry.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

void pl_fp_free(struct pl_fp *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].fp);
	}
}

static int schema_fp(struct workspace *ws, const char *name, char **fp, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT text FROM schemas WHERE name = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_TRANSIENT);
	if (db_step(st) == DB_ROW) {
		struct sha256 c;
		uint8_t d[32];
		char hex[65];
		sha256_init(&c);
		sha256_update(&c, db_column_text(st, 0), (size_t)db_column_bytes(st, 0));
		sha256_final(&c, d);
		sha256_hex(d, hex);
		*fp = xstrdup(hex);
	}
	db_finalize(st);
	return 0;
}

int pipeline_fingerprint(struct workspace *ws, const struct pl_io *io, struct pl_fp *out,
			 struct pm_err *err)
{
	*out = (struct pl_fp){.kind = io->kind};
	switch (io->kind) {
	case PL_DATASET: {
		struct ws_dataset d;
		if (ws_dataset_get(ws, io->name, &d, err) == 0) {
			out->fp = xstrdup(d.fingerprint);
			ws_dataset_free(&d);
		} else if (err->code != PM_E_NOTFOUND) {
			return -1;
		}
		break;
	}
	case PL_MODEL: {
		struct reg_version v;
		if (reg_resolve(ws, io->name, &v, err) == 0) {
			out->name = xasprintf("%s:%lld", v.model, (long long)v.version);
			out->fp = xstrdup(v.artifact);
			reg_version_free(&v);
		} else if (err->code != PM_E_NOTFOUND) {
			return -1;
		}
		break;
	}
	case PL_SCHEMA:
		if (schema_fp(ws, io->name, &out->fp, err) < 0)
			return -1;
		break;
	case PL_FILE:
		if (fs_exists(io->name)) {
			char hex[65];
			if (sha256_file(io->name, hex, err) < 0)
				return -1;
			out->fp = xstrdup(hex);
		}
		break;
	}
	if (!out->name)
		out->name = xstrdup(io->name);
	pm_err_clear(err);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pipeline_cache_key(const char *command, const char *version, const struct pl_fp *in,
			size_t n, char key[65])
{
	struct sha256 c;
	sha256_init(&c);
	/* NUL-terminated parts: no two different lists hash the same bytes */
	sha256_update(&c, "prodml step cache 1", 20);
	sha256_update(&c, version, strlen(version) + 1);
	sha256_update(&c, command, strlen(command) + 1);
	char **lines = xcalloc(n + 1, sizeof *lines);
	for (size_t i = 0; i < n; i++)
		lines[i] = xasprintf("%s\t%s\t%s\n", pl_kind_name(in[i].kind), in[i].name,
				     in[i].fp ? in[i].fp : "-");
	qsort(lines, n, sizeof *lines, cmp_str);
	for (size_t i = 0; i < n; i++) {
		sha256_update(&c, lines[i], strlen(lines[i]));
		free(lines[i]);
	}
	free(lines);
	uint8_t d[32];
	sha256_final(&c, d);
	sha256_hex(d, key);
}
