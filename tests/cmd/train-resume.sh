#!/bin/sh
# train --resume: a run killed (SIGKILL, as kill -9) after its second epoch's
# checkpoint continues from it and ends with exactly the model of a run that
# was never interrupted; --seed makes a run reproducible.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-resume.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
# evaluate's JSON without the model name: equal lines mean equal predictions
metrics() { $P $W -c "evaluate $1 --data nat" | sed 's/"model":"[^"]*",//'; }

$P $W -c "load nat datasets/natality/natality.csv" >/dev/null || exit 1
OPTS="--data nat --label weight_pounds --model dnn --hidden 8,4 --dropout 0.2 --epochs 4 --batch 128 --seed 3"
$P $W -c "train full $OPTS" >"$tmp/full" || FAIL "uninterrupted run"
$P $W -c "train again $OPTS" >/dev/null || FAIL "second run"
[ "$(metrics full)" = "$(metrics again)" ] || FAIL "the same --seed gave different models"
$P $W -c "train other $OPTS --seed 4" >/dev/null || FAIL "third run"
[ "$(metrics full)" != "$(metrics other)" ] || FAIL "another --seed gave the same model"

PRODML_TEST_KILL_AFTER_EPOCH=2 $P $W -c "train cut $OPTS" >"$tmp/cut" 2>&1
st=$?
[ $st = 137 ] || FAIL "the killed run exited $st, not 137"
$P $W -c "models show cut" >"$tmp/o" 2>&1 && FAIL "a killed run registered a version"
grep -q "no model named 'cut'" "$tmp/o" || FAIL "models show cut: $(cat "$tmp/o")"
[ -f "$tmp/ws/runs/4/checkpoint.pmc" ] || FAIL "no checkpoint after epoch 2"

$P $W -c "train full --resume 4" >"$tmp/o" 2>&1 && FAIL "resumed under another model's name"
[ "$(cat "$tmp/o")" = "-c:1: train --resume 4: run 4 trains model cut, not full" ] ||
	FAIL "resume as full: $(cat "$tmp/o")"
$P $W -c "train --resume 4 --data nat" >"$tmp/o" 2>&1 && FAIL "resumed with --data"
[ "$(cat "$tmp/o")" = "-c:1: train --resume RUN takes no --data or --label: the run has them" ] ||
	FAIL "resume with --data: $(cat "$tmp/o")"
# the form README shows: the model named with the run
$P $W -c "train cut --resume 4" >"$tmp/resumed" 2>&1 || FAIL "resume: $(cat "$tmp/resumed")"
grep -q '"resumed":true' "$tmp/resumed" || FAIL "resume: not marked resumed"
grep -q '"epochs":4' "$tmp/resumed" || FAIL "resume: did not finish 4 epochs"
grep -q '"model":"cut","version":1,"run":4' "$tmp/resumed" || FAIL "resume: $(cat "$tmp/resumed")"
[ "$(metrics full)" = "$(metrics cut)" ] || FAIL "the resumed model differs from the uninterrupted one"
[ ! -e "$tmp/ws/runs/4/checkpoint.pmc" ] || FAIL "the checkpoint of a finished run was kept"
$P $W -c "train --resume 4" >"$tmp/o" 2>&1 && FAIL "a finished run resumed again"
grep -q 'run 4 already finished: model cut version 1' "$tmp/o" || FAIL "resume finished: $(cat "$tmp/o")"
exit $fail
