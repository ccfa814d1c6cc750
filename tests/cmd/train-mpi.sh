#!/bin/sh
# train --workers N over Open MPI (synchronous all-reduce) on localhost.
# The sharded sums equal the single-process ones but for the order of the
# additions, so: the L-BFGS optimum of 2 workers is the optimum of 1 to
# 1e-9 (relative), a mini-batch run's loss per epoch matches 1 worker's
# with the same seed and global batch to 1e-6, every rank ends with the
# same parameters (compared inside the run), rank 0 alone registers the
# version, and a worker killed with kill -9 fails the run naming its rank.
# Skips (77) when prodml was built without MPI or mpirun cannot start.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-mpi.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }

. tests/cmd/mpi-lib.sh
# without MPI: the error says how to get it, and the test has nothing to run
if ! mpi_built; then
	grep -q "openmpi-bin and libopenmpi-dev" "$tmp/mpi-probe" || FAIL "no packages named: $(cat "$tmp/mpi-probe")"
	echo "SKIP: prodml was built without MPI ($(cat "$tmp/mpi-probe"))"
	exit $([ $fail = 0 ] && echo 77 || echo 1)
fi
# Under AddressSanitizer, Open MPI's libraries leave allocations at exit in
# components they have unloaded, which LeakSanitizer cannot attribute to a
# library to suppress, and a rank's leak report fails the run: the ranks run
# prodml's training code, whose leaks the single-process tests check.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if ! mpi_can_start; then
	echo "SKIP: mpirun cannot start 2 processes here: $(head -3 "$tmp/mpi-probe")"
	exit 77
fi

# a JSON number (first occurrence of "KEY":) and all of them
num() { grep -o "\"$1\":[-0-9.e+]*" "$2" | head -1 | cut -d: -f2; }
nums() { grep -o "\"$1\":[-0-9.e+]*" "$2" | cut -d: -f2 | tr '\n' ' '; }
# |a-b| <= tol * max(|a|,|b|) for each pair of two equally long lists
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

$P $W -c "load nat datasets/natality/natality.csv" >/dev/null || exit 1
rows=$($P $W -c "train probe --data nat --label weight_pounds --model linear --epochs 1 --optimizer sgd" | grep -o '"rows":[0-9]*' | tail -1 | cut -d: -f2)
[ -n "$rows" ] || FAIL "no row count"

# -- L-BFGS (the default of linear): the same optimum
S="--data nat --label weight_pounds --model linear"
$P $W -c "train one $S" >"$tmp/one" || FAIL "one worker: $(cat "$tmp/one")"
$P $W -c "train two $S --workers 2" >"$tmp/two" 2>"$tmp/err" || FAIL "two workers: $(cat "$tmp/err")"
close "$(num train_loss "$tmp/one") $(num rmse "$tmp/one")" \
	"$(num train_loss "$tmp/two") $(num rmse "$tmp/two")" 1e-9 ||
	FAIL "lbfgs: 1 worker $(num train_loss "$tmp/one"), 2 workers $(num train_loss "$tmp/two")"
grep -q '"distributed":{"strategy":"allreduce","workers":2,' "$tmp/two" || FAIL "no distributed report"
grep -q '"ranks_agree":true' "$tmp/two" || FAIL "the ranks' parameters differ (lbfgs)"
[ "$(grep -o '"same_parameters":true' "$tmp/two" | wc -l)" = 2 ] || FAIL "not 2 ranks agreeing"
grep -q '"distributed"' "$tmp/one" && FAIL "one worker reported workers"

