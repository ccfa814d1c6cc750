# design new/set/show/list/compare over a model with no runs of its own (an
# imported version), so every estimate is computed from the data and the
# design alone and holds on every CPU.  Hand computations (natality's k, 20000
# rows, ids 1..20000 take 88894 bytes of text):
#   static table: 20000 entries × (8 + 13) + 88894 + 65536 slots × 4 = 771054 bytes
#   hybrid top 100: key text 88894 / 20000 × 100 = 444.47; slots 256:
#     100 × 21 + 444 + 1024 = 3568 bytes
#   serving cost: 2 threads × 0.04 × 730 h = 58.4 a month;
#     per million at 1e6/day: 58.4 / 30.4167 = 1.92
load n datasets/natality/natality.csv
load k --sql 'SELECT rowid AS id, * FROM n'
train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1
models export w:1 w.pml
models import w.pml --as imported
design new dyn --model imported --data k
design set dyn hardware cpu 2
design set dyn price.cpu_hour 0.04
design set dyn traffic 1000000
design set dyn training schedule 6h
design show dyn
design new hyb --model imported --data k
design set hyb keys id
design set hyb serving hybrid
design set hyb table_size 100
design set hyb batching 32 2ms
design set hyb hardware cpu 2
design set hyb price.cpu_hour 0.04
design set hyb price.gb_month 5
design set hyb traffic 1000000
design set hyb monitor.drift 0.2
design show hyb
design set hyb serving static
design show hyb
design compare dyn hyb
design list
design drop dyn
design list
