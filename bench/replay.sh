#!/usr/bin/env bash
# Replay benchmark: an hour of the demo's telemetry replayed with the demo's rules (speed-up over real time, heap).
# Records a 30 s demo run first unless --recording DIR names one (a directory from `d2r2 demo --dir DIR`).
# Usage: bench/replay.sh [--recording DIR] [--length 1h] [--runs N]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
args=("$@")
if [[ " ${args[*]} " != *" --recording "* ]]; then
    recording=$(mktemp -d -t d2r2-replay-recording.XXXXXX)
    bin/d2r2 demo --headless --duration 30s --dir "$recording" > "$recording/demo.out"
    args+=(--recording "$recording")
fi
run ReplayBench -Xms512m -Xmx512m -- "${args[@]}"
