#!/bin/sh
# Builds the CSV fuzz target with clang's libFuzzer and runs it for SECONDS
# (default 60) from the fixtures as a seed corpus.  Run from the source root
# after ./configure && make (it links libprodml.a's sources anew with clang).
set -eu
secs=${1:-60}
out=${TMPDIR:-/tmp}/prodml-fuzz
mkdir -p "$out/corpus"
cp tests/fixtures/csv/* tests/fixtures/cmd/*.csv "$out/corpus/" 2>/dev/null || true
clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I src \
	-include config.h tests/fuzz/fuzz_csv.c src/data/*.c src/util/*.c \
	$(pkg-config --cflags --libs sqlite3) -lm -pthread -o "$out/fuzz_csv"
"$out/fuzz_csv" -max_total_time="$secs" -max_len=4096 "$out/corpus"
