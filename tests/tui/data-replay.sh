#!/bin/sh
# The Data screen's schema and compare views record what they run: a
# session that infers a schema, validates serving data against it, raises
# a range from the anomaly (e), switches the environment (E), sets a skew
# baseline (b), compares (C) and opens one feature's distributions is
# saved with :save-log; the log holds exactly those commands, and
# `prodml -f LOG` on a fresh workspace leaves the same schema.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
. "$src/tests/tui/lib.sh"
tui_scratch data-replay

keys=':load taxi datasets/taxi/train.csv<Enter>:load serving datasets/taxi/serving.csv<Enter>'
keys="$keys"':schema infer taxi --ranges<Enter>q'
# serving's schema view: no schema of its name, so the picker; Enter takes taxi
keys="$keys"'/serving<Enter>v<Enter>'
# the first anomaly is trip_miles above its max: e offers the new max
keys="$keys"'e<Enter>Ebtaxi<Enter>'
# C compares with the baseline first; Enter on the top row (trip_miles)
keys="$keys"'C<Enter><Enter>:save-log session.log<Enter>'
fail=0
run_session data-replay.sh 10 "$keys"
cat >expected.log <<'LOG'
# prodml session log: `prodml -f FILE` replays it
load taxi datasets/taxi/train.csv
load serving datasets/taxi/serving.csv
schema infer taxi --ranges
validate serving --schema taxi
schema set taxi trip_miles max 37.69
validate serving --schema taxi
validate serving --schema taxi --env training
validate serving --schema taxi --env training --baseline taxi
compare taxi serving
plot hist taxi payment_type --vs serving
LOG
check_session_log data-replay.sh
for w in ws1 ws2; do
	"$prodml" -q -W "$w" -c "schema save taxi schema-$w.txt" >/dev/null 2>&1 || {
		echo "data-replay.sh: no schema taxi in $w"
		exit 1
	}
done
if ! diff -u schema-ws1.txt schema-ws2.txt; then
	echo "data-replay.sh: the replayed schema differs"
	fail=1
fi
# the edit landed: serving's largest trip, 37.69 miles, is the new max
# (the inferred one was training's 31.19), so only the label is missing
if ! grep -A3 '^feature trip_miles$' schema-ws2.txt | grep -q 'range min 0 max 37.69$'; then
	echo "data-replay.sh: trip_miles should range over [0, 37.69]:"
	grep -A3 '^feature trip_miles$' schema-ws2.txt
	fail=1
fi
"$prodml" -W ws2 -o csv -c 'validate serving --schema taxi' >anomalies 2>&1
if [ "$(cut -d, -f1,2 anomalies)" != "feature,type
tips,SCHEMA_MISSING_COLUMN" ]; then
	echo "data-replay.sh: after the edit only tips should be missing:"
	cat anomalies
	fail=1
fi
exit $fail
