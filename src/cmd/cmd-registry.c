/* Registry commands: models, models show. */
#include "cmd.h"

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

/* The metric worth a column in a listing, by task. */
static const char *headline_metric(json_t *metrics)
{
	static const char *const keys[] = {"rmse", "auc", "accuracy"};
	for (size_t i = 0; i < PM_ARRAY_LEN(keys); i++)
		if (json_is_number(json_object_get(metrics, keys[i])))
			return keys[i];
	return NULL;
}

static void render_models(struct session *s, const struct cmd_call *call, json_t *r, struct sbuf *out)
{
	json_t *arr = json_object_get(r, "models");
	size_t n = json_array_size(arr);
	if (!n) {
		sbuf_puts(out, "no models yet: `train MODEL --data NAME --label COL` registers one\n");
		return;
	}
	const char *hdr[] = {"model", "versions", "latest", "type", "metric", "aliases", "created"};
	char **cells = xcalloc(n * 7, sizeof *cells);
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(arr, i);
		cells[i * 7] = xstrdup(json_string_value(json_object_get(m, "name")));
		cells[i * 7 + 1] = xasprintf("%lld", (long long)json_integer_value(json_object_get(m, "versions")));
		cells[i * 7 + 2] = xasprintf("%lld", (long long)json_integer_value(json_object_get(m, "latest")));
		cells[i * 7 + 3] = xstrdup(json_string_value(json_object_get(m, "type")) ?: "");
		json_t *mt = json_object_get(m, "metrics");
		const char *k = headline_metric(mt);
		cells[i * 7 + 4] = k ? xasprintf("%s %.4f", k, json_number_value(json_object_get(mt, k))) : xstrdup("");
		struct sbuf al = {0};
		const char *key;
		json_t *v;
		json_object_foreach(json_object_get(m, "aliases"), key, v)
			sbuf_printf(&al, "%s%s=%lld", al.len ? " " : "", key, (long long)json_integer_value(v));
		cells[i * 7 + 5] = sbuf_steal(&al);
		cells[i * 7 + 6] = xstrdup(json_string_value(json_object_get(m, "created")) ?: "");
	}
	bool right[] = {false, true, true, false, false, false, false};
	render_table(out, 7, hdr, (const char *const *)cells, n, right);
	for (size_t i = 0; i < n * 7; i++)
		free(cells[i]);
	free(cells);
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

static void render_models_show(struct session *s, const struct cmd_call *call, json_t *r,
			       struct sbuf *out)
{
	json_t *vs = json_object_get(r, "versions");
	size_t n = json_array_size(vs);
	sbuf_printf(out, "model %s: %zu version%s\n", json_string_value(json_object_get(r, "name")), n,
		    n == 1 ? "" : "s");
	const char *hdr[] = {"version", "type", "metric", "aliases", "run", "created"};
	char **cells = xcalloc(n * 6 + 1, sizeof *cells);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(vs, i);
		cells[i * 6] = xasprintf("%lld", (long long)json_integer_value(json_object_get(v, "version")));
		cells[i * 6 + 1] = xstrdup(json_string_value(json_object_get(v, "type")) ?: "");
		json_t *mt = json_object_get(v, "metrics");
		const char *k = headline_metric(mt);
		cells[i * 6 + 2] = k ? xasprintf("%s %.4f", k, json_number_value(json_object_get(mt, k))) : xstrdup("");
		struct sbuf al = {0};
		size_t j;
		json_t *a;
		json_array_foreach(json_object_get(v, "aliases"), j, a)
			sbuf_printf(&al, "%s%s", j ? "," : "", json_string_value(a));
		cells[i * 6 + 3] = sbuf_steal(&al);
		json_t *run = json_object_get(v, "run");
		cells[i * 6 + 4] = json_is_integer(run) ? xasprintf("%lld", (long long)json_integer_value(run)) : xstrdup("-");
		cells[i * 6 + 5] = xstrdup(json_string_value(json_object_get(v, "created")) ?: "");
	}
	bool right[] = {true, false, false, false, true, false};
	render_table(out, 6, hdr, (const char *const *)cells, n, right);
	for (size_t i = 0; i < n * 6; i++)
		free(cells[i]);
	free(cells);
	if (n == 1 && json_object_get(json_array_get(vs, 0), "schema")) {
		/* one version asked for: its details */
		json_t *v = json_array_get(vs, 0);
		sbuf_printf(out, "label %s, trained on %s", json_string_value(json_object_get(v, "label")) ?: "?",
			    json_string_value(json_object_get(v, "train_dataset")) ?: "?");
		const char *ev = json_string_value(json_object_get(v, "eval_dataset"));
		if (ev)
			sbuf_printf(out, ", evaluated on %s", ev);
		sbuf_printf(out, "\nartifact %s (%lld bytes)\n", json_string_value(json_object_get(v, "artifact")),
			    (long long)json_integer_value(json_object_get(v, "size")));
		sbuf_puts(out, "metrics:\n");
		const char *key;
		json_t *x;
		json_object_foreach(json_object_get(v, "metrics"), key, x) {
			if (json_is_number(x))
				sbuf_printf(out, "  %-18s %.6g\n", key, json_number_value(x));
			else if (json_is_string(x))
				sbuf_printf(out, "  %-18s %s\n", key, json_string_value(x));
		}
		sbuf_puts(out, "inputs:");
		size_t i;
		json_array_foreach(json_object_get(json_object_get(v, "schema"), "inputs"), i, x)
			sbuf_printf(out, " %s:%s", json_string_value(json_object_get(x, "name")),
				    json_string_value(json_object_get(x, "type")));
		sbuf_putc(out, '\n');
	}
}

static const struct cmd_opt no_opts[] = {{0}};

const struct cmd_entry cmd_group_registry[] = {
	{.name = "models", .group = "registry", .args = "", .min_args = 0, .max_args = 0,
	 .opts = no_opts, .summary = "list registered models",
	 .help = "One line per model: its number of versions, the latest version with its type "
		 "and headline metric (rmse, auc or accuracy), and its aliases. "
		 "JSON: {\"models\":[{\"name\",\"versions\",\"latest\",\"type\",\"metrics\",\"aliases\",\"created\"}]}.",
	 .exec = exec_models, .render = render_models},
	{.name = "models show", .group = "registry", .args = "M[:V|@ALIAS]", .min_args = 1,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = no_opts,
	 .summary = "versions of a model, or the details of one version",
	 .help = "With M, every version: its aliases, metrics, run and creation time. With M:V or "
		 "M@ALIAS, that version in detail: the artifact (sha256 and size), the label, the "
		 "training and eval datasets with their fingerprints, the serving schema (input "
		 "columns and types) and the hyperparameters. "
		 "JSON: {\"name\",\"versions\":[{\"version\",\"aliases\":[..],\"metrics\":{..},\"created\",..}]}.",
	 .exec = exec_models_show, .render = render_models_show},
	{0}};
