#!/bin/sh
# The registry, serving, monitoring, pipeline, designer and lab tests a
# second time with every workspace's database in PostgreSQL: a real server
# started here (tests/cmd/pg-lib.sh), PRODML_DB pointing at it, so each
# test's directory workspace keeps its tables in a schema of its own while
# its files stay in the directory.  Each test passes exactly as it does on
# SQLite (the same goldens).  Tests that look into the tables read them
# with `workspace query` (tests/cmd/ws-lib.sh), so they are here too, the
# concurrent writers (concurrency.sh) and the replicas behind nginx
# (serve-replicas.sh) among them; what is about SQLite's file itself (a
# full disk under it: disk-full.sh) is not.
set -u
cd "${srcdir:?}" || exit 99
. tests/cmd/pg-lib.sh
pg_need_libpq
pg_start
trap pg_stop EXIT
export PRODML_DB="$PG_URI"
tests="registry.sh registry-kill.sh registry-export.sh registry-detail.cmd registry-gate.cmd
	registry-lineage.cmd serve-errors.sh serve-lookup.sh serve-missing.sh serve-quant.sh
	monitor-alerts.cmd monitor-errors.cmd monitor-schema.cmd monitor-skew.cmd monitor-shifts.sh
	monitor-classifier.sh pipeline-basic.sh pipeline-errors.cmd pipeline-resume.sh
	pipeline-trigger.sh pipeline-exclusive.sh design-apply.sh design-errors.cmd design-show.cmd
	lab-format.cmd lab-guided.cmd lab-continuous-training.sh
	concurrency.sh serve-replicas.sh serve-reload.sh serve-api.sh serve-detach.sh serve-kill.sh
	serve-overflow.sh serve-memory.sh design-canary.sh design-freshness.sh design-hardware.sh
	design-probe-serve.sh design-apply-again.sh monitor-baseline.sh monitor-lab.sh train-jobs.sh
	train-dead.sh train-resume.sh train-resume-race.sh predict-basic.cmd workspace-gc.sh
	workspace-query-db.sh"
fail=0 n=0 skipped=0
for t in $tests; do
	n=$((n + 1))
	start=$(date +%s)
	case $t in
	*.cmd) USER=tester sh tests/cmd/run-cmd.sh "tests/cmd/$t" >"$pg_dir/$t.log" 2>&1 ;;
	*) USER=tester sh "tests/cmd/$t" >"$pg_dir/$t.log" 2>&1 ;;
	esac
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) echo "PASS $t on PostgreSQL (${secs} s)" ;;
	77) echo "SKIP $t: $(tail -1 "$pg_dir/$t.log")"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL $t on PostgreSQL (exit $rc):"; tail -15 "$pg_dir/$t.log"; fail=1 ;;
	esac
done
echo "$n tests on PostgreSQL, $skipped skipped"
exit $fail
