#!/usr/bin/env bash
# SIP benchmark: the d2r2 edge against Kamailio 5.6 dispatcher, SIPp load, CPU per call and setup times.
# Usage: bench/sip.sh [--rates 200,500] [--seconds 30] [--warmup 10] [--call-ms 1000]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$root/bin/lib/jdk.sh"
cd "$root"
./mvnw -q -B -DskipTests -pl bench -am package
jar=$(ls bench/target/d2r2-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
exec "$JAVA_HOME/bin/java" -cp "$jar:bench/target/lib/*" dev.d2r2.bench.SipBench "$@"
