#!/usr/bin/env bash
# Broker benchmark: d2r2 (in-process, TLS, TLS + log; SI and PKS) against Mosquitto in one run.
# Usage: bench/broker.sh [--events N] [--size BYTES] [--only TEXT]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need mosquitto /usr/sbin/mosquitto
# The clients' JVM gets the launcher's options for long-running roles (GC pause goal, heap touched up front).
run BrokerBench -XX:MaxGCPauseMillis=5 -Xms1g -XX:+AlwaysPreTouch -- "$@"
