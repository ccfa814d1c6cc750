#!/bin/sh
# Background training jobs: train --detach, jobs, job show|wait|cancel, and a
# job whose process is killed.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-jobs.XXXXXX") || exit 99
cleanup() {
	for pid in $(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$tmp"/pid* 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -1; }
# waits until job $1 has finished an epoch
wait_progress() {
	i=0
	while [ $i -lt 200 ]; do
		$P $W -c "job show $1" >"$tmp/show" 2>&1
		grep -q '"epochs":\[{' "$tmp/show" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	FAIL "job $1 made no progress: $(cat "$tmp/show")"
	return 1
}

$P $W -c "load nat datasets/natality/natality.csv" >/dev/null || exit 1
$P $W -c "train bw --data nat --label weight_pounds --epochs 2 --detach" >"$tmp/j1" || FAIL "detach: $(cat "$tmp/j1")"
[ "$(field job <"$tmp/j1")" = 1 ] || FAIL "detach: $(cat "$tmp/j1")"
$P $W -c "job wait 1 --timeout 60" >"$tmp/w1" || FAIL "job wait: $(cat "$tmp/w1")"
[ "$(field state <"$tmp/w1")" = done ] || FAIL "job 1: $(cat "$tmp/w1")"
grep -q '"result":{"model":"bw","version":1,"run":1' "$tmp/w1" || FAIL "job 1 result: $(cat "$tmp/w1")"
$P $W -c "evaluate bw --data nat" >/dev/null || FAIL "the job's model is not registered"
$P $W -c "jobs" >"$tmp/l" || FAIL jobs
grep -q '"jobs":\[{"job":1,"kind":"train","state":"done"' "$tmp/l" || FAIL "jobs: $(cat "$tmp/l")"
[ -s "$tmp/ws/jobs/1.log" ] || FAIL "job 1 wrote no log"

# cancel: the job stops by itself at its next check
$P $W -c "train long --data nat --label weight_pounds --model dnn --epochs 100000 --detach" >"$tmp/pid2" || FAIL "detach 2"
wait_progress 2
$P $W -c "job cancel 2" >"$tmp/c2" 2>&1 || FAIL "job cancel: $(cat "$tmp/c2")"
[ "$(field state <"$tmp/c2")" = cancelled ] || FAIL "job 2: $(cat "$tmp/c2")"
grep -q '"error":"cancelled at epoch [0-9]*"' "$tmp/c2" || FAIL "job 2: $(cat "$tmp/c2")"
$P $W -c "job wait 2" >"$tmp/o" 2>&1 && FAIL "job wait on a cancelled job succeeded"
grep -q '^-c:1: job 2 cancelled: cancelled at epoch' "$tmp/o" || FAIL "job wait 2: $(cat "$tmp/o")"
$P $W -c "job cancel 2" >"$tmp/o" 2>&1 && FAIL "cancelled twice"
grep -q 'job 2 already ended (cancelled)' "$tmp/o" || FAIL "job cancel 2 again: $(cat "$tmp/o")"

# a job killed with -9 is reported failed; its run can be resumed
$P $W -c "train long3 --data nat --label weight_pounds --model dnn --epochs 100000 --detach" >"$tmp/pid3" || FAIL "detach 3"
wait_progress 3
pid=$(field pid <"$tmp/show")
[ -n "$pid" ] && kill -9 "$pid"
sleep 0.3
$P $W -c "job show 3" >"$tmp/s3" 2>&1
[ "$(field state <"$tmp/s3")" = failed ] || FAIL "killed job: $(cat "$tmp/s3")"
grep -q "the job process (pid $pid) ended without a result" "$tmp/s3" || FAIL "killed job: $(cat "$tmp/s3")"
grep -q '"run_state":"failed"' "$tmp/s3" || FAIL "killed job's run: $(cat "$tmp/s3")"
# it could not say where it stopped: its run's epochs do
k=$(grep -o '"epoch":[0-9]*' "$tmp/s3" | wc -l)
grep -q "\"message\":\"epoch $k/100000\"" "$tmp/s3" || FAIL "killed job after $k epochs: $(head -c 400 "$tmp/s3")"

# a cancelled job shows where it stopped: the progress, the message and the
# error agree with the epochs its run recorded (K done, cancelled in K+1)
$P $W -c "train fast --data nat --label weight_pounds --epochs 3000 --detach" >"$tmp/pid4" || FAIL "detach 4"
wait_progress 4
sleep 0.7
$P $W -c "job cancel 4" >/dev/null 2>&1 || FAIL "job cancel 4"
$P $W -c "job show 4" >"$tmp/s4" 2>&1
k=$(grep -o '"epoch":[0-9]*' "$tmp/s4" | wc -l)
e=$(sed -n 's/.*"error":"cancelled at epoch \([0-9]*\)".*/\1/p' "$tmp/s4")
n=$(sed -n 's/.*"message":"epoch \([0-9]*\)\/3000 [^"]*".*/\1/p' "$tmp/s4")
p=$(field progress <"$tmp/s4")
[ "$e" = $((k + 1)) ] || FAIL "job 4 cancelled at epoch '$e' after $k epochs: $(head -c 400 "$tmp/s4")"
[ "$n" = "$k" ] || [ "$n" = $((k + 1)) ] || FAIL "job 4 shows epoch '$n' after $k epochs: $(head -c 400 "$tmp/s4")"
# (progress is kept to 6 decimals: k/3000 may read up to 0.0015 epochs low)
awk -v p="$p" -v k="$k" 'BEGIN { exit !(p * 3000 >= k - 0.002 && p * 3000 < k + 1) }' ||
	FAIL "job 4 shows progress $p after $k of 3000 epochs"
grep -q '"message":"[^"]*ETA' "$tmp/s4" && FAIL "job 4 shows an ETA: $(head -c 400 "$tmp/s4")"
$P -W "$tmp/ws" -q -c "job show 4" | sed -n 1p >"$tmp/t4"
pct=$(awk -v k="$k" 'BEGIN { printf "%.0f", 100 * k / 3000 }')
pct1=$(awk -v k="$k" 'BEGIN { printf "%.0f", 100 * (k + 1) / 3000 }')
grep -q "^job 4: cancelled  \($pct\|$pct1\)%  run 4$" "$tmp/t4" || FAIL "job show 4: $(cat "$tmp/t4"), $k epochs"
exit $fail
