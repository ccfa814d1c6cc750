# A lone CR ends a line (files from old Mac tools), as LF and CRLF do: every
# row is loaded and predicted, none dropped, and names carry no CR.
load cr tests/fixtures/cmd/cr-only.csv
show cr
schema infer cr
train m --data cr --label y --features x --epochs 1
predict m --file tests/fixtures/cmd/cr-only.csv --out p.csv
load p p.csv
load n --sql "SELECT count(*) AS rows, count(prediction) AS predicted FROM p"
show n
