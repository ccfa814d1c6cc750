# A throwaway PostgreSQL server from Debian's packages, for the tests
# (tests/cmd/pg-lib.sh) and the benchmarks (bench/registry, bench/reqlog);
# sourced, from the source root.  initdb into a temporary directory, a Unix
# socket there and no TCP port, durability off (a test's data is thrown
# away), and as the postgres user when run as root, since the server
# refuses root.  Each function returns 1 with the reason in pg_why when it
# cannot go on; the caller decides whether that skips a test or half a
# benchmark.
#   pg_server_find   sets pg_bin (the server's programs)
#   pg_server_start  sets pg_dir, PG_URI ("postgresql:///postgres?host=DIR&user=prodml")
#   pg_stop          stops the server and removes pg_dir
pg_dir="" pg_as="" pg_why=""
pg_server_find() {
	pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || pg_bin=$(dirname "$(command -v initdb 2>/dev/null || echo /none/initdb)")
	[ -x "$pg_bin/initdb" ] || { pg_why="PostgreSQL not found (apt-get install postgresql)"; return 1; }
}
pg_stop() {
	[ -n "$pg_dir" ] || return 0
	[ -f "$pg_dir/data/postmaster.pid" ] && $pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$pg_dir"
}
pg_server_start() {
	pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/prodml-pg.XXXXXX") || { pg_why="mktemp failed"; return 1; }
	pg_as=""
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { pg_why="no postgres user to run the server as"; return 1; }
		chown postgres "$pg_dir"
		pg_as="runuser -u postgres --"
	fi
	$pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U prodml --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 ||
		{ pg_why="initdb failed: $(tail -3 "$pg_dir/initdb.log")"; return 1; }
	$pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
		-o "-k $pg_dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null 2>&1 || { pg_why="the server did not start: $(tail -3 "$pg_dir/server.log")"; return 1; }
	PG_URI="postgresql:///postgres?host=$pg_dir&user=prodml"
}
