#!/bin/sh
# Writers at the same instant, from separate processes, on one workspace:
# rounds of two `models promote` of one alias (every move recorded once,
# each move's "from" the version the alias held before it, the alias ending
# on the last move's version), two `train` registering versions (distinct
# numbers, none lost), and two servers of one model logging requests sent
# to both at once (every request in the log exactly once).
. "$srcdir/tests/cmd/serve-lib.sh"
. "$srcdir/tests/cmd/ws-lib.sh"
q() { wsq "$tmp/ws" "$1"; }

pm -c "load taxi datasets/taxi/train.csv
	train fare --data taxi --label fare --model linear --features trip_miles
	train fare --data taxi --label fare --model linear --features trip_miles,trip_seconds" >/dev/null ||
	{ echo "FAIL setup"; exit 1; }

# ---- two trains at once, three rounds: versions 3..8, each once
for round in 1 2 3; do
	pm -c "train fare --data taxi --label fare --model linear --features trip_miles --l2 0.$round" >"$tmp/t1" 2>&1 &
	a=$!
	pm -c "train fare --data taxi --label fare --model linear --features trip_seconds --l2 0.$round" >"$tmp/t2" 2>&1 &
	b=$!
	wait $a || failed "round $round: train 1: $(cat "$tmp/t1")"
	wait $b || failed "round $round: train 2: $(cat "$tmp/t2")"
done
versions=$(q "SELECT version FROM versions WHERE model = 'fare' ORDER BY version" | paste -sd, -)
[ "$versions" = "1,2,3,4,5,6,7,8" ] || failed "versions after 6 concurrent trains: $versions"

# ---- two promotions at once, five rounds: a move either lands, recorded
# once, or is refused because the alias moved under it (the gate judged
# the holder it read), never both and never silently
ok=0
for round in 1 2 3 4 5; do
	v1=$((round % 8 + 1)) v2=$(((round + 3) % 8 + 1))
	pm -c "models promote fare:$v1 --to production --force" >"$tmp/p1" 2>&1 &
	a=$!
	pm -c "models promote fare:$v2 --to production --force" >"$tmp/p2" 2>&1 &
	b=$!
	for w in "$a 1 $v1" "$b 2 $v2"; do
		set -- $w
		if wait $1; then
			ok=$((ok + 1))
		else
			grep -qx -- "-c:1: fare@production moved to version [0-9]* while this command ran; try again" "$tmp/p$2" ||
				grep -qx -- "-c:1: fare@production is already version $3" "$tmp/p$2" ||
				failed "round $round: promote fare:$3: $(cat "$tmp/p$2")"
		fi
	done
done
moves=$(q "SELECT count(*) FROM alias_events WHERE model = 'fare' AND alias = 'production'")
[ "$moves" = "$ok" ] && [ "$ok" -ge 5 ] || failed "$moves moves recorded, $ok promotions succeeded"
# each move starts where the one before it ended
broken=$(q "SELECT count(*) FROM alias_events e JOIN alias_events p ON p.id = (SELECT max(id) FROM alias_events
	WHERE model = 'fare' AND alias = 'production' AND id < e.id)
	WHERE e.model = 'fare' AND e.alias = 'production' AND e.from_version IS NOT p.to_version")
[ "$broken" = 0 ] || failed "$broken moves do not start where the one before ended: $(q "SELECT id, from_version, to_version FROM alias_events")"
last=$(q "SELECT to_version FROM alias_events WHERE model = 'fare' AND alias = 'production' ORDER BY id DESC LIMIT 1")
now=$(q "SELECT version FROM aliases WHERE model = 'fare' AND alias = 'production'")
[ -n "$last" ] && [ "$now" = "$last" ] || failed "the alias holds $now, the last move went to $last"

# ---- two servers logging at once
start_server fare:2
u1=$URL s1=$SID
start_server fare:2
u2=$URL s2=$SID
send() { # URL FROM: 300 requests, numbered from FROM, on one connection
	i=0
	while [ $i -lt 300 ]; do
		[ $i = 0 ] || echo next
		printf 'url = "%s/v1/models/fare:predict"\noutput = "/dev/null"\nsilent\nnoproxy = "*"\nmax-time = 60\nwrite-out = "%%{http_code}\\n"\n' "$1"
		printf 'data = "{\\"instances\\":[{\\"trip_miles\\":1.5,\\"trip_seconds\\":%d}]}"\n' $(($2 + i))
		i=$((i + 1))
	done >"$tmp/cfg$2"
	curl -K "$tmp/cfg$2"
}
send "$u1" 1 >"$tmp/c1" &
a=$!
send "$u2" 1001 >"$tmp/c2" &
b=$!
send "$u1" 2001 >"$tmp/c3" &
c=$!
wait $a $b $c
[ "$(cat "$tmp"/c[123] | grep -cx 200)" = 900 ] || failed "answers: $(sort "$tmp"/c[123] | uniq -c)"
pm -c "serve stop $s1; serve stop $s2" >/dev/null || failed "serve stop"
num="CAST(json_extract(features, '\$[0].trip_seconds') AS INTEGER)"
got=$(q "SELECT count(*), count(DISTINCT $num),
	sum(CASE WHEN $num BETWEEN 1 AND 300 OR $num BETWEEN 2001 AND 2300 THEN 1 ELSE 0 END),
	sum(CASE WHEN $num BETWEEN 1001 AND 1300 THEN 1 ELSE 0 END) FROM requests")
[ "$got" = "900|900|600|300" ] || failed "request log (rows|distinct|server 1|server 2): $got"
[ "$(q "SELECT count(*) FROM requests WHERE server = $s1")" = 600 ] || failed "server $s1 logged $(q "SELECT count(*) FROM requests WHERE server = $s1")"
exit $fail
