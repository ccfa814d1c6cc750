# args: --keep-going
# a bad pipeline file is refused at load time with its line and the cause
pipeline load tests/fixtures/pipeline/cycle.pipeline
pipeline load tests/fixtures/pipeline/unknown-after.pipeline
pipeline load tests/fixtures/pipeline/undefined-param.pipeline
pipeline load tests/fixtures/pipeline/bad-syntax.pipeline
pipeline load tests/fixtures/pipeline/duplicate.pipeline
pipeline load tests/fixtures/pipeline/unknown-command.pipeline
pipeline load tests/fixtures/pipeline/bad-usage.pipeline
pipeline load tests/fixtures/pipeline/missing-input.pipeline
pipeline load tests/fixtures/pipeline/sql-input.pipeline
pipeline load tests/fixtures/pipeline/missing-file.pipeline
pipeline load tests/fixtures/pipeline/not-upstream.pipeline
pipeline load tests/fixtures/pipeline/pipeline-step.pipeline
pipeline load tests/fixtures/pipeline/nosuch.pipeline
# nothing was stored
pipeline list
# what the workspace has counts as an input: the same file loads once taxi_raw exists
load taxi_raw datasets/spending/spending.csv
pipeline load tests/fixtures/pipeline/missing-input.pipeline
pipeline load tests/fixtures/pipeline/taxi.pipeline
pipeline list
# run-time mistakes
pipeline run nosuch
pipeline run taxi --param epoch=2
pipeline run taxi --param data
pipeline run taxi --param data=datasets/taxi/nosuch.csv
pipeline run taxi --jobs 0
pipeline run show 7
pipeline run show x
pipeline resume 7
pipeline runs
pipeline lineage nosuch
pipeline export taxi --format dot
# triggers
pipeline trigger taxi
pipeline trigger taxi --every 5x
pipeline trigger taxi --on-alert drift
pipeline trigger taxi --on-alert bogus fare
pipeline trigger taxi --every 1h fare
pipeline trigger taxi --on-file 'incoming/*.csv'
pipeline trigger taxi --on-file 'incoming/*.csv' --as data --param epoch=3
pipeline trigger nosuch --every 1h
pipeline trigger delete 9
pipeline trigger taxi --on-file 'incoming/*.csv' --as data --param epochs=3
pipeline triggers
pipeline scheduler --tick 0
