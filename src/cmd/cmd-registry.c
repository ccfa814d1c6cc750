/* Registry commands: models, models show, alias, promote, rollback,
 * history, policy, lineage, compare, export, import. */
#include "cmd.h"

#include "model/model.h"
#include "registry/registry.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int exec_models(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	char **names;
	size_t n;
	if (reg_models(ws, &names, &n, err) < 0)
		return -1;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct reg_version *vs;
		size_t nv;
		if (reg_versions(ws, names[i], &vs, &nv, err) < 0) {
			str_list_free(names);
			json_decref(arr);
			return -1;
		}
		json_t *o = json_pack("{s:s,s:I}", "name", names[i], "versions", (json_int_t)nv);
		if (nv) {
			struct reg_version *last = &vs[nv - 1];
			json_t *vj = reg_version_json(ws, last, false);
			json_object_set_new(o, "latest", json_integer((json_int_t)last->version));
			json_object_set_new(o, "type", json_string(last->type ? last->type : ""));
			json_object_set_new(o, "task", json_string(last->task ? last->task : ""));
			json_object_set(o, "metrics", json_object_get(vj, "metrics"));
			json_object_set_new(o, "created", json_string(last->created ? last->created : ""));
			json_decref(vj);
		}
		/* every alias of the model, with the version it points at */
		json_t *aliases = json_object();
		for (size_t k = 0; k < nv; k++) {
			char **al;
			if (reg_aliases_of(ws, names[i], vs[k].version, &al, err) == 0) {
				for (char **p = al; *p; p++)
					json_object_set_new(aliases, *p, json_integer((json_int_t)vs[k].version));
				str_list_free(al);
			}
		}
		json_object_set_new(o, "aliases", aliases);
		for (size_t k = 0; k < nv; k++)
			reg_version_free(&vs[k]);
		free(vs);
		json_array_append_new(arr, o);
	}
	str_list_free(names);
	call->result = json_pack("{s:o}", "models", arr);
	return 0;
}

/* "auc 0.8170": the primary metric of an entry with "task" and "metrics",
 * the one the promotion gate compares; empty when it has none. */
static char *headline_metric(json_t *entry)
{
	const char *k = model_primary_metric(json_string_value(json_object_get(entry, "task")), NULL);
	json_t *v = k ? json_object_get(json_object_get(entry, "metrics"), k) : NULL;
	return json_is_number(v) ? xasprintf("%s %.4f", k, json_number_value(v)) : xstrdup("");
}

static void render_models(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *arr = json_object_get(r, "models");
	size_t n = json_array_size(arr);
	if (!n) {
		sbuf_puts(out, "no models yet: `train MODEL --data NAME --label COL` registers one\n");
		return;
	}
	static const char *const hdr[] = {"model", "versions", "latest", "type", "metric", "aliases", "created"};
	static const bool right[] = {false, true, true, false, false, false, false};
	struct table *t = table_new(7, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(arr, i);
		table_str(t, json_string_value(json_object_get(m, "name")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(m, "versions")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(m, "latest")));
		table_str(t, json_string_value(json_object_get(m, "type")));
		table_take(t, headline_metric(m));
		struct sbuf al = {0};
		const char *key;
		json_t *v;
		json_object_foreach(json_object_get(m, "aliases"), key, v)
			sbuf_printf(&al, "%s%s=%lld", al.len ? " " : "", key, (long long)json_integer_value(v));
		table_take(t, sbuf_steal(&al));
		table_str(t, json_string_value(json_object_get(m, "created")));
	}
	table_render(t, out);
}

static int exec_models_show(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *ref = call->argv[0];
	json_t *versions = json_array();
	char *name = NULL;
	if (strchr(ref, ':') || strchr(ref, '@')) {
		struct reg_version v;
		if (reg_resolve(ws, ref, &v, err) < 0) {
			json_decref(versions);
			return -1;
		}
		name = xstrdup(v.model);
		json_array_append_new(versions, reg_version_json(ws, &v, true));
		reg_version_free(&v);
	} else {
		struct reg_version *vs;
		size_t nv;
		if (!reg_name_valid(ref)) {
			json_decref(versions);
			return pm_errcf(err, PM_E_USAGE, "'%s': use MODEL, MODEL:VERSION or MODEL@ALIAS", ref);
		}
		if (reg_versions(ws, ref, &vs, &nv, err) < 0) {
			json_decref(versions);
			return -1;
		}
		for (size_t k = 0; k < nv; k++) {
			json_array_append_new(versions, reg_version_json(ws, &vs[k], false));
			reg_version_free(&vs[k]);
		}
		free(vs);
		name = xstrdup(ref);
	}
	call->result = json_pack("{s:s,s:o}", "name", name, "versions", versions);
	free(name);
	return 0;
}

/* A short fingerprint as the tables print it. */
static const char *fp12(json_t *v, const char *key, char buf[16])
{
	const char *fp = json_string_value(json_object_get(v, key));
	snprintf(buf, 16, "%.12s", fp ? fp : "");
	return buf;
}

/* The options of the run that made a version, the ones set: "epochs 10,
 * batch 64, optimizer adam, ...".  What the detail shows elsewhere (data,
 * label, description) is left out. */
static char *params_line(json_t *params)
{
	static const char *const shown[] = {"model_name", "data", "eval", "label", "features",
					    "description", "slice", "threads", "no_cache"};
	const char *model = json_string_value(json_object_get(params, "model")) ?: "";
	const char *opt = json_string_value(json_object_get(params, "optimizer")) ?: "";
	const char *sched = json_string_value(json_object_get(params, "schedule")) ?: "";
	struct sbuf b = {0};
	const char *key;
	json_t *x;
	json_object_foreach(params, key, x) {
		bool skip = false;
		for (size_t i = 0; i < PM_ARRAY_LEN(shown); i++)
			skip |= !strcmp(key, shown[i]);
		/* settings that do not apply to this model, optimizer or schedule */
		skip |= !strncmp(key, "wide_", 5) && strcmp(model, "wide-deep") != 0;
		skip |= !strcmp(key, "momentum") && strcmp(opt, "sgd") != 0;
		skip |= !strcmp(key, "lr_decay") && strcmp(sched, "exponential") && strcmp(sched, "step");
		skip |= !strcmp(key, "lr_step") && strcmp(sched, "step") != 0;
		if (skip || json_is_null(x) || json_is_false(x) || (json_is_number(x) && json_number_value(x) == 0) ||
		    (json_is_array(x) && !json_array_size(x)) || (json_is_string(x) && !*json_string_value(x)))
			continue;
		sbuf_printf(&b, "%s%s ", b.len ? ", " : "", key);
		if (json_is_string(x)) {
			sbuf_puts(&b, json_string_value(x));
		} else if (json_is_number(x)) {
			render_metric_num(&b, json_number_value(x));
		} else if (json_is_array(x)) {
			size_t i;
			json_t *e;
			json_array_foreach(x, i, e) {
				if (i)
					sbuf_putc(&b, ',');
				if (json_is_number(e))
					render_metric_num(&b, json_number_value(e));
				else
					sbuf_puts(&b, json_string_value(e) ?: "?");
			}
		} else {
			sbuf_puts(&b, "on");
		}
	}
	return sbuf_steal(&b);
}

/* A tag's value as text: a string as it is, anything else (the object
 * models import leaves in imported_from) as compact JSON. */
static char *tag_text(json_t *x)
{
	char *t = json_is_string(x) ? xstrdup(json_string_value(x)) : json_dumps(x, JSON_COMPACT);
	return t ? t : xstrdup("");
}

/* One version in full: where it came from, who made it, its metrics
 * overall and per slice, its hyperparameters and its inputs. */
