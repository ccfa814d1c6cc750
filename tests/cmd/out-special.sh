#!/bin/sh
# Outputs that are devices or pipes are written into, never replaced:
# predict --out and load --rejects into a FIFO deliver their text to the
# reader and leave the FIFO a FIFO; --out /dev/null leaves /dev/null the
# device (a rename over it, as root, would make it a file).
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-special.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
failed() { echo "FAIL $*"; fail=1; }
pm() { "$P" -W "$tmp/ws" -q "$@"; }
printf 'x,y\n1,2\n2,4\n3,6\n4,8\n5,10\nbad\n' >"$tmp/d.csv"
pm -c "load d $tmp/d.csv --skip-bad; train m --data d --label y --model linear" >/dev/null 2>&1 || { echo "FAIL setup"; exit 1; }

mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/got" &
pm -c "predict m --data d --keys x --out $tmp/fifo" >/dev/null || failed "predict into a fifo"
wait
[ -p "$tmp/fifo" ] || failed "the fifo was replaced"
[ "$(head -1 "$tmp/got")" = "x,prediction" ] && [ "$(wc -l <"$tmp/got")" = 6 ] || failed "predict through the fifo: $(cat "$tmp/got")"

cat "$tmp/fifo" >"$tmp/got" &
pm -c "load d2 $tmp/d.csv --skip-bad --rejects $tmp/fifo" >/dev/null || failed "load --rejects into a fifo"
wait
[ -p "$tmp/fifo" ] || failed "the fifo was replaced by load --rejects"
[ "$(cat "$tmp/got")" = 'line,reason
7,"row has 1 field, expected 2"' ] || failed "rejects through the fifo: $(cat "$tmp/got")"

pm -c "predict m --data d --out /dev/null" >/dev/null || failed "predict --out /dev/null"
[ -c /dev/null ] || failed "/dev/null is no longer a device"
ls "$tmp" | grep -q tmp && failed "a temporary file was left: $(ls "$tmp")"
exit $fail
