# args: -o json
# JSON of validate and compare (DESIGN.md §4) on the hand-made files
load trips tests/fixtures/validate/trips.csv
load bad tests/fixtures/validate/trips_bad.csv
schema infer trips --as s
schema set s payment skew linf 0.2
validate bad --schema s --env serving --baseline trips
compare trips bad --feature payment
compare trips bad --feature miles
plot hist trips payment --vs bad
