# split by a column with few values cannot meet its ratios: the warning
# gives the shares the parts got (96.6/3.1/0.3), the number of values of
# company (30 and missing) and the share of the largest, Taxi Affiliation
# Services (4118 of 10000 rows), counted independently with Python's csv
# module.  By row, 10000 rows meet 80,10,10 within a point: no warning.
load taxi datasets/taxi/train.csv
split taxi --by company --ratios 80,10,10
split taxi --by-row
# five rows by row cannot make 50,50
load trips tests/fixtures/cmd/trips.csv
split trips --by-row --ratios 50,50 --names a,b
