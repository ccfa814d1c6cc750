# args: --keep-going
# One rule for text on every path in: no NUL byte, valid UTF-8.  load,
# predict --file and load --sql refuse the same values with the same words,
# so nothing that one path takes is a file that load refuses after export.
load t tests/fixtures/cmd/nul-utf8.csv
load t tests/fixtures/cmd/nul-utf8.csv --skip-bad --rejects r.csv
load r r.csv
show r
train m --data t --label fare --features company --epochs 1
predict m --file tests/fixtures/cmd/nul-utf8.csv --out p.csv --rejects pr.csv
load pr pr.csv
show pr --columns line,reason
load q --sql "SELECT 'a' || char(0) || 'b' AS s, 1 AS n"
load q --sql "SELECT 1 AS n, x'ff' AS b"
load q --sql "SELECT 'caf' || char(233) AS s"
export q q.csv
load q2 q.csv
show q2
