#!/bin/sh
# monitor: the shifts of issue 17 caught at 300 rows, and the same rows
# unchanged left alone, at the default thresholds and level.  The first 300
# rows of eval.csv (the same process as train.csv) with six of its columns,
# logged as traffic against train.csv:
# - unchanged: no alert, although payment_type's L-infinity (0.0674) is over
#   its threshold 0.05: 300 rows do not make that difference significant;
# - trip_miles times 1.5: skew on trip_miles alone (JSD over train's
#   deciles 0.060, against 0.0076 unchanged);
# - payment_type set to Cash on every other row: skew on payment_type alone.
# bench/monitor-alerts measures the same over many random windows.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-shifts.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
cols="pickup_community_area, fare, trip_seconds, company"

$P $W -c "load train datasets/taxi/train.csv
	load ev datasets/taxi/eval.csv
	load w0 --sql \"SELECT $cols, trip_miles, payment_type FROM ev LIMIT 300\"
	load w1 --sql \"SELECT $cols, ROUND(trip_miles * 1.5, 2) AS trip_miles, payment_type FROM ev LIMIT 300\"
	load w2 --sql \"SELECT $cols, trip_miles, CASE WHEN rowid % 2 = 0 THEN 'Cash' ELSE payment_type END AS payment_type FROM ev LIMIT 300\"
	monitor ingest same --data w0
	monitor ingest miles --data w1
	monitor ingest cash --data w2" >/dev/null || { echo "FAIL setup"; exit 1; }

# the alerts due, one "kind feature" a line (the first call also lists
# them as opened)
due() { $P $W -o json -c "monitor $1 --baseline train" | tr '{' '\n' |
	sed -n 's/.*"kind":"\([a-z]*\)".*"feature":"\([a-z_]*\)".*/\1 \2/p' | sort -u; }
[ -z "$(due same)" ] || bad "unchanged rows alert: $(due same)"
[ "$(due miles)" = "skew trip_miles" ] || bad "trip_miles x 1.5: $(due miles)"
[ "$(due cash)" = "skew payment_type" ] || bad "Cash on half the rows: $(due cash)"
$P $W -c "monitor same --baseline train" >"$tmp/same"
grep -q '^payment_type  *linf  *0\.0674 .*0\.05 ' "$tmp/same" || bad "payment_type unchanged: $(cat "$tmp/same")"
exit $fail
