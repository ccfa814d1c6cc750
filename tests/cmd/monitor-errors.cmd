# args: --keep-going
# Usage errors of the monitoring commands.
monitor ingest taxi
monitor ingest taxi --data nosuch
monitor taxi --window 5x
monitor taxi --since yesterday
monitor taxi --baseline nosuch
monitor taxi
alerts
# feedback, schema thresholds, retention and settings
monitor feedback taxi
load t tests/fixtures/validate/trips.csv
monitor feedback taxi --data t
monitor feedback taxi --data t --label fare --key nosuch
monitor feedback taxi --data t --label fare --key ,
monitor feedback taxi --data t --label fare --key fare
monitor feedback taxi --data t --label nosuch
monitor feedback taxi --data t --label fare
monitor taxi:3
monitor taxi --schema nosuch
monitor taxi --threshold -1
set monitor.error_rate lots
monitor taxi
set monitor.error_rate 0.1
monitor compact --keep-days 10 --rollup-days 5
monitor compact --keep-days -1
monitor compact --now later
set monitor.retention_days 1.5
monitor compact
