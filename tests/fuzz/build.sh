#!/bin/sh
# Builds the libFuzzer targets: sh tests/fuzz/build.sh SRCDIR "TARGETS" SOURCES...
# (what `make fuzz` runs, with FUZZ_CC, FUZZ_CFLAGS and FUZZ_LIBS from
# configure).  The engine's sources are compiled with clang, ASan, UBSan
# and libFuzzer's coverage into tests/fuzz/bin/libprodml-fuzz.a, so each
# target links only what it uses; each tests/fuzz/fuzz_TARGET.c becomes
# tests/fuzz/bin/fuzz_TARGET.  An object newer than its source and every
# header is kept.
set -eu
srcdir=$1
targets=$2
shift 2
: "${FUZZ_CC:?configure with --enable-fuzzing}"
out=tests/fuzz/bin
mkdir -p "$out/obj"
flags="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -std=gnu11
	-D_GNU_SOURCE -I$srcdir/src -include config.h -pthread ${FUZZ_CFLAGS:-}"
newest_h=$(ls -t "$srcdir"/src/*/*.h config.h | head -1)
objs=
for s in "$@"; do
	case $s in *.c) ;; *) continue ;; esac
	o=$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$srcdir/$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		echo "$srcdir/$s $o"
	fi
done | xargs -r -n 2 -P "$(nproc 2>/dev/null || echo 2)" sh -c \
	'echo "  FUZZCC   $0"; exec '"$FUZZ_CC"' '"$(echo $flags)"' -fsanitize=fuzzer-no-link -c "$0" -o "$1"'
objs=$(for s in "$@"; do case $s in *.c) echo "$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')" ;; esac; done)
rm -f "$out/libprodml-fuzz.a"
ar rcs "$out/libprodml-fuzz.a" $objs
for t in $targets; do
	echo "  FUZZLD   $out/fuzz_$t"
	# shellcheck disable=SC2086
	$FUZZ_CC $flags -fsanitize=fuzzer "$srcdir/tests/fuzz/fuzz_$t.c" "$out/libprodml-fuzz.a" \
		${FUZZ_LIBS:-} -lm -ldl -o "$out/fuzz_$t"
done
