# args: --keep-going
# predict: rows that do not fit the model's serving schema go to the reject
# file with their row, line, reason and text; none are dropped silently.
load t datasets/taxi/train.csv
train m --data t --label tips --features fare,trip_miles,payment_type,company,trip_start_timestamp --epochs 1
predict m --file datasets/taxi/dirty.csv --out p.csv --keys pickup_community_area --rejects r.csv
load r r.csv
show r --columns row,line,reason
load p p.csv
# the fingerprint of the predictions rounded to 9 digits: their last bits
# differ from one CPU to another (OpenBLAS picks its kernels by CPU)
load p9 --sql "SELECT pickup_community_area, round(prediction, 9) AS prediction FROM p"
describe p9
# a dataset or a file that lacks the model's columns: one error naming them,
# and no output file
load nat datasets/natality/natality.csv
predict m --data nat --out q.csv
load q q.csv
predict m --file tests/fixtures/cmd/predict-no-company.csv --out q.csv
load q q.csv
# every row rejected: an error with the first reason, and nothing written
predict m --file tests/fixtures/cmd/predict-all-bad.csv --out q.csv
load q q.csv
load q q.csv.rejects.csv
# errors
predict m --out x.csv
predict m --data t --file datasets/taxi/dirty.csv --out x.csv
predict m --data t
predict nosuch --data t --out x.csv
predict m:9 --data t --out x.csv
predict m --data t --out x.csv --keys nope
predict m --file datasets/none.csv --out x.csv
predict m --file datasets/taxi/dirty.csv --out x.csv --chunk-bytes 10
predict m --data t --out p.csv --rejects p.csv
