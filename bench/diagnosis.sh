#!/usr/bin/env bash
# Peer-similarity diagnosis against real faults: windows to indict per fault kind (cpu, disk, leak,
# stop, loss, rate), false positives per peer-hour in a fault-free run (30 minutes by default), and
# beside it Envoy's success-rate outlier detection on the same requests. Needs root (network
# namespaces d2r2-dg-pN, nftables, tc).
# Usage: bench/diagnosis.sh [--peers 5] [--train 60] [--fault-free 1800] [--faults cpu,disk,leak,stop,loss,rate]
#                           [--window 1000] [--rate 200] [--loss 5] [--tbf 48kbit]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need nftables /usr/sbin/nft
need iproute2 /usr/sbin/tc
run DiagnosisBench -- "$@"
