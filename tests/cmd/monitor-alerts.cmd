# Alerts a person can trust, on the bundled taxi data (datasets/README).
# serving.csv logged as traffic, train.csv the baseline: at the defaults
# (L-infinity 0.05, JSD over train's deciles 0.02, missing share 0.05,
# alpha 0.005 after Holm over every check) only the planted payment_type
# skew alerts: L-infinity 0.0961 at Cash (pandas value_counts: 0.5474 in
# train, 0.6435 in serving), chi-square p ~ 1e-12.  trip_miles (read 1.3
# times too long in serving) is significant but its JSD 0.0176 is under
# 0.02; trip_seconds, which TFDV's equal-width JSD puts at 0.3897 because of
# one training outlier of 77,280 s, is at 0.0006.  `compare` judges alike.
load train datasets/taxi/train.csv
load serving datasets/taxi/serving.csv
monitor ingest taxi --data serving
monitor taxi --baseline train
compare train serving
# A missing-share shift: the first 1000 rows of eval.csv (the same
# process as train.csv) with fare made missing in every fifth row (200 of
# 1000; never missing in train): missing share 0 -> 0.2, Fisher's exact
# p ~ 2e-217 (the hypergeometric sum over the 2x2 table 0 10000 / 200 800,
# computed independently in Python), so fare alerts on presence and nothing
# else alerts.
load ev datasets/taxi/eval.csv
load fm --sql "SELECT pickup_community_area, CASE WHEN rowid % 5 = 0 THEN NULL ELSE fare END AS fare, trip_miles, trip_seconds, payment_type, company FROM ev LIMIT 1000"
monitor ingest fmiss --data fm
monitor fmiss --baseline train
compare train fm
alerts