# -- mini-batch (adam, a network): the same loss curve with the same global batch
M="--data nat --label weight_pounds --model dnn --hidden 8 --epochs 3 --batch 64 --seed 5"
$P $W -c "train mb1 $M" >"$tmp/mb1" || FAIL "mini-batch, 1 worker"
$P $W -c "train mb2 $M --workers 2" >"$tmp/mb2" 2>"$tmp/err" || FAIL "mini-batch, 2 workers: $(cat "$tmp/err")"
l1=$(nums train_loss "$tmp/mb1") l2=$(nums train_loss "$tmp/mb2")
close "$l1" "$l2" 1e-6 || FAIL "loss curves differ: 1 worker [$l1], 2 workers [$l2]"
grep -q '"ranks_agree":true' "$tmp/mb2" || FAIL "the ranks' parameters differ (adam)"
# the gradient summed in buckets (the default, 64 KB: this network is one;
# 1 KB: a bucket a layer, started during the backward pass) or in one
# blocking all-reduce after it: the same sums, the same curve (1e-12)
$P $W -c "train mb3 $M --workers 2 --bucket 1" >"$tmp/mb3" 2>"$tmp/err" || FAIL "a bucket a layer: $(cat "$tmp/err")"
$P $W -c "train mb4 $M --workers 2 --bucket 0" >"$tmp/mb4" 2>"$tmp/err" || FAIL "blocking all-reduce: $(cat "$tmp/err")"
close "$l2" "$(nums train_loss "$tmp/mb3")" 1e-12 || FAIL "a bucket a layer: [$(nums train_loss "$tmp/mb3")], one bucket [$l2]"
close "$l2" "$(nums train_loss "$tmp/mb4")" 1e-12 || FAIL "blocking: [$(nums train_loss "$tmp/mb4")], buckets [$l2]"
grep -q '"ranks_agree":true' "$tmp/mb3" || FAIL "the ranks' parameters differ (buckets)"
# each rank computed its shard of every global batch: the shards add up
# to every row of every epoch, and a hash splits them about evenly
r=$(grep -o '"per_worker":.*' "$tmp/mb2" | grep -o '"rows":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
sh=$(grep -o '"per_worker":.*' "$tmp/mb2" | grep -o '"shard_rows":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
awk -v r="$r" -v s="$sh" -v n="$rows" 'BEGIN { split(r, x, " "); split(s, y, " "); t = x[1] + x[2]
	exit !(t == 3 * n && x[1] > 0.45 * t && x[1] < 0.55 * t && x[1] == 3 * y[1] && x[2] == 3 * y[2]) }' ||
	FAIL "per-worker rows [$r] (shards [$sh]) are not a split of 3 x $rows"
# what the registry keeps
$P $W -c "models show mb2:1" >"$tmp/show" || FAIL "models show mb2:1"
grep -q '"strategy":"allreduce"' "$tmp/show" && grep -q '"workers":2' "$tmp/show" ||
	FAIL "the version does not record strategy and workers: $(head -c 400 "$tmp/show")"
# one version for the run: rank 1 wrote nothing
[ "$($P $W -c "models show mb2" | grep -o "\"version\":[0-9]*" | sort -u | wc -l)" = 1 ] || FAIL "mb2 has more than one version"

# -- parameter servers (--strategy ps): 1 worker and 1 server apply the
# single process's updates in its order, so its curve is that one (1e-9);
# 2 workers apply each other's gradients up to a few updates late, and
# end within 2% of the single worker's RMSE (measured: 0.01%)
$P $W -c "train ps1 $M --workers 1 --strategy ps" >"$tmp/ps1" 2>"$tmp/err" || FAIL "ps, 1 worker: $(cat "$tmp/err")"
close "$l1" "$(nums train_loss "$tmp/ps1")" 1e-9 || FAIL "ps with 1 worker: [$(nums train_loss "$tmp/ps1")], 1 process [$l1]"
grep -q '"staleness":{"updates":[0-9]*,"mean":0,"max":0,' "$tmp/ps1" || FAIL "ps, 1 worker: a gradient was stale: $(grep -o '"staleness":{[^}]*}' "$tmp/ps1" | tail -1)"
$P $W -c "train ps2 $M --workers 2 --strategy ps --max-staleness 3" >"$tmp/ps2" 2>"$tmp/err" || FAIL "ps, 2 workers: $(cat "$tmp/err")"
close "$(num rmse "$tmp/mb1")" "$(num rmse "$tmp/ps2")" 0.02 || FAIL "ps: rmse $(num rmse "$tmp/ps2"), 1 worker $(num rmse "$tmp/mb1")"
grep -q '"distributed":{"strategy":"ps","workers":2,' "$tmp/ps2" && grep -q '"ranks_agree":true' "$tmp/ps2" ||
	FAIL "ps: no report or the ranks differ: $(grep -o '"distributed":.*' "$tmp/ps2" | head -c 300)"
[ "$(grep -o '"role":"server"' "$tmp/ps2" | wc -l) $(grep -o '"role":"worker"' "$tmp/ps2" | wc -l)" = "1 2" ] || FAIL "ps: not 1 server and 2 workers"
# every epoch's and the run's staleness: recorded, at most the bound, the
# histogram adding up to the updates, the mean its mean; the updates are
# the workers' steps: one per batch of --batch rows of a shard (about)
st=$(grep -o '"staleness":{[^}]*}' "$tmp/ps2")
[ "$(echo "$st" | wc -l)" = 4 ] || FAIL "ps: not 3 epochs' and the run's staleness: $st"
echo "$st" | awk -F'[:,{}[\]]+' '{
	for (i = 1; i < NF; i++) v[$i] = $(i + 1)
	if (!match($0, /"histogram":\[[0-9,]*\]/)) exit 1
	h = substr($0, RSTART + 13, RLENGTH - 14); n = split(h, c, ",")
	t = 0; m = 0; for (k = 1; k <= n; k++) { t += c[k]; m += (k - 1) * c[k] }
	if (v["\"max\""] > 3 || v["\"bound\""] != 3 || n - 1 != v["\"max\""] || t != v["\"updates\""] ||
	    (t > 0 && (m / t - v["\"mean\""] > 1e-9 || v["\"mean\""] - m / t > 1e-9))) exit 1
	if (NR < 4) { u += v["\"updates\""] } else if (u != v["\"updates\""] || u < 3 * 300 || u > 3 * 330) exit 1
}' || FAIL "ps: staleness figures: $st"
$P $W -c "train ps0 $M --workers 2 --strategy ps --max-staleness 0" >"$tmp/ps0" 2>"$tmp/err" || FAIL "ps, bound 0: $(cat "$tmp/err")"
grep -o '"staleness":{[^}]*}' "$tmp/ps0" | grep -v '"max":0,' && FAIL "ps, bound 0: a stale gradient applied"
$P $W -c "train ps3 $M --workers 2 --strategy ps --ps 2" >"$tmp/ps3" 2>"$tmp/err" || FAIL "ps, 2 servers: $(cat "$tmp/err")"
grep -q '"ranks_agree":true' "$tmp/ps3" && grep -q '"servers":2,' "$tmp/ps3" || FAIL "ps, 2 servers: $(grep -o '"distributed":.*' "$tmp/ps3" | head -c 300)"
close "$(num rmse "$tmp/mb1")" "$(num rmse "$tmp/ps3")" 0.02 || FAIL "ps, 2 servers: rmse $(num rmse "$tmp/ps3")"
$P $W -c "models show ps2:1" | grep -q '"strategy":"ps"' || FAIL "the version does not record --strategy ps"

