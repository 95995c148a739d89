#!/usr/bin/env bash
# Policy engine benchmark: alerts from a flood of many sources, in virtual time and live with the audit trail forced to disk.
# Usage: bench/policy.sh [--alerts N] [--sources N] [--live-alerts N]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$root/bin/lib/jdk.sh"
cd "$root"
./mvnw -q -B -DskipTests -pl bench -am package
jar=$(ls bench/target/d2r2-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
exec "$JAVA_HOME/bin/java" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$jar:bench/target/lib/*" dev.d2r2.bench.PolicyBench "$@"
