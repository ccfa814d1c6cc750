/* Commands for models on the edge: models quantize (int8, fp16), and the
 * standalone C predictor that `models export --format c` writes. */
#include "cmd.h"
#include "model/model.h"
#include "registry/registry.h"
#include "data/data.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The metric rows of a parent and its quantized child: both measured now,
 * on the same rows, so the difference is the quantization's alone. */
static json_t *side_by_side(json_t *a, json_t *b)
{
	json_t *rows = json_array();
	const char *key;
	json_t *x;
	json_object_foreach(a, key, x) {
		json_t *y = json_object_get(b, key);
		if (!json_is_number(x) || !json_is_number(y) || !strcmp(key, "rows") ||
		    !strcmp(key, "threshold") || !strncmp(key, "baseline", 8))
			continue;
		json_array_append_new(rows, json_pack("{s:s,s:o,s:o,s:o}", "metric", key, "parent",
						      json_num(json_number_value(x)), "quantized",
						      json_num(json_number_value(y)), "difference",
						      json_num(json_number_value(y) - json_number_value(x))));
	}
	return rows;
}

/* Rows per second of m's predictions over f (transform and model, one
 * thread, best of three passes of at least 20000 rows): the speed of the
 * weights alone, without reading or writing files. */
static double predict_speed(const struct model *m, const struct frame *f, struct pm_err *err)
{
	size_t n = f->nrows;
	if (!n)
		return 0;
	double *out = xmalloc(n * (size_t)m->nout * sizeof *out), best = 0;
	size_t reps = (20000 + n - 1) / n;
	for (int pass = 0; pass < 3; pass++) {
		double t0 = now_seconds();
		for (size_t r = 0; r < reps; r++)
			if (model_predict_frame(m, f, NULL, n, 1, out, err) < 0) {
				free(out);
				return -1;
			}
		double dt = now_seconds() - t0, rate = dt > 0 ? (double)(n * reps) / dt : 0;
		if (rate > best)
			best = rate;
	}
	free(out);
	return best;
}

static int exec_models_quantize(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	bool i8 = call_flag(call, "--int8"), f16 = call_flag(call, "--fp16");
	if (i8 == f16)
		return pm_errcf(err, PM_E_USAGE, "give one of --int8 and --fp16");
	const char *mode_s = call_opt(call, "--mode"), *calib_name = call_opt(call, "--calibrate");
	enum quant_mode mode = QUANT_DYNAMIC;
	if (mode_s && strcmp(mode_s, "dynamic") && strcmp(mode_s, "static"))
		return pm_errcf(err, PM_E_USAGE, "--mode: '%s' is not dynamic or static", mode_s);
	if (mode_s && f16)
		return pm_errcf(err, PM_E_USAGE, "--mode is for --int8: fp16 has no activation scales");
	/* a calibration dataset asks for static scales */
	if ((mode_s && mode_s[0] == 's') || (!mode_s && calib_name && i8))
		mode = QUANT_STATIC;
	struct reg_version v;
	if (reg_resolve(ws, call->argv[0], &v, err) < 0)
		return -1;
	struct model *m = NULL, *qm = NULL;
	struct frame *calib = NULL, *ev = NULL;
	json_t *mp = NULL, *mq = NULL;
	double speed_p = 0, speed_q = 0;
	int rc = -1;
	if (reg_load_model(ws, &v, &m, err) < 0)
		goto out;
	if (calib_name && session_frame(s, calib_name, &calib, err) < 0)
		goto out;
	if (model_quantize(m, i8 ? QUANT_INT8 : QUANT_FP16, mode, calib, session_threads(s), &qm, err) < 0) {
		pm_err_prefix(err, "%s:%lld", v.model, (long long)v.version);
		goto out;
	}
	/* measured on the version's eval data (else its training data, as the
	 * promotion gate falls back), parent and child alike */
	const char *judge = v.eval_dataset ? v.eval_dataset : v.train_dataset;
	if (judge) {
		if (session_frame(s, judge, &ev, err) < 0) {
			pm_err_prefix(err, "the %s dataset of %s:%lld", v.eval_dataset ? "eval" : "training",
				      v.model, (long long)v.version);
			goto out;
		}
		if (reg_measure(m, ev, -1, session_threads(s), &mp, NULL, err) < 0 ||
		    reg_measure(qm, ev, -1, session_threads(s), &mq, NULL, err) < 0)
			goto out;
		if ((speed_p = predict_speed(m, ev, err)) < 0 || (speed_q = predict_speed(qm, ev, err)) < 0)
			goto out;
	} else {
		mp = json_object();
		mq = json_object();
	}
	json_t *tags = json_pack("{s:s}", "quantized", quant_kind_name(qm->quant->kind));
	if (i8)
		json_object_set_new(tags, "quant_mode", json_string(quant_mode_name(mode)));
	if (calib_name)
		json_object_set_new(tags, "calibrated_on", json_string(calib_name));
	struct reg_version nv;
	int drc = reg_version_derive(ws, &v, qm, mq, tags, &nv, err);
	json_decref(tags);
	if (drc < 0)
		goto out;
	call->result = json_pack("{s:s,s:I,s:I,s:s,s:s?,s:s,s:s?,s:{s:I,s:I},s:o}", "model", nv.model,
				 "version", (json_int_t)nv.version, "parent", (json_int_t)v.version, "kind",
				 quant_kind_name(qm->quant->kind), "mode", i8 ? quant_mode_name(mode) : NULL,
				 "kernel", i8 ? qm->quant->ops->name : "float", "dataset", judge,
				 "size", "parent", (json_int_t)v.size, "quantized", (json_int_t)nv.size,
				 "metrics", side_by_side(mp, mq));
	json_object_set_new(call->result, "dataset_role", json_string(v.eval_dataset ? "eval" : "training"));
	if (judge)
		json_object_set_new(call->result, "rows_per_second",
				    json_pack("{s:o,s:o}", "parent", json_num(speed_p), "quantized", json_num(speed_q)));
	reg_version_free(&nv);
	rc = 0;
out:
	json_decref(mp);
	json_decref(mq);
	model_free(m);
	model_free(qm);
	reg_version_free(&v);
	return rc;
}

