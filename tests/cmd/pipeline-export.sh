#!/bin/sh
# pipeline export --format argo: an Argo Workflows Workflow with the
# required fields, one DAG task per step with the pipeline's edges, the
# same prodml command in each container, parameters and retries.  Checked
# with python3's yaml module where there is one, else with grep.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-argo.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }

cat >"$tmp/taxi.pipeline" <<'EOP'
pipeline taxi
param data = datasets/taxi/train.csv
step ingest   : load taxi_raw ${data}
step schema   : schema infer taxi_raw --as taxi after ingest
step check    : validate taxi_raw --schema taxi --fail-on-anomaly after schema
step train    : train fare --data taxi_raw --label fare --epochs 1 after check retries 2
step gate     : models promote fare:${train.version} --to production after train when train.metrics.r2 > 0.5
step evalload : load taxi_eval datasets/taxi/eval.csv
step evalstats: stats taxi_eval after evalload, ingest
EOP
$P $W -c "pipeline load $tmp/taxi.pipeline" >/dev/null || FAIL load
$P $W -c "pipeline export taxi --format argo --out $tmp/wf.yaml" >"$tmp/o" || FAIL "export: $(cat "$tmp/o")"
[ "$(cat "$tmp/o")" = "wrote the Argo Workflow to $tmp/wf.yaml (\`argo submit $tmp/wf.yaml\` runs it)" ] ||
	FAIL "export said: $(cat "$tmp/o")"
$P $W -c "pipeline export taxi" >"$tmp/stdout.yaml" || FAIL "export to stdout"
cmp -s "$tmp/wf.yaml" "$tmp/stdout.yaml" || FAIL "the file and stdout differ"
$P $W -o json -c "pipeline export taxi" | grep -q '^{"format":"argo","yaml":"# prodml pipeline taxi' || FAIL "json"

if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$tmp/wf.yaml" <<'EOP' || fail=1
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)
check(wf["apiVersion"] == "argoproj.io/v1alpha1", "apiVersion")
check(wf["kind"] == "Workflow", "kind")
check(wf["metadata"]["generateName"] == "taxi-", "generateName")
spec = wf["spec"]
params = {p["name"]: p.get("value") for p in spec["arguments"]["parameters"]}
check(params.get("data") == "datasets/taxi/train.csv", "parameter data")
check("image" in params and "workspace" in params, "parameters image, workspace")
templates = {t["name"]: t for t in spec["templates"]}
check(len(templates) == len(spec["templates"]), "template names are unique")
entry = templates[spec["entrypoint"]]
tasks = {t["name"]: t for t in entry["dag"]["tasks"]}
check(sorted(tasks) == sorted(["ingest", "schema", "check", "train", "gate", "evalload", "evalstats"]), "tasks")
edges = sorted((d, n) for n, t in tasks.items() for d in t.get("dependencies", []))
want = sorted([("ingest", "schema"), ("schema", "check"), ("check", "train"), ("train", "gate"),
               ("evalload", "evalstats"), ("ingest", "evalstats")])
check(edges == want, "edges %s" % edges)
for n, t in tasks.items():
    tpl = templates.get(t["template"])
    check(tpl is not None, "task %s has its template" % n)
    c = tpl["container"]
    check(c["image"] == "{{workflow.parameters.image}}", "image of %s" % n)
    check(c["command"] == ["prodml"], "command of %s" % n)
    check(c["args"][:6] == ["-q", "-W", "{{workflow.parameters.workspace}}", "-o", "json", "-c"], "args of %s" % n)
check(templates["ingest"]["container"]["args"][6] == "load taxi_raw {{workflow.parameters.data}}", "ingest command")
check(templates["train"]["retryStrategy"]["limit"] == "2", "retries")
check("retryStrategy" not in templates["ingest"], "no retries on ingest")
check(tasks["gate"]["when"] == "{{=jsonpath(tasks['train'].outputs.result, '$.metrics.r2') > 0.5}}", "when")
check(tasks["gate"]["arguments"]["parameters"] ==
      [{"name": "train-version", "value": "{{=jsonpath(tasks['train'].outputs.result, '$.version')}}"}], "gate arguments")
check(templates["gate"]["inputs"]["parameters"] == [{"name": "train-version"}], "gate inputs")
check(templates["gate"]["container"]["args"][6] == "models promote fare:{{inputs.parameters.train-version}} --to production",
      "gate command")
check(spec["volumeClaimTemplates"][0]["metadata"]["name"] == "work", "volume")
for e in errors:
    print("FAIL argo:", e)
sys.exit(1 if errors else 0)
EOP
else
	for want in 'apiVersion: argoproj.io/v1alpha1' 'kind: Workflow' '  generateName: taxi-' '  entrypoint: taxi' \
		'          - name: evalstats' '            dependencies: \["evalload", "ingest"\]' \
		'        limit: "2"' '        image: "{{workflow.parameters.image}}"'; do
		grep -q "^$want\$" "$tmp/wf.yaml" || FAIL "no line '$want'"
	done
fi
exit $fail
