/* Stands in for src/train/cuda.c in a prodml built without the CUDA
 * toolkit: every way in says how to build the backend. */
#include "internal.h"

#include <string.h>

bool gpu_built(void)
{
	return false;
}

int gpu_probe(struct gpu_info *info, struct pm_err *err)
{
	memset(info, 0, sizeof *info);
	return pm_errcf(err, PM_E_USAGE, "the CUDA backend is not built: configure --with-cuda (NVIDIA's CUDA toolkit, with nvcc and cuBLAS) and build again");
}

int gpu_start(struct trainer *tr, struct gpu **out, struct pm_err *err)
{
	struct gpu_info gi;
	*out = NULL;
	return gpu_probe(&gi, err);
}

int gpu_step(struct gpu *g, struct trainer *tr, const struct batch *b, const double lr[2],
	     uint64_t dropout_seed, double *loss, struct pm_err *err)
{
	return gpu_start(tr, &g, err);
}

int gpu_sync(struct gpu *g, struct trainer *tr, bool opt_state, double *loss_sum,
	     struct pm_err *err)
{
	return gpu_start(tr, &g, err);
}

void gpu_free(struct gpu *g)
{
}
