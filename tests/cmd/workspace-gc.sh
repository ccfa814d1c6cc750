#!/bin/sh
# workspace gc and the sweep of temporary files: a temporary artifact file
# of a process that is gone (its pid runs nothing, or a process that
# started after the file was written: a reused pid) is removed when the
# workspace is next opened, one of a live writer is kept; `workspace gc`
# removes the artifacts of dropped datasets (and their load-cache entries,
# so that loading the file again reads it anew) and keeps those of
# datasets and model versions, and of an artifact written in the last
# minute; --dry-run lists the same files and removes nothing.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-gc.XXXXXX") || exit 99
sleeper=""
trap '[ -n "$sleeper" ] && kill $sleeper 2>/dev/null; rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
failed() { echo "FAIL $*"; fail=1; }
pm() { "$P" -W "$tmp/ws" -q "$@"; }
A=$tmp/ws/artifacts

pm -c "load n datasets/natality/natality.csv
	split n --by-row
	train w --data n_train --label weight_pounds --epochs 1" >/dev/null || { echo "FAIL setup"; exit 1; }
. "$srcdir/tests/cmd/ws-lib.sh"
art() { wsq "$tmp/ws" "SELECT artifact FROM datasets WHERE name = '$1'"; }
size() { stat -c %s "$A/$(echo "$1" | cut -c1-2)/$1"; }
n=$(art n) train=$(art n_train) eval=$(art n_eval) test=$(art n_test)
model=$(wsq "$tmp/ws" "SELECT artifact FROM versions WHERE model = 'w'")

# temporary files: of a dead pid, of a live pid that started after the
# file was written, of a live writer
sh -c 'exit 0' &
dead=$!
wait $dead
sleep 30 &
sleeper=$!
head -c 5000 /dev/zero >"$A/tmp-$dead-0123456789abcdef"
head -c 700 /dev/zero >"$A/tmp-$dead-0123456789abcdef.tmp.$dead"
head -c 300 /dev/zero >"$A/tmp-$sleeper-00000000000000aa"
touch -d '1 hour ago' "$A/tmp-$sleeper-00000000000000aa"
head -c 100 /dev/zero >"$A/tmp-$sleeper-00000000000000bb"
pm datasets >/dev/null || failed "datasets"
left=$(cd "$A" && ls -d tmp-* 2>/dev/null | tr '\n' ' ')
[ "$left" = "tmp-$sleeper-00000000000000bb " ] || failed "temporary files left: $left"

# two dropped datasets; every artifact made old enough to collect
pm -c "drop n_eval
	drop n_test" >/dev/null || failed "drop"
find "$A" -type f -exec touch -d '10 minutes ago' {} +
pm -c "load m datasets/natality/natality.csv --columns a,b,c,d,e
	drop m" >/dev/null || failed "load m"
want_bytes=$(($(size "$eval") + $(size "$test")))
want=$(printf '%s\n%s\n' "would remove artifact $eval ($(size "$eval") bytes)" \
	"would remove artifact $test ($(size "$test") bytes)" | sort)
out=$(pm workspace gc --dry-run)
got=$(printf '%s\n' "$out" | grep '^would remove' | sort)
[ "$got" = "$want" ] || failed "dry run: $out"
printf '%s\n' "$out" | grep -qx "2 artifacts, 0 temporary files: $want_bytes bytes would be freed" ||
	failed "dry run total: $out"
printf '%s\n' "$out" | grep -q '^kept 1 unreferenced artifact written in the last minute' ||
	failed "dry run: the fresh artifact: $out"
[ -f "$A/$(echo "$eval" | cut -c1-2)/$eval" ] || failed "dry run removed $eval"

out=$(pm -o json workspace gc)
bytes=$(echo "$out" | sed -n 's/.*"bytes":\([0-9]*\),"kept_recent".*/\1/p')
[ "$bytes" = "$want_bytes" ] || failed "gc: $out (want $want_bytes bytes)"
for a in "$eval" "$test"; do
	[ ! -e "$A/$(echo "$a" | cut -c1-2)/$a" ] || failed "gc left $a"
done
for a in "$n" "$train" "$model"; do
	[ -f "$A/$(echo "$a" | cut -c1-2)/$a" ] || failed "gc removed $a"
done
pm -c "describe n_train
	evaluate w --data n_train" >/dev/null || failed "after gc: a kept dataset or model does not load"
[ "$(pm workspace gc | tail -n 1)" = "kept 1 unreferenced artifact written in the last minute (a command may be about to refer to it)" ] ||
	failed "second gc: $(pm workspace gc)"

# a dropped dataset whose file is loaded again: its cache entry went with it
pm drop n >/dev/null
find "$A" -type f -exec touch -d '10 minutes ago' {} +
pm workspace gc >/dev/null || failed "gc of n"
[ ! -e "$A/$(echo "$n" | cut -c1-2)/$n" ] || failed "gc left n's artifact"
pm load n datasets/natality/natality.csv >/dev/null || failed "load n again"
[ "$(art n)" = "$n" ] || failed "n loaded again: $(art n), was $n"
exit $fail
