#!/bin/sh
# A dataset's columnar cache is left to the kernel's write-back unless
# `set sync full` (then it is on the disk before load returns); the bytes
# are the same either way.  A cache torn by a power cut before write-back
# fails its checksum: reading the dataset names the file and the load that
# gives it again, and that load stores the same bytes under the same name.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-torn.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
failed() { echo "FAIL $*"; fail=1; }
awk 'BEGIN { print "x,y,c"; for (i = 1; i <= 3000; i++) printf "%d,%.3f,k%d\n", i, i * 0.5, i % 7 }' >"$tmp/d.csv"

"$P" -W "$tmp/a" -q -c "load d $tmp/d.csv" >/dev/null || { echo "FAIL load"; exit 1; }
"$P" -W "$tmp/b" -q -c "set sync full; load d $tmp/d.csv" >/dev/null || { echo "FAIL load, sync full"; exit 1; }
art=$(find "$tmp/a/artifacts" -type f -name '????????????????????????????????????????????????????????????????')
name=$(basename "$art")
[ -n "$art" ] && [ "$(sha256sum <"$art" | cut -c1-64)" = "$name" ] || failed "the artifact is not named by its SHA-256: $art"
[ -f "$tmp/b/artifacts/$(echo "$name" | cut -c1-2)/$name" ] || failed "sync full wrote other bytes: $(find "$tmp/b/artifacts" -type f)"

# which of the two syncs the cache file (strace -y names each descriptor's file)
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
	for mode in normal full; do
		rm -rf "$tmp/s"
		# LeakSanitizer cannot run under ptrace
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -y -e trace=fsync,fdatasync,sync_file_range -o "$tmp/st.$mode" \
			"$P" -W "$tmp/s" -q -c "set sync $mode; load d $tmp/d.csv" >/dev/null ||
			failed "load under strace ($mode)"
		grep -c '/artifacts/' "$tmp/st.$mode" >"$tmp/n.$mode"
	done
	[ "$(cat "$tmp/n.normal")" = 0 ] || failed "sync normal synced the cache: $(grep /artifacts/ "$tmp/st.normal")"
	[ "$(cat "$tmp/n.full")" -ge 1 ] || failed "sync full did not sync the cache: $(cat "$tmp/st.full")"
else
	echo "note: strace cannot run here; which load syncs is not checked"
fi

# a byte changed in the values, as a write-back cut short leaves it
printf '\007' | dd of="$art" bs=1 seek=4000 conv=notrunc 2>/dev/null
"$P" -W "$tmp/a" -q -c "stats d" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || failed "stats on a torn cache: exit $rc"
[ "$(cat "$tmp/err")" = "-c:1: dataset d: $art: not a prodml frame cache (checksum mismatch); load it again: load d $tmp/d.csv" ] ||
	failed "torn cache message: $(cat "$tmp/err")"
"$P" -W "$tmp/a" -q -c "load d $tmp/d.csv" >"$tmp/out" 2>&1 || failed "load again: $(cat "$tmp/out")"
grep -q 'from the cache' "$tmp/out" && failed "load again answered from the torn cache"
[ "$(sha256sum <"$art" | cut -c1-64)" = "$name" ] || failed "load again left the torn file"
"$P" -W "$tmp/a" -q -o csv -c "stats d" >"$tmp/out" 2>&1 || failed "stats after load again: $(cat "$tmp/out")"
grep -q '^x,int,3000,0,1500.5,' "$tmp/out" || failed "stats after load again: $(cat "$tmp/out")"

"$P" -W "$tmp/a" -q -c "set sync always" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && [ "$(cat "$tmp/err")" = '-c:1: set sync: expected normal or full, got "always"' ] ||
	failed "set sync always: exit $rc, $(cat "$tmp/err")"
exit $fail