static void render_version_detail(json_t *v, struct sbuf *out)
{
	char f1[16], f2[16];
	const char *desc = json_string_value(json_object_get(v, "description"));
	if (desc && *desc)
		render_wrap(out, desc, 0, 79);
	sbuf_printf(out, "label %s, trained on %s (%s)", json_string_value(json_object_get(v, "label")) ?: "?",
		    json_string_value(json_object_get(v, "train_dataset")) ?: "?",
		    fp12(v, "train_fingerprint", f1));
	const char *ev = json_string_value(json_object_get(v, "eval_dataset"));
	if (ev)
		sbuf_printf(out, ", evaluated on %s (%s)", ev, fp12(v, "eval_fingerprint", f2));
	sbuf_printf(out, "\nregistered %s by %s", json_string_value(json_object_get(v, "created")) ?: "?",
		    json_string_value(json_object_get(v, "user")) ?: "?");
	const char *host = json_string_value(json_object_get(v, "host"));
	if (host && *host)
		sbuf_printf(out, " on %s", host);
	const char *pv = json_string_value(json_object_get(v, "prodml_version"));
	if (pv)
		sbuf_printf(out, " (prodml %s)", pv);
	json_t *parent = json_object_get(v, "parent");
	if (json_is_integer(parent))
		sbuf_printf(out, "; parent version %lld (production then)", (long long)json_integer_value(parent));
	sbuf_printf(out, "\nartifact %s (%lld bytes)\n", json_string_value(json_object_get(v, "artifact")),
		    (long long)json_integer_value(json_object_get(v, "size")));
	json_t *tags = json_object_get(v, "tags");
	if (json_object_size(tags)) {
		struct sbuf t = {0};
		const char *key;
		json_t *x;
		json_object_foreach(tags, key, x) {
			char *val = tag_text(x);
			sbuf_printf(&t, "%s%s=%s", t.len ? ", " : "tags: ", key, val);
			free(val);
		}
		render_wrap(out, t.s, 0, 79);
		sbuf_free(&t);
	}
	sbuf_puts(out, "metrics:\n");
	render_metrics(json_object_get(v, "metrics"), json_string_value(json_object_get(v, "task")), "  ",
		       out);
	/* the slices kept with the version, as evaluate --slice prints them */
	json_t *sm = json_object_get(v, "slice_metrics");
	if (json_object_size(sm)) {
		json_t *arr = json_array();
		const char *key;
		json_t *x;
		json_object_foreach(sm, key, x) {
			const char *eq = strchr(key, '=');
			char *col = eq ? xstrndup(key, (size_t)(eq - key)) : xstrdup(key);
			json_t *rows = json_object_get(x, "n");
			json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:O}", "slice", col, "value", eq ? eq + 1 : "",
							     "rows", (json_int_t)json_integer_value(rows), "metrics", x));
			free(col);
		}
		render_slices(arr, json_string_value(json_object_get(v, "task")), out);
		json_decref(arr);
	}
	char *pl = params_line(json_object_get(v, "params"));
	if (*pl) {
		sbuf_puts(out, "hyperparameters:\n");
		render_wrap(out, pl, 2, 79);
	}
	free(pl);
	struct sbuf in = {0};
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(json_object_get(v, "schema"), "inputs"), i, x)
		sbuf_printf(&in, "%s%s:%s", i ? " " : "", json_string_value(json_object_get(x, "name")),
			    json_string_value(json_object_get(x, "type")));
	sbuf_puts(out, "inputs:\n");
	render_wrap(out, in.s ? in.s : "", 2, 79);
	sbuf_free(&in);
	json_t *base = json_object_get(v, "baseline");
	if (json_is_object(base))
		sbuf_printf(out, "baseline for monitoring: %lld training rows, %zu feature%s (-o json has them)\n",
			    (long long)json_integer_value(json_object_get(base, "rows")),
			    json_array_size(json_object_get(base, "features")),
			    json_array_size(json_object_get(base, "features")) == 1 ? "" : "s");
	else
		sbuf_puts(out, "baseline for monitoring: none kept (monitor reads the training dataset)\n");
}

static void render_models_show(struct session *s, const struct cmd_call *call, json_t *r,
			       struct sbuf *out)
{
	json_t *vs = json_object_get(r, "versions");
	size_t n = json_array_size(vs);
	bool detail = n == 1 && json_object_get(json_array_get(vs, 0), "schema");
	if (detail)
		sbuf_printf(out, "model %s version %lld\n", json_string_value(json_object_get(r, "name")),
			    (long long)json_integer_value(json_object_get(json_array_get(vs, 0), "version")));
	else
		sbuf_printf(out, "model %s: %zu version%s\n", json_string_value(json_object_get(r, "name")),
			    n, n == 1 ? "" : "s");
	static const char *const hdr[] = {"version", "type", "metric", "aliases", "run", "created"};
	static const bool right[] = {true, false, false, false, true, false};
	struct table *t = table_new(6, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(vs, i);
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(v, "version")));
		table_str(t, json_string_value(json_object_get(v, "type")));
		table_take(t, headline_metric(v));
		struct sbuf al = {0};
		size_t j;
		json_t *a;
		json_array_foreach(json_object_get(v, "aliases"), j, a)
			sbuf_printf(&al, "%s%s", j ? "," : "", json_string_value(a));
		table_take(t, sbuf_steal(&al));
		table_take(t, render_int(json_object_get(v, "run")));
		table_str(t, json_string_value(json_object_get(v, "created")));
	}
	table_render(t, out);
	if (detail)
		render_version_detail(json_array_get(vs, 0), out);
}

/* ---- description and tags ---------------------------------------------------- */

static int exec_models_tag(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	json_t *tags = json_object();
	for (int i = 1; i < call->argc; i++) {
		const char *a = call->argv[i], *eq = strchr(a, '=');
		if (!eq || eq == a) {
			json_decref(tags);
			return pm_errcf(err, PM_E_USAGE, "models tag: '%s' is not KEY=VALUE (KEY= removes KEY)", a);
		}
		char *key = xstrndup(a, (size_t)(eq - a));
		json_object_set_new(tags, key, eq[1] ? json_string(eq + 1) : json_null());
		free(key);
	}
	struct reg_version v;
	if (reg_resolve(ws, call->argv[0], &v, err) < 0) {
		json_decref(tags);
		return -1;
	}
	int rc = reg_version_annotate(ws, v.model, v.version, call_opt(call, "--description"), tags, err);
	json_decref(tags);
	if (rc == 0) {
		struct reg_version now;
		rc = reg_version_get(ws, v.model, v.version, &now, err);
		if (rc == 0) {
			call->result = json_pack("{s:s,s:I,s:s?,s:O?}", "model", now.model, "version",
						 (json_int_t)now.version, "description", now.description,
						 "tags", now.tags);
			reg_version_free(&now);
		}
	}
	reg_version_free(&v);
	return rc;
}

