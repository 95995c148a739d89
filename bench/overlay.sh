#!/usr/bin/env bash
# DHT lookups on simulated overlays (virtual time, 1 % datagram loss): closest node found, share of
# the k closest found, hops and queries per lookup, before and after 20 % churn.
# Usage: bench/overlay.sh [--nodes 200,1000] [--lookups N] [--churn F] [--loss P] [--seed S]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run OverlayBench -Xmx2g -- "$@"
