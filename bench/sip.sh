#!/usr/bin/env bash
# SIP benchmark: the d2r2 edge against Kamailio 5.6 dispatcher, SIPp load, CPU per call and setup times.
# Usage: bench/sip.sh [--rates 200,500] [--seconds 30] [--warmup 10] [--call-ms 1000]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need sip-tester /usr/bin/sipp
need kamailio /usr/sbin/kamailio
run SipBench -- "$@"
