#!/bin/sh
# serve --replicas and servers nginx-conf: two replicas of fare@production
# behind a real nginx (Debian's package, started here on 127.0.0.1 with a
# configuration prodml wrote); the alias moves while wrk sends a bounded
# load through nginx: no request fails, both replicas answer and reload to
# the new version, and every request sent is in the request log exactly
# once (each carries its own number as a feature).
. "$srcdir/tests/cmd/serve-lib.sh"
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null) || { echo "nginx not found (apt-get install nginx): skipped"; exit 77; }
command -v wrk >/dev/null 2>&1 || { echo "wrk not found (apt-get install wrk): skipped"; exit 77; }
ngpid=""
stop_nginx() { [ -n "$ngpid" ] && kill -QUIT "$ngpid" 2>/dev/null; ngpid=""; }
trap 'stop_nginx; cleanup' EXIT

pm -c "load taxi datasets/taxi/train.csv
	train fare --data taxi --label fare --model linear --features trip_miles,trip_seconds
	train fare --data taxi --label fare --model linear --features trip_miles,trip_seconds,trip_start_hour
	models promote fare:1 --to production" >/dev/null || { echo "FAIL setup"; exit 1; }

# ---- errors
pm -c "servers nginx-conf fare" >"$tmp/o" 2>&1 && failed "nginx-conf without servers"
[ "$(cat "$tmp/o")" = "-c:1: servers nginx-conf: no running server serves fare (\`serve fare --replicas 2 --detach\` starts two)" ] ||
	failed "nginx-conf without servers: $(cat "$tmp/o")"
pm -c "serve fare --replicas 0" >"$tmp/o" 2>&1 && failed "--replicas 0"
[ "$(cat "$tmp/o")" = "-c:1: serve: --replicas must be 1 to 64" ] || failed "--replicas 0: $(cat "$tmp/o")"
pm -c "serve fare --replicas 3 --port 65534" >"$tmp/o" 2>&1 && failed "--replicas past 65535"
[ "$(cat "$tmp/o")" = "-c:1: serve: 3 replicas from port 65534 pass port 65535 (--port 0 picks free ports)" ] ||
	failed "--replicas past 65535: $(cat "$tmp/o")"

