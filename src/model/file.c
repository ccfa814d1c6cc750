/* The model file: a JSON header (schema, transform, model, hyperparameters,
 * metrics) and float64 arrays, closed by a sha256 of everything before it.
 * A reader checks magic, version, every length and the checksum before it
 * trusts a byte: a truncated or corrupted file is an error, never a crash. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = {'P', 'R', 'O', 'D', 'M', 'L', 'M', 'D'};

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static void put_u32(struct sbuf *b, uint32_t v)
{
	unsigned char c[4];
	for (int i = 0; i < 4; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	sbuf_add(b, (const char *)c, 4);
}

static void put_u64(struct sbuf *b, uint64_t v)
{
	unsigned char c[8];
	for (int i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	sbuf_add(b, (const char *)c, 8);
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_doubles(struct sbuf *b, const double *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		memcpy(&u, &d[i], 8);
		put_u64(b, u);
	}
}

static json_t *ref_or_new(json_t *j)
{
	return j ? json_incref(j) : json_object();
}

json_t *model_header_json(const struct model *m)
{
	const struct transform *t = m->tf;
	json_t *inputs = json_array();
	for (size_t i = 0; i < t->ninputs; i++)
		json_array_append_new(inputs, json_pack("{s:s,s:s}", "name", t->inputs[i].name, "type",
							pm_type_name(t->inputs[i].type)));
	json_t *schema = json_pack("{s:o,s:{s:s,s:s}}", "inputs", inputs, "label", "name",
				   m->label ? m->label : "", "type", pm_type_name(m->label_type));
	json_t *hidden = json_array();
	for (int l = 0; l < m->nhidden; l++)
		json_array_append_new(hidden, json_integer(m->hidden[l]));
	json_t *embed = json_array();
	for (size_t j = 0; j < t->ncat; j++)
		json_array_append_new(embed, json_integer(m->embed ? m->embed[j] : 0));
	json_t *mj = json_pack("{s:s,s:s,s:i,s:o,s:f,s:o,s:I}", "type", model_type_name(m->type),
			       "task", model_task_name(m->task), "nout", m->nout, "hidden", hidden,
			       "dropout", m->dropout, "embed", embed, "nparams", (json_int_t)m->nparams);
	if (m->task == TASK_REGRESSION) {
		json_object_set_new(mj, "label_mean", json_real(m->label_mean));
		json_object_set_new(mj, "label_std", json_real(m->label_std));
	} else {
		json_object_set_new(mj, "classes", ft_vocab_to_json(&m->classes));
		json_t *pr = json_array();
		for (uint32_t k = 0; k < m->classes.n; k++)
			json_array_append_new(pr, json_real(m->prior ? m->prior[k] : 0));
		json_object_set_new(mj, "prior", pr);
	}
	return json_pack("{s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "format", MODEL_FORMAT_VERSION,
			 "prodml_version", PACKAGE_VERSION, "schema", schema, "model", mj, "transform",
			 transform_to_json(t), "hyperparameters", ref_or_new(m->hyper), "metrics",
			 ref_or_new(m->metrics), "info", ref_or_new(m->info));
}

/* Whether block b is a part quantization stores as int8/fp16 bytes: the
 * embeddings and the deep layers' weights. */
static bool block_quantizable(const struct model *m, size_t b)
{
	if (!strcmp(m->blocks[b].name, "embeddings"))
		return true;
	for (int l = 0; m->has_deep && l <= m->nhidden; l++)
		if (m->blocks[b].off == m->off_w[l] && m->blocks[b].len)
			return true;
	return false;
}

static bool block_quantized(const struct model *m, size_t b)
{
	return m->quant && block_quantizable(m, b);
}

/* The float params a file stores: all, or those not quantized. */
static size_t kept_params(const struct model *m, bool quantized)
{
	size_t n = 0;
	for (size_t b = 0; b < m->nblocks; b++)
		if (!quantized || !block_quantizable(m, b))
			n += m->blocks[b].len;
	return n;
}

