#!/bin/sh
# serve: one meaning of missing.  The same four rows, with missing string
# and numeric features, scored by `predict --file` (empty CSV fields) and
# sent to the server with each missing value as JSON null, as "", as each
# missing token of the data reader (NA, N/A, NaN, nan, null, NULL, " NA "),
# and with the key omitted, through TF Serving's instances and MLflow's
# dataframe_records; omitted columns through text/csv, dataframe_split and
# inputs: every prediction is the string `predict` printed, to the last
# digit.  serve --strict refuses an omitted feature with a 400 naming it.
. "$srcdir/tests/cmd/serve-lib.sh"

cat >"$tmp/rows.csv" <<'EOF'
is_male,mother_age,plurality,gestation_weeks
True,,Single(1),39
,30,Twins(2),
False,25,,40
,,,
EOF
pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --epochs 1
	predict w --file $tmp/rows.csv --out $tmp/p.csv" >/dev/null || { echo "FAIL setup"; exit 1; }
want=$(tail -n +2 "$tmp/p.csv" | tr '\n' ',' | sed 's/,$//')
want24=$(sed -n '3p;5p' "$tmp/p.csv" | tr '\n' ',' | sed 's/,$//')
[ "$(echo "$want" | tr ',' '\n' | sort -u | wc -l)" -eq 4 ] || failed "predict: $want"

# the rows as JSON objects, @ where a value is missing
cat >"$tmp/rows.tmpl" <<'EOF'
{"is_male":"True","mother_age":@,"plurality":"Single(1)","gestation_weeks":39}
{"is_male":@,"mother_age":30,"plurality":"Twins(2)","gestation_weeks":@}
{"is_male":"False","mother_age":25,"plurality":@,"gestation_weeks":40}
{"is_male":@,"mother_age":@,"plurality":@,"gestation_weeks":@}
EOF
# rows_as REPLACEMENT: the rows as a JSON list, @ replaced (omit: the key dropped)
rows_as() {
	if [ "$1" = omit ]; then
		sed -E -e 's/"[a-z_]+":@,?//g' -e 's/,\}/}/' "$tmp/rows.tmpl"
	else
		sed "s/@/$1/g" "$tmp/rows.tmpl"
	fi | tr '\n' ',' | sed -e 's/,$/]/' -e 's/^/[/'
}
[ "$(rows_as omit)" = '[{"is_male":"True","plurality":"Single(1)","gestation_weeks":39},{"mother_age":30,"plurality":"Twins(2)"},{"is_male":"False","mother_age":25,"gestation_weeks":40},{}]' ] ||
	failed "rows_as omit: $(rows_as omit)"

start_server w
for tok in null '""' '"NA"' '"N\/A"' '"NaN"' '"nan"' '"null"' '"NULL"' '" NA "' omit; do
	rows=$(rows_as "$tok")
	req POST /v1/models/w:predict -d "{\"instances\":$rows}"
	expect "tf-instances $tok" 200 "{\"predictions\":[$want]}"
	req POST /invocations -H 'Content-Type: application/json' -d "{\"dataframe_records\":$rows}"
	expect "mlflow-records $tok" 200 "{\"predictions\":[$want]}"
done
# lists in input order: null, "" and "NA" (a list has no key to omit)
req POST /v1/models/w:predict -d '{"instances":[["True",null,"Single(1)",39],["",30,"Twins(2)",""],["False",25,"NA",40],[null,"",""," NA "]]}'
expect tf-lists 200 "{\"predictions\":[$want]}"
# text/csv: empty fields and missing tokens
req POST /invocations -H 'Content-Type: text/csv' --data-binary @"$tmp/rows.csv"
expect csv-empty 200 "{\"predictions\":[$want]}"
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'is_male,mother_age,plurality,gestation_weeks\nTrue,NA,Single(1),39\nnull,30,Twins(2),N/A\nFalse,25,NaN,40\nNULL,nan, NA ,\n')"
expect csv-tokens 200 "{\"predictions\":[$want]}"
# rows 2 and 4 lack is_male and gestation_weeks: those columns omitted
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'plurality,mother_age\nTwins(2),30\n,\n')"
expect csv-omitted 200 "{\"predictions\":[$want24]}"
req POST /invocations -H 'Content-Type: application/json' -d '{"dataframe_split":{"columns":["mother_age","plurality"],"data":[[30,"Twins(2)"],[null,null]]}}'
expect split-omitted 200 "{\"predictions\":[$want24]}"
req POST /v1/models/w:predict -d '{"inputs":{"mother_age":[30,null],"plurality":["Twins(2)",null]}}'
expect tf-inputs-omitted 200 "{\"outputs\":[$want24]}"
req POST /invocations -H 'Content-Type: application/json' -d '{"inputs":{"mother_age":[30,""],"plurality":["Twins(2)","NA"]}}'
expect mlflow-inputs-omitted 200 "{\"predictions\":[$want24]}"

# --strict: an omitted feature is refused, naming it; null, "" and "NA" are still missing
start_server w --strict
req POST /v1/models/w:predict -d "{\"instances\":$(rows_as omit)}"
expect strict-tf 400 '{"error":"instances[0]: missing feature '"'mother_age'"'","field":"instances[0].mother_age"}'
req POST /invocations -H 'Content-Type: application/json' -d "{\"dataframe_records\":$(rows_as omit)}"
expect strict-records 400 '{"error":"dataframe_records[0]: missing feature '"'mother_age'"'","field":"dataframe_records[0].mother_age","error_code":"BAD_REQUEST","message":"dataframe_records[0]: missing feature '"'mother_age'"'"}'
req POST /invocations -H 'Content-Type: text/csv' --data-binary "$(printf 'plurality,mother_age\nTwins(2),30\n')"
expect strict-csv 400 '{"error":"CSV: missing feature column '"'is_male'"'","field":"is_male","error_code":"BAD_REQUEST","message":"CSV: missing feature column '"'is_male'"'"}'
for tok in null '""' '"NA"'; do
	req POST /v1/models/w:predict -d "{\"instances\":$(rows_as "$tok")}"
	expect "strict $tok" 200 "{\"predictions\":[$want]}"
done
exit $fail
