# What differs from run to run in a command's output, masked for goldens:
# times, dates and throughputs, and the host a version was registered on.
s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g
s/ in [0-9.]+s \([0-9.]+ MB\/s\)/ in SECONDS/
s/from the cache, [0-9.]+s/from the cache, SECONDS/
s/"seconds":[0-9.e+-]+/"seconds":S/g
s/ by ([^ ]+) on [^ ]+ \(prodml/ by \1 on HOST (prodml/
# the sha256 of an exported model file (its weights and its time differ)
s/^exported ([^ ]+) to ([^ ]+) \(sha256 [0-9a-f]{12}\)$/exported \1 to \2 (sha256 SHA)/