int model_serialize(const struct model *m, json_t *extra_header, const struct model_array *extra,
		    size_t nextra, struct sbuf *out, struct pm_err *err)
{
	for (size_t i = 0; i < m->nparams; i++)
		if (!isfinite(m->params[i]))
			return pm_errf(err, "model parameters hold NaN or Inf; not saved");
	json_t *h = model_header_json(m);
	json_t *arrays = json_array();
	size_t kept = kept_params(m, m->quant != NULL), nscales = m->quant ? model_quant_nscales(m) : 0;
	json_array_append_new(arrays, json_pack("{s:s,s:I}", "name", "params", "len", (json_int_t)kept));
	size_t total = kept;
	if (m->quant) {
		/* a float model's file keeps format 1, byte for byte */
		json_object_set_new(h, "format", json_integer(MODEL_FORMAT_QUANT));
		json_object_set_new(h, "quant", json_pack("{s:s,s:s,s:I}", "kind", quant_kind_name(m->quant->kind),
							  "mode", quant_mode_name(m->quant->mode), "bytes",
							  (json_int_t)model_quant_nbytes(m)));
		if (nscales)
			json_array_append_new(arrays, json_pack("{s:s,s:I}", "name", "quant.scales", "len",
								(json_int_t)nscales));
		total += nscales;
	}
	for (size_t i = 0; i < nextra; i++) {
		json_array_append_new(arrays, json_pack("{s:s,s:I}", "name", extra[i].name, "len",
							(json_int_t)extra[i].len));
		total += extra[i].len;
	}
	json_object_set_new(h, "arrays", arrays);
	if (extra_header)
		json_object_set(h, "extra", extra_header);
	char *text = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(h);
	if (!text)
		return pm_errf(err, "cannot encode the model header");
	size_t start = out->len;
	sbuf_add(out, magic, 8);
	put_u32(out, m->quant ? MODEL_FORMAT_QUANT : MODEL_FORMAT_VERSION);
	put_u32(out, 0);
	put_u64(out, strlen(text));
	sbuf_add(out, text, strlen(text));
	free(text);
	put_u64(out, total);
	for (size_t b = 0; b < m->nblocks; b++)
		if (!block_quantized(m, b))
			put_doubles(out, m->params + m->blocks[b].off, m->blocks[b].len);
	if (nscales) {
		double *sc = xmalloc(nscales * sizeof *sc);
		model_quant_scales(m, sc, true);
		put_doubles(out, sc, nscales);
		free(sc);
	}
	for (size_t i = 0; i < nextra; i++)
		put_doubles(out, extra[i].data, extra[i].len);
	if (m->quant) {
		size_t nb = model_quant_nbytes(m);
		unsigned char *bytes = xmalloc(nb + 1);
		model_quant_bytes(m, bytes, true);
		put_u64(out, nb);
		sbuf_add(out, (const char *)bytes, nb);
		free(bytes);
	}
	struct sha256 c;
	uint8_t dg[32];
	sha256_init(&c);
	sha256_update(&c, out->s + start, out->len - start);
	sha256_final(&c, dg);
	sbuf_add(out, (const char *)dg, 32);
	return 0;
}

/* The quantized parts of a file: the kind from the header, the scales from
 * the array after params, the bytes from the section after the numbers;
 * params get the stored float blocks and the dequantized ones. */
static int quant_read(struct model *m, json_t *qj, double *kept, const double *scales, size_t nscales,
		      const unsigned char *bytes, size_t nbytes, const char *what, struct pm_err *err)
{
	const char *kind = json_string_value(json_object_get(qj, "kind"));
	const char *mode = json_string_value(json_object_get(qj, "mode"));
	enum quant_kind k = kind && !strcmp(kind, "int8") ? QUANT_INT8 : kind && !strcmp(kind, "fp16") ? QUANT_FP16 : QUANT_NONE;
	if (k == QUANT_NONE || !mode || (strcmp(mode, "dynamic") && strcmp(mode, "static")) ||
	    !quant_type_ok(m->type))
		return pm_errf(err, "%s: bad quantization header", what);
	m->quant = model_quant_new(m, k, mode[0] == 's' ? QUANT_STATIC : QUANT_DYNAMIC);
	if (nscales != model_quant_nscales(m) || nbytes != model_quant_nbytes(m))
		return pm_errf(err, "%s: the quantized weights do not fit the model", what);
	m->params = xcalloc(m->nparams + 1, sizeof *m->params);
	size_t at = 0;
	for (size_t b = 0; b < m->nblocks; b++)
		if (!block_quantized(m, b)) {
			memcpy(m->params + m->blocks[b].off, kept + at, m->blocks[b].len * sizeof *kept);
			at += m->blocks[b].len;
		}
	if (nscales) {
		for (size_t i = 0; i < nscales; i++)
			if (!isfinite(scales[i]) || scales[i] < 0)
				return pm_errf(err, "%s: a quantization scale is negative, NaN or Inf", what);
		model_quant_scales(m, (double *)scales, false);
	}
	model_quant_bytes(m, (unsigned char *)bytes, false);
	return model_quant_finish(m, err);
}

void model_arrays_free(struct model_array *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].data);
	}
	free(a);
}

