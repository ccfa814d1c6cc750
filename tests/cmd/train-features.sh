#!/bin/sh
# train without --features: every column but the label, less those the
# dataset's schema marks not_in_env serving (so the model can be served on
# data without them); the chosen list is in the output and in the JSON.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-feat.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
pm() { "$P" -W "$tmp/ws" -q "$@"; }
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
all='pickup_community_area,trip_start_month,trip_start_hour,trip_start_day,trip_start_timestamp,pickup_latitude,pickup_longitude,dropoff_latitude,dropoff_longitude,trip_miles,trip_seconds,payment_type,company,dropoff_community_area'
json_list() { printf '["%s"]' "$(printf '%s' "$1" | sed 's/,/","/g')"; }

pm -c "load taxi datasets/taxi/train.csv; schema infer taxi; schema set taxi tips not_in_env SERVING" \
	>/dev/null || { echo "FAIL setup"; exit 1; }

# the table: the features chosen, and what the schema left out
pm -c "train fare --data taxi --label fare --epochs 1" >"$tmp/out" 2>&1 || FAIL "train: $(cat "$tmp/out")"
sed -n '/^  features:/,/^  left out:/p' "$tmp/out" >"$tmp/got"
cat >"$tmp/want" <<'END'
  features: pickup_community_area, trip_start_month, trip_start_hour,
            trip_start_day, trip_start_timestamp, pickup_latitude,
            pickup_longitude, dropoff_latitude, dropoff_longitude, trip_miles,
            trip_seconds, payment_type, company, dropoff_community_area
  left out: tips (schema taxi: not_in_env serving)
END
diff -u "$tmp/want" "$tmp/got" || FAIL "table output"

# so the serving data, which has no tips, is predicted in full
out=$(pm -c "predict fare --file datasets/taxi/serving.csv --out $tmp/p.csv" 2>&1)
[ "$out" = "fare:1: 2000 rows -> $tmp/p.csv: 2000 predicted, 0 rejected" ] || FAIL "predict: $out"

# JSON: "features" and "left_out"
pm -o json -c "train fare --data taxi --label fare --epochs 1" >"$tmp/j" 2>&1 || FAIL "train json"
got=$(grep -o '"features":\[[^]]*\]' "$tmp/j" | sort | tr '\n' ' ')
want="\"features\":$(json_list "$all") \"features\":[\"tips\"] "
[ "$got" = "$want" ] || FAIL "json features: $got"
grep -qF '"left_out":{"schema":"taxi","features":["tips"]}' "$tmp/j" || FAIL "json left_out: $(cat "$tmp/j")"

# a part of a split has its parent's schema
pm -c "split taxi --by-row --ratios 80,20 --names a,b" >/dev/null || FAIL "split"
pm -o json -c "train fare_a --data taxi_a --label fare --epochs 1" >"$tmp/j" 2>&1
grep -qF "\"features\":$(json_list "$all")" "$tmp/j" || FAIL "split part: $(cat "$tmp/j")"

# a dataset with no schema: every column but the label, tips too
pm -c "load bare datasets/taxi/train.csv" >/dev/null || FAIL "load bare"
pm -o json -c "train fare_b --data bare --label fare --epochs 1" >"$tmp/j" 2>&1
grep -qF "\"features\":$(json_list "$all,tips")" "$tmp/j" || FAIL "no schema: $(cat "$tmp/j")"
grep -q '"left_out"' "$tmp/j" && FAIL "no schema: left_out"

# given --features are taken as they are
pm -o json -c "train fare_c --data taxi --label fare --features trip_miles,tips --epochs 1" >"$tmp/j" 2>&1
grep -q '"features":\["trip_miles","tips"\]' "$tmp/j" || FAIL "--features: $(cat "$tmp/j")"
exit $fail