static void render_models_tag(struct session *s, const struct cmd_call *call, json_t *r,
			      struct sbuf *out)
{
	sbuf_printf(out, "%s:%lld\n", json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")));
	const char *d = json_string_value(json_object_get(r, "description"));
	sbuf_puts(out, "description:");
	if (d) {
		sbuf_putc(out, '\n');
		render_wrap(out, d, 2, 79);
	} else {
		sbuf_puts(out, " none\n");
	}
	json_t *tags = json_object_get(r, "tags");
	sbuf_printf(out, "tags:%s\n", json_object_size(tags) ? "" : " none");
	const char *key;
	json_t *x;
	json_object_foreach(tags, key, x) {
		char *val = tag_text(x);
		sbuf_printf(out, "  %s=%s\n", key, val);
		free(val);
	}
}

/* ---- alias moves, promotion, rollback, history ------------------------------ */

/* "M:V" only: commands that change an alias name the version exactly. */
static int resolve_exact(struct workspace *ws, const char *ref, struct reg_version *v,
			 struct pm_err *err)
{
	if (!strchr(ref, ':'))
		return pm_errcf(err, PM_E_USAGE, "'%s': name the version as MODEL:VERSION", ref);
	return reg_resolve(ws, ref, v, err);
}

static json_t *move_result(const char *model, const char *alias, int64_t from, int64_t to)
{
	json_t *r = json_pack("{s:s,s:s}", "model", model, "alias", alias);
	json_object_set_new(r, "from", from ? json_integer(from) : json_null());
	json_object_set_new(r, "to", to ? json_integer(to) : json_null());
	return r;
}

static int exec_models_alias(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *ref = call->argv[0], *alias = call->argv[1];
	struct reg_move mv = {.action = "alias", .reason = call_opt(call, "--reason")};
	int64_t from = 0;
	if (call_flag(call, "--delete")) {
		if (strchr(ref, ':') || strchr(ref, '@') || !reg_name_valid(ref))
			return pm_errcf(err, PM_E_USAGE, "models alias --delete: give MODEL ALIAS");
		mv.action = "delete";
		if (reg_alias_move(ws, ref, alias, 0, &mv, &from, err) < 0)
			return -1;
		call->result = move_result(ref, alias, from, 0);
		return 0;
	}
	struct reg_version v;
	if (resolve_exact(ws, ref, &v, err) < 0)
		return -1;
	int rc = reg_alias_move(ws, v.model, alias, v.version, &mv, &from, err);
	if (rc == 0)
		call->result = move_result(v.model, alias, from, v.version);
	reg_version_free(&v);
	return rc;
}

static void render_move(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *from = json_object_get(r, "from"), *to = json_object_get(r, "to");
	const char *m = json_string_value(json_object_get(r, "model")),
		   *a = json_string_value(json_object_get(r, "alias"));
	json_t *gate = json_object_get(r, "gate");
	if (gate) {
		const char *metric = json_string_value(json_object_get(gate, "metric"));
		json_t *c = json_object_get(gate, "candidate"), *h = json_object_get(gate, "current");
		sbuf_printf(out, "gate: %s %.6g", metric, json_number_value(c));
		if (json_is_number(h))
			sbuf_printf(out, " against %.6g (improvement %.6g, needed %.6g)", json_number_value(h),
				    json_number_value(json_object_get(gate, "improvement")),
				    json_number_value(json_object_get(gate, "min_improvement")));
		else
			sbuf_puts(out, " (no current holder)");
		sbuf_putc(out, '\n');
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(gate, "reasons"), i, x)
			sbuf_printf(out, "  - %s\n", json_string_value(x));
		if (json_is_false(json_object_get(r, "promoted"))) {
			if (json_is_integer(from))
				sbuf_printf(out, "not promoted: %s@%s stays at version %lld\n", m, a,
					    (long long)json_integer_value(from));
			else
				sbuf_printf(out, "not promoted: %s@%s stays unset\n", m, a);
			return;
		}
	}
	if (!json_is_integer(to))
		sbuf_printf(out, "%s@%s deleted (was version %lld)\n", m, a, (long long)json_integer_value(from));
	else if (json_is_integer(from))
		sbuf_printf(out, "%s@%s: version %lld -> %lld%s\n", m, a, (long long)json_integer_value(from),
			    (long long)json_integer_value(to),
			    json_is_true(json_object_get(r, "forced")) ? " (forced past the gate)" : "");
	else
		sbuf_printf(out, "%s@%s: version %lld%s\n", m, a, (long long)json_integer_value(to),
			    json_is_true(json_object_get(r, "forced")) ? " (forced past the gate)" : "");
}

/* The candidate's metrics on each slice named by the policy, measured on
 * `data` (default: the version's eval dataset, else its training data). */
