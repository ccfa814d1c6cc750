# Helpers of the tests that look into a workspace's tables, sourced by them
# (not a test itself).  The workspace's database is SQLite in its directory,
# or PostgreSQL where PRODML_DB is set (tests/cmd/pg-suite.sh runs them so):
# reads go through prodml itself, so that they read either.
#
# wsq WS SQL: the rows of a read-only query in SQLite's dialect, printed as
# the sqlite3 shell prints them (`prodml workspace query`)
wsq() { "${PRODML:?}" -W "$1" -q workspace query "$2"; }

# ws_sql_client: whether the client that ws_sql needs is here (sqlite3, or
# psql for PostgreSQL), else says which is missing and fails
ws_sql_client() {
	if [ -n "${PRODML_DB:-}" ]; then
		command -v psql >/dev/null 2>&1 || { echo "psql not found"; return 1; }
	else
		command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not found"; return 1; }
	fi
}

# ws_sql WS SQL: a write that no prodml command makes (a row as an older
# prodml left it, an alert at a time in the past), in SQL that both
# databases accept: sqlite3 on SQLite's file, psql in the workspace's
# PostgreSQL schema (named by its file db-schema)
ws_sql() {
	if [ -n "${PRODML_DB:-}" ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$PRODML_DB" \
			-c "SET search_path = $(cat "$1/db-schema"), public; $2" >/dev/null
	else
		sqlite3 "$1/prodml.db" "$2"
	fi
}
