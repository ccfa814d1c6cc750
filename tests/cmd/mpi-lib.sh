# Helpers of the tests that train with --workers, sourced by them (not a
# test itself).  Needs P (prodml) and tmp (a scratch folder).
#   mpi_built      whether prodml was built with MPI; without, its answer to
#                  `train --workers 2` is left in $tmp/mpi-probe
#   mpi_can_start  whether mpirun starts 2 processes here (2 cores
#                  oversubscribe); if not, its words are in $tmp/mpi-probe
# Sourcing it sets what Open MPI needs here: it refuses to run as root
# unless told.
mpi_built() {
	! { $P -W "$tmp/mpi-probe-ws" -q -c "train m --data none --label y --workers 2" >"$tmp/mpi-probe" 2>&1 ||
		grep -q "built without MPI" "$tmp/mpi-probe"; }
}
mpi_can_start() {
	mpirun -np 2 --oversubscribe true >"$tmp/mpi-probe" 2>&1
}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
