#!/usr/bin/env bash
# Chronicle benchmark: d2r2's recognizer against Esper 9 (GPL, bench only) on equivalent patterns.
# Usage: bench/chronicle.sh [--events N] [--only TEXT] [--heap-minutes M]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$root/bin/lib/jdk.sh"
cd "$root"
./mvnw -q -B -DskipTests -pl bench -am package
jar=$(ls bench/target/d2r2-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
exec "$JAVA_HOME/bin/java" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$jar:bench/target/lib/*" dev.d2r2.bench.ChronicleBench "$@"
