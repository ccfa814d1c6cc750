# show never sends the data's control characters to the terminal: escape
# sequences, \x01 and a CR in a value are shown as escapes; line breaks and
# tabs as spaces, keeping one row a line.  JSON and CSV keep the bytes.
load c tests/fixtures/cmd/controls.csv
show c
set output csv
show c