static int policy_slice_metrics(struct session *s, struct workspace *ws, const struct reg_version *v,
				const char *data, json_t **out, struct pm_err *err)
{
	json_t *policy;
	*out = NULL;
	if (reg_policy_get(ws, v->model, &policy, err) < 0)
		return -1;
	const char *key;
	json_t *val;
	struct model *m = NULL;
	struct frame *f = NULL;
	int rc = 0;
	bool given = data != NULL;
	*out = json_object();
	json_object_foreach(policy, key, val) {
		if (strncmp(key, "slice_floor ", 12))
			continue;
		const char *sl = key + 12, *sp = strrchr(sl, ' ');
		char *slice = xstrndup(sl, (size_t)(sp - sl));
		if (json_object_get(*out, slice)) {
			free(slice);
			continue;
		}
		/* without --data, the slices recorded at training (train --slice),
		 * measured on the eval data as it was then */
		json_t *rec = given ? NULL : json_object_get(v->slice_metrics, slice);
		if (rec) {
			json_object_set(*out, slice, rec);
			free(slice);
			continue;
		}
		if (!m) {
			if (!data)
				data = v->eval_dataset ? v->eval_dataset : v->train_dataset;
			if (!data) {
				rc = pm_errf(err, "%s:%lld records no dataset to measure slices on: give --data NAME",
					     v->model, (long long)v->version);
				free(slice);
				break;
			}
			if (reg_load_model(ws, v, &m, err) < 0 || session_frame(s, data, &f, err) < 0) {
				rc = -1;
				free(slice);
				break;
			}
		}
		char *eq = strchr(slice, '=');
		*eq = 0;
		int sc = frame_col_index(f, slice);
		json_t *all = NULL, *by = NULL;
		if (frame_col_index(f, m->label) >= 0 && sc < 0)
			rc = pm_errcf(err, PM_E_USAGE,
				      "dataset '%s' has no column '%s' (a slice of the policy)", f->name,
				      slice);
		else
			rc = reg_measure(m, f, sc, session_threads(s), &all, &by, err);
		*eq = '=';
		if (rc == 0) {
			json_t *mt = json_object_get(by, eq + 1);
			json_object_set_new(*out, slice, mt ? json_incref(mt) : json_object());
		}
		json_decref(all);
		json_decref(by);
		free(slice);
		if (rc < 0)
			break;
	}
	if (rc == 0 && !json_object_size(*out)) {
		json_decref(*out); /* the policy names no slice */
		*out = NULL;
	}
	model_free(m);
	json_decref(policy);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int exec_models_promote(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *alias = call_opt(call, "--to") ?: "production";
	if (!reg_name_valid(alias))
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a valid alias name", alias);
	struct reg_version cand, holder = {0};
	if (resolve_exact(ws, call->argv[0], &cand, err) < 0)
		return -1;
	int64_t cur = 0;
	json_t *slices = NULL, *gate = NULL;
	int rc = -1;
	if (reg_alias_get(ws, cand.model, alias, &cur, err) < 0)
		goto out;
	if (cur == cand.version) {
		pm_errcf(err, PM_E_USAGE, "%s@%s is already version %lld", cand.model, alias, (long long)cur);
		goto out;
	}
	if (cur && reg_version_get(ws, cand.model, cur, &holder, err) < 0)
		goto out;
	if (policy_slice_metrics(s, ws, &cand, call_opt(call, "--data"), &slices, err) < 0 ||
	    reg_gate(ws, &cand, cur ? &holder : NULL, slices, &gate, err) < 0)
		goto out;
	if (slices)
		json_object_set(gate, "slices", slices);
	bool passed = json_is_true(json_object_get(gate, "passed"));
	bool force = call_flag(call, "--force");
	json_t *r = move_result(cand.model, alias, cur, cand.version);
	json_object_set_new(r, "version", json_integer(cand.version));
	json_object_set(r, "gate", gate);
	if (!passed && !force) {
		json_object_set_new(r, "promoted", json_false());
		json_object_set_new(r, "to", cur ? json_integer(cur) : json_null());
		call->result = r;
		size_t nr = json_array_size(json_object_get(gate, "reasons"));
		pm_errf(err, "promotion of %s:%lld to %s refused: %zu check%s failed (--force overrides)",
			cand.model, (long long)cand.version, alias, nr, nr == 1 ? "" : "s");
		goto out;
	}
	struct reg_move mv = {.action = "promote", .forced = !passed, .reason = call_opt(call, "--reason"),
			      .detail = gate, .check_from = true, .expect_from = cur};
	if (reg_alias_move(ws, cand.model, alias, cand.version, &mv, NULL, err) < 0) {
		json_decref(r);
		goto out;
	}
	json_object_set_new(r, "promoted", json_true());
	json_object_set_new(r, "forced", json_boolean(!passed));
	call->result = r;
	rc = 0;
out:
	json_decref(slices);
	json_decref(gate);
	reg_version_free(&cand);
	reg_version_free(&holder);
	return rc;
}

static int exec_models_rollback(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *model = call->argv[0], *alias = call_opt(call, "--alias") ?: "production";
	if (!reg_name_valid(model))
		return pm_errcf(err, PM_E_USAGE, "models rollback: give MODEL (and --alias A)");
	struct reg_version v;
	if (reg_version_get(ws, model, 0, &v, err) < 0)
		return -1;
	reg_version_free(&v);
	int64_t cur = 0, prev = 0, from = 0;
	if (reg_alias_get(ws, model, alias, &cur, err) < 0)
		return -1;
	if (!cur)
		return pm_errcf(err, PM_E_NOTFOUND, "model '%s' has no alias '%s'", model, alias);
	if (reg_alias_previous(ws, model, alias, &prev, err) < 0)
		return -1;
	struct reg_move mv = {.action = "rollback", .reason = call_opt(call, "--reason"),
			      .check_from = true, .expect_from = cur};
	if (reg_alias_move(ws, model, alias, prev, &mv, &from, err) < 0)
		return -1;
	call->result = move_result(model, alias, from, prev);
	return 0;
}

static int exec_models_history(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *model = call->argv[0];
	struct reg_version v;
	if (!reg_name_valid(model))
		return pm_errcf(err, PM_E_USAGE, "models history: give MODEL");
	if (reg_version_get(ws, model, 0, &v, err) < 0)
		return -1;
	reg_version_free(&v);
	json_t *ev;
	if (reg_history(ws, model, call_opt(call, "--alias"), &ev, err) < 0)
		return -1;
	call->result = json_pack("{s:s,s:o}", "model", model, "events", ev);
	return 0;
}

static void render_models_history(struct session *s, const struct cmd_call *call, json_t *r,
				  struct sbuf *out)
{
	json_t *ev = json_object_get(r, "events");
	size_t n = json_array_size(ev);
	if (!n) {
		sbuf_printf(out, "no alias of %s has moved yet\n", json_string_value(json_object_get(r, "model")));
		return;
	}
	static const char *const hdr[] = {"time", "alias", "action", "from", "to", "user", "reason"};
	static const bool right[] = {false, false, false, true, true, false, false};
	struct table *t = table_new(7, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(ev, i);
		table_str(t, json_string_value(json_object_get(e, "time")));
		table_str(t, json_string_value(json_object_get(e, "alias")));
		table_cell(t, "%s%s", json_string_value(json_object_get(e, "action")) ?: "",
			   json_is_true(json_object_get(e, "forced")) ? " (forced)" : "");
		table_take(t, render_int(json_object_get(e, "from")));
		table_take(t, render_int(json_object_get(e, "to")));
		table_str(t, json_string_value(json_object_get(e, "user")));
		table_str(t, json_string_value(json_object_get(e, "reason")));
	}
	table_render(t, out);
}

/* ---- policy ------------------------------------------------------------------- */

static int exec_models_policy(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *model = call->argv[0];
	if (!reg_name_valid(model))
		return pm_errcf(err, PM_E_USAGE, "models policy: give MODEL");
	struct reg_version v;
	if (reg_version_get(ws, model, 0, &v, err) < 0)
		return -1;
	reg_version_free(&v);
	int nk = call->argc - 1;
	if (nk > 0) {
		bool del = call_flag(call, "--delete");
		int nwords = del ? nk : nk - 1;
		char *key = reg_policy_key(nwords, call->argv + 1, err);
		if (!key)
			return -1;
		int rc;
		if (del)
			rc = reg_policy_delete(ws, model, key, err);
		else {
			const char *t = call->argv[nk];
			double x;
			if (!parse_double(t, strlen(t), &x)) {
				pm_errcf(err, PM_E_USAGE, "%s: '%s' is not a number", key, t);
				free(key);
				return -1;
			}
			rc = reg_policy_set(ws, model, key, x, err);
		}
		free(key);
		if (rc < 0)
			return -1;
	} else if (call_flag(call, "--delete"))
		return pm_errcf(err, PM_E_USAGE, "models policy --delete: name the KEY to delete");
	json_t *p;
	if (reg_policy_get(ws, model, &p, err) < 0)
		return -1;
	call->result = json_pack("{s:s,s:o}", "model", model, "policy", p);
	return 0;
}

static void render_models_policy(struct session *s, const struct cmd_call *call, json_t *r,
				 struct sbuf *out)
{
	const char *model = json_string_value(json_object_get(r, "model"));
	json_t *p = json_object_get(r, "policy");
	if (!json_object_size(p)) {
		sbuf_printf(out, "model %s has no promotion policy: a candidate must be at least as good as "
				 "the alias holder\n", model);
		return;
	}
	sbuf_printf(out, "promotion policy of %s:\n", model);
	const char *key;
	json_t *v;
	json_object_foreach(p, key, v)
		sbuf_printf(out, "  %-32s %.6g\n", key, json_number_value(v));
}

/* ---- lineage ------------------------------------------------------------------- */

static int exec_models_lineage(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct reg_version v;
	if (reg_resolve(ws, call->argv[0], &v, err) < 0)
		return -1;
	call->result = reg_lineage(ws, &v);
	reg_version_free(&v);
	return 0;
}

static void render_dataset_node(struct sbuf *out, const char *what, json_t *d)
{
	if (!json_is_object(d))
		return;
	const char *fp = json_string_value(json_object_get(d, "fingerprint"));
	sbuf_printf(out, "%s %s (fingerprint %.12s)%s\n", what, json_string_value(json_object_get(d, "name")),
		    fp ? fp : "?", json_is_true(json_object_get(d, "current")) ? "" : " (the name now holds other data or is gone)");
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(d, "statistics"), i, x) {
		const char *sl = json_string_value(json_object_get(x, "slice"));
		sbuf_printf(out, "  statistics%s%s computed %s\n", *sl ? " by " : "", sl,
			    json_string_value(json_object_get(x, "created")));
	}
}

