#!/bin/sh
# Models for the edge, on the course's Chicago taxi trips (big tipper):
#  - models quantize: int8 (dynamic and static) and fp16 versions of a DNN,
#    registered with the DNN as parent and tagged; each file smaller than
#    the float one by the factor its weights shrink; AUC on the eval data
#    within a stated delta of the float model's (int8 dynamic 0.005, int8
#    static 0.01, fp16 0.0005); the metrics quantize prints are those
#    `evaluate` gives the new version;
#  - models export --format c: the standalone predictor of each version
#    (and of a wide & deep model with date parts, hashed crosses, a hashed
#    and a bucketized feature) compiles with cc -std=c99 -Wall -Wextra
#    -Werror and, on 5000 rows with missing values and unseen categories,
#    gives `prodml predict`'s predictions: the same doubles for int8 and
#    fp16, and within 1e-12 (absolute, on probabilities) for float64,
#    whose sums the compiler may order as prodml does or not;
#  - the errors, word for word.
set -u
P=${PRODML:?}
cd "${srcdir:?}" || exit 99
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler (cc) to compile the exported predictor"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-edge.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }
W="-W $tmp/ws -q"
D=datasets/course/chicago_taxi_tfdv
F=fare,trip_miles,trip_seconds,trip_start_hour,trip_start_day,trip_start_month,pickup_community_area,dropoff_community_area,payment_type,company
$P $W -c "load taxi $D/train.csv; load taxi_eval $D/eval.csv;
load taxi_l --sql \"SELECT *, tips > 0.2 * fare AS big_tipper FROM taxi\";
load taxi_eval_l --sql \"SELECT *, tips > 0.2 * fare AS big_tipper FROM taxi_eval\";
load thin --sql \"SELECT fare, company FROM taxi_l\";
train bt --data taxi_l --eval taxi_eval_l --label big_tipper --features $F --model dnn --epochs 4 --lr 0.003 --seed 3;
train lin --data taxi_l --label big_tipper --features $F --model logistic --epochs 2;
train wd --data taxi_l --eval taxi_eval_l --label big_tipper --features fare,trip_miles,trip_seconds,trip_start_timestamp,pickup_community_area,payment_type,company --transform trip_start_timestamp=dateparts,company=hash:64,trip_miles=bucketize:q8 --cross trip_start_hour*trip_start_day:50,pickup_community_area*payment_type:200 --model wide-deep --epochs 3 --seed 3" \
	>"$tmp/train.out" 2>&1 || bad "training: $(tail -3 "$tmp/train.out")"

# ---- quantize --------------------------------------------------------------------
q() { # ref args.. -> JSON of models quantize
	$P $W -o json -c "models quantize $*" 2>&1
}
q bt:1 --int8 >"$tmp/q2" || bad "quantize int8: $(cat "$tmp/q2")"
q bt:1 --fp16 >"$tmp/q3" || bad "quantize fp16: $(cat "$tmp/q3")"
q bt:1 --int8 --calibrate taxi_l >"$tmp/q4" || bad "quantize static: $(cat "$tmp/q4")"
q wd:1 --int8 >"$tmp/q5" || bad "quantize wide-deep: $(cat "$tmp/q5")"
python=$(command -v python3)
[ -n "$python" ] || { echo "SKIP: python3 reads the JSON results"; exit 77; }
check_q() { # file version mode maxdelta factor
	"$python" - "$@" <<'PY' || fail=1
import json, sys
f, ver, mode, maxd, factor = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
r = json.load(open(f))
ok = True
def bad(msg):
    global ok
    print("FAIL %s: %s" % (f.split('/')[-1], msg)); ok = False
if r["version"] != ver or r["parent"] != 1: bad("version %s parent %s" % (r["version"], r["parent"]))
if (r.get("mode") or "-") != mode: bad("mode %s" % r.get("mode"))
if r["dataset"] != "taxi_eval_l": bad("measured on %s" % r["dataset"])
m = {x["metric"]: x for x in r["metrics"]}
d = m["auc"]["quantized"] - m["auc"]["parent"]
if abs(d) > maxd: bad("AUC delta %g past %g" % (d, maxd))
if abs(m["auc"]["difference"] - d) > 1e-12: bad("difference column")
if not r["size"]["quantized"] * factor < r["size"]["parent"]:
    bad("size %d not %gx under %d" % (r["size"]["quantized"], factor, r["size"]["parent"]))
print("%s: auc %.6f -> %.6f (%+.2g), %d -> %d bytes" % (r["kind"] + "/" + mode, m["auc"]["parent"], m["auc"]["quantized"], d, r["size"]["parent"], r["size"]["quantized"]))
sys.exit(0 if ok else 1)
PY
}
check_q "$tmp/q2" 2 dynamic 0.005 3
check_q "$tmp/q3" 3 - 0.0005 2.5
check_q "$tmp/q4" 4 static 0.01 3
check_q "$tmp/q5" 2 dynamic 0.005 1.5

# lineage and tags, the metrics evaluate gives, compare's sizes
$P $W -o json -c "models show bt:2" >"$tmp/show" 2>&1
$P $W -o json -c "evaluate bt:2 --data taxi_eval_l" >"$tmp/eval" 2>&1
$P $W -o json -c "models compare bt:1 bt:2" >"$tmp/cmp" 2>&1
"$python" - "$tmp" <<'PY' || fail=1
import json, sys
t = sys.argv[1]
show = json.load(open(t + "/show")); ev = json.load(open(t + "/eval")); q = json.load(open(t + "/q2"))
cmp = json.load(open(t + "/cmp"))
v = show["versions"][0] if "versions" in show else show
ok = True
if v.get("parent") != 1: print("FAIL parent %s" % v.get("parent")); ok = False
if (v.get("tags") or {}).get("quantized") != "int8" or v["tags"].get("quant_mode") != "dynamic":
    print("FAIL tags %s" % v.get("tags")); ok = False
