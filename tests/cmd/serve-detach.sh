#!/bin/sh
# serve --detach, servers and serve stop: a background server is listed
# with its pid and port; one killed with SIGKILL is noticed as dead; a
# stopped one drains, records its statistics and leaves the default list.
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
ok='{"instances":[{"is_male":"True","mother_age":30,"plurality":"Single(1)","gestation_weeks":39}]}'

start_server w
a=$SID apid=$SPID aport=$PORT
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
exit $fail
