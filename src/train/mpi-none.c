/* Stands in for mpi.c in a prodml built without MPI: --workers N > 1
 * says how to get it. */
#include "train.h"

#include <stdlib.h>

bool dist_built(void)
{
	return false;
}

int dist_not_built(int workers, struct pm_err *err)
{
	return pm_errcf(err, PM_E_USAGE, "--workers %d: this prodml was built without MPI: install the Debian packages openmpi-bin and libopenmpi-dev (apt-get install openmpi-bin libopenmpi-dev), then ./configure --with-mpi && make",
			workers);
}

int dist_init(struct dist *d, struct pm_err *err)
{
	return dist_not_built(2, err);
}

int dist_allreduce_sum(struct dist *d, double *x, size_t n, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

int dist_bcast(struct dist *d, void *buf, size_t len, int root, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

int dist_barrier(struct dist *d, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

void dist_abort(struct dist *d, int code)
{
	exit(code);
}

int dist_send(struct dist *d, int dest, int tag, const double *x, size_t n, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

int dist_recv(struct dist *d, double *x, size_t cap, int *from, int *tag, size_t *n,
	      struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

int dist_exchange(struct dist *d, int npeers, const int *peers, int tag, double *const *out,
		  const size_t *nout, double *const *in, const size_t *nin, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

int dist_iallreduce_sum(struct dist *d, double *x, size_t n, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

void dist_poke(struct dist *d)
{
}

int dist_wait(struct dist *d, struct pm_err *err)
{
	return dist_not_built(d->size, err);
}

void dist_free(struct dist *d)
{
	free(d->pending);
}
