#!/bin/sh
# models export / import: a round trip gives a version with the same
# predictions (evaluate prints the same metrics) and the original record;
# a corrupted, truncated or foreign file is an exact error and registers
# nothing; a corrupted artifact in the workspace is an error on load.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-export.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
A="-W $tmp/a -q"
B="-W $tmp/b -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
# evaluate's JSON without the model name and version
metrics() { $P $1 -o json -c "evaluate $2 --data sp" | sed 's/"model":"[^"]*","version":[0-9]*,//'; }
expect_err() { # WS CMD MESSAGE
	out=$($P $1 -c "$2" 2>&1) && FAIL "$2 succeeded"
	[ "$out" = "-c:1: $3" ] || FAIL "$2: got '$out', expected '$3'"
}

$P $A -c "load sp datasets/spending/spending.csv" >/dev/null || exit 1
$P $B -c "load sp datasets/spending/spending.csv" >/dev/null || exit 1
$P $A -c "train spend --data sp --label Family_Size --features Work_Experience,Graduated,Profession --epochs 2 --seed 5" >/dev/null || exit 1
$P $A -c "models export spend:1 $tmp/spend.pm" >"$tmp/o" || FAIL "export"
grep -q "^exported spend:1 to $tmp/spend.pm (sha256 [0-9a-f]\{12\})$" "$tmp/o" || FAIL "export said: $(cat "$tmp/o")"
[ "$(head -c 22 "$tmp/spend.pm")" = "prodml-model-export 1" ] || FAIL "export header"

# round trip into another workspace: same predictions, original record kept
$P $B -c "models import $tmp/spend.pm" >"$tmp/o" || FAIL "import"
[ "$(cat "$tmp/o")" = "imported spend:1 as spend:1" ] || FAIL "import said: $(cat "$tmp/o")"
$P $B -c "models import $tmp/spend.pm --as spend2" >"$tmp/o" || FAIL "import --as"
[ "$(cat "$tmp/o")" = "imported spend:1 as spend2:1" ] || FAIL "import --as said: $(cat "$tmp/o")"
$P $B -c "models import $tmp/spend.pm" >"$tmp/o" || FAIL "second import"
[ "$(cat "$tmp/o")" = "imported spend:1 as spend:2" ] || FAIL "a second import is version 2: $(cat "$tmp/o")"
ma=$(metrics "$A" spend:1)
[ -n "$ma" ] || FAIL "evaluate in a"
[ "$ma" = "$(metrics "$B" spend:1)" ] || FAIL "imported predictions differ: $ma / $(metrics "$B" spend:1)"
[ "$ma" = "$(metrics "$B" spend2:1)" ] || FAIL "imported --as predictions differ"
ja=$($P $A -o json -c "models show spend:1" | sed 's/.*"metrics":\({[^}]*}\).*/\1/')
jb=$($P $B -o json -c "models show spend:1" | sed 's/.*"metrics":\({[^}]*}\).*/\1/')
[ "$ja" = "$jb" ] || FAIL "metrics record differs: $ja / $jb"
$P $B -o json -c "models lineage spend:1" >"$tmp/o" || FAIL "lineage of an import"
grep -q '"imported_from":{"model":"spend","version":1,"run":1,' "$tmp/o" || FAIL "lineage: $(cat "$tmp/o")"
grep -q '"train_dataset":{"name":"sp"' "$tmp/o" || FAIL "lineage keeps the dataset: $(cat "$tmp/o")"

# damaged files: nothing is registered
size=$(wc -c <"$tmp/spend.pm")
cp "$tmp/spend.pm" "$tmp/bad.pm"
printf 'Z' | dd of="$tmp/bad.pm" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
$P $B -c "models import $tmp/bad.pm" >"$tmp/o" 2>&1 && FAIL "import of a corrupted file succeeded"
grep -q "^-c:1: $tmp/bad.pm: checksum mismatch: the file is corrupted (sha256 [0-9a-f]\{12\}\.\., expected [0-9a-f]\{12\}\.\.)$" "$tmp/o" ||
	FAIL "a flipped byte: $(cat "$tmp/o")"
