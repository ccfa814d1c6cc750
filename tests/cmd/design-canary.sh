#!/bin/sh
# design apply with a canary: the design's server serves the newest
# version beside the current one (serve --split), with the design's share
# of the requests; the apply says what it started.  100 requests that name
# no version go 90 to version 1 and 10 to version 2 (the split's weighted
# turns are exact over a cycle of 100), as the request log records them.
# Applying again changes nothing; a canary with nothing to run beside, or
# over batch inference, is refused with the fix.
. "$srcdir/tests/cmd/serve-lib.sh"
. "$srcdir/tests/cmd/ws-lib.sh"

pm -c "load n datasets/natality/natality.csv
	load k --sql 'SELECT rowid AS id, * FROM n'
	train w --data k --label weight_pounds --features is_male,mother_age --epochs 1
	design new one --model w --data k
	design set one canary 10" >/dev/null || { echo "FAIL setup"; exit 1; }
# one version: nothing to run beside
out=$(pm design apply one --dry-run 2>&1)
[ "$out" = "prodml: design one: canary 10 serves the newest version, w:1, beside the current one, but there is no other version (train a new version, or \`design set one canary 0\`)" ] ||
	failed "one version: $out"

pm -c "train w --data k --label weight_pounds --features is_male,mother_age,gestation_weeks --epochs 1
	design new cn --model w --data k
	design set cn canary 10
	design set cn port 0" >/dev/null || failed "setup cn"
out=$(pm design apply cn --dry-run | tail -1)
[ "$out" = "serve w --split 1=90,2=10 --port 0 --detach" ] || failed "dry run: $out"

out=$(pm design apply cn) || { echo "FAIL apply: $out"; exit 1; }
line=$(echo "$out" | tail -1)
SID=$(echo "$line" | sed -n 's/^server \([0-9]*\): .*/\1/p')
URL=$(echo "$line" | sed -n 's/^server [0-9]*: \(http[^ ]*\) (pid .*/\1/p')
SPID=$(echo "$line" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
[ -n "$SID" ] && [ -n "$URL" ] && [ -n "$SPID" ] || { echo "FAIL apply said: $out"; exit 1; }
spids="$spids $SPID"
[ "$line" = "server $SID: $URL (pid $SPID), w split: version 1 takes 90% of the requests, the newest, 2, 10% (canary)" ] ||
	failed "report: $line"
[ "$(pm -o json design show cn | python3 -c 'import json,sys; a=json.load(sys.stdin)["design"]["applied"]; print(a["version"], a["current"], a["server"])')" = "2 1 $SID" ] ||
	failed "recorded: $(pm -o json design show cn)"

i=0
while [ $i -lt 100 ]; do
	req POST /v1/models/w:predict -d "{\"instances\":[{\"is_male\":\"true\",\"mother_age\":$((20 + i % 20)),\"gestation_weeks\":39}]}"
	[ "$CODE" = 200 ] || failed "request $i: $CODE $BODY"
	i=$((i + 1))
done
# stopped, so that its log is flushed into the table
pm serve stop "$SID" >/dev/null || failed "stop"
got=$(wsq "$tmp/ws" "SELECT version, COUNT(*) FROM requests WHERE server = $SID GROUP BY version ORDER BY version" | tr '\n' ' ')
[ "$got" = "1|90 2|10 " ] || failed "split of the requests: $got"
got=$(pm -o json servers --all | python3 -c "import json,sys; print([(v['version'], v['weight']) for s in json.load(sys.stdin)['servers'] if s['id'] == $SID for v in s['versions']])")
[ "$got" = "[(1, 90), (2, 10)]" ] || failed "server's versions: $got"
# the plan stays the same: applying again, with the server stopped, is refused until --replace
out=$(pm design apply cn --dry-run | tail -1)
[ "$out" = "serve w --split 1=90,2=10 --port 0 --detach" ] || failed "dry run again: $out"

# batch inference has no server to split; a share is a percentage
pm design set cn inference batch >/dev/null
out=$(pm design apply cn --dry-run 2>&1)
[ "$out" = "prodml: design cn: canary 10 splits a server's requests, but batch inference starts no server (\`design set cn inference online\`, or \`design set cn canary 0\`)" ] ||
	failed "batch: $out"
out=$(pm design set cn canary 100 2>&1)
[ "$out" = "prodml: design key canary: '100' is not a percentage of the requests, 0 to 99 (0: no canary)" ] ||
	failed "canary 100: $out"
exit $fail
