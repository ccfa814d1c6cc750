#!/bin/sh
# serve: request bodies and their decoded rows in flight stay within
# --max-inflight-mb, and their memory goes back to the system after a
# burst.  With --max-inflight-mb 64, two bursts of 8 concurrent requests
# (curl processes): 16 MB JSON bodies, which need more than 64 MB each to
# decode (413 naming the need, or 503 while others hold the memory), then
# 2.4 MB ones, of which some are answered and the rest get 503 with
# Retry-After.  The server's peak resident memory (VmHWM) grows by at most
# the budget plus 32 MB (the model, thread stacks, malloc's arenas); after
# the bursts (once the request log has taken their records) it is back
# within 40 MB of where it started: the request log's database connection
# keeps a page cache, and malloc's arenas keep some fragments (17-25 MB
# seen); without the budget and the trims, the same bursts left over
# 500 MB.
# AddressSanitizer's allocator keeps freed memory in quarantine and its
# shadow costs more: resident memory says nothing about prodml's there
if ldd "${PRODML:?}" 2>/dev/null | grep -q 'libasan'; then
	echo "an AddressSanitizer build: resident memory is the sanitizer's: skipped"
	exit 77
fi
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
row='{"is_male":"False","mother_age":27,"plurality":"Single(1)","gestation_weeks":40}'
body() { # ROWS FILE: {"instances":[ROW,..]}
	awk -v n="$1" -v r="$row" 'BEGIN { printf "{\"instances\":[%s", r;
		for (i = 1; i < n; i++) printf ",%s", r; printf "]}" }' >"$2"
}
body 195000 "$tmp/big.json"
body 29000 "$tmp/mid.json"
start_server w --max-inflight-mb 64
kb() { sed -n "s/^$1:[^0-9]*\([0-9]*\) kB/\1/p" "/proc/$SPID/status"; }
base=$(kb VmRSS)

burst() { # FILE: 8 concurrent requests; their codes in $tmp/code.1..8
	i=1
	while [ $i -le 8 ]; do
		curl -s --noproxy '*' -m 60 -D "$tmp/head.$i" -o "$tmp/body.$i" -w '%{http_code}' \
			-H 'Content-Type: application/json' --data-binary "@$1" \
			"$URL/v1/models/w:predict" >"$tmp/code.$i" &
		i=$((i + 1))
	done
	wait
}
busy='{"error":"the memory for requests in flight is taken (--max-inflight-mb 64); retry after a moment"}'
n503=0
check() { # NAME CODES..: every answer is one of CODES
	name=$1
	shift
	i=1
	while [ $i -le 8 ]; do
		c=$(cat "$tmp/code.$i") b=$(cat "$tmp/body.$i")
		case " $* " in *" $c "*) ;; *) failed "$name $i: $c $b" ;; esac
		if [ "$c" = 503 ]; then
			n503=$((n503 + 1))
			[ "$b" = "$busy" ] || failed "$name $i: 503 $b"
			grep -q '^Retry-After: 1' "$tmp/head.$i" || failed "$name $i: 503 without Retry-After"
		fi
		i=$((i + 1))
	done
}
burst "$tmp/big.json"
check "16 MB bodies" 413 503
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$tmp/code.$i")" = 413 ] || continue
	[ "$(cat "$tmp/body.$i")" = '{"error":"the request needs about 269 MB of memory to answer, more than --max-inflight-mb 64","field":"body"}' ] ||
		failed "16 MB body $i: $(cat "$tmp/body.$i")"
done
burst "$tmp/mid.json"
check "2.4 MB bodies" 200 503
grep -l '^200' "$tmp"/code.* >/dev/null || failed "2.4 MB bodies: none answered"
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$tmp/code.$i")" = 200 ] || continue
	[ "$(tr ',' '\n' <"$tmp/body.$i" | wc -l)" = 29000 ] || failed "2.4 MB body $i: not 29000 predictions"
done

peak=$(kb VmHWM)
[ $((peak - base)) -le $(((64 + 32) * 1024)) ] ||
	failed "peak resident memory grew by $(((peak - base) / 1024)) MB (budget 64 MB + 32 MB)"
# the request log's thread moves the records at idle priority, so on a
# busy machine it may wait its turn: up to a minute, then the memory it
# held is given back
n=0
while [ $n -lt 600 ]; do
	req GET /metrics
	case "$BODY" in *'prodml_request_log_pending{model="w"} 0'*) break ;; esac
	sleep 0.1
	n=$((n + 1))
done
[ $n -lt 600 ] || failed "the request log did not catch up in a minute"
n=0
while after=$(kb VmRSS) && [ $((after - base)) -gt $((40 * 1024)) ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ $((after - base)) -le $((40 * 1024)) ] ||
	failed "resident memory after the bursts: $((after / 1024)) MB, $((base / 1024)) MB before"
req GET /metrics
m=$(printf '%s\n' "$BODY" | grep -E '^prodml_inflight_(bytes|bytes_limit|refused_total)\{')
[ "$m" = "prodml_inflight_bytes{model=\"w\"} 0
prodml_inflight_bytes_limit{model=\"w\"} 67108864
prodml_inflight_refused_total{model=\"w\"} $n503" ] || failed "metrics: $m (503s: $n503)"
exit $fail
