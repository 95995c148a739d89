#!/usr/bin/env bash
# Peer-similarity diagnosis against real faults: windows to indict per fault kind, false positives per peer-hour.
# Usage: bench/diagnosis.sh [--peers 5] [--train 60] [--fault-free 120] [--faults cpu,disk,leak,stop] [--window 1000]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run DiagnosisBench -- "$@"
