# args: -o json
load trips tests/fixtures/cmd/trips.csv
describe trips
show trips --rows 3
split trips --by company --ratios 50,50 --names a,b
datasets
