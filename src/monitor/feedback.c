/* Ground truth that arrives after the predictions: labels joined to the
 * logged rows by a key, kept in the feedback table, and the live quality
 * they give per window and version, measured with the model engine's
 * metrics and held against each version's evaluation. */
#include "model/model.h"
#include "monitor/internal.h"
#include "registry/registry.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the join ------------------------------------------------------------------- */

/* Columns of the feedback data (but the label) that the logged rows of the
 * model carry, judged from the first requests that logged features. */
static int guess_keys(struct workspace *ws, const char *model, const struct frame *f,
		      const char *label, int64_t since, const char ***out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT features FROM requests WHERE model = ? AND time_us >= ? AND"
		       " features IS NOT NULL ORDER BY time_us, id LIMIT 200",
		       &st, err))
		return -1;
	db_bind_text(st, 1, model, -1, DB_STATIC);
	db_bind_int64(st, 2, since);
	bool *seen = xcalloc(f->ncols ? f->ncols : 1, sizeof *seen);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *a = json_loads((const char *)db_column_text(st, 0), 0, NULL);
		size_t i;
		json_t *row;
		json_array_foreach(a, i, row) for (size_t c = 0; c < f->ncols; c++) if (
			json_is_object(row) && json_object_get(row, f->cols[c].name)) seen[c] = true;
		json_decref(a);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		free(seen);
		return monitor_db_fail(ws, err);
	}
	const char **keys = xcalloc(f->ncols + 1, sizeof *keys);
	size_t n = 0;
	for (size_t c = 0; c < f->ncols; c++)
		if (seen[c] && strcmp(f->cols[c].name, label) != 0)
			keys[n++] = f->cols[c].name;
	free(seen);
	if (!n) {
		free(keys);
		return pm_errcf(err, PM_E_USAGE,
				"monitor feedback: no column of %s but the label appears in the logged "
				"requests of %s; name the key with --key COL",
				f->name, model);
	}
	*out = keys;
	return 0;
}

/* The key of a dataset row (false when a part is missing). */
static bool row_key(const struct frame *f, const int *kc, size_t nk, size_t row, struct sbuf *b)
{
	b->len = 0;
	for (size_t k = 0; k < nk; k++) {
		if (k)
			sbuf_putc(b, '\x1f');
		if (!key_text_column(&f->cols[kc[k]], row, b))
			return false;
	}
	sbuf_putc(b, 0);
	b->len--;
	return true;
}

/* The key of a logged row. */
static bool log_key(json_t *row, const char *const *keys, size_t nk, struct sbuf *b)
{
	b->len = 0;
	for (size_t k = 0; k < nk; k++) {
		if (k)
			sbuf_putc(b, '\x1f');
		if (!json_is_object(row) || !key_text_json(json_object_get(row, keys[k]), b))
			return false;
	}
	sbuf_putc(b, 0);
	b->len--;
	return true;
}

static void key_show(const char *key, struct sbuf *out)
{
	for (const char *p = key; *p; p++)
		sbuf_putc(out, *p == '\x1f' ? ',' : *p);
}

