#!/bin/sh
# Training time per hardware choice: each choice's estimate comes from the
# newest finished run of the model on that hardware (its threads, its MPI
# workers), else from the design's training probe with those threads, and
# equals the dataset's rows × epochs / that measurement's rows per second.
# The rates are recomputed here from the runs' epochs in the workspace
# (table run_epochs) and the probes' rows and seconds (table
# design_probes); a choice nothing measured says so and names the command.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-dhw.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
. tests/cmd/ws-lib.sh
fail=0
pm() { "$P" -W "$tmp/ws" -q "$@"; }
failed() { echo "FAIL $*"; fail=1; }
[ "$(nproc)" -ge 2 ] || { echo "one CPU: no second thread count to compare: skipped"; exit 77; }

pm -c "load n datasets/natality/natality.csv
	set threads 2
	train w --data n --label weight_pounds --features is_male,mother_age,gestation_weeks --epochs 3
	train w --data n --label weight_pounds --features is_male,mother_age,gestation_weeks --epochs 2
	design new d --model w --data n
	design set d hardware cpu 2
	design set d epochs 4" >/dev/null || { echo "FAIL setup"; exit 1; }
# before any probe: one thread is not measured, and says how to measure it
out=$(pm -o json design show d | python3 -c "
import json, sys
for h in json.load(sys.stdin)['estimates']['training']['by_hardware']:
    print(h['hardware'], h['design'], h['measured'], h.get('run'), h['source'] if not h['measured'] else '')")
[ "$out" = "cpu 2 threads True True 2 
cpu 1 thread False False None not measured: run \`design probe d --threads 1\`" ] || failed "before the probe: $out"
pm design probe d --threads 1 --rows 5000 >/dev/null || failed "probe"
# a run on MPI workers, where this build has them (Open MPI refuses root
# without these, as tests/cmd/train-mpi.sh says)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
pm train w --data n --label weight_pounds --features is_male,mother_age,gestation_weeks --epochs 1 --workers 2 >/dev/null 2>&1
# whether it finished is the run's state (the launcher's exit status can
# say otherwise, under the sanitizers)
workers=$(wsq "$tmp/ws" "SELECT COUNT(*) FROM runs WHERE state = 'done'
	AND CAST(json_extract(config, '\$.workers') AS INTEGER) = 2")
pm -o json design show d >"$tmp/show.json"
# the tables the estimates come from, as JSON ({"columns","rows"})
pm -o json workspace query "SELECT id, config FROM runs WHERE model = 'w' AND state = 'done' ORDER BY id DESC" >"$tmp/runs.json" &&
	pm -o json workspace query "SELECT run, rows, seconds FROM run_epochs WHERE rows > 0 AND seconds > 0 ORDER BY run, epoch" >"$tmp/epochs.json" &&
	pm -o json workspace query "SELECT id, rows, seconds, threads FROM design_probes WHERE kind = 'train' ORDER BY id DESC" >"$tmp/probes.json" ||
	failed "workspace query"
got=$(python3 - "$tmp/show.json" "$tmp" "$workers" <<'PY'
import json, sys
show = json.load(open(sys.argv[1]))
def table(name):
    return json.load(open("%s/%s.json" % (sys.argv[2], name)))["rows"]
rows = 20000  # natality's rows
epochs = 4    # the design's
def run_rate(run):
    r = sum(e[1] for e in table("epochs") if e[0] == run)
    s = sum(e[2] for e in table("epochs") if e[0] == run)
    return r / s
# the newest done run of each hardware, from the runs' own configurations
want = {}
for rid, cfg in table("runs"):
    c = json.loads(cfg)
    hw = "workers %d" % c["workers"] if c["workers"] > 1 else "cpu %d thread%s" % (c["threads"], "" if c["threads"] == 1 else "s")
    want.setdefault(hw, ("run", rid, run_rate(rid)))
pid, prow, psec, pth = table("probes")[0]
want.setdefault("cpu %d thread%s" % (pth, "" if pth == 1 else "s"), ("probe", pid, prow / psec))
ok = []
for h in show["estimates"]["training"]["by_hardware"]:
    kind, ident, rate = want.pop(h["hardware"])
    exp = rows * epochs / rate
    ok.append("%s %s %s %s" % (h["hardware"], kind, h.get(kind) == ident,
              abs(h["seconds"] - exp) <= 1e-9 * exp and h["epochs"] == epochs))
print("; ".join(ok), "| left:", sorted(want), "| workers measured:", any(h["kind"] == "workers" for h in show["estimates"]["training"]["by_hardware"]) == (sys.argv[3] == "1"))
PY
)
case $workers in
1) want="cpu 2 threads run True True; cpu 1 thread probe True True; workers 2 run True True | left: [] | workers measured: True" ;;
*) want="cpu 2 threads run True True; cpu 1 thread probe True True | left: [] | workers measured: True" ;;
esac
[ "$got" = "$want" ] || failed "per hardware: $got"
echo "workers measured: $workers"
pm design show d | grep -q "^  train cpu 1       [0-9.e+-]* *20000 rows × 4 epochs / .* rows/s = .* s; probe 2 (one epoch of 5000 rows in " ||
	failed "show text: $(pm design show d)"
out=$(pm design probe d --threads 999 2>&1)
case $out in "prodml: design probe --threads: 999 is not 1 to "*" (the CPUs of this machine)") ;; *) failed "threads 999: $out" ;; esac
exit $fail
