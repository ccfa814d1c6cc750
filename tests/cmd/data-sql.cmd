# data extraction and preparation with SQL over loaded datasets
load trips tests/fixtures/cmd/trips.csv
load prep --sql "SELECT id, fare, fare > 10 AS expensive, strftime('%H', pickup_time) AS hour, strftime('%w', pickup_time) AS dow, company IS NULL AS no_company FROM trips WHERE id <> 2"
describe prep
show prep
load agg --sql "SELECT company, count(*) AS n, avg(fare) AS mean_fare FROM trips GROUP BY company ORDER BY n DESC, company"
show agg
# a query over several lines: the datasets table shows its source on one
# line, each line break and the indentation after it as one space, cut
# at the table's cell width
load wide --sql "SELECT id,
                        fare
                 FROM trips
                 WHERE fare > 10"
datasets
