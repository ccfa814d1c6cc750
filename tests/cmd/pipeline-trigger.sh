#!/bin/sh
# Triggers and the scheduler: a run for each new file (and for new content
# of a file), never two runs of one pipeline at once, a period, a drift
# alert raised by monitoring that monitor answers itself, and the scheduler
# as a job that `jobs` lists, that has no twin and that `job cancel` stops.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-trigger.XXXXXX") || exit 99
cleanup() {
	[ -n "${spid:-}" ] && kill -9 "$spid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
once() { $P $W -c "pipeline scheduler --once"; }
started() { grep -o '"run":[0-9]*' | tr '\n' ' '; }

mkdir "$tmp/in"
cat >"$tmp/fresh.pipeline" <<EOP
pipeline fresh
param file = datasets/taxi/train.csv
param epochs = 100
step ingest : load fresh \${file}
step train  : train fare --data fresh --label fare --epochs \${epochs} after ingest
EOP
$P $W -c "pipeline load $tmp/fresh.pipeline" >/dev/null || FAIL "load"
$P $W -c "pipeline trigger fresh --on-file '$tmp/in/*.csv'" >"$tmp/t" || FAIL "trigger: $(cat "$tmp/t")"
grep -q '^{"trigger":1,"pipeline":"fresh","kind":"file","glob":"'"$tmp"'/in/\*.csv","param":"file","params":\[\],"last_fired":null,"runs":0}$' "$tmp/t" ||
	FAIL "trigger: $(cat "$tmp/t")"
[ "$(once | started)" = "" ] || FAIL "a run without a file"

# two files: one run each, the second only once the first has ended
cp datasets/taxi/train.csv "$tmp/in/a.csv"
cp datasets/taxi/eval.csv "$tmp/in/b.csv"
once >"$tmp/o"
grep -q '"started":\[{"trigger":1,"pipeline":"fresh","reason":"new file '"$tmp"'/in/a.csv","run":1,"job":1}\]' "$tmp/o" ||
	FAIL "first file: $(cat "$tmp/o")"
[ "$(once | started)" = "" ] || FAIL "a second run of fresh while run 1 runs"
$P $W -c "job wait 1 --timeout 60" >/dev/null || FAIL "run 1: $($P $W -c 'pipeline run show 1')"
[ "$(once | started)" = '"run":2 ' ] || FAIL "no run for b.csv"
$P $W -c "job wait 2 --timeout 60" >/dev/null || FAIL "run 2"
$P $W -c "pipeline run show 2" | grep -q '"params":{"file":"'"$tmp"'/in/b.csv","epochs":"100"}' || FAIL "run 2 params"
[ "$(once | started)" = "" ] || FAIL "a file answered twice"
# new content of a.csv is a new file
cp datasets/taxi/eval.csv "$tmp/in/a.csv"
[ "$(once | started)" = '"run":3 ' ] || FAIL "changed a.csv started no run"
$P $W -c "job wait 3 --timeout 60" >/dev/null || FAIL "run 3"
$P $W -c "pipeline triggers fresh" | grep -q '"runs":3}' || FAIL "triggers: $($P $W -c 'pipeline triggers')"

# a period: due at once, then not before it has passed
cat >"$tmp/tick.pipeline" <<EOP
pipeline tick
step look : datasets
EOP
$P $W -c "pipeline load $tmp/tick.pipeline" >/dev/null
$P $W -c "pipeline trigger tick --every 1s" >/dev/null || FAIL "every"
[ "$(once | started)" = '"run":4 ' ] || FAIL "every: not due at once"
$P $W -c "job wait 4 --timeout 60" >/dev/null
[ "$(once | started)" = "" ] || FAIL "every: due again at once"
sleep 1.1
[ "$(once | started)" = '"run":5 ' ] || FAIL "every: not due after 1s"
$P $W -c "job wait 5 --timeout 60" >/dev/null
$P $W -c "pipeline trigger delete 2" >/dev/null || FAIL "delete"

# a drift alert (the planted payment_type skew of datasets/taxi/serving.csv, as
# tests/cmd/monitor-skew.cmd raises it) starts the retraining pipeline once
cat >"$tmp/retrain.pipeline" <<EOP
pipeline retrain
step fit : train taxi --data train --label fare --epochs 1
EOP
$P $W -c "load train datasets/taxi/train.csv; load serving datasets/taxi/serving.csv" >/dev/null
$P $W -c "pipeline load $tmp/retrain.pipeline" >/dev/null
$P $W -c "pipeline trigger retrain --on-alert drift taxi" >/dev/null || FAIL "on-alert"
[ "$(once | started)" = "" ] || FAIL "a run without an alert"
# monitor answers the alert it opens at once: it starts the run as a job
# and reports it after the new alerts
$P -W "$tmp/ws" -q -c "monitor ingest taxi --data train --start 2026-01-01T00:00:01 --step-ms 239 --version 1;
	monitor ingest taxi --data serving --start 2026-01-01T00:40:01.2 --step-ms 1200 --version 2;
	monitor taxi --baseline train --window 40m" >"$tmp/m" || FAIL "monitor: $(cat "$tmp/m")"
grep -q '^new alerts: drift payment_type ' "$tmp/m" || FAIL "no drift alert: $(cat "$tmp/m")"
grep -q '^trigger 3: pipeline retrain run 6 (alert 1: drift of taxi on payment_type) started as job 6 (`pipeline run show 6 --wait`)$' "$tmp/m" ||
	FAIL "alert: $(cat "$tmp/m")"
[ "$(once | started)" = "" ] || FAIL "a second run of retrain while run 6 runs"
$P $W -c "pipeline run show 6 --wait --timeout 60" | grep -q '"state":"done",.*"step":"fit","state":"done"' || FAIL "run 6"
$P $W -c "models show taxi" | grep -q '"version":1' || FAIL "run 6 trained no taxi:1"
[ "$(once | started)" = "" ] || FAIL "an alert answered twice"
# a skew trigger on another model does not answer taxi's alerts
$P $W -c "pipeline trigger retrain --on-alert skew other" >/dev/null || FAIL "on-alert skew"
[ "$(once | started)" = "" ] || FAIL "skew of other answered a drift of taxi"
# a quality alert, opened by late labels (`monitor feedback`): model q,
# fare from trip_miles, evaluated at some rmse; labels ten times the fare
# put every window's live rmse far over it, and the trigger runs retrain
$P $W -c "load qd --sql 'SELECT row_number() OVER () AS trip_id, trip_miles, fare FROM train';
	train q --data qd --label fare --features trip_miles --epochs 1;
	load qreq --sql 'SELECT trip_id, trip_miles FROM qd';
	monitor ingest q --data qreq --version 1 --start 2026-01-01T00:00:00 --step-ms 1000;
	load qlabels --sql 'SELECT trip_id, 10 * fare AS fare FROM qd'" >/dev/null || FAIL "quality setup"
$P $W -c "pipeline trigger retrain --on-alert quality q" >/dev/null || FAIL "on-alert quality"
$P -W "$tmp/ws" -q -c "monitor feedback q --data qlabels --key trip_id --window 1h" >"$tmp/m" || FAIL "feedback: $(cat "$tmp/m")"
grep -q '^new alerts: quality rmse ' "$tmp/m" || FAIL "no quality alert: $(cat "$tmp/m")"
grep -q '^trigger 5: pipeline retrain run 7 (alert [0-9]*: quality of q on rmse) started as job 7 (`pipeline run show 7 --wait`)$' "$tmp/m" ||
	FAIL "quality: $(cat "$tmp/m")"
$P $W -c "pipeline run show 7 --wait --timeout 60" | grep -q '"run":7,"pipeline":"retrain","state":"done"' || FAIL "run 7"
$P $W -c "pipeline triggers retrain" | grep -q '"trigger":5,"pipeline":"retrain","kind":"alert","alert":"quality","model":"q",.*"runs":1}' ||
	FAIL "triggers: $($P $W -c 'pipeline triggers retrain')"

# the scheduler as a job: `jobs` lists it, a second one is refused, it
# answers three new files with three runs one after another (never two
# runs of fresh at once, polled through), and job cancel stops it
$P $W -c "pipeline scheduler --detach --tick 0.1" >"$tmp/s" || FAIL "detach: $(cat "$tmp/s")"
job=$(sed -n 's/^{"job":\([0-9]*\),"kind":"scheduler".*/\1/p' "$tmp/s")
spid=$(sed -n 's/.*"pid":\([0-9]*\),.*/\1/p' "$tmp/s")
[ -n "$job" ] || FAIL "detach: $(cat "$tmp/s")"
$P -W "$tmp/ws" -q -c "jobs" >"$tmp/j"
grep -q "^ *$job  \(queued\|running\) .* pipeline scheduler --tick 0.1 --detach" "$tmp/j" || FAIL "jobs: $(cat "$tmp/j")"
for how in "--detach" "--once"; do
	$P -W "$tmp/ws" -q -c "pipeline scheduler $how" >"$tmp/o" 2>&1 && FAIL "a second scheduler ($how) started"
	grep -q "pipeline scheduler: one already runs as job $job (pid $spid; \`jobs\` lists it, \`job cancel $job\` stops it)$" "$tmp/o" ||
		FAIL "second scheduler ($how): $(cat "$tmp/o")"
done
for f in c d e; do cp datasets/taxi/train.csv "$tmp/in/$f.csv"; done
i=0
while [ $i -lt 600 ]; do
	$P $W -c "pipeline runs fresh" >"$tmp/r"
	active=$(grep -o '"state":"[a-z]*","params":{"file":"[^"]*"' "$tmp/r" | grep -c '"state":"\(queued\|running\)"')
	[ "$active" -le 1 ] || FAIL "$active runs of fresh at once: $(cat "$tmp/r")"
	[ "$(grep -o '"state":"done","params":{"file":"'"$tmp"'/in/[cde].csv"' "$tmp/r" | wc -l)" -eq 3 ] && break
	sleep 0.05
	i=$((i + 1))
done
[ $i -lt 600 ] || FAIL "the detached scheduler did not answer c, d and e: $(cat "$tmp/r")"
$P $W -c "job cancel $job" >"$tmp/c" 2>&1 || FAIL "job cancel: $(cat "$tmp/c")"
grep -q '"kind":"scheduler","state":"cancelled",.*"error":"the scheduler was stopped after [0-9]* ticks"' "$tmp/c" ||
	FAIL "job cancel: $(cat "$tmp/c")"
# (a zombie, not yet reaped by whoever inherited it, has ended)
alive() { [ -r "/proc/$spid/stat" ] && ! sed 's/.*) //' "/proc/$spid/stat" | grep -q '^Z'; }
alive && sleep 1 && alive && FAIL "the scheduler process $spid lives on: $(cat "/proc/$spid/stat")"
# once it is stopped, a scheduler may start again
[ "$(once | started)" = "" ] || FAIL "after the scheduler: a run"
exit $fail
