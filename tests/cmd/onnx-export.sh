#!/bin/sh
# models export --format onnx: what it prints and its errors, exact: a
# hashed feature or a cross (no ONNX operator computes xxHash64), a path
# that cannot be written (and nothing left behind), an input named as the
# output, an unknown format.
set -u
P=${PRODML:?}
cd "${srcdir:?}" || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-onnx.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
W="-W $tmp/w -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
expect_err() { # CMD MESSAGE
	out=$($P $W -c "$1" 2>&1) && FAIL "$1 succeeded"
	[ "$out" = "-c:1: $2" ] || FAIL "$1: got '$out', expected '$2'"
}

$P $W -c 'load t datasets/taxi/train.csv; train m --data t --label tips --features fare,company --epochs 1' >/dev/null || exit 1
if ! out=$($P $W -c "models export m:1 $tmp/m.onnx --format onnx" 2>&1); then
	case $out in *"built without ONNX export"*) echo "SKIP: $out"; exit 77 ;; esac
	FAIL "export: $out"
fi
# a linear model of fare (scaled, with a missing indicator: dense) and
# company (a vocabulary): its size depends only on the vocabulary
echo "$out" | grep -q "^exported m:1 to $tmp/m.onnx: ONNX (opset 13, ai.onnx.ml 2), [0-9]* nodes, [0-9]* bytes\$" ||
	FAIL "export said: $out"
bytes=$(echo "$out" | sed 's/.* \([0-9]*\) bytes$/\1/')
[ "$(wc -c <"$tmp/m.onnx")" -eq "$bytes" ] || FAIL "the file has $(wc -c <"$tmp/m.onnx") bytes, export said $bytes"
json=$($P $W -o json -c "models export m:1 $tmp/m2.onnx --format onnx")
case $json in '{"model":"m","version":1,"file":"'"$tmp"'/m2.onnx","format":"onnx","bytes":'"$bytes"',"nodes":'*',"opset":13,"ml_opset":2}') ;;
*) FAIL "json: $json" ;; esac
cmp -s "$tmp/m.onnx" "$tmp/m2.onnx" || FAIL "two exports of one version differ"

$P $W -c 'train h --data t --label tips --features fare,company --transform company=hash:50 --epochs 1' >/dev/null || exit 1
expect_err "models export h:1 $tmp/h.onnx --format onnx" \
	"models export --format onnx: feature 'company' is hashed with xxHash64, which no ONNX operator computes: train with --transform 'company=onehot' instead"
$P $W -c 'train c --data t --label tips --features fare,company,payment_type --cross company*payment_type --epochs 1' >/dev/null || exit 1
expect_err "models export c:1 $tmp/c.onnx --format onnx" \
	"models export --format onnx: feature 'company_x_payment_type' is a cross hashed with xxHash64, which no ONNX operator computes: train without --cross"
expect_err "models export m:1 $tmp/no/m.onnx --format onnx" \
	"models export --format onnx: cannot write $tmp/no/m.onnx: No such file or directory"
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	expect_err "models export m:1 $tmp/ro/m.onnx --format onnx" \
		"models export --format onnx: cannot write $tmp/ro/m.onnx: Permission denied"
fi
$P $W -c 'load tp --sql "SELECT fare AS prediction, tips FROM t"; train p --data tp --label tips --epochs 1' >/dev/null || exit 1
expect_err "models export p:1 $tmp/p.onnx --format onnx" \
	"models export --format onnx: input 'prediction' has the name of the ONNX model's output"
expect_err "models export m:1 $tmp/x.tflite --format tflite" "--format: 'tflite' is not prodml, c or onnx"
[ -z "$(ls "$tmp/ro")" ] && [ ! -e "$tmp/h.onnx" ] && [ ! -e "$tmp/c.onnx" ] && [ ! -e "$tmp/p.onnx" ] && [ ! -e "$tmp/x.tflite" ] ||
	FAIL "a failed export left a file"
exit $fail
