# train, evaluate and the registry on the bundled natality data
load nat datasets/natality/natality.csv
split nat --by-row --ratios 80,20 --names train,eval
train bw --data nat_train --eval nat_eval --label weight_pounds --epochs 3
evaluate bw --data nat_eval --slice plurality
train bw --data nat_train --eval nat_eval --label weight_pounds --model dnn --hidden 16 --epochs 2 --seed 7
models
models show bw
evaluate bw:1 --data nat_eval
jobs