static void render_models_lineage(struct session *s, const struct cmd_call *call, json_t *r,
				  struct sbuf *out)
{
	render_dataset_node(out, "training data", json_object_get(r, "train_dataset"));
	render_dataset_node(out, "eval data", json_object_get(r, "eval_dataset"));
	json_t *inputs = json_object_get(r, "schema");
	size_t i;
	json_t *x;
	sbuf_puts(out, "schema:");
	json_array_foreach(inputs, i, x)
		sbuf_printf(out, " %s:%s", json_string_value(json_object_get(x, "name")),
			    json_string_value(json_object_get(x, "type")));
	sbuf_putc(out, '\n');
	json_t *run = json_object_get(r, "run");
	if (json_is_object(run)) {
		/* the settings that tell runs apart; -o json has them all */
		static const char *const keys[] = {"data", "eval", "label", "model", "epochs", "optimizer",
						   "lr", "seed"};
		json_t *cfg = json_object_get(run, "config");
		sbuf_printf(out, "run %lld (%s):", (long long)json_integer_value(json_object_get(run, "id")),
			    json_string_value(json_object_get(run, "state")) ?: "?");
		for (size_t k = 0; k < PM_ARRAY_LEN(keys); k++) {
			json_t *c = json_object_get(cfg, keys[k]);
			if (json_is_string(c))
				sbuf_printf(out, " %s=%s", keys[k], json_string_value(c));
			else if (json_is_integer(c))
				sbuf_printf(out, " %s=%lld", keys[k], (long long)json_integer_value(c));
			else if (json_is_real(c) && json_real_value(c) != 0)
				sbuf_printf(out, " %s=%g", keys[k], json_real_value(c));
		}
		sbuf_putc(out, '\n');
	} else
		sbuf_puts(out, "run: none recorded\n");
	json_t *pl = json_object_get(r, "pipeline");
	if (json_is_object(pl))
		sbuf_printf(out, "made by pipeline %s run %lld, step %s (`pipeline run show %lld`)\n",
			    json_string_value(json_object_get(pl, "pipeline")),
			    (long long)json_integer_value(json_object_get(pl, "run")),
			    json_string_value(json_object_get(pl, "step")),
			    (long long)json_integer_value(json_object_get(pl, "run")));
	json_t *imp = json_object_get(r, "imported_from");
	if (json_is_object(imp))
		sbuf_printf(out, "imported from %s (%s:%lld)\n", json_string_value(json_object_get(imp, "file")),
			    json_string_value(json_object_get(imp, "model")),
			    (long long)json_integer_value(json_object_get(imp, "version")));
	sbuf_printf(out, "version %s:%lld", json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")));
	json_array_foreach(json_object_get(r, "aliases"), i, x)
		sbuf_printf(out, "%s%s", i ? "," : " @", json_string_value(x));
	sbuf_printf(out, " artifact %.12s\n", json_string_value(json_object_get(r, "artifact")) ?: "?");
	json_t *sv = json_object_get(r, "servers");
	if (!json_array_size(sv))
		sbuf_puts(out, "served by: none\n");
	json_array_foreach(sv, i, x)
		sbuf_printf(out, "served by server %lld at %s (%s)\n", (long long)json_integer_value(json_object_get(x, "id")),
			    json_string_value(json_object_get(x, "url")) ?: "?",
			    json_string_value(json_object_get(x, "status")) ?: "?");
}

/* ---- compare ------------------------------------------------------------------- */

static json_t *metric_rows(json_t *a, json_t *b)
{
	json_t *rows = json_array();
	const char *key;
	json_t *x;
	json_object_foreach(a, key, x) {
		json_t *y = json_object_get(b, key);
		/* counts and settings are not metrics to compare */
		if (!json_is_number(x) || !json_is_number(y) || !strcmp(key, "rows") || !strcmp(key, "n") ||
		    !strcmp(key, "threshold"))
			continue;
		double d = json_number_value(y) - json_number_value(x);
		const char *better = d == 0 ? "same" : (d > 0) == model_metric_higher_better(key, NULL) ? "b" : "a";
		if (strcmp(key, "rmse") && strcmp(key, "mae") && strcmp(key, "r2") && strcmp(key, "auc") &&
		    strcmp(key, "accuracy") && strcmp(key, "logloss"))
			better = NULL;
		json_array_append_new(rows, json_pack("{s:s,s:f,s:f,s:f,s:s?}", "metric", key, "a",
						      json_number_value(x), "b", json_number_value(y),
						      "difference", d, "better", better));
	}
	return rows;
}

static int exec_models_compare(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct reg_version a, b = {0};
	if (reg_resolve(ws, call->argv[0], &a, err) < 0)
		return -1;
	if (reg_resolve(ws, call->argv[1], &b, err) < 0) {
		reg_version_free(&a);
		return -1;
	}
	const char *data = call_opt(call, "--data"), *slice = call_opt(call, "--slice");
	json_t *r = json_pack("{s:{s:s,s:I,s:I},s:{s:s,s:I,s:I}}", "a", "model", a.model, "version",
			      (json_int_t)a.version, "size", (json_int_t)a.size, "b", "model", b.model,
			      "version", (json_int_t)b.version, "size", (json_int_t)b.size);
	/* a quantized version says so beside its size */
	const char *qa = json_string_value(json_object_get(a.tags, "quantized")),
		   *qb = json_string_value(json_object_get(b.tags, "quantized"));
	json_object_set_new(json_object_get(r, "a"), "weights", json_string(qa ? qa : "float64"));
	json_object_set_new(json_object_get(r, "b"), "weights", json_string(qb ? qb : "float64"));
	json_t *ma = json_incref(a.metrics), *mb = json_incref(b.metrics);
	int rc = -1;
	struct model *xa = NULL, *xb = NULL;
	if (slice && !data) {
		pm_errcf(err, PM_E_USAGE, "--slice needs --data NAME to measure the slices on");
		goto out;
	}
	json_t *slices = json_array();
	json_object_set_new(r, "slices", slices);
	if (data) {
		struct frame *f;
		if (reg_load_model(ws, &a, &xa, err) < 0 || reg_load_model(ws, &b, &xb, err) < 0 ||
		    session_frame(s, data, &f, err) < 0)
			goto out;
		json_decref(ma);
		json_decref(mb);
		ma = mb = NULL;
		/* a missing label is told before a missing slice column */
		int sc = slice ? frame_col_index(f, slice) : -1, th = session_threads(s);
		json_t *sla = NULL, *slb = NULL;
		if (reg_measure(xa, f, sc, th, &ma, sc >= 0 ? &sla : NULL, err) < 0 ||
		    reg_measure(xb, f, sc, th, &mb, sc >= 0 ? &slb : NULL, err) < 0) {
			json_decref(sla);
			goto out;
		}
		json_object_set_new(r, "dataset", json_string(data));
		if (slice) {
			if (sc < 0) {
				pm_errcf(err, PM_E_USAGE, "--slice: dataset '%s' has no column '%s'", data, slice);
				goto out;
			}
			/* slice values in order of first appearance, at most 50 */
			json_t *seen = json_object();
			char buf[64];
			for (size_t i = 0; i < f->nrows && json_object_size(seen) < 50; i++) {
				if (!column_present(&f->cols[sc], i))
					continue;
				const char *t = column_text(&f->cols[sc], i, buf, sizeof buf);
				if (json_object_get(seen, t))
					continue;
				json_object_set_new(seen, t, json_true());
				json_t *sa = json_object_get(sla, t), *sb = json_object_get(slb, t);
				/* a value with no row that a has a label for is left out */
				if (sa)
					json_array_append_new(
						slices, json_pack("{s:s,s:s,s:O,s:o}", "slice", slice, "value",
								  t, "rows", json_object_get(sa, "rows"),
								  "metrics", metric_rows(sa, sb)));
			}
			json_decref(seen);
			json_decref(sla);
			json_decref(slb);
		}
	} else {
		/* per-slice metrics recorded with the versions */
		const char *key;
		json_t *x;
		json_object_foreach(a.slice_metrics, key, x) {
			json_t *y = json_object_get(b.slice_metrics, key);
			if (y)
				json_array_append_new(slices, json_pack("{s:s,s:o}", "value", key, "metrics",
									metric_rows(x, y)));
		}
	}
	json_object_set_new(r, "metrics", metric_rows(ma, mb));
	rc = 0;
out:
	model_free(xa);
	model_free(xb);
	json_decref(ma);
	json_decref(mb);
	reg_version_free(&a);
	reg_version_free(&b);
	if (rc < 0)
		json_decref(r);
	else
		call->result = r;
	return rc;
}

static void render_metric_rows(struct sbuf *out, json_t *rows, const char *la, const char *lb)
{
	size_t n = json_array_size(rows);
	const char *hdr[] = {"metric", la, lb, "difference", "better"};
	static const bool right[] = {false, true, true, true, false};
	struct table *t = table_new(5, hdr, right);
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(rows, i);
		const char *better = json_string_value(json_object_get(x, "better"));
		table_str(t, json_string_value(json_object_get(x, "metric")));
		table_cell(t, "%.6g", json_number_value(json_object_get(x, "a")));
		table_cell(t, "%.6g", json_number_value(json_object_get(x, "b")));
		table_cell(t, "%+.6g", json_number_value(json_object_get(x, "difference")));
		table_str(t, !better ? "" : !strcmp(better, "a") ? la : !strcmp(better, "b") ? lb : "same");
	}
	table_render(t, out);
}

