#!/bin/sh
# A lab reads the same on every CPU at the digits it prints: the lab that
# trains every model type (labs/train-models.prodml) is run under two
# OpenBLAS kernels (tests/kernels-lib.sh), whose trained weights differ in
# their last bits, and the two outputs, times masked, must be the same.
set -u
P=${PRODML:?}
cd "${srcdir:?}" || exit 99
src=$srcdir
. "$src/tests/kernels-lib.sh"
set -- $KERNELS
# one kernel only on this CPU: it against the one OpenBLAS picks itself
[ $# -ge 2 ] || set -- "$1" ""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-labk.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
for k in "$1" "$2"; do
	OPENBLAS_CORETYPE=$k "$P" -q -W "$tmp/ws-$k" -f labs/train-models.prodml >"$tmp/raw" 2>&1 ||
		{ echo "FAIL the lab under '$k': $(tail -3 "$tmp/raw")"; exit 1; }
	sed -E -f tests/cmd/mask.sed "$tmp/raw" >"$tmp/out-$k"
done
# the lab printed its metrics: nine models trained
n=$(grep -c '^model [a-z]* version [0-9]* (run [0-9]*): ' "$tmp/out-$1")
[ "$n" = 9 ] || { echo "FAIL models trained: $n"; fail=1; }
diff -u "$tmp/out-$1" "$tmp/out-$2" || { echo "FAIL the lab's output differs between '$1' and '$2'"; fail=1; }
exit $fail
