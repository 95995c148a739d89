#!/usr/bin/env bash
# BFT benchmarks. Default: basic HotStuff, 4 in-process replicas, Ed25519 certificates, 1 KiB commands in batches.
# Usage: bench/bft.sh [--commands N] [--batch N] [--size BYTES] [--replicas N]
#        bench/bft.sh --net [--only ordered|voted] [--commands N] [--events N] [--warmup N] [--subscribe-to 3|4] [--copies WHOLE|DIGESTS] [--batch N] [--crypto jdk|bouncycastle]
#   --net: one process per replica (n = 4, f = 1): `ordered` over signed TCP links and `voted` over four brokers
#   (HA protection), beside BFT-SMaRt's published 16.5k req/s.
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
if [ "${1:-}" = "--net" ]; then
    shift
    run BftNetBench -Xms1g -Xmx2g -- "$@"
fi
run BftBench -Xms2g -Xmx2g -- "$@"
