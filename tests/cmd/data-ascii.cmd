# env: LC_ALL=C
# Outside a UTF-8 locale tables cut long cells with "~" and charts use ASCII.
load taxi datasets/taxi/train.csv
describe taxi
stats taxi