int monitor_feedback_join(struct workspace *ws, const char *model,
			  const struct monitor_feedback_options *o, json_t **out, struct pm_err *err)
{
	const struct frame *f = o->data;
	int lc = frame_col_index(f, o->label);
	if (lc < 0)
		return pm_errcf(err, PM_E_USAGE, "monitor feedback: dataset %s has no label column %s",
				f->name, o->label);
	const struct column *label = &f->cols[lc];
	if (o->regression && !pm_type_numeric(label->type))
		return pm_errcf(err, PM_E_USAGE,
				"monitor feedback: label %s of %s is %s; the model predicts numbers",
				o->label, f->name, pm_type_name(label->type));
	const char **keys = NULL;
	const char *const *kl = o->keys;
	if (!kl) {
		if (guess_keys(ws, model, f, o->label, o->since_us, &keys, err))
			return -1;
		kl = keys;
	}
	size_t nk = 0;
	while (kl[nk])
		nk++;
	int *kc = xmalloc((nk ? nk : 1) * sizeof *kc);
	int rc = -1;
	struct strdict *dict = strdict_new();
	size_t *rowof = xmalloc((f->nrows ? f->nrows : 1) * sizeof *rowof);
	bool *used = xcalloc(f->nrows ? f->nrows : 1, sizeof *used);
	struct sbuf kb = {0}, lb = {0}, lb2 = {0};
	struct db_stmt *sel = NULL, *ins = NULL;
	bool in_tx = false;
	int64_t logged = 0, joined = 0, no_key = 0, unscored = 0, missing_label = 0;
	for (size_t k = 0; k < nk; k++) {
		kc[k] = frame_col_index(f, kl[k]);
		if (kc[k] < 0) {
			pm_errcf(err, PM_E_USAGE, "monitor feedback: dataset %s has no key column %s", f->name,
				 kl[k]);
			goto out;
		}
		if (kc[k] == lc) {
			pm_errcf(err, PM_E_USAGE, "monitor feedback: the key %s is the label", kl[k]);
			goto out;
		}
	}

	/* the labels by key; one key with two labels is ambiguous */
	for (size_t r = 0; r < f->nrows; r++) {
		if (!row_key(f, kc, nk, r, &kb))
			continue;
		const char *lt;
		char buf[64];
		if (!column_present(label, r)) {
			missing_label++;
			continue;
		}
		uint32_t before = dict->n;
		uint32_t code = strdict_intern(dict, kb.s, kb.len);
		if (code == before) {
			rowof[code] = r;
			continue;
		}
		size_t p = rowof[code];
		size_t l1 = model_label_key(label, p, buf, sizeof buf, &lt);
		lb.len = 0;
		sbuf_add(&lb, lt, l1);
		size_t l2 = model_label_key(label, r, buf, sizeof buf, &lt);
		if (l1 != l2 || memcmp(lb.s, lt, l1) != 0) {
			lb2.len = 0;
			key_show(kb.s, &lb2);
			sbuf_putc(&lb2, 0);
			pm_errf(err, "monitor feedback: rows %zu and %zu of %s have the same key (%s) but "
				     "different labels",
				p + 1, r + 1, f->name, lb2.s);
			goto out;
		}
	}

	if (ws_prepare(ws,
		       "SELECT id, time_us, COALESCE(version,0), features, prediction FROM requests"
		       " WHERE model = ? AND time_us >= ? AND features IS NOT NULL ORDER BY time_us, id",
		       &sel, err) ||
	    ws_prepare(ws,
		       "INSERT OR REPLACE INTO feedback (model, request, row, time_us, version, key,"
		       " label, label_text, prediction, dataset, created)"
		       " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
		       &ins, err))
		goto out;
	db_bind_text(sel, 1, model, -1, DB_STATIC);
	db_bind_int64(sel, 2, o->since_us);
	if (ws_begin(ws, err))
		goto out;
	in_tx = true;
	char now[64];
	ts_now_iso(now, sizeof now);
	int src;
	while ((src = db_step(sel)) == DB_ROW) {
		json_t *fa = json_loads((const char *)db_column_text(sel, 3), 0, NULL);
		const char *ptext = (const char *)db_column_text(sel, 4);
		json_t *pa = ptext ? json_loads(ptext, 0, NULL) : NULL;
		size_t i;
		json_t *row;
		int step = DB_DONE;
		json_array_foreach(fa, i, row)
		{
			logged++;
			if (!log_key(row, kl, nk, &kb)) {
				no_key++;
				continue;
			}
			int64_t code = strdict_find(dict, kb.s, kb.len);
			if (code < 0)
				continue;
			size_t r = rowof[code];
			used[r] = true;
			joined++;
			const char *lt;
			char buf[64];
			size_t ll = model_label_key(label, r, buf, sizeof buf, &lt);
			json_t *p = json_is_array(pa) ? json_array_get(pa, i) : NULL;
			char *pt = p && !json_is_null(p) ? json_dumps(p, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
			unscored += pt == NULL;
			db_reset(ins);
			db_clear_bindings(ins);
			db_bind_text(ins, 1, model, -1, DB_STATIC);
			db_bind_int64(ins, 2, db_column_int64(sel, 0));
			db_bind_int64(ins, 3, (int64_t)i);
			db_bind_int64(ins, 4, db_column_int64(sel, 1));
			db_bind_int64(ins, 5, db_column_int64(sel, 2));
			db_bind_text(ins, 6, kb.s, (int)kb.len, DB_STATIC);
			if (pm_type_numeric(label->type) && label->type != PM_BOOL)
				db_bind_double(ins, 7, column_num(label, r));
			db_bind_text(ins, 8, lt, (int)ll, DB_TRANSIENT);
			if (pt)
				db_bind_text(ins, 9, pt, -1, DB_TRANSIENT);
			db_bind_text(ins, 10, f->name, -1, DB_STATIC);
			db_bind_text(ins, 11, now, -1, DB_STATIC);
			step = db_step(ins);
			free(pt);
			if (step != DB_DONE)
				break;
		}
		json_decref(fa);
		json_decref(pa);
		if (step != DB_DONE) {
			monitor_db_fail(ws, err);
			goto out;
		}
	}
	if (src != DB_DONE) {
		monitor_db_fail(ws, err);
		goto out;
	}
	if (ws_commit(ws, err))
		goto out;
	in_tx = false;
	int64_t unmatched = 0;
	for (size_t r = 0; r < f->nrows; r++)
		unmatched += !used[r] && column_present(label, r);
	json_t *kj = json_array();
	for (size_t k = 0; k < nk; k++)
		json_array_append_new(kj, json_string(kl[k]));
	*out = json_pack("{s:s,s:s,s:o,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "model", model, "dataset",
			 f->name, "keys", kj, "label", o->label, "feedback_rows", (json_int_t)f->nrows,
			 "logged_rows", (json_int_t)logged, "joined", (json_int_t)joined, "unmatched",
			 (json_int_t)unmatched, "no_key", (json_int_t)no_key, "missing_label",
			 (json_int_t)missing_label, "unscored", (json_int_t)unscored);
	rc = 0;
out:
	if (in_tx)
		ws_rollback(ws);
	db_finalize(sel);
	db_finalize(ins);
	free(keys);
	free(kc);
	strdict_free(dict);
	free(rowof);
	free(used);
	sbuf_free(&kb), sbuf_free(&lb), sbuf_free(&lb2);
	return rc;
}

/* ---- live quality ------------------------------------------------------------------ */

struct vmodel {
	int64_t version;
	struct model *m;          /* NULL: none could be loaded */
	bool owned;
	json_t *eval;             /* the version's evaluation metrics, or NULL */
};

static struct vmodel *vmodel_get(struct workspace *ws, const char *model,
				 const struct monitor_options *opt, struct vmodel **list, size_t *n,
				 size_t *cap, int64_t version)
{
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i].version == version)
			return &(*list)[i];
	xgrow((void **)list, cap, *n + 1, sizeof **list);
	struct vmodel *vm = &(*list)[(*n)++];
	*vm = (struct vmodel){.version = version};
	struct reg_version v = {0};
	struct pm_err e = {0};
	if (version > 0 && reg_version_get(ws, model, version, &v, &e) == 0) {
		vm->eval = json_incref(v.metrics);
		if (opt->model && version == opt->version) {
			vm->m = (struct model *)opt->model;
		} else if (reg_load_model(ws, &v, &vm->m, &e) == 0) {
			vm->owned = true;
		}
		reg_version_free(&v);
	}
	if (!vm->m)   /* an unknown version: judged with the monitored version's model */
		vm->m = (struct model *)opt->model;
	return vm;
}

