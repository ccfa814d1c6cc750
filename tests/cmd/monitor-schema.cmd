# Per-feature thresholds from a schema (`schema set S F drift linf X`): the
# log of monitor-skew.cmd (train.csv, then serving.csv with its planted skew,
# 40m windows, so drift = `compare train serving`).  Drifts computed
# independently (Python, pandas, see monitor-skew.cmd): payment_type
# L-infinity 0.0961; company 0.0248.  With payment_type at 0.05 it alerts;
# company at 0.03 does not; fare's JSD (0.0005 over train's deciles) stays
# under its 0.2; trip_seconds, which the schema leaves alone, stays under
# the default 0.02 (0.0006; TFDV's equal-width JSD was 0.3897).  tips,
# absent from serving.csv, alerts on its missing share (1/6 of the logged
# rows, never in train).  Skew of payment_type with JSD at 0.5 reports the
# JSD.
load train datasets/taxi/train.csv
load serving datasets/taxi/serving.csv
monitor ingest taxi --data train --start 2026-01-01T00:00:01 --step-ms 239 --version 1
monitor ingest taxi --data serving --start 2026-01-01T00:40:01.2 --step-ms 1200 --version 2
schema infer train --as s
schema set s payment_type drift linf 0.05
schema set s payment_type skew jsd 0.5
schema set s company drift linf 0.03
schema set s fare drift jsd 0.2
set monitor.schema s
monitor taxi --baseline train --window 40m
alerts
