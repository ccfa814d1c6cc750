#!/bin/sh
# serve: every request shape of the TensorFlow Serving and MLflow APIs,
# status, health and metrics; and predictions identical, to the last digit,
# to `predict` on the same rows (3,000 rows through text/csv,
# dataframe_split and TF instances as lists; two rows through every other
# shape).
. "$srcdir/tests/cmd/serve-lib.sh"

feats=fare,trip_miles,trip_seconds,payment_type,company,trip_start_timestamp
pm -c "load t datasets/taxi/train.csv; load e datasets/taxi/eval.csv
	load tt --sql 'SELECT *, tips > 0 AS tipped FROM t'
	train lg --data tt --label tipped --features $feats --model logistic --epochs 2
	load sp datasets/spending/spending.csv
	train sm --data sp --label Spending_Score --epochs 2
	predict lg --file datasets/taxi/eval.csv --out $tmp/p.csv
	predict lg --data e --out $tmp/pd.csv
	predict sm --file datasets/spending/spending.csv --out $tmp/ps.csv" >/dev/null ||
	{ echo "FAIL setup"; exit 1; }
cmp "$tmp/p.csv" "$tmp/pd.csv" || failed "predict --file and --data differ"
tail -n +2 "$tmp/p.csv" | cut -d, -f1 >"$tmp/want"
[ "$(wc -l <"$tmp/want")" -eq 3000 ] || failed "predict wrote $(wc -l <"$tmp/want") rows"

start_server lg
lg_sid=$SID

# status and metadata
req GET /v1/models/lg
expect status 200 '{"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}'
req GET /v1/models/lg/versions/1
expect status-v1 200 '{"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}'
req GET /v1/models/lg/metadata
case $BODY in
*'"inputs":[{"name":"fare","type":"float"},{"name":"trip_miles","type":"float"},{"name":"trip_seconds","type":"int"},{"name":"payment_type","type":"string"},{"name":"company","type":"string"},{"name":"trip_start_timestamp","type":"timestamp"}]'*) ;;
*) failed "metadata: $BODY" ;;
esac
req GET /ping
expect ping 200 '{"status":"ok","model":"lg","versions":[{"route":"latest","version":1}]}'
req GET /health
expect health 200 '{"status":"ok","model":"lg","versions":[{"route":"latest","version":1}]}'

# all 3,000 rows: text/csv, dataframe_split, TF instances as lists
req POST /invocations -H 'Content-Type: text/csv' --data-binary @datasets/taxi/eval.csv
[ "$CODE" = 200 ] || failed "text/csv: $CODE $BODY"
json_preds >"$tmp/got"
cmp "$tmp/want" "$tmp/got" >/dev/null || failed "text/csv predictions differ from predict"

pm -o json -c "show e --rows 3000" | tail -1 |
	sed -E -e 's/\{"name":("[^"]*"),"type":"[a-z]+"\}/\1/g' \
		-e 's/^\{"name":"e","total_rows":[0-9]+,"columns":/{"dataframe_split":{"columns":/' \
		-e 's/,"rows":/,"data":/' -e 's/$/}/' >"$tmp/split.json"
req POST /invocations -H 'Content-Type: application/json' --data-binary @"$tmp/split.json"
[ "$CODE" = 200 ] || failed "dataframe_split: $CODE $(echo "$BODY" | head -c 300)"
json_preds >"$tmp/got"
cmp "$tmp/want" "$tmp/got" >/dev/null || failed "dataframe_split predictions differ from predict"

pm -o json -c "show e --rows 3000 --columns $feats" | tail -1 |
	sed -E 's/^\{"name":"e","total_rows":[0-9]+,"columns":\[[^]]*\],"rows":/{"instances":/' >"$tmp/lists.json"
req POST /v1/models/lg:predict --data-binary @"$tmp/lists.json"
[ "$CODE" = 200 ] || failed "instances as lists: $CODE $(echo "$BODY" | head -c 300)"
json_preds >"$tmp/got"
cmp "$tmp/want" "$tmp/got" >/dev/null || failed "TF instances (lists) differ from predict"

