#!/bin/sh
# serve --lookup: static serving answers a key from the precomputed table
# (the prediction `predict` gives that key's row), hybrid serving keeps the
# most frequent keys and computes the others; `servers` reports the table
# and its hit rate.  A key that does not determine the model's inputs (two
# rows of one key with different inputs) is refused: its table would give
# every row of the key the first row's prediction.
. "$srcdir/tests/cmd/serve-lib.sh"

pm -c "load n datasets/natality/natality.csv
	load k --sql 'SELECT rowid AS id, * FROM n'
	train w --data n --label weight_pounds --epochs 1
	predict w --data k --keys id --out $tmp/p.csv" >/dev/null || { echo "FAIL setup"; exit 1; }
pred() { sed -n "s/^$1,//p" "$tmp/p.csv"; }
# a row whose features are all missing, as `predict` scores it
printf 'id,is_male,mother_age,plurality,gestation_weeks\n0,,,,\n' >"$tmp/none.csv"
pm -c "predict w --file $tmp/none.csv --keys id --out $tmp/none-p.csv" >/dev/null || failed "predict none"
none=$(sed -n 's/^0,//p' "$tmp/none-p.csv")
row7=$(sed -n 9p datasets/natality/natality.csv) # id 7: the 8th data row
[ "$row7" = "10.0112,Unknown,42,Single(1),43" ] || failed "row 7: $row7"

start_server w --lookup id --lookup-data k
# a key alone is enough: the table answers
req POST /v1/models/w:predict -d '{"instances":[{"id":7},{"id":"19999"}]}'
expect static 200 "{\"predictions\":[$(pred 7),$(pred 19999)]}"
# a key outside the table is computed by the model from the features (those
# the row omits are missing)
req POST /v1/models/w:predict -d '{"instances":[{"id":123456}]}'
expect unknown-key 200 "{\"predictions\":[$none]}"
req POST /v1/models/w:predict -d '{"instances":[{"id":123456,"is_male":"Unknown","mother_age":42,"plurality":"Single(1)","gestation_weeks":43}]}'
expect computed 200 "{\"predictions\":[$(pred 7)]}"
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'id\n5\n6\n')"
expect csv-keys 200 "{\"predictions\":[$(pred 5),$(pred 6)]}"
req GET /metrics
for line in 'prodml_lookup_entries{model="w"} 20000' 'prodml_lookup_hits_total{model="w"} 4' \
	'prodml_lookup_misses_total{model="w"} 2'; do
	printf '%s\n' "$BODY" | grep -qxF "$line" || failed "metrics: no line '$line'"
done
static=$SID

# hybrid: only the 10 most frequent keys (all appear once: the first 10)
start_server w --lookup id --lookup-data k --lookup-size 10
req POST /v1/models/w:predict -d '{"instances":[{"id":9}]}'
expect hybrid-hit 200 "{\"predictions\":[$(pred 9)]}"
req POST /v1/models/w:predict -d '{"instances":[{"id":10}]}'
expect hybrid-miss 200 "{\"predictions\":[$none]}"
hybrid=$SID

# servers: the table's size and hit rate, once the statistics are written
n=0
until out=$(pm -o json servers) &&
	case $out in *'"lookup_hits":4,"lookup_misses":2,'*'"lookup_hits":1,"lookup_misses":1,'*) true ;; *) false ;; esac ||
	[ $n -ge 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
case $out in
*"\"id\":$static,"*'"lookup":"id","lookup_entries":20000,'*'"lookup_hits":4,"lookup_misses":2,'*'"lookup_hit_rate":0.6666666666666666'*) ;;
*) failed "servers (static): $out" ;;
esac
case $out in
*"\"id\":$hybrid,"*'"lookup":"id","lookup_entries":10,'*'"lookup_hits":1,"lookup_misses":1,'*'"lookup_hit_rate":0.5'*) ;;
*) failed "servers (hybrid): $out" ;;
esac

# a key that repeats with the same inputs determines them: the table is kept
pm -c "load kk --sql 'SELECT * FROM k UNION ALL SELECT * FROM k'" >/dev/null || failed "load kk"
start_server w --lookup id --lookup-data kk
req POST /v1/models/w:predict -d '{"instances":[{"id":7},{"id":19999}]}'
expect repeated-key 200 "{\"predictions\":[$(pred 7),$(pred 19999)]}"

# keys that do not determine the inputs: refused, naming the inputs and two rows
# (natality rows 1 and 2 are both Single(1), of other mothers and weeks)
out=$(pm serve w --lookup plurality --lookup-data k --port 0 --detach 2>&1)
[ "$out" = "prodml: serve: model w:1: --lookup plurality does not determine the model's inputs is_male, mother_age, gestation_weeks (rows 1 and 2 of dataset 'k' both have plurality 'Single(1)' and different inputs): a table of one prediction per key needs a key that fixes every input, such as an id" ] ||
	failed "plurality key: $out"
# taxi rows 2 and 3: trips of 17.17 and 16.97 miles of the same company
pm -c "load t datasets/taxi/train.csv
	train f --data t --label fare --features trip_miles,company --epochs 1" >/dev/null || failed "taxi setup"
out=$(pm serve f --lookup company --port 0 --detach 2>&1)
[ "$out" = "prodml: serve: model f:1: --lookup company does not determine the model's input trip_miles (rows 2 and 3 of dataset 't' both have company 'Taxi Affiliation Services, LLC' and different inputs): a table of one prediction per key needs a key that fixes every input, such as an id" ] ||
	failed "company key: $out"

# errors: a key column the dataset lacks
out=$(pm serve w --lookup nope --lookup-data k --port 0 2>&1)
[ "$out" = "prodml: serve: --lookup: dataset 'k' has no column 'nope'" ] || failed "bad key column: $out"
out=$(pm serve w --lookup-size 3 --port 0 2>&1)
[ "$out" = "prodml: serve: --lookup-data and --lookup-size go with --lookup" ] || failed "lookup-size alone: $out"
exit $fail
