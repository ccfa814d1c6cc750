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
. "$src/tests/tui/lib.sh"
tui_scratch tui

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
	# times, model artifact ids and the timings of runs differ from run to run
	sed -E -e 's/20[2-9][0-9]-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g' \
		-e 's/20[2-9][0-9]-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/YYYY-MM-DDThh:mm:ssZ/g' \
		-e 's/ by ([^ ]+) on [^ ]+ \(prodml/ by \1 on HOST (prodml/' \
		-e 's/timing: .*/timing: masked/' -e "${live_mask:-}" out |
		awk -f "$src/tests/cmd/mask-artifacts.awk" >actual
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
check pipelines-empty 80x24 '6'
check unknown-key 80x24 'x'
check complete 80x24 ':desc<Tab>tr<Tab>'
check complete-many 80x24 '<Enter>fpick<Tab>'
# a command that is a command itself completes to its subcommands too
check complete-sub 80x24 ':models <Tab>'
check complete-sub-one 80x24 ':alerts <Tab>'
check complete-cycle 80x24 '<Enter>fpick<Tab><Tab><Tab>'
check column-jump 80x24 '<Enter>cdrop<Tab><Tab><Tab><Enter>'
check command-error 80x24 ':load x tests/fixtures/cmd/ragged.csv<Enter>'
check command-history 80x24 ':show trips<Enter>q:<Up>'
# the second result takes the place of the first; the tab's key goes back
# to the first view of the screen shown
check command-twice 80x24 ':show trips<Enter>:show taxi --rows 2<Enter>'
check tab-top 80x24 '<Enter>o1'
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
# the curves in ASCII: '*' at each epoch's value, '.' along the line between
PRODML_ASCII=1
export PRODML_ASCII
check train-run-ascii 80x24 '2<Enter>'
unset PRODML_ASCII
check train-cancel-none 80x24 '2c'
# The form of a new run (n): fields from train's options, pick lists with
# column types, checks beside the fields, the command it builds.
fill='2njj<Enter>j<Enter>j<Enter>a/trip_miles<Enter><Space><Space><Enter>'
for size in 80x24 120x40; do
	check "train-form-$size" "$size" '2n'
done
check train-form-label 80x24 '2njj<Enter>'
check train-form-features 80x24 "${fill%<Space><Enter>}"
check train-form-filled 80x24 "$fill"'/epochs<Enter>3<Enter>/seed<Enter>7<Enter>'
check train-form-eval 80x24 "$fill"'/eval<Enter><Enter>'
check train-form-error 80x24 "$fill"'/epochs<Enter>0<Enter>' --tui-styles
check train-form-required 80x24 '2nS'
check train-form-model 80x24 '2njj<Enter>/company<Enter><Enter>/model type<Enter><Enter>k<Enter>'
check train-form-dnn 80x24 "$fill"'/model type<Enter><Enter>jjj<Enter>'
check train-form-scroll 80x24 '2nG'
# a list of features wider than a line breaks after its commas, and the
# command shown is cut after a whole feature
many='2njj<Enter>j<Enter>j<Enter>a<Space><Space><Space><Space><Space><Space><Space><Space><Space><Enter>'
check train-form-long 80x24 "$many"'/seed<Enter>7<Enter>'
check train-form-long-120x40 120x40 "$many"'/seed<Enter>7<Enter>'
check train-form-more 120x40 '2nGk<Enter>'
check train-form-rejected 80x24 "$fill"'Gk<Enter>/target<Enter><Enter>foo<Enter>S'
check train-form-cancel 80x24 '2n<Esc>'
check train-form-help 80x24 '2n?'
check train-help 80x24 '2<Enter>?'
check models-mark-one 80x24 '3<Enter><Space>C'
check models-promote-list 80x24 '3p'
# Space marks a version in Models: the help lists it there, not as a page key
check models-help 100x40 '3<Enter>?'

