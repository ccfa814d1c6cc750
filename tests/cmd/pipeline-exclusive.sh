#!/bin/sh
# One scheduler per workspace and one run of a pipeline at a time, across
# processes that ask at the same instant: two `pipeline scheduler --detach`
# started together (one runs, the other hears its job and pid), a
# foreground scheduler against a detached one and the other way round, a
# new scheduler after kill -9 of the last; four `pipeline run` at once
# (one runs, three are refused naming it), a manual run against the
# scheduler's trigger, --concurrent, and resume while another run is on.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-excl.XXXXXX") || exit 99
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
field() { sed -n "s/.*\"$1\":\([0-9]*\)[,}].*/\1/p" | head -1; }
gone() { # PID: no process, or a zombie not yet reaped by whoever inherited it
	[ ! -r "/proc/$1/stat" ] || sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'
}
$P $W -c "datasets" >/dev/null || exit 99

# ---- the scheduler ----------------------------------------------------------------
# three rounds of two detached schedulers started together
for round in 1 2 3; do
	( $P $W -c "pipeline scheduler --detach --tick 0.1" >"$tmp/a" 2>&1; echo "rc $?" >>"$tmp/a" ) &
	( $P $W -c "pipeline scheduler --detach --tick 0.1" >"$tmp/b" 2>&1; echo "rc $?" >>"$tmp/b" ) &
	wait
	won=$(cat "$tmp/a" "$tmp/b" | grep -c '^{"job":[0-9]*,"kind":"scheduler"')
	lost=$(cat "$tmp/a" "$tmp/b" | grep -c '^rc 1$')
	[ "$won" = 1 ] && [ "$lost" = 1 ] || FAIL "round $round: $won started, $lost refused: $(cat "$tmp/a" "$tmp/b")"
	job=$(cat "$tmp/a" "$tmp/b" | grep '^{"job"' | field job)
	spid=$(cat "$tmp/a" "$tmp/b" | grep '^{"job"' | field pid)
	pids="$pids $spid"
	cat "$tmp/a" "$tmp/b" | grep -q "^-c:1: pipeline scheduler: one already runs as job $job (pid [0-9]*; \`jobs\` lists it, \`job cancel $job\` stops it)$" ||
		FAIL "round $round: the refusal: $(cat "$tmp/a" "$tmp/b")"
	n=$($P -W "$tmp/ws" -q -c "jobs" | grep -c 'pipeline scheduler.*--detach$')
	[ "$n" = 1 ] || FAIL "round $round: $n scheduler jobs: $($P -W "$tmp/ws" -q -c jobs)"
	# a foreground one is refused as well, naming the job and its process
	$P -W "$tmp/ws" -q -c "pipeline scheduler --once" >"$tmp/o" 2>&1 && FAIL "round $round: --once ran beside job $job"
	grep -q "pipeline scheduler: one already runs as job $job (pid $spid; " "$tmp/o" || FAIL "round $round: --once: $(cat "$tmp/o")"
	# kill -9 frees the lock: the next round starts a new one
	kill -9 "$spid"
	i=0
	while ! gone "$spid" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	gone "$spid" || FAIL "round $round: scheduler $spid lives on after kill -9"
	$P $W -c "jobs" | grep -q "\"job\":$job,\"kind\":\"scheduler\",\"state\":\"failed\"" || FAIL "round $round: job $job not failed"
done

