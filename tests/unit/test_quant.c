/* Unit tests of quantization (src/model/quant.c, qkernel.c): the int8
 * kernels against a plain int64 sum and against each other, bit for bit;
 * halves against the compiler's _Float16; per-row scales on a worked
 * example; a quantized model's weights within half a step of the float
 * ones, its file round trip, its predictions the same with every kernel;
 * the errors. */
#include "model/model.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NROWS 40

static struct frame *make_frame(uint64_t seed, bool all_columns)
{
	struct rng r;
	rng_seed(&r, seed);
	struct frame *f = frame_new("g", NROWS, all_columns ? 4 : 1);
	column_init(&f->cols[0], "x1", PM_FLOAT, NROWS);
	if (all_columns) {
		column_init(&f->cols[1], "x2", PM_FLOAT, NROWS);
		column_init(&f->cols[2], "s", PM_STRING, NROWS);
		column_init(&f->cols[3], "h", PM_INT, NROWS);
	}
	const char *words[] = {"a", "b", "c", "d"};
	for (size_t i = 0; i < NROWS; i++) {
		f->cols[0].v.f64[i] = rng_normal(&r) * 3 + 1;
		f->cols[0].valid[i] = i != 5;
		if (!all_columns)
			continue;
		f->cols[1].v.f64[i] = rng_uniform(&r) * 10;
		f->cols[1].valid[i] = 1;
		const char *w = words[rng_below(&r, 4)];
		f->cols[2].v.code[i] = strdict_intern(f->cols[2].dict, w, 1);
		f->cols[2].valid[i] = 1;
		f->cols[3].v.i64[i] = (int64_t)rng_below(&r, 5);
		f->cols[3].valid[i] = 1;
	}
	for (size_t c = 0; c < f->ncols; c++)
		column_count_missing(&f->cols[c]);
	return f;
}

/* A binary model of `type` over x1, x2, s, h with random weights. */
static struct model *make_model(enum model_type type, const struct frame *f)
{
	const char *cols[] = {"x1", "x2", "s", "h"};
	struct ft_options o = {.columns = cols, .ncolumns = 4, .spec = "h=onehot", .crosses = "s*h:13"};
	struct pm_err err = {0};
	struct model *m = calloc(1, sizeof *m);
	ck_assert_msg(transform_fit(f, NULL, 0, &o, &m->tf, &err) == 0, "%s", err.msg);
	m->prior = calloc(2, sizeof(double));
	ft_vocab_add(&m->classes, "no", 2);
	ft_vocab_add(&m->classes, "yes", 3);
	ft_vocab_index(&m->classes);
	m->prior[0] = m->prior[1] = 0.5;
	m->label = strdup("y");
	m->label_type = PM_STRING;
	struct model_spec spec = {.type = type, .task = TASK_BINARY, .nout = 1, .nhidden = 2,
				  .hidden = {70, 9}, .seed = 11};
	if (!model_type_has(type, MT_DEEP))
		spec.nhidden = 0;
	ck_assert_msg(model_init(m, &spec, &err) == 0, "%s", err.msg);
	struct rng r;
	rng_seed(&r, 99);
	for (size_t i = 0; i < m->nparams; i++)
		m->params[i] = 0.5 * rng_normal(&r);
	return m;
}

