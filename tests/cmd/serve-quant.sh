#!/bin/sh
# serve runs quantized versions: an int8 and an fp16 version of a DNN,
# each served by alias, answer 3,000 rows (text/csv) with exactly what
# `predict` writes for them, and differ from the float version's answers
# (the server ran the quantized weights, not the parent's).
. "$srcdir/tests/cmd/serve-lib.sh"

feats=fare,trip_miles,trip_seconds,payment_type,company,trip_start_timestamp
pm -c "load t datasets/taxi/train.csv
	load tt --sql 'SELECT *, tips > 0 AS tipped FROM t'
	train nn --data tt --label tipped --features $feats --model dnn --hidden 16,8 --epochs 2 --seed 4
	models quantize nn:1 --int8
	models quantize nn:1 --fp16
	models alias nn:2 int8
	models alias nn:3 fp16
	predict nn:1 --file datasets/taxi/eval.csv --out $tmp/p1.csv
	predict nn:2 --file datasets/taxi/eval.csv --out $tmp/p2.csv
	predict nn:3 --file datasets/taxi/eval.csv --out $tmp/p3.csv" >/dev/null ||
	{ echo "FAIL setup"; exit 1; }
for v in 1 2 3; do tail -n +2 "$tmp/p$v.csv" | cut -d, -f1 >"$tmp/want$v"; done
[ "$(wc -l <"$tmp/want2")" -eq 3000 ] || failed "predict wrote $(wc -l <"$tmp/want2") rows"
cmp "$tmp/want1" "$tmp/want2" >/dev/null && failed "int8 predictions equal the float ones"
cmp "$tmp/want1" "$tmp/want3" >/dev/null && failed "fp16 predictions equal the float ones"
for a in int8:2 fp16:3; do
	alias=${a%:*} v=${a#*:}
	start_server "nn@$alias"
	req POST /invocations -H 'Content-Type: text/csv' --data-binary @datasets/taxi/eval.csv
	[ "$CODE" = 200 ] || failed "$alias: $CODE $BODY"
	json_preds >"$tmp/got$v"
	cmp "$tmp/want$v" "$tmp/got$v" >/dev/null || failed "$alias: served predictions differ from predict"
done
exit $fail
