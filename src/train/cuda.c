/* The CUDA training step: the step of src/model/model.c (forward,
 * loss, backward) and the update of src/train/optim.c on an NVIDIA GPU,
 * in float32.  cuBLAS does the products (opened on first use, as OpenBLAS
 * is); the kernels of cuda-kernels.cu do the rest.  The CUDA runtime is
 * linked statically and opens the driver (libcuda.so.1) itself at the
 * first call, so a prodml built with CUDA runs where there is no driver:
 * gpu_probe then says why there is no GPU.
 *
 * Why float32: a GPU's float64 rate is a small share of its float32 rate
 * on most cards, and float32 is what GPU training of such networks uses
 * (PyTorch's default).  The model keeps its float64 weights: they come
 * back after each epoch, so evaluation, the model file and serving are
 * the CPU's. */
#include "internal.h"
#include "cuda-kernels.h"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)OPT_SGD == GK_SGD && (int)OPT_ADAM == GK_ADAM && (int)OPT_ADAGRAD == GK_ADAGRAD &&
		       (int)OPT_FTRL == GK_FTRL,
	       "the kernels' optimizer numbers are enum opt_kind's");

#define CUBLAS_FUNCS(X)                                                                            \
	X(cublasCreate_v2) X(cublasDestroy_v2) X(cublasSetStream_v2) X(cublasSgemm_v2)             \
	X(cublasSgemv_v2) X(cublasGetStatusString)
DYNLIB_TABLE(CUBLAS_FUNCS, cublas_names, cublas_fns);
static struct dynlib cublas_lib = {.soname = PM_SONAME_CUBLAS,
				   .package = "libcublas (NVIDIA's CUDA toolkit, or nvidia-cublas)",
				   .names = cublas_names, .fns = cublas_fns};
#define CUBLAS(f) DYNLIB_FN(cublas_fns, f)

bool gpu_built(void)
{
	return true;
}

int gpu_probe(struct gpu_info *info, struct pm_err *err)
{
	memset(info, 0, sizeof *info);
	cudaRuntimeGetVersion(&info->runtime);
	cudaDriverGetVersion(&info->driver);
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);
	if (info->driver == 0)
		return pm_errf(err, "no NVIDIA driver: the CUDA runtime cannot load libcuda.so.1 (%s); install the NVIDIA driver",
			       cudaGetErrorString(e));
	if (e == cudaErrorInsufficientDriver || info->driver < info->runtime)
		return pm_errf(err, "the NVIDIA driver is too old: it runs CUDA %d.%d and this prodml was built with CUDA %d.%d; update the driver, or build with an older toolkit (configure --with-cuda=DIR)",
			       info->driver / 1000, info->driver % 1000 / 10, info->runtime / 1000,
			       info->runtime % 1000 / 10);
	if (e != cudaSuccess || n == 0)
		return pm_errf(err, "no CUDA GPU found (%s)",
			       e != cudaSuccess ? cudaGetErrorString(e) : "the driver sees none");
	info->count = n;
	struct cudaDeviceProp p;
	if ((e = cudaGetDeviceProperties(&p, 0)) != cudaSuccess)
		return pm_errf(err, "GPU 0: %s", cudaGetErrorString(e));
	snprintf(info->name, sizeof info->name, "%s", p.name);
	info->major = p.major;
	info->minor = p.minor;
	if ((e = cudaSetDevice(0)) != cudaSuccess || (e = cudaMemGetInfo(&info->mem_free, &info->mem_total)) != cudaSuccess)
		return pm_errf(err, "GPU 0 (%s): %s", info->name, cudaGetErrorString(e));
	return 0;
}

/* Two of each: the batch being trained on and the next one in flight. */
struct gpu_slot {
	float *hdense, *hy;          /* pinned host memory */
	uint32_t *hcat;
	float *ddense, *dy;          /* on the GPU */
	uint32_t *dcat;
	cudaEvent_t copied, done;
};