START_TEST(test_kernels_exact)
{
	/* stride 64..192, odd row counts; the extremes (127 x -127 everywhere)
	 * are where an int16 step would saturate */
	struct rng r;
	rng_seed(&r, 5);
	const char *names[] = {"portable", "avx2", "avx512vnni"};
	size_t strides[] = {64, 128, 192, 640};
	int checked_simd = 0;
	for (size_t si = 0; si < 4; si++)
		for (int extreme = 0; extreme < 2; extreme++) {
			size_t stride = strides[si], dout = 37;
			int8_t *w = malloc(dout * stride), *q = malloc(stride);
			for (size_t i = 0; i < dout * stride; i++)
				w[i] = extreme ? 127 : (int8_t)((int)rng_below(&r, 255) - 127);
			for (size_t i = 0; i < stride; i++)
				q[i] = extreme ? -127 : (int8_t)((int)rng_below(&r, 255) - 127);
			int32_t want[37], got[37], rowsum[37 + 4];
			for (size_t k = 0; k < dout; k++) {
				int64_t s = 0;
				rowsum[k] = 0;
				for (size_t i = 0; i < stride; i++) {
					s += (int64_t)w[k * stride + i] * q[i];
					rowsum[k] += w[k * stride + i];
				}
				want[k] = (int32_t)s;
			}
			if (extreme)
				ck_assert_int_eq(want[0], -127 * 127 * (int)stride);
			for (size_t n = 0; n < 3; n++) {
				const struct qk_ops *ops = qk_ops_get(names[n]);
				if (!ops)
					continue;
				checked_simd += n > 0;
				memset(got, 0x55, sizeof got);
				ops->gemv(w, rowsum, dout, stride, q, got);
				ck_assert_msg(memcmp(got, want, sizeof want) == 0, "kernel %s, stride %zu", names[n], stride);
			}
			free(w);
			free(q);
		}
	ck_assert_ptr_nonnull(qk_ops_get("portable"));
	ck_assert_ptr_null(qk_ops_get("nonesuch"));
	ck_assert_ptr_nonnull(qk_ops_get(NULL));
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2"))
		ck_assert_int_gt(checked_simd, 0);
#endif
}
END_TEST

START_TEST(test_quantize_requant_exact)
{
	/* every kernel set's quantize and requant give the portable bits:
	 * values past the clamp, halves (x.5 rounds away from zero), -0.0 */
	struct rng r;
	rng_seed(&r, 9);
	enum { N = 203 };
	double a[N], scale[N], bias[N], o0[N], o1[N];
	int32_t acc[N];
	int8_t q0[N], q1[N];
	for (size_t i = 0; i < N; i++) {
		a[i] = i % 9 == 0 ? (double)((int)rng_below(&r, 300) - 150) + 0.5 : rng_normal(&r) * 80;
		scale[i] = rng_uniform(&r) * 1e-3;
		bias[i] = rng_normal(&r);
		acc[i] = (int32_t)rng_below(&r, 2000000) - 1000000;
	}
	a[1] = -0.0;
	a[2] = 2.5;
	a[3] = -2.5;
	const struct qk_ops *p = qk_ops_get("portable");
	p->quantize(a, N, 1.0, q0);
	ck_assert_int_eq(q0[1], 0);
	ck_assert_int_eq(q0[2], 3);
	ck_assert_int_eq(q0[3], -3);
	const char *names[] = {"avx2", "avx512vnni"};
	for (int n = 0; n < 2; n++) {
		const struct qk_ops *ops = qk_ops_get(names[n]);
		if (!ops)
			continue;
		for (double inv = 0.25; inv < 5; inv *= 2.5) {
			p->quantize(a, N, inv, q0);
			ops->quantize(a, N, inv, q1);
			ck_assert_int_eq(memcmp(q0, q1, N), 0);
		}
		for (size_t len = 0; len <= N; len += 7)
			ck_assert(ops->absmax(a, len) == p->absmax(a, len));
		double mx = 0;
		for (size_t i = 0; i < N; i++)
			mx = fmax(mx, fabs(a[i]));
		ck_assert(p->absmax(a, N) == mx && mx > 100);
		for (int relu = 0; relu < 2; relu++) {
			p->requant(acc, scale, bias, 0.37, N, relu, o0);
			ops->requant(acc, scale, bias, 0.37, N, relu, o1);
			ck_assert_int_eq(memcmp(o0, o1, sizeof o0), 0);
		}
	}
}
END_TEST

