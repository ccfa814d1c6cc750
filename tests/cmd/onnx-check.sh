#!/bin/sh
# models export --format onnx: Debian's python3-onnx checker
# (onnx.checker.check_model with full_check: the operators' schemas and
# strict shape inference) accepts the export of each model type, and the
# graph declares what the help says: IR 7, ai.onnx 13 and ai.onnx.ml 2,
# one [N,1] input per raw feature (string or double), "prediction" [N,K].
set -u
P=${PRODML:?}
cd "${srcdir:?}" || exit 99
py=
for c in python3 /usr/bin/python3; do
	if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import onnx' 2>/dev/null; then py=$c; break; fi
done
[ -n "$py" ] || { echo "SKIP: python3 with the onnx module (Debian package python3-onnx) is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-onnx.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
W="-W $tmp/w -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }

$P $W -c 'load t0 datasets/taxi/train.csv; load t --sql "SELECT *, tips > 0 AS tipped FROM t0"' >/dev/null || exit 1
if ! out=$($P $W -c 'train probe --data t --label tips --features fare --epochs 1; models export probe:1 '"$tmp/p.onnx"' --format onnx' 2>&1); then
	case $out in *"built without ONNX export"*) echo "SKIP: $(echo "$out" | tail -1)"; exit 77 ;; esac
	echo "$out"; exit 1
fi
f=fare,trip_miles,trip_seconds,payment_type,company,trip_start_timestamp,pickup_community_area
check() { # NAME K FEATURES TRAIN-ARGS
	name=$1 k=$2 feats=$3
	shift 3
	$P $W -c "train $name --data t --epochs 1 --features $feats $*; models export $name:1 $tmp/$name.onnx --format onnx" >/dev/null 2>&1 ||
		{ FAIL "train and export $name"; return; }
	r=$("$py" - "$tmp/$name.onnx" <<'PY' 2>&1
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
def shape(v):
    t = v.type.tensor_type
    return "%s[%s]" % (onnx.TensorProto.DataType.Name(t.elem_type).lower(),
                       ",".join(d.dim_param or str(d.dim_value) for d in t.shape.dim))
print(m.ir_version, sorted((o.domain or "ai.onnx", o.version) for o in m.opset_import))
print(" ".join("%s:%s" % (i.name, shape(i)) for i in m.graph.input))
print(" ".join("%s:%s" % (o.name, shape(o)) for o in m.graph.output))
PY
) || { FAIL "$name: $r"; return; }
	inputs=$(echo "$feats" | tr , '\n' | sed 's/^\(payment_type\|company\)$/&:string[N,1]/; /:/!s/$/:double[N,1]/' | tr '\n' ' ')
	want="7 [('ai.onnx', 13), ('ai.onnx.ml', 2)]
${inputs% }
prediction:double[N,$k]"
	[ "$r" = "$want" ] || FAIL "$name: got
$r"
}
check lin 1 $f --model linear --label tips --transform trip_seconds=bucketize:q4,pickup_community_area=onehot
check logi 1 $f --model logistic --label tipped
check soft 6 "$(echo $f | sed 's/payment_type,//')" --model softmax --label payment_type
check dnn 1 $f --model dnn --label tips --hidden 8
check wd 1 $f --model wide-deep --label tipped --hidden 8
exit $fail
