#!/bin/sh
# The bundled datasets are exactly what datasets/gen-datasets writes: run it
# into a scratch folder and compare every file, both ways, byte for byte.
# Run from the build folder; $srcdir is the source root.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
gen=./datasets/gen-datasets
if [ ! -x "$gen" ]; then
	echo "datasets.sh: $gen is not built (make check builds it)" >&2
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-datasets.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

if ! "$gen" "$tmp/out"; then
	echo "datasets.sh: $gen $tmp/out failed" >&2
	exit 1
fi
fail=0
made=$(cd "$tmp/out" && find . -type f | LC_ALL=C sort)
if [ -z "$made" ]; then
	echo "datasets.sh: $gen wrote no files" >&2
	exit 1
fi
for f in $made; do
	if [ ! -f "$srcdir/datasets/$f" ]; then
		echo "datasets.sh: datasets/${f#./} is written by the generator but not committed" >&2
		fail=1
	elif ! cmp "$tmp/out/$f" "$srcdir/datasets/$f"; then
		echo "datasets.sh: datasets/${f#./} differs from what the generator writes" >&2
		fail=1
	fi
done
# datasets/course holds the course's real data, copied (its README)
for f in $(cd "$srcdir/datasets" && find . -path ./course -prune -o -type f -name '*.csv' -print | LC_ALL=C sort); do
	if [ ! -f "$tmp/out/$f" ]; then
		echo "datasets.sh: datasets/${f#./} is committed but the generator does not write it" >&2
		fail=1
	fi
done
exit $fail
