#!/bin/sh
# serve: every error answer, with its exact body: 400 naming the field,
# 404, 405, 413, 415, 401 without the bearer token, 503 with Retry-After
# when the batching queue is full; and the command's own usage errors.
# The first server is --strict, so that an omitted feature is an error too
# (without it, it is missing: see serve-missing.sh).
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
start_server w --strict
ok='"is_male":"True","mother_age":30,"plurality":"Single(1)","gestation_weeks":39'

req POST /v1/models/w:predict -d '{"instances":[{"is_male":"True"}]}'
expect missing 400 '{"error":"instances[0]: missing feature '"'mother_age'"'","field":"instances[0].mother_age"}'
req POST /v1/models/w:predict -d "{\"instances\":[{$ok},{\"is_male\":\"True\",\"mother_age\":\"old\",\"plurality\":\"Single(1)\",\"gestation_weeks\":39}]}"
expect wrong-type 400 '{"error":"instances[1].mother_age: expected a number, got a string","field":"instances[1].mother_age"}'
req POST /v1/models/w:predict -d '{"instances":[["True",30,"Single(1)",false]]}'
expect wrong-type-list 400 '{"error":"instances[0][3] (feature '"'gestation_weeks'"'): expected a number, got false","field":"instances[0][3]"}'
req POST /v1/models/w:predict -d '{"instances":[["True",30]]}'
expect list-length 400 '{"error":"instances[0] has 2 values; a list gives the model'"'"'s 4 inputs in order (see GET /v1/models/w/metadata)","field":"instances[0]"}'
req POST /v1/models/w:predict -d '{"instances":[{"is_male":'
expect malformed 400 '{"error":"malformed JSON at line 1, column 25: unexpected token near end of file","field":"body"}'
req POST /v1/models/w:predict -d '[1]'
expect not-object 400 '{"error":"the body must be a JSON object","field":"body"}'
req POST /v1/models/w:predict -d '{"rows":[]}'
expect no-rows 400 '{"error":"give exactly one of \"instances\" or \"inputs\"","field":"body"}'
req POST /v1/models/w:predict -d '{"instances":{"a":1}}'
expect not-list 400 '{"error":"\"instances\" must be a list of rows","field":"instances"}'
req POST /v1/models/w:predict -d '{"instances":[7]}'
expect row-type 400 '{"error":"instances[0]: expected an object or a list, got a number","field":"instances[0]"}'
req POST /v1/models/w:predict -d '{"inputs":{"is_male":["True","False"],"mother_age":[30],"plurality":["Single(1)","Single(1)"],"gestation_weeks":[39,40]}}'
expect columns-length 400 '{"error":"inputs.mother_age has 1 values; inputs.is_male has 2","field":"inputs.mother_age"}'
req POST /invocations -H 'Content-Type: application/json' -d '{"dataframe_split":{"columns":["is_male"],"data":[["True"]]}}'
expect split-missing 400 '{"error":"dataframe_split.columns: missing feature '"'mother_age'"'","field":"dataframe_split.columns","error_code":"BAD_REQUEST","message":"dataframe_split.columns: missing feature '"'mother_age'"'"}'
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'is_male,mother_age,plurality,gestation_weeks\nTrue,30,Single(1),39\nTrue,old,Single(1),39\n')"
expect csv-value 400 '{"error":"CSV line 3, column '"'mother_age'"': '"'old'"' is not a number","field":"mother_age","error_code":"BAD_REQUEST","message":"CSV line 3, column '"'mother_age'"': '"'old'"' is not a number"}'
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'is_male,mother_age,plurality,gestation_weeks\nTrue,inf,Single(1),39\n')"
expect csv-inf 400 '{"error":"CSV line 2: feature '"'mother_age'"': value is +Inf","field":"body","error_code":"BAD_REQUEST","message":"CSV line 2: feature '"'mother_age'"': value is +Inf"}'
# a NUL byte or invalid UTF-8: refused in the loader's words, as by load
printf 'is_male,mother_age,plurality,gestation_weeks\nTrue,30,Sin\0gle(1),39\n' >"$tmp/nul.csv"
req POST /invocations -H 'Content-Type: text/csv' --data-binary @"$tmp/nul.csv"
expect csv-nul 400 '{"error":"CSV line 2: NUL byte in field 3","field":"body","error_code":"BAD_REQUEST","message":"CSV line 2: NUL byte in field 3"}'
printf 'is_male,mother_age,plurality,gestation_weeks\nTrue,30,Single(1)\351,39\n' >"$tmp/latin1.csv"
req POST /invocations -H 'Content-Type: text/csv' --data-binary @"$tmp/latin1.csv"
expect csv-utf8 400 '{"error":"CSV line 2: invalid UTF-8 (byte 0xe9) in field 3","field":"body","error_code":"BAD_REQUEST","message":"CSV line 2: invalid UTF-8 (byte 0xe9) in field 3"}'
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'is_male,plurality\nTrue,Single(1)\n')"
expect csv-column 400 '{"error":"CSV: missing feature column '"'mother_age'"'","field":"mother_age","error_code":"BAD_REQUEST","message":"CSV: missing feature column '"'mother_age'"'"}'
req POST /invocations -H 'Content-Type: application/xml' -d '<x/>'
expect unsupported-type 415 '{"error":"unsupported content type '"'application/xml'"' (use application/json or text/csv)","field":"Content-Type","error_code":"BAD_REQUEST","message":"unsupported content type '"'application/xml'"' (use application/json or text/csv)"}'
# :predict reads JSON: application/json (any parameters), curl -d's
# form-urlencoded, or no Content-Type at all; anything else is 415
for ct in application/xml image/png text/csv; do
	req POST /v1/models/w:predict -H "Content-Type: $ct" -d "{\"instances\":[{$ok}]}"
	expect "tf-type $ct" 415 '{"error":"unsupported content type '"'$ct'"' (use application/json)","field":"Content-Type"}'