# The Data screen's schema and compare views on taxi's training and serving
# data, against a schema inferred from training with ranges, L-infinity
# skew thresholds and the label left out of serving.  The list sorts serving
# first; the numbers on screen are those `validate` and `compare` print
# (payment_type: L-infinity 0.0961 at Cash).
if ! "$prodml" -q -W wsd -c 'load taxi datasets/taxi/train.csv; load serving datasets/taxi/serving.csv
schema infer taxi --ranges
schema set taxi payment_type skew linf 0.01
schema set taxi company skew linf 0.01
schema set taxi tips not_in_env serving' >setup-data.log 2>&1; then
	cat setup-data.log
	exit 99
fi
for size in 80x24 120x40; do
	check "data-schema-$size" "$size" 'v<Enter>' -W wsd
	check "data-compare-$size" "$size" 'jCserving<Enter>' -W wsd
	check "data-compare-detail-$size" "$size" 'jCserving<Enter>j<Enter>' -W wsd
done
check data-schema-picker 80x24 'v' -W wsd
check data-schema-anomaly 80x24 'v<Enter>j' -W wsd --tui-styles
check data-schema-baseline 80x24 'v<Enter>btaxi<Enter>j' -W wsd
check data-schema-env 80x24 'v<Enter>EE' -W wsd
check data-schema-feature 80x24 'v<Enter>/payment<Enter>' -W wsd
check data-schema-jump 80x24 'v<Enter><Enter>' -W wsd --tui-styles
check data-schema-no-column 80x24 'v<Enter>j<Enter>' -W wsd
check data-schema-edit 80x24 'v<Enter>e' -W wsd
check data-schema-help 80x24 'v<Enter>?' -W wsd
check data-compare-sorted 80x24 'jCserving<Enter>s' -W wsd
check data-compare-styles 80x24 'jCserving<Enter>j' -W wsd --tui-styles
check data-compare-numeric 80x24 'jCserving<Enter><Enter>' -W wsd
check data-compare-schema 80x24 'v<Enter>btaxi<Enter>C<Enter>' -W wsd --tui-styles
check data-compare-threshold 80x24 'jCserving<Enter>t<C-u>0.05<Enter>' -W wsd --tui-styles
# t edits both thresholds, labelled: the prompt holds L-infinity's and
# JSD's; at L-infinity 0.1 and JSD 0.01 trip_miles (JSD 0.01761, chi-square
# p 5.6e-26) is over and payment_type (L-infinity 0.0961) no longer.  Rows
# sort by distance over their own threshold, as `compare` does, so the
# rule parts them (and data-compare-detail opens trip_miles, second).
check data-compare-threshold-prompt 80x24 'jCserving<Enter>t' -W wsd
check data-compare-thresholds 80x24 'jCserving<Enter>t<C-u>0.1 0.01<Enter>' -W wsd
check data-compare-bad 80x24 'jCnope<Enter>' -W wsd
check data-compare-help 80x24 'jCserving<Enter>?' -W wsd
# C prefills `compare taxi serving` with serving selected: typing replaces
# it, End (or an arrow) keeps it and types after it
check prompt-selected 80x24 'v<Enter>btaxi<Enter>C' -W wsd --tui-styles
check prompt-replace 80x24 'v<Enter>btaxi<Enter>Cteval' -W wsd
check prompt-keep 80x24 'v<Enter>btaxi<Enter>C<End>_x' -W wsd
cp -R wsd wsd.orig
check data-schema-edited 80x24 'v<Enter>e<Enter>' -W wsd
rm -rf wsd && cp -R wsd.orig wsd
check data-schema-history 80x24 'v<Enter>e<Enter>EE:history<Enter>' -W wsd
rm -rf wsd && cp -R wsd.orig wsd
check data-schema-infer 80x24 'vi' -W wsd
rm -rf wsd && cp -R wsd.orig wsd

