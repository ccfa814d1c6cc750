# args: --keep-going
# design's errors: each names the design, key, value or column at fault.
load n datasets/natality/natality.csv
load k --sql 'SELECT rowid AS id, * FROM n'
train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1
design new d --model nosuch --data k
design new d --model w --data nosuch
design new 'bad name' --model w --data k
design new d --model w --data k
design new d --model w --data k
design show nosuch
design set nosuch serving static
# static serving before any key, over a continuous key, over a column k lacks
design set d serving static
design set d keys weight_pounds
design set d serving hybrid
design set d serving static
design set d keys nope
# a key that does not fix the model's inputs (mothers of one age differ)
design set d keys mother_age
design set d serving static
# once static, the keys may not become continuous
design set d keys id
design set d serving static
design set d keys weight_pounds
design list
# hardware this build does not have (more CPU threads than the machine has, and
# workers without MPI: test_design; a GPU: train-device.sh)
design set d hardware workers 0
design set d hardware tpu
# numbers that are not
design set d price.cpu_hour cheap
design set d price.cpu_hour -1
design set d price.tpu_hour 3
design set d monitor.drift high
design set d batching 0
design set d batching 8 soon
design set d training schedule often
design set d training sometimes
design set d serving lukewarm
design set d traffic lots
design set d port 70000
# unknown keys
design set d servng static
design set d colour blue
design drop nosuch
design apply nosuch --dry-run