static void render_models_quantize(struct session *s, const struct cmd_call *call, json_t *r,
				   struct sbuf *out)
{
	(void)s;
	(void)call;
	const char *model = json_string_value(json_object_get(r, "model"));
	long long ver = (long long)json_integer_value(json_object_get(r, "version"));
	long long par = (long long)json_integer_value(json_object_get(r, "parent"));
	const char *mode = json_string_value(json_object_get(r, "mode"));
	sbuf_printf(out, "model %s version %lld: %s:%lld quantized to %s%s%s (kernel %s)\n", model, ver, model,
		    par, json_string_value(json_object_get(r, "kind")), mode ? ", " : "", mode ? mode : "",
		    json_string_value(json_object_get(r, "kernel")));
	const char *data = json_string_value(json_object_get(r, "dataset"));
	char *la = xasprintf("%s:%lld", model, par), *lb = xasprintf("%s:%lld", model, ver);
	const char *hdr[] = {"", la, lb, "difference"};
	static const bool right[] = {false, true, true, true};
	struct table *t = table_new(4, hdr, right);
	json_t *sz = json_object_get(r, "size");
	double a = (double)json_integer_value(json_object_get(sz, "parent")),
	       b = (double)json_integer_value(json_object_get(sz, "quantized"));
	table_str(t, "file size (bytes)");
	table_cell(t, "%.0f", a);
	table_cell(t, "%.0f", b);
	table_cell(t, "%.1fx smaller", b > 0 ? a / b : 0.0);
	json_t *sp = json_object_get(r, "rows_per_second");
	if (sp) {
		double pa = json_number_value(json_object_get(sp, "parent")),
		       pb = json_number_value(json_object_get(sp, "quantized"));
		table_str(t, "predict rows/s");
		table_cell(t, "%.0f", pa);
		table_cell(t, "%.0f", pb);
		table_cell(t, "%.2fx", pa > 0 ? pb / pa : 0.0);
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(r, "metrics"), i, x) {
		table_str(t, json_string_value(json_object_get(x, "metric")));
		table_cell(t, "%.6g", json_number_value(json_object_get(x, "parent")));
		table_cell(t, "%.6g", json_number_value(json_object_get(x, "quantized")));
		table_cell(t, "%+.6g", json_number_value(json_object_get(x, "difference")));
	}
	const char *role = json_string_value(json_object_get(r, "dataset_role"));
	if (data && role && !strcmp(role, "eval"))
		sbuf_printf(out, "measured on %s (the version's eval data)\n", data);
	else if (data)
		sbuf_printf(out, "measured on %s (the version's training data: it has no eval data)\n", data);
	else
		sbuf_printf(out, "no data recorded: metrics not measured\n");
	table_render(t, out);
	free(la);
	free(lb);
}

