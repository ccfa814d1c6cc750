#!/bin/sh
# monitor: the class shares of a classifier fed through `monitor ingest`.
# The text dashboard prints the JSON's shares (to one decimal, as
# percentages), and both agree with the classes `predict` gives the same
# rows, counted here independently.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-monclass.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }

$P $W -c "load t datasets/taxi/eval.csv
	load tt --sql 'SELECT *, tips > 0 AS tipped FROM t'
	train lg --data tt --label tipped --features fare,trip_miles,payment_type,company --model logistic --epochs 2
	monitor ingest lg --data tt --version 1 --step-ms 1000
	predict lg --data tt --out $tmp/p.csv" >/dev/null || { echo "FAIL setup"; exit 1; }

# the shares as `predict` classes them: 3,000 rows, class 0 and class 1
ones=$(tail -n +2 "$tmp/p.csv" | cut -d, -f2 | grep -c '^1$')
rows=$(tail -n +2 "$tmp/p.csv" | wc -l)
[ "$rows" -eq 3000 ] || bad "predict wrote $rows rows"
[ "$ones" -gt 0 ] && [ "$ones" -lt "$rows" ] || bad "predict gave one class only ($ones of $rows are 1)"
want=$(awk -v o="$ones" -v n="$rows" 'BEGIN { printf "0 %.1f%% 1 %.1f%%", 100 * (n - o) / n, 100 * o / n }')

# the JSON: counts and shares of the two classes
$P $W -o json -c "monitor lg" >"$tmp/json" || bad "monitor -o json"
pj=$(grep -o '"predictions":{"kind":"classes"[^}]*}' "$tmp/json" | head -1)
counts=$(echo "$pj" | sed -n 's/.*"counts":\[\([0-9]*\),\([0-9]*\)\].*/\1 \2/p')
[ "$counts" = "$((rows - ones)) $ones" ] || bad "JSON counts '$counts', predict gives $((rows - ones)) $ones"
jshares=$(echo "$pj" | sed -n 's/.*"shares":\[\([^],]*\),\([^]]*\)\].*/\1 \2/p')
jtext=$(echo "$jshares" | awk '{ printf "0 %.1f%% 1 %.1f%%", 100 * $1, 100 * $2 }')
[ "$jtext" = "$want" ] || bad "JSON shares $jshares, predict gives $want"

# the text dashboard: the overall line and the window's column
$P $W -c "monitor lg" >"$tmp/text" || bad "monitor"
grep -qxF "predicted classes ($rows rows): $want" "$tmp/text" ||
	bad "dashboard: $(grep 'predicted classes' "$tmp/text") (want $want)"
grep -q "^2026-01-01 00:00:00 .*  $want" "$tmp/text" ||
	bad "window: $(grep '^2026-01-01' "$tmp/text") (want $want)"
exit $fail
