# args: -o json
# the JSON shape of DESIGN.md §4; numbers as in validate-stats.cmd
# (fare deciles by numpy: 0 4.4 5.95 6.85 8.1 9.5 10.7 11.75 13.35 18 30)
load trips tests/fixtures/validate/trips.csv
stats trips
stats trips --slice tip_paid
stats trips --no-cache --slice payment