# ---- two replicas
out=$(pm -o json -c "serve fare@production --replicas 2 --port 0") || { echo "FAIL serve --replicas: $out"; exit 1; }
ports=$(echo "$out" | grep -o '"port":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
ids=$(echo "$out" | grep -o '"id":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
spids="$spids $(echo "$out" | grep -o '"pid":[0-9]*' | cut -d: -f2 | tr '\n' ' ')"
set -- $ports
p1=$1 p2=$2
set -- $ids
s1=$1 s2=$2
[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ] && [ "$s1 $s2" = "1 2" ] || failed "replicas: $out"
[ "$(pm -o json -c servers | grep -o '"status":"running"' | wc -l)" = 2 ] || failed "servers: $(pm -c servers)"

pm -c "servers nginx-conf fare --listen 0.0.0.0:x" >"$tmp/o" 2>&1 && failed "--listen x"
[ "$(cat "$tmp/o")" = "-c:1: servers nginx-conf: --listen is [HOST:]PORT, got \"0.0.0.0:x\"" ] || failed "--listen x: $(cat "$tmp/o")"

# ---- nginx in front of them, on the first free port of a few
mkdir -p "$tmp/ngx"
chmod 755 "$tmp" "$tmp/ngx"   # nginx's workers may run as another user
port=$((20000 + $$ % 30000))
tries=0
while :; do
	pm -c "servers nginx-conf fare@production --full --listen 127.0.0.1:$port --out $tmp/ngx/nginx.conf" >/dev/null ||
		{ echo "FAIL nginx-conf"; exit 1; }
	"$NGINX" -p "$tmp/ngx/" -e error.log -c nginx.conf -g 'daemon off;' 2>>"$tmp/ngx/start.log" &
	ngpid=$!
	URL=http://127.0.0.1:$port
	n=0
	while [ $n -lt 100 ] && kill -0 "$ngpid" 2>/dev/null && ! { req GET /health && [ "$CODE" = 200 ]; }; do
		sleep 0.05
		n=$((n + 1))
	done
	kill -0 "$ngpid" 2>/dev/null && [ "$CODE" = 200 ] && break
	stop_nginx
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { echo "nginx did not start: $(cat "$tmp/ngx/start.log" "$tmp/ngx/error.log" 2>/dev/null): skipped"; exit 77; }
	port=$((port + 7))
done
conf=$tmp/ngx/nginx.conf
grep -q "^		server 127.0.0.1:$p1 max_fails=1 fail_timeout=2s;  # server $s1, pid [0-9]*, host " "$conf" &&
	grep -q "^		server 127.0.0.1:$p2 max_fails=1 fail_timeout=2s;  # server $s2, pid [0-9]*, host " "$conf" &&
	grep -q '^		location ~ ^/v1/models/fare(/|:|\$) {$' "$conf" &&
	grep -q '^			proxy_pass http://prodml_fare_at_production;$' "$conf" ||
	failed "the configuration: $(cat "$conf")"
expect "health through nginx" 200 '{"status":"ok","model":"fare","versions":[{"route":"production","version":1}]}'

# ---- the alias moves under load
cat >"$tmp/post.lua" <<'EOL'
-- each request carries its number as trip_seconds (one thread: one counter)
local n = 0
request = function()
	n = n + 1
	local body = string.format('{"instances":[{"trip_miles":2.5,"trip_seconds":%d}]}', n)
	return wrk.format("POST", "/v1/models/fare:predict", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("completed %d errors %d\n", summary.requests,
		e.connect + e.read + e.write + e.status + e.timeout))
end
EOL
wrk -t1 -c4 -d3s --timeout 10s -s "$tmp/post.lua" "$URL" >"$tmp/wrk" 2>&1 &
wpid=$!
sleep 1.5
pm -c "models promote fare:2 --to production --force" >/dev/null || failed "promote fare:2"
wait $wpid || failed "wrk: $(cat "$tmp/wrk")"
done_n=$(sed -n 's/^completed \([0-9]*\) errors \([0-9]*\)$/\1/p' "$tmp/wrk")
errs=$(sed -n 's/^completed \([0-9]*\) errors \([0-9]*\)$/\2/p' "$tmp/wrk")
[ -n "$done_n" ] && [ "$done_n" -ge 100 ] && [ "$errs" = 0 ] || failed "under load: $(cat "$tmp/wrk")"
# both replicas took requests, and both now serve version 2
for p in $p1 $p2; do
	grep -q " 127.0.0.1:$p 200 " "$tmp/ngx/access.log" || failed "replica on port $p got no request"
	URL=http://127.0.0.1:$p
	req GET /v1/models/fare
	expect "replica $p after the move" 200 '{"model_version_status":[{"version":"2","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}'
done
stop_nginx

# ---- every request logged once: stop the replicas (they flush their logs)
pm -c "serve stop $s1; serve stop $s2" >/dev/null || failed "serve stop"
. "$srcdir/tests/cmd/ws-lib.sh"
q() { wsq "$tmp/ws" "$1"; }
num="CAST(json_extract(features, '\$[0].trip_seconds') AS INTEGER)"
logged=$(q "SELECT count(*) FROM requests WHERE api = 'tfserving' AND $num >= 1")
distinct=$(q "SELECT count(DISTINCT $num) FROM requests WHERE api = 'tfserving' AND $num >= 1")
top=$(q "SELECT max($num) FROM requests WHERE api = 'tfserving'")
# wrk counts the answers it read; the requests it sent when time ran out
# (at most one per connection) may be answered and logged after that; wrk
# makes one request more at its start that it never sends
[ "$logged" = "$distinct" ] || failed "$logged requests logged, $distinct distinct: some twice"
[ "$logged" -ge "$done_n" ] && [ "$logged" -le $((done_n + 4)) ] || failed "$logged logged, $done_n completed"
[ "$top" -le $((done_n + 5)) ] && [ "$top" -ge "$logged" ] || failed "numbers up to $top, $logged logged"
[ "$(q "SELECT count(*) FROM requests WHERE status <> 200")" = 0 ] || failed "failed requests logged: $(q "SELECT status, error FROM requests WHERE status <> 200 LIMIT 3")"
[ "$(q "SELECT DISTINCT version FROM requests WHERE api = 'tfserving' ORDER BY version" | paste -sd, -)" = "1,2" ] ||
	failed "versions answered: $(q "SELECT version, count(*) FROM requests GROUP BY version")"
[ "$(q "SELECT DISTINCT server FROM requests WHERE api = 'tfserving' ORDER BY server" | paste -sd, -)" = "$s1,$s2" ] ||
	failed "servers that logged: $(q "SELECT server, count(*) FROM requests GROUP BY server")"
[ $fail = 0 ] || { q "SELECT server, api, status, count(*), max($num) FROM requests GROUP BY 1,2,3"; pm -c "servers --all"; ls -la $tmp/ws/spool; }
exit $fail
