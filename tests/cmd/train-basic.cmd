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
# without --epochs a run stops when the held-out loss stops improving: on
# the --eval data, else on 10% of the training rows drawn from the seed
train bwauto --data nat_train --eval nat_eval --label weight_pounds
train bwhold --data nat_train --label weight_pounds --patience 3
