#!/bin/sh
# A run started from the Train screen's form replays headless.  Keys load
# taxi, fill in the form (label fare, features trip_miles and trip_seconds,
# 2 epochs, seed 7), start the run, wait for its job and save the log.  The
# log must hold exactly the command the form built; `prodml -f LOG` on a
# fresh workspace must then train the same model: the same job command and
# the same metrics when both versions are evaluated.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
. "$src/tests/tui/lib.sh"
tui_scratch trainform

keys=':load taxi datasets/taxi/train.csv<Enter>2n'
keys="$keys"'jj<Enter>j<Enter>j<Enter>a/trip_miles<Enter><Space><Space><Enter>'
keys="$keys"'/epochs<Enter>2<Enter>/seed<Enter>7<Enter>S'
keys="$keys"':job wait 1<Enter>q:save-log session.log<Enter>'
fail=0
run_session train-form.sh 3 "$keys"
grep -q '^ run 1  fare  done  epoch 2/2  version 1  job 1$' screen || {
	echo "train-form.sh: the screen is not the finished run's view:"
	cat screen
	fail=1
}
cat >expected.log <<'LOG'
# prodml session log: `prodml -f FILE` replays it
load taxi datasets/taxi/train.csv
train fare --data taxi --label fare --features trip_miles,trip_seconds --model linear --epochs 2 --seed 7 --detach
job wait 1
LOG
check_session_log train-form.sh
# the job's command and state, then the model judged on the same rows
state() {
	"$prodml" -W "$1" -o json -c 'job show 1' |
		sed -n 's/.*"state":"\([a-z]*\)","command":"\([^"]*\)".*/\2 (\1)/p' &&
		"$prodml" -W "$1" -c 'evaluate fare:1 --data taxi'
}
state ws1 >state1 2>&1
state ws2 >state2 2>&1
if ! diff -u state1 state2; then
	echo "train-form.sh: the replayed run differs"
	fail=1
fi
grep -qx 'train fare --data taxi --label fare --features trip_miles,trip_seconds --model linear --epochs 2 --seed 7 --detach (done)' state2 || {
	echo "train-form.sh: the replayed job is not the form's command:"
	cat state2
	fail=1
}
grep -q '^  rmse  ' state2 || {
	echo "train-form.sh: no metrics from the replayed model:"
	cat state2
	fail=1
}

# The same run, but the session waits by watching it (no `job wait` typed)
# and then evaluates the model: the log waits for the job where the session
# saw it end, before the evaluate.  A second run is still going when the
# log is saved: the log ends by waiting for it, so the replay leaves no job
# running and the workspace has both models.
rm -rf ws1 ws2 session.log
keys=':load taxi datasets/taxi/train.csv<Enter>2n'
keys="$keys"'jj<Enter>j<Enter>j<Enter>a/trip_miles<Enter><Space><Space><Enter>'
keys="$keys"'/epochs<Enter>2<Enter>/seed<Enter>7<Enter>S<WaitJobs>:evaluate fare --data taxi<Enter>q'
keys="$keys"':train tips --data taxi --label tips --features trip_miles --epochs 1 --detach<Enter>'
keys="$keys"':save-log session.log<Enter>'
run_session train-form.sh 6 "$keys"
cat >expected.log <<'LOG'
# prodml session log: `prodml -f FILE` replays it
load taxi datasets/taxi/train.csv
train fare --data taxi --label fare --features trip_miles,trip_seconds --model linear --epochs 2 --seed 7 --detach
job wait 1
evaluate fare --data taxi
train tips --data taxi --label tips --features trip_miles --epochs 1 --detach
# the session's background jobs that no command above waits for
job wait 2
LOG
check_session_log train-form.sh
"$prodml" -W ws2 -o csv -c jobs | cut -d, -f1,3 >jobs2
printf '%s\n' job,state 1,done 2,done >jobs.expected
if ! diff -u jobs.expected jobs2; then
	echo "train-form.sh: the replay left jobs that did not end done"
	fail=1
fi
"$prodml" -W ws1 job wait 2 >/dev/null 2>&1
exit $fail
