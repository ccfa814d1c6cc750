#!/bin/sh
# A workspace in PostgreSQL (-W postgresql://..?artifacts=DIR) and the move
# of a SQLite workspace into one (`workspace migrate --to`): every row
# copied with its id (datasets, versions, the alias history, the audit),
# the artifacts copied, predictions of the moved model equal to the
# original's, a new version and run numbered after the copied ones, and
# the errors for a URI without artifacts= and for a target that is not
# empty.
set -u
cd "${srcdir:?}" || exit 99
. tests/cmd/pg-lib.sh
pg_need_libpq
pg_start
P=${PRODML:?}
tmp=$pg_dir/t
mkdir -p "$tmp"
trap pg_stop EXIT
fail=0
failed() { echo "FAIL $*"; fail=1; }
unset PRODML_DB PRODML_WORKSPACE
export USER=tester
PGW="postgresql:///postgres?host=$pg_dir&user=prodml"
sq() { "$P" -W "$tmp/sq" -q "$@"; }
pg() { "$P" -W "$PGW&artifacts=$tmp/pg" -q "$@"; }

sq -c "load taxi datasets/taxi/train.csv
	train fare --data taxi --label fare --model linear --features trip_miles,trip_seconds
	train fare --data taxi --label fare --model linear --features trip_miles
	models promote fare:1 --to production --reason first
	models promote fare:2 --to production --force --reason second
	schema infer taxi --as taxi
	predict fare@production --data taxi --out $tmp/a.csv" >/dev/null || { echo "FAIL setup"; exit 1; }

# a PostgreSQL workspace names its files' directory
"$P" -W "$PGW" -q -c datasets >"$tmp/o" 2>&1 && failed "a URI without artifacts="
[ "$(cat "$tmp/o")" = "-c:1: a PostgreSQL workspace names the directory of its files, which every host mounts: $PGW&artifacts=DIR" ] ||
	failed "without artifacts=: $(cat "$tmp/o")"

sq -o json -c "workspace migrate --to '$PGW&artifacts=$tmp/pg'" >"$tmp/m" || failed "migrate: $(cat "$tmp/m")"
grep -q '"datasets":1,' "$tmp/m" && grep -q '"versions":2,' "$tmp/m" && grep -q '"alias_events":2[,}]' "$tmp/m" &&
	grep -q '"artifacts_copied":[1-9]' "$tmp/m" || failed "migrate counts: $(cat "$tmp/m")"
# the same listing, the same history, the same predictions
for c in "datasets" "models" "models history fare" "schema show taxi"; do
	[ "$(sq -c "$c")" = "$(pg -c "$c")" ] || failed "$c differs: $(sq -c "$c") / $(pg -c "$c")"
done
pg -c "predict fare@production --data taxi --out $tmp/b.csv" >/dev/null || failed "predict on PostgreSQL"
cmp -s "$tmp/a.csv" "$tmp/b.csv" || failed "predictions differ"
# new rows continue after the copied ids
pg -o json -c "train fare --data taxi --label fare --model linear --features trip_seconds" >"$tmp/t" || failed "train"
grep -q '"version":3,"run":3,' "$tmp/t" || failed "the new version: $(head -c 200 "$tmp/t")"
# a second copy into it is refused, and changes nothing
sq -c "workspace migrate --to '$PGW&artifacts=$tmp/pg'" >"$tmp/o" 2>&1 && failed "a second migrate"
[ "$(cat "$tmp/o")" = "-c:1: workspace migrate: the target workspace $tmp/pg already holds datasets: copy into an empty one" ] ||
	failed "second migrate: $(cat "$tmp/o")"
[ "$(pg -o json -c models | grep -o '"versions":[0-9]*')" = '"versions":3' ] || failed "versions after: $(pg -c models)"
exit $fail
