#!/bin/sh
# compare and validate reproduce the numbers of the course's TFDV lab
# (production_ml/solutions/tfdv_advanced_taxi.ipynb) on its own Chicago
# taxi files, datasets/course/chicago_taxi_tfdv (datasets/course/README,
# "Reference numbers"): L-infinity of payment_type between train and
# serving 0.0225 at "Credit Card", of company between train and eval
# 0.0082089 at "Blue Ribbon Taxi Association Inc.", and with the lab's
# comparators (skew 0.01, drift 0.001) validate reports both, as TFDV's
# anomalies do: a schema comparator is TFDV's rule, the distance alone.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-tfdv.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
D=datasets/course/chicago_taxi_tfdv

$P $W -c "load tr $D/train.csv
	load ev $D/eval.csv
	load sv $D/serving.csv" >/dev/null || { echo "FAIL load"; exit 1; }
# linf and linf_value of a compare's JSON, as "VALUE NAME"
linf() { $P $W -o json -c "compare $1 $2 --feature $3" |
	sed -n 's/.*"linf":\([0-9.e-]*\),"linf_value":"\([^"]*\)".*/\1 \2/p'; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && (d < 0 ? -d : d) < 5e-8) }'; }

set -- $(linf tr sv payment_type)
near "${1:-}" 0.0225 && [ "${2:-} ${3:-}" = "Credit Card" ] ||
	bad "payment_type train/serving: $*"
got=$(linf tr ev company)
near "${got%% *}" 0.0082089 && [ "${got#* }" = "Blue Ribbon Taxi Association Inc." ] ||
	bad "company train/eval: $got"
# TFDV's equal-width JSD is reported under its own name beside linf
$P $W -o json -c "compare tr ev --feature fare" | grep -q '"jsd_tfdv":0\.[0-9]' ||
	bad "no jsd_tfdv for fare: $($P $W -o json -c "compare tr ev --feature fare")"

$P $W -c "schema infer tr --as tx
	schema set tx payment_type skew linf 0.01
	schema set tx company drift linf 0.001" >/dev/null || bad "schema"
$P $W -c "validate ev --schema tx --previous tr" >"$tmp/ev"
grep -q 'The L-infinity distance between ev and previous span tr is 0\.00820891, above' "$tmp/ev" ||
	bad "validate eval: $(cat "$tmp/ev")"
$P $W -c "validate sv --schema tx --env serving --baseline tr" >"$tmp/sv"
grep -q '^1  payment_type COMPARATOR_L_INFINITY_HIGH' "$tmp/sv" &&
	grep -q 'The L-infinity distance between sv and baseline tr is 0\.0225, above the skew' "$tmp/sv" ||
	bad "validate serving: $(cat "$tmp/sv")"
exit $fail
