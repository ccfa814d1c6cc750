#!/bin/sh
# labs/distributed.prodml end to end: its five versions are one process,
# 2 workers with all-reduce in buckets and in one blocking all-reduce
# (both on the single process's loss curve to 1e-6: the same sums in
# another order), 2 workers with a parameter server (its RMSE within 2% of
# the single process's, its staleness recorded and at most the bound), and
# the parameter server with --max-staleness 0 (no stale update applied).
# Skips (77) when prodml was built without MPI or mpirun cannot start.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-distlab.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
bad() { echo "FAIL $*"; fail=1; }
. tests/cmd/mpi-lib.sh
if ! mpi_built; then
	echo "SKIP: prodml was built without MPI ($(cat "$tmp/mpi-probe"))"
	exit 77
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if ! mpi_can_start; then
	echo "SKIP: mpirun cannot start 2 processes here: $(head -3 "$tmp/mpi-probe")"
	exit 77
fi
W="-W $tmp/ws -q"
LC_ALL=C.UTF-8 $P $W -o json -f labs/distributed.prodml >"$tmp/out" 2>&1 || bad "lab failed: $(tail -5 "$tmp/out")"
# one train document a line, in the lab's order
grep '"model":"dist","version":' "$tmp/out" >"$tmp/runs"
[ "$(wc -l <"$tmp/runs")" = 5 ] || bad "not 5 versions: $(head -c 600 "$tmp/out")"
line() { sed -n "$1p" "$tmp/runs" >"$tmp/v$1"; }
for v in 1 2 3 4 5; do line $v; done
nums() { grep -o "\"$1\":[-0-9.e+]*" "$2" | cut -d: -f2 | tr '\n' ' '; }
num() { grep -o "\"$1\":[-0-9.e+]*" "$2" | head -1 | cut -d: -f2; }
close() {
	awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN {
		na = split(a, x, " "); nb = split(b, y, " ")
		if (na != nb || na == 0) exit 1
		for (i = 1; i <= na; i++) {
			d = x[i] - y[i]; if (d < 0) d = -d
			m = x[i] < 0 ? -x[i] : x[i]; n = y[i] < 0 ? -y[i] : y[i]; if (n > m) m = n
			if (d > tol * m) exit 1
		}
	}'
}
one=$(nums train_loss "$tmp/v1")
[ "$(echo $one | wc -w)" = 5 ] || bad "the single process's curve: [$one]"
grep -q '"distributed"' "$tmp/v1" && bad "version 1 ran on workers"
for v in 2 3; do
	close "$one" "$(nums train_loss "$tmp/v$v")" 1e-6 || bad "version $v's curve [$(nums train_loss "$tmp/v$v")], 1 process [$one]"
	grep -q '"distributed":{"strategy":"allreduce","workers":2,' "$tmp/v$v" || bad "version $v: not all-reduce on 2 workers"
done
for v in 2 3 4 5; do
	grep -q '"ranks_agree":true' "$tmp/v$v" || bad "version $v: the ranks' parameters differ"
done
for v in 4 5; do
	grep -q '"distributed":{"strategy":"ps","workers":2,' "$tmp/v$v" || bad "version $v: not ps on 2 workers"
	close "$(num rmse "$tmp/v1")" "$(num rmse "$tmp/v$v")" 0.02 || bad "version $v: rmse $(num rmse "$tmp/v$v"), 1 process $(num rmse "$tmp/v1")"
done
# the run's staleness (the last object): at most the bound, 8 and then 0
s4=$(grep -o '"staleness":{[^}]*}' "$tmp/v4" | tail -1) s5=$(grep -o '"staleness":{[^}]*}' "$tmp/v5" | tail -1)
echo "$s4" | awk -F'[:,{}]+' '{ for (i = 1; i < NF; i++) v[$i] = $(i + 1); exit !(v["\"bound\""] == 8 && v["\"max\""] <= 8 && v["\"updates\""] > 0) }' ||
	bad "version 4's staleness: $s4"
echo "$s5" | grep -q '"max":0,.*"bound":0,' || bad "version 5's staleness: $s5"
# models show lists the five with their strategies recorded
$P $W -o json -c "models show dist:4" | grep -q '"strategy":"ps"' || bad "version 4 does not record --strategy ps"
exit $fail