# Cases that change the workspace run on a copy of it.
cp -R ws ws.orig
check filter 80x24 '<Enter>ffare > 100<Enter>'
rm -rf ws && cp -R ws.orig ws
check filter-twice 80x24 '<Enter>ffare > 100<Enter>ftips > 0<Enter>'
rm -rf ws && cp -R ws.orig ws
check filter-error 80x24 '<Enter>ffre > 1<Enter>'
# the prompt names the dataset a filter makes, and says when it replaces one
check filter-prompt 80x24 '<Enter>f'
rm -rf ws && cp -R ws.orig ws
check filter-replaces 80x24 '<Enter>ffare > 100<Enter>qf'
rm -rf ws && cp -R ws.orig ws
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
# e, P, a, t, x and o prefill the command line for the version (or model):
# the alias and the file are selected, so typing replaces them; what runs
# is in the history
check models-evaluate 80x24 '3<Enter>e'
check models-predict 80x24 '3<Enter>P'
check models-alias 80x24 '3<Enter>a' --tui-styles
check models-tag 80x24 '3<Enter>t'
check models-export 80x24 '3<Enter>x'
check models-policy 80x24 '3<Enter>o'
check models-export-list 80x24 '3x'
check models-quantize 80x24 '3<Enter>I'
check models-export-c 80x24 '3<Enter>X'
check models-export-onnx 80x24 '3<Enter>O'
check models-actions 120x40 '3<Enter>abest<Enter>ttier=gold<Enter>qetaxi<Enter>:history<Enter>'
rm -rf ws && cp -R ws.orig ws
# Starting a run from the form: its live view comes at once (the job is
# still queued or running then: its state and numbers are masked), and once
# `job wait` returns the view shows the finished run; the history holds the
# command the form built.
live_mask='s/^( Runs › run 4) +(live, refreshing|done)$/\1  STATE/
s/^( run 4  fare  )(queued|running|done)  epoch [0-9]\/2(  version 3)?/\1STATE  epoch N\/2/
s/ +1 job running$//
/^ ETA /,/^ ws/{/^ ws/!d}'
check train-form-started 80x24 "$fill"'/epochs<Enter>2<Enter>S'
live_mask=
"$prodml" -q -W ws job wait 1 >/dev/null 2>&1
rm -rf ws && cp -R ws.orig ws
check train-form-done 80x24 "$fill"'/epochs<Enter>2<Enter>S:job wait 1<Enter>q'
rm -rf ws && cp -R ws.orig ws
check train-form-history 120x40 "$fill"'/epochs<Enter>2<Enter>S:job wait 1<Enter>q:history<Enter>'
rm -rf ws && cp -R ws.orig ws
# The Serve and Monitor screens, on a copy with fare:3 (fare:1's inputs and
# payment_type, which the monitor compares only because the model reads it)
# in production and a request log written by `monitor ingest`: 300 requests
# from 00:00, one per 12 s, then 300 from 01:00, one per 6 s, whose trips
# are three times longer and whose payment types lost "Cash" (so the last
# hour drifted).  By hand:
# the synthetic latencies 1.0..10.9 ms go round 6 times, so the nearest
# ranks 300, 540, 570 and 594 of 600 are p50 5.90, p90 9.90, p95 10.40 and
# p99 10.80; the windows of an hour hold 300 requests each; drift compares
# the last hour (from 00:29:54: 150 + 300 requests) with the 150 before;
# three-minute buckets hold 15 requests, then 30.
rm -rf wsm && cp -R ws.orig wsm
if ! "$prodml" -q -W wsm -c 'train fare --data taxi --label fare --features trip_miles,trip_seconds,payment_type --epochs 3 --seed 1
models promote fare:3 --to production
load early --sql "SELECT trip_miles, trip_seconds, payment_type FROM taxi LIMIT 300"
load late --sql "SELECT trip_miles * 3 AS trip_miles, trip_seconds, CASE WHEN payment_type = '"'Cash'"' THEN '"'Mobile'"' ELSE payment_type END AS payment_type FROM taxi LIMIT 300 OFFSET 300"
monitor ingest fare --data early --step-ms 12000 --start 2026-01-01T00:00:00 --version 3
monitor ingest fare --data late --step-ms 6000 --start 2026-01-01T01:00:00 --version 3' \
	>setup-monitor.log 2>&1; then
	cat setup-monitor.log
	exit 99
fi
cp -R wsm wsm.orig
check monitor-empty 80x24 '5'
for size in 80x24 120x40; do
	check "serve-empty-$size" "$size" '4' -W wsm
	check "monitor-$size" "$size" '5' -W wsm
	check "monitor-dash-$size" "$size" '5<Enter>' -W wsm
	rm -rf wsm && cp -R wsm.orig wsm