done
req POST /v1/models/w:predict -H 'Content-Type: application/json; charset=utf-8' -d "{\"instances\":[{$ok}]}"
[ "$CODE" = 200 ] || failed "tf-type json with charset: $CODE $BODY"
req POST /v1/models/w:predict -H 'Content-Type:' -d "{\"instances\":[{$ok}]}"
[ "$CODE" = 200 ] || failed "tf-type none: $CODE $BODY"

req POST /v1/models/zz:predict -d "{\"instances\":[{$ok}]}"
expect unknown-model 404 '{"error":"model '"'zz'"' is not served here (this server serves '"'w'"')","field":"model"}'
req GET /v1/models/zz
expect unknown-model-status 404 '{"error":"model '"'zz'"' is not served here (this server serves '"'w'"')","field":"model"}'
req POST /v1/models/w/versions/9:predict -d "{\"instances\":[{$ok}]}"
expect unknown-version 404 '{"error":"model '"'w'"' has no version 9","field":"version"}'
req POST /v1/models/w/versions/x:predict -d "{\"instances\":[{$ok}]}"
expect bad-version 400 '{"error":"the version must be a number from 1, got '"'x'"'","field":"version"}'
req POST /v1/models/w/labels/production:predict -d "{\"instances\":[{$ok}]}"
expect unknown-label 404 '{"error":"model '"'w'"' has no alias '"'production'"'","field":"label"}'
req POST /v1/models/w:classify -d "{\"instances\":[{$ok}]}"
expect unknown-method 404 '{"error":"unknown endpoint '"':classify'"' (prodml serves :predict and /metadata)","field":"url"}'
req GET /nope
expect unknown-path 404 '{"error":"no endpoint '"'/nope'"' (see /v1/models/w, /invocations, /metrics, /ping)","field":"url"}'
req GET /v1/models/w:predict
expect get-predict 405 '{"error":"POST is the method of :predict","field":"method"}'
allow=$(curl -s --noproxy '*' -m 10 -D - -o /dev/null "$URL/v1/models/w:predict" | tr -d '\r' | grep -i '^Allow:')
[ "$allow" = 'Allow: POST' ] || failed "405 header: $allow"
req DELETE /ping
expect delete 405 '{"error":"DELETE is not served (use GET or POST)","field":"method"}'
# the server still answers, and counted every error
req POST /v1/models/w:predict -d "{\"instances\":[{$ok}]}"
[ "$CODE" = 200 ] || failed "after the errors: $CODE $BODY"
req GET /metrics
for line in 'prodml_requests_total{model="w",code="200"} 3' 'prodml_requests_total{model="w",code="400"} 17' \
	'prodml_requests_total{model="w",code="404"} 6' 'prodml_requests_total{model="w",code="405"} 3' \
	'prodml_requests_total{model="w",code="415"} 4' 'prodml_request_errors_total{model="w"} 30'; do
	printf '%s\n' "$BODY" | grep -qxF "$line" || failed "metrics: no line '$line'"
done

# 413: a body over --max-body, announced or chunked
start_server w --max-body 64
req POST /v1/models/w:predict -d "{\"instances\":[{$ok}]}"
expect too-big 413 '{"error":"the request body is larger than 64 bytes (--max-body)","field":"body"}'
req POST /v1/models/w:predict -H 'Transfer-Encoding: chunked' -d "{\"instances\":[{$ok}]}"
expect too-big-chunked 413 '{"error":"the request body is larger than 64 bytes (--max-body)","field":"body"}'

