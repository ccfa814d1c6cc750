#!/bin/sh
# OpenBLAS, libmicrohttpd and libplot are opened by the commands that use
# them, not at start: a data command loads none of them, a plot loads
# libplot only, training loads OpenBLAS only.  (LD_DEBUG=files lists what
# the dynamic linker opens.)
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-libs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
opened() { # the libraries of interest the command opened, sorted, one line
	LD_DEBUG=files "$P" -q -W "$tmp/ws" -c "$1" 2>&1 >/dev/null |
		sed -n 's/.*file=\(lib\(openblas\|microhttpd\|plot\)\)\.so[.0-9]* .*/\1/p' |
		sort -u | tr '\n' ' '
}
expect() { # name want got
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: opened \"$3\", want \"$2\""
		fail=1
	fi
}
d=tests/fixtures/cmd/trips.csv
expect data "" "$(opened "load t $d; stats t; describe t")"
expect plot "libplot " "$(opened "load t $d; plot hist t fare --out $tmp/f.png")"
expect train "libopenblas " "$(opened "load t $d; train m --data t --label fare --features miles --epochs 1")"
[ -s "$tmp/f.png" ] || { echo "FAIL plot: no figure written"; fail=1; }
exit $fail
