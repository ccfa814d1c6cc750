# args: --keep-going
# schema infer, show, set (every key), save, load, list, and their errors
load trips tests/fixtures/validate/trips.csv
schema infer trips --as s
schema show s
schema set s fare min 0
schema set s fare max 500
schema set s fare min_fraction 0.8
schema set s payment domain+ Mobile
schema set s payment domain- Dispute
schema set s payment min_domain_mass 0.95
schema set s tip_paid not_in_env serving
schema set s payment skew linf 0.1
schema set s fare drift jsd 0.2
schema set s miles type int
schema set s extra type string
schema set s tip_paid in_env serving
schema set s tip_paid not_in_env SERVING
schema set s fare min_fraction none
schema save s out.schema
schema load s2 out.schema
schema show s2
schema infer trips --as ranged --ranges
schema list
# errors
schema set s fare min 600
schema set s fare min_fraction 2
schema set s nosuch min 1
schema set s fare colour red
schema set s payment domain- Nope
schema set s fare skew kl 0.1
schema show nosuch
schema load s3 tests/fixtures/validate/bad.schema
schema load s3 tests/fixtures/validate/no-such.schema
schema infer nosuch
