/* Post-training quantization of the deep part (TensorFlow Lite's two int8
 * modes and fp16), and its forward pass.
 *
 * int8 keeps one scale per output row of each layer (per-channel
 * symmetric: a row of small weights keeps its precision beside a row of
 * large ones) and one per embedding row.  A layer's input is quantized per
 * row from its own range ("dynamic", the default: no data needed, and an
 * input never clips) or with one scale per layer measured on calibration
 * rows ("static": no range scan per row, the scales an integer-only device
 * needs; inputs past the calibrated range clip at +-127).
 *
 * Every double operation here is written once, in one order, and
 * export-c.c emits the same operations: the standalone predictor gives
 * these bits. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *quant_kind_name(enum quant_kind k)
{
	return k == QUANT_INT8 ? "int8" : k == QUANT_FP16 ? "fp16" : "float64";
}

const char *quant_mode_name(enum quant_mode m)
{
	return m == QUANT_STATIC ? "static" : "dynamic";
}

bool quant_type_ok(enum model_type t)
{
	return model_type_has(t, MT_DEEP);
}

/* ---- halves ------------------------------------------------------------------------ */

uint16_t quant_half_from_float(float f)
{
	uint32_t x;
	memcpy(&x, &f, 4);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
	uint32_t ax = x & 0x7fffffffu;
	if (ax >= 0x7f800000u) /* inf or NaN: weights are finite; keep them so */
		return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0));
	if (ax >= 0x477ff000u) /* rounds past 65504: the largest half */
		return (uint16_t)(sign | 0x7bffu);
	if (ax < 0x38800000u) /* below 2^-14: a subnormal half, in units of 2^-24 (exact scaling) */
		return (uint16_t)(sign | (uint16_t)lrintf(fabsf(f) * 0x1p24f));
	uint32_t e = (ax >> 23) - 112, mant = ax & 0x7fffffu;
	uint32_t h = (e << 10) | (mant >> 13), rem = mant & 0x1fffu;
	if (rem > 0x1000u || (rem == 0x1000u && (h & 1)))
		h++; /* a carry into the exponent is the right rounding too */
	return (uint16_t)(sign | h);
}

float quant_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, mant = h & 0x3ffu, x;
	if (e == 0) {
		float f = ldexpf((float)mant, -24);
		return sign ? -f : f;
	}
	if (e == 31)
		x = sign | 0x7f800000u | (mant << 13);
	else
		x = sign | ((e + 112) << 23) | (mant << 13);
	float f;
	memcpy(&f, &x, 4);
	return f;
}

/* ---- int8 helpers ---------------------------------------------------------------------- */

/* The largest |a| in four running maxima: a maximum is the same in any
 * order, and four chains run at once. */
double quant_act_scale(const double *a, size_t n)
{
	double m0 = 0, m1 = 0, m2 = 0, m3 = 0;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		double v0 = fabs(a[i]), v1 = fabs(a[i + 1]), v2 = fabs(a[i + 2]), v3 = fabs(a[i + 3]);
		m0 = v0 > m0 ? v0 : m0;
		m1 = v1 > m1 ? v1 : m1;
		m2 = v2 > m2 ? v2 : m2;
		m3 = v3 > m3 ? v3 : m3;
	}
	for (; i < n; i++) {
		double v = fabs(a[i]);
		m0 = v > m0 ? v : m0;
	}
	m0 = m1 > m0 ? m1 : m0;
	m2 = m3 > m2 ? m3 : m2;
	return (m2 > m0 ? m2 : m0) / 127.0;
}

void quant_act_row(const double *a, size_t n, double s, int8_t *q)
{
	if (!(s > 0))
		memset(q, 0, n);
	else
		qk_ops_get("portable")->quantize(a, n, 1.0 / s, q);
}

/* One row of weights to int8 with its scale. */
static double quant_row(const double *w, size_t n, int8_t *q)
{
	double s = quant_act_scale(w, n);
	quant_act_row(w, n, s, q);
	return s;
}

/* ---- the layers' and embeddings' storage ------------------------------------------------- */

void model_quant_free(struct model_quant *q)
{
	if (!q)
		return;
	for (int l = 0; l < q->nlayers; l++) {
		free(q->layer[l].w8);
		free(q->layer[l].scale);
		free(q->layer[l].rowsum);
		free(q->layer[l].wf);
		free(q->layer[l].w16);
	}
	free(q->emb8);
	free(q->emb_scale);
	free(q->emb16);
	free(q);
}

/* The embedding rows in block order (the layout places the slots' tables
 * one after another in feature order): calls fn for each. */
