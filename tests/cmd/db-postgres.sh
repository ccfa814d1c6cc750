#!/bin/sh
# The database interface's conformance sequence (tests/unit/test_db) again,
# against a real PostgreSQL server started here: the workspace's
# migrations, inserts that return their ids, INSERT OR IGNORE/REPLACE on
# the tables' keys, the types of values read back, transactions, blobs,
# the functions SQLite has, and BEGIN IMMEDIATE as a lock between two
# connections.
set -u
cd "${srcdir:?}" || exit 99
. tests/cmd/pg-lib.sh
pg_need_libpq
pg_start
PRODML_TEST_PG=$PG_URI "$builddir/tests/unit/test_db"
rc=$?
pg_stop
exit $rc