/* ---- models export --format c ------------------------------------------------------------- */

/* The predictor's code and data bytes as the compiler makes them: `size`
 * of `cc -c` (text+data+bss); -1 when no compiler or size tool runs. */
static long long compiled_size(const char *src)
{
	char tmpl[] = "/tmp/prodml-cexp-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	close(fd);
	char *cmd = xasprintf("cc -std=c99 -O2 -c -o '%s' '%s' 2>/dev/null && size '%s' 2>/dev/null", tmpl,
			      src, tmpl);
	long long total = -1;
	if (!strchr(src, '\'')) {
		FILE *p = popen(cmd, "r");
		if (p) {
			char line[512];
			long long text, data, bss;
			while (fgets(line, sizeof line, p))
				if (sscanf(line, "%lld %lld %lld", &text, &data, &bss) == 3)
					total = text + data + bss;
			pclose(p);
		}
	}
	free(cmd);
	unlink(tmpl);
	return total;
}

/* A C identifier from a model name and version: big-tipper:3 -> big_tipper_v3. */
static char *c_prefix(const char *model, long long version)
{
	char *p = xasprintf("%s%s_v%lld", (model[0] >= '0' && model[0] <= '9') ? "m_" : "", model, version);
	for (char *c = p; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			*c = '_';
	return p;
}

int edge_export_c(struct session *s, const struct reg_version *v, const char *path, json_t **result,
		  struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct model *m;
	if (reg_load_model(ws, v, &m, err) < 0)
		return -1;
	char *prefix = c_prefix(v->model, (long long)v->version);
	char *title = xasprintf("%s:%lld", v->model, (long long)v->version);
	/* a directory gets PREFIX.c; a file name is the source, its header
	 * beside it; a name ending in '/' is a directory, made when missing */
	struct stat st;
	char *csrc, *chdr;
	size_t plen = path ? strlen(path) : 0;
	if (plen && path[plen - 1] == '/' && fs_mkdir_p(path, err) < 0) {
		free(prefix);
		free(title);
		model_free(m);
		return -1;
	}
	if (!path || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		const char *dir = path ? path : ".", *sep = plen && path[plen - 1] == '/' ? "" : "/";
		csrc = xasprintf("%s%s%s.c", dir, sep, prefix);
		chdr = xasprintf("%s%s%s.h", dir, sep, prefix);
	} else {
		size_t n = strlen(path);
		csrc = xstrdup(path);
		chdr = n > 2 && !strcmp(path + n - 2, ".c") ? xasprintf("%.*s.h", (int)(n - 2), path)
							    : xasprintf("%s.h", path);
	}
	/* the header's name as the source includes it */
	const char *slash = strrchr(chdr, '/');
	const char *hbase = slash ? slash + 1 : chdr;
	struct sbuf src = {0}, hdr = {0};
	size_t data = 0;
	int rc = -1;
	char *inc_prefix = xstrndup(hbase, strlen(hbase) - 2);
	if (model_export_c(m, prefix, title, &src, &hdr, &data, err) < 0)
		goto out;
	/* the source includes "PREFIX.h": with another header name, say so */
	if (strcmp(inc_prefix, prefix)) {
		char *from = xasprintf("#include \"%s.h\"", prefix), *to = xasprintf("#include \"%s\"", hbase);
		char *at = strstr(src.s, from);
		struct sbuf fixed = {0};
		sbuf_add(&fixed, src.s, (size_t)(at - src.s));
		sbuf_add(&fixed, to, strlen(to));
		sbuf_add(&fixed, at + strlen(from), src.len - (size_t)(at - src.s) - strlen(from));
		free(src.s);
		src = fixed;
		free(from);
		free(to);
	}
	if (fs_write_atomic(csrc, src.s, src.len, err) < 0 || fs_write_atomic(chdr, hdr.s, hdr.len, err) < 0)
		goto out;
	long long compiled = compiled_size(csrc);
	*result = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "model", v->model, "version",
			    (json_int_t)v->version, "format", "c", "file", csrc, "header", chdr, "function",
			    "predict", "weights", m->quant ? quant_kind_name(m->quant->kind) : "float64",
			    "file_size", (json_int_t)src.len, "header_size", (json_int_t)hdr.len, "data_bytes",
			    (json_int_t)data);
	char *fn = xasprintf("%s_predict", prefix);
	json_object_set_new(*result, "function", json_string(fn));
	free(fn);
	json_object_set_new(*result, "compiled_bytes", compiled >= 0 ? json_integer(compiled) : json_null());
	rc = 0;
out:
	free(src.s);
	free(hdr.s);
	free(inc_prefix);
	free(csrc);
	free(chdr);
	free(prefix);
	free(title);
	model_free(m);
	return rc;
}

