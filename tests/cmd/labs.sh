#!/bin/sh
# Every lab of labs/ runs headless (`lab run`), each in a fresh workspace,
# and passes every check: its last line says so, with as many checks as
# `lab list` counts in the file.  Each lab states its course counterpart
# and its time, and the time it took here is printed beside the one it
# states.  The numbers a lab's text quotes are held by its checks (a ~=
# check holds at the digits the text writes).
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-labs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
# in a sanitizer build: libplot and libpng keep a few allocations for good
LSAN_OPTIONS="suppressions=$srcdir/tests/fixtures/validate/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
fail=0
bad() { echo "FAIL $*"; fail=1; }
# labs that train with --workers need MPI
. tests/cmd/mpi-lib.sh
edge_was=$(ls -d edge 2>/dev/null)
mpi=yes
mpi_built || mpi=no
$P -q -W "$tmp/list" -o json lab list >"$tmp/list.json" || { echo "FAIL lab list"; exit 1; }
# name checks course time, one lab a line
python3 -c '
import json, sys
for l in json.load(open(sys.argv[1]))["labs"]:
    print(l["name"], l.get("checks", "-"), "yes" if l.get("course") else "no", l.get("time", "").replace(" ", "_") or "-", l.get("error", "").replace(" ", "_"))
' "$tmp/list.json" >"$tmp/labs" 2>/dev/null || {
	# without python3: the names alone, from the table
	$P -q -W "$tmp/list" lab list | awk 'NR > 1 { print $1, $3, "yes", "-", "" }' >"$tmp/labs"
}
n=0
while read -r name checks course stated error; do
	n=$((n + 1))
	[ -z "$error" ] || { bad "$name: $error"; continue; }
	[ "$course" = yes ] || bad "$name: no #@ course"
	[ "$stated" != - ] || bad "$name: no #@ time"
	lab_env=
	if grep -q -- "--workers" "labs/$name.prodml"; then
		if [ $mpi = no ]; then
			echo "lab $name: skipped: it trains with --workers and prodml was built without MPI"
			continue
		fi
		# Open MPI's libraries leave allocations at exit that are not prodml's
		lab_env="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	fi
	start=$(date +%s.%N)
	env $lab_env LC_ALL=C.UTF-8 $P -q -W "$tmp/ws-$name" lab run "$name" >"$tmp/$name.out" 2>&1 </dev/null
	rc=$?
	end=$(date +%s.%N)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	echo "lab $name: ${secs} s (stated: $(echo "$stated" | tr _ ' '))"
	[ $rc -eq 0 ] || { bad "$name: exit $rc: $(tail -4 "$tmp/$name.out")"; continue; }
	last=$(tail -1 "$tmp/$name.out")
	case $last in
	"lab $name: "*" step"*", $checks check"*" passed") ;;
	*) bad "$name: last line: $last (want $checks checks)" ;;
	esac
	[ "$checks" -gt 0 ] || bad "$name: no check"
done <"$tmp/labs"
[ $n -ge 10 ] || bad "only $n labs"
# the edge lab writes its C predictor into edge/ of the directory it runs in
[ -n "$edge_was" ] || rm -rf edge
exit $fail
