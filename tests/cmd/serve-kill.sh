#!/bin/sh
# The request log is written ahead of the answer: a server killed with
# SIGKILL the moment after it answered (no pause) has that request in its
# spool, and the next `servers` moves it into the table.  Twenty servers,
# one request each, each with its own mother_age, so every record is
# checked by its content, not only counted.
. "$srcdir/tests/cmd/serve-lib.sh"
. "$srcdir/tests/cmd/ws-lib.sh"

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }

i=1
while [ $i -le 20 ]; do
	start_server w
	req POST /v1/models/w:predict -d "{\"instances\":[{\"is_male\":\"True\",\"mother_age\":$((20 + i)),\"plurality\":\"Single(1)\",\"gestation_weeks\":39}]}"
	kill -9 "$SPID"
	[ "$CODE" = 200 ] || failed "request $i: $CODE $BODY"
	i=$((i + 1))
done
for p in $spids; do
	n=0
	while running "$p" && [ $n -lt 100 ]; do sleep 0.02; n=$((n + 1)); done
done
pm servers >/dev/null || failed "servers"
age="CAST(json_extract(features, '\$[0].mother_age') AS INTEGER)"
got=$(wsq "$tmp/ws" "SELECT $age || ':' || status FROM requests ORDER BY $age" | paste -sd' ' -)
want=$(i=21; while [ $i -le 40 ]; do printf '%s:200 ' $i; i=$((i + 1)); done)
[ "$got " = "$want" ] || failed "requests in the table: $got
  (want $want)"
n=$(wsq "$tmp/ws" "SELECT count(DISTINCT server) FROM requests")
[ "$n" = 20 ] || failed "servers that logged: $n"
[ -z "$(ls -A "$tmp/ws/spool")" ] || failed "spools left: $(ls -A "$tmp/ws/spool")"
exit $fail