struct gpu {
	cublasHandle_t blas;
	cudaStream_t compute, copy;
	struct gpu_slot slot[2];
	int next;
	size_t cap, np, nd, nc, K;
	float *w, *g, *s1, *s2, *ones;
	uint8_t *flags;
	struct gk_embcol *cols;
	size_t ncols;
	float *z, *dz, *a[MODEL_MAX_LAYERS + 1], *mask[MODEL_MAX_LAYERS + 1], *da, *da2;
	double *acc;                 /* the objective summed over rows since the last sync */
	float *hbuf;                 /* np floats: weights and moments to and from the host */
	char gpu_name[96];
};

static int cuda_fail(cudaError_t e, const char *what, struct pm_err *err)
{
	return pm_errf(err, "GPU: %s: %s", what, cudaGetErrorString(e));
}

#define CU(call, what)                                                                             \
	do {                                                                                       \
		cudaError_t e_ = (call);                                                           \
		if (e_ != cudaSuccess)                                                             \
			return cuda_fail(e_, what, err);                                           \
	} while (0)
/* a kernel launch: returns its cudaError_t */
#define GK(call) CU((cudaError_t)(call), #call)

static int blas_fail(cublasStatus_t s, const char *what, struct pm_err *err)
{
	return pm_errf(err, "GPU: cuBLAS %s: %s", what, CUBLAS(cublasGetStatusString)(s));
}

/* Row-major C (m x n) = alpha op(A) op(B) + beta C, as backend gemm: in
 * cuBLAS's column-major terms C^T = op(B)^T op(A)^T. */
static int gemm(struct gpu *g, bool ta, bool tb, size_t m, size_t n, size_t k, const float *a,
		size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc,
		struct pm_err *err)
{
	if (m == 0 || n == 0)
		return 0;
	float one = 1;
	cublasStatus_t s = CUBLAS(cublasSgemm_v2)(g->blas, tb ? CUBLAS_OP_T : CUBLAS_OP_N,
						  ta ? CUBLAS_OP_T : CUBLAS_OP_N, (int)n, (int)m, (int)k,
						  &one, b, (int)ldb, a, (int)lda, &beta, c, (int)ldc);
	return s == CUBLAS_STATUS_SUCCESS ? 0 : blas_fail(s, "sgemm", err);
}

/* out[0..d) = the column sums of x (n x d, row-major): bias gradients. */
static int colsum(struct gpu *g, size_t n, size_t d, const float *x, float *out, struct pm_err *err)
{
	float one = 1, zero = 0;
	cublasStatus_t s = CUBLAS(cublasSgemv_v2)(g->blas, CUBLAS_OP_N, (int)d, (int)n, &one, x, (int)d,
						  g->ones, 1, &zero, out, 1);
	return s == CUBLAS_STATUS_SUCCESS ? 0 : blas_fail(s, "sgemv", err);
}

static void fmt_bytes(size_t b, char *buf, size_t n)
{
	if (b >= (size_t)1 << 30)
		snprintf(buf, n, "%.1f GiB", (double)b / (double)((size_t)1 << 30));
	else
		snprintf(buf, n, "%.0f MiB", (double)b / (double)((size_t)1 << 20));
}

static int out_of_memory(const struct trainer *tr, const struct gpu_info *gi, struct pm_err *err)
{
	struct gpu_shape sh;
	gpu_shape_of(tr->m, &sh);
	size_t need = gpu_plan_bytes(&sh, tr->cfg->batch), fits = gpu_plan_batch_fits(&sh, gi->mem_free);
	char nb[32], fb[32];
	fmt_bytes(need, nb, sizeof nb);
	fmt_bytes(gi->mem_free, fb, sizeof fb);
	if (fits == 0)
		return pm_errf(err, "out of GPU memory: the model's %zu parameters do not fit in the %s free on GPU 0 (%s)",
			       tr->m->nparams, fb, gi->name);
	return pm_errf(err, "out of GPU memory: --batch %zu needs %s and GPU 0 (%s) has %s free; --batch %zu would fit",
		       tr->cfg->batch, nb, gi->name, fb, fits);
}

static int upload(struct gpu *g, float *dst, const double *src, struct pm_err *err)
{
	for (size_t i = 0; i < g->np; i++)
		g->hbuf[i] = (float)src[i];
	CU(cudaMemcpy(dst, g->hbuf, g->np * sizeof(float), cudaMemcpyHostToDevice), "copying to the GPU");
	return 0;
}