# 401: the bearer token
printf 's3cret-token\n' >"$tmp/token"
start_server w --token-file "$tmp/token"
req POST /v1/models/w:predict -d "{\"instances\":[{$ok}]}"
expect no-token 401 '{"error":"this server needs an '"'Authorization: Bearer TOKEN'"' header with its token","field":"Authorization"}'
req POST /v1/models/w:predict -H 'Authorization: Bearer s3cret-tokeX' -d "{\"instances\":[{$ok}]}"
expect wrong-token 401 '{"error":"this server needs an '"'Authorization: Bearer TOKEN'"' header with its token","field":"Authorization"}'
req GET /metrics
[ "$CODE" = 401 ] || failed "metrics without the token: $CODE"
req POST /v1/models/w:predict -H 'Authorization: Bearer s3cret-token' -d "{\"instances\":[{$ok}]}"
[ "$CODE" = 200 ] || failed "with the token: $CODE $BODY"
req GET /ping
[ "$CODE" = 200 ] || failed "ping without the token: $CODE"
hdr=$(curl -s --noproxy '*' -m 10 -D - -o /dev/null "$URL/metrics" | tr -d '\r' | grep -i '^WWW-Authenticate:')
[ "$hdr" = 'WWW-Authenticate: Bearer realm="prodml"' ] || failed "401 header: $hdr"

# 503: two rows wait for a batch (100 rows or 1.5 s) in a queue of 2 rows
start_server w --max-batch 100 --batch-timeout-us 1500000 --queue-rows 2
for i in 1 2; do
	curl -s --noproxy '*' -m 30 -o "$tmp/q$i" -w '%{http_code}' -d "{\"instances\":[{$ok}]}" \
		"$URL/v1/models/w:predict" >"$tmp/c$i" &
done
n=0
until curl -s --noproxy '*' -m 5 "$URL/metrics" | grep -qxF 'prodml_queue_depth{model="w"} 2' || [ $n -ge 100 ]; do
	sleep 0.02
	n=$((n + 1))
done
curl -s --noproxy '*' -m 30 -D "$tmp/h3" -o "$tmp/b3" -d "{\"instances\":[{$ok}]}" "$URL/v1/models/w:predict"
[ "$(head -1 "$tmp/h3" | tr -d '\r')" = "HTTP/1.1 503 Service Unavailable" ] || failed "overflow: $(head -1 "$tmp/h3")"
grep -qx 'Retry-After: 1.' "$tmp/h3" || failed "no Retry-After: $(cat "$tmp/h3")"
[ "$(cat "$tmp/b3")" = '{"error":"the batching queue is full (2 rows waiting); retry after a moment"}' ] ||
	failed "overflow body: $(cat "$tmp/b3")"
wait
[ "$(cat "$tmp/c1") $(cat "$tmp/c2")" = "200 200" ] || failed "queued requests: $(cat "$tmp/c1") $(cat "$tmp/c2")"
[ "$(cat "$tmp/q1")" = "$(cat "$tmp/q2")" ] || failed "queued answers differ"

# the command's own errors
check_err() { # name expected-message command..
	name=$1 want=$2
	shift 2
	got=$(pm "$@" 2>&1 >/dev/null)
	[ "$got" = "$want" ] || failed "$name: $got (want $want)"
}
check_err unknown-model "prodml: serve: no model named 'zz' (see \`models\`)" serve zz --port 0
check_err bad-port 'prodml: serve: --port must be 0 to 65535 (0: any free port)' serve w --port 70000
check_err bad-sample 'prodml: serve: --log-sample must be a fraction from 0 to 1' serve w --log-sample 2
check_err split-ref 'prodml: serve: --split names the versions itself; serve MODEL --split 1=50' serve w:1 --split 1=50
check_err bad-split 'prodml: serve: --split expects VERSION=WEIGHT,.. or ALIAS=WEIGHT,.. (e.g. 3=90,4=10), got "1"' serve w --split 1 --port 0
check_err no-token-file "prodml: serve: --token-file: $tmp/none: No such file or directory" serve w --token-file "$tmp/none"
check_err port-in-use "prodml: serve: cannot listen on 127.0.0.1:$PORT: Address already in use" serve w --port "$PORT"
# the server that could not listen is listed as failed, with no version
# (it never served one), not "version 0"
pm -o json servers --all | grep -q '"version":null,[^}]*"status":"failed","message":"serve: cannot listen on 127.0.0.1:'"$PORT"': Address already in use"' ||
	failed "failed server: $(pm -o json servers --all)"
pm servers --all | grep -q '^ *[0-9][0-9]*  *failed  *w  *-  ' ||
	failed "failed server: $(pm servers --all)"
check_err stop-unknown 'prodml: no server 99 (see `servers`)' serve stop 99
exit $fail
