#!/usr/bin/env bash
# Monitor benchmark: probe targets one peer sustains at a 1 s interval, and its CPU share.
# Usage: bench/monitor.sh [--targets 1000,5000] [--seconds 20]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$root/bin/lib/jdk.sh"
cd "$root"
./mvnw -q -B -DskipTests -pl bench -am package
bin/d2r2 --help > /dev/null
jar=$(ls bench/target/d2r2-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
exec "$JAVA_HOME/bin/java" -cp "$jar:bench/target/lib/*" dev.d2r2.bench.MonitorBench "$@"
