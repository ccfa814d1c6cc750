#!/bin/sh
# design probe --serve: the design's server starts on an ephemeral port,
# answers a bounded load and is stopped; the probe's counts agree with the
# request log the server wrote (one logged request per answered one, all
# from that server), its rate with its own seconds, and `design show`
# reports it as the online serving estimate with the probe as its source.
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

pm -c "load n datasets/natality/natality.csv
	load k --sql 'SELECT rowid AS id, * FROM n'
	train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1
	design new hy --model w --data k
	design set hy keys id
	design set hy serving hybrid
	design set hy table_size 10
	design set hy batching 4 1ms" >/dev/null || { echo "FAIL setup"; exit 1; }
out=$(pm -o json design probe hy --serve --requests 57 --concurrency 3) || { echo "FAIL probe: $out"; exit 1; }
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
if command -v sqlite3 >/dev/null 2>&1; then
	got=$(sqlite3 "$tmp/ws/prodml.db" "SELECT COUNT(*), SUM(status = 200), SUM(lookup_hits)
		FROM requests WHERE server = $sid")
	[ "$got" = "57|57|$hits" ] || failed "request log of server $sid: $got"
	[ "$(sqlite3 "$tmp/ws/prodml.db" "SELECT COUNT(*) FROM requests WHERE server IS NOT $sid")" = 0 ] ||
		failed "requests from another server"
fi
out=$(pm -o json design show hy)
[ "$(echo "$out" | py 'd["estimates"]["serving"]["answered"], d["estimates"]["serving"]["server"]')" = "57 $sid" ] ||
	failed "show: $out"
pm design show hy | grep -q "^  serve req/s  .*probe 1 (\`design probe --serve\`: server $sid, 57 requests from 3 connections" ||
	failed "show text: $(pm design show hy)"
# batch inference has no server; bad bounds are refused
pm design set hy inference batch >/dev/null
out=$(pm design probe hy --serve 2>&1)
[ "$out" = "prodml: design hy: batch inference starts no server to probe (\`design set hy inference online\`)" ] ||
	failed "batch: $out"
out=$(pm design probe hy --serve --concurrency 0 2>&1)
[ "$out" = "prodml: design probe --concurrency: 0 is not 1 to 64" ] || failed "concurrency 0: $out"
exit $fail
