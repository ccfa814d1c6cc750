# args: --keep-going
# Monitoring the bundled taxi data (datasets/README): train.csv logged from
# 00:00:01 every 239 ms (ends 00:39:50.761), then serving.csv, with its
# planted skew, from 00:40:01.2 every 1200 ms (ends 01:20:00).  With a 40m
# window the last window holds exactly the serving rows and the one before
# exactly the training rows, so drift equals `compare train serving`.
# Computed independently (Python, pandas value_counts over non-missing values):
#   payment_type L-infinity train vs serving 0.0961 (drift),
#     train vs all logged rows 0.016017 (skew)
#   company L-infinity 0.024822 (drift), 0.004151 (skew)
# The serving rows are logged as version 2, the training rows as 1.
# Latencies: 1.0 + 0.1 k ms, k = n*37 mod 100 over 12000 requests, so every
# k 120 times; nearest rank p50 = rank 6000 -> k 49 -> 5.9 ms, p90 = rank
# 10800 -> k 89 -> 9.9, p95 = rank 11400 -> k 94 -> 10.4, p99 = rank 11880
# -> k 98 -> 10.8.
# The hook (alert.on_drift) runs when new drift alerts open.
# At the defaults (L-infinity 0.05, JSD over train's deciles 0.02, missing
# share 0.05, alpha 0.005 after Holm) the planted payment_type drift alerts
# (0.0961, chi-square p ~ 1e-12), and tips, which serving.csv lacks, alerts
# on presence: missing in 2000 of the 12000 logged rows (1/6), never in
# train.  trip_seconds (TFDV's equal-width JSD 0.3897, from one training
# outlier) no longer alerts: over train's deciles it is 0.0006.  trip_miles
# (JSD 0.0176) stays under 0.02 and under 0.05.
load train datasets/taxi/train.csv
load serving datasets/taxi/serving.csv
monitor ingest taxi --data train --start 2026-01-01T00:00:01 --step-ms 239 --version 1
monitor ingest taxi --data serving --start 2026-01-01T00:40:01.2 --step-ms 1200 --version 2
set alert.on_drift "help alerts ack"
monitor taxi --baseline train --window 40m
alerts
monitor taxi --baseline train --window 40m --threshold 0.05
# already open alerts are not raised again: the hook does not run
set alert.on_drift "help alerts"
set output json
monitor taxi --baseline train --window 40m --threshold 0.05
set output table
alerts ack 1
alerts ack 1
alerts
alerts ack zero
# diagnose: the drifts of at least 0.05 (payment_type's 0.0961 as computed
# above; the other numbers' JSD over train's deciles is under 0.02), the version change (1 before, 2 in the last window), the two
# companies of train.csv that serving.csv lacks (pandas: set difference of
# the non-missing values: "2809 - 19043 Lakeside Cab Co." and "6062 - 40371
# Marquette Taxi"; none new), and tips, absent from serving (missing rate
# 100% in the last window, 0% before)
monitor diagnose taxi --baseline train --window 40m
# retention as of 2026-01-02 00:30: requests before 2026-01-01 00:30 are
# rolled up (k * 0.239 s < 1799 s: k = 0..7527, 7528 requests), the rest stay;
# the counts and percentiles above stand (the latencies have 3 significant
# digits); skew and drift are of the raw requests only.
monitor compact --keep-days 1 --now 2026-01-02T00:30:00
monitor taxi --baseline train
# everything rolled up; rollups older than 400 days would go, none are
monitor compact --keep-days 0 --now 2026-01-02T00:30:00
monitor taxi --window 40m
# the alerts table rounds to 4 significant digits; JSON keeps every digit
set output json
alerts
