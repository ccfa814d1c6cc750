# args: --keep-going
# aliases, the promotion gate both ways, forced promotion, rollback and the
# alias history (run by registry.sh with USER=tester)
load sp datasets/spending/spending.csv
split sp --by-row --ratios 75,25 --names train,eval
load spb --sql "SELECT *, Spending_Score = 'High' AS high FROM sp_train"
load spbe --sql "SELECT *, Spending_Score = 'High' AS high FROM sp_eval"
train high --data spb --eval spbe --label high --features Graduated,Profession --epochs 2 --seed 1
train high --data spb --eval spbe --label high --features Graduated,Profession,Work_Experience,Family_Size --epochs 3 --seed 1
train high --data spb --eval spbe --label high --features Family_Size --epochs 1 --seed 1
models show high
models policy high
# no holder yet: the first promotion passes on an empty policy
models promote high:1 --reason "first release"
# 2 beats 1 on auc (0.815982 > 0.808634): promoted
models promote high:2
# 3 is worse than 2: refused, production stays at 2
models promote high:3
models show high
models policy high min_improvement 0.01
models policy high floor auc 0.6
models policy high slice_floor Graduated=Yes auc 0.79
models policy high
# 1 against 2: worse by 0.00734793 and below the slice floor on Graduated=Yes (0.782319)
models promote high:1
# on staging (no holder) only the floors count: 1 fails its slice floor, 2 passes
models promote high:1 --to staging
models promote high:2 --to staging
# every check fails; --force promotes and records the override
models promote high:3 --force --reason "hotfix for the demo"
models show high
models rollback high --reason "demo over"
models rollback high
models rollback high
models alias high:3 canary
models alias high:2 canary
models alias high canary --delete
models history high
models history high --alias staging
models policy high floor auc --delete
models policy high
# errors
models promote high:2
models promote high:9
models promote high
models promote nosuch:1
models promote high:2 --to 'bad alias'
models alias high:1 'bad alias'
models alias high canary --delete
models rollback high --alias canary
models rollback high --alias nosuch
models rollback nosuch
models policy high floor speed 1
models policy high slice_floor Graduated auc 0.5
models policy high min_improvement x
models policy high min_improvement -1
models policy high bogus 1
models policy high floor rmse --delete
models history nosuch
# multi-class: accuracy is the primary metric in train's output, `models`,
# `models show` and the gate alike (auc is a macro average, shown second)
train spend --data sp_train --eval sp_eval --label Spending_Score --epochs 2 --seed 1
train spend --data sp_train --eval sp_eval --label Spending_Score --features Graduated,Profession --epochs 2 --seed 1
models
models show spend
models promote spend:1
models promote spend:2
