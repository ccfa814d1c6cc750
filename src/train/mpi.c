/* Every MPI call of prodml: the few collectives that synchronous data
 * parallelism needs.  Built only when configure found MPI (mpi-none.c
 * stands in otherwise), so nothing else includes mpi.h. */
#include "train.h"

#include <mpi.h>
#include <stdlib.h>

bool dist_built(void)
{
	return true;
}

int dist_not_built(int workers, struct pm_err *err)
{
	return 0;
}

/* Collectives wait for the slowest rank: the time inside them is what the
 * run reports as communication (transfer and waiting alike). */
static int mpi_check(struct dist *d, int rc, const char *what, double t0, struct pm_err *err)
{
	d->comm_s += now_seconds() - t0;
	if (rc == MPI_SUCCESS)
		return 0;
	char msg[MPI_MAX_ERROR_STRING];
	int len = 0;
	MPI_Error_string(rc, msg, &len);
	return pm_errf(err, "rank %d of %d: %s: %.*s", d->rank, d->size, what, len, msg);
}

static void finalize_at_exit(void)
{
	int fin = 0;
	MPI_Finalized(&fin);
	if (!fin)
		MPI_Finalize();
}

int dist_init(struct dist *d, struct pm_err *err)
{
	int inited = 0;
	MPI_Initialized(&inited);
	if (!inited) {
		int provided;
		/* the trainer's own threads (prefetch, par_for) never call MPI */
		if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
			return pm_errf(err, "MPI could not start (MPI_Init failed)");
		atexit(finalize_at_exit);
		/* errors come back as codes: the trainer reports them with the rank */
		MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	}
	*d = (struct dist){0};
	MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &d->size);
	return 0;
}

int dist_allreduce_sum(struct dist *d, double *x, size_t n, struct pm_err *err)
{
	double t0 = now_seconds();
	int rc = MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	return mpi_check(d, rc, "all-reduce", t0, err);
}

int dist_bcast(struct dist *d, void *buf, size_t len, int root, struct pm_err *err)
{
	double t0 = now_seconds();
	int rc = MPI_SUCCESS;
	/* counts are ints: large images go in pieces */
	for (size_t off = 0; off < len && rc == MPI_SUCCESS; off += 1 << 30) {
		size_t n = len - off < (1u << 30) ? len - off : (1u << 30);
		rc = MPI_Bcast((char *)buf + off, (int)n, MPI_BYTE, root, MPI_COMM_WORLD);
	}
	return mpi_check(d, rc, "broadcast", t0, err);
}

int dist_barrier(struct dist *d, struct pm_err *err)
{
	double t0 = now_seconds();
	return mpi_check(d, MPI_Barrier(MPI_COMM_WORLD), "barrier", t0, err);
}

void dist_abort(struct dist *d, int code)
{
	MPI_Abort(MPI_COMM_WORLD, code);
}

/* ---- point to point: the parameter servers ---- */

int dist_send(struct dist *d, int dest, int tag, const double *x, size_t n, struct pm_err *err)
{
	double t0 = now_seconds();
	int rc = MPI_Send(x, (int)n, MPI_DOUBLE, dest, tag, MPI_COMM_WORLD);
	return mpi_check(d, rc, "send", t0, err);
}

int dist_recv(struct dist *d, double *x, size_t cap, int *from, int *tag, size_t *n,
	      struct pm_err *err)
{
	double t0 = now_seconds();
	MPI_Status st;
	int rc = MPI_Recv(x, (int)cap, MPI_DOUBLE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
	if (rc == MPI_SUCCESS) {
		int count = 0;
		MPI_Get_count(&st, MPI_DOUBLE, &count);
		*from = st.MPI_SOURCE;
		*tag = st.MPI_TAG;
		*n = (size_t)count;
	}
	return mpi_check(d, rc, "receive", t0, err);
}

int dist_exchange(struct dist *d, int npeers, const int *peers, int tag, double *const *out,
		  const size_t *nout, double *const *in, const size_t *nin, struct pm_err *err)
{
	double t0 = now_seconds();
	MPI_Request *req = xmalloc(((size_t)npeers + 1) * sizeof *req);
	int rc = MPI_SUCCESS;
	/* the answers' receives first: a server's answer to this rank then
	 * never waits for it, so servers cannot block each other through it */
	for (int i = 0; i < npeers && rc == MPI_SUCCESS; i++)
		rc = MPI_Irecv(in[i], (int)nin[i], MPI_DOUBLE, peers[i], MPI_ANY_TAG, MPI_COMM_WORLD, &req[i]);
	int posted = rc == MPI_SUCCESS ? npeers : 0;
	for (int i = 0; i < npeers && rc == MPI_SUCCESS; i++)
		rc = MPI_Send(out[i], (int)nout[i], MPI_DOUBLE, peers[i], tag, MPI_COMM_WORLD);
	if (rc == MPI_SUCCESS && posted)
		rc = MPI_Waitall(posted, req, MPI_STATUSES_IGNORE);
	free(req);
	return mpi_check(d, rc, "exchange with the parameter servers", t0, err);
}

/* ---- non-blocking sums: buckets of a gradient, started as the backward
 * pass finishes them ---- */

int dist_iallreduce_sum(struct dist *d, double *x, size_t n, struct pm_err *err)
{
	double t0 = now_seconds();
	if (d->npending == d->cappending) {
		d->cappending = d->cappending ? 2 * d->cappending : 16;
		d->pending = xrealloc(d->pending, (size_t)d->cappending * sizeof(MPI_Request));
	}
	MPI_Request *req = d->pending;
	int rc = MPI_Iallreduce(MPI_IN_PLACE, x, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD,
				&req[d->npending]);
	if (rc == MPI_SUCCESS)
		d->npending++;
	return mpi_check(d, rc, "all-reduce (started)", t0, err);
}

void dist_poke(struct dist *d)
{
	if (d->npending == 0)
		return;
	double t0 = now_seconds();
	int flag;
	MPI_Testall(d->npending, d->pending, &flag, MPI_STATUSES_IGNORE);
	d->comm_s += now_seconds() - t0;
	/* completed requests became MPI_REQUEST_NULL: Waitall skips them */
}

int dist_wait(struct dist *d, struct pm_err *err)
{
	double t0 = now_seconds();
	int rc = d->npending ? MPI_Waitall(d->npending, d->pending, MPI_STATUSES_IGNORE) : MPI_SUCCESS;
	d->npending = 0;
	return mpi_check(d, rc, "all-reduce (waited)", t0, err);
}

void dist_free(struct dist *d)
{
	free(d->pending);
	d->pending = NULL;
	d->npending = d->cappending = 0;
}
