#!/bin/sh
# models export --format onnx: ONNX Runtime (onnxruntime-node, which
# setup.sh installs into tests/onnx/node_modules) gives prodml's
# predictions, within 1e-9, on 3000 rows of the taxi eval set with missing
# values and unseen categories put in, for each model type (linear,
# logistic, softmax, dnn, wide-deep) and each transform step ONNX can
# express: scaling, clip, log1p, minmax, imputation and indicators,
# quantile and given buckets, string and number vocabularies, date parts
# of timestamps and of Unix seconds; and a column named as one of the
# graph's own tensors.  Both sides compute in float64; only
# the order of sums differs, so 1e-9 is generous and a wrong step (an
# off-by-one bucket, a missed OOV) is far outside it.
set -u
P=${PRODML:?}
cd "${srcdir:?}" || exit 99
command -v node >/dev/null 2>&1 || { echo "SKIP: node is not installed (Debian package nodejs; ./setup.sh installs it)"; exit 77; }
[ -d tests/onnx/node_modules/onnxruntime-node ] ||
	{ echo "SKIP: onnxruntime-node is not installed in tests/onnx (./setup.sh installs it)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-onnx.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
W="-W $tmp/w -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }

$P $W -c 'load t datasets/taxi/train.csv' >/dev/null || exit 1
if ! $P $W -c 'train probe --data t --label tips --features fare --epochs 1; models export probe:1 '"$tmp/p.onnx"' --format onnx' >"$tmp/o" 2>&1; then
	grep -q "built without ONNX export" "$tmp/o" && { echo "SKIP: $(tail -1 "$tmp/o")"; exit 77; }
	cat "$tmp/o"; exit 1
fi
# training rows, and eval rows with missing values (NULL) and values the
# model never saw (999, 'Bitcoin', 'Unseen Cab Co') put in
$P $W -c "load tr --sql \"SELECT *, fare AS Where_2, tips > 0 AS tipped, CAST(strftime('%s', trip_start_timestamp) AS INTEGER) + 0.25 AS start_s FROM t\"" >/dev/null || exit 1
$P $W -c 'load e datasets/taxi/eval.csv' >/dev/null || exit 1
$P $W -c "load x --sql \"SELECT
	CASE WHEN rowid % 9 = 0 THEN NULL WHEN rowid % 19 = 0 THEN 999 ELSE pickup_community_area END AS pickup_community_area,
	CASE WHEN rowid % 7 = 0 THEN NULL ELSE fare END AS fare,
	trip_start_month, trip_start_hour, trip_start_day,
	CASE WHEN rowid % 11 = 0 THEN NULL ELSE trip_start_timestamp END AS trip_start_timestamp,
	CASE WHEN rowid % 10 = 0 THEN NULL ELSE CAST(strftime('%s', trip_start_timestamp) AS INTEGER) + 0.75 END AS start_s,
	pickup_latitude, pickup_longitude, dropoff_latitude, dropoff_longitude, trip_miles,
	CASE WHEN rowid % 6 = 0 THEN NULL ELSE trip_seconds END AS trip_seconds,
	CASE WHEN rowid % 17 = 0 THEN 'Bitcoin' ELSE payment_type END AS payment_type,
	CASE WHEN rowid % 5 = 0 THEN NULL WHEN rowid % 13 = 0 THEN 'Unseen Cab Co' ELSE company END AS company,
	dropoff_community_area, fare AS Where_2, tips > 0 AS tipped FROM e\"" >/dev/null || exit 1
keys=pickup_community_area,fare,trip_start_month,trip_start_hour,trip_start_day,trip_start_timestamp,start_s,pickup_latitude,pickup_longitude,dropoff_latitude,dropoff_longitude,trip_miles,trip_seconds,payment_type,company,dropoff_community_area,Where_2,tipped

check() { # NAME TRAIN-ARGS
	name=$1
	shift
	$P $W -c "train $name --data tr --epochs 1 --seed 3 $*" >/dev/null 2>"$tmp/err" || { FAIL "train $name: $(cat "$tmp/err")"; return; }
	$P $W -c "models export $name:1 $tmp/$name.onnx --format onnx" >"$tmp/o" 2>&1 || { FAIL "export $name: $(cat "$tmp/o")"; return; }
	$P $W -c "predict $name --data x --out $tmp/$name.csv --keys $keys" >/dev/null 2>&1 || { FAIL "predict $name"; return; }
	r=$(node tests/onnx/compare.js "$tmp/$name.onnx" "$tmp/$name.csv" 1e-9 2>&1) || FAIL "$name: $r"
	echo "$name: $r"
}

num="fare=clip:0:80+log1p+impute:median+indicator,trip_miles=minmax,trip_seconds=bucketize:q5,pickup_latitude=raw"
cat_="pickup_community_area=onehot+impute:mode,dropoff_community_area=onehot:8,trip_start_hour=bucketize:6:12:18"
check lin --model linear --label tips --features fare,trip_miles,trip_seconds,pickup_latitude,pickup_community_area,dropoff_community_area,trip_start_hour,company \
	--transform "$num,$cat_"
check logi --model logistic --label tipped --features fare,trip_miles,trip_seconds,payment_type,company,trip_start_timestamp,pickup_community_area
check soft --model softmax --label payment_type --features fare,trip_miles,company,start_s,trip_start_day --transform "start_s=dateparts,trip_start_day=onehot"
check dnn --model dnn --label tipped --features fare,trip_miles,trip_seconds,pickup_latitude,payment_type,company,trip_start_timestamp,pickup_community_area,dropoff_latitude \
	--hidden 16,8 --transform "$num,pickup_community_area=onehot+embed:3"
check wd --model wide-deep --label tips --features fare,trip_miles,payment_type,company,trip_start_timestamp,dropoff_community_area --hidden 8
# a column with the name the graph would give a tensor of its own
check named --model linear --label tips --features Where_2,company
# one scaled feature straight into a layer: ONNX Runtime fuses a scalar
# Div before a MatMul into a float32 scale (2.7e-8 off), so no MatMul
check lone --model dnn --label tips --features fare --hidden 4
exit $fail