static int download(struct gpu *g, double *dst, const float *src, struct pm_err *err)
{
	CU(cudaMemcpy(g->hbuf, src, g->np * sizeof(float), cudaMemcpyDeviceToHost), "copying from the GPU");
	for (size_t i = 0; i < g->np; i++)
		dst[i] = g->hbuf[i];
	return 0;
}

static int gpu_alloc(struct gpu *g, const struct model *m, struct pm_err *err)
{
	size_t cap = g->cap, f = sizeof(float);
#define DALLOC(p, bytes) CU(cudaMalloc((void **)&(p), (bytes) + 16), "allocating GPU memory")
	DALLOC(g->w, g->np * f);
	DALLOC(g->g, g->np * f);
	DALLOC(g->s1, g->np * f);
	DALLOC(g->s2, g->np * f);
	DALLOC(g->flags, g->np);
	DALLOC(g->ones, cap * f);
	DALLOC(g->z, cap * g->K * f);
	DALLOC(g->dz, cap * g->K * f);
	DALLOC(g->acc, sizeof(double));
	if (m->has_deep) {
		size_t wmax = 0;
		for (int l = 0; l <= m->nhidden; l++) {
			DALLOC(g->a[l], cap * m->dims[l] * f);
			if (l > 0 && m->dropout > 0)
				DALLOC(g->mask[l], cap * m->dims[l] * f);
			if (m->dims[l] > wmax)
				wmax = m->dims[l];
		}
		DALLOC(g->da, cap * wmax * f);
		DALLOC(g->da2, cap * wmax * f);
		DALLOC(g->cols, (g->ncols + 1) * sizeof *g->cols);
	}
	for (int k = 0; k < 2; k++) {
		struct gpu_slot *s = &g->slot[k];
		DALLOC(s->ddense, cap * g->nd * f);
		DALLOC(s->dcat, cap * g->nc * sizeof(uint32_t));
		DALLOC(s->dy, cap * f);
		CU(cudaHostAlloc((void **)&s->hdense, cap * g->nd * f + 16, cudaHostAllocDefault), "pinning host memory");
		CU(cudaHostAlloc((void **)&s->hcat, cap * g->nc * sizeof(uint32_t) + 16, cudaHostAllocDefault), "pinning host memory");
		CU(cudaHostAlloc((void **)&s->hy, cap * f + 16, cudaHostAllocDefault), "pinning host memory");
		CU(cudaEventCreateWithFlags(&s->copied, cudaEventDisableTiming), "creating an event");
		CU(cudaEventCreateWithFlags(&s->done, cudaEventDisableTiming), "creating an event");
	}
#undef DALLOC
	return 0;
}

