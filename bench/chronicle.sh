#!/usr/bin/env bash
# Chronicle benchmark: d2r2's recognizer against Esper 9 (GPL, bench only) on equivalent patterns.
# Usage: bench/chronicle.sh [--events N] [--only TEXT] [--heap-minutes M]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run ChronicleBench -Xms2g -Xmx2g -XX:+UseParallelGC -- "$@"
