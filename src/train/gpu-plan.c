/* The GPU memory of a training run, planned on the host (built with or
 * without CUDA, so that it is unit-tested everywhere): the figures follow
 * the allocations of src/train/cuda.c, which checks the plan against the
 * GPU's free memory before it allocates anything. */
#include "train.h"

void gpu_shape_of(const struct model *m, struct gpu_shape *s)
{
	*s = (struct gpu_shape){.nparams = m->nparams, .ndense = m->tf->ndense, .ncat = m->tf->ncat,
				.nout = (size_t)m->nout, .dropout = m->dropout > 0};
	if (m->has_deep) {
		s->nlayers = m->nhidden + 1;
		for (int l = 0; l <= m->nhidden + 1; l++)
			s->dims[l] = m->dims[l];
		s->emb_cols = m->d0 - m->tf->ndense;
	}
}

/* Bytes per row of a batch, and bytes whatever the batch. */
static void plan_parts(const struct gpu_shape *s, size_t *per_row, size_t *fixed)
{
	const size_t f = sizeof(float);
	/* two batches on the GPU: dense floats, categorical indices, target */
	size_t row = 2 * (s->ndense * f + s->ncat * sizeof(uint32_t) + f);
	row += f;                          /* the ones that sum columns (bias gradients) */
	row += 2 * s->nout * f;            /* scores and their gradient */
	size_t wmax = 0;
	for (int l = 0; l < s->nlayers; l++) {
		row += s->dims[l] * f;     /* layer l's input activations */
		if (l > 0 && s->dropout)
			row += s->dims[l] * f;   /* its dropout mask */
		if (s->dims[l] > wmax)
			wmax = s->dims[l];
	}
	row += 2 * wmax * f;               /* the activations' gradients, two of the widest */
	*per_row = row;
	/* weights, gradient and two optimizer moments; a byte of flags each;
	 * the embedding columns' map; the loss accumulator */
	*fixed = GPU_PLAN_RESERVE + s->nparams * (4 * f + 1) + s->emb_cols * 24 + 64;
}

size_t gpu_plan_bytes(const struct gpu_shape *s, size_t batch)
{
	size_t row, fixed;
	plan_parts(s, &row, &fixed);
	return fixed + batch * row;
}

size_t gpu_plan_batch_fits(const struct gpu_shape *s, size_t avail)
{
	size_t row, fixed;
	plan_parts(s, &row, &fixed);
	return avail <= fixed ? 0 : (avail - fixed) / row;
}
