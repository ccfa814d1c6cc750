#!/bin/sh
# labs/edge.prodml end to end, in a scratch directory (the lab writes
# edge/): the quantized versions' lineage and tags, each smaller than the
# float one; the int8 version's AUC within 0.005 of the float one's and
# equal to what `evaluate` prints; then the standalone predictors it
# exported, compiled with cc -std=c99 -Wall -Wextra -Werror and run on the
# eval trips, give `prodml predict`'s predictions (the same doubles for
# int8, within 1e-12 for float64).
set -u
P=${PRODML:?}
src=${srcdir:?}
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler (cc)"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 reads the JSON results"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-edgelab.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }
ln -s "$src/datasets" "$tmp/datasets"
cd "$tmp" || exit 99
W="-W $tmp/ws -q"
LC_ALL=C.UTF-8 $P $W -f "$src/labs/edge.prodml" >"$tmp/out" 2>&1 || bad "lab failed: $(tail -5 "$tmp/out")"
grep -q "^model big_tipper version 2: big_tipper:1 quantized to int8, dynamic" "$tmp/out" || bad "no int8 version 2"
grep -q "^model big_tipper version 3: big_tipper:1 quantized to int8, static" "$tmp/out" || bad "no static version 3"
grep -q "^model big_tipper version 4: big_tipper:1 quantized to fp16" "$tmp/out" || bad "no fp16 version 4"
for v in 1 2 3 4; do $P $W -o json -c "models show big_tipper:$v" >"$tmp/v$v.json" || bad "show $v"; done
$P $W -o json -c "evaluate big_tipper:2 --data taxi_eval_l" >"$tmp/ev2.json" || bad evaluate
python3 - "$tmp" <<'PY' || fail=1
import json, sys
t = sys.argv[1]
def ver(v):
    j = json.load(open("%s/v%d.json" % (t, v)))
    return j["versions"][0] if "versions" in j else j
ok = True
def bad(m):
    global ok
    print("FAIL " + m); ok = False
f = ver(1)
for v, kind in ((2, "int8"), (3, "int8"), (4, "fp16")):
    q = ver(v)
    if q.get("parent") != 1 or (q.get("tags") or {}).get("quantized") != kind:
        bad("version %d: parent %s tags %s" % (v, q.get("parent"), q.get("tags")))
    if not q["size"] * (3 if kind == "int8" else 2.5) < f["size"]:
        bad("version %d: %d bytes against %d" % (v, q["size"], f["size"]))
d = ver(2)["metrics"]["auc"] - f["metrics"]["auc"]
if abs(d) > 0.005: bad("int8 AUC delta %g" % d)
ev = json.load(open(t + "/ev2.json"))["metrics"]["auc"]
if ev != ver(2)["metrics"]["auc"]: bad("evaluate's auc %r, the version's %r" % (ev, ver(2)["metrics"]["auc"]))
sys.exit(0 if ok else 1)
PY
for v in 2 1; do
	h=edge/big_tipper_v$v.h
	[ -f "$h" ] && [ -f "edge/big_tipper_v$v.c" ] || { bad "no $h"; continue; }
	sh "$src/tests/cmd/edge-driver.sh" "$h" >"edge/drv$v.c"
	(cd edge && cc -std=c99 -Wall -Wextra -Werror -O2 -c "big_tipper_v$v.c" &&
		cc -std=c99 -O2 -o "drv$v" "drv$v.c" "big_tipper_v$v.o" -lm) >"$tmp/cc.out" 2>&1 ||
		{ bad "compile v$v: $(head -5 "$tmp/cc.out")"; continue; }
	"edge/drv$v" datasets/course/chicago_taxi_tfdv/eval.csv >"$tmp/c$v.txt"
	$P $W -c "predict big_tipper:$v --file datasets/course/chicago_taxi_tfdv/eval.csv --out $tmp/p$v.csv" >/dev/null || bad "predict $v"
	tol=0
	[ $v = 1 ] && tol=1e-12
	tail -n +2 "$tmp/p$v.csv" | cut -d, -f1 | paste -d' ' - "$tmp/c$v.txt" |
		awk -v tol="$tol" -v v="$v" '{ n++; d = $1 - $2; if (d < 0) d = -d; if (d > tol + 0) bad++ }
		END { if (n != 5000 || bad) { print "FAIL version " v ": " bad " of " n " rows differ"; exit 1 } }' || fail=1
done
exit $fail
