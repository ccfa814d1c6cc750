/* The commands a design stands for.  A design is not run by code of its
 * own: it becomes a pipeline file and command lines, the same ones a
 * person would type, so `design apply --dry-run` shows exactly what
 * `design apply` runs and each can be run, changed or replayed alone. */
#include "design.h"

#include <stdlib.h>
#include <string.h>

void design_word(struct sbuf *b, const char *w)
{
	bool plain = *w != 0;
	for (const char *p = w; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/@,=*?",
			    *p))
			plain = false;
	sbuf_putc(b, ' ');
	if (plain) {
		sbuf_puts(b, w);
		return;
	}
	sbuf_putc(b, '\'');
	for (const char *p = w; *p; p++)
		if (*p == '\'')
			sbuf_puts(b, "'\\''");
		else
			sbuf_putc(b, *p);
	sbuf_putc(b, '\'');
}

int design_plan(json_t *d, const struct design_plan_in *in, json_t **out, struct pm_err *err)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *model = json_string_value(json_object_get(d, "model"));
	const char *data = json_string_value(json_object_get(d, "data"));
	const char *serving = json_string_value(json_object_get(d, "serving"));
	json_t *tr = json_object_get(d, "training");
	const char *kind = json_string_value(json_object_get(tr, "kind"));
	json_t *keys = json_object_get(d, "keys");
	bool online = strcmp(json_string_value(json_object_get(d, "inference")), "online") == 0;
	if (strcmp(serving, "dynamic") && json_array_size(keys) != 1)
		return pm_errcf(err, PM_E_USAGE,
				"design %s: %s serving is applied with serve --lookup, which takes one key "
				"column, not %zu",
				name, serving, json_array_size(keys));
	json_int_t canary = json_integer_value(json_object_get(d, "canary"));
	if (canary > 0 && !online)
		return pm_errcf(err, PM_E_USAGE,
				"design %s: canary %lld splits a server's requests, but batch inference "
				"starts no server (`design set %s inference online`, or `design set %s "
				"canary 0`)",
				name, (long long)canary, name, name);
	if (canary > 0 && (in->current <= 0 || in->current == in->version))
		return pm_errcf(err, PM_E_USAGE,
				"design %s: canary %lld serves the newest version, %s:%lld, beside the current "
				"one, but %s (train a new version, or `design set %s canary 0`)",
				name, (long long)canary, model, (long long)in->version,
				in->current <= 0 ? "there is no other version" : in->current_why, name);
	if (strcmp(kind, "on-data") == 0 && !in->source)
		return pm_errcf(err, PM_E_USAGE,
				"design %s: on-data training reloads dataset %s from a file, but it was "
				"not loaded from one",
				name, data);
	char *pname = xasprintf("design-%s", name);
	char *file = xasprintf("%s/%s.pipeline", in->dir, pname);
	struct sbuf p = {0}, line = {0};
	sbuf_printf(&p, "# design %s: training %s, %s serving, %s inference (`design show %s`)\n", name,
		    kind, serving, online ? "online" : "batch", name);
	sbuf_printf(&p, "pipeline %s\n", pname);
	const char *after = "";
	if (strcmp(kind, "on-data") == 0) {
		/* the trigger puts each new file's path in ${file} */
		sbuf_printf(&p, "param file =");
		design_word(&p, in->source);
		sbuf_printf(&p, "\nstep ingest : load %s ${file}\n", data);
		after = " after ingest";
	}
	sbuf_printf(&p, "step train : train %s --data %s --label", model, data);
	design_word(&p, in->label);
	sbuf_puts(&p, " --features");
	design_word(&p, in->features);
	sbuf_printf(&p, " --model %s", in->type);
	json_int_t epochs = json_integer_value(json_object_get(d, "epochs"));
	if (epochs > 0)
		sbuf_printf(&p, " --epochs %lld", (long long)epochs);
	sbuf_printf(&p, "%s\n", after);
	if (!online) {
		sbuf_printf(&p, "step predict : predict %s --data %s --out", model, data);
		char *pred = xasprintf("%s/%s.predictions.csv", in->dir, name);
		design_word(&p, pred);
		free(pred);
		sbuf_puts(&p, " after train\n");
	}
	json_t *cmds = json_array();
	sbuf_puts(&line, "pipeline load");
	design_word(&line, file);
	json_array_append_new(cmds, json_string(line.s));
	line.len = 0;
	if (strcmp(kind, "schedule") == 0)
		sbuf_printf(&line, "pipeline trigger %s --every %s", pname,
			    json_string_value(json_object_get(tr, "every")));
	else if (strcmp(kind, "on-data") == 0) {
		sbuf_printf(&line, "pipeline trigger %s --on-file", pname);
		design_word(&line, json_string_value(json_object_get(tr, "glob")));
	} else if (strcmp(kind, "on-drift") == 0)
		sbuf_printf(&line, "pipeline trigger %s --on-alert drift %s", pname, model);
	if (line.len)
		json_array_append_new(cmds, json_string(line.s));
	json_t *serve = json_null();
	if (online) {
		line.len = 0;
		json_t *hw = json_object_get(d, "hardware"), *b = json_object_get(d, "batching");
		if (canary > 0)
			sbuf_printf(&line, "serve %s --split %lld=%lld,%lld=%lld --port %lld", model,
				    (long long)in->current, 100 - (long long)canary, (long long)in->version,
				    (long long)canary, (long long)json_integer_value(json_object_get(d, "port")));
		else
			sbuf_printf(&line, "serve %s:%lld --port %lld", model, (long long)in->version,
				    (long long)json_integer_value(json_object_get(d, "port")));
		json_int_t threads = json_integer_value(json_object_get(hw, "threads"));
		if (threads > 0)
			sbuf_printf(&line, " --threads %lld", (long long)threads);
		json_int_t mb = json_integer_value(json_object_get(b, "max_batch"));
		if (mb > 1)
			sbuf_printf(&line, " --max-batch %lld --batch-timeout-us %lld", (long long)mb,
				    (long long)json_integer_value(json_object_get(b, "max_wait_us")));
		if (strcmp(serving, "dynamic")) {
			sbuf_puts(&line, " --lookup");
			design_word(&line, json_string_value(json_array_get(keys, 0)));
			sbuf_printf(&line, " --lookup-data %s", data);
			json_int_t size = json_integer_value(json_object_get(d, "table_size"));
			if (strcmp(serving, "hybrid") == 0 && size > 0)
				sbuf_printf(&line, " --lookup-size %lld", (long long)size);
		}
		sbuf_puts(&line, " --detach");
		serve = json_string(line.s);
		json_array_append(cmds, serve);
	}
	*out = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "pipeline", pname, "pipeline_file", file,
			 "pipeline_text", p.s, "commands", cmds, "serve", serve, "canary",
			 online && canary > 0
				 ? json_pack("{s:I,s:I,s:I}", "current", (json_int_t)in->current, "version",
					     (json_int_t)in->version, "percent", canary)
				 : json_null());
	free(pname);
	free(file);
	sbuf_free(&p);
	sbuf_free(&line);
	return 0;
}
