#!/bin/sh
# plot hist: a terminal histogram (Unicode blocks, ASCII with NO_COLOR or the
# C locale) and figures through libplot (PNG, SVG, PS) written atomically.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-plot.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
# in a sanitizer build: libplot and libpng keep a few allocations for good
LSAN_OPTIONS="suppressions=$srcdir/tests/fixtures/validate/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
$P $W -c 'load t tests/fixtures/validate/trips.csv; load b tests/fixtures/validate/trips_bad.csv' \
	>/dev/null || bad load
# fare over [0, 30] in 3 bins: [0,10) 5, [10,20) 3, [20,30] 1 (hand-counted)
LC_ALL=C.UTF-8 $P $W -c 'plot hist t fare --bins 3' >"$tmp/u" || bad unicode-run
grep -q '^  \[0, 10) .*█.* 5$' "$tmp/u" || bad "unicode bars: $(cat "$tmp/u")"
grep -q '^  \[20, 30\] .* 1$' "$tmp/u" || bad "last bin holds its high edge: $(cat "$tmp/u")"
NO_COLOR=1 LC_ALL=C.UTF-8 $P $W -c 'plot hist t fare --bins 3' >"$tmp/a" || bad ascii-run
grep -q '^  \[0, 10) *#\{10,\} *5$' "$tmp/a" || bad "NO_COLOR bars: $(cat "$tmp/a")"
LC_ALL=C LANG=C $P $W -c 'plot hist t payment --vs b' >"$tmp/c" || bad c-run
if LC_ALL=C grep -q "$(printf '\342')" "$tmp/c"; then bad "LANG=C printed non-ASCII"; fi
grep -q '^  Credit Card t  *#.* 0.4$' "$tmp/c" || bad "categorical bars: $(cat "$tmp/c")"
grep -q '^  *b  *=.* 0.625$' "$tmp/c" || bad "second series: $(cat "$tmp/c")"
# figures
$P $W -c "plot hist t fare --vs b --out $tmp/f.png" >"$tmp/o" || bad png-run
[ "$(cat "$tmp/o")" = "wrote $tmp/f.png" ] || bad "png message: $(cat "$tmp/o")"
[ "$(head -c 4 "$tmp/f.png" | od -An -c | tr -d ' ')" = '211PNG' ] || bad "not a PNG"
[ "$(wc -c <"$tmp/f.png")" -gt 2000 ] || bad "PNG too small"
$P $W -c "plot hist t payment --out $tmp/f.svg" >/dev/null || bad svg-run
grep -q '<svg' "$tmp/f.svg" || bad "not an SVG"
$P $W -c "plot hist t miles --out $tmp/f.ps" >/dev/null || bad ps-run
head -c 4 "$tmp/f.ps" | grep -q '%!PS' || bad "not PostScript"
ls "$tmp" | grep -q tmp && bad "temporary file left behind: $(ls "$tmp")"
exit $fail