struct qrow {
	int64_t t, version;
	double y;
	double *p;         /* nout values */
	int nout;
	const struct model *m;
};

/* Metrics of rows [idx] judged with model m (rows of another shape skipped). */
static json_t *metrics_of(const struct model *m, struct qrow *const *rows, size_t n, size_t *used)
{
	double *y = xmalloc((n ? n : 1) * sizeof *y);
	double *p = xmalloc((n ? n : 1) * (size_t)m->nout * sizeof *p);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i]->nout != m->nout)
			continue;
		y[k] = rows[i]->y;
		memcpy(p + k * (size_t)m->nout, rows[i]->p, (size_t)m->nout * sizeof *p);
		k++;
	}
	json_t *j = k ? model_metrics(m, y, p, k) : json_object();
	free(y);
	free(p);
	*used = k;
	return j;
}

/* The value of one prediction for a model: nout numbers. */
static bool parse_pred(const char *text, const struct model *m, double *out)
{
	json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	bool ok = false;
	if (json_is_number(j) && m->nout == 1) {
		out[0] = json_number_value(j);
		ok = isfinite(out[0]);
	} else if (json_is_number(j) && m->nout == 2 && m->task == TASK_BINARY) {
		/* the served value is P(classes[1]) */
		out[1] = json_number_value(j);
		out[0] = 1 - out[1];
		ok = isfinite(out[1]);
	} else if (json_is_array(j) && json_array_size(j) == (size_t)m->nout) {
		ok = true;
		for (int k = 0; k < m->nout; k++) {
			json_t *x = json_array_get(j, (size_t)k);
			out[k] = json_is_number(x) ? json_number_value(x) : NAN;
			ok &= isfinite(out[k]);
		}
	}
	json_decref(j);
	return ok;
}

