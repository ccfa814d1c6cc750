# stats of a small hand-made file (tests/fixtures/validate/trips.csv):
# numeric and categorical tables with a sparkline of each histogram.
# Checked with numpy: fare (9 values) mean 10.805555555555555, population
# std 7.922171575340678, median 9.5; equal-width counts over [0, 30]:
# 1 1 2 2 1 1 0 0 0 1.  miles: mean 3.1444444444444444, median 2.2.
load trips tests/fixtures/validate/trips.csv
stats trips
# unchanged content: the statistics come from the workspace
stats trips
# the same rows under another name share the cached statistics
load copy tests/fixtures/validate/trips.csv
stats copy
stats trips --slice payment
