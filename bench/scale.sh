#!/usr/bin/env bash
# Elastic capacity under load: decision -> first call on a clone (per phase), drain on scale-in, failed calls; HPA beside.
# Usage: bench/scale.sh [--rate 200] [--call-length 2000] [--settle 5] [--artifact-mb 0] [--link 1gbit] [--cpu 1.0]   (needs root)
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need sip-tester /usr/bin/sipp
need iproute2 /usr/sbin/tc
run ScaleBench -- "$@"
