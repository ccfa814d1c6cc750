#!/bin/sh
# Prints the test run's closing line, "N passed, N failed", from the
# automake .trs files under DIR; the logs of failures are shown above it.
dir=${1:-.}
pass=0 fail=0 skip=0
for trs in $(find "$dir" -name '*.trs' | sort); do
	r=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
	case $r in
	PASS | XFAIL) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*)
		fail=$((fail + 1))
		log=${trs%.trs}.log
		echo "---- $log"
		tail -n 40 "$log"
		;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
