#!/bin/sh
# Golden screen tests of the workbench: each case replays a key sequence on
# a virtual screen (prodml --tui-dump WxH --keys KEYS) against a workspace
# loaded from tests/fixtures and datasets/, and compares the screen text
# (and, for some cases, the style of every cell) with tests/tui/NAME.screen.
# Creation times in the dataset list are masked.  PRODML_BLESS=1 rewrites
# the golden files; read their diff before committing them.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-tui.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
ln -s "$src/tests" "$tmp/tests" && ln -s "$src/datasets" "$tmp/datasets" || exit 99
cd "$tmp" || exit 99
TERM=xterm-256color
LC_ALL=C.UTF-8
export TERM LC_ALL
unset NO_COLOR PRODML_ASCII PRODML_WORKSPACE

# Runs and models for the Train and Models screens: small, seeded, quiet.
USER=tester
export USER
if ! "$prodml" -q -W ws -c 'load taxi datasets/taxi/train.csv; load trips tests/fixtures/cmd/trips.csv
train fare --data taxi --label fare --features trip_miles,trip_seconds --epochs 3 --seed 1
train fare --data taxi --label fare --features trip_miles --epochs 2 --seed 2 --lr 0.05
train tips --data taxi --label tips --features fare,trip_miles,trip_start_hour --epochs 6 --seed 3 --eval taxi' >setup.log 2>&1; then
	cat setup.log
	exit 99
fi

fail=0
# check NAME SIZE KEYS [prodml options...]: one golden screen
check() {
	name=$1 size=$2 keys=$3
	shift 3
	"$prodml" -W ws --tui-dump "$size" --keys "$keys" "$@" >out 2>&1
	echo "exit $?" >>out
	# times, artifact hashes and the timings of runs differ from run to run
	sed -E -e 's/20[2-9][0-9]-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g' \
		-e 's/20[2-9][0-9]-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/YYYY-MM-DDThh:mm:ssZ/g' \
		-e 's/artifact [0-9a-f]{64}.*/artifact HASH/' \
		-e 's/timing: .*/timing: masked/' out >actual
	expected=$src/tests/tui/$name.screen
	if [ "${PRODML_BLESS:-}" = 1 ]; then
		cp actual "$expected"
	elif [ ! -f "$expected" ]; then
		echo "missing $expected; actual screen:"
		cat actual
		fail=1
	elif ! diff -u "$expected" actual; then
		echo "screens.sh: $name differs (keys: $keys)"
		fail=1
	fi
}

# The list sorts by name: taxi, then trips.
for size in 80x24 120x40; do
	check "datasets-$size" "$size" ''
	check "sheet-$size" "$size" '<Enter>'
	check "overview-$size" "$size" 'o'
	check "help-$size" "$size" '<Enter>?'
	check "command-$size" "$size" ':show trips --rows 3<Enter>'
done

# The sheet: NA, quoted strings, bool; sorting puts missing values last.
check sheet-trips 80x24 'j<Enter>'
check sheet-sort-desc 80x24 'j<Enter>cfare<Enter>]'
check sheet-sort-asc 80x24 'j<Enter>llls'
check sheet-record 80x24 'j<Enter>jj<Enter>'
check sheet-search 80x24 '<Enter>/flash<Enter>n'
check sheet-scroll 80x24 '<Enter>$Gkk'
check sheet-styles 80x24 'j<Enter>jl' --tui-styles
# The overview: trips has every kind of feature, high missing and zero rates.
check overview-trips 80x24 'jo' --tui-styles
check overview-enter 80x24 'jojj<Enter>'
# The frame: a hidden tab, an unknown key, completion, errors, resize, mouse.
check tab-hidden 80x24 '4'
check unknown-key 80x24 'x'
check complete 80x24 ':des<Tab>tr<Tab>'
check complete-many 80x24 '<Enter>fpick<Tab>'
check complete-cycle 80x24 '<Enter>fpick<Tab><Tab><Tab>'
check column-jump 80x24 '<Enter>cdrop<Tab><Tab><Tab><Enter>'
check command-error 80x24 ':load x tests/fixtures/cmd/ragged.csv<Enter>'
check command-history 80x24 ':show trips<Enter>q:<Up>'
check too-small 80x24 '<Resize:70x20>'
check resize-back 80x24 '<Resize:70x20><Resize:100x30><Enter>'
check click-row 80x24 '<Click:3,4><Enter>'
check text-search 80x24 '<Enter>?/sort<Enter>'
PRODML_ASCII=1
export PRODML_ASCII
check ascii 80x24 'jo'
unset PRODML_ASCII
LC_ALL=C
check ascii-c-locale 80x24 'j<Enter>]'
LC_ALL=C.UTF-8
check bad-size 80x24x ''
check bad-key 80x24 '<Bogus>'

# The Train screen: runs newest first, a run's curves, keys without a job.
for size in 80x24 120x40; do
	check "train-runs-$size" "$size" '2'
	check "train-run-$size" "$size" '2<Enter>'
	check "models-$size" "$size" '3'
	check "models-versions-$size" "$size" '3<Enter>'
	check "models-detail-$size" "$size" '3j<Enter><Enter>'
done
check train-run-fare 80x24 '2jj<Enter>'
check train-cancel-none 80x24 '2c'
check train-new 80x24 '2n'
check train-help 80x24 '2<Enter>?'
check models-mark-one 80x24 '3<Enter><Space>C'
check models-promote-list 80x24 '3p'

# Cases that change the workspace run on a copy of it.
cp -R ws ws.orig
check filter 80x24 '<Enter>ffare > 100<Enter>'
rm -rf ws && cp -R ws.orig ws
check filter-twice 80x24 '<Enter>ffare > 100<Enter>ftips > 0<Enter>'
rm -rf ws && cp -R ws.orig ws
check filter-error 80x24 '<Enter>ffre > 1<Enter>'
check drop 80x24 'jdy'
rm -rf ws && cp -R ws.orig ws
check drop-cancel 80x24 'jdn'
# Registry actions run as commands; their output (the gate's verdict) shows.
check models-promote 80x24 '3<Enter>p'
rm -rf ws && cp -R ws.orig ws
check models-promoted 80x24 '3<Enter>pq'
rm -rf ws && cp -R ws.orig ws
check models-compare 80x24 '3<Enter><Space><Space>C'
check models-rollback 80x24 '3<Enter>pqjpqr'
rm -rf ws && cp -R ws.orig ws
exit $fail
