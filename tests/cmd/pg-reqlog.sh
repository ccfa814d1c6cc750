#!/bin/sh
# The request log on PostgreSQL, whose rounds go in by COPY: a server of a
# PostgreSQL workspace answers 200 numbered predictions and 3 bad requests,
# stops, and each is in the table requests exactly once (by its number),
# with a string feature holding a tab, a newline, a backslash, quotes and
# UTF-8 read back intact and the errors' messages kept; then a server
# killed with SIGKILL leaves its spool, which the next `servers` moves in,
# again each request once.
. "$srcdir/tests/cmd/serve-lib.sh"
. tests/cmd/pg-lib.sh
pg_need_libpq
pg_need_psql
pg_start
trap 'cleanup; pg_stop' EXIT
set -f # the URI's ? is no pattern
W="-W $PG_URI&artifacts=$tmp/ws -q"
q() { "$pg_bin/psql" "$PG_URI" -XAtq -c "$1"; }

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }

# ---- a server that stops: its last round is moved on the way out
start_server w
odd='tab\there, line\nnext, back\\slash, \"quoted\", caf\u00e9 \u2713'
i=1
while [ $i -le 200 ]; do
	pl="Single(1)"
	[ $i = 7 ] && pl=$odd
	req POST /v1/models/w:predict -d "{\"instances\":[{\"is_male\":\"True\",\"mother_age\":$((1000 + i)),\"plurality\":\"$pl\",\"gestation_weeks\":39}]}"
	[ "$CODE" = 200 ] || failed "request $i: $CODE $BODY"
	i=$((i + 1))
done
for i in 1 2 3; do
	req POST /v1/models/w:predict -d '{"instances":[{"is_male":"True",}]}'
	[ "$CODE" = 400 ] || failed "bad request $i: $CODE $BODY"
done
bad_body=$BODY
pm -c "serve stop $SID" >/dev/null || failed "serve stop"

# PostgreSQL's own JSON operators: the table is read here as a user would
age="(features::jsonb->0->>'mother_age')::int"
[ "$(q "SELECT count(*), count(DISTINCT $age), min($age), max($age) FROM requests WHERE status = 200")" = "200|200|1001|1200" ] ||
	failed "the 200 requests: $(q "SELECT count(*), count(DISTINCT $age), min($age), max($age) FROM requests WHERE status = 200")"
[ "$(q "SELECT count(DISTINCT server) FROM requests")" = 1 ] || failed "servers: $(q "SELECT DISTINCT server FROM requests")"
got=$(q "SELECT features::jsonb->0->>'plurality' FROM requests WHERE $age = 1007")
want=$(printf 'tab\there, line\nnext, back\\slash, "quoted", caf\303\251 \342\234\223')
[ "$got" = "$want" ] || failed "the string feature: $got
  (want $want)"
# the error as the client read it: {"error":"MESSAGE",..}
msg=$(printf '%s' "$bad_body" | sed -n 's/^{"error":"\([^"]*\)".*/\1/p')
[ -n "$msg" ] && [ "$(q "SELECT count(*) FROM requests WHERE status = 400 AND error = '$(printf '%s' "$msg" | sed "s/'/''/g")'")" = 3 ] ||
	failed "the errors: $(q "SELECT status, error FROM requests WHERE status <> 200") / $bad_body"

# ---- a server killed: its spool is moved by the next process that looks
start_server w
i=1
while [ $i -le 50 ]; do
	req POST /v1/models/w:predict -d "{\"instances\":[{\"is_male\":\"False\",\"mother_age\":$((2000 + i)),\"plurality\":\"Twins(2)\",\"gestation_weeks\":38}]}"
	[ "$CODE" = 200 ] || failed "killed server's request $i: $CODE $BODY"
	i=$((i + 1))
done
kill -9 "$SPID"
n=0
while running "$SPID" && [ $n -lt 100 ]; do sleep 0.02; n=$((n + 1)); done
pm servers >/dev/null || failed "servers"
[ "$(q "SELECT count(*), count(DISTINCT $age), min($age), max($age) FROM requests WHERE server = $SID")" = "50|50|2001|2050" ] ||
	failed "the killed server's requests: $(q "SELECT count(*), count(DISTINCT $age), min($age), max($age) FROM requests WHERE server = $SID")"
[ "$(q "SELECT count(*) FROM requests")" = 253 ] || failed "rows in all: $(q "SELECT count(*) FROM requests")"
[ -z "$(ls -A "$tmp/ws/spool")" ] || failed "spools left: $(ls -A "$tmp/ws/spool")"
exit $fail
