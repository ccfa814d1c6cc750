# args: --keep-going
# Usage errors of the monitoring commands.
monitor ingest taxi
monitor ingest taxi --data nosuch
monitor taxi --window 5x
monitor taxi --since yesterday
monitor taxi --baseline nosuch
monitor taxi
alerts