# -- live progress: while a detached run of 2 workers and a server goes,
# `job show` has each rank's rows, steps and loss (rank 0 hears them with
# the gradients) and the job its progress line; the TUI's run view lists
# the workers; the workers' rows add up to no more than the epoch's
L="--data nat --label weight_pounds --model dnn --hidden 32,32 --epochs 300 --batch 16 --seed 1"
job=$($P $W -c "train live $L --workers 2 --strategy ps --detach" | grep -o '"job":[0-9]*' | cut -d: -f2)
seen= i=0
while [ $i -lt 300 ] && [ -z "$seen" ]; do
	$P $W -c "job show $job" >"$tmp/js" 2>&1
	grep -q '"state":"done"\|"state":"failed"' "$tmp/js" && break
	grep -q '"state":"running"' "$tmp/js" && grep -q '"message":"epoch [0-9]*/300 loss' "$tmp/js" &&
		[ "$(grep -o '"role":"worker","rows":[1-9][0-9]*,"steps":[1-9][0-9]*,"loss":[0-9.e+-]*' "$tmp/js" | wc -l)" = 2 ] &&
		grep -q '"rank":0,"role":"server"' "$tmp/js" && seen=1
	[ -n "$seen" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$seen" ] || FAIL "no live progress of each worker: $(head -c 900 "$tmp/js")"
w=$(grep -o '"role":"worker","rows":[0-9]*' "$tmp/js" | cut -d: -f3 | tr '\n' ' ')
awk -v w="$w" -v n="$rows" 'BEGIN { split(w, x, " "); exit !(x[1] + x[2] <= n) }' || FAIL "live rows [$w] exceed an epoch's $rows"
$P -W "$tmp/ws" --tui-dump 120x40 --keys '2<Enter>' >"$tmp/screen" 2>&1
grep -q "workers in epoch" "$tmp/screen" && grep -q "rank 0   server" "$tmp/screen" &&
	[ "$(grep -c "rank [12]   worker .* rows .* steps  loss" "$tmp/screen")" = 2 ] ||
	FAIL "the run view lists no workers: $(cat "$tmp/screen")"
$P $W -o table -c "job show $job" | grep -q "rank  role        rows   steps" || FAIL "job show's table lists no workers"
$P $W -c "job cancel $job" >/dev/null || FAIL "job cancel $job"

# -- inside the user's mpirun: each process is a rank; one result, one version
mpirun -np 2 --oversubscribe "$P" $W train mine $S >"$tmp/u" 2>"$tmp/err" || FAIL "under mpirun: $(cat "$tmp/err")"
[ "$(grep -c '"model":"mine"' "$tmp/u")" = 1 ] || FAIL "under mpirun: not one result: $(cat "$tmp/u")"
close "$(num train_loss "$tmp/one")" "$(num train_loss "$tmp/u")" 1e-9 || FAIL "under mpirun: another optimum"
mpirun -np 2 --oversubscribe "$P" $W train mine $S --workers 3 >"$tmp/o" 2>&1 && FAIL "--workers 3 under -np 2 ran"
grep -q "mpirun started 2 processes" "$tmp/o" || FAIL "--workers 3 under -np 2: $(cat "$tmp/o")"

# -- errors
err() { # expected-text command...
	want=$1; shift
	"$@" >"$tmp/o" 2>&1 && FAIL "ran: $*"
	grep -q -- "$want" "$tmp/o" || FAIL "$*: expected '$want', got: $(cat "$tmp/o")"
}
err "must be from 1 to 1024" $P $W -c "train e $S --workers 0"
err "--strategy 'gossip': expected allreduce or ps" $P $W -c "train e $S --workers 2 --strategy gossip"
err "--ps applies to --strategy ps" $P $W -c "train e $S --workers 2 --ps 2"
err "--bucket applies to --workers N (N >= 2) with --strategy allreduce" $P $W -c "train e $M --workers 2 --strategy ps --bucket 8"
err "--bucket applies" $P $W -c "train e $M --bucket 8"
err "--max-staleness must be from 0 to 1000" $P $W -c "train e $M --workers 2 --strategy ps --max-staleness -1"
err "not lbfgs" $P $W -c "train e $S --workers 2 --strategy ps --optimizer lbfgs"
err "--ps 2, but mpirun started 2 processes" mpirun -np 2 --oversubscribe "$P" $W train e $M --strategy ps --ps 2
err "no/such/hosts: No such file" $P $W -c "train e $S --workers 2 --hosts $tmp/no/such/hosts"
printf 'localhost slots=two\n' >"$tmp/hosts"
err "hosts:1: 'slots=two': expected slots=N" $P $W -c "train e $S --workers 2 --hosts $tmp/hosts"
printf '# nothing\n' >"$tmp/hosts"
err "no hosts in the file" $P $W -c "train e $S --workers 2 --hosts $tmp/hosts"
printf 'localhost slots=1\n' >"$tmp/hosts"
err "more workers than the hosts' slots" $P $W -c "train e $S --workers 2 --hosts $tmp/hosts"
err "give --workers N" $P $W -c "train e $S --hosts $tmp/hosts"
PRODML_MPIRUN=$tmp/no-mpirun err "install the Debian package openmpi-bin" $P $W -c "train e $S --workers 2"
$P $W -c "models show e" >/dev/null 2>&1 && FAIL "a failed launch registered a version"

# -- a background job starts the workers too
job=$($P $W -c "train bg $S --workers 2 --detach" | grep -o '"job":[0-9]*' | cut -d: -f2)
$P $W -c "job wait $job" >"$tmp/bg" || FAIL "job wait $job"
grep -q '"state":"done"' "$tmp/bg" && grep -q '"ranks_agree":true' "$tmp/bg" ||
	FAIL "a detached run of 2 workers: $(head -c 600 "$tmp/bg")"

# -- rank 0 dies (SIGKILL after epoch 1's checkpoint): the run fails naming
# it, and `train --resume RUN` (no --workers: the run's 2) ends on the
# uninterrupted run's loss curve
PRODML_TEST_KILL_AFTER_EPOCH=1 $P $W -c "train cut $M --workers 2" >/dev/null 2>"$tmp/cerr" &&
	FAIL "a run whose rank 0 was killed succeeded"
grep -q "worker rank 0 (host [^)]*) died: signal 9" "$tmp/cerr" || FAIL "rank 0 killed: $(cat "$tmp/cerr")"
run=$(grep -o 'run [0-9]*' "$tmp/cerr" | head -1 | cut -d' ' -f2)
$P $W -c "models show cut" >/dev/null 2>&1 && FAIL "a killed run registered a version"
$P $W -c "train --resume $run" >"$tmp/res" 2>"$tmp/err" || FAIL "resume $run: $(cat "$tmp/err")"
grep -q '"resumed":true' "$tmp/res" && grep -q '"workers":2,' "$tmp/res" || FAIL "resume: $(head -c 300 "$tmp/res")"
close "$l1" "$(nums train_loss "$tmp/res")" 1e-6 || FAIL "resumed curve [$(nums train_loss "$tmp/res")], 1 worker [$l1]"

# -- the same with a parameter server (rank 0): the resumed run has the 3
# epochs, on 2 workers and a server again, within 2% of 1 process's RMSE
PRODML_TEST_KILL_AFTER_EPOCH=1 $P $W -c "train cutps $M --workers 2 --strategy ps" >/dev/null 2>"$tmp/cerr" &&
	FAIL "a ps run whose server was killed succeeded"
grep -q "worker rank 0 (host [^)]*) died: signal 9" "$tmp/cerr" || FAIL "ps server killed: $(cat "$tmp/cerr")"
run=$(grep -o 'run [0-9]*' "$tmp/cerr" | head -1 | cut -d' ' -f2)
$P $W -c "train --resume $run" >"$tmp/res" 2>"$tmp/err" || FAIL "resume ps $run: $(cat "$tmp/err")"
grep -q '"resumed":true' "$tmp/res" && grep -q '"distributed":{"strategy":"ps","workers":2,' "$tmp/res" &&
	[ "$(nums train_loss "$tmp/res" | wc -w)" = 3 ] || FAIL "resume ps: $(head -c 400 "$tmp/res")"
close "$(num rmse "$tmp/mb1")" "$(num rmse "$tmp/res")" 0.02 || FAIL "resumed ps: rmse $(num rmse "$tmp/res")"
# the run's staleness counts every epoch's updates, those before the kill too
echo "$(nums updates "$tmp/res")" | awk '{ m = 0; s = 0; for (i = 1; i <= NF; i++) { s += $i; if ($i > m) m = $i }
	exit !(NF == 4 && m > 0 && s - m == m) }' || FAIL "resumed ps: staleness updates $(nums updates "$tmp/res")"