done
# the alerts the dashboard opened: the cursor on the second, then acked
check monitor-alert-cur 80x24 '5<Enter>j' -W wsm --tui-styles
check monitor-ack 80x24 '5<Enter>ja' -W wsm
check monitor-alerts 80x24 '5At' -W wsm
check monitor-alerts-ack 80x24 '5Aa' -W wsm
check monitor-features 80x24 '5<Enter>f' -W wsm
check monitor-diagnose 80x24 '5d' -W wsm
check monitor-window 80x24 '5<Enter>w<C-u>30m<Enter>' -W wsm
check monitor-window-bad 80x24 '5<Enter>w<C-u>soon<Enter>' -W wsm
# the window stays the model's for the session: back to the list and in again
check monitor-window-kept 80x24 '5<Enter>w30m<Enter>q<Enter>' -W wsm
check monitor-help 80x24 '5<Enter>?' -W wsm
check monitor-no-alerts 80x24 '5<Enter>aa' -W wsm
# a session of the dashboard saved and replayed headless: the same alerts
# open and acknowledged (ids, kinds, features, values, states)
rm -rf wsm && cp -R wsm.orig wsm
"$prodml" -W wsm --tui-dump 80x24 --keys '5<Enter>ajaqr<Enter>r:save-log monitor.log<Enter>' >out 2>&1
rm -rf wsm2 && cp -R wsm.orig wsm2
"$prodml" -q -W wsm2 -f monitor.log >replay.out 2>&1 || { cat replay.out; fail=1; }
for w in wsm wsm2; do
	"$prodml" -W "$w" -o csv -c 'alerts --all' | cut -d, -f1,3-5,7,8 >"alerts-$w"
done
if ! diff -u alerts-wsm alerts-wsm2 || [ "$(wc -l <alerts-wsm)" -lt 3 ]; then
	echo "screens.sh: the replayed monitor session left other alerts"
	cat monitor.log
	fail=1
