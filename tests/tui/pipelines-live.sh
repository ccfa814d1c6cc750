#!/bin/sh
# The DAG of a run follows the run: opened while a step runs (a training
# of some seconds), it shows the step running; once the run's job ends
# (<WaitJobs>, time passing in the same session) the same view shows every
# step done, read again without a key.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
. "$src/tests/tui/lib.sh"
tui_scratch pipelive
fail=0
cat >slow.pipeline <<'EOP'
pipeline slow
step ingest : load taxi datasets/taxi/train.csv
step train  : train fare --data taxi --label fare --epochs 300 after ingest
step look   : models show fare after train
EOP
"$prodml" -q -W ws -c 'pipeline load slow.pipeline' >setup.log 2>&1 || { cat setup.log; exit 99; }
"$prodml" -q -W ws -o json -c 'pipeline run slow --detach' >>setup.log 2>&1 || { cat setup.log; exit 99; }
i=0
until "$prodml" -q -W ws -o json -c 'pipeline run show 1' | grep -q '"step":"train","state":"running"'; do
	i=$((i + 1))
	[ $i -lt 400 ] || { echo "train never ran"; "$prodml" -W ws -c 'pipeline run show 1'; exit 1; }
	sleep 0.05
done
# while train runs
"$prodml" -W ws --tui-dump 80x24 --keys '6<Enter><Enter>' >running 2>&1
grep -q '│ train  *running │' running || { echo "pipelines-live.sh: train not shown running:"; cat running; fail=1; }
grep -q '│ look  *waiting │' running || { echo "pipelines-live.sh: look not waiting:"; cat running; fail=1; }
# the same view, after the job ended
"$prodml" -W ws --tui-dump 80x24 --keys '6<Enter><Enter><WaitJobs>' >done 2>&1
for want in '^ pipeline slow run 1: done$' '│ ingest  *done │' '│ train  *done │' '│ look  *done │'; do
	grep -q "$want" done || { echo "pipelines-live.sh: no '$want' once the run ended:"; cat done; fail=1; }
done
exit $fail