# a foreground scheduler, then a detached one: refused, naming the foreground pid
$P -W "$tmp/ws" -q -c "pipeline scheduler --tick 0.1" >"$tmp/fg" 2>&1 &
fpid=$!
pids="$pids $fpid"
i=0
while [ "$(cat "$tmp/ws/scheduler.lock" 2>/dev/null)" != "pid $fpid job 0" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
$P $W -c "pipeline scheduler --detach" >"$tmp/o" 2>&1 && FAIL "a detached scheduler beside the foreground one"
grep -q "^-c:1: pipeline scheduler: one already runs in the foreground as pid $fpid (Ctrl-C or \`kill $fpid\` stops it)$" "$tmp/o" ||
	FAIL "detach beside foreground: $(cat "$tmp/o")"
# an interrupt stops it cleanly, and then a detached one starts
kill -INT "$fpid"
wait "$fpid" || FAIL "the foreground scheduler ended badly: $(cat "$tmp/fg")"
grep -q '^[0-9]* ticks*, 0 runs started$' "$tmp/fg" || FAIL "foreground: $(cat "$tmp/fg")"
$P $W -c "pipeline scheduler --detach --tick 0.1" >"$tmp/d" 2>&1 || FAIL "detach after the foreground one: $(cat "$tmp/d")"
job=$(field job <"$tmp/d")
spid=$(field pid <"$tmp/d")
pids="$pids $spid"
$P $W -c "job cancel $job" >/dev/null || FAIL "job cancel $job"

# ---- runs ---------------------------------------------------------------------------
cat >"$tmp/slow.pipeline" <<EOP
pipeline slow
param epochs = 400
step ingest : load taxi datasets/taxi/train.csv
step train  : train fare --data taxi --label fare --epochs \${epochs} after ingest
EOP
$P $W -c "pipeline load $tmp/slow.pipeline" >/dev/null || FAIL "load"
# four at once: one runs (its train step takes seconds), three are refused
for k in 1 2 3 4; do
	( $P -W "$tmp/ws" -q -c "pipeline run slow --no-cache" >"$tmp/r$k" 2>&1; echo "rc $?" >>"$tmp/r$k" ) &
done
wait
ran=$(cat "$tmp"/r[1-4] | grep -c '^rc 0$')
[ "$ran" = 1 ] || FAIL "$ran of four runs ran: $(cat "$tmp"/r[1-4])"
refused=$(cat "$tmp"/r[1-4] | grep -c "^-c:1: pipeline slow: run 1 is \(queued\|running\) (pid [0-9]*); no second run starts (\`pipeline run show 1 --wait\` waits for it, --concurrent runs beside it)$")
[ "$refused" = 3 ] || FAIL "$refused of four refused naming run 1: $(cat "$tmp"/r[1-4])"
[ "$($P $W -c 'pipeline runs slow' | grep -o '"run":[0-9]*' | tr '\n' ' ')" = '"run":1 ' ] ||
	FAIL "runs: $($P $W -c 'pipeline runs slow')"

# a trigger and a person at the same instant: one run
$P $W -c "pipeline trigger slow --every 1h --param epochs=401" >/dev/null || FAIL "trigger"
( $P $W -c "pipeline scheduler --once" >"$tmp/s" 2>&1 ) &
( $P -W "$tmp/ws" -q -c "pipeline run slow --no-cache --detach" >"$tmp/m" 2>&1; echo "rc $?" >>"$tmp/m" ) &
wait
active=$($P $W -c "pipeline runs slow" | grep -o '"run":[0-9]*,"pipeline":"slow","state":"\(queued\|running\)"' | wc -l)
[ "$active" = 1 ] || FAIL "$active runs of slow on at once: $($P $W -c 'pipeline runs slow')"
if grep -q '^rc 0$' "$tmp/m"; then
	# the person won: the scheduler started nothing and its trigger waits
	grep -q '"started":\[\]' "$tmp/s" || FAIL "the scheduler started a run beside the manual one: $(cat "$tmp/s")"
	$P $W -c "pipeline triggers slow" | grep -q '"runs":0}' || FAIL "the trigger counts a run it did not start"
else
	# the scheduler's run names its job once the job is made; before that, its pid
	grep -q "^-c:1: pipeline slow: run 2 is \(queued\|running\) (pid [0-9]*\(, job [0-9]*\)\{0,1\}); no second run starts" "$tmp/m" ||
		FAIL "the manual run's refusal: $(cat "$tmp/m")"
	grep -q '"started":\[{"trigger":1,"pipeline":"slow","reason":"every 3600s","run":2,' "$tmp/s" || FAIL "scheduler: $(cat "$tmp/s")"
fi
# --concurrent starts beside it
$P $W -c "pipeline run slow --no-cache --concurrent --detach --param epochs=1" >"$tmp/c" 2>&1 || FAIL "--concurrent: $(cat "$tmp/c")"
grep -q '^{"run":3,"pipeline":"slow","state":"\(queued\|running\)"' "$tmp/c" || FAIL "--concurrent: $(cat "$tmp/c")"
$P $W -c "pipeline run show 3 --wait --timeout 60" | grep -q '"run":3,"pipeline":"slow","state":"done"' || FAIL "run 3"
$P $W -c "pipeline run show 2 --wait --timeout 60" | grep -q '"run":2,"pipeline":"slow","state":"done"' || FAIL "run 2"

# resume of a failed run while another runs: refused, then allowed
$P $W -c "pipeline run slow --no-cache --detach" >"$tmp/d" 2>&1 || FAIL "run 4: $(cat "$tmp/d")"
i=0
while ! $P $W -c "pipeline run show 4" | grep -q '"step":"train","state":"running"' && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
rpid=$($P $W -c "pipeline run show 4" | field pid)
kill -9 "$rpid"
while ! gone "$rpid"; do sleep 0.05; done
$P $W -c "pipeline runs slow" | grep -q '"run":4,"pipeline":"slow","state":"failed"' || FAIL "run 4 not failed after kill -9"
$P $W -c "pipeline run slow --no-cache --detach" >"$tmp/d" 2>&1 || FAIL "run 5 after the killed run 4: $(cat "$tmp/d")"
$P -W "$tmp/ws" -q -c "pipeline resume 4" >"$tmp/x" 2>&1 && FAIL "resume 4 beside run 5"
grep -q "^-c:1: pipeline slow: run 5 is \(queued\|running\) (pid [0-9]*, job [0-9]*); run 4 is not resumed (\`pipeline run show 5 --wait\` waits for it, --concurrent runs beside it)$" "$tmp/x" ||
	FAIL "resume beside run 5: $(cat "$tmp/x")"
$P $W -c "pipeline run show 5 --wait --timeout 60" >/dev/null
$P -W "$tmp/ws" -q -c "pipeline resume 4" >"$tmp/x" 2>&1 || FAIL "resume 4 once run 5 ended: $(cat "$tmp/x")"
grep -q '^pipeline slow run 4: done (job [0-9]*)$' "$tmp/x" || FAIL "resume 4: $(cat "$tmp/x")"

# resume --detach: refused at once while another run is on, else a job
# that continues the run; --step shows one step, with the steps it follows
$P $W -c "pipeline run slow --no-cache --detach" >/dev/null || FAIL "run 6"
i=0
while ! $P $W -c "pipeline run show 6" | grep -q '"step":"train","state":"running"' && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
rpid=$($P $W -c "pipeline run show 6" | field pid)
kill -9 "$rpid"
while ! gone "$rpid"; do sleep 0.05; done
$P $W -c "pipeline run slow --no-cache --detach --param epochs=1" >/dev/null || FAIL "run 7"
$P -W "$tmp/ws" -q -c "pipeline resume 6 --detach" >"$tmp/x" 2>&1 && FAIL "resume 6 --detach beside run 7"
grep -q "^-c:1: pipeline slow: run 7 is \(queued\|running\) (pid [0-9]*, job [0-9]*); run 6 is not resumed" "$tmp/x" ||
	FAIL "resume --detach beside run 7: $(cat "$tmp/x")"
$P $W -c "pipeline run show 7 --wait --timeout 60" >/dev/null
$P $W -c "pipeline resume 6 --detach" >"$tmp/x" 2>&1 || FAIL "resume 6 --detach: $(cat "$tmp/x")"
grep -q '^{"run":6,"pipeline":"slow","state":"running",' "$tmp/x" || FAIL "resume 6 --detach: $(cat "$tmp/x")"
$P $W -c "pipeline run show 6 --wait --timeout 60 --step train" >"$tmp/x"
grep -q '^{"run":6,"pipeline":"slow","state":"done",.*"steps":\[{"execution":[0-9]*,"step":"train","state":"done",.*"after":\["ingest"\]}\]}$' "$tmp/x" ||
	FAIL "run 6 --step train: $(cat "$tmp/x")"
$P -W "$tmp/ws" -q -c "pipeline run show 6 --step nope" >"$tmp/x" 2>&1 && FAIL "--step nope"
[ "$(cat "$tmp/x")" = "-c:1: pipeline run 6 has no step 'nope' (its steps: ingest, train)" ] || FAIL "--step nope: $(cat "$tmp/x")"
exit $fail