int monitor_quality(struct workspace *ws, const char *model, const struct monitor_options *opt,
		    json_t **out, json_t *due, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "SELECT time_us, version, label, label_text, prediction FROM feedback"
		       " WHERE model = ? AND time_us >= ? ORDER BY time_us, request, row",
		       &st, err))
		return -1;
	db_bind_text(st, 1, model, -1, DB_STATIC);
	db_bind_int64(st, 2, opt->since_us);
	struct vmodel *vms = NULL;
	size_t nvm = 0, capvm = 0;
	struct qrow *rows = NULL;
	size_t n = 0, cap = 0;
	int64_t total = 0, unscored = 0, unknown = 0;
	int64_t w = opt->window_us > 0 ? opt->window_us : 3600000000LL;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		total++;
		int64_t v = db_column_int64(st, 1);
		if (v == 0)
			v = opt->version;
		struct vmodel *vm = vmodel_get(ws, model, opt, &vms, &nvm, &capvm, v);
		const struct model *m = vm->m;
		if (!m)
			continue;
		struct qrow q = {.t = db_column_int64(st, 0), .version = v, .nout = m->nout, .m = m};
		if (m->task == TASK_REGRESSION) {
			if (db_column_type(st, 2) == DB_NULL) {
				unknown++;
				continue;
			}
			q.y = db_column_double(st, 2);
		} else {
			const char *lt = (const char *)db_column_text(st, 3);
			int64_t k = ft_vocab_find(&m->classes, lt, (size_t)db_column_bytes(st, 3));
			if (k < 0) {
				unknown++;
				continue;
			}
			q.y = (double)k;
		}
		q.p = xmalloc((size_t)m->nout * sizeof *q.p);
		if (!parse_pred((const char *)db_column_text(st, 4), m, q.p)) {
			free(q.p);
			unscored++;
			continue;
		}
		xgrow((void **)&rows, &cap, n + 1, sizeof *rows);
		rows[n++] = q;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		rc = monitor_db_fail(ws, err);
		goto out;
	}
	rc = 0;
	const struct model *ref = opt->model ? opt->model : nvm ? vms[0].m : NULL;
	json_t *res = json_object();
	json_object_set_new(res, "rows", json_integer((json_int_t)n));
	json_object_set_new(res, "labelled", json_integer((json_int_t)total));
	json_object_set_new(res, "unscored", json_integer((json_int_t)unscored));
	json_object_set_new(res, "unknown_label", json_integer((json_int_t)unknown));
	if (!ref) {
		json_object_set_new(res, "windows", json_array());
		*out = res;
		goto out;
	}
	bool hb;
	const char *metric = model_primary_metric(model_task_name(ref->task), &hb);
	json_object_set_new(res, "metric", json_string(metric));
	json_object_set_new(res, "higher_better", json_boolean(hb));
	struct qrow **pr = xmalloc((n ? n : 1) * sizeof *pr);
	for (size_t i = 0; i < n; i++)
		pr[i] = &rows[i];
	size_t used;
	json_object_set_new(res, "metrics", metrics_of(ref, pr, n, &used));
	json_t *wins = json_array();
	for (size_t i = 0; i < n;) {
		int64_t b = monitor_floor_div(rows[i].t, w);
		size_t j = i;
		while (j < n && monitor_floor_div(rows[j].t, w) == b)
			j++;
		char a[64], e[64];
		ts_format(b * w, a, sizeof a);
		ts_format(b * w + w, e, sizeof e);
		json_t *wj = json_pack("{s:s,s:s,s:I,s:I}", "start", a, "end", e, "start_us",
				       (json_int_t)(b * w), "rows", (json_int_t)(j - i));
		json_object_set_new(wj, "metrics", metrics_of(ref, pr + i, j - i, &used));
		json_t *vl = json_array();
		/* per version, against its own evaluation */
		for (size_t k = 0; k < nvm; k++) {
			size_t c = 0;
			struct qrow **sub = xmalloc((j - i) * sizeof *sub);
			for (size_t r = i; r < j; r++)
				if (rows[r].version == vms[k].version)
					sub[c++] = &rows[r];
			if (!c || !vms[k].m) {
				free(sub);
				continue;
			}
			json_t *mj = metrics_of(vms[k].m, sub, c, &used);
			free(sub);
			json_t *live = json_object_get(mj, metric);
			json_t *ev = json_object_get(vms[k].eval, metric);
			json_t *vj = json_pack("{s:o,s:I,s:o,s:O}", "version",
					       vms[k].version > 0 ? json_integer(vms[k].version) : json_null(),
					       "rows", (json_int_t)c, "metrics", mj, "live",
					       live ? live : json_null());
			if (json_is_number(ev)) {
				double e = json_number_value(ev);
				double limit = hb ? e - fabs(e) * opt->quality_drop : e + fabs(e) * opt->quality_drop;
				bool drop = json_is_number(live) &&
					    (hb ? json_number_value(live) < limit : json_number_value(live) > limit);
				json_object_set_new(vj, "eval", json_real(e));
				json_object_set_new(vj, "limit", json_real(limit));
				json_object_set_new(vj, "drop", json_boolean(drop));
				if (drop && (int64_t)c >= opt->quality_min_rows && due) {
					char t[64];
					ts_format(b * w, t, sizeof t);
					json_array_append_new(
						due, json_pack("{s:s,s:s,s:o,s:f,s:f,s:I,s:s}", "kind", "quality",
							       "feature", metric, "version",
							       vms[k].version > 0 ? json_integer(vms[k].version) : json_null(),
							       "value", json_number_value(live), "threshold", limit,
							       "window_us", (json_int_t)(b * w), "window", t));
				}
			}
			json_array_append_new(vl, vj);
		}
		json_object_set_new(wj, "versions", vl);
		json_array_append_new(wins, wj);
		i = j;
	}
	free(pr);
	json_object_set_new(res, "windows", wins);
	*out = res;
out:
	for (size_t i = 0; i < n; i++)
		free(rows[i].p);
	free(rows);
	for (size_t i = 0; i < nvm; i++) {
		if (vms[i].owned)
			model_free(vms[i].m);
		json_decref(vms[i].eval);
	}
	free(vms);
	return rc;
}
