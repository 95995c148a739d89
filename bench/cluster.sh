#!/usr/bin/env bash
# Cluster benchmark: 3 d2r2 broker replicas (one process each, this host), a replicated channel
# (Raft), 1 KiB events over TLS: throughput, p99 publish->deliver at half the maximum rate, and
# failover time (kill -9 of the leader -> next acknowledged publish) over N kills; and forwarded vs
# replicated publish->deliver latency at one moderate rate (--forwarded-rate, default 1000/s; 0 skips).
# Raft over mutual TLS by default; --raft-tls both runs a plain cluster, then a TLS one, and prints the ratio.
# Usage: bench/cluster.sh [--events N] [--size BYTES] [--kills N] [--paced-for 5s] [--forwarded-rate R] [--raft-tls on|off|both]
#                         [--failover-only]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run ClusterBench -Xms1g -- "$@"
