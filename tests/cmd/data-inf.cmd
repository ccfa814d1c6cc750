# Infinite floats (1e400, inf) are values, not missing, everywhere: inf and
# -inf in tables, CSV and exported files (which load reads back the same),
# the strings "inf" and "-inf" in JSON, where null is a missing value.
load t tests/fixtures/cmd/inf.csv
describe t
show t
export t back.csv
load back back.csv
describe back
set output csv
show t
set output json
show t
