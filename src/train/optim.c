/* Optimizers over the flat parameter array, chosen per parameter group so
 * that the wide part of wide & deep can use FTRL or AdaGrad (sparse
 * features, per-coordinate rates) while the deep part uses Adam. */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void optim_init(struct optimizer *o, const struct model *m, enum opt_kind group0,
		enum opt_kind group1, double momentum)
{
	memset(o, 0, sizeof *o);
	o->kind[0] = group0;
	o->kind[1] = group1;
	o->momentum = momentum;
	o->beta1 = 0.9;
	o->beta2 = 0.999;
	o->eps = 1e-8;
	o->ftrl_beta = 1.0;
	o->adagrad_init = 0.1;  /* TensorFlow's initial accumulator */
	o->n = m->nparams;
	o->s1 = xcalloc(o->n + 1, sizeof *o->s1);
	o->s2 = xcalloc(o->n + 1, sizeof *o->s2);
	for (size_t b = 0; b < m->nblocks; b++) {
		const struct pblock *pb = &m->blocks[b];
		enum opt_kind k = o->kind[pb->group];
		for (size_t i = pb->off; i < pb->off + pb->len; i++) {
			if (k == OPT_ADAGRAD)
				o->s1[i] = o->adagrad_init;
			else if (k == OPT_FTRL) {
				/* z such that the FTRL closed form gives back the initial weight */
				o->s2[i] = 0;
				o->s1[i] = -m->params[i] * o->ftrl_beta; /* times 1/lr, applied at the first step */
			}
		}
	}
}

void optim_free(struct optimizer *o)
{
	free(o->s1);
	free(o->s2);
	memset(o, 0, sizeof *o);
}

void optim_step(struct optimizer *o, const struct model *m, double *params, const double *grad,
		const double lr[2])
{
	optim_step_range(o, m, params, grad, lr, 0, m->nparams);
}

void optim_step_range(struct optimizer *o, const struct model *m, double *params,
		      const double *grad, const double lr[2], size_t lo, size_t hi)
{
	o->t++;
	double bc1 = 1.0 - pow(o->beta1, (double)o->t), bc2 = 1.0 - pow(o->beta2, (double)o->t);
	for (size_t b = 0; b < m->nblocks; b++) {
		const struct pblock *pb = &m->blocks[b];
		size_t from = pb->off > lo ? pb->off : lo, to = pb->off + pb->len < hi ? pb->off + pb->len : hi;
		if (from >= to)
			continue;
		double a = lr[pb->group];
		enum opt_kind k = o->kind[pb->group];
		double *w = params + from, *s1 = o->s1 + from, *s2 = o->s2 + from;
		const double *g = grad + (from - lo);
		size_t n = to - from;
		switch (k) {
		case OPT_SGD:
			for (size_t i = 0; i < n; i++) {
				s1[i] = o->momentum * s1[i] - a * g[i];
				w[i] += s1[i];
			}
			break;
		case OPT_ADAM:
			for (size_t i = 0; i < n; i++) {
				s1[i] = o->beta1 * s1[i] + (1 - o->beta1) * g[i];
				s2[i] = o->beta2 * s2[i] + (1 - o->beta2) * g[i] * g[i];
				w[i] -= a * (s1[i] / bc1) / (sqrt(s2[i] / bc2) + o->eps);
			}
			break;
		case OPT_ADAGRAD:
			for (size_t i = 0; i < n; i++) {
				s1[i] += g[i] * g[i];
				w[i] -= a * g[i] / (sqrt(s1[i]) + 1e-7);
			}
			break;
		case OPT_FTRL:
			/* FTRL-Proximal (McMahan et al. 2013) without L1; L2 is already
			 * in the gradient.  s1 = z, s2 = n. */
			for (size_t i = 0; i < n; i++) {
				if (o->t == 1)
					s1[i] /= a;
				double gi = g[i], ni = s2[i] + gi * gi;
				double sigma = (sqrt(ni) - sqrt(s2[i])) / a;
				s1[i] += gi - sigma * w[i];
				s2[i] = ni;
				w[i] = -s1[i] / ((o->ftrl_beta + sqrt(ni)) / a);
			}
			break;
		case OPT_LBFGS:
		case OPT_AUTO:
			break;  /* not step-wise: trainer_solve */
		}
	}
}

double lr_at(const struct train_config *c, double base, int epoch)
{
	switch (c->schedule) {
	case LR_CONSTANT:
		return base;
	case LR_EXPONENTIAL:
		return base * pow(c->lr_decay, epoch);
	case LR_STEP:
		return base * pow(c->lr_decay, c->lr_step > 0 ? epoch / c->lr_step : 0);
	case LR_COSINE:
		if (c->epochs <= 1)
			return base;
		/* down to 1% of the base rate at the last epoch */
		return base * (0.01 + 0.99 * 0.5 * (1 + cos(3.141592653589793 * epoch / (c->epochs - 1))));
	}
	return base;
}
