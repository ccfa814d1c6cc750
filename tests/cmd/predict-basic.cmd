# predict: a dataset and the same file (read in small chunks) give the same
# predictions, bit for bit; their mean squared error, computed here by SQL
# from the output with the label passed through as a key, is evaluate's
# mse.  Predictions are shown to 9 significant digits: trained weights
# differ in the last bits from one CPU to another (OpenBLAS picks its
# kernels by CPU), so the 17 digits predict writes cannot be pinned.
load t datasets/taxi/train.csv
train m --data t --label tips --epochs 2
predict m --data t --out p_data.csv --keys tips
predict m --file datasets/taxi/train.csv --out p_file.csv --keys tips,company --chunk-bytes 100000
load pd p_data.csv
load pf p_file.csv
load pf3 --sql "SELECT tips, company, printf('%.9g', prediction) AS prediction FROM pf LIMIT 3"
show pf3
load check --sql "SELECT count(*) AS n, round(avg((prediction - tips) * (prediction - tips)), 9) AS mse FROM pd"
show check
evaluate m --data t
load same --sql "SELECT count(*) AS rows, sum(pd.prediction = pf.prediction) AS equal FROM pd JOIN pf ON pd.rowid = pf.rowid"
show same
# a classifier: the probability of the positive class and the class
load tt --sql "SELECT *, tips > 0 AS tipped FROM t"
train c --data tt --label tipped --features fare,payment_type --epochs 1
predict c --data tt --out pc.csv --keys fare,payment_type
load pc pc.csv
load pc4 --sql "SELECT fare, payment_type, printf('%.9g', prediction) AS prediction, class FROM pc LIMIT 4"
show pc4
load agree --sql "SELECT count(*) AS n, sum((prediction >= 0.5) = (class = 1)) AS consistent FROM pc"
show agree
