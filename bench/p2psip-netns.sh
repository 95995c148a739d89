#!/usr/bin/env bash
# A 3-inbound/2-outbound Pr2-P2PSIP call between two SIPp agents over --peers peers in network namespaces
# (docs/p2psip.md#measured): peer processes of 4 peers on hosts of their own, the callee's and the caller's
# `d2r2 p2psip agent` on two more, SIPp beside each agent; INVITE → 200 as SIPp's UAC sees it (-trace_rtt).
# Needs root and iproute2. Usage: bench/p2psip-netns.sh [--peers 20] [--calls 10]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
peers=20
calls=10
while [ $# -gt 0 ]; do
    case "$1" in
        --peers) peers=$2; shift 2 ;;
        --calls) calls=$2; shift 2 ;;
        *) echo "usage: bench/p2psip-netns.sh [--peers N] [--calls N]" >&2; exit 2 ;;
    esac
done
need sip-tester /usr/bin/sipp
[ "$(id -u)" = 0 ] || { echo "bench/p2psip-netns.sh: needs root for network namespaces" >&2; exit 2; }
bin/d2r2 --help > /dev/null
prefix=d2r2-pb
subnet=10.97.41
peer_hosts=$(( (peers + 3) / 4 ))
callee=$((peer_hosts + 1))
caller=$((peer_hosts + 2))
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    for i in $(seq 1 "$caller"); do ip netns del "$prefix-h$i" 2> /dev/null || true; done
    ip netns del "$prefix-sw" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$prefix-sw"
ip -n "$prefix-sw" link add br0 type bridge
ip -n "$prefix-sw" link set br0 up
for i in $(seq 1 "$caller"); do
    ip netns add "$prefix-h$i"
    ip link add "$prefix${i}a" type veth peer name "$prefix${i}b"
    ip link set "$prefix${i}a" netns "$prefix-h$i"
    ip link set "$prefix${i}b" netns "$prefix-sw"
    ip -n "$prefix-sw" link set "$prefix${i}b" master br0 up
    ip -n "$prefix-h$i" addr add "$subnet.$i/24" dev "$prefix${i}a"
    ip -n "$prefix-h$i" link set "$prefix${i}a" up
    ip -n "$prefix-h$i" link set lo up
done
in_host() { local h=$1; shift; ip netns exec "$prefix-h$h" "$@"; }
# first line of a background process's output, waited for
first_line() { for _ in $(seq 1 600); do [ -s "$1" ] && head -n 1 "$1" && return 0; sleep 0.5; done; echo "no output in $1" >&2; return 1; }
bin/d2r2 overlay keygen "$work/net.key" > /dev/null
bin/d2r2 overlay keygen "$work/fwd.key" > /dev/null
# the authentication server on the root namespace's loopback: only this script fetches certificates from it
bin/d2r2 p2psip enrol --users "$work/users" peers > "$work/peers.secret"
bin/d2r2 p2psip as --users "$work/users" --key "$work/as.key" --listen 127.0.0.1:0 --pseudonyms-per-epoch 256 \
    > "$work/as.out" 2> "$work/as.err" &
pids+=($!)
as_line=$(first_line "$work/as.out")
as_at=$(echo "$as_line" | sed -n 's/^p2psip as on \([^ ]*\) .*/\1/p')
as_key=$(echo "$as_line" | sed -n 's/.* key \([0-9a-f]*\)$/\1/p')
t0=$(date +%s)
seeds=()
for i in $(seq 1 "$peer_hosts"); do
    bin/d2r2 p2psip cert --as "$as_at" --as-key "$as_key" --user peers --secret-file "$work/peers.secret" --kind FORWARDING \
        --count 4 --out "$work/ps$i" > /dev/null
    in_host "$i" bin/d2r2 p2psip peer --network-key "$work/net.key" --forwarding-key "$work/fwd.key" --as-key "$as_key" \
        --pseudonyms "$work/ps$i" --name "p$i" --peers 4 --host "$subnet.$i" "${seeds[@]}" > "$work/peer$i.out" 2> "$work/peer$i.err" &
    pids+=($!)
    line=$(first_line "$work/peer$i.out")
    echo "$line"
    if [ "$i" = 1 ]; then
        seeds=(--storage-seed "$(echo "$line" | sed -n 's/.*storage \([^,]*\),.*/\1/p')"
            --forwarding-seed "$(echo "$line" | sed -n 's/.*forwarding //p')")
    fi
done
echo "$((peer_hosts * 4)) peers on $peer_hosts hosts up in $(( $(date +%s) - t0 )) s"
in_host "$callee" sipp -sn uas -i "$subnet.$callee" -p 5080 -nostdin > /dev/null 2>&1 &
pids+=($!)
agent_opts=(--refresh 30s --lifetime 90s --timeout 3s --status-every 5s --forwarding-key "$work/fwd.key" --as-key "$as_key"
    "${seeds[@]:2}")
in_host "$callee" bin/d2r2 p2psip agent --user-key "$work/bob.key" --listen "$subnet.$callee:5072" \
    --sip-ua "$subnet.$callee:5080" "${agent_opts[@]}" > "$work/callee.out" 2> "$work/callee.err" &
pids+=($!)
bob=$(first_line "$work/callee.out" | sed -n 's/^p2psip agent \([0-9a-f]*\):.*/\1/p')
in_host "$caller" bin/d2r2 p2psip agent --user-key "$work/alice.key" --listen "$subnet.$caller:5070" \
    --contact "bob=$bob" "${agent_opts[@]}" > "$work/caller.out" 2> "$work/caller.err" &
pids+=($!)
first_line "$work/caller.out"
cd "$work"
in_host "$caller" sipp -sn uac -s bob -i "$subnet.$caller" -p 5090 -m "$calls" -r 1 -trace_rtt -rtt_freq 1 -nostdin -timeout 120s -timeout_error \
    "$subnet.$caller:5070" > /dev/null 2>&1 && ok=yes || ok=no
echo "SIPp UAC exit: $ok ($calls calls)"
# response_time in ms per call (INVITE → 200, the first call including the callee's contact lookup)
cut -d';' -f2 ./*_rtt.csv | grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "INVITE → 200: %d calls, min %.0f ms, median %.0f ms, max %.0f ms\n", NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
cd - > /dev/null
