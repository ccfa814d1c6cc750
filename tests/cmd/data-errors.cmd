# args: --keep-going
# every bad input gets a message naming the file, line and field
load a tests/fixtures/cmd/no-such-file.csv
load a tests/fixtures/cmd/ragged.csv
load a tests/fixtures/cmd/latin1.csv
load a tests/fixtures/cmd/unterminated.csv
load a tests/fixtures/cmd/notnum.csv --types v=int
load a tests/fixtures/cmd/notnum.csv --types w=int
load a tests/fixtures/cmd/notnum.csv --types v=decimal
load a tests/fixtures/cmd/ragged.csv --skip-bad
show nosuch
load q --sql "SELECT * FROM nosuch"
load q --sql "DELETE FROM a"
load q tests/fixtures/cmd/trips.csv --sql "SELECT 1"
split a --by-row --ratios 50,40
split a --by b --by-row
split a --by nosuch
show a --rows -1
frobnicate
load a tests/fixtures/csv/empty.csv
load a tests/fixtures/cmd
