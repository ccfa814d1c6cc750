#!/bin/sh
# The whole suite again with OpenBLAS forced to other kernels than the one
# it picks for this CPU (OPENBLAS_CORETYPE): trained weights differ in the
# last bits from kernel to kernel, so a golden that pins them fails here,
# on the machine that made it, and not later on someone else's.  Each
# kernel is used only where the CPU has its instructions.  $PM_TESTS is
# make check's TESTS: the whole suite, or what TESTS= names beside this
# test (make check TESTS="tests/kernels.sh tests/cmd/predict-basic.cmd");
# a test that skips is not counted.
set -u
src=${srcdir:?}
. "$src/tests/kernels-lib.sh"
others=$(printf '%s\n' ${PM_TESTS:-} | grep -vc 'kernels\.sh$')
[ "$others" -gt 0 ] || { echo "no other test named in TESTS: skipped"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/prodml-kernels.XXXXXX") || exit 99
trap 'rm -rf "$out"' EXIT
fail=0
for k in $KERNELS; do
	pass=0 bad=
	for t in ${PM_TESTS:?}; do
		case $t in
		*/kernels.sh) continue ;;
		*.cmd) set -- sh "$src/tests/cmd/run-cmd.sh" "$t" ;;
		*.sh) set -- sh "$src/$t" ;;
		*) set -- "./$t" ;;
		esac
		OPENBLAS_CORETYPE=$k "$@" >"$out/log" 2>&1
		case $? in
		0) pass=$((pass + 1)) ;;
		77) ;;
		*)
			bad="$bad $t"
			echo "---- $t with OPENBLAS_CORETYPE=$k"
			tail -n 30 "$out/log"
			;;
		esac
	done
	echo "OPENBLAS_CORETYPE=$k: $pass passed${bad:+, failed:$bad}"
	[ -z "$bad" ] || fail=1
done
exit $fail
