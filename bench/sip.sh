#!/usr/bin/env bash
# SIP benchmark: the d2r2 edge against Kamailio 5.6 dispatcher, SIPp load, CPU per call and setup times.
# Usage: bench/sip.sh [--rates 200,500] [--seconds 30] [--warmup 10] [--call-ms 1000]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need sip-tester /usr/bin/sipp
need kamailio /usr/sbin/kamailio
# The bench's JVM is the flood scenario's caller, timing each setup: a young generation large enough
# that it is not collected during a run, so its own pauses stay out of the setup times.
run SipBench -Xms512m -Xmn384m -XX:+UseSerialGC -- "$@"
