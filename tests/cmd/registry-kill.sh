#!/bin/sh
# A process killed (SIGKILL) in the middle of registering a version, after
# its version row is written and before COMMIT, leaves no half version: the
# model does not appear, the database is intact, and the next registration
# takes version 1.  Also two prodml processes promoting at once.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-regkill.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }

$P $W -c "load sp datasets/spending/spending.csv" >/dev/null || exit 1
T="train fam --data sp --label Family_Size --features Work_Experience --epochs 1 --seed 2"
PRODML_TEST_KILL_IN_REGISTER=1 $P $W -c "$T" >"$tmp/o" 2>&1
st=$?
[ $st = 137 ] || FAIL "the killed registration exited $st, not 137: $(cat "$tmp/o")"
$P $W -c "models show fam" >"$tmp/o" 2>&1 && FAIL "a killed registration left a model"
[ "$(cat "$tmp/o")" = "-c:1: no model named 'fam' (see \`models\`)" ] || FAIL "models show: $(cat "$tmp/o")"
$P $W -o json -c "models" >"$tmp/o"
[ "$(cat "$tmp/o")" = '{"models":[]}' ] || FAIL "models: $(cat "$tmp/o")"
$P $W -c "$T" >/dev/null || FAIL "training after the kill"
$P $W -c "$T" >/dev/null || FAIL "second training"
$P $W -o json -c "models show fam" | grep -o '"version":[0-9]*' | tr '\n' ' ' >"$tmp/o"
[ "$(cat "$tmp/o")" = '"version":1 "version":2 ' ] || FAIL "versions after the kill: $(cat "$tmp/o")"

# two processes moving aliases at once: every move lands, in one chain
$P $W -c "models alias fam:1 production" >/dev/null || FAIL "alias"
( for i in 1 2 3 4 5 6 7 8; do $P $W -c "models alias fam:2 a$i; models alias fam:1 a$i" || exit 1; done ) >/dev/null &
p1=$!
( for i in 1 2 3 4 5 6 7 8; do $P $W -c "models alias fam:2 b$i; models alias fam:1 b$i" || exit 1; done ) >/dev/null &
p2=$!
wait $p1 || FAIL "first writer"
wait $p2 || FAIL "second writer"
n=$($P $W -o json -c "models history fam" | grep -o '"action":"alias"' | wc -l)
[ "$n" -eq 33 ] || FAIL "$n alias moves recorded, not 33"
$P $W -o json -c "models" | grep -q '"aliases":{"a1":1,' || FAIL "aliases: $($P $W -o json -c models)"
exit $fail
