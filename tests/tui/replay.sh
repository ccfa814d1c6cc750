#!/bin/sh
# A workbench session saved with :save-log replays headless to the same
# workspace: keys load a file, filter it (a recorded `load --sql`), open
# its overview (a recorded `stats`) and save the log; `prodml -f LOG` on a
# fresh workspace must then list the same datasets with the same content
# fingerprints, and the log must hold exactly the commands the keys ran.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
. "$src/tests/tui/lib.sh"
tui_scratch replay

keys=':load trips tests/fixtures/cmd/trips.csv<Enter>'
keys="$keys"'<Enter>ffare > 7<Enter>o'
keys="$keys"':load natality datasets/natality/natality.csv<Enter>'
keys="$keys"':save-log session.log<Enter>'
fail=0
run_session replay.sh 4 "$keys"
cat >expected.log <<'LOG'
# prodml session log: `prodml -f FILE` replays it
load trips tests/fixtures/cmd/trips.csv
load trips_filtered --sql 'SELECT * FROM trips WHERE fare > 7'
stats trips_filtered
load natality datasets/natality/natality.csv
LOG
check_session_log replay.sh
# name, rows, columns, fingerprint and source; not the creation time
state() {
	"$prodml" -W "$1" -o csv -c datasets | cut -d, -f1-5
}
state ws1 >state1
state ws2 >state2
if ! diff -u state1 state2; then
	echo "replay.sh: the replayed workspace differs"
	fail=1
fi
# and the filter kept the right rows: fares 12.5, 7.25 and 31 of trips.csv
grep -q '^trips_filtered,3,6,' state2 || {
	echo "replay.sh: trips_filtered should have 3 rows:"
	cat state2
	fail=1
}
exit $fail
