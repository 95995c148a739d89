#!/usr/bin/env bash
# Broker benchmark: d2r2 (in-process, TLS, TLS + log; SI and PKS) against Mosquitto in one run.
# Usage: bench/broker.sh [--events N] [--size BYTES] [--only TEXT]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$root/bin/lib/jdk.sh"
if [ ! -x /usr/sbin/mosquitto ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto
fi
cd "$root"
./mvnw -q -B -DskipTests -pl bench -am package
jar=$(ls bench/target/d2r2-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
exec "$JAVA_HOME/bin/java" -cp "$jar:bench/target/lib/*" dev.d2r2.bench.BrokerBench "$@"
