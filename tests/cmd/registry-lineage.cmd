# args: --keep-going
# lineage (dataset -> statistics -> schema -> run -> version -> servers) and
# compare, recorded and measured per slice; evaluate --slice measures the
# same slices by its own code
load taxi datasets/taxi/train.csv
split taxi --by-row --ratios 80,20 --names train,eval
stats taxi_train
train fare --data taxi_train --eval taxi_eval --label fare --features trip_miles,trip_seconds --epochs 2 --seed 3
train fare --data taxi_train --eval taxi_eval --label fare --features trip_miles,trip_seconds,payment_type --epochs 3 --seed 3 --lr 0.05
models lineage fare:1
models alias fare:2 production
models lineage fare@production
models compare fare:1 fare:2
models compare fare:1 fare@production --data taxi_eval --slice payment_type
evaluate fare:1 --data taxi_eval --slice payment_type
evaluate fare:2 --data taxi_eval --slice payment_type
# the name taxi_train now holds other data: lineage says so
load taxi_train --sql "SELECT * FROM taxi_eval"
models lineage fare:1
models compare fare:1 nosuch:1
models compare fare:1 fare:2 --slice payment_type
models compare fare:1 fare:2 --data taxi_eval --slice nosuch
models lineage fare:7
