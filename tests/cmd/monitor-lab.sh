#!/bin/sh
# labs/concept-drift.prodml end to end: the features stay under their
# thresholds, the live quality of version 1 falls in the second hour, the
# quality alert opens and its hook trains version 2, which, promoted,
# restores the quality in the third hour.  The live RMSE per window is
# recomputed independently from the request log and the labels (the
# logged trip_id, read by workspace query, joined to the exported labels
# by awk), and the dashboard
# figure is drawn.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-monlab.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
# in a sanitizer build: libplot and libpng keep a few allocations for good
LSAN_OPTIONS="suppressions=$srcdir/tests/fixtures/validate/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
LC_ALL=C.UTF-8 $P $W -f labs/concept-drift.prodml >"$tmp/out" 2>&1 || bad "lab failed: $(tail -5 "$tmp/out")"
# no feature over its threshold: the features table has no ALERT
grep -q ' ALERT$' "$tmp/out" && bad "a feature alerted: $(grep ' ALERT$' "$tmp/out")"
grep -q '^trip_seconds  *jsd  ' "$tmp/out" || bad "no features table"
# the quality alert, in the second hour, for version 1, and its hook
grep -q '^new alerts: quality rmse 3.663 (threshold 1.807) in window 2026-01-01 01:00:00$' "$tmp/out" ||
	bad "quality alert: $(grep -n 'alert' "$tmp/out")"
grep -q '^model tips version 2 (run 2): linear, regression$' "$tmp/out" || bad "the hook did not train version 2"
grep -q 'while no feature is over its skew or drift threshold (concept drift)$' "$tmp/out" ||
	bad "diagnose: $(grep -n -A3 'likely causes' "$tmp/out")"
grep -q '^tips@prod: version 1 -> 2$' "$tmp/out" || bad "promotion"
grep -q '^no open alerts$' "$tmp/out" || bad "alert not acked"
# the last feedback: version 2 at its evaluation, no drop in the third hour
grep -q 'last window version 2: 2.978 (evaluated 2.978, limit 3.275)$' "$tmp/out" ||
	bad "restored quality: $(grep -n 'live quality' "$tmp/out")"
grep '^  2026-01-01 0[0-2]:00:00 ' "$tmp/out" | tail -3 | sed 's/  DROP .*//' >"$tmp/windows"
# independent RMSE per hour from the log and the labels
. tests/cmd/ws-lib.sh
$P $W -c "export labels $tmp/labels.csv" >/dev/null || bad export
# hour|trip_id|prediction of each logged request
wsq "$tmp/ws" "SELECT (time_us - 1767225600000000) / 3600000000, json_extract(features, '\$[0].trip_id'),
	json_extract(prediction, '\$[0]') FROM requests WHERE model = 'tips'" >"$tmp/log" || bad "workspace query"
# per hour: the requests with a label, and their mean squared error
awk -F, 'FNR == 1 && NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "trip_id") k = i; if ($i == "tips") y = i }; next }
	NR == FNR { label[$k] = $y; next }
	{ split($0, f, "|") }
	(f[2] in label) { n[f[1]]++; e = label[f[2]] - f[3]; se[f[1]] += e * e }
	END { for (h in n) print h, n[h], se[h] / n[h] }' "$tmp/labels.csv" "$tmp/log" | sort -n >"$tmp/sql"
awk '{ printf "  2026-01-01 0%d:00:00  %6d rows  rmse %.4g\n", $1, $2, sqrt($3) }' "$tmp/sql" >"$tmp/want"
diff "$tmp/want" "$tmp/windows" >/dev/null || bad "RMSE per window: $(diff "$tmp/want" "$tmp/windows")"
[ "$(wc -l <"$tmp/want")" -eq 3 ] || bad "expected 3 windows: $(cat "$tmp/want")"
# the figure: every panel of the dashboard
$P $W -c "monitor tips@prod --window 1h --out $tmp/m.png" >/dev/null || bad png-run
[ "$(head -c 4 "$tmp/m.png" | od -An -c | tr -d ' ')" = '211PNG' ] || bad "not a PNG"
$P $W -c "monitor tips@prod --window 1h --out $tmp/m.svg" >/dev/null || bad svg-run
grep -q '<svg' "$tmp/m.svg" || bad "not an SVG"
$P $W -c "monitor nosuch --out $tmp/n.png" >"$tmp/n" 2>&1 && bad "an empty log drew a figure"
grep -q 'monitor --out: the log of nosuch is empty: nothing to draw' "$tmp/n" || bad "empty log: $(cat "$tmp/n")"
exit $fail