static void render_models_compare(struct session *s, const struct cmd_call *call, json_t *r,
				  struct sbuf *out)
{
	json_t *a = json_object_get(r, "a"), *b = json_object_get(r, "b");
	char *la = xasprintf("%s:%lld", json_string_value(json_object_get(a, "model")),
			     (long long)json_integer_value(json_object_get(a, "version")));
	char *lb = xasprintf("%s:%lld", json_string_value(json_object_get(b, "model")),
			     (long long)json_integer_value(json_object_get(b, "version")));
	const char *data = json_string_value(json_object_get(r, "dataset"));
	if (data)
		sbuf_printf(out, "measured on %s\n", data);
	/* sizes matter beside a quantized version (a float file's size moves
	 * with its metrics' digits, so it is left out between two of them) */
	if (strcmp(json_string_value(json_object_get(a, "weights")), "float64") ||
	    strcmp(json_string_value(json_object_get(b, "weights")), "float64"))
		sbuf_printf(out, "file size: %s %lld bytes (%s), %s %lld bytes (%s)\n", la,
		    (long long)json_integer_value(json_object_get(a, "size")),
		    json_string_value(json_object_get(a, "weights")), lb,
		    (long long)json_integer_value(json_object_get(b, "size")),
		    json_string_value(json_object_get(b, "weights")));
	render_metric_rows(out, json_object_get(r, "metrics"), la, lb);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(r, "slices"), i, x) {
		const char *sl = json_string_value(json_object_get(x, "slice"));
		sbuf_printf(out, "\n%s%s%s (%lld rows)\n", sl ? sl : "", sl ? " = " : "",
			    json_string_value(json_object_get(x, "value")),
			    (long long)json_integer_value(json_object_get(x, "rows")));
		render_metric_rows(out, json_object_get(x, "metrics"), la, lb);
	}
	free(la);
	free(lb);
}

/* ---- export / import ------------------------------------------------------------ */

/* --format onnx: the version's model and transform as one ONNX graph. */
static int export_onnx(struct workspace *ws, const struct reg_version *v, const char *path,
		       json_t **result, struct pm_err *err)
{
	struct model *m;
	if (reg_load_model(ws, v, &m, err) < 0)
		return -1;
	char name[256];
	snprintf(name, sizeof name, "%s:%lld", v->model, (long long)v->version);
	struct model_onnx_info info;
	int rc = model_export_onnx(m, name, path, &info, err);
	if (rc == 0)
		*result = json_pack("{s:s,s:I,s:s,s:s,s:I,s:I,s:i,s:i}", "model", v->model, "version",
					 (json_int_t)v->version, "file", path, "format", "onnx", "bytes",
					 (json_int_t)info.bytes, "nodes", (json_int_t)info.nodes, "opset",
					 info.opset, "ml_opset", info.ml_opset);
	else {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		pm_errf(err, "models export --format onnx: %s", why);
	}
	model_free(m);
	return rc;
}

/* The formats `models export` writes: a small switch, one function each. */
enum export_format { EXPORT_PML, EXPORT_C, EXPORT_ONNX };

static int export_format_parse(const char *s, enum export_format *f, struct pm_err *err)
{
	if (!s || !strcmp(s, "prodml") || !strcmp(s, "pml"))
		*f = EXPORT_PML;
	else if (!strcmp(s, "c"))
		*f = EXPORT_C;
	else if (!strcmp(s, "onnx"))
		*f = EXPORT_ONNX;
	else
		return pm_errcf(err, PM_E_USAGE, "--format: '%s' is not prodml, c or onnx", s);
	return 0;
}

static int export_pml(struct workspace *ws, const struct reg_version *v, const char *path, json_t **result,
		      struct pm_err *err)
{
	if (reg_export(ws, v, path, err) < 0)
		return -1;
	char sha[65];
	if (sha256_file(path, sha, err) < 0)
		return -1;
	*result = json_pack("{s:s,s:I,s:s,s:s}", "model", v->model, "version", (json_int_t)v->version, "file",
			    path, "sha256", sha);
	return 0;
}

static int exec_models_export(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	enum export_format fmt = EXPORT_PML;
	if (export_format_parse(call_opt(call, "--format"), &fmt, err) < 0)
		return -1;
	const char *path = call->argc > 1 ? call->argv[1] : NULL, *out = call_opt(call, "--out");
	if (path && out)
		return pm_errcf(err, PM_E_USAGE, "give FILE or --out, not both");
	if (out)
		path = out;
	if (!path && fmt == EXPORT_PML)
		return pm_errcf(err, PM_E_USAGE, "models export: give FILE (or --out FILE)");
	struct reg_version v;
	if (reg_resolve(ws, call->argv[0], &v, err) < 0)
		return -1;
	int rc = -1;
	switch (fmt) {
	case EXPORT_PML:
		rc = export_pml(ws, &v, path, &call->result, err);
		break;
	case EXPORT_C:
		rc = edge_export_c(s, &v, path, &call->result, err);
		break;
	case EXPORT_ONNX:
		rc = path ? export_onnx(ws, &v, path, &call->result, err)
			  : pm_errcf(err, PM_E_USAGE, "models export --format onnx: give FILE (or --out FILE)");
		break;
	}
	reg_version_free(&v);
	return rc;
}

static int exec_models_import(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	const char *as = call_opt(call, "--as");
	if (as && !reg_name_valid(as))
		return pm_errcf(err, PM_E_USAGE, "'%s' is not a valid model name (letters, digits, '_', '-', '.')", as);
	struct reg_version v;
	if (reg_import(ws, call->argv[0], as, &v, err) < 0)
		return -1;
	json_t *from = json_object_get(v.tags, "imported_from");
	call->result = json_pack("{s:s,s:I,s:s,s:O}", "model", v.model, "version", (json_int_t)v.version,
				 "artifact", v.artifact, "imported_from", from ? from : json_null());
	reg_version_free(&v);
	return 0;
}

