#!/bin/sh
# Runs the libFuzzer targets for SECONDS each (default 60):
#   sh tests/fuzz/run.sh [SECONDS] [TARGET...]      (csv request model schema)
# from the source root of a tree configured with --enable-fuzzing (it runs
# `make fuzz` first).  Each starts from its seed corpus tests/fuzz/corpus/
# TARGET (read only; what it finds goes to a scratch corpus) and prints
# libFuzzer's final line: executions, coverage (cov:) and exec/s.  A crash
# stops with the input's path: fix the bug and add the input to the
# corpus, so that every `make check` replays it.
set -eu
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-csv request model schema}
make -s fuzz
out=${TMPDIR:-/tmp}/prodml-fuzz
status=0 passed=0 failed=0
for t in $targets; do
	w=$out/$t
	rm -rf "$w"
	mkdir -p "$w/corpus"
	echo "fuzz_$t: $secs s from tests/fuzz/corpus/$t ($(ls tests/fuzz/corpus/$t | wc -l) inputs)"
	if srcdir=$PWD tests/fuzz/bin/fuzz_$t -max_total_time="$secs" -max_len=4096 -timeout=20 \
		-rss_limit_mb=2048 -artifact_prefix="$w/" -print_final_stats=1 \
		"$w/corpus" "tests/fuzz/corpus/$t" >"$w/log" 2>&1; then
		grep -E '^#[0-9]+[[:space:]]+DONE' "$w/log" | tail -1 | sed "s/^/  /"
		grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss_mb' \
			"$w/log" | sed "s/^/  /"
		passed=$((passed + 1))
	else
		status=1 failed=$((failed + 1))
		echo "  FAILED: the end of $w/log:"
		tail -40 "$w/log" | sed "s/^/  /"
		for a in "$w"/crash-* "$w"/leak-* "$w"/timeout-* "$w"/oom-*; do
			[ -f "$a" ] && echo "  input: $a (fix, then copy it to tests/fuzz/corpus/$t/)"
		done
	fi
done
# the fuzz step's own summary, as the test runs end with theirs
echo "$passed passed, $failed failed (fuzz targets)"
exit $status
