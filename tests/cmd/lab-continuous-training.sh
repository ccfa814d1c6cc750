#!/bin/sh
# labs/continuous-training.prodml end to end, on the course's Chicago taxi
# trips: the first run trains and promotes version 1; the requests of 2015
# open skew alerts whose trigger reruns the pipeline on the 2015 trips, and
# the gate promotes version 2; the weekly trigger's run on all the history
# makes version 3, which the gate refuses.  The years' row counts, the
# payment_type skew (L-infinity) and the mean-predictor RMSE on the holdout
# are recomputed independently from the CSV files with awk; the versions'
# metrics are checked against `evaluate` on the holdout.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-ctlab.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
LC_ALL=C.UTF-8 $P $W -f labs/continuous-training.prodml >"$tmp/out" 2>&1 || bad "lab failed: $(tail -5 "$tmp/out")"

# independent: per year (by trip_start_timestamp, UTC) the trips, the
# payment_type shares of 2013 and 2015, the tips' mean of 2015 and the
# RMSE on 2016's tips of predicting that mean
awk -F, '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	t = $col["trip_start_timestamp"]
	y = t < 1388534400 ? 2013 : t < 1420070400 ? 2014 : t < 1451606400 ? 2015 : 2016
	n[y]++
	pay[y, $col["payment_type"]]++
	kinds[$col["payment_type"]] = 1
	tips[y] += $col["tips"]
	if (y == 2016) { h[n[y]] = $col["tips"] }
}
END {
	printf "trips_2013: %d rows\ntrips_2015: %d rows\nhistory: %d rows\nholdout: %d rows\n",
		n[2013], n[2015], n[2013] + n[2014] + n[2015], n[2016]
	linf = 0
	for (k in kinds) {
		d = pay[2013, k] / n[2013] - pay[2015, k] / n[2015]
		if (d < 0) d = -d
		if (d > linf) linf = d
	}
	printf "linf %.4f\n", linf
	m = tips[2015] / n[2015]
	for (i = 1; i <= n[2016]; i++) s += (h[i] - m) * (h[i] - m)
	printf "baseline_rmse %.5f\n", sqrt(s / n[2016])
}' datasets/course/chicago_taxi_tfdv/train.csv datasets/course/chicago_taxi_tfdv/eval.csv >"$tmp/want"
for ds in trips_2013 trips_2015 history holdout; do
	line=$(grep "^$ds: " "$tmp/want")
	grep -q "^$line, 8 columns$" "$tmp/out" || bad "$ds: want '$line', got $(grep "^$ds: " "$tmp/out")"
done
[ "$(grep -c rows "$tmp/want")" = 4 ] && grep -q '^holdout: 833 rows$' "$tmp/want" || bad "awk: $(cat "$tmp/want")"

# run 1: version 1 trained on 2013 and promoted
grep -q '^pipeline tips_ct run 1: done' "$tmp/out" || bad "run 1: $(grep -n 'run 1' "$tmp/out")"
grep -q '^trigger 1: pipeline tips_ct on alert skew of tips; monitoring starts it as the alert opens$' "$tmp/out" ||
	bad "trigger 1"
# the skew of payment_type, as awk computes it, alerts and starts run 2
linf=$(sed -n 's/^linf //p' "$tmp/want")
grep -q "^payment_type  *linf  *$linf  .* ALERT skew$" "$tmp/out" ||
	bad "payment_type skew, want $linf: $(grep '^payment_type' "$tmp/out")"
grep -q '^new alerts: .*skew payment_type '"$linf" "$tmp/out" || bad "no skew alert: $(grep -n 'alerts' "$tmp/out")"
grep -q '^trigger 1: pipeline tips_ct run 2 (alert [0-9]*: skew of tips on [a-z_]*) started as job 1 (`pipeline run show 2 --wait`)$' "$tmp/out" ||
	bad "the alert did not run the pipeline: $(grep -n '^trigger' "$tmp/out")"
grep -q '^pipeline tips_ct run 2: done\( in .*\)\{0,1\} (job 1)$' "$tmp/out" || bad "run 2: $(grep -n 'run 2' "$tmp/out")"
grep -q '^made by pipeline tips_ct run 2, step train (`pipeline run show 2`)$' "$tmp/out" || bad "models lineage tips:2"
grep -q '^      read  dataset trips_2015 ' "$tmp/out" || bad "pipeline lineage: tips:2 does not reach trips_2015"
# run 3, from the weekly trigger: version 3 refused at the gate
grep -q '^  trigger 2: pipeline tips_ct run 3 (every 604800s)$' "$tmp/out" || bad "the scheduler did not start run 3"
grep -q '^pipeline tips_ct run 3: failed\( in .*\)\{0,1\} (job 2)$' "$tmp/out" || bad "run 3: $(grep -n 'run 3' "$tmp/out")"
grep -q '^  step gate failed: promotion of tips:3 to production refused: 1 check failed (--force overrides)$' "$tmp/out" ||
	bad "run 3's gate"
# the alias history: 1 by run 1, then 2 by run 2, nothing after
grep -q ' production  promote     -   1  [^ ]*  pipeline tips_ct, batch trips_2013$' "$tmp/out" || bad "history 1"
grep -q ' production  promote     1   2  [^ ]*  pipeline tips_ct, batch trips_2015$' "$tmp/out" || bad "history 2"
[ "$(grep -c ' production  promote ' "$tmp/out")" = 2 ] || bad "more promotions than two"

# each version's metrics against an evaluation of it on the holdout; the
# gate's order: 2 better than 1, 3 worse than 2
$P $W -o json -c "models show tips" >"$tmp/m"
for v in 1 2 3; do
	reg=$(grep -o "\"version\":$v,[^}]*" "$tmp/m" | sed -n 's/.*"rmse":\([^,]*\),.*/\1/p')
	ev=$($P $W -c "evaluate tips:$v --data holdout" | sed -n 's/^  rmse  *//p')
	[ -n "$reg" ] && [ "$(printf '%.6g' "$reg")" = "$ev" ] || bad "tips:$v rmse: registry $reg, evaluate $ev"
	eval "r$v=$ev"
done
awk -v a="$r1" -v b="$r2" -v c="$r3" 'BEGIN { exit !(b < a && c > b) }' || bad "gate order: $r1 $r2 $r3"
$P $W -c "models show tips" | grep -q '^      2  linear  rmse [0-9.]*  production ' || bad "production is not tips:2"
want=$(sed -n 's/^baseline_rmse //p' "$tmp/want")
$P $W -c "evaluate tips:2 --data holdout" | grep -q "^  baseline_rmse  *$want$" ||
	bad "baseline_rmse of tips:2, want $want: $($P $W -c "evaluate tips:2 --data holdout" | grep baseline)"
exit $fail