static size_t emb_rows(const struct model *m, size_t *widths)
{
	const struct transform *t = m->tf;
	size_t n = 0;
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
			continue;
		for (uint32_t c = 0; c < ft->card; c++) {
			if (widths)
				widths[n] = (size_t)m->embed[ft->cat_slot];
			n++;
		}
	}
	return n;
}

static size_t emb_start(const struct model *m)
{
	for (size_t b = 0; b < m->nblocks; b++)
		if (!strcmp(m->blocks[b].name, "embeddings"))
			return m->blocks[b].off;
	return 0;
}

/* Allocates q's arrays for m's shapes. */
static struct model_quant *quant_alloc(const struct model *m, enum quant_kind kind, enum quant_mode mode)
{
	struct model_quant *q = xcalloc(1, sizeof *q);
	q->kind = kind;
	q->mode = mode;
	q->nlayers = m->nhidden + 1;
	for (int l = 0; l < q->nlayers; l++) {
		struct quant_layer *ly = &q->layer[l];
		ly->din = m->dims[l];
		ly->dout = m->dims[l + 1];
		ly->stride = (ly->din + QK_ALIGN - 1) / QK_ALIGN * QK_ALIGN;
		if (kind == QUANT_INT8) {
			ly->w8 = xcalloc(ly->dout * ly->stride, 1);
			ly->scale = xcalloc(ly->dout, sizeof *ly->scale);
			ly->rowsum = xcalloc(ly->dout + 4, sizeof *ly->rowsum);
		} else {
			ly->wf = xcalloc(ly->dout * ly->din + 1, sizeof *ly->wf);
			ly->w16 = xcalloc(ly->dout * ly->din + 1, sizeof *ly->w16);
		}
	}
	q->emb_rows = emb_rows(m, NULL);
	for (size_t b = 0; b < m->nblocks; b++)
		if (!strcmp(m->blocks[b].name, "embeddings"))
			q->emb_len = m->blocks[b].len;
	if (kind == QUANT_INT8) {
		q->emb8 = xcalloc(q->emb_len + 1, 1);
		q->emb_scale = xcalloc(q->emb_rows + 1, sizeof *q->emb_scale);
	} else
		q->emb16 = xcalloc(q->emb_len + 1, sizeof *q->emb16);
	return q;
}

int model_quant_finish(struct model *m, struct pm_err *err)
{
	struct model_quant *q = m->quant;
	(void)err;
	for (int l = 0; l < q->nlayers; l++) {
		struct quant_layer *ly = &q->layer[l];
		double *w = m->params + m->off_w[l];
		for (size_t k = 0; k < ly->dout && q->kind == QUANT_INT8; k++) {
			ly->rowsum[k] = 0;
			for (size_t i = 0; i < ly->din; i++)
				ly->rowsum[k] += ly->w8[k * ly->stride + i];
		}
		for (size_t k = 0; k < ly->dout; k++)
			for (size_t i = 0; i < ly->din; i++) {
				if (q->kind == QUANT_INT8) {
					w[k * ly->din + i] = (double)ly->w8[k * ly->stride + i] * ly->scale[k];
				} else {
					ly->wf[k * ly->din + i] = quant_half_to_float(ly->w16[k * ly->din + i]);
					w[k * ly->din + i] = (double)ly->wf[k * ly->din + i];
				}
			}
	}
	double *e = m->params + emb_start(m);
	size_t *widths = xcalloc(q->emb_rows + 1, sizeof *widths);
	emb_rows(m, widths);
	for (size_t r = 0, off = 0; r < q->emb_rows; off += widths[r], r++)
		for (size_t i = 0; i < widths[r]; i++)
			e[off + i] = q->kind == QUANT_INT8 ? (double)q->emb8[off + i] * q->emb_scale[r]
							   : (double)quant_half_to_float(q->emb16[off + i]);
	free(widths);
	q->ops = qk_ops_get(NULL);
	return 0;
}

/* ---- calibration ------------------------------------------------------------------------ */

#define CALIB_MAX_ROWS 10000

/* max |input| of each layer over the calibration rows, the float model's
 * own forward pass (the scales the quantized model will meet). */
