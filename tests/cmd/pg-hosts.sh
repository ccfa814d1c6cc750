#!/bin/sh
# Several hosts sharing one PostgreSQL workspace, played on this machine:
# two working directories, each its own host by PRODML_HOST, both with
# -W 'postgresql://..?artifacts=SHARED'.  Each starts a replica of
# fare@production (host B's on 127.0.0.2: an address of its own); `servers`
# lists both, with their hosts, from either host; `servers nginx-conf`
# gives both upstreams; moving the alias on host A reloads host B's replica
# (LISTEN/NOTIFY); the predictions of both are in the shared request log
# once each.  A server killed on host A is A's to notice: host B neither
# marks it dead nor takes its spool, host A does both; B cannot stop A's
# servers; a server records the address it advertises (--advertise); and
# a server of a host that stopped writing shows as unresponsive, left out
# of nginx-conf.
. "$srcdir/tests/cmd/serve-lib.sh"
. tests/cmd/pg-lib.sh
pg_need_libpq
pg_need_psql
pg_start
trap 'cleanup; pg_stop' EXIT
set -f # the URI's ? is no pattern
src=$(pwd)
WS="$PG_URI&artifacts=$tmp/shared"
mkdir -p "$tmp/a" "$tmp/b"
# on HOST ARGS..: prodml on host a or b, in that host's directory
on() { (h=$1; shift; cd "$tmp/$h" && PRODML_HOST=host-$h "$P" -q -W "$WS" "$@"); }
q() { "$pg_bin/psql" "$PG_URI" -XAtq -c "$1"; }
# serve_on HOST ARGS..: a detached server; sets PORT, SID, SPID
serve_on() {
	h=$1
	shift
	out=$(on "$h" -o json serve "$@" --port 0 --detach) || { echo "FAIL serve on $h: $out"; exit 1; }
	PORT=$(echo "$out" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
	SID=$(echo "$out" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	SPID=$(echo "$out" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	[ -n "$PORT" ] && [ -n "$SID" ] && [ -n "$SPID" ] || { echo "FAIL serve on $h: $out"; exit 1; }
	spids="$spids $SPID"
}
# predict ADDR FROM TO: one request per number, each its own trip_seconds
predict() {
	URL=http://$1
	i=$2
	while [ "$i" -le "$3" ]; do
		req POST /v1/models/fare:predict -d "{\"instances\":[{\"trip_miles\":2.5,\"trip_seconds\":$i}]}"
		[ "$CODE" = 200 ] || failed "request $i to $1: $CODE $BODY"
		i=$((i + 1))
	done
}

on a -c "load taxi $src/datasets/taxi/train.csv
	train fare --data taxi --label fare --model linear --features trip_miles,trip_seconds
	train fare --data taxi --label fare --model linear --features trip_miles,trip_seconds,trip_start_hour
	models promote fare:1 --to production" >/dev/null || { echo "FAIL setup"; exit 1; }

# ---- a replica on each host
serve_on a fare@production
pa=$PORT sa=$SID
URL=http://127.0.0.2:1
if ! out=$(on b -o json serve fare@production --host 127.0.0.2 --port 0 --detach 2>&1); then
	echo "127.0.0.2 cannot be bound here ($out): skipped"
	exit 77
fi
pb=$(echo "$out" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
sb=$(echo "$out" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
spids="$spids $(echo "$out" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')"

# ---- either host lists both, with its host and the address it is reached at
for h in a b; do
	got=$(on "$h" -o json servers | grep -o '"id":[0-9]*,"pid":[0-9]*,"host":"[^"]*","bind":"[^"]*","port":[0-9]*,"url":"[^"]*"' |
		sed 's/"pid":[0-9]*,//' | tr '\n' ' ')
	want="\"id\":$sa,\"host\":\"host-a\",\"bind\":\"127.0.0.1\",\"port\":$pa,\"url\":\"http://127.0.0.1:$pa\" \"id\":$sb,\"host\":\"host-b\",\"bind\":\"127.0.0.2\",\"port\":$pb,\"url\":\"http://127.0.0.2:$pb\" "
	[ "$got" = "$want" ] || failed "servers on $h: $got
  (want $want)"
	[ "$(on "$h" -o json servers | grep -o '"status":"running"' | wc -l)" = 2 ] || failed "running, seen from $h: $(on "$h" servers)"
done
on a servers >"$tmp/table"
head -1 "$tmp/table" | grep -q ' pid  *host  *req/s ' && grep -q " host-a " "$tmp/table" && grep -q " host-b " "$tmp/table" ||
	failed "the table names the hosts: $(cat "$tmp/table")"

# ---- nginx-conf, from host B, has both upstreams
on b servers nginx-conf fare@production >"$tmp/conf" || failed "nginx-conf: $(cat "$tmp/conf")"
grep -q "^	server 127.0.0.1:$pa max_fails=1 fail_timeout=2s;  # server $sa, pid [0-9]*, host host-a$" "$tmp/conf" &&
	grep -q "^	server 127.0.0.2:$pb max_fails=1 fail_timeout=2s;  # server $sb, pid [0-9]*, host host-b$" "$tmp/conf" ||
	failed "nginx-conf (servers $sa on $pa, $sb on $pb): $(cat "$tmp/conf")"

# ---- predictions on both; the alias moves on host A; host B's replica reloads
predict 127.0.0.1:$pa 1 20
predict 127.0.0.2:$pb 21 40
on a -c "models promote fare:2 --to production --force" >/dev/null || failed "promote on a"
for addr in 127.0.0.2:$pb 127.0.0.1:$pa; do
	URL=http://$addr
	n=0
	while :; do
		req GET /v1/models/fare
		case $BODY in *'"version":"2"'*) break ;; esac
		n=$((n + 1))
		[ $n -lt 100 ] || { failed "$addr still serves: $BODY"; break; }
		sleep 0.05
	done
done
predict 127.0.0.2:$pb 41 60
predict 127.0.0.1:$pa 61 80
on b -c "serve stop $sa" >"$tmp/o" 2>&1 && failed "host b stopped host a's server"
[ "$(cat "$tmp/o")" = "-c:1: server $sa runs on host host-a (pid $(echo $spids | cut -d' ' -f1)): stop it there (\`serve stop $sa\` on host-a)" ] ||
	failed "stop from the other host: $(cat "$tmp/o")"
on b -c "serve stop $sb" >/dev/null || failed "stop b's on b"
on a -c "serve stop $sa" >/dev/null || failed "stop a's on a"
num="(features::jsonb->0->>'trip_seconds')::int"
[ "$(q "SELECT count(*), count(DISTINCT $num), min($num), max($num) FROM requests")" = "80|80|1|80" ] ||
	failed "the shared request log: $(q "SELECT count(*), count(DISTINCT $num), min($num), max($num) FROM requests")"
[ "$(q "SELECT string_agg(r, ' ' ORDER BY r) FROM (SELECT server || ':' || version || ':' || count(*) AS r FROM requests GROUP BY server, version) x")" = "$sa:1:20 $sa:2:20 $sb:1:20 $sb:2:20" ] ||
	failed "by server and version: $(q "SELECT server, version, count(*) FROM requests GROUP BY 1, 2 ORDER BY 1, 2")"
[ "$(q "SELECT count(*) FROM requests WHERE server = $sb AND version = 1 AND $num BETWEEN 21 AND 40")" = 20 ] ||
	failed "host b's first 20"

# ---- a server killed on host A, with an advertised address
serve_on a fare@production --advertise fare-a.example
sc=$SID
[ "$(on b -o json servers | grep -o "\"id\":$sc,[^}]*\"url\":\"[^\"]*\"" | grep -o '"url":"[^"]*"')" = "\"url\":\"http://fare-a.example:$PORT\"" ] ||
	failed "the advertised URL: $(on b -o json servers)"
on b servers nginx-conf fare@production | grep -q "^	server fare-a.example:$PORT max_fails" || failed "nginx-conf: the advertised address"
predict 127.0.0.1:$PORT 81 85
kill -9 "$SPID"
n=0
while running "$SPID" && [ $n -lt 100 ]; do sleep 0.02; n=$((n + 1)); done
on b servers >/dev/null || failed "servers on b"
[ "$(q "SELECT status FROM servers WHERE id = $sc")" = running ] || failed "host b judged host a's server: $(on b servers --all)"
ls "$tmp/shared/spool" | grep -q "@host-a$" || failed "host b took host a's spool: $(ls "$tmp/shared/spool")"
on a servers >/dev/null || failed "servers on a"
[ "$(q "SELECT status FROM servers WHERE id = $sc")" = dead ] || failed "host a did not notice its dead server: $(on a servers --all)"
[ "$(q "SELECT count(*), min($num), max($num) FROM requests WHERE server = $sc")" = "5|81|85" ] ||
	failed "the killed server's requests: $(q "SELECT count(*), min($num), max($num) FROM requests WHERE server = $sc")"
[ -z "$(ls -A "$tmp/shared/spool")" ] || failed "spools left: $(ls -A "$tmp/shared/spool")"

# ---- a host gone silent: its server is unresponsive, and no upstream
serve_on a fare@production
q "INSERT INTO servers (pid, host, bind, port, url, model, ref, version, detached, status, \"user\", started, updated)
	VALUES (4000000, 'host-c', '127.0.0.1', 9, 'http://127.0.0.9:9', 'fare', 'fare@production', 2, 1, 'running', 'x',
	'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')" >/dev/null
on a -o json servers | grep -q '"host":"host-c",[^}]*"status":"unresponsive","message":"no word from host host-c for [0-9]* s"' ||
	failed "the silent host's server: $(on a -o json servers)"
[ "$(q "SELECT status FROM servers WHERE host = 'host-c'")" = running ] || failed "the silent server's row was changed"
on a servers nginx-conf fare@production >"$tmp/conf"
grep -q "127.0.0.9" "$tmp/conf" && failed "nginx-conf lists the silent host's server: $(cat "$tmp/conf")"
grep -q "^	server 127.0.0.1:$PORT max_fails" "$tmp/conf" || failed "nginx-conf without the live one: $(cat "$tmp/conf")"
exit $fail
