#!/bin/sh
# Prints the cmocka totals of the last `meson test` in BUILDDIR as one
# closing line: "cmocka: N passed, N failed".
log="${1:-build}/meson-logs/testlog.txt"
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" |
	awk '{s += $1} END {print s + 0}')
failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:.*/\1/p' "$log" |
	awk '{s += $1} END {print s + 0}')
echo "cmocka: $passed passed, $failed failed"
