# args: --keep-going
# The lab format on hand-made labs (tests/fixtures/labs): the list, a run
# whose every check holds, one that stops at a failed check with its hint
# (exit 1), a command that fails where it should work and one that works
# where it should fail, a format error naming its line, a plain script as
# a lab of one step, the progress kept (status) and forgotten (reset).
lab list --dir tests/fixtures/labs
lab run ok --dir tests/fixtures/labs
lab status
lab status ok --dir tests/fixtures/labs
lab run fail --dir tests/fixtures/labs
lab status fail --dir tests/fixtures/labs
lab run notworking --dir tests/fixtures/labs
lab run unexpected --dir tests/fixtures/labs
lab run bad --dir tests/fixtures/labs
lab run plain --dir tests/fixtures/labs
lab run tests/fixtures/labs/plain.prodml
lab run nosuch --dir tests/fixtures/labs
lab run ../x
lab run tests/fixtures/labs/nosuch.prodml
lab list --dir tests/fixtures/nosuch
lab status
lab reset ok
lab status
lab reset
lab status
lab next