# the sizes the header announces
R=$(sed -n '2s/^record //p' "$tmp/spend.pm")
M=$(sed -n '3s/^model //p' "$tmp/spend.pm")
[ $((size - R - M)) -gt 80 ] && [ $((size - R - M)) -lt 140 ] || FAIL "header size $((size - R - M))"
head -c $((size - 10)) "$tmp/spend.pm" >"$tmp/short.pm"
expect_err "$B" "models import $tmp/short.pm" \
	"$tmp/short.pm: truncated or padded: $((R + M - 10)) bytes after the header, the header says $((R + M))"
head -c 30 "$tmp/spend.pm" >"$tmp/head.pm"
expect_err "$B" "models import $tmp/head.pm" "$tmp/head.pm: the export header is damaged"
expect_err "$B" "models import datasets/spending/spending.csv" \
	"datasets/spending/spending.csv: not a prodml model export (see \`models export\`)"
expect_err "$B" "models import $tmp/nosuch.pm" "$tmp/nosuch.pm: No such file or directory"
# what is not a regular file, or far too big, is refused before it is read:
# /dev/zero never ends, a FIFO without a writer would hang
expect_err "$B" "models import /dev/zero" "/dev/zero: not a regular file (a device)"
mkfifo "$tmp/fifo" || FAIL "mkfifo"
out=$(timeout 20 $P $B -c "models import $tmp/fifo" 2>&1)
[ $? -eq 1 ] && [ "$out" = "-c:1: $tmp/fifo: not a regular file (a pipe)" ] || FAIL "import of a FIFO: $out"
expect_err "$B" "models import $tmp" "$tmp: not a regular file (a directory)"
truncate -s 3G "$tmp/huge.pm" || FAIL "truncate"
expect_err "$B" "models import $tmp/huge.pm" "$tmp/huge.pm: 3221225472 bytes, more than the 2048 MiB limit"
# a 1 GiB file whose header announces a few KB: the header alone is read,
# under a 400 MB address-space limit (where the build fits in it at all:
# a sanitizer build reserves terabytes)
cp "$tmp/spend.pm" "$tmp/big.pm"
truncate -s 1G "$tmp/big.pm" || FAIL "truncate"
if (ulimit -v 400000; $P -W "$tmp/c" -q -c "models" >/dev/null 2>&1); then
	out=$( (ulimit -v 400000; $P $B -c "models import $tmp/big.pm") 2>&1)
	[ "$out" = "-c:1: $tmp/big.pm: truncated or padded: $((1073741824 - size + R + M)) bytes after the header, the header says $((R + M))" ] ||
		FAIL "a big file with a wrong size: $out"
fi
expect_err "$B" "models import $tmp/spend.pm --as 'bad name'" \
	"'bad name' is not a valid model name (letters, digits, '_', '-', '.')"
$P $B -o json -c "models" >"$tmp/o"
grep -q '"name":"spend","versions":2,' "$tmp/o" || FAIL "damaged imports registered something: $(cat "$tmp/o")"
expect_err "$A" "models export spend:3 $tmp/x.pm" "model 'spend' has no version 3"
[ -e "$tmp/x.pm" ] && FAIL "a failed export left a file"

# a corrupted artifact in the workspace: load and export fail, never crash
sha=$($P $A -o json -c "models show spend:1" | sed 's/.*"artifact":"\([0-9a-f]*\)".*/\1/')
art="$tmp/a/artifacts/$(echo "$sha" | cut -c1-2)/$sha"
[ -f "$art" ] || art=$(find "$tmp/a/artifacts" -name "$sha*" | head -1)
[ -f "$art" ] || FAIL "artifact $sha not found"
chmod u+w "$art" 2>/dev/null
printf 'Z' | dd of="$art" bs=1 seek=200 conv=notrunc 2>/dev/null
$P $A -c "evaluate spend:1 --data sp" >"$tmp/o" 2>&1 && FAIL "evaluate of a corrupted artifact succeeded"
grep -q "^-c:1: model spend:1: artifact $art is corrupted (its content hashes to [0-9a-f]*)$" "$tmp/o" || FAIL "evaluate of a corrupted artifact: $(cat "$tmp/o")"
$P $A -c "models export spend:1 $tmp/y.pm" >"$tmp/o" 2>&1 && FAIL "export of a corrupted artifact succeeded"
grep -q "^-c:1: model spend:1: artifact $art is corrupted" "$tmp/o" || FAIL "export of a corrupted artifact: $(cat "$tmp/o")"
exit $fail
