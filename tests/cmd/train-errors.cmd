# args: --keep-going
# every bad train/evaluate/job request gets a message naming the cause
load sp datasets/spending/spending.csv
train
train m --label Spending_Score
train m --data sp
train m --data nosuch --label x
train 'bad name' --data sp --label Spending_Score
train m --data sp --label nosuch
train m --data sp --eval nosuch --label Spending_Score
train m --data sp --label Spending_Score --model tree
train m --data sp --label Spending_Score --model linear
train m --data sp --label Family_Size --model logistic
train m --data sp --label Spending_Score --features Spending_Score,Family_Size
train m --data sp --label Spending_Score --features Family_Size,nosuch
train m --data sp --label Spending_Score --device cpu --gpus 0
train m --data sp --label Spending_Score --device tpu
train m --data sp --label Spending_Score --workers 0
train m --data sp --label Spending_Score --hidden 64,x
train m --data sp --label Spending_Score --hidden 8
train m --data sp --label Spending_Score --epochs 0
train m --data sp --label Spending_Score --optimizer rmsprop
train m --data sp --label Spending_Score --optimizer lbfgs --epochs 3
train m --data sp --label Spending_Score --optimizer lbfgs --no-cache
train m --data sp --label Spending_Score --max-iter 5 --batch 10
train m --data sp --label Spending_Score --optimizer adam --tol 1e-3
train m --data sp --label Spending_Score --model dnn --optimizer lbfgs
train m --data sp --label Spending_Score --model dnn --max-iter 5
train m --data sp --label Spending_Score --max-iter 0
train m --data sp --label Spending_Score --tol 2
train m --data sp --label Spending_Score --model wide-deep --wide-optimizer lbfgs
train m --data sp --label Spending_Score --epochs 5 --patience 3
train m --data sp --label Spending_Score --transform Profession=log1p
train m --data sp --label Spending_Score --transform Family_Size=bucketize:3:2
train m --data sp --label Spending_Score --transform Family_Size=wobble
train m --data sp --label Spending_Score --cross Profession
train m --data sp --label Spending_Score --positive High
train m --data sp --label Work_Experience --optimizer sgd --lr 100000
train --resume 99
train --resume x
train other --resume 1
train m --resume 1 --data sp
evaluate nosuch --data sp
evaluate m:1 --data sp
train m --data sp --label Spending_Score --epochs 1
train --resume 10
train --resume 9
evaluate m:7 --data sp
evaluate m@production --data sp
evaluate m:x --data sp
evaluate m --data sp --slice nosuch
load nolabel --sql "SELECT Graduated, Profession FROM sp"
evaluate m --data nolabel
evaluate m --data sp --threshold 2
models show nosuch
job show 5
job wait x
job cancel 1
train m --data sp --label Spending_Score --target auc
train m --data sp --label Spending_Score --target speed=1
train m --data sp --label Spending_Score --target auc=0.9
train m --data sp --label Spending_Score --schedule step:0
train m --data sp --label Spending_Score --schedule cosine:3
