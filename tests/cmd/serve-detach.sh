#!/bin/sh
# serve --detach, servers and serve stop: a background server is listed
# with its pid and port; one killed with SIGKILL is noticed as dead (and
# what it logged reaches the table); a stopped one drains, records its
# statistics and leaves the default list.
. "$srcdir/tests/cmd/serve-lib.sh"
. "$srcdir/tests/cmd/ws-lib.sh"

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
ok='{"instances":[{"is_male":"True","mother_age":30,"plurality":"Single(1)","gestation_weeks":39}]}'

start_server w
a=$SID apid=$SPID aport=$PORT
req POST /v1/models/w:predict -d "$ok"
[ "$CODE" = 200 ] || failed "request to $a: $CODE $BODY"
start_server w:1 --log-sample 0
b=$SID bpid=$SPID
req POST /v1/models/w:predict -d "$ok"
[ "$CODE" = 200 ] || failed "request: $CODE $BODY"

out=$(pm -o json servers)
case $out in
*"{\"id\":$a,\"pid\":$apid,"*"\"port\":$aport,\"url\":\"http://127.0.0.1:$aport\",\"model\":\"w\",\"ref\":\"w\","*'"detached":true,'*'"status":"running"'*) ;;
*) failed "servers: $out" ;;
esac
case $out in
*"{\"id\":$b,\"pid\":$bpid,"*'"ref":"w:1","version":1,'*'"status":"running"'*) ;;
*) failed "servers (pinned): $out" ;;
esac
pm servers | head -1 | grep -q '^id  *status  *model  *version  *url  *pid  *req/s  *p50 ms  *p99 ms  *requests  *errors  *lookup hits$' ||
	failed "servers table: $(pm servers | head -1)"

# a server killed without a word is noticed
kill -9 "$apid"
n=0
while running "$apid" && [ $n -lt 100 ]; do sleep 0.02; n=$((n + 1)); done
out=$(pm -o json servers)
case $out in
*"{\"id\":$a,"*'"status":"dead","message":"the process is gone"'*) ;;
*) failed "dead server: $out" ;;
esac
out=$(pm -o json -c "serve stop $a")
case $out in
*'"status":"dead"'*) ;;
*) failed "stop a dead server: $out" ;;
esac

# a stopped server drains, writes its statistics, and its log says so
out=$(pm -o json -c "serve stop $b")
case $out in
*"{\"id\":$b,"*'"status":"stopped",'*'"requests":1,"errors":0,"rows":1,'*) ;;
*) failed "stop: $out" ;;
esac
running "$bpid" && failed "server $b still runs"
# the request the killed server answered is in the log, and no spool is left
n=$(wsq "$tmp/ws" "SELECT count(*) || ' ' || min(status) FROM requests WHERE server = $a")
[ "$n" = "1 200" ] || failed "requests of the killed server: $n"
[ -z "$(ls -A "$tmp/ws/spool")" ] || failed "spools left: $(ls -A "$tmp/ws/spool")"
grep -qx 'status: *stopped' "$tmp/ws/servers/serve-$bpid.log" ||
	failed "log: $(cat "$tmp/ws/servers/serve-$bpid.log")"
out=$(pm -o json -c "serve stop $b")
case $out in
*'"status":"stopped"'*) ;;
*) failed "stop twice: $out" ;;
esac
# the default list: live servers and the dead; --all: every one
[ "$(pm -o json servers | grep -o '"id":[0-9]*' | tr '\n' ' ')" = "\"id\":$a " ] ||
	failed "servers: $(pm -o json servers)"
[ "$(pm -o json servers --all | grep -o '"status":"[a-z]*"' | tr '\n' ' ')" = '"status":"dead" "status":"stopped" ' ] ||
	failed "servers --all: $(pm -o json servers --all)"
out=$(pm serve stop x 2>&1)
[ "$out" = 'prodml: serve stop: ID is a server number (see `servers`), got "x"' ] || failed "bad id: $out"
# retention: a server rolls up the logged requests past --keep-days (here
# from the session's setting, passed on to the detached process) when it
# starts and then hourly; 120 requests of ten days ago, one a minute,
# become 120 one-minute rollups; the one request of today stays raw
t=$(date -u -d '10 days ago' +%Y-%m-%dT%H:00:00)
pm -c "load old --sql 'SELECT is_male, mother_age, plurality, gestation_weeks FROM n LIMIT 120'
	monitor ingest w --data old --start $t --step-ms 60000 --version 1" >/dev/null ||
	failed "ingest"
out=$(pm -o json -c "set monitor.retention_days 2
	serve w --port 0 --detach" | tail -1)
cpid=$(echo "$out" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
URL=http://127.0.0.1$(echo "$out" | sed -n 's/.*"url":"http:\/\/127.0.0.1\(:[0-9]*\)".*/\1/p')
spids="$spids $cpid"
[ "$(tr '\0' ' ' <"/proc/$cpid/cmdline")" = "prodml -q -W $tmp/ws serve w --port 0 --keep-days 2 --rollup-days 400 " ] ||
	failed "detached command line: $(tr '\0' ' ' <"/proc/$cpid/cmdline")"
n=0
until req GET /metrics && echo "$BODY" | grep -qx 'prodml_request_log_compacted_total{model="w"} 120' ||
	[ $n -ge 100 ]; do sleep 0.05; n=$((n + 1)); done
echo "$BODY" | grep -qx 'prodml_request_log_compacted_total{model="w"} 120' ||
	failed "compacted: $(echo "$BODY" | grep compacted)"
out=$(pm -o json -c "monitor compact --keep-days 2")
case $out in
*'"compacted":0,'*'"requests_left":1,"rollups":120'*) ;;
*) failed "after the server's compaction: $out" ;;
esac
exit $fail
