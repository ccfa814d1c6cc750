// The kernels of the GPU training step (src/train/cuda.c runs them,
// cuBLAS does the products).  Each mirrors a loop of the CPU step in
// src/model/model.c or src/train/optim.c, in float32: kept plain, one
// element (or one row) per thread, with grid-stride loops so that any
// size runs with a bounded grid.
#include "train/cuda-kernels.h"

#include <cuda_runtime.h>

#define TPB 256
#define MAX_BLOCKS 65535u

static unsigned blocks_for(size_t n)
{
	size_t b = (n + TPB - 1) / TPB;
	return b == 0 ? 1u : b > MAX_BLOCKS ? MAX_BLOCKS : (unsigned)b;
}

#define GRID_STRIDE(i, n) \
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n); i += (size_t)blockDim.x * gridDim.x)

#define LAUNCH(kernel, n, st, ...)                                                        \
	do {                                                                              \
		kernel<<<blocks_for(n), TPB, 0, (cudaStream_t)(st)>>>(__VA_ARGS__);       \
		return (int)cudaGetLastError();                                           \
	} while (0)

__global__ void k_deep_input(size_t n, size_t nd, size_t nc, size_t d0, const float *dense,
			     const uint32_t *cat, const gk_embcol *cols, const float *w, float *a0)
{
	GRID_STRIDE(idx, n * d0) {
		size_t r = idx / d0, c = idx % d0;
		float v;
		if (c < nd) {
			v = dense[r * nd + c];
		} else {
			gk_embcol ec = cols[c - nd];
			uint32_t k = cat[r * nc + ec.slot] - ec.cat_off;
			v = w[ec.off + (size_t)k * ec.e + ec.k];
		}
		a0[idx] = v;
	}
}

__global__ void k_linear_cat(size_t n, size_t nc, size_t K, const uint32_t *cat, const float *wc,
			     const float *b, float *z)
{
	GRID_STRIDE(idx, n * K) {
		size_t r = idx / K, k = idx % K;
		float s = z[idx];
		for (size_t j = 0; j < nc; j++)
			s += wc[(size_t)cat[r * nc + j] * K + k];
		z[idx] = s + b[k];
	}
}

// splitmix64 of the seed and the element: a dropout draw in [0, 1) that
// does not depend on the launch's shape
__device__ static float uniform_of(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (float)(z >> 40) * (1.0f / 16777216.0f);
}

__global__ void k_bias_relu(size_t n, size_t d, float *x, const float *bias, float drop,
			    uint64_t seed, float *mask)
{
	float keep = 1.0f / (1.0f - drop);
	GRID_STRIDE(idx, n * d) {
		float v = x[idx] + bias[idx % d];
		v = v > 0.0f ? v : 0.0f;
		if (drop > 0.0f) {
			float mk = uniform_of(seed, idx) < drop ? 0.0f : keep;
			mask[idx] = mk;
			v *= mk;
		}
		x[idx] = v;
	}
}

// One thread per row; the block sums its rows' losses in float64 and
// adds the sum to *acc once.
__global__ void k_loss(size_t n, size_t K, int regression, const float *z, const float *bias,
		       const float *y, float *dz, double *acc)
{
	__shared__ double part[TPB];
	double mine = 0;
	float inv = 1.0f / (float)n;
	GRID_STRIDE(r, n) {
		const float *zr = z + r * K;
		float *dr = dz + r * K;
		float yr = y[r];
		if (regression) {
			float d = zr[0] + (bias ? bias[0] : 0.0f) - yr;
			mine += (double)d * d;
			dr[0] = 2.0f * d * inv;
		} else if (K == 1) {
			float v = zr[0] + (bias ? bias[0] : 0.0f), e = expf(-fabsf(v));
			mine += (double)((v > 0 ? v : 0) - yr * v + log1pf(e));
			float p = v >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
			dr[0] = (p - yr) * inv;
		} else {
			size_t yc = (size_t)yr;
			float mx = -INFINITY;
			for (size_t k = 0; k < K; k++) {
				float v = zr[k] + (bias ? bias[k] : 0.0f);
				mx = v > mx ? v : mx;
			}
			float se = 0;
			for (size_t k = 0; k < K; k++)
				se += expf(zr[k] + (bias ? bias[k] : 0.0f) - mx);
			float lse = mx + logf(se);
			mine += (double)(lse - zr[yc] - (bias ? bias[yc] : 0.0f));
			for (size_t k = 0; k < K; k++)
				dr[k] = (expf(zr[k] + (bias ? bias[k] : 0.0f) - lse) - (k == yc ? 1.0f : 0.0f)) * inv;
		}
	}
	part[threadIdx.x] = mine;
	__syncthreads();
	for (unsigned s = TPB / 2; s > 0; s >>= 1) {
		if (threadIdx.x < s)
			part[threadIdx.x] += part[threadIdx.x + s];
		__syncthreads();
	}
	if (threadIdx.x == 0)
		atomicAdd(acc, part[0]);
}

__global__ void k_relu_back(size_t len, float *da, const float *a, const float *mask)
{
	GRID_STRIDE(i, len)
		da[i] = a[i] > 0.0f ? da[i] * (mask ? mask[i] : 1.0f) : 0.0f;
}

__global__ void k_embed_grad(size_t n, size_t nc, size_t d0, size_t nd, const uint32_t *cat,
			     const gk_embcol *cols, const float *da0, float *g)
{
	size_t ne = d0 - nd;
	GRID_STRIDE(idx, n * ne) {
		size_t r = idx / ne, j = idx % ne;
		gk_embcol ec = cols[j];
		uint32_t k = cat[r * nc + ec.slot] - ec.cat_off;
		atomicAdd(&g[ec.off + (size_t)k * ec.e + ec.k], da0[r * d0 + nd + j]);
	}
}

