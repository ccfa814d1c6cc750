# args: -v --keep-going
# -v shows each command and comment line before its output, so a lab's
# output reads as the script it ran; blank lines are not shown.

load trips tests/fixtures/cmd/trips.csv
  # an indented comment; then two commands on one line, shown as one
describe trips; show trips --rows 1 --columns id,fare
# a command over two lines shows both, the second under the first
load q --sql "SELECT id, fare
  FROM trips WHERE fare > 10"
show q
# a failing command: its message follows it
show nosuch
set echo off
# not shown
show q --rows 1
set echo on
show q --rows 1