START_TEST(test_halves)
{
	/* worked values */
	ck_assert_uint_eq(quant_half_from_float(1.0f), 0x3c00);
	ck_assert_uint_eq(quant_half_from_float(-2.0f), 0xc000);
	ck_assert_uint_eq(quant_half_from_float(65504.0f), 0x7bff);
	ck_assert_uint_eq(quant_half_from_float(1e9f), 0x7bff); /* past the largest: the largest */
	ck_assert_uint_eq(quant_half_from_float(0x1p-24f), 0x0001);
	ck_assert_uint_eq(quant_half_from_float(0.1f), 0x2e66);
	ck_assert(quant_half_to_float(0x2e66) == 0.0999755859375f);
	ck_assert(quant_half_to_float(0x0001) == 0x1p-24f);
#if defined(__FLT16_MAX__)
	/* against the compiler's conversion (round to nearest even) */
	struct rng r;
	rng_seed(&r, 3);
	for (int i = 0; i < 200000; i++) {
		float f = (float)(rng_normal(&r) * ldexp(1.0, (int)rng_below(&r, 40) - 30));
		if (fabsf(f) > 65504.0f)
			continue;
		_Float16 h = (_Float16)f;
		uint16_t bits;
		memcpy(&bits, &h, 2);
		ck_assert_msg(quant_half_from_float(f) == bits, "%a: %04x, want %04x", (double)f,
			      quant_half_from_float(f), bits);
		ck_assert(quant_half_to_float(bits) == (float)h);
	}
#endif
}
END_TEST

START_TEST(test_row_scale_worked)
{
	/* max |w| = 1.27: scale 0.01; 0.5 -> 50, -1.27 -> -127, 0.004 -> 0, 0.016 -> 2 */
	double w[] = {0.5, -1.27, 0.004, 0.016};
	double s = quant_act_scale(w, 4);
	ck_assert_double_eq_tol(s, 0.01, 1e-15);
	int8_t q[4];
	quant_act_row(w, 4, s, q);
	ck_assert_int_eq(q[0], 50);
	ck_assert_int_eq(q[1], -127);
	ck_assert_int_eq(q[2], 0);
	ck_assert_int_eq(q[3], 2);
	/* a fixed (static) scale clips what lies past it */
	quant_act_row(w, 4, 0.005, q);
	ck_assert_int_eq(q[0], 100);
	ck_assert_int_eq(q[1], -127);
	/* all zero: scale 0, every value 0 */
	double z[] = {0, 0};
	ck_assert(quant_act_scale(z, 2) == 0);
	quant_act_row(z, 2, 0, q);
	ck_assert_int_eq(q[0], 0);
}
END_TEST

START_TEST(test_quantized_model)
{
	struct frame *f = make_frame(7, true);
	enum quant_kind kinds[] = {QUANT_INT8, QUANT_INT8, QUANT_FP16};
	enum quant_mode modes[] = {QUANT_DYNAMIC, QUANT_STATIC, QUANT_DYNAMIC};
	for (int wide = 0; wide < 2; wide++)
		for (int ki = 0; ki < 3; ki++) {
			struct model *m = make_model(wide ? MODEL_WIDE_DEEP : MODEL_DNN, f), *q = NULL;
			struct pm_err err = {0};
			ck_assert_msg(model_quantize(m, kinds[ki], modes[ki], modes[ki] == QUANT_STATIC ? f : NULL, 1,
						     &q, &err) == 0, "%s", err.msg);
			/* each weight within half a step of its row's scale (int8), or
			 * half a half's ulp (fp16) */
			for (int l = 0; l <= m->nhidden; l++) {
				const struct quant_layer *ly = &q->quant->layer[l];
				for (size_t k = 0; k < ly->dout; k++)
					for (size_t i = 0; i < ly->din; i++) {
						double a = m->params[m->off_w[l] + k * ly->din + i];
						double b = q->params[q->off_w[l] + k * ly->din + i];
						double tol = kinds[ki] == QUANT_INT8 ? ly->scale[k] / 2 * (1 + 1e-12)
										 : fabs(a) * 0x1p-11 + 0x1p-25;
						ck_assert_msg(fabs(a - b) <= tol, "layer %d [%zu][%zu]: %g vs %g", l, k, i, a, b);
					}
			}
			/* the file: smaller, and it reads back to the same predictions */
			struct sbuf fa = {0}, fb = {0};
			ck_assert_int_eq(model_serialize(m, NULL, NULL, 0, &fa, &err), 0);
			ck_assert_int_eq(model_serialize(q, NULL, NULL, 0, &fb, &err), 0);
			ck_assert_uint_lt(fb.len, fa.len);
			struct model *back = NULL;
			ck_assert_msg(model_deserialize(fb.s, fb.len, NULL, &back, NULL, NULL, NULL, &err) == 0, "%s", err.msg);
			double pf[NROWS], pq[NROWS], pb[NROWS], pp[NROWS];
			ck_assert_int_eq(model_predict_frame(m, f, NULL, NROWS, 1, pf, &err), 0);
			ck_assert_int_eq(model_predict_frame(q, f, NULL, NROWS, 1, pq, &err), 0);
			ck_assert_int_eq(model_predict_frame(back, f, NULL, NROWS, 2, pb, &err), 0);
			for (size_t i = 0; i < NROWS; i++)
				ck_assert_msg(pq[i] == pb[i], "wide %d kind %d row %zu: %a vs %a (float %a) nparams %zu %zu params-equal %d", wide, ki, i, pq[i], pb[i], pf[i], q->nparams, back->nparams, memcmp(q->params, back->params, q->nparams * 8));
			/* the portable kernel gives the SIMD kernel's bits */
			back->quant->ops = qk_ops_get("portable");
			ck_assert_int_eq(model_predict_frame(back, f, NULL, NROWS, 1, pp, &err), 0);
			ck_assert_int_eq(memcmp(pq, pp, sizeof pq), 0);
			/* near the float model (probabilities) */
			double worst = 0;
			for (size_t i = 0; i < NROWS; i++)
				worst = fmax(worst, fabs(pq[i] - pf[i]));
			ck_assert_msg(worst < (kinds[ki] == QUANT_INT8 ? 0.05 : 1e-3), "worst %g", worst);
			ck_assert_msg(worst > 0, "quantization changed nothing");
			/* a truncated byte section is an error, not a crash */
			struct model *bad = NULL;
			ck_assert_int_eq(model_deserialize(fb.s, fb.len - 40, NULL, &bad, NULL, NULL, NULL, &err), -1);
			ck_assert_ptr_null(bad);
			free(fa.s);
			free(fb.s);
			model_free(back);
			model_free(q);
			model_free(m);
		}
	frame_free(f);
}
END_TEST

