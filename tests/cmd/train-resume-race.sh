#!/bin/sh
# Two `train --resume` of one killed run started at the same moment: exactly
# one resumes it and registers a version; the other stops with an error
# naming the first's process (or, if the first already ended, the version it
# registered), and leaves the run as the first made it.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-race.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }

$P $W -c "load nat datasets/natality/natality.csv" >/dev/null || exit 1
PRODML_TEST_KILL_AFTER_EPOCH=1 $P $W -c "train cut --data nat --label weight_pounds --model dnn --hidden 16,8 --epochs 6 --seed 1" >/dev/null 2>&1
[ $? = 137 ] || FAIL "the run was not killed after its first epoch"
$P $W -c "train cut --resume 1" >"$tmp/a" 2>&1 &
a=$!
$P $W -c "train cut --resume 1" >"$tmp/b" 2>&1 &
b=$!
wait $a
sa=$?
wait $b
sb=$?
# one succeeds; the other is refused as `train --resume` of a running or
# finished run always is (exit 2)
{ [ $sa = 0 ] && [ $sb = 2 ]; } || { [ $sa = 2 ] && [ $sb = 0 ]; } ||
	FAIL "exit statuses $sa and $sb: $(cat "$tmp/a" "$tmp/b")"
lost=$tmp/a
[ $sa = 2 ] || lost=$tmp/b
grep -Eq '^-c:1: run 1 (is still running \(pid [0-9]+\)|already finished: model cut version 1)$' "$lost" ||
	FAIL "the second resume said: $(cat "$lost")"
n=$($P $W -o json -c "models show cut" | grep -o '"version":[0-9]*' | sort -u | wc -l)
[ "$n" = 1 ] || FAIL "$n versions of cut: $($P $W -c "models show cut")"
[ "$($P $W -o json -c "jobs" | grep -c '"state":"dead"')" = 0 ] || FAIL "the run is left dead"
exit $fail
