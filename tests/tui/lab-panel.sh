#!/bin/sh
# The guided lab panel of the workbench (src/tui/labpanel.c): golden
# screens at 80x24 and 120x40 of a started lab, of the hint a failed check
# shows, and of ! running the step's command; then a guided session is
# saved with save-log and replayed headless (`prodml -f`), where the same
# checks pass and `lab status` shows the same steps done.  PRODML_BLESS=1
# rewrites the golden files.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
. "$src/tests/tui/lib.sh"
tui_scratch labpanel
fail=0
START=':lab start guided --dir tests/fixtures/labs<Enter>'
WRONG=':load tiny_a --sql "SELECT * FROM tiny"<Enter>'
# check NAME SIZE KEYS: one golden screen, from a fresh workspace
check() {
	rm -rf ws
	"$prodml" -W ws --tui-dump "$2" --keys "$3" >out 2>&1
	echo "exit $?" >>out
	sed -E 's/20[2-9][0-9]-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g' out >actual
	expected=$src/tests/tui/$1.screen
	if [ "${PRODML_BLESS:-}" = 1 ]; then
		cp actual "$expected"
	elif ! diff -u "$expected" actual; then
		echo "lab-panel.sh: $1 differs (keys: $3)"
		fail=1
	fi
}
for size in 80x24 120x40; do
	check "lab-start-$size" "$size" "$START"
	# the student's own command, the one the step suggests: checked, and
	# the panel moves to step 2; then a wrong result: the check and its hint
	check "lab-hint-$size" "$size" "$START:load tiny tests/fixtures/labs/tiny.csv<Enter>$WRONG"
done
# ! runs the suggested command of each step: the last step is done
check lab-done-80x24 80x24 "$START!!!q"
# ! without a started lab says how to start one
check lab-none-80x24 80x24 "!"

# A guided session saved and replayed: ! is logged as the command it ran
# (not `lab next`, which would run the next step's on replay), the wrong
# attempt too (it worked as a command); the replay reaches the same
# progress, showing the same hint on the way.
rm -rf ws1 ws2
"$prodml" -W ws1 --tui-dump 80x24 --keys "$START!$WRONG:load tiny_a --sql \"SELECT * FROM tiny WHERE c = 'a'\"<Enter>:save-log session.log<Enter>" >screen 2>&1 ||
	{ echo "the guided session failed:"; cat screen; exit 1; }
cat >expected.log <<'LOG'
# prodml session log: `prodml -f FILE` replays it
lab start guided --dir tests/fixtures/labs
load tiny tests/fixtures/labs/tiny.csv
load tiny_a --sql 'SELECT * FROM tiny'
load tiny_a --sql 'SELECT * FROM tiny WHERE c = '\''a'\'''
LOG
if ! diff -u expected.log session.log; then
	echo "the saved log is not the commands the keys ran"
	fail=1
fi
"$prodml" -q -W ws2 -f session.log >replay.out 2>&1 || { echo "replay failed:"; cat replay.out; fail=1; }
grep -q '^lab> step 2 done: Keep the rows of class a$' replay.out || { echo "replay: $(cat replay.out)"; fail=1; }
grep -q "^     hint: Filter with WHERE c = 'a': three rows have it.$" replay.out ||
	{ echo "replay: no hint: $(cat replay.out)"; fail=1; }
for w in ws1 ws2; do
	"$prodml" -q -W $w lab status guided --dir tests/fixtures/labs | sed -E 's/ +(TIME|20[0-9-]+T[0-9:]+Z)$//' >status-$w
done
cat >status.want <<'ST'
lab guided: 2 of 3 steps done
STEP  DONE  TITLE                     HOW
   1  yes   Load                      guided
   2  yes   Keep the rows of class a  guided
   3  no    Their mean
ST
for w in ws1 ws2; do
	diff -u status.want status-$w || { echo "lab status in $w"; fail=1; }
done
exit $fail
