/* Math backends.  Training calls gemm through struct backend; the CUDA
 * training step (src/train/cuda.c) replaces the whole step, not the gemm. */
#include "model.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* OpenBLAS is opened on first use (util dynlib), typed by cblas.h. */
#define BLAS_FUNCS(X) X(cblas_dgemm) X(openblas_get_num_threads) X(openblas_set_num_threads)
DYNLIB_TABLE(BLAS_FUNCS, blas_names, blas_fns);
static struct dynlib blas_lib = {.soname = PM_SONAME_OPENBLAS, .package = "libopenblas-dev",
				 .names = blas_names, .fns = blas_fns};
#define BLAS(f) DYNLIB_FN(blas_fns, f)

static void cpu_gemm(const struct backend *be, bool trans_a, bool trans_b, size_t m, size_t n,
		     size_t k, double alpha, const double *a, size_t lda, const double *b, size_t ldb,
		     double beta, double *c, size_t ldc)
{
	if (m == 0 || n == 0)
		return;
	BLAS(cblas_dgemm)(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
			  trans_b ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k,
			  alpha, a, (blasint)lda, b, (blasint)ldb, beta, c, (blasint)ldc);
}

static int cpu_set_threads(const struct backend *be, int n)
{
	int old = BLAS(openblas_get_num_threads)();
	if (n > 0 && n != old)
		BLAS(openblas_set_num_threads)(n);
	return old;
}

static const struct backend cpu_backend = {.name = "cpu", .gemm = cpu_gemm,
					   .set_threads = cpu_set_threads};

/* Opens OpenBLAS.  Its constructor starts a thread pool whose threads spin
 * in sched_yield for about 0.1 s, which on a small machine takes CPU from
 * the command; the pool is stopped at once, and OpenBLAS starts it again
 * at its first threaded product. */
static int cpu_open(struct pm_err *err)
{
	int rc = dynlib_open(&blas_lib, err);
	if (rc == 1) {
		int (*shutdown)(void);
		*(void **)&shutdown = dynlib_sym(&blas_lib, "blas_thread_shutdown_");
		if (shutdown)
			shutdown();
	}
	return rc < 0 ? -1 : 0;
}

const struct backend *backend_cpu(struct pm_err *err)
{
	return cpu_open(err) < 0 ? NULL : &cpu_backend;
}

/* ---- random numbers ------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_normal(struct rng *r)
{
	/* Box-Muller; one value per call keeps the stream simple to replay */
	double u = rng_uniform(r), v = rng_uniform(r);
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* Lemire's multiply-shift with rejection: unbiased */
	uint64_t x = rng_next(r);
	__uint128_t m = (__uint128_t)x * n;
	uint64_t l = (uint64_t)m;
	if (l < n) {
		uint64_t t = -n % n;
		while (l < t) {
			x = rng_next(r);
			m = (__uint128_t)x * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

uint64_t rng_derive(uint64_t seed, uint64_t k)
{
	uint64_t x = seed ^ (k * 0xd1342543de82ef95ULL);
	splitmix64(&x);
	return splitmix64(&x);
}