static int model_from_header(json_t *h, struct model **out, struct pm_err *err)
{
	json_t *mj = json_object_get(h, "model"), *schema = json_object_get(h, "schema");
	if (!json_is_object(mj) || !json_is_object(schema))
		return pm_errf(err, "the header has no model or schema");
	struct model *m = xcalloc(1, sizeof *m);
	if (transform_from_json(json_object_get(h, "transform"), &m->tf, err) < 0)
		goto bad;
	const char *type = json_string_value(json_object_get(mj, "type"));
	const char *task = json_string_value(json_object_get(mj, "task"));
	if (!type || !model_type_parse(type, &m->type)) {
		pm_errf(err, "unknown model type '%s'", type ? type : "");
		goto bad;
	}
	if (!task || (strcmp(task, "regression") && strcmp(task, "binary") && strcmp(task, "multiclass"))) {
		pm_errf(err, "unknown task '%s'", task ? task : "");
		goto bad;
	}
	m->task = task[0] == 'r' ? TASK_REGRESSION : task[0] == 'b' ? TASK_BINARY : TASK_MULTICLASS;
	if (!(model_types[m->type].tasks & MT_TASK(m->task))) {
		pm_errf(err, "a %s model cannot learn a %s label", type, task);
		goto bad;
	}
	m->nout = (int)json_integer_value(json_object_get(mj, "nout"));
	json_t *hidden = json_object_get(mj, "hidden"), *embed = json_object_get(mj, "embed");
	m->nhidden = (int)json_array_size(hidden);
	if (m->nout < 1 || m->nout > 100000 || m->nhidden > MODEL_MAX_LAYERS ||
	    json_array_size(embed) != m->tf->ncat) {
		pm_errf(err, "the model header is inconsistent");
		goto bad;
	}
	for (int l = 0; l < m->nhidden; l++)
		m->hidden[l] = (int)json_integer_value(json_array_get(hidden, (size_t)l));
	m->embed = xcalloc(m->tf->ncat + 1, sizeof *m->embed);
	for (size_t j = 0; j < m->tf->ncat; j++) {
		json_int_t e = json_integer_value(json_array_get(embed, j));
		if (e < 0 || e > 4096) {
			pm_errf(err, "the model header is inconsistent");
			goto bad;
		}
		m->embed[j] = (int)e;
	}
	m->dropout = json_number_value(json_object_get(mj, "dropout"));
	json_t *label = json_object_get(schema, "label");
	m->label = xstrdup(json_string_value(json_object_get(label, "name")) ?: "");
	if (!pm_type_parse(json_string_value(json_object_get(label, "type")) ?: "", &m->label_type))
		m->label_type = PM_FLOAT;
	if (m->task == TASK_REGRESSION) {
		m->label_mean = json_number_value(json_object_get(mj, "label_mean"));
		m->label_std = json_number_value(json_object_get(mj, "label_std"));
		if (!(m->label_std > 0) || !isfinite(m->label_mean)) {
			pm_errf(err, "the model header has a bad label scale");
			goto bad;
		}
	} else {
		if (ft_vocab_from_json(json_object_get(mj, "classes"), &m->classes, err) < 0)
			goto bad;
		json_t *pr = json_object_get(mj, "prior");
		if (m->classes.n < 2 || json_array_size(pr) != m->classes.n ||
		    (m->nout != 1 && (uint32_t)m->nout != m->classes.n)) {
			pm_errf(err, "the model header has inconsistent classes");
			goto bad;
		}
		m->prior = xcalloc(m->classes.n, sizeof *m->prior);
		for (uint32_t k = 0; k < m->classes.n; k++)
			m->prior[k] = json_number_value(json_array_get(pr, k));
	}
	if (model_layout(m, err) < 0)
		goto bad;
	m->hyper = json_incref(json_object_get(h, "hyperparameters"));
	m->metrics = json_incref(json_object_get(h, "metrics"));
	m->info = json_incref(json_object_get(h, "info"));
	*out = m;
	return 0;
bad:
	model_free(m);
	return -1;
}

