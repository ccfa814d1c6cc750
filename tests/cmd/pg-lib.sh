# Helpers of the tests that need a PostgreSQL server, sourced by them (not a
# test itself): pg_start starts a throwaway server from Debian's packages
# (initdb into a temporary directory, a Unix socket there, no TCP port, as
# the postgres user when the test runs as root, since the server refuses
# root) and sets PG_URI; pg_stop stops it.  A test whose server cannot
# start exits 77, saying why.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || pg_bin=$(dirname "$(command -v initdb 2>/dev/null || echo /none/initdb)")
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL not found (apt-get install postgresql): skipped"; exit 77; }
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/prodml-pg.XXXXXX") || exit 99
pg_as=""
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || { echo "no postgres user to run the server as: skipped"; exit 77; }
	chown postgres "$pg_dir"
	pg_as="runuser -u postgres --"
fi
pg_stop() {
	[ -f "$pg_dir/data/postmaster.pid" ] && $pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$pg_dir"
}
pg_start() {
	$pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U prodml --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 ||
		{ echo "initdb failed: $(tail -3 "$pg_dir/initdb.log"): skipped"; pg_stop; exit 77; }
	$pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
		-o "-k $pg_dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null 2>&1 || { echo "the server did not start: $(tail -3 "$pg_dir/server.log"): skipped"; pg_stop; exit 77; }
	PG_URI="postgresql:///postgres?host=$pg_dir&user=prodml"
}
