#!/usr/bin/env bash
# Peer-similarity diagnosis against real faults in real SIP servers: 5 d2r2 sip-servers (each in its
# own network namespace d2r2-diag-pN on the bridge d2r2diag-br, and its own cgroup d2r2-diag/pN) behind
# the SIP edge, SIPp calling through it at a fixed rate; windows to indict per fault kind (cpu,
# quota, disk, leak, stop, loss, rate), false indictments per peer-hour in a fault-free run (30
# minutes by default), and beside it Envoy's success-rate outlier detection on the same calls.
# Needs root (namespaces, cgroup v1, nftables, tc) and SIPp.
# Usage: bench/diagnosis.sh [--servers 5] [--train 60] [--fault-free 1800] [--faults cpu,quota,disk,leak,stop,loss,rate]
#                           [--window 1000] [--cps 200] [--call-ms 1000] [--hold 25] [--give-up 20] [--sr-interval 10]
#                           [--effect-floor 3.0] [--consecutive 2] [--decay 0.8] [--metrics M,...] [--loss 5] [--tbf 48kbit] [--quota 0.5]
#                           [--samples-out FILE]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need nftables /usr/sbin/nft
need iproute2 /usr/sbin/tc
need sip-tester /usr/bin/sipp
run DiagnosisBench -- "$@"
