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

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define QK_X86 1
#endif

static void gemv_portable(const int8_t *w, size_t dout, size_t stride, const int8_t *q, int32_t *acc)
{
	for (size_t k = 0; k < dout; k++) {
		const int8_t *r = w + k * stride;
		int32_t s = 0;
		for (size_t i = 0; i < stride; i++)
			s += (int32_t)r[i] * (int32_t)q[i];
		acc[k] = s;
	}
}

#ifdef QK_X86
/* u8 x s8 pairs: |q| times w with q's sign, so maddubs (unsigned by
 * signed) computes w * q. */
__attribute__((target("avx2")))
static void gemv_avx2(const int8_t *w, size_t dout, size_t stride, const int8_t *q, int32_t *acc)
{
	const __m256i ones = _mm256_set1_epi16(1);
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
 * instruction, without the int16 step. */
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void gemv_vnni(const int8_t *w, size_t dout, size_t stride, const int8_t *q, int32_t *acc)
{
	const __m512i zero = _mm512_setzero_si512();
	for (size_t k = 0; k < dout; k++) {
		const int8_t *r = w + k * stride;
		__m512i s = zero;
		for (size_t i = 0; i < stride; i += 64) {
			__m512i x = _mm512_loadu_si512((const void *)(q + i));
			__m512i y = _mm512_loadu_si512((const void *)(r + i));
			__mmask64 neg = _mm512_movepi8_mask(x);
			__m512i sy = _mm512_mask_sub_epi8(y, neg, zero, y);
			s = _mm512_dpbusd_epi32(s, _mm512_abs_epi8(x), sy);
		}
		acc[k] = _mm512_reduce_add_epi32(s);
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

qk_gemv_fn qk_gemv_get(const char *name)
{
	if (!name)
		name = qk_gemv_best_name();
	if (!strcmp(name, "portable"))
		return gemv_portable;
#ifdef QK_X86
	if (!strcmp(name, "avx2") && cpu_has("avx2"))
		return gemv_avx2;
	if (!strcmp(name, "avx512vnni") && cpu_has("avx512vnni"))
		return gemv_vnni;
#endif
	return NULL;
}

const char *qk_gemv_best_name(void)
{
	return cpu_has("avx512vnni") ? "avx512vnni" : cpu_has("avx2") ? "avx2" : "portable";
}
