#!/bin/sh
# serve: hot reload under load (a new version is registered while a
# bounded request loop runs: every request answers 200, the new version's
# predictions follow), a canary split by weight, draining on SIGTERM (the
# requests waiting for a batch are answered), and a foreground server
# stopped by SIGTERM.
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
ok='"is_male":"True","mother_age":30,"plurality":"Single(1)","gestation_weeks":39'
printf '{"instances":[{%s}]}\n' "$ok" >"$tmp/body.json"
printf 'is_male,mother_age,plurality,gestation_weeks\nTrue,30,Single(1),39\n' >"$tmp/row.csv"
# curl config: N requests to URL on one keep-alive connection
requests() { # N
	i=0
	while [ $i -lt "$1" ]; do
		printf 'url = "%s/v1/models/w:predict"\noutput = "/dev/null"\n' "$URL"
		i=$((i + 1))
	done >"$tmp/cfg"
	curl -s --noproxy '*' -m 60 -K "$tmp/cfg" -d @"$tmp/body.json" -w '%{http_code}\n'
}
. "$srcdir/tests/cmd/ws-lib.sh"
sql() { # QUERY: its rows, columns separated by commas
	wsq "$tmp/ws" "$1" | tr '|' ','
}

# ---- hot reload under load
start_server w
: >"$tmp/codes"
(
	k=0
	while [ $k -lt 40 ] && [ ! -f "$tmp/stop" ]; do
		requests 100 >>"$tmp/codes"
		k=$((k + 1))
	done
) &
loop=$!
n=0
while [ "$(wc -l <"$tmp/codes")" -lt 100 ] && [ $n -lt 500 ]; do sleep 0.02; n=$((n + 1)); done
pm -c "train w --data n --label weight_pounds --epochs 2" >/dev/null || failed "train v2"
n=0
until req GET /v1/models/w && [ "$BODY" = '{"model_version_status":[{"version":"2","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}' ] ||
	[ $n -ge 250 ]; do
	sleep 0.02
	n=$((n + 1))
done
[ $n -lt 250 ] || failed "no reload to version 2: $BODY"
seen=$(wc -l <"$tmp/codes")
n=0
while [ "$(wc -l <"$tmp/codes")" -lt $((seen + 200)) ] && [ $n -lt 500 ]; do sleep 0.02; n=$((n + 1)); done
touch "$tmp/stop"
wait $loop
total=$(wc -l <"$tmp/codes")
bad=$(grep -cvx 200 "$tmp/codes")
[ "$total" -ge 300 ] && [ "$bad" -eq 0 ] || failed "under load: $bad of $total requests failed: $(sort "$tmp/codes" | uniq -c)"
# the answers are now version 2's, as predict computes them
pm -c "predict w:2 --file $tmp/row.csv --out $tmp/p2.csv; predict w:1 --file $tmp/row.csv --out $tmp/p1.csv" >/dev/null
v2=$(tail -1 "$tmp/p2.csv") v1=$(tail -1 "$tmp/p1.csv")
[ "$v1" != "$v2" ] || failed "versions 1 and 2 predict the same"
req POST /v1/models/w:predict -d @"$tmp/body.json"
expect after-reload 200 "{\"predictions\":[$v2]}"
req POST /v1/models/w/versions/1:predict -d @"$tmp/body.json"
expect old-version 200 "{\"predictions\":[$v1]}"
req GET /metrics
printf '%s\n' "$BODY" | grep -qxF 'prodml_reloads_total{model="w"} 1' || failed "metrics: reloads"
pm -c "serve stop $SID" >/dev/null
# both versions answered requests under load, and none failed
got=$(sql "SELECT version, min(status), max(status), CASE WHEN count(*) > 50 THEN 1 ELSE 0 END FROM requests WHERE server = $SID AND rows = 1 GROUP BY version ORDER BY version")
want='1,200,200,1
2,200,200,1'
[ "$got" = "$want" ] || failed "request log by version: $got"

# ---- a canary: 75 / 25 by weight
start_server w --split 1=75,2=25
codes=$(requests 100 | sort | uniq -c | tr -s ' ')
[ "$codes" = " 100 200" ] || failed "split: $codes"
pm -c "serve stop $SID" >/dev/null
got=$(sql "SELECT version, count(*) FROM requests WHERE server = $SID GROUP BY version ORDER BY version")
want='1,75
2,25'
[ "$got" = "$want" ] || failed "split by version: $got"

# ---- draining: requests waiting for a batch are answered on SIGTERM
start_server w --max-batch 64 --batch-timeout-us 5000000
for i in 1 2 3; do
	curl -s --noproxy '*' -m 30 -o "$tmp/d$i" -w '%{http_code}' -d @"$tmp/body.json" \
		"$URL/v1/models/w:predict" >"$tmp/dc$i" &
done
n=0
until curl -s --noproxy '*' -m 5 "$URL/metrics" | grep -qxF 'prodml_queue_depth{model="w"} 3' || [ $n -ge 100 ]; do
	sleep 0.02
	n=$((n + 1))
done
stopped=$(pm -o json -c "serve stop $SID")
wait
for i in 1 2 3; do
	[ "$(cat "$tmp/dc$i")" = 200 ] && [ "$(cat "$tmp/d$i")" = "{\"predictions\":[$v2]}" ] ||
		failed "drained request $i: $(cat "$tmp/dc$i") $(cat "$tmp/d$i")"
done
case $stopped in
*'"status":"stopped"'*'"errors":0,"rows":3,'*) ;;
*) failed "stop: $stopped" ;;
esac
code=$(curl -s --noproxy '*' -m 5 -o /dev/null -w '%{http_code}' "$URL/ping")
[ "$code" = 000 ] || failed "a stopped server answered: $code"

# ---- the foreground server: prints its URL, stops on SIGTERM
"$P" $W -o json serve w:1 --port 0 >"$tmp/fg.out" 2>"$tmp/fg.err" &
fg=$!
spids="$spids $fg"
n=0
until grep -q '^serving' "$tmp/fg.err" || [ $n -ge 250 ]; do sleep 0.02; n=$((n + 1)); done
URL=$(sed -n 's|^serving w:1 (version 1) at \(http://127.0.0.1:[0-9]*\)/ (server [0-9]*; Ctrl-C stops)$|\1|p' "$tmp/fg.err")
[ -n "$URL" ] || failed "foreground: $(cat "$tmp/fg.err")"
req POST /v1/models/w:predict -d @"$tmp/body.json"
expect foreground 200 "{\"predictions\":[$v1]}"
kill -TERM $fg
wait $fg
rc=$?
[ $rc = 0 ] || failed "foreground exit status $rc"
case $(cat "$tmp/fg.out") in
*'"requests":1,"errors":0,'*'"status":"stopped"}') ;;
*) failed "foreground result: $(cat "$tmp/fg.out")" ;;
esac
exit $fail