# -- a worker killed with kill -9: the run fails naming the rank
K="--data nat --label weight_pounds --model dnn --hidden 32,32 --epochs 400 --batch 16 --seed 1"
$P $W -c "train killed $K --workers 2" >"$tmp/k" 2>"$tmp/kerr" &
launcher=$!
victim=
i=0
while [ $i -lt 600 ] && [ -z "$victim" ]; do
	# rank 1, once the run has a checkpoint (an epoch done)
	if ls "$tmp"/ws/runs/*/checkpoint.pmc >/dev/null 2>&1; then
		for p in $(pgrep -x prodml); do
			(tr '\0' '\n' <"/proc/$p/environ") 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 &&
				grep -q "$tmp/ws" "/proc/$p/cmdline" 2>/dev/null && victim=$p
		done
	fi
	[ -n "$victim" ] || sleep 0.1
	i=$((i + 1))
done
if [ -n "$victim" ]; then
	kill -9 "$victim"
	wait $launcher && FAIL "the run with a killed worker succeeded"
	grep -q "worker rank 1 (host [^)]*) died: signal 9" "$tmp/kerr" || FAIL "kill -9: $(cat "$tmp/kerr")"
	grep -q "train --resume [0-9]*. continues it" "$tmp/kerr" || FAIL "kill -9: no resume hint"
	$P $W -c "models show killed" >/dev/null 2>&1 && FAIL "a killed run registered a version"
else
	kill "$launcher" 2>/dev/null
	wait $launcher
	FAIL "rank 1 never appeared"
fi
exit $fail
