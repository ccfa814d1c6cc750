/* int8 matrix-vector kernels of quantized models: int8 weights times int8
 * activations, accumulated in int32.  Integer sums are exact in any order,
 * so every kernel gives the same bits and a quantized model predicts the
 * same on every CPU; tests/unit/test_quant.c holds them to that.
 *
 * Activations are clamped to [-127, 127] (quant_act_row), so the AVX2
 * kernel's pairwise int16 sums (maddubs: at most 2 * 127 * 127) never
 * saturate.  The SIMD kernels are compiled for their instruction sets
 * whatever the build's flags and picked at run time by the CPU's features. */
#include "model.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define QK_X86 1
#endif

static void gemv_portable(const int8_t *w, const int32_t *rowsum, size_t dout, size_t stride, const int8_t *q, int32_t *acc)
{
	(void)rowsum;
	for (size_t k = 0; k < dout; k++) {
		const int8_t *r = w + k * stride;
		int32_t s = 0;
		for (size_t i = 0; i < stride; i++)
			s += (int32_t)r[i] * (int32_t)q[i];
		acc[k] = s;
	}
}

/* x = a * inv clamped to [-127, 127], rounded half away from zero: the
 * vector form below does the same operations lane by lane. */
static void quantize_portable(const double *a, size_t n, double inv, int8_t *q)
{
	for (size_t i = 0; i < n; i++) {
		double x = a[i] * inv;
		x = x < 127.0 ? x : 127.0;
		x = x > -127.0 ? x : -127.0;
		q[i] = (int8_t)(int)(x >= 0 ? x + 0.5 : x - 0.5);
	}
}

static void requant_portable(const int32_t *acc, const double *scale, const double *bias, double s,
			     size_t n, bool relu, double *o)
{
	for (size_t k = 0; k < n; k++) {
		double v = (double)acc[k] * (scale[k] * s) + bias[k];
		o[k] = relu ? (v > 0 ? v : 0) : v;
	}
}

#ifdef QK_X86
/* The largest |a|: a maximum is the same in any order, so the lanes may
 * split the row as they like. */
__attribute__((target("avx2")))
static double absmax_avx2(const double *a, size_t n)
{
	const __m256d sign = _mm256_set1_pd(-0.0);
	__m256d m0 = _mm256_setzero_pd(), m1 = m0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		m0 = _mm256_max_pd(m0, _mm256_andnot_pd(sign, _mm256_loadu_pd(a + i)));
		m1 = _mm256_max_pd(m1, _mm256_andnot_pd(sign, _mm256_loadu_pd(a + i + 4)));
	}
	m0 = _mm256_max_pd(m0, m1);
	double l[4], mx = 0;
	_mm256_storeu_pd(l, m0);
	for (int k = 0; k < 4; k++)
		mx = l[k] > mx ? l[k] : mx;
	for (; i < n; i++) {
		double v = fabs(a[i]);
		mx = v > mx ? v : mx;
	}
	return mx;
}

/* min/max_pd(x, c) are x < c ? x : c and x > c ? x : c, the portable
 * comparisons; x + copysign(0.5, x) truncated is the portable rounding
 * (for -0.0 both give 0). */
__attribute__((target("avx2")))
static void quantize_avx2(const double *a, size_t n, double inv, int8_t *q)
{
	const __m256d vi = _mm256_set1_pd(inv), hi = _mm256_set1_pd(127.0), lo = _mm256_set1_pd(-127.0),
		      half = _mm256_set1_pd(0.5), sign = _mm256_set1_pd(-0.0);
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		__m256d x = _mm256_mul_pd(_mm256_loadu_pd(a + i), vi);
		x = _mm256_max_pd(_mm256_min_pd(x, hi), lo);
		x = _mm256_add_pd(x, _mm256_or_pd(_mm256_and_pd(x, sign), half));
		__m128i v = _mm256_cvttpd_epi32(x);
		v = _mm_packs_epi32(v, v);
		v = _mm_packs_epi16(v, v);
		int32_t four = _mm_cvtsi128_si32(v);
		memcpy(q + i, &four, 4);
	}
	quantize_portable(a + i, n - i, inv, q + i);
}

__attribute__((target("avx2")))
static void requant_avx2(const int32_t *acc, const double *scale, const double *bias, double s, size_t n,
			 bool relu, double *o)
{
	const __m256d vs = _mm256_set1_pd(s), zero = _mm256_setzero_pd();
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		__m256d a = _mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i *)(acc + k)));
		__m256d v = _mm256_add_pd(_mm256_mul_pd(a, _mm256_mul_pd(_mm256_loadu_pd(scale + k), vs)),
					  _mm256_loadu_pd(bias + k));
		if (relu)
			v = _mm256_max_pd(v, zero);
		_mm256_storeu_pd(o + k, v);
	}
	requant_portable(acc + k, scale + k, bias + k, s, n - k, relu, o + k);
}

/* u8 x s8 pairs: |q| times w with q's sign, so maddubs (unsigned by
 * signed) computes w * q. */
