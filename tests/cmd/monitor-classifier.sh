#!/bin/sh
# monitor: a binary classifier fed through `monitor ingest` with rows that
# carry, besides its inputs, tips and the label (tipped, flipped: a label
# shift far over its threshold).
# - The class shares: the text dashboard prints the JSON's shares (to one
#   decimal, as percentages), and both agree with the classes `predict`
#   gives the same rows, counted here independently.
# - Only the model's inputs are compared by default: tips and the label get
#   no skew row, no alert and no diagnosis until --all-columns.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-monclf.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }

$P $W -c "load t datasets/taxi/eval.csv
	load tt --sql 'SELECT *, tips > 0 AS tipped FROM t'
	train lg --data tt --label tipped --features fare,trip_miles,payment_type,company --model logistic --epochs 2
	load fl --sql 'SELECT fare, trip_miles, payment_type, company, tips, 1 - tipped AS tipped FROM tt'
	monitor ingest lg --data fl --version 1
	predict lg --data tt --out $tmp/p.csv
	schema infer tt --as s
	schema set s tipped skew linf 0.1" >/dev/null || { echo "FAIL setup"; exit 1; }

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

# by default: the four inputs, in the baseline's order, and nothing due
$P $W -o json -c "monitor lg --schema s" >"$tmp/json" || bad "monitor -o json"
names=$(grep -o '"features":\[.*\],"due"' "$tmp/json" | grep -o '"name":"[^"]*"' | tr '\n' ' ')
[ "$names" = '"name":"fare" "name":"trip_miles" "name":"payment_type" "name":"company" ' ] ||
	bad "features by default: $names"
grep -q '"due":\[\]' "$tmp/json" || bad "alerts due by default: $(grep -o '"due":.*' "$tmp/json")"
out=$($P $W -c "alerts; monitor diagnose lg --schema s" 2>&1)
[ "$out" = "no open alerts
lg: no likely cause found" ] || bad "alerts and diagnose by default: $out"

# --all-columns: tips (the same values as in training) and the flipped
# label, whose L-infinity skew is |2p - 1| for p the share of tipped trips
# (tips > 0, the last column of eval.csv, counted here)
linf=$(tail -n +2 datasets/taxi/eval.csv |
	awk -F, '$NF != "" { n++; if ($NF + 0 > 0) k++ } END { d = 2 * k / n - 1; printf "%.4f", d < 0 ? -d : d }')
[ "$linf" = 0.1380 ] || bad "independent L-infinity $linf"
$P $W -c "monitor lg --schema s --all-columns" >"$tmp/all" || bad "monitor --all-columns"
grep -q '^tips  *jsd  *0\.0000  ' "$tmp/all" || bad "no tips row: $(cat "$tmp/all")"
grep -q "^tipped  *linf/jsd  *$linf  *-  *0\.1/0\.02  *[0-9.e-]*  *0\.0000  ALERT skew\$" "$tmp/all" || bad "no tipped alert: $(cat "$tmp/all")"
grep -q '^new alerts: skew tipped 0\.138 (threshold 0\.1)$' "$tmp/all" || bad "no new alert: $(cat "$tmp/all")"
$P $W -c "alerts" | grep -q ' lg  *skew  *tipped ' || bad "alerts: $($P $W -c alerts)"
$P $W -c "monitor diagnose lg --schema s --all-columns" | grep -q '^ 1\. tipped differs from the training data: L-infinity distance 0\.1380 (threshold 0\.1)$' ||
	bad "diagnose --all-columns: $($P $W -c "monitor diagnose lg --schema s --all-columns")"
exit $fail
