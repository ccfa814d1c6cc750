#!/bin/sh
# monitor: the training statistics kept with a version.  A model trained on
# datasets/taxi/train.csv (as "tr"), serving.csv logged as its traffic.
# - The skew of every feature read from the kept baseline is, bit for bit,
#   what the same version gives with --baseline tr (the dataset itself).
# - Reloading "tr" with other data (eval.csv) and then dropping it changes
#   nothing: the same JSON features, digit for digit.
# - The numbers are the independent ones of tests/cmd/monitor-alerts.cmd:
#   payment_type L-infinity 0.0961 (pandas value_counts: Cash 0.5474 in
#   train, 0.6435 in serving), company 0.0248.
# - `models show fare:1 -o json` carries the baseline: 10000 rows, the
#   model's four inputs in train.csv's column order, payment_type's counts
#   (Cash 5474 of 10000, never missing), trip_miles' nine decile edges.
# - A version registered before baselines were kept (its column emptied
#   here) reads the dataset as it is now, and the dashboard says so.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-monbase.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
# the "features" array of a dashboard's JSON
feats() { sed -n 's/.*"features":\(\[.*\]\),"due".*/\1/p' "$1"; }

$P $W -c "load tr datasets/taxi/train.csv
	train fare --data tr --label fare --features trip_miles,trip_seconds,payment_type,company --epochs 1
	load serving datasets/taxi/serving.csv
	monitor ingest fare --data serving" >/dev/null || { echo "FAIL setup"; exit 1; }

$P $W -o json -c "monitor fare:1" >"$tmp/kept" || bad "monitor fare:1"
$P $W -o json -c "monitor fare:1 --baseline tr" >"$tmp/data" || bad "monitor --baseline tr"
grep -q '"baseline":"tr","baseline_source":"version"' "$tmp/kept" || bad "kept: $(grep -o '"baseline[^,]*,[^,]*' "$tmp/kept")"
grep -q '"baseline_source":"dataset"' "$tmp/data" || bad "--baseline tr is not read from the dataset"
[ -n "$(feats "$tmp/kept")" ] || bad "no features in $(cat "$tmp/kept")"
[ "$(feats "$tmp/kept")" = "$(feats "$tmp/data")" ] || bad "kept and dataset differ:
$(feats "$tmp/kept")
$(feats "$tmp/data")"

$P $W -c "drop tr; load tr datasets/taxi/eval.csv" >/dev/null || bad "reload tr"
$P $W -o json -c "monitor fare:1" >"$tmp/reloaded" || bad "monitor after the reload"
[ "$(feats "$tmp/kept")" = "$(feats "$tmp/reloaded")" ] || bad "the reload moved the baseline"
$P $W -c "drop tr" >/dev/null || bad "drop tr"
$P $W -o json -c "monitor fare:1" >"$tmp/dropped" || bad "monitor after the drop: $(cat "$tmp/dropped")"
[ "$(feats "$tmp/kept")" = "$(feats "$tmp/dropped")" ] || bad "the drop moved the baseline"
$P $W -c "monitor diagnose fare:1" >"$tmp/diag" || bad "diagnose after the drop"
grep -q "payment_type differs from the training data: L-infinity distance 0.0961" "$tmp/diag" ||
	bad "diagnose: $(cat "$tmp/diag")"

# the values, rounded as the dashboard prints them
$P $W -c "monitor fare:1" >"$tmp/text" || bad "monitor (text)"
grep -q '^payment_type  *linf  *0.0961  .*ALERT skew' "$tmp/text" || bad "payment_type: $(grep payment_type "$tmp/text")"
grep -q '^company  *linf  *0.0248 ' "$tmp/text" || bad "company: $(grep company "$tmp/text")"
grep -q '^note:' "$tmp/text" && bad "a note on a kept baseline: $(grep '^note:' "$tmp/text")"

$P $W -o json -c "models show fare:1" >"$tmp/show" || bad "models show"
grep -q '"baseline":{"rows":10000,"features":\[{"name":"trip_miles","type":"float","missing":0,"edges":\[' "$tmp/show" ||
	bad "models show: $(grep -o '"baseline":.\{0,120\}' "$tmp/show")"
edges=$(grep -o '"name":"trip_miles","type":"float","missing":0,"edges":\[[^]]*\]' "$tmp/show" | tr ',' '\n' | grep -c .)
[ "$edges" -eq 12 ] || bad "trip_miles: $((edges - 3)) edges, want 9"
grep -q '"name":"payment_type","type":"string","missing":0,"values":\[\["Cash",5474\],' "$tmp/show" ||
	bad "payment_type: $(grep -o '"name":"payment_type".\{0,80\}' "$tmp/show")"
for f in trip_seconds company; do
	grep -q "\"name\":\"$f\"" "$tmp/show" || bad "no $f in the baseline"
done
grep -q '"name":"tips"' "$tmp/show" && bad "tips, not an input, is in the baseline"

# a version without a kept baseline (as registered before): the dataset by
# name, as it is now, with a note
. tests/cmd/ws-lib.sh
if ws_sql_client >/dev/null; then
	ws_sql "$tmp/ws" "UPDATE versions SET baseline = NULL" || bad "baseline cleared"
	$P $W -c "load tr datasets/taxi/eval.csv" >/dev/null || bad "load tr"
	$P $W -c "monitor fare:1" >"$tmp/old" || bad "monitor an old version"
	grep -qxF "note: skew against dataset 'tr' as it is now: version 1 was registered without its training statistics" "$tmp/old" ||
		bad "no note: $(cat "$tmp/old")"
	$P $W -c "monitor diagnose fare:1" >"$tmp/olddiag" || bad "diagnose an old version"
	grep -q "^note: skew against dataset 'tr'" "$tmp/olddiag" || bad "diagnose: no note"
	$P $W -c "models show fare:1" >"$tmp/oldshow" || bad "models show an old version"
	grep -qxF "baseline for monitoring: none kept (monitor reads the training dataset)" "$tmp/oldshow" ||
		bad "models show: $(tail -2 "$tmp/oldshow")"
fi
exit $fail
