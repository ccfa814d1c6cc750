# args: --keep-going
# A guided lab replayed: `lab start` shows the first step; the student's
# own command, when it is the one the step suggests, is checked and moves
# the lab on; other commands pass by; a wrong result shows the hint and
# the step stays; `lab next` runs the suggestion; the progress is kept
# (a second `lab start` resumes where it was, `lab status` shows how each
# step was done) and `lab reset` starts over.
lab start guided --dir tests/fixtures/labs
datasets
load tiny tests/fixtures/labs/tiny.csv
load tiny_a --sql "SELECT * FROM tiny"
lab status guided --dir tests/fixtures/labs
lab start guided --dir tests/fixtures/labs
load tiny_a --sql "SELECT * FROM tiny WHERE c = 'a'"
lab next
lab next
lab status
lab status guided --dir tests/fixtures/labs
lab reset guided
lab start guided --dir tests/fixtures/labs
lab start nosuch --dir tests/fixtures/labs
