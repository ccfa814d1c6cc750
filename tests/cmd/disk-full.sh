#!/bin/sh
# A full disk: commands that only read the workspace (datasets, describe,
# show, stats from its cache, schema show, validate, models, jobs,
# evaluate, predict to another disk) print exactly what they printed
# before the disk filled; commands that write fail with "no space left on
# device" naming the workspace or the file, and leave no temporary file
# and an intact database; once space is freed they work again.
#
# The workspace sits on a 6 MB tmpfs, so the test needs root (CI runs as
# root); elsewhere it is skipped, saying why.  RLIMIT_FSIZE would run
# unprivileged but fails writes with EFBIG, not ENOSPC, and SQLite's -shm
# file (the cause of "disk I/O error" in read-only commands) is grown
# through mmap, which a file size limit does not stop the same way.
set -u
P=${PRODML:?}
cd "${srcdir:?}" || exit 99
# what fills is the disk under SQLite's file: a PostgreSQL workspace keeps its tables elsewhere
[ -z "${PRODML_DB:-}" ] || { echo "SKIP: PRODML_DB is set: the tables are in PostgreSQL, not on the full disk"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3 command"; exit 77; }
. tests/cmd/ws-lib.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-full.XXXXXX") || exit 99
mnt=$tmp/mnt
mkdir "$mnt" || exit 99
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=6m prodml-full "$mnt" 2>"$tmp/mount.err"; then
	echo "SKIP: cannot mount a small tmpfs to fill (needs root): $(cat "$tmp/mount.err" 2>/dev/null)"
	rm -rf "$tmp"
	exit 77
fi
trap 'umount "$mnt" 2>/dev/null; [ -n "${keep:-}" ] || rm -rf "$tmp"' EXIT
fail=0
failed() { echo "FAIL $*"; fail=1; }
ws=$mnt/ws
pm() { "$P" -W "$ws" -q "$@"; }

awk 'BEGIN { print "x,y,c"; for (i = 0; i < 300; i++) printf "%d,%d,%s\n", i % 17, 2 * (i % 17) + 1, i % 3 ? "a" : "b" }' >"$tmp/d.csv"
pm -c "load d $tmp/d.csv
	stats d
	schema infer d --as s
	train m --data d --label y --features x --epochs 2 --seed 1" >/dev/null ||
	{ echo "FAIL setup"; exit 1; }

reads="datasets
describe d
show d --rows 3
stats d
schema show s
schema list
validate d --schema s
models
models show m
models show m:1
jobs
evaluate m --data d
predict m --data d --out $tmp/pred.csv"
# what each read-only command prints on a disk with room
i=0
printf '%s\n' "$reads" | while IFS= read -r c; do
	i=$((i + 1))
	pm -c "$c" >"$tmp/before.$i" 2>&1 || echo "FAIL before: $c: $(cat "$tmp/before.$i")"
done | grep . && fail=1

# fill the disk to its last byte
dd if=/dev/zero of="$mnt/fill" bs=64k 2>/dev/null
dd if=/dev/zero of="$mnt/fill2" bs=512 2>/dev/null
[ "$(df -P "$mnt" | awk 'NR == 2 { print $4 }')" = 0 ] || failed "the disk is not full: $(df -P "$mnt")"

i=0
printf '%s\n' "$reads" | while IFS= read -r c; do
	i=$((i + 1))
	if ! pm -c "$c" >"$tmp/after.$i" 2>&1; then
		echo "FAIL on a full disk: $c: $(cat "$tmp/after.$i")"
	elif ! cmp -s "$tmp/before.$i" "$tmp/after.$i"; then
		echo "FAIL on a full disk, $c printed something else:"
		diff "$tmp/before.$i" "$tmp/after.$i"
	fi
done | grep . && fail=1

# commands that write: the message names the cause and where
expect_full() {
	want=$1
	shift
	out=$(pm -c "$*" 2>&1) && failed "$* succeeded on a full disk"
	case $out in *"$want"*) ;; *) failed "$*: $out (wanted \"$want\")" ;; esac
	case $out in *"disk I/O error"* | *"database or disk is full"*) failed "$*: $out" ;; esac
}
expect_full "no space left on device for workspace $ws" "load e $tmp/d.csv"
expect_full "workspace $ws: no space left on device" "schema infer d --as s2"
expect_full "cannot write $ws/artifacts/tmp-" "split d --by-row"
awk 'BEGIN { print "p,q"; for (i = 0; i < 20000; i++) print i "," i * 3 }' >"$tmp/big.csv"
expect_full "cannot write $ws/artifacts/tmp-" "load big $tmp/big.csv"
expect_full "cannot record the run: no space left on device for workspace $ws" "train m2 --data d --label y --features x --epochs 1"
out=$(timeout 60 "$P" -W "$ws" -q -c "serve m --port 0" 2>&1) && failed "serve started on a full disk"
case $out in *"no space left on device for workspace $ws"*) ;; *) failed "serve: $out" ;; esac

left=$(find "$ws/artifacts" -name 'tmp-*' | tr '\n' ' ')
[ -z "$left" ] || failed "temporary files left: $left"
ok=$(sqlite3 "$ws/prodml.db" "PRAGMA locking_mode=EXCLUSIVE; PRAGMA integrity_check" 2>&1 | tail -1)
[ "$ok" = ok ] || failed "integrity check: $ok"
n=$(sqlite3 "$ws/prodml.db" "PRAGMA locking_mode=EXCLUSIVE; SELECT group_concat(name) FROM datasets" 2>&1 | tail -1)
[ "$n" = d ] || failed "datasets after the failed writes: $n"

# room again: writes work
rm -f "$mnt/fill" "$mnt/fill2"
pm -c "load e $tmp/d.csv; split d --by-row" >/dev/null || failed "writes after freeing space"
n=$(wsq "$ws" "SELECT count(*) FROM datasets")
[ "$n" = 5 ] || failed "datasets after freeing space: $n"
[ $fail = 0 ] && echo "disk-full: read-only commands unchanged, writes refused cleanly"
exit $fail
