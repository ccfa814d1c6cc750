# classification: the model type follows the label; metrics of evaluate
load sp datasets/spending/spending.csv
split sp --by-row --ratios 75,25 --names train,eval
train spend --data sp_train --eval sp_eval --label Spending_Score --epochs 5
evaluate spend --data sp_eval --slice Graduated
load spb --sql "SELECT *, Spending_Score = 'High' AS high FROM sp_train"
load spbe --sql "SELECT *, Spending_Score = 'High' AS high FROM sp_eval"
train high --data spb --eval spbe --label high --features Graduated,Profession,Work_Experience,Family_Size --epochs 5
evaluate high --data spbe --threshold 0.3
train highwd --data spb --eval spbe --label high --features Graduated,Profession,Work_Experience,Family_Size --model wide-deep --hidden 8 --cross Graduated*Profession:32 --epochs 3
models
train fast --data sp_train --eval sp_eval --label Spending_Score --epochs 50 --target accuracy=0.6
# an integer label with a few values is learned as a number: train says so
# and names the model that treats them as classes
train fam --data sp_train --label Family_Size --features Profession,Graduated --epochs 2
