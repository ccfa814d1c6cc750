# The bundled taxi data (datasets/README): serving.csv has a planted skew in
# payment_type.  Computed independently (Python: pandas value_counts over the
# non-missing values, scipy.stats.ks_2samp):
#   L-infinity of payment_type, train vs serving: 0.0961 at "Cash"
#     (0.5474 in train, 0.6435 in serving)
#   L-infinity of company, train vs serving: 0.024821641974038355 at
#     "Taxi Affiliation Services, LLC"
#   L-infinity of payment_type, train vs eval: 0.0064 at "Cash"
#   two-sample KS of trip_miles, train vs serving: 0.1172 (serving's miles
#     read 1.3 times too long)
#   mean trip_start_timestamp, to the minute (Python: the mean of the
#     parsed UTC times): 2014-12-30 06:02 in train, 06:28 in serving
# TFDV's numeric JSD (equal-width buckets) is in jsd_tfdv: trip_seconds
# 0.3897, fare 0.1752, pickup_longitude 0.1191, each from an outlier's range.
# jsd bins on train's deciles: trip_miles 0.0176, every other number under
# 0.002.  At the defaults (L-infinity 0.05, JSD 0.02, missing share 0.05,
# alpha 0.005 after Holm) compare flags payment_type alone; at 0.01 the
# trip_miles shift (chi-square p ~ 1e-25) is flagged too.  A skew threshold
# of 0.05 in the schema flags payment_type alone.
load train datasets/taxi/train.csv
load serving datasets/taxi/serving.csv
load eval datasets/taxi/eval.csv
compare train serving
compare train serving --threshold 0.01
compare train eval --feature payment_type
schema infer train --as taxi
schema set taxi tips not_in_env serving
schema set taxi payment_type skew linf 0.05
schema set taxi company skew linf 0.05
validate serving --schema taxi --env serving --baseline train
# Each distance's own threshold, over --threshold: L-infinity 0.1 leaves
# payment_type (0.0961) under it, JSD 0.01 puts trip_miles (0.01761) over.
compare train serving --threshold 0.5 --linf-threshold 0.1 --jsd-threshold 0.01
# A p-value smaller than a double holds prints as <1e-300, not 0: every
# trip paid in cash, against train's 54.74% (L-infinity 0.4526; chi-square
# about 5,850 on train's 10,000 rows and as many here, p about e^-2900).
load cash --sql "SELECT 'Cash' AS payment_type FROM train"
compare train cash
