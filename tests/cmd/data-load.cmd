# load, describe, show and datasets on a small file with quotes, missing
# values, timestamps and booleans; table output
load trips tests/fixtures/cmd/trips.csv
describe trips
show trips
show trips --rows 2 --offset 3 --columns company,fare
datasets
# the same bytes again come from the columnar cache
load trips tests/fixtures/cmd/trips.csv
# --no-header with names, and a type override
load raw tests/fixtures/cmd/semicolon.csv --delimiter ";" --no-header --columns p,q
show raw
load t2 tests/fixtures/cmd/trips.csv --types id=float,miles=string
describe t2
export trips out.csv
load back out.csv
show back --rows 3
