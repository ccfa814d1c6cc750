# args: -o json
# The figures of compare-taxi.cmd to full precision: payment_type 0.0961
# (Python gives 0.09609999999999996), company 0.024821641974038355,
# trip_miles KS 0.1172; TFDV's equal-width JSD of trip_miles is in jsd_tfdv
# (0.0800971802266682), jsd bins on train's deciles
load train datasets/taxi/train.csv
load serving datasets/taxi/serving.csv
compare train serving --feature payment_type
compare train serving --feature company
compare train serving --feature trip_miles
