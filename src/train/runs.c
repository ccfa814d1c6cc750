/* Runs and jobs as the lists and views of the TUI read them: the runs
 * newest first, one run with its epochs, the number of jobs at work. */
#include "train.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double num_at(struct db_stmt *st, int c)
{
	return db_column_type(st, c) == DB_NULL ? NAN : db_column_double(st, c);
}

void run_briefs_free(struct run_brief *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].model);
		free(r[i].state);
		free(r[i].data);
		free(r[i].created);
	}
	free(r);
}

int run_briefs(struct workspace *ws, struct run_brief **out, size_t *n, struct pm_err *err)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT id, model, state, epochs_done, json_extract(config, '$.epochs'), data,"
		       " version, created,"
		       " (SELECT max(j.id) FROM jobs j WHERE j.run = runs.id)"
		       " FROM runs ORDER BY id DESC",
		       &st, err) < 0)
		return -1;
	struct run_brief *rows = NULL;
	size_t k = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)&rows, &cap, k + 1, sizeof *rows);
		struct run_brief *w = &rows[k++];
		w->id = db_column_int64(st, 0);
		w->model = ws_col_text(st, 1, "");
		w->state = ws_col_text(st, 2, "");
		w->epochs_done = db_column_int64(st, 3);
		w->epochs = db_column_int64(st, 4);
		w->data = ws_col_text(st, 5, "");
		w->version = db_column_int64(st, 6);
		w->created = ws_col_text(st, 7, "");
		w->job = db_column_int64(st, 8);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		run_briefs_free(rows, k);
		return pm_errf(err, "reading the runs: %s", ws_errmsg(ws));
	}
	*out = rows;
	*n = k;
	return 0;
}

void run_detail_free(struct run_detail *r)
{
	free(r->model);
	free(r->state);
	free(r->data);
	free(r->label);
	free(r->type);
	free(r->metric);
	free(r->message);
	free(r->ep);
	free(r->w);
	memset(r, 0, sizeof *r);
}

json_t *run_workers_read(struct workspace *ws, int64_t run)
{
	char *path = xasprintf("%s/runs/%lld/workers.json", ws->dir, (long long)run);
	/* written by rename: a reader sees one whole version or none */
	json_t *j = json_load_file(path, 0, NULL);
	free(path);
	if (j && !json_is_array(json_object_get(j, "workers"))) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* The workers of the file, into the run's detail. */
static void detail_workers(struct workspace *ws, int64_t run, struct run_detail *r)
{
	json_t *j = run_workers_read(ws, run), *w;
	if (!j)
		return;
	size_t i, n = json_array_size(json_object_get(j, "workers"));
	r->w = xcalloc(n + 1, sizeof *r->w);
	r->w_epoch = json_integer_value(json_object_get(j, "epoch"));
	json_array_foreach(json_object_get(j, "workers"), i, w) {
		struct worker_progress *p = &r->w[r->nw++];
		p->rank = (int)json_integer_value(json_object_get(w, "rank"));
		p->server = !strcmp(json_string_value(json_object_get(w, "role")) ?: "", "server");
		p->rows = json_number_value(json_object_get(w, "rows"));
		p->steps = json_number_value(json_object_get(w, "steps"));
		json_t *l = json_object_get(w, "loss");
		p->loss = json_is_number(l) ? json_number_value(l) : NAN;
	}
	json_decref(j);
}

int run_detail_read(struct workspace *ws, int64_t run, struct run_detail *r, struct pm_err *err)
{
	memset(r, 0, sizeof *r);
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT model, state, data, json_extract(config, '$.label'),"
		       " coalesce(json_extract(config, '$.model'), ''), json_extract(config, '$.epochs'),"
		       " coalesce(version, 0), coalesce(message, ''),"
		       " (SELECT max(j.id) FROM jobs j WHERE j.run = runs.id)"
		       " FROM runs WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, run);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errf(err, "run %lld: no such run", (long long)run);
	}
	r->model = ws_col_text(st, 0, "");
	r->state = ws_col_text(st, 1, "");
	r->data = ws_col_text(st, 2, "");
	r->label = ws_col_text(st, 3, "");
	r->type = ws_col_text(st, 4, "");
	r->epochs = db_column_int64(st, 5);
	r->version = db_column_int64(st, 6);
	r->message = ws_col_text(st, 7, "");
	r->job = db_column_int64(st, 8);
	db_finalize(st);
	if (ws_prepare(ws,
		       "SELECT epoch, train_loss, eval_loss, metric, value, rows, seconds, rows_per_s,"
		       " input_wait_s, compute_s, best FROM run_epochs WHERE run = ? ORDER BY epoch",
		       &st, err) < 0) {
		run_detail_free(r);
		return -1;
	}
	db_bind_int64(st, 1, run);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		xgrow((void **)&r->ep, &cap, r->nep + 1, sizeof *r->ep);
		struct run_epoch *e = &r->ep[r->nep++];
		e->epoch = db_column_int64(st, 0);
		e->train_loss = num_at(st, 1);
		e->eval_loss = num_at(st, 2);
		if (!r->metric && db_column_type(st, 3) != DB_NULL)
			r->metric = ws_col_text(st, 3, "");
		e->value = num_at(st, 4);
		e->rows = db_column_int64(st, 5);
		e->seconds = num_at(st, 6);
		e->rows_per_s = num_at(st, 7);
		e->wait = num_at(st, 8);
		e->compute = num_at(st, 9);
		e->best = db_column_int(st, 10) != 0;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		pm_errf(err, "reading run %lld: %s", (long long)run, ws_errmsg(ws));
		run_detail_free(r);
		return -1;
	}
	detail_workers(ws, run, r);
	return 0;
}

int job_count_active(struct workspace *ws, int64_t *n, struct pm_err *err)
{
	struct db_stmt *st;
	*n = 0;
	if (ws_prepare(ws, "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')", &st,
		       err) < 0)
		return -1;
	if (db_step(st) == DB_ROW)
		*n = db_column_int64(st, 0);
	db_finalize(st);
	return 0;
}
