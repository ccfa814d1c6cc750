/* The registry's life cycle: alias moves with their history, promotion
 * policies and the gate, export and import of a version. */
#include "registry.h"
#include "workspace/workspace.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT_MAGIC "prodml-model-export 1\n"

static void bind_text(struct db_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, -1, DB_TRANSIENT);
	else
		db_bind_null(st, i);
}

static int db_fail(struct workspace *ws, struct pm_err *err, const char *what)
{
	return pm_errf(err, "registry: %s: %s", what, ws_errmsg(ws));
}

int reg_alias_get(struct workspace *ws, const char *model, const char *alias, int64_t *version,
		  struct pm_err *err)
{
	struct db_stmt *st;
	*version = 0;
	if (ws_prepare(ws, "SELECT version FROM aliases WHERE model = ? AND alias = ?", &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	bind_text(st, 2, alias);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*version = db_column_int64(st, 0);
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(ws, err, "cannot read the alias");
	return 0;
}

int reg_alias_move(struct workspace *ws, const char *model, const char *alias, int64_t version,
		   const struct reg_move *mv, int64_t *from, struct pm_err *err)
{
	if (!reg_name_valid(alias))
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a valid alias name", alias);
	/* BEGIN IMMEDIATE: the holder read below cannot change before we write */
	if (ws_begin(ws, err) < 0)
		return -1;
	int64_t cur = 0;
	struct db_stmt *st = NULL;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (reg_alias_get(ws, model, alias, &cur, err) < 0)
		goto fail;
	if (mv && mv->check_from && cur != mv->expect_from) {
		pm_errf(err, "%s@%s moved to version %lld while this command ran; try again", model, alias,
			(long long)cur);
		goto fail;
	}
	if (version > 0) {
		struct reg_version v;
		if (reg_version_get(ws, model, version, &v, err) < 0)
			goto fail;
		reg_version_free(&v);
		if (cur == version) {
			pm_errcf(err, PM_E_USAGE, "%s@%s is already version %lld", model, alias, (long long)version);
			goto fail;
		}
		if (reg_alias_set(ws, model, alias, version, err) < 0)
			goto fail;
	} else {
		if (!cur) {
			pm_errcf(err, PM_E_NOTFOUND, "model '%s' has no alias '%s'", model, alias);
			goto fail;
		}
		if (ws_prepare(ws, "DELETE FROM aliases WHERE model = ? AND alias = ?", &st, err) < 0)
			goto fail;
		bind_text(st, 1, model);
		bind_text(st, 2, alias);
		if (db_step(st) != DB_DONE) {
			db_fail(ws, err, "cannot delete the alias");
			goto fail;
		}
		db_finalize(st);
		st = NULL;
	}
	if (ws_prepare(ws, "INSERT INTO alias_events(model, alias, action, from_version, to_version,"
			   " forced, reason, detail, user, time) VALUES (?,?,?,?,?,?,?,?,?,?)",
		       &st, err) < 0)
		goto fail;
	bind_text(st, 1, model);
	bind_text(st, 2, alias);
	bind_text(st, 3, mv && mv->action ? mv->action : "alias");
	if (cur)
		db_bind_int64(st, 4, cur);
	else
		db_bind_null(st, 4);
	if (version > 0)
		db_bind_int64(st, 5, version);
	else
		db_bind_null(st, 5);
	db_bind_int(st, 6, mv && mv->forced);
	bind_text(st, 7, mv ? mv->reason : NULL);
	char *dj = mv && mv->detail ? json_dumps(mv->detail, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
	bind_text(st, 8, dj);
	free(dj);
	bind_text(st, 9, ws_user());
	bind_text(st, 10, now);
	if (db_step(st) != DB_DONE) {
		db_fail(ws, err, "cannot record the alias move");
		goto fail;
	}
	db_finalize(st);
	st = NULL;
	char *subject = xasprintf("%s@%s", model, alias);
	struct sbuf d = {0};
	sbuf_printf(&d, "%s", mv && mv->action ? mv->action : "alias");
	if (cur)
		sbuf_printf(&d, " from %lld", (long long)cur);
	if (version > 0)
		sbuf_printf(&d, " to %lld", (long long)version);
	else
		sbuf_puts(&d, " deleted");
	if (mv && mv->forced)
		sbuf_puts(&d, " (forced past the gate)");
	if (mv && mv->reason)
		sbuf_printf(&d, ": %s", mv->reason);
	int arc = ws_audit(ws, mv && mv->action ? mv->action : "alias", subject, d.s, err);
	free(subject);
	sbuf_free(&d);
	if (arc < 0 || ws_commit(ws, err) < 0)
		goto fail;
	if (from)
		*from = cur;
	return 0;
fail:
	db_finalize(st);
	ws_rollback(ws);
	return -1;
}

int reg_alias_previous(struct workspace *ws, const char *model, const char *alias,
		       int64_t *version, struct pm_err *err)
{
	/* Replay the history as a stack of holders: a move pushes the holder it
	 * replaced, a rollback pops the one it returned to, so rolling back
	 * twice walks two steps back rather than flipping between two. */
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT action, from_version, to_version FROM alias_events"
			   " WHERE model = ? AND alias = ? ORDER BY id",
		       &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	bind_text(st, 2, alias);
	int64_t *stack = NULL;
	size_t n = 0, cap = 0;
	while (db_step(st) == DB_ROW) {
		const char *action = (const char *)db_column_text(st, 0);
		if (action && !strcmp(action, "rollback")) {
			if (n)
				n--;
			continue;
		}
		if (db_column_type(st, 1) != DB_NULL) {
			xgrow((void **)&stack, &cap, n + 1, sizeof *stack);
			stack[n++] = db_column_int64(st, 1);
		}
	}
	db_finalize(st);
	int64_t cur = 0;
	if (reg_alias_get(ws, model, alias, &cur, err) < 0) {
		free(stack);
		return -1;
	}
	while (n && stack[n - 1] == cur)
		n--;
	*version = n ? stack[n - 1] : 0;
	free(stack);
	if (!*version)
		return pm_errcf(err, PM_E_NOTFOUND, "%s@%s has no previous version to roll back to", model,
				alias);
	return 0;
}

int reg_history(struct workspace *ws, const char *model, const char *alias, json_t **out,
		struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT id, alias, action, from_version, to_version, forced, reason, detail,"
			   " user, time FROM alias_events WHERE model = ?1 AND (?2 IS NULL OR alias = ?2)"
			   " ORDER BY id",
		       &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	bind_text(st, 2, alias);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *e = json_object();
		json_object_set_new(e, "id", json_integer(db_column_int64(st, 0)));
		json_object_set_new(e, "alias", json_string((const char *)db_column_text(st, 1)));
		json_object_set_new(e, "action", json_string((const char *)db_column_text(st, 2)));
		for (int c = 3; c <= 4; c++)
			json_object_set_new(e, c == 3 ? "from" : "to",
					    db_column_type(st, c) == DB_NULL
						    ? json_null()
						    : json_integer(db_column_int64(st, c)));
		json_object_set_new(e, "forced", json_boolean(db_column_int(st, 5)));
		const char *r = (const char *)db_column_text(st, 6);
		json_object_set_new(e, "reason", r ? json_string(r) : json_null());
		const char *d = (const char *)db_column_text(st, 7);
		json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
		json_object_set_new(e, "detail", dj ? dj : json_null());
		json_object_set_new(e, "user", json_string((const char *)db_column_text(st, 8)));
		json_object_set_new(e, "time", json_string((const char *)db_column_text(st, 9)));
		json_array_append_new(arr, e);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(arr);
		return db_fail(ws, err, "cannot read the alias history");
	}
	*out = arr;
	return 0;
}

/* ---- policy -------------------------------------------------------------------- */

static const char *const known_metrics[] = {"rmse", "mae", "r2", "auc", "accuracy", "logloss"};

static bool metric_known(const char *m)
{
	for (size_t i = 0; i < PM_ARRAY_LEN(known_metrics); i++)
		if (!strcmp(m, known_metrics[i]))
			return true;
	return false;
}

char *reg_policy_key(int nwords, char *const *words, struct pm_err *err)
{
	const char *usage = "policy keys: min_improvement, floor METRIC, slice_floor COL=VALUE METRIC";
	if (nwords < 1) {
		pm_errcf(err, PM_E_USAGE, "%s", usage);
		return NULL;
	}
	const char *k = words[0];
	if (!strcmp(k, "min_improvement") && nwords == 1)
		return xstrdup(k);
	const char *metric = NULL;
	if (!strcmp(k, "floor") && nwords == 2)
		metric = words[1];
	else if (!strcmp(k, "slice_floor") && nwords == 3) {
		const char *eq = strchr(words[1], '=');
		if (!eq || eq == words[1]) {
			pm_errcf(err, PM_E_USAGE, "slice_floor: '%s' is not COL=VALUE", words[1]);
			return NULL;
		}
		metric = words[2];
	} else {
		pm_errcf(err, PM_E_USAGE, "%s", usage);
		return NULL;
	}
	if (!metric_known(metric)) {
		pm_errcf(err, PM_E_USAGE, "%s: unknown metric '%s' (rmse, mae, r2, auc, accuracy, logloss)",
			 k, metric);
		return NULL;
	}
	if (nwords == 2)
		return xasprintf("floor %s", metric);
	return xasprintf("slice_floor %s %s", words[1], metric);
}

int reg_policy_set(struct workspace *ws, const char *model, const char *key, double value,
		   struct pm_err *err)
{
	if (!isfinite(value))
		return pm_errcf(err, PM_E_USAGE, "%s: the value must be a finite number", key);
	if (!strcmp(key, "min_improvement") && value < 0)
		return pm_errcf(err, PM_E_USAGE, "min_improvement must be 0 or more");
	struct reg_version v;
	if (reg_version_get(ws, model, 0, &v, err) < 0)
		return -1;
	reg_version_free(&v);
	if (ws_begin(ws, err) < 0)
		return -1;
	struct db_stmt *st;
	char now[40];
	ts_now_iso(now, sizeof now);
	if (ws_prepare(ws, "INSERT INTO model_policies(model, key, value, user, updated) VALUES (?,?,?,?,?)"
			   " ON CONFLICT(model, key) DO UPDATE SET value = excluded.value,"
			   " user = excluded.user, updated = excluded.updated",
		       &st, err) < 0) {
		ws_rollback(ws);
		return -1;
	}
	bind_text(st, 1, model);
	bind_text(st, 2, key);
	db_bind_double(st, 3, value);
	bind_text(st, 4, ws_user());
	bind_text(st, 5, now);
	int rc = db_step(st) == DB_DONE ? 0 : db_fail(ws, err, "cannot set the policy");
	db_finalize(st);
	char *detail = xasprintf("%s = %.17g", key, value);
	if (rc == 0)
		rc = ws_audit(ws, "policy", model, detail, err);
	free(detail);
	if (rc == 0)
		rc = ws_commit(ws, err);
	if (rc < 0)
		ws_rollback(ws);
	return rc;
}

int reg_policy_delete(struct workspace *ws, const char *model, const char *key,
		      struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM model_policies WHERE model = ? AND key = ?", &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	bind_text(st, 2, key);
	int rc = db_step(st) == DB_DONE ? 0 : db_fail(ws, err, "cannot delete the policy");
	db_finalize(st);
	if (rc == 0 && db_changes(ws->db) == 0)
		return pm_errcf(err, PM_E_NOTFOUND, "model '%s' has no policy '%s'", model, key);
	if (rc == 0)
		rc = ws_audit(ws, "policy", model, key, err);
	return rc;
}

int reg_policy_get(struct workspace *ws, const char *model, json_t **out, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT key, value FROM model_policies WHERE model = ? ORDER BY key", &st, err) < 0)
		return -1;
	bind_text(st, 1, model);
	json_t *o = json_object();
	while (db_step(st) == DB_ROW)
		json_object_set_new(o, (const char *)db_column_text(st, 0),
				    json_real(db_column_double(st, 1)));
	db_finalize(st);
	*out = o;
	return 0;
}

/* ---- the gate ------------------------------------------------------------------ */

static bool floor_met(const char *metric, double value, double bound)
{
	return model_metric_higher_better(metric, NULL) ? value >= bound : value <= bound;
}

int reg_gate(struct workspace *ws, const struct reg_version *cand, const struct reg_version *holder,
	     json_t *slice_metrics, json_t **out, struct pm_err *err)
{
	json_t *policy;
	if (reg_policy_get(ws, cand->model, &policy, err) < 0)
		return -1;
	bool hb;
	const char *metric = model_primary_metric(cand->task, &hb);
	if (!metric) {
		json_decref(policy);
		return pm_errf(err, "version %lld: unknown task '%s'", (long long)cand->version,
			       cand->task ? cand->task : "");
	}
	json_t *reasons = json_array(), *checks = json_array();
	json_t *cv = json_object_get(cand->metrics, metric);
	json_t *r = json_pack("{s:s}", "metric", metric);
	json_object_set(r, "candidate", cv ? cv : json_null());
	double minimp = json_number_value(json_object_get(policy, "min_improvement"));
	json_object_set_new(r, "min_improvement", json_real(minimp));
	if (!json_is_number(cv)) {
		json_array_append_new(reasons, json_sprintf("version %lld has no %s metric",
							    (long long)cand->version, metric));
	} else if (holder) {
		json_t *hv = json_object_get(holder->metrics, metric);
		json_object_set(r, "current", hv ? hv : json_null());
		if (json_is_number(hv)) {
			double c = json_number_value(cv), h = json_number_value(hv);
			double imp = hb ? c - h : h - c;
			json_object_set_new(r, "improvement", json_real(imp));
			/* with no threshold the candidate must be at least as good */
			bool ok = imp >= minimp;
			json_array_append_new(checks, json_pack("{s:s,s:b}", "check", "improvement", "passed", ok));
			if (!ok)
				json_array_append_new(reasons,
					json_sprintf("%s %.6g does not beat version %lld's %.6g by %.6g (%s by %.6g)",
						     metric, c, (long long)holder->version, h, minimp,
						     imp >= 0 ? "better" : "worse", fabs(imp)));
		}
	} else
		json_object_set_new(r, "current", json_null());
	const char *key;
	json_t *val;
	json_object_foreach(policy, key, val) {
		double bound = json_number_value(val);
		const char *rel;
		if (!strncmp(key, "floor ", 6)) {
			const char *m = key + 6;
			json_t *x = json_object_get(cand->metrics, m);
			rel = model_metric_higher_better(m, NULL) ? "below" : "above";
			bool ok = json_is_number(x) && floor_met(m, json_number_value(x), bound);
			json_array_append_new(checks, json_pack("{s:s,s:b}", "check", key, "passed", ok));
			if (!json_is_number(x))
				json_array_append_new(reasons, json_sprintf("%s: the version has no %s metric", key, m));
			else if (!ok)
				json_array_append_new(reasons, json_sprintf("%s %.6g is %s the floor %.6g", m,
									    json_number_value(x), rel, bound));
		} else if (!strncmp(key, "slice_floor ", 12)) {
			const char *sl = key + 12, *sp = strrchr(sl, ' ');
			char *slice = xstrndup(sl, (size_t)(sp - sl));
			const char *m = sp + 1;
			json_t *x = json_object_get(json_object_get(slice_metrics, slice), m);
			rel = model_metric_higher_better(m, NULL) ? "below" : "above";
			bool ok = json_is_number(x) && floor_met(m, json_number_value(x), bound);
			json_array_append_new(checks, json_pack("{s:s,s:b}", "check", key, "passed", ok));
			if (!json_is_number(x))
				json_array_append_new(reasons, json_sprintf("slice %s: no %s measured (no rows?)", slice, m));
			else if (!ok)
				json_array_append_new(reasons, json_sprintf("slice %s: %s %.6g is %s the floor %.6g",
									    slice, m, json_number_value(x), rel, bound));
			free(slice);
		}
	}
	json_object_set_new(r, "passed", json_boolean(json_array_size(reasons) == 0));
	json_object_set_new(r, "reasons", reasons);
	json_object_set_new(r, "checks", checks);
	json_object_set_new(r, "policy", policy);
	*out = r;
	return 0;
}

/* ---- export / import ------------------------------------------------------------- */

static json_t *version_record(const struct reg_version *v)
{
	json_t *j = json_object();
	json_object_set_new(j, "model", json_string(v->model));
	json_object_set_new(j, "version", json_integer(v->version));
	json_object_set_new(j, "artifact", json_string(v->artifact));
	json_object_set_new(j, "size", json_integer(v->size));
#define S(f) json_object_set_new(j, #f, v->f ? json_string(v->f) : json_null())
#define J(f) json_object_set(j, #f, v->f ? v->f : json_null())
	S(type); S(task); S(label); S(train_dataset); S(train_fingerprint); S(eval_dataset);
	S(eval_fingerprint); S(description); S(user); S(host); S(prodml_version); S(created);
	J(schema); J(params); J(metrics); J(slice_metrics); J(tags); J(baseline);
#undef S
#undef J
	json_object_set_new(j, "run", v->run ? json_integer(v->run) : json_null());
	json_object_set_new(j, "parent", v->parent ? json_integer(v->parent) : json_null());
	return j;
}

int reg_export(struct workspace *ws, const struct reg_version *v, const char *path,
	       struct pm_err *err)
{
	char *apath = ws_artifact_path(ws, v->artifact, err);
	if (!apath)
		return pm_err_prefix(err, "model %s:%lld", v->model, (long long)v->version);
	char *data = NULL;
	size_t len = 0;
	int rc = ws_artifact_verify(ws, v->artifact, err);
	if (rc == 0)
		rc = fs_read_all(apath, &data, &len, err);
	free(apath);
	if (rc < 0)
		return pm_err_prefix(err, "model %s:%lld", v->model, (long long)v->version);
	json_t *rec = version_record(v);
	char *rj = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(rec);
	size_t rlen = strlen(rj);
	struct sha256 c;
	uint8_t dg[32];
	char hex[65];
	sha256_init(&c);
	sha256_update(&c, rj, rlen);
	sha256_update(&c, data, len);
	sha256_final(&c, dg);
	sha256_hex(dg, hex);
	struct sbuf out = {0};
	sbuf_printf(&out, EXPORT_MAGIC "record %zu\nmodel %zu\nsha256 %s\n\n", rlen, len, hex);
	sbuf_add(&out, rj, rlen);
	sbuf_add(&out, data, len);
	rc = fs_write_atomic(path, out.s, out.len, err);
	sbuf_free(&out);
	free(rj);
	free(data);
	return rc;
}

static bool header_num(const char **p, const char *end, const char *key, size_t *val)
{
	size_t kl = strlen(key);
	if ((size_t)(end - *p) < kl + 2 || memcmp(*p, key, kl) || (*p)[kl] != ' ')
		return false;
	const char *s = *p + kl + 1, *nl = memchr(s, '\n', (size_t)(end - s));
	int64_t v;
	if (!nl || !parse_int64(s, (size_t)(nl - s), &v) || v < 0)
		return false;
	*val = (size_t)v;
	*p = nl + 1;
	return true;
}

/* An export is read whole into memory: past this it is not a model export
 * anyone made (models are megabytes), and reading it would only exhaust
 * memory. */
#define IMPORT_MAX_BYTES ((size_t)2 << 30)
/* The header (magic, two sizes, a checksum line) fits in this many bytes. */
#define IMPORT_HEADER_MAX 256

int reg_import(struct workspace *ws, const char *path, const char *as_model,
	       struct reg_version *out, struct pm_err *err)
{
	/* The file type, the header and the sizes it announces are checked
	 * before the file is read whole: /dev/zero, a FIFO or a huge file
	 * with a damaged header are refused at once. */
	int fd;
	size_t len;
	if (fs_open_regular(path, IMPORT_MAX_BYTES, &fd, &len, err) < 0)
		return -1;
	char head[IMPORT_HEADER_MAX];
	size_t hn = len < sizeof head ? len : sizeof head;
	char *data = NULL;
	size_t rlen = 0, mlen = 0, ml = strlen(EXPORT_MAGIC);
	int rc = -1;
	json_t *rec = NULL;
	if (fs_pread_full(fd, path, head, hn, 0, err) < 0)
		goto out;
	const char *p = head, *end = head + hn;
	if (hn < ml || memcmp(head, EXPORT_MAGIC, ml)) {
		pm_errf(err, "%s: not a prodml model export (see `models export`)", path);
		goto out;
	}
	p += ml;
	/* sizes beyond the file are damage, and must not overflow their sum */
	if (!header_num(&p, end, "record", &rlen) || !header_num(&p, end, "model", &mlen) ||
	    rlen > len || mlen > len || (size_t)(end - p) < 73 || memcmp(p, "sha256 ", 7) || p[71] != '\n' || p[72] != '\n') {
		pm_errf(err, "%s: the export header is damaged", path);
		goto out;
	}
	char want[65];
	memcpy(want, p + 7, 64);
	want[64] = 0;
	p += 73;
	size_t hlen = (size_t)(p - head);
	if (len - hlen != rlen + mlen) {
		pm_errf(err, "%s: truncated or padded: %zu bytes after the header, the header says %zu",
			path, len - hlen, rlen + mlen);
		goto out;
	}
	data = xmalloc(len + 1);
	if (fs_pread_full(fd, path, data, len, 0, err) < 0)
		goto out;
	p = data + hlen;
	struct sha256 c;
	uint8_t dg[32];
	char hex[65];
	sha256_init(&c);
	sha256_update(&c, p, rlen + mlen);
	sha256_final(&c, dg);
	sha256_hex(dg, hex);
	if (strcmp(hex, want)) {
		pm_errf(err, "%s: checksum mismatch: the file is corrupted (sha256 %.12s.., expected %.12s..)",
			path, hex, want);
		goto out;
	}
	json_error_t je;
	rec = json_loadb(p, rlen, 0, &je);
	if (!json_is_object(rec) || !json_is_string(json_object_get(rec, "model"))) {
		pm_errf(err, "%s: the version record is not valid", path);
		goto out;
	}
	/* the model file must load before anything is registered */
	struct model *m = NULL;
	if (model_deserialize(p + rlen, mlen, path, &m, NULL, NULL, NULL, err) < 0)
		goto out;
	model_free(m);
	char sha[65];
	if (ws_artifact_put(ws, p + rlen, mlen, sha, err) < 0)
		goto out;
	struct reg_version v = {0};
#define S(f) v.f = json_string_value(json_object_get(rec, #f)) ? xstrdup(json_string_value(json_object_get(rec, #f))) : NULL
#define J(f) v.f = json_is_null(json_object_get(rec, #f)) ? NULL : json_incref(json_object_get(rec, #f))
	S(type); S(task); S(label); S(train_dataset); S(train_fingerprint); S(eval_dataset);
	S(eval_fingerprint); S(description);
	J(schema); J(params); J(metrics); J(slice_metrics); J(baseline);
#undef S
#undef J
	v.model = xstrdup(as_model ? as_model : json_string_value(json_object_get(rec, "model")));
	v.artifact = xstrdup(sha);
	v.size = (int64_t)mlen;
	/* a run number means nothing in another workspace: keep it in the tags */
	json_t *tags = json_object_get(rec, "tags");
	v.tags = json_is_object(tags) ? json_deep_copy(tags) : json_object();
	json_t *orig = json_object();
	const char *keys[] = {"model", "version", "run", "user", "host", "prodml_version", "created"};
	for (size_t i = 0; i < PM_ARRAY_LEN(keys); i++)
		json_object_set(orig, keys[i], json_object_get(rec, keys[i]) ?: json_null());
	json_object_set_new(orig, "file", json_string(path));
	json_object_set_new(v.tags, "imported_from", orig);
	if (!v.type || !v.task) {
		reg_version_free(&v);
		pm_errf(err, "%s: the version record lacks its type or task", path);
		goto out;
	}
	if (reg_version_add(ws, &v, false, err) < 0) {
		reg_version_free(&v);
		goto out;
	}
	*out = v;
	rc = 0;
out:
	close(fd);
	json_decref(rec);
	free(data);
	return rc;
}