int gpu_start(struct trainer *tr, struct gpu **out, struct pm_err *err)
{
	const struct model *m = tr->m;
	struct gpu_info gi;
	if (gpu_probe(&gi, err) < 0 || dynlib_open(&cublas_lib, err) < 0)
		return -1;
	struct gpu_shape sh;
	gpu_shape_of(m, &sh);
	if (gpu_plan_bytes(&sh, tr->cfg->batch) > gi.mem_free)
		return out_of_memory(tr, &gi, err);
	struct gpu *g = *out = xcalloc(1, sizeof *g);
	snprintf(g->gpu_name, sizeof g->gpu_name, "%s", gi.name);
	g->cap = tr->cfg->batch;
	g->np = m->nparams;
	g->nd = m->tf->ndense;
	g->nc = m->tf->ncat;
	g->K = (size_t)m->nout;
	g->ncols = m->has_deep ? m->d0 - g->nd : 0;
	g->hbuf = xmalloc((g->np + 1) * sizeof *g->hbuf);
	cublasStatus_t bs = CUBLAS(cublasCreate_v2)(&g->blas);
	if (bs != CUBLAS_STATUS_SUCCESS) {
		g->blas = NULL;
		return blas_fail(bs, "create", err);
	}
	CU(cudaStreamCreateWithFlags(&g->compute, cudaStreamNonBlocking), "creating a stream");
	CU(cudaStreamCreateWithFlags(&g->copy, cudaStreamNonBlocking), "creating a stream");
	if ((bs = CUBLAS(cublasSetStream_v2)(g->blas, g->compute)) != CUBLAS_STATUS_SUCCESS)
		return blas_fail(bs, "set stream", err);
	if (gpu_alloc(g, m, err) < 0) {
		if (strstr(err->msg, cudaGetErrorString(cudaErrorMemoryAllocation)))
			return out_of_memory(tr, &gi, err);
		return -1;
	}
	/* flags: L2 and the optimizer group of each parameter */
	uint8_t *fl = xcalloc(g->np + 1, 1);
	for (size_t b = 0; b < m->nblocks; b++)
		for (size_t i = m->blocks[b].off; i < m->blocks[b].off + m->blocks[b].len; i++)
			fl[i] = (m->blocks[b].l2 ? GK_L2 : 0) | (m->blocks[b].group ? GK_GROUP1 : 0);
	cudaError_t e = cudaMemcpy(g->flags, fl, g->np, cudaMemcpyHostToDevice);
	free(fl);
	CU(e, "copying to the GPU");
	if (g->ncols) {
		struct gk_embcol *cols = xcalloc(g->ncols + 1, sizeof *cols);
		const struct transform *t = m->tf;
		for (size_t i = 0; i < t->nfeat; i++) {
			const struct ft_feature *ft = &t->feat[i];
			if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
				continue;
			size_t slot = (size_t)ft->cat_slot, e2 = (size_t)m->embed[slot];
			for (size_t k = 0; k < e2; k++)
				cols[m->emb_col[slot] - g->nd + k] = (struct gk_embcol){
					.slot = (uint32_t)slot, .e = (uint32_t)e2, .k = (uint32_t)k,
					.cat_off = ft->cat_off, .off = m->off_emb[slot]};
		}
		e = cudaMemcpy(g->cols, cols, g->ncols * sizeof *cols, cudaMemcpyHostToDevice);
		free(cols);
		CU(e, "copying to the GPU");
	}
	GK(gk_fill(g->compute, g->cap, 1.0f, g->ones));
	CU(cudaMemsetAsync(g->acc, 0, sizeof(double), g->compute), "clearing GPU memory");
	CU(cudaStreamSynchronize(g->compute), "starting");
	if (upload(g, g->w, m->params, err) < 0 || upload(g, g->s1, tr->opt.s1, err) < 0 ||
	    upload(g, g->s2, tr->opt.s2, err) < 0)
		return -1;
	/* cudaMemcpy from pageable memory may return before the data lands,
	 * and the steps' streams do not wait for the legacy stream */
	CU(cudaDeviceSynchronize(), "starting");
	return 0;
}

/* The batch into the next slot's pinned memory and on its way to the
 * GPU; the compute stream waits for it. */
static int send_batch(struct gpu *g, const struct batch *b, struct gpu_slot **out, struct pm_err *err)
{
	struct gpu_slot *s = &g->slot[g->next];
	g->next ^= 1;
	/* the step two steps back used this slot */
	CU(cudaEventSynchronize(s->done), "waiting for a step");
	size_t nd = b->n * g->nd;
	for (size_t i = 0; i < nd; i++)
		s->hdense[i] = (float)b->dense[i];
	memcpy(s->hcat, b->cat, b->n * g->nc * sizeof *s->hcat);
	for (size_t i = 0; i < b->n; i++)
		s->hy[i] = (float)b->y[i];
	CU(cudaMemcpyAsync(s->ddense, s->hdense, nd * sizeof(float), cudaMemcpyHostToDevice, g->copy), "copying a batch");
	CU(cudaMemcpyAsync(s->dcat, s->hcat, b->n * g->nc * sizeof(uint32_t), cudaMemcpyHostToDevice, g->copy), "copying a batch");
	CU(cudaMemcpyAsync(s->dy, s->hy, b->n * sizeof(float), cudaMemcpyHostToDevice, g->copy), "copying a batch");
	CU(cudaEventRecord(s->copied, g->copy), "recording an event");
	CU(cudaStreamWaitEvent(g->compute, s->copied, 0), "waiting for a batch");
	*out = s;
	return 0;
}

