#!/usr/bin/env bash
# Policy engine benchmark: alerts from a flood of many sources, in virtual time and live with the audit trail forced to disk.
# Usage: bench/policy.sh [--alerts N] [--sources N] [--live-alerts N]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run PolicyBench -Xms2g -Xmx2g -XX:+UseParallelGC -- "$@"
