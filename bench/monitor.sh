#!/usr/bin/env bash
# Monitor benchmark: probe targets one peer sustains at a 1 s interval, and its CPU share.
# Usage: bench/monitor.sh [--targets 1000,5000] [--seconds 20]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run MonitorBench -- "$@"
