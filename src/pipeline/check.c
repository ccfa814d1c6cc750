/* Load-time checks of a pipeline's data edges: every dataset, model,
 * schema or file a step reads is written by a step upstream of it, or is
 * already in the workspace (on disk, for a file).  What a command reads
 * and writes comes from the command table, through the hooks. */
#include "pipeline.h"
#include "registry/registry.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

const char *pl_kind_name(enum pl_kind k)
{
	static const char *const names[] = {"dataset", "model", "schema", "file"};
	return names[k];
}

void pl_io_free(struct pl_io *io, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(io[i].name);
	free(io);
}

/* "fare:3" and "fare@production" are versions of model fare. */
static size_t model_len(const char *ref)
{
	return strcspn(ref, ":@");
}

static bool same_thing(const struct pl_io *a, const struct pl_io *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == PL_MODEL)
		return model_len(a->name) == model_len(b->name) &&
		       strncmp(a->name, b->name, model_len(a->name)) == 0;
	return strcmp(a->name, b->name) == 0;
}

/* 1 when the workspace (or the disk) has it, 0 when not, -1 on error. */
static int exists(struct workspace *ws, const struct pl_io *io, struct pm_err *err)
{
	struct pl_fp f;
	if (io->kind == PL_MODEL) {
		/* any version will do: the step may ask for one made later */
		char *m = xstrndup(io->name, model_len(io->name));
		struct pl_io any = {PL_MODEL, m, false};
		int rc = pipeline_fingerprint(ws, &any, &f, err);
		free(m);
		if (rc < 0)
			return -1;
	} else if (pipeline_fingerprint(ws, io, &f, err) < 0) {
		return -1;
	}
	int r = f.fp != NULL;
	pl_fp_free(&f, 1);
	return r;
}

struct step_io {
	struct pl_io *io;
	size_t n;
};

static int check_reads(struct workspace *ws, const struct pipeline *p, size_t i, struct step_io *sio,
		       struct pm_err *err)
{
	const struct pl_step *st = &p->steps[i];
	for (size_t k = 0; k < sio[i].n; k++) {
		const struct pl_io *r = &sio[i].io[k];
		if (r->writes)
			continue;
		const struct pl_step *other = NULL;
		bool upstream = false;
		for (size_t j = 0; j < p->nsteps && !upstream; j++) {
			if (j == i)
				continue;
			for (size_t m = 0; m < sio[j].n; m++)
				if (sio[j].io[m].writes && same_thing(&sio[j].io[m], r)) {
					if (pipeline_upstream(p, j, i))
						upstream = true;
					else
						other = &p->steps[j];
				}
		}
		if (upstream)
			continue;
		if (other)
			return pm_errf(err, "%s:%d: step '%s' reads %s '%s', which step '%s' writes, but '%s' is "
					    "not upstream of it (add `after %s`)",
				       p->file, st->line, st->name, pl_kind_name(r->kind), r->name, other->name,
				       other->name, other->name);
		int e = exists(ws, r, err);
		if (e < 0)
			return -1;
		if (!e)
			return pm_errf(err, "%s:%d: step '%s' reads %s '%s', which no upstream step writes and %s",
				       p->file, st->line, st->name, pl_kind_name(r->kind), r->name,
				       r->kind == PL_FILE ? "which does not exist" : "the workspace does not have");
	}
	return 0;
}

int pipeline_check(struct workspace *ws, const struct pipeline *p, json_t *values,
		   const struct pl_hooks *h, struct pm_err *err)
{
	json_t *v = values ? json_incref(values) : NULL;
	if (!v && pipeline_values(p, NULL, 0, &v, err) < 0)
		return -1;
	struct step_io *sio = xcalloc(p->nsteps, sizeof *sio);
	int rc = 0;
	for (size_t i = 0; i < p->nsteps && rc == 0; i++) {
		const struct pl_step *st = &p->steps[i];
		char *cmd, *where = xasprintf("%s:%d: step '%s'", p->file, st->line, st->name);
		rc = pipeline_subst(st->command, v, NULL, where, &cmd, err);
		if (rc == 0) {
			rc = h->io(h->ctx, cmd, &sio[i].io, &sio[i].n, err);
			if (rc < 0)
				pm_err_prefix(err, "%s", where);
			free(cmd);
		}
		free(where);
	}
	size_t *order = xcalloc(p->nsteps + 1, sizeof *order);
	if (rc == 0)
		rc = pipeline_order(p, order, err);
	for (size_t k = 0; k < p->nsteps && rc == 0; k++)
		rc = check_reads(ws, p, order[k], sio, err);
	for (size_t i = 0; i < p->nsteps; i++)
		pl_io_free(sio[i].io, sio[i].n);
	free(sio);
	free(order);
	json_decref(v);
	return rc;
}