# the first two rows of eval.csv through every other shape
want2=$(head -2 "$tmp/want" | tr '\n' ',' | sed 's/,$//')
r1='"fare":12.00,"trip_miles":2.76,"trip_seconds":480,"payment_type":"Mobile","company":"Chicago Medallion Leasing INC","trip_start_timestamp":"2016-10-26 02:30:00"'
r2='"fare":13.25,"trip_miles":3.66,"trip_seconds":540,"payment_type":"Cash","company":null,"trip_start_timestamp":"2014-05-27 23:30:00"'
cols='"fare":[12,13.25],"trip_miles":[2.76,3.66],"trip_seconds":[480,540],"payment_type":["Mobile","Cash"],"company":["Chicago Medallion Leasing INC",null],"trip_start_timestamp":["2016-10-26 02:30:00","2014-05-27 23:30:00"]'
req POST /v1/models/lg:predict -d "{\"instances\":[{$r1},{$r2}]}"
expect tf-instances 200 "{\"predictions\":[$want2]}"
req POST /v1/models/lg/versions/1:predict -d "{\"instances\":[{$r1},{$r2}]}"
expect tf-version 200 "{\"predictions\":[$want2]}"
req POST /v1/models/lg:predict -d "{\"signature_name\":\"serving_default\",\"inputs\":{$cols}}"
expect tf-inputs 200 "{\"outputs\":[$want2]}"
req POST /invocations -H 'Content-Type: application/json' -d "{\"dataframe_records\":[{$r1},{$r2}]}"
expect mlflow-records 200 "{\"predictions\":[$want2]}"
req POST /invocations -H 'Content-Type: application/json' -d "{\"instances\":[{$r1},{$r2}]}"
expect mlflow-instances 200 "{\"predictions\":[$want2]}"
req POST /invocations -H 'Content-Type: application/json' -d "{\"inputs\":{$cols}}"
expect mlflow-inputs 200 "{\"predictions\":[$want2]}"
req POST /v1/models/lg:predict -d '{"instances":[]}'
expect empty 200 '{"predictions":[]}'

# metrics: 15 answers so far, 10 of them predictions (3,000 x 3 + 2 x 6 rows)
req GET /metrics
for line in 'prodml_requests_total{model="lg",code="200"} 15' \
	'prodml_request_errors_total{model="lg"} 0' \
	'prodml_predictions_total{model="lg"} 9012' \
	'prodml_request_duration_seconds_count{model="lg"} 15' \
	'prodml_batch_size_count{model="lg"} 9' \
	'prodml_queue_depth{model="lg"} 0' \
	'prodml_model_version{model="lg",route="latest"} 1'; do
	printf '%s\n' "$BODY" | grep -qxF "$line" || failed "metrics: no line '$line'"
done
# the 10 prediction requests reach the request log's table while the server
# runs (through its spool, within a fraction of a second when it is idle)
n=0
until printf '%s\n' "$BODY" | grep -qxF 'prodml_request_log_total{model="lg"} 10' || [ $n -ge 100 ]; do
	sleep 0.05
	n=$((n + 1))
	req GET /metrics
done
for line in 'prodml_request_log_total{model="lg"} 10' 'prodml_request_log_pending{model="lg"} 0' \
	'prodml_request_log_dropped_total{model="lg"} 0'; do
	printf '%s\n' "$BODY" | grep -qxF "$line" || failed "metrics: no line '$line'"
done

# a softmax model: one probability per class, as predict's p_ columns
start_server sm
req POST /invocations -H 'Content-Type: text/csv' --data-binary @datasets/spending/spending.csv
[ "$CODE" = 200 ] || failed "softmax: $CODE"
printf '%s\n' "$BODY" | sed -e 's/^{"predictions":\[\[//' -e 's/\]\]}$//' -e 's/\],\[/\n/g' >"$tmp/got"
tail -n +2 "$tmp/ps.csv" | cut -d, -f2- >"$tmp/want"
cmp "$tmp/want" "$tmp/got" >/dev/null || failed "softmax predictions differ from predict"
[ "$(head -1 "$tmp/ps.csv")" = "class,p_Average,p_High,p_Low" ] || failed "softmax columns: $(head -1 "$tmp/ps.csv")"

# the request log holds every prediction request, with its rows and version
pm -c "serve stop $lg_sid; serve stop $SID" >/dev/null
pm -o csv workspace query "SELECT model, api, status, sum(rows) AS rows, count(*) AS n FROM requests GROUP BY model, api, status ORDER BY model, api" >"$tmp/log.csv"
want_log='model,api,status,rows,n
lg,mlflow,200,6006,5
lg,tfserving,200,3006,5
sm,mlflow,200,4000,1'
[ "$(cat "$tmp/log.csv")" = "$want_log" ] || failed "request log: $(cat "$tmp/log.csv")"
exit $fail
