#!/usr/bin/env bash
# The cluster benchmark's Kafka peer: a 3-broker Kafka 4.4 KRaft cluster on loopback (TLS, acks=all,
# min.insync.replicas=2): throughput and p99 latency of 1 KiB records, and leader failover.
# Usage: bench/kafka-cluster.sh [--records N] [--kills N] [--paced-for SECONDS] [--no-tls]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run KafkaClusterBench -Xms512m -Xmx1g -- "$@"