START_TEST(test_quantize_errors)
{
	struct frame *f = make_frame(7, true), *thin = make_frame(7, false);
	struct model *lin = make_model(MODEL_LOGISTIC, f), *dnn = make_model(MODEL_DNN, f), *q = NULL;
	struct pm_err err = {0};
	ck_assert_int_eq(model_quantize(lin, QUANT_INT8, QUANT_DYNAMIC, NULL, 1, &q, &err), -1);
	ck_assert_str_eq(err.msg, "a logistic model cannot be quantized: only dnn and wide-deep models can "
				  "(quantization shrinks the hidden layers and embeddings)");
	ck_assert_int_eq(model_quantize(dnn, QUANT_INT8, QUANT_STATIC, thin, 1, &q, &err), -1);
	ck_assert_str_eq(err.msg, "calibration dataset 'g' lacks the model's features x2, s, h");
	ck_assert_int_eq(model_quantize(dnn, QUANT_INT8, QUANT_STATIC, NULL, 1, &q, &err), -1);
	ck_assert_str_eq(err.msg, "--mode static needs --calibrate NAME: the activation scales are measured on its rows");
	ck_assert_int_eq(model_quantize(dnn, QUANT_FP16, QUANT_DYNAMIC, f, 1, &q, &err), -1);
	ck_assert_str_eq(err.msg, "--calibrate is for --int8 --mode static only: fp16 weights need no data");
	ck_assert_int_eq(model_quantize(dnn, QUANT_FP16, QUANT_DYNAMIC, NULL, 1, &q, &err), 0);
	struct model *qq = NULL;
	ck_assert_int_eq(model_quantize(q, QUANT_INT8, QUANT_DYNAMIC, NULL, 1, &qq, &err), -1);
	ck_assert_str_eq(err.msg, "the model is already quantized (fp16); quantize its float parent");
	model_free(q);
	model_free(lin);
	model_free(dnn);
	frame_free(f);
	frame_free(thin);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("quant");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kernels_exact);
	tcase_add_test(tc, test_quantize_requant_exact);
	tcase_add_test(tc, test_halves);
	tcase_add_test(tc, test_row_scale_worked);
	tcase_add_test(tc, test_quantized_model);
	tcase_add_test(tc, test_quantize_errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
