#!/bin/sh
# Run every benchmark program of a build directory in turn.
set -eu
dir=${1:-build}
for b in "$dir"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b"
done
