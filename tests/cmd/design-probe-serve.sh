#!/bin/sh
# design probe --serve: the design's server starts on an ephemeral port,
# answers a bounded load and is stopped; the probe's counts agree with the
# request log the server wrote (one logged request per answered one, all
# from that server), its rate with its own seconds, and `design show`
# reports it as the online serving estimate with the probe as its source.
# Without --no-sweep the probe also measures the batching grid: each
# setting's server answered every request, the figures are sane (p50 <=
# p99, the rate is answered / seconds, a batch larger than the connections
# waits its whole timeout on every request), they are stored, and the
# best setting is the one the rule picks, recomputed here.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-dprobe.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
pm() { "$P" -W "$tmp/ws" -q "$@"; }
failed() { echo "FAIL $*"; fail=1; }
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
. tests/cmd/ws-lib.sh

pm -c "load n datasets/natality/natality.csv
	load k --sql 'SELECT rowid AS id, * FROM n'
	train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1
	design new hy --model w --data k
	design set hy keys id
	design set hy serving hybrid
	design set hy table_size 10
	design set hy batching 4 1ms" >/dev/null || { echo "FAIL setup"; exit 1; }
out=$(pm -o json design probe hy --serve --requests 57 --concurrency 3 --no-sweep) || { echo "FAIL probe: $out"; exit 1; }
[ "$(echo "$out" | py 'd["requests"], d["answered"], d["errors"], d["concurrency"]')" = "57 57 0 3" ] ||
	failed "counts: $out"
sid=$(echo "$out" | py 'd["server"]')
[ "$(echo "$out" | py 'd["p50_ms"] <= d["p99_ms"] and d["p50_ms"] > 0')" = True ] || failed "latencies: $out"
[ "$(echo "$out" | py 'abs(d["req_per_s"] - d["answered"] / d["seconds"]) < 1e-9 * d["req_per_s"]')" = True ] ||
	failed "rate: $out"
# the server was stopped, and its log holds each answered request once,
# with as many table hits as the server counted
srv=$(pm -o json servers --all | py '[(s["status"], s["requests"], s["lookup_hits"]) for s in d["servers"] if s["id"] == '"$sid"'][0]')
hits=$(echo "$srv" | sed -n 's/.*, \([0-9]*\))$/\1/p')
[ "$srv" = "('stopped', 57, $hits)" ] && [ "$hits" -gt 0 ] || failed "server $sid: $srv"
got=$(wsq "$tmp/ws" "SELECT COUNT(*), SUM(CASE WHEN status = 200 THEN 1 ELSE 0 END), SUM(lookup_hits)
	FROM requests WHERE server = $sid")
[ "$got" = "57|57|$hits" ] || failed "request log of server $sid: $got"
[ "$(wsq "$tmp/ws" "SELECT COUNT(*) FROM requests WHERE server IS NOT $sid")" = 0 ] ||
	failed "requests from another server"
out=$(pm -o json design show hy)
[ "$(echo "$out" | py 'd["estimates"]["serving"]["answered"], d["estimates"]["serving"]["server"]')" = "57 $sid" ] ||
	failed "show: $out"
pm design show hy | grep -q "^  serve req/s  .*probe 1 (\`design probe --serve\`: server $sid, 57 requests from 3 connections" ||
	failed "show text: $(pm design show hy)"
# the sweep: no batching, 4 and 16 rows × 250 and 2000 us, and the design's 4 rows, 1 ms
sw=$(pm -o json design probe hy --serve --requests 57 --concurrency 3) || { echo "FAIL sweep: $sw"; exit 1; }
echo "$sw" >"$tmp/sweep.json"
[ "$(echo "$sw" | py '[(s["max_batch"], s["max_wait_us"]) for s in d["sweep"]["settings"]]')" = \
	"[(1, 0), (4, 250), (4, 2000), (16, 250), (16, 2000), (4, 1000)]" ] || failed "grid: $sw"
[ "$(echo "$sw" | py 'all(s["requests"] == s["answered"] == 57 and s["errors"] == 0 and 0 < s["p50_ms"] <= s["p99_ms"]
	and abs(s["req_per_s"] - s["answered"] / s["seconds"]) < 1e-9 * s["req_per_s"] for s in d["sweep"]["settings"])')" = True ] ||
	failed "sweep figures: $sw"
# 16 rows never gather from 3 connections: each batch waits the 2 ms
# timeout from its first request, so a third of the requests at least
# wait it all (p99), and the connections, in step, wait most of it (p50)
[ "$(echo "$sw" | py '[(s["p99_ms"] >= 2.0, s["p50_ms"] >= 1.0) for s in d["sweep"]["settings"] if s["max_batch"] == 16 and s["max_wait_us"] == 2000][0]')" = "(True, True)" ] ||
	failed "batch 16 / 2 ms: $sw"
# the best: the most req/s (no monitor.p99_ms); the design's: index 5
[ "$(echo "$sw" | py 'd["sweep"]["best"] == max(range(6), key=lambda i: d["sweep"]["settings"][i]["req_per_s"]), d["sweep"]["design"]')" = "True 5" ] ||
	failed "pick: $sw"
# each setting's own server, stopped, counted the requests it answered
ids=$(echo "$sw" | py '" ".join(str(s["server"]) for s in d["sweep"]["settings"])')
srv=$(pm -o json servers --all | py '[(s["status"], s["requests"]) for s in d["servers"] if str(s["id"]) in "'"$ids"'".split()]')
[ "$srv" = "[('stopped', 57), ('stopped', 57), ('stopped', 57), ('stopped', 57), ('stopped', 57), ('stopped', 57)]" ] ||
	failed "sweep servers $ids: $srv"
# stored: `design show` gives the same figures, and with a p99 limit no
# setting meets, the lowest p99 is the pick
pm design set hy monitor.p99_ms 0.0001 >/dev/null
got=$(pm -o json design show hy | python3 -c "
import json, sys
e = json.load(sys.stdin)['estimates']['batching']
s = json.load(open('$tmp/sweep.json'))['sweep']['settings']
low = min(range(len(s)), key=lambda i: s[i]['p99_ms'])
print(e['settings'] == s, e['best'] == low, e['design'], e['why'])")
[ "$got" = "True True 5 no setting's p99 is within monitor.p99_ms 0.0001: the lowest p99 of the 6" ] ||
	failed "show: $got"
pm design show hy | grep -q "^  batch 16/2000us .*req/s; p50 " || failed "show text: $(pm design show hy)"
# batch inference has no server; bad bounds are refused
pm design set hy inference batch >/dev/null
out=$(pm design probe hy --serve 2>&1)
[ "$out" = "prodml: design hy: batch inference starts no server to probe (\`design set hy inference online\`)" ] ||
	failed "batch: $out"
out=$(pm design probe hy --serve --concurrency 0 2>&1)
[ "$out" = "prodml: design probe --concurrency: 0 is not 1 to 64" ] || failed "concurrency 0: $out"
exit $fail
