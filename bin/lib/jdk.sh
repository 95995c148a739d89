# Sourced by bin/d2r2 and bin/test: exports JAVA_HOME pointing at a JDK 25 or newer.
d2r2_java_major() {
    local release="$1/release" v
    [ -x "$1/bin/java" ] || return 1
    if [ -r "$release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    else
        v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
    fi
    [ -n "$v" ] && echo "$v"
}

d2r2_find_jdk() {
    local want=25 best="" best_v=0 d v
    if [ -n "${JAVA_HOME:-}" ] && v=$(d2r2_java_major "$JAVA_HOME") && [ "$v" -ge "$want" ]; then
        return 0
    fi
    for d in /usr/lib/jvm/*/; do
        d=${d%/}
        v=$(d2r2_java_major "$d") || continue
        if [ "$v" -ge "$want" ] && [ "$v" -gt "$best_v" ]; then
            best=$d
            best_v=$v
        fi
    done
    if [ -z "$best" ]; then
        echo "d2r2: needs a JDK $want or newer: set JAVA_HOME or install one under /usr/lib/jvm" >&2
        exit 1
    fi
    export JAVA_HOME="$best"
}

d2r2_find_jdk
