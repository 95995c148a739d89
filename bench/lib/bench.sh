# Sourced by the bench/*.sh scripts: the JDK, the peers a benchmark needs, the build, the run.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
. "$root/bin/lib/jdk.sh"
cd "$root"

# need PACKAGE FILE: installs the Debian package unless FILE is there.
need() {
    if [ ! -e "$2" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1"
    fi
}

# run CLASS [JVM option...] -- [argument...]: builds the benchmarks and the launcher, then runs CLASS.
run() {
    local class=$1
    shift
    local jvm=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        jvm+=("$1")
        shift
    done
    if [ $# -gt 0 ]; then
        shift
    fi
    ./mvnw -q -B -DskipTests -pl bench -am package
    bin/d2r2 --help > /dev/null
    local jar
    jar=$(ls bench/target/d2r2-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
    exec "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$jar:bench/target/lib/*" "dev.d2r2.bench.$class" "$@"
}
