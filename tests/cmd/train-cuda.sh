#!/bin/sh
# train --device cuda against the CPU: on the same data, seed and
# hyperparameters, the GPU (float32) follows the CPU (float64).  Skips
# (77) where the CUDA backend is not built or no GPU is present.
#
# Tolerances, stated: each epoch's training loss within 2% of the CPU's
# (float32 rounding changes the path of thousands of Adam steps a
# little, not its course); the final AUC within 0.005, log loss within
# 2%, RMSE within 2%.  A model trained on the GPU is a CPU model file:
# `evaluate` on the CPU gives the metrics train reported, to 6 digits.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-cuda.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }

$P $W -c "load t datasets/taxi/train.csv; load te datasets/taxi/eval.csv" >/dev/null || exit 99
if ! $P $W -c "train probe --data t --label tips --model dnn --hidden 4 --epochs 1 --device cuda" \
	>/dev/null 2>"$tmp/why"; then
	echo "SKIP: no GPU training here: $(sed 's/^-c:1: //' "$tmp/why")"
	exit 77
fi

sh bench/gen-binary 20000 1 >"$tmp/b.csv" && sh bench/gen-binary 5000 777 >"$tmp/be.csv" || exit 99
$P $W -c "load b $tmp/b.csv; load be $tmp/be.csv" >/dev/null || exit 99

metric() { sed -n 's/.*"metrics":{[^}]*"'"$1"'":\([-0-9.e]*\).*/\1/p' "$2" | head -1; }
losses() { grep -o '"train_loss":[-0-9.e+]*' "$1" | cut -d: -f2; }
# within NAME A B REL: |A - B| <= REL * |B|
within() {
	awk -v a="$2" -v b="$3" -v r="$4" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b;
		exit !(a != "" && b != "" && d <= r * m) }' || bad "$1: gpu $2, cpu $3 (tolerance $4 relative)"
}
# compare NAME "TRAIN ARGS" METRIC TOL
compare() {
	for d in cpu cuda; do
		$P $W -o json -c "train $1_$d $2 --seed 7 --device $d" >"$tmp/$1.$d.json" 2>&1 ||
			{ bad "$1 on $d: $(cat "$tmp/$1.$d.json")"; return; }
	done
	losses "$tmp/$1.cpu.json" >"$tmp/l.cpu"
	losses "$tmp/$1.cuda.json" >"$tmp/l.cuda"
	[ "$(wc -l <"$tmp/l.cpu")" -gt 0 ] && [ "$(wc -l <"$tmp/l.cpu")" = "$(wc -l <"$tmp/l.cuda")" ] ||
		bad "$1: epochs differ"
	paste "$tmp/l.cuda" "$tmp/l.cpu" | while read -r g c; do within "$1 epoch loss" "$g" "$c" 0.02; done
	within "$1 $3" "$(metric "$3" "$tmp/$1.cuda.json")" "$(metric "$3" "$tmp/$1.cpu.json")" "$4"
	# the GPU's model, judged on the CPU, as train reported it
	$P $W -o json -c "evaluate $1_cuda --data $5" >"$tmp/$1.ev.json" || bad "$1: evaluate"
	g=$(metric "$3" "$tmp/$1.cuda.json"); e=$(metric "$3" "$tmp/$1.ev.json")
	[ "$(printf %.6g "$g")" = "$(printf %.6g "$e")" ] || bad "$1: train says $3 $g, evaluate $e"
	grep -q '"device":"cuda, GPU 0 ' "$tmp/$1.cuda.json" || bad "$1: no GPU named"
}
compare bin "--data b --eval be --label y --model dnn --hidden 64,32 --batch 256 --epochs 4 --optimizer adam" auc 0.006 be
compare binlog "--data b --eval be --label y --model dnn --hidden 64,32 --batch 256 --epochs 4 --optimizer adam" logloss 0.02 be
compare reg "--data t --eval te --label tips --model dnn --hidden 32,16 --batch 128 --epochs 4 --optimizer adam --l2 0.0001" rmse 0.02 te
compare wide "--data t --eval te --label tips --model wide-deep --hidden 16 --batch 128 --epochs 3" rmse 0.03 te
compare sgd "--data b --eval be --label y --model logistic --optimizer sgd --batch 512 --epochs 3" auc 0.003 be

# out of GPU memory: a batch no GPU holds, and the batch that would fit
# (three layers of 8192 units: 160 KB a row, 150 GiB for a million rows)
$P $W -c "train big --data b --label y --model dnn --hidden 8192,8192,8192 --batch 1000000 --epochs 1 --device cuda" \
	>/dev/null 2>"$tmp/oom"
grep -q "out of GPU memory: --batch 1000000 needs .* GiB and GPU 0 (.*) has .* free; --batch [0-9]* would fit" "$tmp/oom" ||
	bad "out of memory: $(cat "$tmp/oom")"
exit $fail
