#!/bin/sh
# labs/architecture.prodml end to end: the static and hybrid tables' bytes
# against a hand computation over the keys' text (entries × (8 + 13) +
# the keys' bytes + 4 per hash slot, slots a power of two at least twice
# the entries), the hybrid hit rate against awk's count of the traffic the
# lab logs, and the three load probes against what their servers counted.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-archlab.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
LC_ALL=C.UTF-8 $P $W -f labs/architecture.prodml >"$tmp/out" 2>&1 || bad "lab failed: $(tail -5 "$tmp/out")"
$P $W -c "export natality $tmp/natality.csv
	export traffic $tmp/traffic.csv" >/dev/null || bad export

# bytes of a table of the keys in file $1 (one a line): slots, then the sum
table_bytes() {
	awk '{ n++; kb += length($1) }
	     END { s = 16; while (s < 2 * n) s *= 2; printf "%d\n", n * 21 + kb + 4 * s }' "$1"
}
awk -F, 'NR > 1 { print $1 }' "$tmp/natality.csv" >"$tmp/ids"
want_static=$(table_bytes "$tmp/ids")
# the traffic's keys by frequency: the 50 most requested are the hybrid table
awk -F, 'NR > 1 { c[$1]++ } END { for (k in c) print c[k], k }' "$tmp/traffic.csv" | sort -k1,1nr -k2,2n >"$tmp/freq"
head -50 "$tmp/freq" | awk '{ print $2 }' >"$tmp/top"
want_hybrid_meas=$(table_bytes "$tmp/top")
# the estimate keeps 50 keys of the mean length of the 1050 seen
want_hybrid_est=$(awk '{ n++; kb += length($2) } END { k = kb / n * 50; printf "%d\n", 50 * 21 + int(k + 0.5) + 4 * 128 }' "$tmp/freq")
[ "$want_static" = 771034 ] || bad "hand computation of the static table: $want_static"
grep -q "^table bytes  *$want_static  *$want_hybrid_est\$" "$tmp/out" ||
	bad "table bytes (want $want_static, $want_hybrid_est): $(grep '^table bytes' "$tmp/out")"
grep -q "^table entries  *20000  *50\$" "$tmp/out" || bad "table entries: $(grep '^table entries' "$tmp/out")"
# the hit rate: rows of the 50 most requested keys over all logged rows
hr=$(awk 'NR <= 50 { hits += $1 } { rows += $1; keys++ } END { printf "%d %d %d %.4g\n", rows, keys, hits, hits / rows }' "$tmp/freq")
set -- $hr
[ "$1 $2 $3" = "2000 1050 1000" ] || bad "traffic counts: $hr"
grep -q "^  hit rate  *$4  *request log: $1 rows of model weight with key id, $2 distinct keys; the 50 most requested take $3 rows\$" "$tmp/out" ||
	bad "hit rate (want $hr): $(grep 'hit rate' "$tmp/out")"
# the probes: every request sent answered (300, unless the 5 s bound cut a
# probe short on a loaded machine), as many as each server counted; the
# hybrid server's table answered the probe's rows (the traffic's first
# ones) whose key is in the top 50
n=""
for d in dynamic static hybrid batched; do
	line=$(grep "^design $d: server [0-9]* (weight:1) answered " "$tmp/out")
	k=$(echo "$line" | sed -n 's/.* answered \([0-9]*\) of \1 requests from 4 connections in .* req\/s, p50 .* ms, p99 .* ms$/\1/p')
	[ -n "$k" ] && [ "$k" -gt 0 ] || bad "probe $d: $line"
	n="$n ${k:-0}"
done
set -- $n
hits=$(awk -F, -v n="$3" 'NR == FNR { top[$1] = 1; next } FNR > 1 && FNR <= n + 1 && ($1 in top) { h++ } END { print h + 0 }' "$tmp/top" "$tmp/traffic.csv")
$P $W -o json servers --all | python3 -c "
import json, sys
s = {x['id']: x for x in json.load(sys.stdin)['servers']}
print(len(s), [(x['status'], x['requests'], x['lookup_entries'], x['lookup_hits'], x['lookup_bytes']) for _, x in sorted(s.items())])" >"$tmp/servers"
want="4 [('stopped', $1, None, None, None), ('stopped', $2, 20000, $2, $want_static), ('stopped', $3, 50, $hits, $want_hybrid_meas), ('stopped', $4, None, None, None)]"
[ "$(cat "$tmp/servers")" = "$want" ] || bad "servers: $(cat "$tmp/servers"), want $want"
[ "$hits" -gt 0 ] && [ "$hits" -lt "$3" ] || bad "the hybrid probe hit $hits of $3: a table of 50 answers some"
exit $fail
