# args: --keep-going
# workspace query reads the workspace's tables as the sqlite3 shell prints
# them (| between columns, NULL as nothing), as CSV and as JSON; it refuses
# anything but one SELECT, names an unknown table, and passes the
# database's own message for other errors.
load n datasets/natality/natality.csv
load k --sql 'SELECT mother_age, plurality FROM n WHERE mother_age < 16'
workspace query "SELECT name, rows, cols, source FROM datasets ORDER BY name"
workspace query "SELECT count(*), 2.5, NULL, 'a|b', json_extract('{\"x\":{\"y\":7}}', '$.x.y') FROM datasets"
workspace query "WITH d AS (SELECT name FROM datasets) SELECT d.name FROM d WHERE d.name LIKE 'K%'"
workspace query "SELECT name FROM datasets WHERE rows < 0"
set output csv
workspace query "SELECT name, rows, NULL AS missing FROM datasets ORDER BY name"
set output json
workspace query "SELECT name, rows, NULL AS missing FROM datasets ORDER BY name"
workspace query "SELECT name FROM datasets WHERE rows < 0"
set output table
# writes, refused before they run or by the database
workspace query "DELETE FROM datasets"
workspace query "insert into datasets(name) values ('x')"
workspace query "WITH d AS (SELECT 1) DELETE FROM datasets"
workspace query "PRAGMA user_version = 9"
workspace query "SELECT 1; DROP TABLE datasets"
workspace query "  -- nothing
"
# the datasets are all still there
workspace query "SELECT count(*) FROM datasets"
workspace query "SELECT * FROM nosuch"
workspace query "SELEC name FROM datasets"
workspace query "SELECT nocolumn FROM datasets"
workspace query
