# every anomaly type on hand-made data (tests/fixtures/validate/trips_bad.csv
# against a schema inferred from trips.csv).  Hand-checked figures:
# payment in trips: Cash .4, Credit Card .4, Dispute .1, No Charge .1;
# in trips_bad: Cash .25, Credit Card .625, Prcard .125 -> L-infinity .225 at
# Credit Card; Prcard is 1 of 8 values (12.5%); miles present in 4 of 8 rows.
load trips tests/fixtures/validate/trips.csv
load bad tests/fixtures/validate/trips_bad.csv
load empty tests/fixtures/validate/empty.csv
schema infer trips --as s
schema set s fare min 0
schema set s fare max 500
schema set s miles min_fraction 0.9
schema set s payment skew linf 0.2
schema set s payment drift jsd 0.05
validate trips --schema s
validate bad --schema s --baseline trips --previous trips
# the label is not expected at serving
schema set s tip_paid not_in_env serving
validate bad --schema s --env serving
# a share of other values allowed, but not this much
schema set s payment min_domain_mass 0.95
validate bad --schema s --env serving
validate empty --schema s
# a threshold the data stays under
schema set s payment skew linf 0.3
validate bad --schema s --env serving --baseline trips
validate bad --schema s --env serving --fail-on-anomaly
stats trips