int model_deserialize(const void *data, size_t len, const char *label, struct model **out,
		      json_t **extra_header, struct model_array **extra, size_t *nextra,
		      struct pm_err *err)
{
	const unsigned char *p = data;
	const char *what = label ? label : "model file";
	if (len < 24 || memcmp(p, magic, 8) != 0)
		return pm_errf(err, "%s: not a prodml model file", what);
	uint32_t version = get_u32(p + 8);
	if (version > MODEL_FORMAT_QUANT)
		return pm_errf(err, "%s: model file format %u is newer than this prodml reads (%d)", what,
			       version, MODEL_FORMAT_QUANT);
	uint64_t hlen = get_u64(p + 16);
	if (hlen > len || 24 + hlen + 8 + 32 > len)
		return pm_errf(err, "%s: truncated model file", what);
	uint64_t count = get_u64(p + 24 + hlen);
	size_t off = 24 + (size_t)hlen + 8;
	/* format 2 (quantized) ends its numbers with a byte section */
	size_t qtail = version >= MODEL_FORMAT_QUANT ? 8 : 0, nbytes = 0;
	if (!qtail) {
		if (count > (len - off) / 8 || off + count * 8 + 32 != len)
			return pm_errf(err, "%s: truncated model file (or trailing bytes)", what);
	} else {
		if (len - off < 40 || count > (len - off - 40) / 8)
			return pm_errf(err, "%s: truncated model file", what);
		uint64_t nb = get_u64(p + off + count * 8);
		if (nb > len || off + count * 8 + 8 + nb + 32 != len)
			return pm_errf(err, "%s: truncated model file (or trailing bytes)", what);
		nbytes = (size_t)nb;
	}
	struct sha256 c;
	uint8_t dg[32];
	sha256_init(&c);
	sha256_update(&c, p, len - 32);
	sha256_final(&c, dg);
	if (memcmp(dg, p + len - 32, 32) != 0)
		return pm_errf(err, "%s: checksum mismatch: the model file is corrupted", what);
	json_error_t je;
	json_t *h = json_loadb((const char *)p + 24, (size_t)hlen, 0, &je);
	if (!h)
		return pm_errf(err, "%s: bad header: %s", what, je.text);
	struct model *m = NULL;
	struct model_array *arr = NULL;
	size_t narr = 0;
	if (model_from_header(h, &m, err) < 0) {
		pm_err_prefix(err, "%s", what);
		json_decref(h);
		return -1;
	}
	json_t *arrays = json_object_get(h, "arrays");
	size_t sum = 0, i;
	json_t *a;
	json_array_foreach(arrays, i, a) {
		json_int_t l = json_integer_value(json_object_get(a, "len"));
		if (l < 0 || (uint64_t)l > count - sum) {
			pm_errf(err, "%s: array lengths do not add up", what);
			goto bad;
		}
		sum += (size_t)l;
	}
	json_t *qj = json_object_get(h, "quant");
	if (!qtail != !qj) {
		pm_errf(err, "%s: bad quantization header", what);
		goto bad;
	}
	size_t want = kept_params(m, qj != NULL);
	if (sum != count || json_array_size(arrays) < 1 ||
	    (size_t)json_integer_value(json_object_get(json_array_get(arrays, 0), "len")) != want) {
		pm_errf(err, "%s: the weights do not fit the model (%zu parameters expected)", what,
			m->nparams);
		goto bad;
	}
	narr = json_array_size(arrays);
	arr = xcalloc(narr, sizeof *arr);
	const unsigned char *q = p + off;
	for (i = 0; i < narr; i++) {
		json_t *ai = json_array_get(arrays, i);
		arr[i].name = xstrdup(json_string_value(json_object_get(ai, "name")) ?: "");
		arr[i].len = (size_t)json_integer_value(json_object_get(ai, "len"));
		arr[i].data = xmalloc((arr[i].len + 1) * sizeof(double));
		for (size_t k = 0; k < arr[i].len; k++, q += 8) {
			uint64_t u = get_u64(q);
			memcpy(&arr[i].data[k], &u, 8);
		}
	}
	size_t first_extra = 1;
	if (qj) {
		/* the scales are the array after params, when int8 */
		const char *n1 = narr > 1 ? arr[1].name : "";
		bool has_scales = !strcmp(n1, "quant.scales");
		if (quant_read(m, qj, arr[0].data, has_scales ? arr[1].data : NULL, has_scales ? arr[1].len : 0,
			       p + off + count * 8 + 8, nbytes, what, err) < 0)
			goto bad;
		first_extra = has_scales ? 2 : 1;
	} else {
		m->params = arr[0].data;
		arr[0].data = NULL;
	}
	for (size_t k = 0; k < m->nparams; k++)
		if (!isfinite(m->params[k])) {
			pm_errf(err, "%s: the weights hold NaN or Inf", what);
			goto bad;
		}
	if (extra_header)
		*extra_header = json_incref(json_object_get(h, "extra"));
	if (extra) {
		/* the caller gets the arrays after params */
		*extra = xcalloc(narr, sizeof **extra);
		for (i = first_extra; i < narr; i++)
			(*extra)[i - first_extra] = arr[i];
		*nextra = narr - first_extra;
		for (i = 0; i < first_extra; i++) {
			free(arr[i].name);
			free(arr[i].data);
		}
		free(arr);
	} else
		model_arrays_free(arr, narr);
	json_decref(h);
	*out = m;
	return 0;
bad:
	model_arrays_free(arr, narr);
	model_free(m);
	json_decref(h);
	return -1;
}

int model_load_file(const char *path, struct model **out, struct pm_err *err)
{
	struct fs_map map;
	if (fs_map_open(path, &map, err) < 0)
		return -1;
	int rc = model_deserialize(map.data, map.len, path, out, NULL, NULL, NULL, err);
	if (rc == 0 && fs_map_check(&map, path, err) < 0) {
		model_free(*out);
		*out = NULL;
		rc = -1;
	}
	fs_map_close(&map);
	return rc;
}
