#!/bin/sh
# A detached pipeline run is a job; killed with -9 while a step runs, it
# is shown failed, and `pipeline resume` ends the step's left-over process
# and continues from the first unfinished step without redoing the others.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-presume.XXXXXX") || exit 99
cleanup() {
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
state_of() { # RUN STEP
	$P $W -c "pipeline run show $1" | grep -o "\"step\":\"$2\",\"state\":\"[a-z]*\"" | sed 's/.*"state":"//; s/"//'
}

cat >"$tmp/slow.pipeline" <<EOP
pipeline slow
param epochs = 400
step ingest : load taxi datasets/taxi/train.csv
step train  : train fare --data taxi --label fare --epochs \${epochs} after ingest
step show   : models show fare:\${train.version} after train
EOP
$P $W -c "pipeline load $tmp/slow.pipeline" >/dev/null || FAIL "load"
$P $W -c "pipeline run slow --detach" >"$tmp/d" || FAIL "detach: $(cat "$tmp/d")"
grep -q '^{"run":1,"pipeline":"slow","state":"\(queued\|running\)",.*"job":1,' "$tmp/d" || FAIL "detach: $(cat "$tmp/d")"
i=0
while [ "$(state_of 1 train)" != running ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(state_of 1 train)" = running ] || FAIL "train never ran: $($P $W -c 'pipeline run show 1')"
$P $W -c "jobs" | grep -q '"job":1,"kind":"pipeline","state":"running","command":"pipeline run slow --detach"' ||
	FAIL "jobs: $($P $W -c jobs)"
pid=$($P $W -c "pipeline run show 1" | sed -n 's/.*"pid":\([0-9]*\),.*/\1/p')
[ -n "$pid" ] || FAIL "no pid"
kill -9 "$pid"
sleep 0.3
$P $W -c "pipeline runs" >"$tmp/r"
grep -q '"run":1,"pipeline":"slow","state":"failed",' "$tmp/r" || FAIL "killed run: $(cat "$tmp/r")"
grep -q "\"message\":\"the run's process (pid $pid) ended before the run finished\"" "$tmp/r" || FAIL "killed run: $(cat "$tmp/r")"
[ "$(state_of 1 ingest)" = done ] || FAIL "ingest lost"
[ "$(state_of 1 train)" = failed ] || FAIL "train: $(state_of 1 train)"
$P $W -c "jobs" | grep -q '"job":1,"kind":"pipeline","state":"failed"' || FAIL "job: $($P $W -c jobs)"
ingest_before=$($P $W -c "pipeline run show 1" | grep -o '"step":"ingest","state":"done","command":"[^"]*","seconds":[0-9.e-]*')

# the train step's process outlived the run: resume ends it first, so
# the model gets one version only; the second resume of a running run is refused
$P $W -c "pipeline resume 1" >"$tmp/x" 2>&1 &
rpid=$!
i=0
while [ "$(state_of 1 train)" != running ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(state_of 1 train)" = running ] || FAIL "resume did not run train"
$P $W -c "pipeline resume 1" >"$tmp/y" 2>&1 && FAIL "resumed a running run twice"
grep -q "^-c:1: run 1 is running (pid $rpid)$" "$tmp/y" || FAIL "second resume: $(cat "$tmp/y")"
wait "$rpid" || FAIL "resume: $(cat "$tmp/x")"
grep -q '^{"run":1,"pipeline":"slow","state":"done",' "$tmp/x" || FAIL "resume: $(cat "$tmp/x")"
[ "$(state_of 1 show)" = done ] || FAIL "show: $(state_of 1 show)"
after=$($P $W -c "pipeline run show 1" | grep -o '"step":"ingest","state":"done","command":"[^"]*","seconds":[0-9.e-]*')
[ "$after" = "$ingest_before" ] || FAIL "ingest ran again: $ingest_before / $after"
$P $W -c "models show fare" >"$tmp/m"
grep -q '"version":1,' "$tmp/m" && ! grep -q '"version":2,' "$tmp/m" || FAIL "versions: $(cat "$tmp/m")"
$P $W -c "pipeline run show 1" | grep -q '"command":"models show fare:1"' || FAIL "show fare:1"

# a step after a skipped step and a failed one is not run, whatever order
# the steps are looked at in: the run and its resume say the same
$P $W -c "pipeline load tests/fixtures/pipeline/demo.pipeline" >/dev/null || FAIL "load demo"
for how in "pipeline run demo" "pipeline resume 2"; do
	$P $W -c "$how" >/dev/null 2>&1 && FAIL "$how passed"
	$P $W -c "pipeline run show 2" >"$tmp/d"
	grep -q '"step":"gate","state":"skipped",' "$tmp/d" || FAIL "$how: gate: $(cat "$tmp/d")"
	grep -q '"step":"publish","state":"waiting",.*"message":"not run: step broken failed"' "$tmp/d" ||
		FAIL "$how: publish: $(cat "$tmp/d")"
done
exit $fail