static void render_models_export(struct session *s, const struct cmd_call *call, json_t *r,
				 struct sbuf *out)
{
	if (json_object_get(r, "imported_from")) {
		json_t *f = json_object_get(r, "imported_from");
		sbuf_printf(out, "imported %s:%lld as %s:%lld\n", json_string_value(json_object_get(f, "model")),
			    (long long)json_integer_value(json_object_get(f, "version")),
			    json_string_value(json_object_get(r, "model")),
			    (long long)json_integer_value(json_object_get(r, "version")));
		return;
	}
	const char *fmt = json_string_value(json_object_get(r, "format"));
	if (fmt && !strcmp(fmt, "c")) {
		edge_render_export_c(r, out);
		return;
	}
	if (fmt && !strcmp(fmt, "onnx")) {
		sbuf_printf(out, "exported %s:%lld to %s: ONNX (opset %lld, ai.onnx.ml %lld), %lld nodes, %lld bytes\n",
			    json_string_value(json_object_get(r, "model")),
			    (long long)json_integer_value(json_object_get(r, "version")),
			    json_string_value(json_object_get(r, "file")),
			    (long long)json_integer_value(json_object_get(r, "opset")),
			    (long long)json_integer_value(json_object_get(r, "ml_opset")),
			    (long long)json_integer_value(json_object_get(r, "nodes")),
			    (long long)json_integer_value(json_object_get(r, "bytes")));
		return;
	}
	sbuf_printf(out, "exported %s:%lld to %s (sha256 %.12s)\n", json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    json_string_value(json_object_get(r, "file")), json_string_value(json_object_get(r, "sha256")));
}

static const struct cmd_opt no_opts[] = {{0}};
static const struct cmd_opt alias_opts[] = {
	{"--delete", 0, NULL, COMPLETE_NONE, NULL, "remove the alias (give MODEL ALIAS)"},
	{"--reason", 0, "TEXT", COMPLETE_NONE, NULL, "why, kept in the alias history"},
	{0}};
static const struct cmd_opt tag_opts[] = {
	{"--description", 0, "TEXT", COMPLETE_NONE, NULL, "the version's description (\"\" clears it)"},
	{0}};
static const struct cmd_opt promote_opts[] = {
	{"--to", 0, "ALIAS", COMPLETE_NONE, NULL, "the alias to move (default production)"},
	{"--force", 0, NULL, COMPLETE_NONE, NULL, "promote even when the gate refuses; the override is recorded"},
	{"--reason", 0, "TEXT", COMPLETE_NONE, NULL, "why, kept in the alias history"},
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL,
	 "dataset to measure the policy's slice floors on (default the version's eval dataset)"},
	{0}};
static const struct cmd_opt rollback_opts[] = {
	{"--alias", 0, "ALIAS", COMPLETE_NONE, NULL, "the alias to roll back (default production)"},
	{"--reason", 0, "TEXT", COMPLETE_NONE, NULL, "why, kept in the alias history"},
	{0}};
static const struct cmd_opt history_opts[] = {
	{"--alias", 0, "ALIAS", COMPLETE_NONE, NULL, "only the moves of this alias"},
	{0}};
static const struct cmd_opt policy_opts[] = {
	{"--delete", 0, NULL, COMPLETE_NONE, NULL, "remove the KEY from the policy"},
	{0}};
static const struct cmd_opt compare_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "measure both versions on this dataset instead of using their recorded metrics"},
	{"--slice", 0, "COL", COMPLETE_COLUMN, NULL, "with --data: the metrics per value of COL as well"},
	{0}};
static const struct cmd_opt export_opts[] = {
	{"--format", 0, "prodml|c|onnx", COMPLETE_WORDS, "prodml|c|onnx",
	 "prodml (default): the version for `models import`; c: a standalone C predictor; onnx: the "
	 "model and its transform for ONNX Runtime"},
	{"--out", 'o', "DIR|FILE", COMPLETE_FILE, NULL,
	 "where to write (instead of FILE); c: a directory (made when the name ends in /) gets M_vV.c and .h"},
	{0}};
static const struct cmd_opt import_opts[] = {
	{"--as", 0, "MODEL", COMPLETE_NONE, NULL, "register under this model name instead of the exported one"},
	{0}};

/* what each command reads and writes (pipelines take their data edges from these) */
static const struct cmd_io reads_model_io[] = {{"1", IO_MODEL, false}, {0}};
static const struct cmd_io models_export_io[] = {{"1", IO_MODEL, false}, {"2", IO_FILE, true}, {"--out", IO_FILE, true}, {0}};
static const struct cmd_io models_import_io[] = {{"1", IO_FILE, false}, {0}};

