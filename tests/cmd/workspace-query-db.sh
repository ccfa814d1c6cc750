#!/bin/sh
# workspace query on whichever database the workspace is in (pg-suite.sh
# runs it again with PRODML_DB set): the same rows, a write refused by the
# database itself (a WITH that deletes passes the first-word check) with
# nothing changed, an unknown table named alike, and a syntax error
# carrying the message of the database that parsed it.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-query.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
failed() { echo "FAIL $*"; fail=1; }
pm() { "$P" -W "$tmp/ws" -q "$@"; }
q() { pm workspace query "$1" 2>&1; }

pm -c "load n datasets/natality/natality.csv; load k --sql 'SELECT mother_age, plurality FROM n WHERE mother_age < 16'" >/dev/null ||
	{ echo "FAIL setup"; exit 1; }
# 112 mothers under 16 (awk counts them from the file)
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "mother_age") c = i; next } $c != "" && $c < 16 { n++ } END { print n }' datasets/natality/natality.csv)
got=$(q "SELECT name, rows FROM datasets ORDER BY name")
[ "$got" = "k|$want
n|20000" ] || failed "datasets: $got"
got=$(q "SELECT count(*), sum(CASE WHEN rows > 1000 THEN 1 ELSE 0 END), max(max(rows), 30000), 1.5, NULL, 'x' FROM datasets")
[ "$got" = "2|1|30000|1.5||x" ] || failed "values: $got"
# group_concat (PostgreSQL's defined by prodml), over an ordered subquery
got=$(q "SELECT group_concat(name), group_concat(rows, ' ') FROM (SELECT name, rows FROM datasets ORDER BY name)")
[ "$got" = "k,n|$want 20000" ] || failed "group_concat: $got"
got=$(pm -o json workspace query "SELECT name, NULL AS none FROM datasets WHERE name = 'n'")
[ "$got" = '{"columns":["name","none"],"rows":[["n",null]]}' ] || failed "json: $got"

got=$(q "WITH d AS (SELECT 1) DELETE FROM datasets")
[ "$got" = "prodml: workspace query: read-only: a statement that writes may not run here; give one SELECT (or WITH .. SELECT) statement" ] ||
	failed "a WITH that deletes: $got"
if [ -n "${PRODML_DB:-}" ]; then
	# PostgreSQL lets a WITH hold the write; the READ ONLY transaction refuses it
	got=$(q "WITH d AS (DELETE FROM datasets RETURNING name) SELECT name FROM d")
	[ "$got" = "prodml: workspace query: read-only: a statement that writes may not run here; give one SELECT (or WITH .. SELECT) statement" ] ||
		failed "a WITH holding a DELETE: $got"
	syntax='PostgreSQL: syntax error at or near "SELEC"'
else
	syntax='SQLite: near "SELEC": syntax error'
fi
[ "$(q "SELECT count(*) FROM datasets")" = 2 ] || failed "datasets after the refused writes: $(q "SELECT name FROM datasets")"
got=$(q "SELECT * FROM nosuch")
[ "$got" = "prodml: workspace query: no table nosuch in the workspace" ] || failed "unknown table: $got"
got=$(q "SELEC 1")
[ "$got" = "prodml: workspace query: $syntax" ] || failed "syntax error: $got"
pm workspace query "SELECT * FROM nosuch" 2>/dev/null
[ $? = 1 ] || failed "an unknown table's exit status"
pm workspace query "DELETE FROM datasets" 2>/dev/null
[ $? = 2 ] || failed "a write's exit status"
exit $fail
