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
exit $fail