void edge_render_export_c(json_t *r, struct sbuf *out)
{
	sbuf_printf(out, "exported %s:%lld (%s weights) to %s and %s\n",
		    json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    json_string_value(json_object_get(r, "weights")), json_string_value(json_object_get(r, "file")),
		    json_string_value(json_object_get(r, "header")));
	sbuf_printf(out, "source %lld bytes; tables %lld bytes", (long long)json_integer_value(json_object_get(r, "file_size")),
		    (long long)json_integer_value(json_object_get(r, "data_bytes")));
	json_t *c = json_object_get(r, "compiled_bytes");
	if (json_is_integer(c))
		sbuf_printf(out, "; compiled code+data %lld bytes (cc -O2, size)", (long long)json_integer_value(c));
	sbuf_printf(out, "\npredict: int %s(const struct %.*s_input *in, double *out)\n",
		    json_string_value(json_object_get(r, "function")),
		    (int)(strlen(json_string_value(json_object_get(r, "function"))) - strlen("_predict")),
		    json_string_value(json_object_get(r, "function")));
}

static const struct cmd_opt quantize_opts[] = {
	{"--int8", 0, NULL, COMPLETE_NONE, NULL, "int8 weights (per output row scales) and int8 integer kernels"},
	{"--fp16", 0, NULL, COMPLETE_NONE, NULL, "half-precision weights, computed in float"},
	{"--mode", 0, "dynamic|static", COMPLETE_WORDS, "dynamic|static",
	 "int8 activations: scaled per row (dynamic, the default) or by fixed scales from --calibrate (static)"},
	{"--calibrate", 0, "NAME", COMPLETE_DATASET, NULL,
	 "dataset whose rows fix the static activation scales (implies --mode static)"},
	{0}};
static const struct cmd_io quantize_io[] = {{"1", IO_MODEL, false}, {"--calibrate", IO_DATASET, false}, {0}};

const struct cmd_entry cmd_group_edge[] = {
	{.name = "models quantize", .group = "registry", .args = "M:V", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = quantize_opts,
	 .summary = "post-training quantization: a smaller, faster version (int8 or fp16)",
	 .help = "Registers a new version of M whose parent is M:V, tagged quantized=int8 or fp16, "
		 "for a model with hidden layers (dnn, wide-deep). The transform (scalers, "
		 "vocabularies, buckets) and the biases stay exact; the layers' weights and the "
		 "embeddings shrink. --int8: each output row of a layer and each embedding row gets "
		 "its own symmetric scale (max |w| / 127); `predict` and `serve` then run the layers "
		 "with integer kernels, int8 x int8 summed in int32 (AVX-512 VNNI or AVX2 when the CPU "
		 "has them, chosen at run time, else portable C; all give the same bits). A layer's "
		 "input is quantized per row from its own range (--mode dynamic, the default: it "
		 "needs no data and never clips an input it has not seen, at the cost of one pass over "
		 "the row), or with one scale per layer measured on the rows of --calibrate NAME "
		 "(--mode static, as TensorFlow Lite's full-integer mode: no range pass, the scales "
		 "an integer-only device needs, but inputs past the calibrated range clip). --fp16: "
		 "half-precision weights, computed in float. The new version's metrics are measured "
		 "on the version's eval data (its training data when it has none) and shown beside the parent's, measured there too, with "
		 "each file's size and each one's prediction speed there (rows per second of the "
		 "transform and the model on one thread, best of three passes, no file reading or "
		 "writing); `models compare` shows both. "
		 "JSON: {\"model\",\"version\",\"parent\",\"kind\",\"mode\",\"kernel\",\"dataset\",\"dataset_role\","
		 "\"size\":{\"parent\",\"quantized\"},\"rows_per_second\":{\"parent\",\"quantized\"},\"metrics\":[{\"metric\",\"parent\",\"quantized\",\"difference\"}]}.",
	 .io = quantize_io, .exec = exec_models_quantize, .render = render_models_quantize},
	{0}};
