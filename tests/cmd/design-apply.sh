#!/bin/sh
# design apply: --dry-run prints the pipeline and the commands; apply
# writes and loads the pipeline, adds its trigger, starts the server the
# design describes (a static lookup table here), and records the version
# it deployed.  The applied server answers a key with the prediction
# `predict` gives that key's row.  The table's estimated bytes equal the
# bytes the server measured for the table it built, and the hybrid hit
# rate comes from the keys the request log holds (ids 1 ×3, 2, 3: a table
# of the top key answers 3 of 5).
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load n datasets/natality/natality.csv
	load k --sql 'SELECT rowid AS id, * FROM n'
	train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1
	predict w --data k --keys id --out $tmp/p.csv" >/dev/null || { echo "FAIL setup"; exit 1; }
pred() { sed -n "s/^$1,//p" "$tmp/p.csv"; }

pm -c "design new st --model w --data k
	design set st keys id
	design set st serving static
	design set st port 0
	design set st training schedule 1h" >/dev/null || failed "design st"
out=$(pm design apply st --dry-run)
want="# $tmp/ws/designs/design-st.pipeline (would be written)
# design st: training schedule, static serving, online inference (\`design show st\`)
pipeline design-st
step train : train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --model linear
# commands (not run: --dry-run)
pipeline load $tmp/ws/designs/design-st.pipeline
pipeline trigger design-st --every 1h
serve w:1 --port 0 --lookup id --lookup-data k --detach"
[ "$out" = "$want" ] || failed "dry run: $out"
[ -e "$tmp/ws/designs/design-st.pipeline" ] && failed "dry run wrote the pipeline"

out=$(pm -o json design apply st) || { echo "FAIL apply: $out"; exit 1; }
SPID=$(echo "$out" | sed -n 's/.*"server":{[^}]*"pid":\([0-9]*\).*/\1/p')
URL=$(echo "$out" | sed -n 's/.*"server":{[^}]*"url":"\([^"]*\)".*/\1/p')
[ -n "$SPID" ] && [ -n "$URL" ] || { echo "FAIL apply result: $out"; exit 1; }
spids="$spids $SPID"
req POST /v1/models/w:predict -d '{"instances":[{"id":7},{"id":19999}]}'
expect applied-server 200 "{\"predictions\":[$(pred 7),$(pred 19999)]}"
for id in 1 1 2 1 3; do
	req POST /v1/models/w:predict -d "{\"instances\":[{\"id\":$id}]}"
	expect "key $id" 200 "{\"predictions\":[$(pred "$id")]}"
done
cmp -s "$tmp/ws/designs/design-st.pipeline" - <<EOF2 || failed "pipeline file: $(cat "$tmp/ws/designs/design-st.pipeline")"
# design st: training schedule, static serving, online inference (\`design show st\`)
pipeline design-st
step train : train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --model linear
EOF2
out=$(pm -o json pipeline list)
case $out in *'"name":"design-st","steps":1,'*) ;; *) failed "pipeline list: $out" ;; esac

# the design records what it deployed; its table estimate is the server's measurement
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
if command -v python3 >/dev/null 2>&1; then
	# the server writes its table's size with its statistics, shortly after it starts
	n=0
	until out=$(pm -o json design show st) &&
		[ "$(echo "$out" | py '"measured" in d["estimates"]["table"]')" = True ] || [ $n -ge 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(echo "$out" | py 'd["design"]["applied"]["version"]')" = 1 ] || failed "applied: $out"
	est=$(echo "$out" | py 'int(d["estimates"]["table"]["bytes"])')
	meas=$(echo "$out" | py 'd["estimates"]["table"]["measured"]["bytes"]')
	[ "$est" = "$meas" ] && [ "$est" = 771034 ] || failed "table bytes: estimated $est, measured $meas"
	# no load probe yet: the online serving estimate is the applied server's own figures
	# (6 requests answered above; it writes its statistics once a second)
	n=0
	until out=$(pm -o json design show st) &&
		[ "$(echo "$out" | py 'd["estimates"]["serving"].get("answered")')" = 6 ] || [ $n -ge 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	sid=$(echo "$out" | py 'd["design"]["applied"]["server"]')
	srv=$(pm -o json servers | py '[(s["p50_us"] / 1e3, s["p99_us"] / 1e3) for s in d["servers"] if s["id"] == '"$sid"'][0]')
	[ "$(echo "$out" | py '(d["estimates"]["serving"]["p50_ms"], d["estimates"]["serving"]["p99_ms"])')" = "$srv" ] ||
		failed "applied server's figures: $srv; $out"
	case $(echo "$out" | py 'd["estimates"]["serving"]["source"]') in
	"server $sid (applied, running): 6 requests;"*) ;;
	*) failed "serving source: $out" ;;
	esac
	# hybrid over the logged keys (the requests reach the log asynchronously)
	pm -c "design new hy --model w --data k; design set hy keys id; design set hy serving hybrid
		design set hy table_size 1" >/dev/null || failed "design hy"
	n=0
	until out=$(pm -o json design show hy) &&
		[ "$(echo "$out" | py 'd["estimates"]["hit_rate"]["keyed_rows"]')" = 7 ] || [ $n -ge 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	# 7 keyed rows: 7 and 19999 once, 1 three times, 2 and 3: the top key (1) takes 3
	[ "$(echo "$out" | py 'd["estimates"]["hit_rate"]["hit_rate"]')" = "$(python3 -c 'print(3/7)')" ] ||
		failed "hit rate: $out"
fi
# a probe of 100 rows: predicted and trained (one epoch, nothing registered)
out=$(pm -o json design probe st --rows 100) || failed "probe: $out"
case $out in *'"kind":"predict","model":"w","version":1,"rows":100,'*'"train":{"rows":100,'*) ;; *) failed "probe: $out" ;; esac
out=$(pm -o json models show w)
case $out in *'"version":2'*) failed "the probe registered a version: $out" ;; esac
out=$(pm -o json design show st)
case $out in *'"predict":{"id":1,"kind":"predict","version":1,"rows":100,'*'"source":"probe 1"'*) ;; *) failed "show after probe: $out" ;; esac
out=$(pm design probe st --rows 0 2>&1)
[ "$out" = "prodml: design probe --rows: 0 is not a number of rows, 1 or more" ] || failed "probe --rows 0: $out"
out=$(pm design list)
case $out in *"st    w      k     schedule  static   online     v1"*) ;; *) failed "design list: $out" ;; esac
exit $fail