__global__ void k_linear_cat_grad(size_t n, size_t nc, size_t K, const uint32_t *cat,
				  const float *dz, float *gwc)
{
	GRID_STRIDE(idx, n * nc * K) {
		size_t k = idx % K, rj = idx / K, r = rj / nc;
		atomicAdd(&gwc[(size_t)cat[rj] * K + k], dz[r * K + k]);
	}
}

__global__ void k_sumsq(size_t np, const float *w, const uint8_t *flags, double scale, double *acc)
{
	__shared__ double part[TPB];
	double mine = 0;
	GRID_STRIDE(i, np)
		if (flags[i] & GK_L2)
			mine += (double)w[i] * w[i];
	part[threadIdx.x] = mine;
	__syncthreads();
	for (unsigned s = TPB / 2; s > 0; s >>= 1) {
		if (threadIdx.x < s)
			part[threadIdx.x] += part[threadIdx.x + s];
		__syncthreads();
	}
	if (threadIdx.x == 0)
		atomicAdd(acc, scale * part[0]);
}

__global__ void k_optim(size_t np, float *w, const float *g, float *s1, float *s2,
			const uint8_t *flags, struct gk_optim o)
{
	GRID_STRIDE(i, np) {
		int grp = (flags[i] & GK_GROUP1) ? 1 : 0;
		float a = o.lr[grp], wi = w[i];
		float gi = g[i] + ((flags[i] & GK_L2) ? o.l2 * wi : 0.0f);
		switch (o.kind[grp]) {
		case GK_SGD:
			s1[i] = o.momentum * s1[i] - a * gi;
			w[i] = wi + s1[i];
			break;
		case GK_ADAM: {
			float m = o.beta1 * s1[i] + (1 - o.beta1) * gi;
			float v = o.beta2 * s2[i] + (1 - o.beta2) * gi * gi;
			s1[i] = m;
			s2[i] = v;
			w[i] = wi - a * (m / o.bc1) / (sqrtf(v / o.bc2) + o.eps);
			break;
		}
		case GK_ADAGRAD: {
			float acc = s1[i] + gi * gi;
			s1[i] = acc;
			w[i] = wi - a * gi / (sqrtf(acc) + 1e-7f);
			break;
		}
		case GK_FTRL: {
			float z = o.first ? s1[i] / a : s1[i];
			float ni = s2[i] + gi * gi;
			float sigma = (sqrtf(ni) - sqrtf(s2[i])) / a;
			z += gi - sigma * wi;
			s1[i] = z;
			s2[i] = ni;
			w[i] = -z / ((o.ftrl_beta + sqrtf(ni)) / a);
			break;
		}
		default:
			break;
		}
	}
}

__global__ void k_fill(size_t n, float v, float *x)
{
	GRID_STRIDE(i, n)
		x[i] = v;
}

extern "C" {

int gk_deep_input(void *st, size_t n, size_t nd, size_t nc, size_t d0, const float *dense,
		  const uint32_t *cat, const struct gk_embcol *cols, const float *w, float *a0)
{
	LAUNCH(k_deep_input, n * d0, st, n, nd, nc, d0, dense, cat, cols, w, a0);
}

int gk_linear_cat(void *st, size_t n, size_t nc, size_t K, const uint32_t *cat, const float *wc,
		  const float *b, float *z)
{
	LAUNCH(k_linear_cat, n * K, st, n, nc, K, cat, wc, b, z);
}

int gk_bias_relu(void *st, size_t n, size_t d, float *x, const float *bias, float drop,
		 uint64_t seed, float *mask)
{
	LAUNCH(k_bias_relu, n * d, st, n, d, x, bias, drop, seed, mask);
}

int gk_loss(void *st, size_t n, size_t K, int regression, const float *z, const float *bias,
	    const float *y, float *dz, double *acc)
{
	LAUNCH(k_loss, n, st, n, K, regression, z, bias, y, dz, acc);
}

int gk_relu_back(void *st, size_t len, float *da, const float *a, const float *mask)
{
	LAUNCH(k_relu_back, len, st, len, da, a, mask);
}

int gk_embed_grad(void *st, size_t n, size_t nc, size_t d0, size_t nd, const uint32_t *cat,
		  const struct gk_embcol *cols, const float *da0, float *g)
{
	LAUNCH(k_embed_grad, n * (d0 - nd), st, n, nc, d0, nd, cat, cols, da0, g);
}

int gk_linear_cat_grad(void *st, size_t n, size_t nc, size_t K, const uint32_t *cat,
		       const float *dz, float *gwc)
{
	LAUNCH(k_linear_cat_grad, n * nc * K, st, n, nc, K, cat, dz, gwc);
}

int gk_sumsq(void *st, size_t np, const float *w, const uint8_t *flags, double scale, double *acc)
{
	LAUNCH(k_sumsq, np, st, np, w, flags, scale, acc);
}

int gk_optim(void *st, size_t np, float *w, const float *g, float *s1, float *s2,
	     const uint8_t *flags, const struct gk_optim *o)
{
	LAUNCH(k_optim, np, st, np, w, g, s1, s2, flags, *o);
}

int gk_fill(void *st, size_t n, float v, float *x)
{
	LAUNCH(k_fill, n, st, n, v, x);
}

}
