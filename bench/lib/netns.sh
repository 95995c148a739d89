# Sourced after bench.sh by the benchmarks that run in network namespaces: the namespaces $p$n for
# each n in $nss, the background processes in pids, the scratch directory $work (its files matching
# $keep_files copied to $keep, when set, at the end).
pids=()
work=""
keep_files="*"

# netns_begin PREFIX "NS...": removes what an earlier run left, then creates $work and the namespaces
# (loopback up), all removed again on exit.
netns_begin() {
    p=$1 nss=$2
    trap netns_cleanup EXIT
    netns_cleanup
    work=$(mktemp -d)
    local n
    for n in $nss; do ip netns add $p$n; ip -n $p$n link set lo up; done
}

netns_cleanup() {
    local pid n f files=()
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for n in $nss; do ip netns pids $p$n 2>/dev/null | xargs -r kill -9 || true; done
    wait 2>/dev/null || true
    for n in $nss; do ip netns del $p$n 2>/dev/null || true; done
    if [ -n "${keep:-}" ] && [ -n "$work" ] && [ -d "$work" ]; then
        for f in $keep_files; do files+=("$work"/$f); done
        mkdir -p "$keep" && cp "${files[@]}" "$keep"/ 2>/dev/null || true
    fi
    if [ -n "$work" ]; then rm -rf "$work"; fi
}

# inns NS COMMAND...: runs COMMAND in the namespace $p$NS.
inns() { local ns=$1; shift; ip netns exec "$p$ns" "$@"; }

now_ms() { date +%s%3N; }

# probe_round NS TO K: a 3 s stream at $rate datagrams/s from NS to the echo server at TO (HOST:PORT), its report
# in $work/probeK.out, its pid in probe; returns half a second after it started, that time appended to $work/marks.
probe_round() {
    inns "$1" bin/d2r2 tunnel probe --to "$2" --rate $rate --count $(( 3 * rate )) --linger 1s \
        > "$work/probe$3.out" 2> "$work/probe$3.err" &
    probe=$!
    pids+=($probe)
    await "$work/probe$3.out" '^start ' 1
    sleep 0.5
    echo "$(now_ms)" >> "$work/marks"
}

# await FILE PATTERN COUNT: until FILE has COUNT lines matching PATTERN (60 s at most)
await() {
    for _ in $(seq 600); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
        sleep 0.1
    done
    echo "timed out waiting for $2 in $1" >&2
    exit 1
}
