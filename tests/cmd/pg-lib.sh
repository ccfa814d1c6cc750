# Helpers of the tests that need a PostgreSQL server, sourced by them (not a
# test itself): pg_start starts a throwaway server (tests/cmd/pg-server.sh) and
# sets PG_URI; pg_stop stops it.  A test whose server cannot start exits
# 77, saying why.
. tests/cmd/pg-server.sh
pg_server_find || { echo "$pg_why: skipped"; exit 77; }
pg_start() {
	pg_server_start || { echo "$pg_why: skipped"; pg_stop; exit 77; }
}
# prodml built with libpq, or the test skips
pg_need_libpq() {
	grep -q '^#define HAVE_LIBPQ 1' "${builddir:?}/config.h" || { echo "built without libpq: skipped"; pg_stop; exit 77; }
}
# psql (for the test's own look at the database), or the test skips
pg_need_psql() {
	[ -x "$pg_bin/psql" ] || { echo "psql not found beside initdb: skipped"; pg_stop; exit 77; }
}
