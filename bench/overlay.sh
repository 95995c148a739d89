#!/usr/bin/env bash
# DHT lookups on simulated overlays (virtual time, 1 % datagram loss): closest node found, share of
# the k closest found, hops and queries per lookup, before and after 20 % churn.
# Usage: bench/overlay.sh [--nodes 200,1000] [--lookups N] [--churn F] [--loss P] [--seed S]
# CoSIP with Kamailio as the provider, killed and restarted: recovery and return times, call setup
# latency via the provider and via the DHT.
# Usage: bench/overlay.sh cosip [--cycles N] [--calls N]
# Rerouting around a one-way black hole by limited flooding (with and without the DHT relay cache) and by WARP, six agents in network namespaces
# (root): break → traffic through a relay.
# Usage: bench/overlay.sh reroute [--runs N]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
if [ "${1:-}" = cosip ]; then
    shift
    need sip-tester /usr/bin/sipp
    need kamailio /usr/sbin/kamailio
    run CosipBench -- "$@"
fi
if [ "${1:-}" = reroute ]; then
    shift
    . "$root/bench/lib/reroute.sh"
    exit 0
fi
run OverlayBench -Xmx2g -- "$@"
