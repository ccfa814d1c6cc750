# args: --keep-going
# a version in detail: its description, its parent (the version holding
# production when it was registered), the metrics per slice that
# train --slice records (the same numbers evaluate --slice measures by its
# own pass over the data), the hyperparameters that apply
load taxi datasets/taxi/train.csv
split taxi --by-row --ratios 80,20 --names train,eval
train fare --data taxi_train --eval taxi_eval --label fare --features trip_miles,trip_seconds,payment_type --epochs 2 --seed 3 --slice payment_type --description "fare from distance, duration and payment"
evaluate fare:1 --data taxi_eval --slice payment_type
models show fare:1
models alias fare:1 production
train fare --data taxi_train --label fare --features trip_miles --model dnn --hidden 8 --optimizer sgd --epochs 1 --seed 3 --slice trip_start_day
models show fare:2
models compare fare:1 fare:2
# the slice column must be in the data the slices are measured on
train fare --data taxi_train --eval taxi_eval --label fare --slice nosuch
train fare --data taxi_train --eval taxi_eval --label fare --slice trip_start_timestamp
models show fare:3
# the promotion gate reads the slices recorded at training (Cash: rmse
# 15.2271 over the ceiling 15), even once the name taxi_eval holds other
# rows; --data measures again on the data named now
models policy fare slice_floor payment_type=Cash rmse 15
load taxi_eval --sql "SELECT * FROM taxi_train LIMIT 300"
models promote fare:1 --to staging
models promote fare:1 --to staging --data taxi_eval
# tags and the description change after registration; nothing else does
models tag fare:1 owner=ana stage=experiment
models tag fare@staging stage= team=pricing --description ""
models tag fare:2 --description "distance only"
models show fare:2
models tag fare:1 owner
models tag fare:1 =x
models tag fare:9 a=b