__attribute__((target("avx2")))
static void gemv_avx2(const int8_t *w, const int32_t *rowsum, size_t dout, size_t stride, const int8_t *q, int32_t *acc)
{
	const __m256i ones = _mm256_set1_epi16(1);
	(void)rowsum;
	for (size_t k = 0; k < dout; k++) {
		const int8_t *r = w + k * stride;
		__m256i s = _mm256_setzero_si256();
		for (size_t i = 0; i < stride; i += 32) {
			__m256i x = _mm256_loadu_si256((const __m256i *)(q + i));
			__m256i y = _mm256_loadu_si256((const __m256i *)(r + i));
			__m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x));
			s = _mm256_add_epi32(s, _mm256_madd_epi16(p, ones));
		}
		__m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
		h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
		h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
		acc[k] = _mm_cvtsi128_si32(h);
	}
}

/* dpbusd: four u8 x s8 products summed into each int32 lane in one
 * instruction, without the int16 step.  The activations go in as
 * unsigned q + 128 (computed once), and 128 * sum(w) comes off again:
 * exact in integers.  Four rows at a time share one reduction. */
__attribute__((target("avx512f,avx512bw,avx512vnni,avx2")))
static void gemv_vnni(const int8_t *w, const int32_t *rowsum, size_t dout, size_t stride, const int8_t *q,
		      int32_t *acc)
{
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	__m512i xu[8];
	size_t nv = stride / 64;
	if (nv > 8) { /* wider than the cached activations: one row at a time */
		for (size_t k = 0; k < dout; k++) {
			__m512i s = _mm512_setzero_si512();
			for (size_t i = 0; i < nv; i++)
				s = _mm512_dpbusd_epi32(s, _mm512_xor_si512(_mm512_loadu_si512((const void *)(q + 64 * i)), flip),
							_mm512_loadu_si512((const void *)(w + k * stride + 64 * i)));
			acc[k] = _mm512_reduce_add_epi32(s) - 128 * rowsum[k];
		}
		return;
	}
	for (size_t i = 0; i < nv; i++)
		xu[i] = _mm512_xor_si512(_mm512_loadu_si512((const void *)(q + 64 * i)), flip);
	size_t k = 0;
	for (; k + 4 <= dout; k += 4) {
		__m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
		const int8_t *r = w + k * stride;
		for (size_t i = 0; i < nv; i++) {
			s0 = _mm512_dpbusd_epi32(s0, xu[i], _mm512_loadu_si512((const void *)(r + 64 * i)));
			s1 = _mm512_dpbusd_epi32(s1, xu[i], _mm512_loadu_si512((const void *)(r + stride + 64 * i)));
			s2 = _mm512_dpbusd_epi32(s2, xu[i], _mm512_loadu_si512((const void *)(r + 2 * stride + 64 * i)));
			s3 = _mm512_dpbusd_epi32(s3, xu[i], _mm512_loadu_si512((const void *)(r + 3 * stride + 64 * i)));
		}
		__m256i h0 = _mm256_add_epi32(_mm512_castsi512_si256(s0), _mm512_extracti64x4_epi64(s0, 1));
		__m256i h1 = _mm256_add_epi32(_mm512_castsi512_si256(s1), _mm512_extracti64x4_epi64(s1, 1));
		__m256i h2 = _mm256_add_epi32(_mm512_castsi512_si256(s2), _mm512_extracti64x4_epi64(s2, 1));
		__m256i h3 = _mm256_add_epi32(_mm512_castsi512_si256(s3), _mm512_extracti64x4_epi64(s3, 1));
		__m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(h0, h1), _mm256_hadd_epi32(h2, h3));
		__m128i sum = _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
		sum = _mm_sub_epi32(sum, _mm_slli_epi32(_mm_loadu_si128((const __m128i *)(rowsum + k)), 7));
		_mm_storeu_si128((__m128i *)(acc + k), sum);
	}
	for (; k < dout; k++) {
		__m512i s = _mm512_setzero_si512();
		for (size_t i = 0; i < nv; i++)
			s = _mm512_dpbusd_epi32(s, xu[i], _mm512_loadu_si512((const void *)(w + k * stride + 64 * i)));
		acc[k] = _mm512_reduce_add_epi32(s) - 128 * rowsum[k];
	}
}
#endif

static bool cpu_has(const char *name)
{
#ifdef QK_X86
	__builtin_cpu_init();
	if (!strcmp(name, "avx2"))
		return __builtin_cpu_supports("avx2");
	if (!strcmp(name, "avx512vnni"))
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vnni");
#endif
	(void)name;
	return false;
}

static double absmax_portable(const double *a, size_t n)
{
	return quant_act_scale(a, n) * 127.0;
}

static const struct qk_ops ops_portable = {"portable", gemv_portable, quantize_portable, requant_portable,
					    absmax_portable};
#ifdef QK_X86
static const struct qk_ops ops_avx2 = {"avx2", gemv_avx2, quantize_avx2, requant_avx2, absmax_avx2};
static const struct qk_ops ops_vnni = {"avx512vnni", gemv_vnni, quantize_avx2, requant_avx2, absmax_avx2};
#endif

const struct qk_ops *qk_ops_get(const char *name)
{
	if (!name)
		name = cpu_has("avx512vnni") ? "avx512vnni" : cpu_has("avx2") ? "avx2" : "portable";
	if (!strcmp(name, "portable"))
		return &ops_portable;
#ifdef QK_X86
	/* the VNNI kernels' quantize/requant are AVX2's: those CPUs have it */
	if (!strcmp(name, "avx2") && cpu_has("avx2"))
		return &ops_avx2;
	if (!strcmp(name, "avx512vnni") && cpu_has("avx512vnni") && cpu_has("avx2"))
		return &ops_vnni;
#endif
	return NULL;
}
