#!/bin/sh
# A foreground `train` killed with SIGKILL has no job; `jobs` lists its
# run as dead, with `train --resume RUN` suggested, and marks it dead in
# the runs table (resume accepts it).
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-dead.XXXXXX") || exit 99
tp=""
trap '[ -n "$tp" ] && kill -9 $tp 2>/dev/null; rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
failed() { echo "FAIL $*"; fail=1; }
pm() { "$P" -W "$tmp/ws" -q "$@"; }
. "$srcdir/tests/cmd/ws-lib.sh"
db() { wsq "$tmp/ws" "$1"; }

pm load n datasets/natality/natality.csv >/dev/null || { echo "FAIL setup"; exit 1; }
"$P" -W "$tmp/ws" -q train w --data n --label weight_pounds --epochs 100000 >/dev/null 2>&1 &
tp=$!
n=0
while [ "$(db "SELECT CASE WHEN epochs_done > 0 THEN 1 ELSE 0 END FROM runs WHERE id = 1" 2>/dev/null)" != 1 ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ "$(db "SELECT state FROM runs WHERE id = 1")" = running ] || failed "the run is not running"
kill -9 $tp
wait $tp 2>/dev/null
tp=""
epochs=$(db "SELECT epochs_done FROM runs WHERE id = 1")
out=$(pm jobs)
want="job  state  progress  run  command  message
  -  dead         0%    1  train w  its process (pid $(db "SELECT pid FROM runs WHERE id = 1")) is gone after $epochs epochs: \`train --resume 1\` goes on"
[ "$out" = "$want" ] || failed "jobs:
$out
want:
$want"
[ "$(db "SELECT state FROM runs WHERE id = 1")" = dead ] || failed "runs: $(db "SELECT state FROM runs")"
exit $fail
