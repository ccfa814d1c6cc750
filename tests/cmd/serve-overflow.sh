#!/bin/sh
# serve and predict: a finite input so far outside the training data that
# the prediction overflows (trip_miles 1e308) gets one answer everywhere,
# an error naming the row and the feature: 400 online, a reject with its
# line (--file) or row (--data) in batch, never a null or Inf prediction.
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load t datasets/taxi/train.csv
	train fare --data t --label fare --features trip_miles,trip_seconds,payment_type --epochs 1" \
	>/dev/null || { echo "FAIL setup"; exit 1; }
start_server fare
why="the prediction is not a finite number (inf): feature 'trip_miles' is too far outside the training data"

req POST /v1/models/fare:predict -d '{"instances":[{"trip_miles":2,"trip_seconds":300,"payment_type":"Cash"},{"trip_miles":1e308,"trip_seconds":300,"payment_type":"Cash"}]}'
case "$CODE $BODY" in
"400 {\"error\":\"instances[1]: $why (scaled to "*"\",\"field\":\"instances[1]\"}") ;;
*) failed "online: $CODE $BODY" ;;
esac
online=$(printf '%s' "$BODY" | sed 's/^{"error":"instances\[1\]: \(.*\)","field".*/\1/')
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'trip_miles,trip_seconds,payment_type\n2,300,Cash\n1e308,300,Cash\n')"
case "$CODE $BODY" in
"400 {\"error\":\"CSV row 2: $online\",\"field\":\"CSV row 2\""*) ;;
*) failed "online CSV: $CODE $BODY" ;;
esac
req POST /v1/models/fare:predict -d '{"instances":[{"trip_miles":-1e308,"trip_seconds":300,"payment_type":"Cash"}]}'
case "$CODE $BODY" in
"400 {\"error\":\"instances[0]: the prediction is not a finite number (-inf): feature 'trip_miles' "*) ;;
*) failed "online negative: $CODE $BODY" ;;
esac

printf 'trip_miles,trip_seconds,payment_type\n2,300,Cash\n1e308,300,Cash\n3,400,Cash\n' >"$tmp/in.csv"
pm -o json -c "predict fare --file $tmp/in.csv --out $tmp/out.csv" >"$tmp/res" || failed "predict --file: $(cat "$tmp/res")"
grep -q '"rows":3,"predicted":2,"rejected":1' "$tmp/res" || failed "predict --file counts: $(cat "$tmp/res")"
[ "$(sed 1d "$tmp/out.csv" | wc -l)" = 2 ] || failed "predict --file wrote: $(cat "$tmp/out.csv")"
grep -qi 'inf' "$tmp/out.csv" && failed "predict --file wrote Inf: $(cat "$tmp/out.csv")"
[ "$(sed -n 2p "$tmp/out.csv.rejects.csv")" = "2,3,$online,\"1e308,300,Cash\"" ] ||
	failed "predict --file reject: $(cat "$tmp/out.csv.rejects.csv")
  (want 2,3,$online,...)"
pm -c "load big $tmp/in.csv" >/dev/null || failed "load"
pm -c "predict fare --data big --out $tmp/out2.csv" >/dev/null || failed "predict --data"
[ "$(sed -n 2p "$tmp/out2.csv.rejects.csv")" = "2,,$online,\"1e+308,300,Cash\"" ] ||
	failed "predict --data reject: $(cat "$tmp/out2.csv.rejects.csv")"
exit $fail