static int calibrate(const struct model *m, const struct frame *f, int threads, double *amax,
		     struct pm_err *err)
{
	const struct transform *t = m->tf;
	size_t n = f->nrows < CALIB_MAX_ROWS ? f->nrows : CALIB_MAX_ROWS;
	if (n == 0)
		return pm_errcf(err, PM_E_USAGE, "calibration dataset '%s' has no rows", f->name);
	/* rows spread over the whole dataset, not its first n */
	size_t *rows = xmalloc(n * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = (size_t)((double)i * (double)f->nrows / (double)n);
	int *colmap = xmalloc((t->ninputs + 1) * sizeof *colmap);
	double *dense = xmalloc((n * t->ndense + 1) * sizeof *dense);
	uint32_t *cat = xmalloc((n * t->ncat + 1) * sizeof *cat);
	int rc = transform_bind(t, f, colmap, err);
	if (rc == 0)
		rc = transform_apply_rows(t, f, colmap, rows, n, dense, cat, threads, err);
	size_t wmax = m->d0;
	for (int l = 1; l <= m->nhidden + 1; l++)
		if (m->dims[l] > wmax)
			wmax = m->dims[l];
	double *a = xmalloc(wmax * sizeof *a), *o = xmalloc(wmax * sizeof *o);
	for (int l = 0; l <= m->nhidden; l++)
		amax[l] = 0;
	for (size_t r = 0; rc == 0 && r < n; r++) {
		model_deep_input(m, dense + r * t->ndense, cat + r * t->ncat, 1, a);
		for (int l = 0; l <= m->nhidden; l++) {
			size_t din = m->dims[l], dout = m->dims[l + 1];
			for (size_t i = 0; i < din; i++)
				if (fabs(a[i]) > amax[l])
					amax[l] = fabs(a[i]);
			if (l == m->nhidden)
				break;
			const double *W = m->params + m->off_w[l], *b = m->params + m->off_bias[l];
			for (size_t k = 0; k < dout; k++) {
				double v = b[k];
				for (size_t i = 0; i < din; i++)
					v += W[k * din + i] * a[i];
				o[k] = v > 0 ? v : 0;
			}
			memcpy(a, o, dout * sizeof *a);
		}
	}
	free(a);
	free(o);
	free(rows);
	free(colmap);
	free(dense);
	free(cat);
	return rc;
}

/* The model's inputs that f lacks, all of them in one message. */
static int check_features(const struct model *m, const struct frame *f, struct pm_err *err)
{
	struct sbuf b = {0};
	size_t n = 0;
	for (size_t i = 0; i < m->tf->ninputs; i++)
		if (frame_col_index(f, m->tf->inputs[i].name) < 0)
			sbuf_printf(&b, "%s%s", n++ ? ", " : "", m->tf->inputs[i].name);
	if (!n)
		return 0;
	pm_errcf(err, PM_E_USAGE, "calibration dataset '%s' lacks the model's feature%s %s", f->name,
		 n == 1 ? "" : "s", b.s);
	free(b.s);
	return -1;
}

int model_quantize(const struct model *src, enum quant_kind kind, enum quant_mode mode,
		   const struct frame *calib, int threads, struct model **out, struct pm_err *err)
{
	*out = NULL;
	if (src->quant)
		return pm_errcf(err, PM_E_USAGE, "the model is already quantized (%s); quantize its float parent",
				quant_kind_name(src->quant->kind));
	if (!quant_type_ok(src->type)) {
		char *ok = model_type_list(MT_DEEP, ", ", " and ");
		pm_errcf(err, PM_E_USAGE,
			 "a %s model cannot be quantized: only %s models can (quantization shrinks "
			 "the hidden layers and embeddings)", model_type_name(src->type), ok);
		free(ok);
		return -1;
	}
	if (kind == QUANT_INT8 && mode == QUANT_STATIC && !calib)
		return pm_errcf(err, PM_E_USAGE, "--mode static needs --calibrate NAME: the activation "
				"scales are measured on its rows");
	if (calib && !(kind == QUANT_INT8 && mode == QUANT_STATIC))
		return pm_errcf(err, PM_E_USAGE, "--calibrate is for --int8 --mode static only: "
				"%s weights need no data", kind == QUANT_FP16 ? "fp16" : "dynamic int8");
	double amax[MODEL_MAX_LAYERS + 1] = {0};
	if (calib && (check_features(src, calib, err) < 0 || calibrate(src, calib, threads, amax, err) < 0))
		return -1;
	/* a copy through the file format: every part owned anew */
	struct sbuf file = {0};
	struct model *m = NULL;
	if (model_serialize(src, NULL, NULL, 0, &file, err) < 0 ||
	    model_deserialize(file.s, file.len, NULL, &m, NULL, NULL, NULL, err) < 0) {
		free(file.s);
		return -1;
	}
	free(file.s);
	struct model_quant *q = m->quant = quant_alloc(m, kind, mode);
	for (int l = 0; l < q->nlayers; l++) {
		struct quant_layer *ly = &q->layer[l];
		const double *w = m->params + m->off_w[l];
		ly->act_scale = amax[l] / 127.0;
		for (size_t k = 0; k < ly->dout; k++) {
			if (kind == QUANT_INT8)
				ly->scale[k] = quant_row(w + k * ly->din, ly->din, ly->w8 + k * ly->stride);
			else
				for (size_t i = 0; i < ly->din; i++)
					ly->w16[k * ly->din + i] = quant_half_from_float((float)w[k * ly->din + i]);
		}
	}
	const double *e = m->params + emb_start(m);
	size_t *widths = xcalloc(q->emb_rows + 1, sizeof *widths);
	emb_rows(m, widths);
	for (size_t r = 0, off = 0; r < q->emb_rows; off += widths[r], r++) {
		if (kind == QUANT_INT8)
			q->emb_scale[r] = quant_row(e + off, widths[r], q->emb8 + off);
		else
			for (size_t i = 0; i < widths[r]; i++)
				q->emb16[off + i] = quant_half_from_float((float)e[off + i]);
	}
	free(widths);
	model_quant_finish(m, err);
	*out = m;
	return 0;
}

/* ---- serialising the stored parts (file.c writes them) ---------------------------------- */

size_t model_quant_nscales(const struct model *m)
{
	const struct model_quant *q = m->quant;
	if (q->kind != QUANT_INT8)
		return 0;
	size_t n = q->emb_rows + (size_t)q->nlayers;
	for (int l = 0; l < q->nlayers; l++)
		n += q->layer[l].dout;
	return n;
}

/* scales: each layer's row scales, the embedding rows', each layer's
 * activation scale (0 in dynamic mode). */
void model_quant_scales(const struct model *m, double *s, bool store)
{
	struct model_quant *q = m->quant;
	size_t k = 0;
	for (int l = 0; l < q->nlayers; l++)
		for (size_t r = 0; r < q->layer[l].dout; r++, k++) {
			if (store)
				s[k] = q->layer[l].scale[r];
			else
				q->layer[l].scale[r] = s[k];
		}
	for (size_t r = 0; r < q->emb_rows; r++, k++) {
		if (store)
			s[k] = q->emb_scale[r];
		else
			q->emb_scale[r] = s[k];
	}
	for (int l = 0; l < q->nlayers; l++, k++) {
		if (store)
			s[k] = q->layer[l].act_scale;
		else
			q->layer[l].act_scale = s[k];
	}
}

size_t model_quant_nbytes(const struct model *m)
{
	const struct model_quant *q = m->quant;
	size_t per = q->kind == QUANT_INT8 ? 1 : 2, n = q->emb_len;
	for (int l = 0; l < q->nlayers; l++)
		n += q->layer[l].din * q->layer[l].dout;
	return n * per;
}

/* The bytes: each layer's weights (row by row, unpadded), then the
 * embeddings; halves little endian. */
void model_quant_bytes(const struct model *m, unsigned char *p, bool store)
{
	struct model_quant *q = m->quant;
	for (int l = 0; l < q->nlayers; l++) {
		struct quant_layer *ly = &q->layer[l];
		for (size_t k = 0; k < ly->dout; k++)
			for (size_t i = 0; i < ly->din; i++) {
				if (q->kind == QUANT_INT8) {
					if (store)
						*p = (unsigned char)ly->w8[k * ly->stride + i];
					else
						ly->w8[k * ly->stride + i] = (int8_t)*p;
					p++;
				} else {
					uint16_t *h = &ly->w16[k * ly->din + i];
					if (store) {
						p[0] = (unsigned char)(*h & 0xff);
						p[1] = (unsigned char)(*h >> 8);
					} else
						*h = (uint16_t)(p[0] | p[1] << 8);
					p += 2;
				}
			}
	}
	for (size_t i = 0; i < q->emb_len; i++) {
		if (q->kind == QUANT_INT8) {
			if (store)
				*p = (unsigned char)q->emb8[i];
			else
				q->emb8[i] = (int8_t)*p;
			p++;
		} else {
			if (store) {
				p[0] = (unsigned char)(q->emb16[i] & 0xff);
				p[1] = (unsigned char)(q->emb16[i] >> 8);
			} else
				q->emb16[i] = (uint16_t)(p[0] | p[1] << 8);
			p += 2;
		}
	}
}

struct model_quant *model_quant_new(const struct model *m, enum quant_kind kind, enum quant_mode mode)
{
	return quant_alloc(m, kind, mode);
}

/* ---- forward ---------------------------------------------------------------------------- */

static size_t widest(const struct model *m)
{
	size_t w = m->d0;
	for (int l = 1; l <= m->nhidden + 1; l++)
		if (m->dims[l] > w)
			w = m->dims[l];
	return (w + QK_ALIGN - 1) / QK_ALIGN * QK_ALIGN;
}

/* fp16 layers run QROWS rows at once, one row to a vector lane: each lane
 * does exactly the scalar sums of the exported code, in its order (vector
 * arithmetic is element-wise IEEE, not fused), so a row's bits do not
 * depend on its neighbours; the block only shares the weights' loads. */
#define QROWS MODEL_QROWS
typedef float vf8 __attribute__((vector_size(QROWS * sizeof(float)), aligned(4)));
typedef int vi8 __attribute__((vector_size(QROWS * sizeof(float))));

__attribute__((target_clones("avx2", "default")))
static void layer_f16_rows(const float *W, const double *bias, size_t din, size_t dout, const vf8 *a,
			   vf8 *o, bool relu)
{
	const vf8 zero = {0};
	for (size_t k = 0; k < dout; k++) {
		const float *r = W + k * din;
		vf8 s0 = zero, s1 = zero, s2 = zero, s3 = zero;
		size_t i = 0;
		for (; i + 4 <= din; i += 4) {
			s0 += r[i] * a[i];
			s1 += r[i + 1] * a[i + 1];
			s2 += r[i + 2] * a[i + 2];
			s3 += r[i + 3] * a[i + 3];
		}
		for (; i < din; i++)
			s0 += r[i] * a[i];
		vf8 v = ((s0 + s1) + (s2 + s3)) + (float)bias[k];
		if (relu) /* v > 0 ? v : 0, lane by lane (NaN and -0 give +0) */
			v = (vf8)((vi8)v & (v > zero));
		o[k] = v;
	}
}

size_t model_quant_scratch_size(const struct model *m)
{
	size_t w = widest(m);
	size_t i8 = w * (2 * sizeof(double) + sizeof(int32_t) + 1), f16 = 2 * w * sizeof(vf8);
	return (i8 > f16 ? i8 : f16) + 64;
}

static void deep_int8(const struct model *m, const double *in, double *z, void *scratch)
{
	const struct model_quant *q = m->quant;
	size_t w = widest(m), K = (size_t)m->nout;
	double *a = scratch, *o = a + w;
	int32_t *acc = (int32_t *)(o + w);
	int8_t *qa = (int8_t *)(acc + w);
	int L = m->nhidden;
	memcpy(a, in, m->d0 * sizeof *a);
	for (int l = 0; l <= L; l++) {
		const struct quant_layer *ly = &q->layer[l];
		const double *bias = m->params + m->off_bias[l];
		double s = q->mode == QUANT_STATIC ? ly->act_scale : q->ops->absmax(a, ly->din) / 127.0;
		if (s > 0)
			q->ops->quantize(a, ly->din, 1.0 / s, qa);
		else
			memset(qa, 0, ly->din);
		memset(qa + ly->din, 0, ly->stride - ly->din);
		q->ops->gemv(ly->w8, ly->rowsum, ly->dout, ly->stride, qa, acc);
		q->ops->requant(acc, ly->scale, bias, s, ly->dout, l < L, o);
		double *t = a;
		a = o;
		o = t;
	}
	for (size_t k = 0; k < K; k++)
		z[k] += a[k];
}

/* n <= QROWS rows; lanes past n compute a copy of the first row. */
static void deep_fp16(const struct model *m, const double *in, size_t n, double *z, void *scratch)
{
	const struct model_quant *q = m->quant;
	size_t w = widest(m), K = (size_t)m->nout, d0 = m->d0;
	vf8 *a = scratch, *o = a + w;
	for (size_t i = 0; i < d0; i++)
		for (size_t r = 0; r < QROWS; r++)
			a[i][r] = (float)in[(r < n ? r : 0) * d0 + i];
	int L = m->nhidden;
	for (int l = 0; l <= L; l++) {
		const struct quant_layer *ly = &q->layer[l];
		layer_f16_rows(ly->wf, m->params + m->off_bias[l], ly->din, ly->dout, a, o, l < L);
		vf8 *t = a;
		a = o;
		o = t;
	}
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < K; k++)
			z[r * K + k] += (double)a[k][r];
}

void model_quant_deep(const struct model *m, const double *in, size_t n, double *z, void *scratch)
{
	size_t K = (size_t)m->nout;
	if (m->quant->kind == QUANT_FP16)
		for (size_t i = 0; i < n; i += QROWS)
			deep_fp16(m, in + i * m->d0, n - i < QROWS ? n - i : QROWS, z + i * K, scratch);
	else
		for (size_t i = 0; i < n; i++)
			deep_int8(m, in + i * m->d0, z + i * K, scratch);
}
