#!/bin/sh
# Runs the registry command scripts (tests/cmd/registry-*.cmd) with a fixed
# user name, since the alias history records who moved each alias.
set -u
status=0
for t in registry-gate registry-lineage registry-detail; do
	if USER=tester sh "${srcdir:?}/tests/cmd/run-cmd.sh" "tests/cmd/$t.cmd"; then
		echo "ok $t"
	else
		echo "FAIL $t"
		status=1
	fi
done
exit $status
