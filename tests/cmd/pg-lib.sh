# Helpers of the tests that need a PostgreSQL server, sourced by them (not a
# test itself): pg_start starts a throwaway server (tests/cmd/pg-server.sh) and
# sets PG_URI; pg_stop stops it.  A test whose server cannot start exits
# 77, saying why.
. tests/cmd/pg-server.sh
pg_server_find || { echo "$pg_why: skipped"; exit 77; }
pg_start() {
	pg_server_start || { echo "$pg_why: skipped"; pg_stop; exit 77; }
}
