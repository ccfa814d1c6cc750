# args: --keep-going
# bad input to the validation commands: clear messages, no crash
load trips tests/fixtures/validate/trips.csv
load bad tests/fixtures/validate/trips_bad.csv
stats nosuch
stats trips --slice nosuch
load train datasets/taxi/train.csv
stats train --slice fare
compare trips nosuch
compare trips bad --feature nosuch
compare trips bad --feature tip_paid
compare trips bad --threshold 2
validate trips
validate trips --schema nosuch
plot hist trips nosuch
plot hist trips fare --bins 0
plot hist trips fare --out figure.gif
plot hist trips fare --vs bad --out no-such-dir/figure.png
plot hist trips id --vs bad
