#!/bin/sh
# train: the default of a convex model does not under-train, on real data.
# - babyweight (the course's lab, loaded as labs/babyweight.prodml loads
#   it), linear at the default: its eval RMSE is the least-squares one,
#   solved here independently by the normal equations in awk over
#   [1, mother_age, gestation_weeks, one-hot is_male and plurality less
#   one level each].  The old default (10 epochs of SGD) gave 1.0952,
#   1.0848 after 200 epochs; the optimum is 1.08458.
# - spending (3 classes), softmax at the default: its training log loss is
#   no higher than 300 epochs of Adam on the same objective (the same l2,
#   1/rows), which only approaches the optimum from above.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-optimum.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
bw=datasets/course/babyweight
cols=weight_pounds,is_male,mother_age,plurality,gestation_weeks,hashmonth

# a metric from train's JSON document
metric() { sed -n 's/.*"metrics":{[^}]*"'"$1"'":\([-0-9.e]*\).*/\1/p' | head -1; }

$P $W -o json -c "load bw_train $bw/train.csv --no-header --columns $cols
	load bw_eval $bw/eval.csv --no-header --columns $cols
	train bw --data bw_train --eval bw_eval --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks" \
	>"$tmp/bw.json" || bad "babyweight: $(cat "$tmp/bw.json")"
grep -q '"solver":{"name":"lbfgs"' "$tmp/bw.json" || bad "babyweight: not solved by lbfgs"
got=$(metric rmse <"$tmp/bw.json")

# normal equations: X'X w = X'y over train.csv, then the RMSE on eval.csv
want=$(awk -F, '
function row(   j) {
	x[0] = 1; x[1] = $3; x[2] = $5
	x[3] = $2 == "True"; x[4] = $2 == "Unknown"
	x[5] = $4 == "Twins(2)"; x[6] = $4 == "Triplets(3)"
	x[7] = $4 == "Quadruplets(4)"; x[8] = $4 == "Multiple(2+)"
}
FNR == NR {
	row()
	for (j = 0; j < d; j++) {
		b[j] += x[j] * $1
		for (k = 0; k < d; k++)
			A[j, k] += x[j] * x[k]
	}
	next
}
FNR == 1 {
	# Gaussian elimination with partial pivoting
	for (c = 0; c < d; c++) {
		p = c
		for (r = c + 1; r < d; r++)
			if ((A[r, c] < 0 ? -A[r, c] : A[r, c]) > (A[p, c] < 0 ? -A[p, c] : A[p, c]))
				p = r
		for (k = 0; k < d; k++) { t = A[c, k]; A[c, k] = A[p, k]; A[p, k] = t }
		t = b[c]; b[c] = b[p]; b[p] = t
		for (r = c + 1; r < d; r++) {
			f = A[r, c] / A[c, c]
			for (k = c; k < d; k++)
				A[r, k] -= f * A[c, k]
			b[r] -= f * b[c]
		}
	}
	for (c = d - 1; c >= 0; c--) {
		s = b[c]
		for (k = c + 1; k < d; k++)
			s -= A[c, k] * w[k]
		w[c] = s / A[c, c]
	}
}
{
	row()
	y = 0
	for (j = 0; j < d; j++)
		y += w[j] * x[j]
	se += (y - $1) ^ 2
	n++
}
END { printf "%.10f\n", sqrt(se / n) }' d=9 $bw/train.csv $bw/eval.csv)
awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(a != "" && (d < 0 ? -d : d) < 1e-5) }' ||
	bad "babyweight linear default: eval rmse $got, the normal equations give $want"

$P $W -o json -c "load sp datasets/spending/spending.csv
	train s --data sp --label Spending_Score --model softmax" >"$tmp/sp.json" ||
	bad "spending: $(cat "$tmp/sp.json")"
$P $W -o json -c "train s --data sp --label Spending_Score --model softmax --optimizer adam --epochs 300 --l2 0.00025" \
	>"$tmp/adam.json" || bad "spending adam: $(cat "$tmp/adam.json")"
grep -q '"solver":{"name":"lbfgs"[^}]*"converged":true' "$tmp/sp.json" || bad "spending: lbfgs did not converge"
def=$(metric logloss <"$tmp/sp.json")
adam=$(metric logloss <"$tmp/adam.json")
# the default at least as good as long training, and not far from it
awk -v a="$def" -v b="$adam" 'BEGIN { exit !(a != "" && b != "" && a <= b + 1e-6 && b - a < 0.01) }' ||
	bad "spending softmax default: training log loss $def, 300 epochs of adam $adam"
exit $fail