qa = {x["metric"]: x["quantized"] for x in q["metrics"]}
if qa["auc"] != ev["metrics"]["auc"]: print("FAIL quantize's auc %r, evaluate's %r" % (qa["auc"], ev["metrics"]["auc"])); ok = False
if cmp["a"]["size"] != q["size"]["parent"] or cmp["b"]["size"] != q["size"]["quantized"] or cmp["b"]["weights"] != "int8":
    print("FAIL compare's sizes %s %s" % (cmp["a"], cmp["b"])); ok = False
sys.exit(0 if ok else 1)
PY

# ---- the standalone predictor ---------------------------------------------------------
# 5000 rows: every 7th company unseen, every 11th fare, 13th payment type,
# 17th timestamp and 23rd company missing, every 19th pickup area unseen
awk -F, 'BEGIN { OFS = "," }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
{
	r = NR - 1
	if (r % 7 == 0) $c["company"] = "Zzz Unseen Cab"
	if (r % 11 == 0) $c["fare"] = ""
	if (r % 13 == 0) $c["payment_type"] = ""
	if (r % 17 == 0) $c["trip_start_timestamp"] = ""
	if (r % 19 == 0) $c["pickup_community_area"] = "999"
	if (r % 23 == 0) $c["company"] = ""
	print
}' $D/eval.csv >"$tmp/rows.csv"
rows=$(($(wc -l <"$tmp/rows.csv") - 1))
[ "$rows" = 5000 ] || bad "test rows: $rows"
for ref in bt:1 bt:2 bt:3 bt:4 wd:1 wd:2; do
	name=$(echo "$ref" | tr : _)
	mkdir -p "$tmp/$name"
	$P $W -c "models export $ref --format c -o $tmp/$name/pred.c" >"$tmp/$name/export.out" 2>&1 ||
		{ bad "export $ref: $(cat "$tmp/$name/export.out")"; continue; }
	grep -q "^source [0-9]* bytes; tables [0-9]* bytes; compiled code+data [0-9]* bytes" "$tmp/$name/export.out" ||
		bad "export $ref printed: $(cat "$tmp/$name/export.out")"
	sh tests/cmd/edge-driver.sh "$tmp/$name/pred.h" >"$tmp/$name/drv.c"
	(cd "$tmp/$name" && cc -std=c99 -Wall -Wextra -Werror -O2 -c pred.c && cc -std=c99 -O2 -o drv drv.c pred.o -lm) \
		>"$tmp/$name/cc.out" 2>&1 || { bad "compile $ref: $(head -5 "$tmp/$name/cc.out")"; continue; }
	# no heap: nothing the predictor calls allocates
	nm -u "$tmp/$name/pred.o" | grep -E ' (malloc|calloc|realloc|free)$' && bad "$ref: the predictor allocates"
	"$tmp/$name/drv" "$tmp/rows.csv" >"$tmp/$name/c.txt" || bad "driver $ref"
	$P $W -c "predict $ref --file $tmp/rows.csv --out $tmp/$name/p.csv" >/dev/null 2>&1 || bad "predict $ref"
	case $ref in bt:1 | wd:1) tol=1e-12 ;; *) tol=0 ;; esac
	tail -n +2 "$tmp/$name/p.csv" | cut -d, -f1 | paste -d' ' - "$tmp/$name/c.txt" |
		awk -v tol="$tol" -v ref="$ref" '
		{ n++; d = $1 - $2; if (d < 0) d = -d; if (d > worst) worst = d; if (d > tol + 0) bad++ }
		END {
			printf "%s: %d rows, largest difference %g (allowed %s)\n", ref, n, worst, tol
			if (n != 5000 || bad) { print "FAIL " ref ": " bad " rows differ"; exit 1 }
		}' || fail=1
done
# the inputs the predictor sees: its struct names the columns
grep -q "const char \*company;" "$tmp/bt_2/pred.h" || bad "struct field company"
grep -q "double trip_start_timestamp;" "$tmp/wd_1/pred.h" || bad "struct field trip_start_timestamp"

# ---- errors, word for word -----------------------------------------------------------------
err() { # expected command
	want=$1
	shift
	got=$($P $W -c "$*" 2>&1)
	[ "$got" = "$want" ] || bad "'$*' said '$got', want '$want'"
}
err "-c:1: lin:1: a logistic model cannot be quantized: only dnn and wide-deep models can (quantization shrinks the hidden layers and embeddings)" \
	"models quantize lin:1 --int8"
err "-c:1: bt:1: calibration dataset 'thin' lacks the model's features trip_miles, trip_seconds, trip_start_hour, trip_start_day, trip_start_month, pickup_community_area, dropoff_community_area, payment_type" \
	"models quantize bt:1 --int8 --calibrate thin"
err "-c:1: give one of --int8 and --fp16" "models quantize bt:1 --int8 --fp16"
err "-c:1: bt:1: --mode static needs --calibrate NAME: the activation scales are measured on its rows" \
	"models quantize bt:1 --int8 --mode static"
err "-c:1: bt:2: the model is already quantized (int8); quantize its float parent" "models quantize bt:2 --int8"
err "-c:1: cannot write $tmp/none/x.c: No such file or directory" "models export bt:2 --format c -o $tmp/none/x.c"
err "-c:1: --format: 'tflite' is not prodml, c or onnx" "models export bt:2 --format tflite"
exit $fail
