/* Inside src/train: the CUDA kernels of the training step
 * (cuda-kernels.cu, compiled by nvcc) as C functions that cuda.c calls.
 * Each launches on stream `st` (a cudaStream_t) and returns the launch's
 * cudaError_t (0: launched).  Matrices are row-major float32, as the
 * CPU's are float64 (src/model/model.c: the step they mirror). */
#ifndef PM_TRAIN_CUDA_KERNELS_H
#define PM_TRAIN_CUDA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Deep input column ndense + j comes from categorical slot `slot`:
 * weight off + (cat - cat_off) * e + k of the embedding table. */
struct gk_embcol {
	uint32_t slot, e, k, cat_off;
	uint64_t off;
};

/* The optimizer update of src/train/optim.c for both parameter groups;
 * kind is one of these, equal to enum opt_kind's (cuda.c checks). */
enum { GK_SGD, GK_ADAM, GK_ADAGRAD, GK_FTRL };
struct gk_optim {
	int kind[2];
	float lr[2];
	float l2, momentum, beta1, beta2, eps, bc1, bc2, ftrl_beta;
	int first;                   /* the run's first step (FTRL scales z by 1/lr) */
};
/* Flags of a parameter (one byte each). */
#define GK_L2 1u                     /* its block takes L2 */
#define GK_GROUP1 2u                 /* the wide optimizer's group */

/* a0 (n x d0): dense values, then each slot's embedding row. */
int gk_deep_input(void *st, size_t n, size_t nd, size_t nc, size_t d0, const float *dense,
		  const uint32_t *cat, const struct gk_embcol *cols, const float *w, float *a0);
/* z (n x K) += the one-hot linear part: Wc rows of each cat, and bias b. */
int gk_linear_cat(void *st, size_t n, size_t nc, size_t K, const uint32_t *cat, const float *wc,
		  const float *b, float *z);
/* x (n x d) = relu(x + bias) * mask; with drop > 0 the mask (keep
 * 1/(1-drop) or 0, drawn from seed and the element) is written to mask. */
int gk_bias_relu(void *st, size_t n, size_t d, float *x, const float *bias, float drop,
		 uint64_t seed, float *mask);
/* The loss of scores z (+ bias when not NULL) against y: dz (n x K) gets
 * d mean loss / dz, *acc (float64) the sum of the rows' losses. */
int gk_loss(void *st, size_t n, size_t K, int regression, const float *z, const float *bias,
	    const float *y, float *dz, double *acc);
/* da = a > 0 ? da * mask : 0 over len elements (mask NULL: 1). */
int gk_relu_back(void *st, size_t len, float *da, const float *a, const float *mask);
/* Embedding gradients: g[off + c * e + k] += da0[r, nd + j] (atomic). */
int gk_embed_grad(void *st, size_t n, size_t nc, size_t d0, size_t nd, const uint32_t *cat,
		  const struct gk_embcol *cols, const float *da0, float *g);
/* gwc[cat * K + k] += dz[r, k] for each of a row's cats (atomic). */
int gk_linear_cat_grad(void *st, size_t n, size_t nc, size_t K, const uint32_t *cat,
		       const float *dz, float *gwc);
/* *acc += scale * sum of w^2 over the parameters flagged GK_L2. */
int gk_sumsq(void *st, size_t np, const float *w, const uint8_t *flags, double scale, double *acc);
/* One optimizer step over every parameter; L2 is added to the gradient. */
int gk_optim(void *st, size_t np, float *w, const float *g, float *s1, float *s2,
	     const uint8_t *flags, const struct gk_optim *o);
/* x[0..n) = v */
int gk_fill(void *st, size_t n, float v, float *x);

#ifdef __cplusplus
}
#endif
#endif
