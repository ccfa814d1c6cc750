# args: --keep-going
# Dataset names follow the rule of model names, and may not take SQLite's
# own names: each of these is refused before anything is read or stored.
load "" tests/fixtures/cmd/trips.csv
load " " tests/fixtures/cmd/trips.csv
load "a
b" tests/fixtures/cmd/trips.csv
load ../../etc tests/fixtures/cmd/trips.csv
load sqlite_master tests/fixtures/cmd/trips.csv
load SQLite_x --sql "SELECT 1 AS n"
load xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx tests/fixtures/cmd/trips.csv
load yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy tests/fixtures/cmd/trips.csv
load t tests/fixtures/cmd/trips.csv
split t --by-row --ratios 50,50 --names a,b/c
datasets
load t.v2-ok_1 tests/fixtures/cmd/trips.csv
