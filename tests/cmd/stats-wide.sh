#!/bin/sh
# The memory of `stats` over a wide dataset grows with its columns, by a
# few kilobytes each: 30,000 columns of one row (half ints, half strings)
# may take at most 5.5 KB per column above what `stats` of 2 columns
# takes (7 KB when each number of the result had its own JSON value).
# Peak memory as GNU time reports it; skipped without /usr/bin/time.
set -u
P=${PRODML:?}
[ -x /usr/bin/time ] || { echo "SKIP: no /usr/bin/time (Debian: time)"; exit 77; }
# AddressSanitizer's allocator keeps freed memory in quarantine
if ldd "$P" 2>/dev/null | grep -q 'libasan'; then
	echo "SKIP: an AddressSanitizer build: resident memory is the sanitizer's"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-wide.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
n=30000
awk -v n="$n" 'BEGIN {
	for (r = 0; r <= 1; r++) {
		s = ""
		for (j = 1; j <= n; j++)
			s = s (j > 1 ? "," : "") (r == 0 ? "c" j : j % 2 ? j : "s" j % 7)
		print s
	}
}' >"$tmp/wide.csv"
printf 'a,b\n1,x\n' >"$tmp/narrow.csv"
"$P" -q -W "$tmp/ws" -c "load w $tmp/wide.csv; load t $tmp/narrow.csv" >/dev/null ||
	{ echo "FAIL load"; exit 1; }
# peak RSS in KB
peak() { /usr/bin/time -f %M "$P" -q -W "$tmp/ws" -c "$1" 2>&1 >/dev/null | tail -1; }
base=$(peak "stats t --no-cache")
wide=$(peak "stats w --no-cache")
per=$(((wide - base) * 1024 / n))
echo "stats: $n columns: $wide KB peak, $base KB for 2 columns: $per bytes per column"
[ "$per" -le 5632 ] || { echo "FAIL $per bytes per column (at most 5632)"; exit 1; }
# and the result is the statistics: of the last int column, c29999, its
# one value everywhere; of the last string column, s30000 % 7 = s5
q='{"low":29999,"high":29999,"count":0.1}'
want_num='{"name":"c29999","type":"int","count":1,"missing":0,"mean":29999,"std":0,"zeros":0,"min":29999,"median":29999,"max":29999,"nan":0,"pos_inf":0,"neg_inf":0,"quantiles":[29999,29999,29999,29999,29999,29999,29999,29999,29999,29999,29999],"histogram":[{"low":29999,"high":29999,"count":1}],"quantiles_histogram":['"$q,$q,$q,$q,$q,$q,$q,$q,$q,$q"']}'
want_str='{"name":"c30000","type":"string","count":1,"missing":0,"unique":1,"avg_length":2,"top":[{"value":"s5","count":1}]}'
"$P" -q -W "$tmp/ws" -o json -c "stats w" >"$tmp/stats.json"
grep -qF "$want_num,$want_str]" "$tmp/stats.json" || { echo "FAIL the statistics of the last columns"; exit 1; }
exit 0
