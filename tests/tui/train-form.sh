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
if ! "$prodml" -W ws1 --tui-dump 80x24 --keys "$keys" >screen 2>&1; then
	echo "train-form.sh: the workbench session failed:"
	cat screen
	exit 1
fi
fail=0
grep -q 'wrote 3 commands to session.log' screen || {
	echo "train-form.sh: no confirmation of save-log on the screen:"
	cat screen
	fail=1
}
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
exit $fail
