/* L-BFGS (Nocedal & Wright, Numerical Optimization, algorithm 7.4/7.5)
 * with a backtracking line search on the Armijo condition.  The
 * objectives here are convex and smooth (least squares, log loss,
 * cross-entropy, plus L2), where a unit step of the quasi-Newton direction
 * is accepted almost always; a pair whose curvature s'y is not positive is
 * not kept, so the implied Hessian stays positive definite without a
 * Wolfe search. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARMIJO 1e-4
#define MAX_BACKTRACK 40

static double dot(const double *a, const double *b, size_t n)
{
	long double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return (double)s;
}

/* d = -H g by the two-loop recursion over the kept pairs, oldest first in
 * ring order from `first`. */
static void direction(size_t n, int k, int first, int mem, double *const *s, double *const *y,
		      const double *rho, double *alpha, const double *g, double *d)
{
	for (size_t i = 0; i < n; i++)
		d[i] = -g[i];
	for (int j = k - 1; j >= 0; j--) {
		int at = (first + j) % mem;
		alpha[at] = rho[at] * dot(s[at], d, n);
		for (size_t i = 0; i < n; i++)
			d[i] -= alpha[at] * y[at][i];
	}
	if (k > 0) {
		/* scale by s'y / y'y of the newest pair (the usual H0) */
		int at = (first + k - 1) % mem;
		double gamma = 1.0 / (rho[at] * dot(y[at], y[at], n));
		for (size_t i = 0; i < n; i++)
			d[i] *= gamma;
	}
	for (int j = 0; j < k; j++) {
		int at = (first + j) % mem;
		double beta = rho[at] * dot(y[at], d, n);
		for (size_t i = 0; i < n; i++)
			d[i] += (alpha[at] - beta) * s[at][i];
	}
}

int lbfgs_minimize(size_t n, double *x, lbfgs_fn fn, void *ctx, const struct lbfgs_opts *o,
		   struct lbfgs_result *r, struct pm_err *err)
{
	int mem = o->memory > 0 ? o->memory : 10;
	memset(r, 0, sizeof *r);
	r->stopped_by = "max_iter";
	double *g = xmalloc((n + 1) * sizeof *g), *d = xmalloc((n + 1) * sizeof *d);
	double *xn = xmalloc((n + 1) * sizeof *xn), *gn = xmalloc((n + 1) * sizeof *gn);
	double **s = xcalloc((size_t)mem, sizeof *s), **y = xcalloc((size_t)mem, sizeof *y);
	double *rho = xcalloc((size_t)mem, sizeof *rho), *alpha = xcalloc((size_t)mem, sizeof *alpha);
	for (int j = 0; j < mem; j++) {
		s[j] = xmalloc((n + 1) * sizeof **s);
		y[j] = xmalloc((n + 1) * sizeof **y);
	}
	int rc = -1, k = 0, first = 0;
	double f;
	if (fn(ctx, x, g, &f, err) < 0)
		goto out;
	r->evaluations = 1;
	r->f = f;
	r->gnorm = r->gnorm0 = sqrt(dot(g, g, n));
	double goal = o->tol * (r->gnorm0 > 1 ? r->gnorm0 : 1);
	while (r->gnorm > goal && r->iterations < o->max_iter) {
		direction(n, k, first, mem, s, y, rho, alpha, g, d);
		double slope = dot(g, d, n);
		if (!(slope < 0)) {
			/* not a descent direction (rounding): start again from the gradient */
			k = 0;
			for (size_t i = 0; i < n; i++)
				d[i] = -g[i];
			slope = -r->gnorm * r->gnorm;
		}
		/* the first step has no curvature to scale it: a unit move */
		double step = k == 0 && r->iterations == 0 ? 1.0 / r->gnorm : 1.0, fn_ = NAN;
		int tries = 0;
		for (;;) {
			for (size_t i = 0; i < n; i++)
				xn[i] = x[i] + step * d[i];
			if (fn(ctx, xn, gn, &fn_, err) < 0)
				goto out;
			r->evaluations++;
			if (isfinite(fn_) && fn_ <= f + ARMIJO * step * slope)
				break;
			if (++tries >= MAX_BACKTRACK)
				break;
			step *= isfinite(fn_) ? 0.5 : 0.1;
		}
		if (tries >= MAX_BACKTRACK || !(fn_ <= f)) {
			/* no decrease left at this precision: the optimum within rounding */
			r->stopped_by = "no_progress";
			break;
		}
		/* the new pair, kept when its curvature is positive */
		long double sy = 0, yy = 0;
		for (size_t i = 0; i < n; i++) {
			double ds = xn[i] - x[i], dg = gn[i] - g[i];
			sy += ds * dg;
			yy += dg * dg;
		}
		if (sy > 1e-12 * yy && sy > 0) {
			int at = k < mem ? (first + k) % mem : first;
			for (size_t i = 0; i < n; i++) {
				s[at][i] = xn[i] - x[i];
				y[at][i] = gn[i] - g[i];
			}
			rho[at] = 1.0 / (double)sy;
			if (k < mem)
				k++;
			else
				first = (first + 1) % mem;
		}
		memcpy(x, xn, n * sizeof *x);
		memcpy(g, gn, n * sizeof *g);
		f = fn_;
		r->iterations++;
		r->f = f;
		r->gnorm = sqrt(dot(g, g, n));
	}
	r->converged = r->gnorm <= goal;
	if (r->converged)
		r->stopped_by = "gradient";
	rc = 0;
out:
	for (int j = 0; j < mem; j++) {
		free(s[j]);
		free(y[j]);
	}
	free(s);
	free(y);
	free(rho);
	free(alpha);
	free(g);
	free(d);
	free(xn);
	free(gn);
	return rc;
}
