#!/usr/bin/env bash
# BFT ordering benchmark: basic HotStuff, 4 in-process replicas, Ed25519 certificates, 1 KiB commands in batches.
# Usage: bench/bft.sh [--commands N] [--batch N] [--size BYTES] [--replicas N]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
run BftBench -Xms2g -Xmx2g -- "$@"
