#!/bin/sh
# A pipeline over the bundled taxi data (load, schema, validate, train,
# promote, and a branch of its own): a first run, a rerun that is all
# cached, one changed byte of the input file rerunning exactly the steps
# downstream of it, --no-cache, a failing step and its descendants, a
# `when` that skips a step, retries, the run records and lineage both ways.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-pipeline.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q -o json"
fail=0
FAIL() { echo "FAIL $*"; fail=1; }
# "step=state ..." of a run
states() {
	$P $W -c "pipeline run show $1" | grep -o '"step":"[^"]*","state":"[^"]*"' |
		sed 's/"step":"\([^"]*\)","state":"\([^"]*\)"/\1=\2/' | tr '\n' ' '
}
expect_states() { # RUN WANT
	got=$(states "$1")
	[ "$got" = "$2" ] || FAIL "run $1: got '$got', want '$2'"
}

cp datasets/taxi/train.csv "$tmp/train.csv"
D="--param data=$tmp/train.csv"
$P $W -c "pipeline load tests/fixtures/pipeline/taxi.pipeline" >"$tmp/o" || FAIL "load: $(cat "$tmp/o")"
$P $W -c "pipeline list" >"$tmp/o"
grep -q '^{"pipelines":\[{"name":"taxi","steps":7,"params":3,' "$tmp/o" || FAIL "list: $(cat "$tmp/o")"
$P $W -c "pipeline show taxi" >"$tmp/o"
grep -q '"order":\["ingest","schema","check","train","gate","evalload","evalstats"\]' "$tmp/o" ||
	FAIL "show: $(cat "$tmp/o")"

# 1: every step runs
$P $W -c "pipeline run taxi $D" >"$tmp/r1" || FAIL "run 1: $(cat "$tmp/r1")"
grep -q '^{"run":1,"pipeline":"taxi","state":"done"' "$tmp/r1" || FAIL "run 1: $(cat "$tmp/r1")"
expect_states 1 "ingest=done schema=done check=done train=done gate=done evalload=done evalstats=done "
$P $W -c "models show fare" | grep -q '"aliases":\["candidate"\]' || FAIL "the gate did not mark fare:1"

# 2: nothing changed: every step is cached, and nothing new is made
$P $W -c "pipeline run taxi $D" >"$tmp/r2" || FAIL "run 2: $(cat "$tmp/r2")"
expect_states 2 "ingest=cached schema=cached check=cached train=cached gate=cached evalload=cached evalstats=cached "
$P $W -c "models show fare" >"$tmp/o"
grep -q '"version":2' "$tmp/o" && FAIL "a cached run trained again"

# 3: one byte of the training file (a fare 16.50 -> 16.60) reruns exactly
# the steps downstream of it; the eval branch stays cached
sed -i '2s/^34,16.50,/34,16.60,/' "$tmp/train.csv"
cmp -s datasets/taxi/train.csv "$tmp/train.csv" && FAIL "the file did not change"
[ "$(cmp -l datasets/taxi/train.csv "$tmp/train.csv" | wc -l)" = 1 ] || FAIL "more than one byte changed"
$P $W -c "pipeline run taxi $D" >"$tmp/r3" || FAIL "run 3: $(cat "$tmp/r3")"
expect_states 3 "ingest=done schema=done check=done train=done gate=done evalload=cached evalstats=cached "
$P $W -c "models show fare" | grep -q '"version":2' || FAIL "run 3 made no fare:2"

# 4: --no-cache runs everything, --jobs 2 runs the two branches side by side
$P $W -c "pipeline run taxi $D --no-cache --jobs 2" >"$tmp/r4" || FAIL "run 4: $(cat "$tmp/r4")"
expect_states 4 "ingest=done schema=done check=done train=done gate=done evalload=done evalstats=done "

# 5: a step that fails stops its descendants, not the other branch
$P -W "$tmp/ws" -q -c "pipeline run taxi --param data=tests/fixtures/cmd/ragged.csv" >"$tmp/r5" 2>&1 &&
	FAIL "a failed run exited 0"
grep -q "^-c:1: pipeline taxi run 5: step ingest failed: tests/fixtures/cmd/ragged.csv:3:3: row has 2 fields, expected 3$" "$tmp/r5" ||
	FAIL "run 5: $(cat "$tmp/r5")"
expect_states 5 "ingest=failed schema=waiting check=waiting train=waiting gate=waiting evalload=cached evalstats=cached "
$P $W -c "pipeline run show 5" | grep -q '"step":"train","state":"waiting",[^}]*"message":"not run: step ingest failed"' ||
	FAIL "run 5: train does not say why it did not run"
$P $W -c "pipeline runs taxi" >"$tmp/o"
grep -q '^{"runs":\[{"run":5,"pipeline":"taxi","state":"failed",' "$tmp/o" &&
	grep -q '"failed_step":"ingest","message":"step ingest failed: tests/fixtures/cmd/ragged.csv:3:3: ' "$tmp/o" ||
	FAIL "runs: $(cat "$tmp/o")"

# 6: `when` false skips the gate; the rest is cached
$P $W -c "pipeline run taxi $D --param floor=0.99" >"$tmp/r6" || FAIL "run 6: $(cat "$tmp/r6")"
expect_states 6 "ingest=cached schema=cached check=cached train=cached gate=skipped evalload=cached evalstats=cached "
grep -q '"message":"when train.metrics.r2 > ${floor}: false"' "$tmp/r6" || FAIL "run 6: $(cat "$tmp/r6")"