int gpu_step(struct gpu *g, struct trainer *tr, const struct batch *b, const double lr[2],
	     uint64_t dropout_seed, double *loss, struct pm_err *err)
{
	const struct model *m = tr->m;
	const struct transform *t = m->tf;
	size_t n = b->n, K = g->K, nd = g->nd, nc = g->nc;
	if (n == 0)
		return 0;
	if (n > g->cap)
		return pm_errf(err, "batch of %zu rows exceeds the GPU's capacity %zu", n, g->cap);
	for (size_t i = 0; i < n * nc; i++)
		if (b->cat[i] >= t->cat_total)
			return pm_errf(err, "categorical index %u out of range", b->cat[i]);
	struct gpu_slot *s = NULL;
	if (send_batch(g, b, &s, err) < 0)
		return -1;
	void *st = g->compute;
	const float *W = g->w;
	float *G = g->g;
	int L = m->nhidden;
	double l2 = tr->cfg->l2;
	double before = 0;
	if (loss)
		CU(cudaMemcpyAsync(&before, g->acc, sizeof before, cudaMemcpyDeviceToHost, g->compute), "reading the loss");

	/* forward */
	if (m->has_linear) {
		if (m->linear_dense && nd) {
			if (gemm(g, false, true, n, K, nd, s->ddense, nd, W + m->off_wd, nd, 0, g->z, K, err) < 0)
				return -1;
		} else
			CU(cudaMemsetAsync(g->z, 0, n * K * sizeof(float), g->compute), "clearing GPU memory");
		GK(gk_linear_cat(st, n, nc, K, s->dcat, W + m->off_wc, W + m->off_b, g->z));
	}
	if (m->has_deep) {
		GK(gk_deep_input(st, n, nd, nc, m->d0, s->ddense, s->dcat, g->cols, W, g->a[0]));
		for (int l = 0; l < L; l++) {
			size_t din = m->dims[l], dout = m->dims[l + 1];
			if (gemm(g, false, true, n, dout, din, g->a[l], din, W + m->off_w[l], din, 0,
				 g->a[l + 1], dout, err) < 0)
				return -1;
			/* a distinct stream of masks per layer */
			GK(gk_bias_relu(st, n, dout, g->a[l + 1], W + m->off_bias[l], (float)m->dropout,
					rng_derive(dropout_seed, (uint64_t)l), g->mask[l + 1]));
		}
		size_t hl = m->dims[L];
		if (gemm(g, false, true, n, K, hl, g->a[L], hl, W + m->off_w[L], hl,
			 m->has_linear ? 1.0f : 0.0f, g->z, K, err) < 0)
			return -1;
	}
	GK(gk_loss(st, n, K, m->task == TASK_REGRESSION, g->z, m->has_deep ? W + m->off_bias[L] : NULL,
		   s->dy, g->dz, g->acc));
	if (l2 > 0)
		GK(gk_sumsq(st, g->np, W, g->flags, 0.5 * l2 * (double)n, g->acc));

	/* backward */
	CU(cudaMemsetAsync(G, 0, g->np * sizeof(float), g->compute), "clearing GPU memory");
	if (m->has_linear) {
		if (m->linear_dense && nd &&
		    gemm(g, true, false, K, nd, n, g->dz, K, s->ddense, nd, 0, G + m->off_wd, nd, err) < 0)
			return -1;
		GK(gk_linear_cat_grad(st, n, nc, K, s->dcat, g->dz, G + m->off_wc));
		if (colsum(g, n, K, g->dz, G + m->off_b, err) < 0)
			return -1;
	}
	if (m->has_deep) {
		size_t hl = m->dims[L];
		float *da = g->da, *da2 = g->da2;
		if (gemm(g, true, false, K, hl, n, g->dz, K, g->a[L], hl, 0, G + m->off_w[L], hl, err) < 0 ||
		    colsum(g, n, K, g->dz, G + m->off_bias[L], err) < 0 ||
		    gemm(g, false, false, n, hl, K, g->dz, K, W + m->off_w[L], hl, 0, da, hl, err) < 0)
			return -1;
		bool need_da0 = g->ncols > 0;
		for (int l = L - 1; l >= 0; l--) {
			size_t din = m->dims[l], dout = m->dims[l + 1];
			GK(gk_relu_back(st, n * dout, da, g->a[l + 1], g->mask[l + 1]));
			if (gemm(g, true, false, dout, din, n, da, dout, g->a[l], din, 0, G + m->off_w[l], din, err) < 0 ||
			    colsum(g, n, dout, da, G + m->off_bias[l], err) < 0)
				return -1;
			if (l > 0 || need_da0) {
				if (gemm(g, false, false, n, din, dout, da, dout, W + m->off_w[l], din, 0, da2, din, err) < 0)
					return -1;
				float *tmp = da;
				da = da2;
				da2 = tmp;
			}
		}
		if (need_da0)
			GK(gk_embed_grad(st, n, nc, m->d0, nd, s->dcat, g->cols, da, G));
	}

	/* the update */
	const struct optimizer *o = &tr->opt;
	uint64_t step = ++tr->opt.t;
	struct gk_optim go = {.kind = {o->kind[0], o->kind[1]}, .lr = {(float)lr[0], (float)lr[1]},
			      .l2 = (float)l2, .momentum = (float)o->momentum, .beta1 = (float)o->beta1,
			      .beta2 = (float)o->beta2, .eps = (float)o->eps,
			      .bc1 = (float)(1.0 - pow(o->beta1, (double)step)),
			      .bc2 = (float)(1.0 - pow(o->beta2, (double)step)),
			      .ftrl_beta = (float)o->ftrl_beta, .first = step == 1};
	GK(gk_optim(st, g->np, g->w, G, g->s1, g->s2, g->flags, &go));
	CU(cudaEventRecord(s->done, g->compute), "recording an event");
	if (loss) {
		double after;
		CU(cudaMemcpyAsync(&after, g->acc, sizeof after, cudaMemcpyDeviceToHost, g->compute), "reading the loss");
		CU(cudaStreamSynchronize(g->compute), "training a step");
		*loss = (after - before) / (double)n;
	}
	return 0;
}