fi
# Servers: one started from the screen on an ephemeral port (the port, pid
# and URL are masked), listed, stopped.  The trap stops it if a case fails.
rm -rf wsm && cp -R wsm.orig wsm
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
check serve-new 80x24 '4n' -W wsm
live_mask='s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g;s/pid [0-9]+/pid PID/g;s/port [0-9]+/port PORT/g
s/serve-[0-9]+\.log/serve-PID.log/g;s/^( +[0-9]+  [a-z]+ +[^ ]+ +[^ ]+ +)[0-9]+ /\1PORT /'
# (--keep-days 0: the server leaves these requests of 2026-01-01 unrolled)
check serve-started 80x24 '4n<C-w>0 --keep-days 0<Enter>' -W wsm
spid=$("$prodml" -W wsm -o json -c servers | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
for size in 80x24 120x40; do
	check "serve-$size" "$size" '4' -W wsm
done
check serve-help 80x24 '4?' -W wsm
check serve-monitor 80x24 '4<Enter>' -W wsm
check serve-stop-ask 80x24 '4s' -W wsm
check serve-stop 80x24 '4sy' -W wsm
spid=
check serve-all 80x24 '4a' -W wsm
check serve-stop-none 80x24 '4as' -W wsm
live_mask=
rm -rf wsm wsm2 wsm.orig

# The Pipelines screen on tests/fixtures/pipeline/demo.pipeline, run once:
# ingest and stats done, broken failed (a ragged file), report and publish
# not run after it, gate skipped (its `when` is false).  Seconds are masked.
rm -rf wsp && cp -R ws.orig wsp
"$prodml" -q -W wsp -c 'pipeline load tests/fixtures/pipeline/demo.pipeline' >setup-pipe.log 2>&1 || { cat setup-pipe.log; exit 99; }
"$prodml" -q -W wsp -c 'pipeline run demo' >>setup-pipe.log 2>&1
grep -q '^pipeline demo run 1: failed$' setup-pipe.log || { cat setup-pipe.log; exit 99; }
cp -R wsp wsp.orig
live_mask='s/[0-9]+\.[0-9]+s( |$)/N.NNs\1/g;s/  [0-9]+\.[0-9]{2}  /  N.NN  /g'
for size in 80x24 120x40; do
	check "pipelines-$size" "$size" '6' -W wsp
	check "pipelines-runs-$size" "$size" '6<Enter>' -W wsp
	check "pipelines-dag-$size" "$size" '6<Enter><Enter>' -W wsp
done
# the cursor on the failed step, then on the last one (the view scrolls)
check pipelines-dag-failed 80x24 '6<Enter><Enter>jj' -W wsp --tui-styles
check pipelines-dag-last 80x24 '6<Enter><Enter>G' -W wsp
PRODML_ASCII=1
export PRODML_ASCII
check pipelines-dag-ascii 80x24 '6<Enter><Enter>G' -W wsp
unset PRODML_ASCII
check pipelines-log 80x24 '6<Enter><Enter>jj<Enter>' -W wsp
check pipelines-help 80x24 '6<Enter><Enter>?' -W wsp
check pipelines-show 80x24 '6s' -W wsp
# resume and rerun from a key start jobs; every key ran a command: the
# history holds them, in order
check pipelines-history 80x24 '6<Enter>u:job wait 1<Enter>r:job wait 2<Enter>:history<Enter>' -W wsp
rm -rf wsp && cp -R wsp.orig wsp
live_mask=
rm -rf wsp wsp.orig
# The Design screen, on a workspace of its own: natality with an id column
# and an imported model (no run of its own, so no estimate rests on a
# timing and every figure holds on every CPU; see tests/cmd/design-show.cmd
# for the hand computations).  dyn has no key column, hyb serves id hybrid
# from a table of the top 100: 100 × 21 + 444 + 1024 = 3568 bytes; both cost
# 2 threads × 0.04 × 730 h = 58.4 a month, 1.92 per million predictions at
# 1e6 a day (dyn: "-", as it has no traffic of its own).
"$prodml" -q -W wsz -c 'load n datasets/natality/natality.csv
load k --sql '"'"'SELECT rowid AS id, * FROM n'"'"'
train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1 --seed 1
models export w:1 w.pml
models import w.pml --as imported
design new dyn --model imported --data k
design set dyn hardware cpu 2
design set dyn price.cpu_hour 0.04
design set dyn training schedule 6h
design new hyb --model imported --data k
design set hyb keys id
design set hyb serving hybrid
design set hyb table_size 100
design set hyb batching 32 2ms
design set hyb hardware cpu 2
design set hyb price.cpu_hour 0.04
design set hyb traffic 1000000
design set hyb monitor.drift 0.2' >setup-design.log 2>&1 || { cat setup-design.log; exit 99; }
rm -f w.pml
cp -R wsz wsz.orig
for size in 80x24 120x40; do
	check "design-$size" "$size" '7' -W wsz
	# the cursor on serve: the foot says where its figures came from
	check "design-diagram-$size" "$size" '7j<Enter>lllll' -W wsz
done
check design-diagram-styles 80x24 '7j<Enter>lllll' -W wsz --tui-styles
# the cursor on train: the foot gives each hardware choice's time per run,
# or, measured by nothing, the command that measures it
check design-train-hardware 120x40 '7j<Enter>lll' -W wsz
# static serving over no key column: the engine's refusal on the status line
check design-static-error 80x24 '7<Enter>s' -W wsz
# s cycles hyb's serving to dynamic: the serve box drops its table for the
# predict rate; the history holds the design set
check design-serving 80x24 '7j<Enter>s' -W wsz
rm -rf wsz && cp -R wsz.orig wsz
# the history holds what the user did (the two design sets), not the
# reads (design list, design show) that redrew the screens
check design-history 80x24 '7j<Enter>st:history<Enter>' -W wsz
rm -rf wsz && cp -R wsz.orig wsz
# Enter on the train box prefills `design set hyb training `
check design-set-prompt 80x24 '7j<Enter>lll<Enter>' -W wsz
check design-compare 80x24 '7<Space><Space>c' -W wsz
check design-compare-one 80x24 '7<Space>c' -W wsz
check design-help 80x24 '7j<Enter>?' -W wsz
rm -rf wsz wsz.orig
exit $fail
