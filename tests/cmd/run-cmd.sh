#!/bin/sh
# Runs one command script in a fresh directory (where tests/ and datasets/
# of the source tree are linked in) with a fresh workspace, and compares its
# stdout, stderr and exit status with NAME.expected.  Times, dates and
# throughputs, the host a version was registered on (mask.sed), and the ids
# of model artifacts (mask-artifacts.awk) are masked.  The script's first lines may hold
# "# args: OPTIONS" (prodml's options) and "# env: VAR=VALUE .." (its
# environment, e.g. LC_ALL=C for the ASCII output).  PRODML_BLESS=1 rewrites the expected file.
set -u
name=$(basename "$1" .cmd)
src=${srcdir:?}
script=tests/cmd/$name.cmd
expected=$src/tests/cmd/$name.expected
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
ln -s "$src/tests" "$tmp/tests" && ln -s "$src/datasets" "$tmp/datasets" || exit 99
args=$(sed -n '1,3s/^# args: //p' "$src/$script")
env=$(sed -n '1,3s/^# env: //p' "$src/$script")
cd "$tmp" || exit 99
# shellcheck disable=SC2086
env $env "${PRODML:?}" -q $args -f "$script" >out 2>&1
echo "exit $?" >>out
sed -E -f "$src/tests/cmd/mask.sed" -e "s|$tmp|TMP|g" out |
	awk -f "$src/tests/cmd/mask-artifacts.awk" >actual
if [ "${PRODML_BLESS:-}" = 1 ]; then
	cp actual "$expected"
	exit 0
fi
if [ ! -f "$expected" ]; then
	echo "missing $expected; actual output:"
	cat actual
	exit 1
fi
diff -u "$expected" actual && exit 0
exit 1