const struct cmd_entry cmd_group_registry[] = {
	{.name = "models", .group = "registry", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "list registered models",
	 .help = "One line per model: its number of versions, the latest version with its type "
		 "and primary metric (rmse for regression, auc for binary, accuracy for multi-class: "
		 "the one `models promote` compares), and its aliases. "
		 "JSON: {\"models\":[{\"name\",\"versions\",\"latest\",\"type\",\"task\",\"metrics\",\"aliases\",\"created\"}]}.",
	 .exec = exec_models, .render = render_models},
	{.name = "models show", .group = "registry", .args = "M[:V|@ALIAS]", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = no_opts,
	 .summary = "versions of a model, or the details of one version",
	 .help = "With M, every version: its aliases, metrics, run and creation time. With M:V or "
		 "M@ALIAS, that version in detail: its description, the label, the training and eval "
		 "datasets with their fingerprints, who registered it, where and when, its parent (the "
		 "version holding production when it was registered), the artifact (sha256 and size), "
		 "tags, the metrics overall and per slice (train --slice), the hyperparameters that "
		 "apply and the serving schema (input columns and types). "
		 "JSON: {\"name\",\"versions\":[{\"version\",\"aliases\":[..],\"metrics\":{..},\"created\",..}]}.",
	 .exec = exec_models_show, .render = render_models_show},
	{.name = "models alias", .group = "registry", .args = "M:V ALIAS", .min_args = 2, .max_args = 2,
	 .pos_complete = {COMPLETE_MODEL}, .opts = alias_opts,
	 .summary = "point an alias at a version (create or move it)",
	 .help = "Points ALIAS (production, staging, canary or any name) of model M at version V, "
		 "with no validation gate (see `models promote` for the gated move). With --delete, "
		 "`models alias M ALIAS --delete` removes the alias. Every move is kept in the alias "
		 "history (`models history`) and the audit log. "
		 "JSON: {\"model\",\"alias\",\"from\",\"to\"} (null: none).",
	 .io = reads_model_io, .exec = exec_models_alias, .render = render_move},
	{.name = "models promote", .group = "registry", .args = "M:V", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = promote_opts,
	 .summary = "move an alias to a version through the validation gate",
	 .help = "Moves the alias (--to, default production) to M:V when the version passes the gate: "
		 "on the model's primary metric (rmse for regression, lower is better; auc for binary "
		 "and accuracy for multiclass models, higher is better) it must beat the alias's current "
		 "holder by the policy's min_improvement (default 0: at least as good), and it must meet "
		 "every floor of the policy (see `models policy`); slice floors are measured on --data, else "
		 "the version's eval dataset, else its training data. Otherwise the promotion is refused, the "
		 "reasons listed, and the exit status is 1. --force promotes anyway and records the override in the alias "
		 "history and the audit log. "
		 "JSON: {\"model\",\"alias\",\"version\",\"from\",\"to\",\"promoted\",\"forced\","
		 "\"gate\":{\"passed\",\"metric\",\"candidate\",\"current\",\"improvement\",\"reasons\":[..],\"checks\":[..]}}.",
	 .io = reads_model_io, .exec = exec_models_promote, .render = render_move},
	{.name = "models rollback", .group = "registry", .args = "M", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = rollback_opts,
	 .summary = "return an alias to its previous holder",
	 .help = "Moves the alias (--alias, default production) back to the version it pointed at "
		 "before its last move, from the alias history; rolling back again walks further back. "
		 "JSON: {\"model\",\"alias\",\"from\",\"to\"}.",
	 .exec = exec_models_rollback, .render = render_move},
	{.name = "models history", .group = "registry", .args = "M", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = history_opts,
	 .summary = "every move of the model's aliases: who, when, from, to, why",
	 .help = "The alias history of model M, oldest first: each alias, promotion, rollback and "
		 "deletion with its user, time, the versions it moved from and to, the reason given, "
		 "whether the gate was overridden (--force) and the gate's findings. "
		 "JSON: {\"model\",\"events\":[{\"id\",\"alias\",\"action\",\"from\",\"to\",\"forced\","
		 "\"reason\",\"detail\",\"user\",\"time\"}]}.",
	 .exec = exec_models_history, .render = render_models_history},
	{.name = "models policy", .group = "registry", .args = "M [KEY.. VALUE]", .min_args = 1, .max_args = 5,
	 .pos_complete = {COMPLETE_MODEL}, .opts = policy_opts,
	 .summary = "show or set the promotion policy of a model",
	 .help = "With M alone, shows the policy. Keys: `min_improvement X` (the primary metric must "
		 "improve on the alias holder by at least X), `floor METRIC X` (the version's metric "
		 "must be at least X for auc, accuracy and r2, at most X for rmse, mae and logloss), "
		 "`slice_floor COL=VALUE METRIC X` (the same, measured on the rows where COL is VALUE). "
		 "`models policy M KEY.. --delete` removes a key. "
		 "JSON: {\"model\",\"policy\":{\"KEY\":value}}.",
	 .exec = exec_models_policy, .render = render_models_policy},
	{.name = "models tag", .group = "registry", .args = "M[:V|@ALIAS] [KEY=VALUE..]", .min_args = 1,
	 .max_args = -1, .pos_complete = {COMPLETE_MODEL}, .opts = tag_opts,
	 .summary = "set a version's tags and description",
	 .help = "Sets each KEY to VALUE among the version's tags (KEY= removes it) and, with "
		 "--description, its description (\"\" clears it); then prints both. Nothing else "
		 "of a version changes after it is registered. "
		 "JSON: {\"model\",\"version\",\"description\",\"tags\":{..}}.",
	 .exec = exec_models_tag, .render = render_models_tag},
	{.name = "models lineage", .group = "registry", .args = "M:V", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = no_opts,
	 .summary = "where a version came from and where it is served",
	 .help = "The chain dataset -> statistics -> schema -> run -> version -> servers: the "
		 "training and eval datasets with their fingerprints (and whether the names still hold "
		 "that data), the statistics computed on them, the serving schema, the run with its "
		 "configuration, the version's aliases and artifact, and the servers serving it. "
		 "JSON: {\"model\",\"version\",\"train_dataset\",\"eval_dataset\",\"schema\",\"run\","
		 "\"params\",\"aliases\",\"artifact\",\"servers\":[..]}.",
	 .exec = exec_models_lineage, .render = render_models_lineage},
	{.name = "models compare", .group = "registry", .args = "M:V1 M:V2", .min_args = 2, .max_args = 2,
	 .pos_complete = {COMPLETE_MODEL, COMPLETE_MODEL}, .opts = compare_opts,
	 .summary = "metrics of two versions side by side",
	 .help = "The recorded metrics of both versions with their difference (second minus first) "
		 "and which is better; per slice where the versions recorded slice metrics. With "
		 "--data NAME both are measured on that dataset, and with --slice COL per value of COL. "
		 "Where one is quantized, each version's file size and weights (float64, int8 or "
		 "fp16) come first. "
		 "JSON: {\"a\",\"b\" (each {\"model\",\"version\",\"size\",\"weights\"}),\"metrics\":[{\"metric\",\"a\",\"b\",\"difference\",\"better\"}],"
		 "\"slices\":[{\"slice\",\"value\",\"rows\",\"metrics\":[..]}]}.",
	 .exec = exec_models_compare, .render = render_models_compare},
	{.name = "models export", .group = "registry", .args = "M:V [FILE]", .min_args = 1, .max_args = 2,
	 .pos_complete = {COMPLETE_MODEL, COMPLETE_FILE}, .opts = export_opts,
	 .summary = "write a version to a file: for `models import`, a standalone C predictor, or ONNX",
	 .help = "--format prodml (the default) writes FILE (atomically): a text header with the sizes and "
		 "the sha256 of what follows, the version's record (metrics, datasets, schema, "
		 "hyperparameters, who and when) as JSON, and the model file. `models import` reads it in "
		 "another workspace. JSON: {\"model\",\"version\",\"file\",\"sha256\"}.\n\n"
		 "--format c writes one C99 source file and its header (FILE and FILE's .h beside it; into a "
		 "directory, or the current one, M_vV.c and M_vV.h) holding the transform and the model "
		 "(float64, int8 or fp16 weights): no dependencies beyond libm, no heap, one function "
		 "`int M_vV_predict(const struct M_vV_input *in, double *out)` over a struct with one "
		 "field per input column (a double, NaN when missing; a string, NULL when missing), "
		 "documented in the header. Missing values and unseen categories are handled as prodml "
		 "handles them, and an int8 model predicts prodml's bits. Prints the file's size, the bytes of "
		 "its tables, and the compiled code+data bytes (`cc -O2 -c` and `size`, when a compiler "
		 "is found). JSON: {\"model\",\"version\",\"format\",\"file\",\"header\",\"function\","
		 "\"weights\",\"file_size\",\"header_size\",\"data_bytes\",\"compiled_bytes\"}.\n\n"
		 "--format onnx: FILE is an ONNX model (IR 7; operator sets ai.onnx 13 and "
		 "ai.onnx.ml 2) of the transform and the model together, for ONNX Runtime and other "
		 "ONNX serving stacks. Its inputs are the model's raw features, one [N,1] tensor each: "
		 "tensor(string) for string columns, tensor(double) for numbers, bools (0/1) and "
		 "timestamps (microseconds since 1970 UTC); a missing number is NaN, a missing string "
		 "\"\" (or NA, N/A, NaN, nan, null, NULL). Its output \"prediction\" [N,K] is what "
		 "predict gives: the value (regression), P(positive class) (binary) or one probability "
		 "per class (multi-class; the classes in order are in the metadata prodml.classes). "
		 "Scaling, clipping and imputation become Where/Sub/Div/Min/Max/Log, buckets "
		 "GreaterOrEqual+ReduceSum, vocabularies ai.onnx.ml LabelEncoder (strings) or Equal "
		 "(numbers), date parts integer Mod/Div, the linear part MatMul and Gather+ReduceSum, "
		 "embeddings Gather, layers Gemm+Relu, outputs Sigmoid or Softmax. Everything is "
		 "float64 as in prodml: predictions agree to about 1e-15 (only the order of sums "
		 "differs). Hashed features and crosses (xxHash64) have no ONNX operator: their "
		 "models are an error. "
		 "JSON: {\"model\",\"version\",\"file\",\"format\",\"bytes\",\"nodes\",\"opset\",\"ml_opset\"}.",
	 .io = models_export_io, .exec = exec_models_export, .render = render_models_export},
	{.name = "models import", .group = "registry", .args = "FILE", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_FILE}, .opts = import_opts,
	 .summary = "register a version from an exported file",
	 .help = "Checks FILE's checksum (a corrupted or truncated file is an error and registers "
		 "nothing) and registers it as the next version of its model (or of --as MODEL), "
		 "keeping the original record; where it came from is kept in the version's tags "
		 "(imported_from) and shown by `models lineage`. "
		 "JSON: {\"model\",\"version\",\"artifact\",\"imported_from\"}.",
	 .io = models_import_io, .exec = exec_models_import, .render = render_models_export},
	{0}};
