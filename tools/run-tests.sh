#!/bin/sh
# Run the whole Criterion suite of one build directory and print one closing
# line "tests: N passed, N failed" summed over every suite's synthesis.
set -u
dir=$1
label=${2:-$dir}
meson test -C "$dir" --print-errorlogs --num-processes 1
rc=$?
log="$dir/meson-logs/testlog.txt"
sums=$(grep -h "Synthesis: Tested" "$log" | sed -E 's/.*Tested: ([0-9]+) \| Passing: ([0-9]+) \| Failing: ([0-9]+) \| Crashing: ([0-9]+).*/\2 \3 \4/' |
    awk '{p+=$1; f+=$2+$3} END {printf "%d %d", p, f}')
set -- $sums
echo "$label: $1 passed, $2 failed"
exit $rc