int gpu_sync(struct gpu *g, struct trainer *tr, bool opt_state, double *loss_sum, struct pm_err *err)
{
	CU(cudaStreamSynchronize(g->compute), "training");
	CU(cudaMemcpy(loss_sum, g->acc, sizeof *loss_sum, cudaMemcpyDeviceToHost), "reading the loss");
	/* on the steps' stream: the next step's loss adds to the cleared sum */
	CU(cudaMemsetAsync(g->acc, 0, sizeof(double), g->compute), "clearing GPU memory");
	if (download(g, tr->m->params, g->w, err) < 0)
		return -1;
	if (opt_state && (download(g, tr->opt.s1, g->s1, err) < 0 || download(g, tr->opt.s2, g->s2, err) < 0))
		return -1;
	return 0;
}

void gpu_free(struct gpu *g)
{
	if (!g)
		return;
	if (g->compute)
		cudaStreamSynchronize(g->compute);
	for (int k = 0; k < 2; k++) {
		struct gpu_slot *s = &g->slot[k];
		cudaFree(s->ddense);
		cudaFree(s->dcat);
		cudaFree(s->dy);
		cudaFreeHost(s->hdense);
		cudaFreeHost(s->hcat);
		cudaFreeHost(s->hy);
		if (s->copied)
			cudaEventDestroy(s->copied);
		if (s->done)
			cudaEventDestroy(s->done);
	}
	void *dev[] = {g->w, g->g, g->s1, g->s2, g->flags, g->ones, g->z, g->dz, g->acc, g->da, g->da2, g->cols};
	for (size_t i = 0; i < sizeof dev / sizeof *dev; i++)
		cudaFree(dev[i]);
	for (int l = 0; l <= MODEL_MAX_LAYERS; l++) {
		cudaFree(g->a[l]);
		cudaFree(g->mask[l]);
	}
	if (g->blas)
		CUBLAS(cublasDestroy_v2)(g->blas);
	if (g->compute)
		cudaStreamDestroy(g->compute);
	if (g->copy)
		cudaStreamDestroy(g->copy);
	free(g->hbuf);
	free(g);
}