# 7: retries: a step's own, and --retries for the others
cat >"$tmp/flaky.pipeline" <<EOP
pipeline flaky
step bad  : load r tests/fixtures/cmd/ragged.csv retries 2
step bad2 : load r2 tests/fixtures/cmd/ragged.csv
EOP
$P $W -c "pipeline load $tmp/flaky.pipeline" >/dev/null || FAIL "load flaky"
$P $W -c "pipeline run flaky --retries 1" >"$tmp/r7" 2>&1 && FAIL "flaky passed"
grep -q '"step":"bad","state":"failed",[^}]*"attempts":3,' "$tmp/r7" || FAIL "retries 2: $(cat "$tmp/r7")"
grep -q '"step":"bad2","state":"failed",[^}]*"attempts":2,' "$tmp/r7" || FAIL "--retries 1: $(cat "$tmp/r7")"
$P $W -c "pipeline run show 7" | grep -q '"log":"[^"]*--- attempt 3' || FAIL "the log lacks the attempts"

# the run record: inputs, outputs with fingerprints, the log
$P $W -c "pipeline run show 1" >"$tmp/s1"
fp=$($P $W -c "describe taxi_raw" | sed -n 's/.*"fingerprint":"\([0-9a-f]*\)".*/\1/p')
grep -q '"step":"ingest","state":"done",[^}]*"inputs":\[{"kind":"file","name":"'"$tmp"'/train.csv","fingerprint":"[0-9a-f]\{64\}"}\],"outputs":\[{"kind":"dataset","name":"taxi_raw","fingerprint":"[0-9a-f]\{16\}"}\]' "$tmp/s1" ||
	FAIL "run show 1 ingest: $(cat "$tmp/s1")"
grep -q '"outputs":\[{"kind":"model","name":"fare:1","fingerprint":"[0-9a-f]\{64\}"}\]' "$tmp/s1" ||
	FAIL "run show 1 train outputs"
grep -q '"command":"models alias fare:1 candidate"' "$tmp/s1" || FAIL "run show 1: \${train.version}"
grep -q '"log":"{\\"anomalies\\":\[\],\\"dataset\\":\\"taxi_raw\\"' "$tmp/s1" || FAIL "run show 1: the check's log"

# lineage up: the production model came from the training file through ingest
$P $W -c "pipeline lineage fare:2" >"$tmp/l"
grep -q '"kind":"model","name":"fare:2",.*"upstream":\[{"depth":1,"execution":[0-9]*,"run":3,"pipeline":"taxi","step":"train"' "$tmp/l" ||
	FAIL "lineage fare:2: $(cat "$tmp/l")"
grep -q '"depth":2,[^{]*"step":"ingest",[^[]*"inputs":\[{[^}]*"kind":"file","name":"'"$tmp"'/train.csv"' "$tmp/l" ||
	FAIL "lineage fare:2 reaches no file: $(cat "$tmp/l")"
grep -q '"downstream":\[{"depth":1,[^{]*"step":"gate"' "$tmp/l" || FAIL "lineage fare:2 down: $(cat "$tmp/l")"
# lineage down: the changed file fed taxi_raw, the schema, the check, fare:2 and the gate
$P $W -c "pipeline lineage $tmp/train.csv" >"$tmp/l"
for s in ingest schema check train gate; do
	grep -q "\"step\":\"$s\"" "$tmp/l" || FAIL "lineage of the file misses step $s: $(cat "$tmp/l")"
done
grep -q '"step":"evalstats"' "$tmp/l" && FAIL "lineage of the file reaches the eval branch"
grep -q '"name":"fare:2"' "$tmp/l" || FAIL "lineage of the file misses fare:2"
$P -W "$tmp/ws" -q -c "pipeline lineage taxi_eval" >"$tmp/l"
grep -q "^downstream (what it fed):$" "$tmp/l" && grep -q "^  pipeline taxi run 1 step evalstats: stats taxi_eval$" "$tmp/l" ||
	FAIL "lineage taxi_eval: $(cat "$tmp/l")"
# models lineage names the run and step that made a version: fare:1 by run
# 1 (run 2 only reused it from the cache), fare:2 by run 3; a version
# trained by hand has none
$P -W "$tmp/ws" -q -c "models lineage fare:1" >"$tmp/l"
grep -q '^made by pipeline taxi run 1, step train (`pipeline run show 1`)$' "$tmp/l" || FAIL "models lineage fare:1: $(cat "$tmp/l")"
$P $W -c "models lineage fare:2" >"$tmp/l"
grep -q '"pipeline":{"pipeline":"taxi","run":3,"step":"train","execution":[0-9]*,"finished":"[^"]*","run_state":"done"}' "$tmp/l" ||
	FAIL "models lineage fare:2: $(cat "$tmp/l")"
$P $W -c "train fare --data taxi_raw --label fare --epochs 1" >/dev/null || FAIL "train by hand"
v=$($P $W -c "models show fare" | grep -o '"version":[0-9]*' | sort -t: -k2 -n | tail -1 | cut -d: -f2)
$P -W "$tmp/ws" -q -c "models lineage fare:$v" >"$tmp/l"
grep -q '^made by pipeline' "$tmp/l" && FAIL "fare:$v was trained by hand: $(cat "$tmp/l")"
$P $W -c "models lineage fare:$v" | grep -q '"pipeline":null' || FAIL "models lineage fare:$v: not null"
exit $fail
