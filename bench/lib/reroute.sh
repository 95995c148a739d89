# Sourced by bench/overlay.sh reroute: six route agents in network namespaces on a bridge, a
# one-way black hole (nftables) from the source to the destination and from the source's two
# neighbours to it; per run, the time from the break to the first echo through the tunnel that
# comes back (a client sends one into the tunnel every 20 ms, from before the break), and to
# the overlay.path "relayed" event;
# limited flooding alone, then with the DHT relay cache, then WARP. Root only.
set -euo pipefail
runs=5
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        *) echo "usage: bench/overlay.sh reroute [--runs N]" >&2; exit 2 ;;
    esac
done
need nftables /usr/sbin/nft
need socat /usr/bin/socat
./mvnw -q -B -DskipTests -pl app -am package
bin/d2r2 --help > /dev/null
work=$(mktemp -d /tmp/d2r2-reroute.XXXXXX)
sw=d2r2-co-bsw
host() { echo "d2r2-co-b$1"; }
addr() { echo "10.214.0.$1"; }
cleanup() {
    for p in $(jobs -p); do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for i in 1 2 3 4 5 6; do ip netns del "$(host $i)" 2>/dev/null || true; done
    ip netns del $sw 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add $sw
ip -n $sw link add br0 type bridge
ip -n $sw link set br0 up
for i in 1 2 3 4 5 6; do
    ip netns add "$(host $i)"
    ip link add "d2r2-cob${i}a" type veth peer name "d2r2-cob${i}b"
    ip link set "d2r2-cob${i}a" netns "$(host $i)"
    ip link set "d2r2-cob${i}b" netns $sw
    ip -n $sw link set "d2r2-cob${i}b" master br0 up
    ip -n "$(host $i)" addr add "$(addr $i)/24" dev "d2r2-cob${i}a"
    ip -n "$(host $i)" link set "d2r2-cob${i}a" up
    ip -n "$(host $i)" link set lo up
done
bin/d2r2 overlay keygen "$work/net.key" > /dev/null
agent() {
    local i=$1
    shift
    ip netns exec "$(host "$i")" bin/d2r2 overlay route --network-key "$work/net.key" --listen "$(addr "$i"):4200" "$@" > "$work/agent-$i.out" 2>&1 &
    echo $! > "$work/agent-$i.pid"
}
# start_agents [--cache] [ARG...]: six agents, each also given the ARGs; with --cache each also runs a DHT node
# (joined through host 5) for the relay cache.
start_agents() {
    local dht=() cache=no
    if [ "${1:-}" = --cache ]; then cache=yes; shift; fi
    local extra=("$@")
    for i in 1 2 3 4 5 6; do
        if [ $cache = yes ]; then
            dht=(--dht-listen "$(addr $i):4100")
            [ $i = 5 ] || dht+=(--join "$(addr 5):4100")
        fi
        case $i in
            1) agent 1 "${dht[@]}" "${extra[@]}" --neighbour "$(addr 3):4200" --neighbour "$(addr 4):4200" --destination "$(addr 2):4200" \
                   --service-port 9000 --entrance 127.0.0.1:7000 --contingent 6 ;;
            2) agent 2 "${dht[@]}" "${extra[@]}" ;;
            3) agent 3 "${dht[@]}" "${extra[@]}" --neighbour "$(addr 1):4200" --neighbour "$(addr 5):4200" ;;
            4) agent 4 "${dht[@]}" "${extra[@]}" --neighbour "$(addr 1):4200" --neighbour "$(addr 6):4200" ;;
            5) agent 5 "${dht[@]}" "${extra[@]}" --neighbour "$(addr 3):4200" ;;
            6) agent 6 "${dht[@]}" "${extra[@]}" --neighbour "$(addr 4):4200" ;;
        esac
    done
    for i in 1 2 3 4 5 6; do
        until grep -qs "route agent on" "$work/agent-$i.out"; do sleep 0.2; done
    done
}
stop_agents() {
    for i in 1 2 3 4 5 6; do kill "$(cat "$work/agent-$i.pid")" 2>/dev/null || true; done
    for i in 1 2 3 4 5 6; do while kill -0 "$(cat "$work/agent-$i.pid")" 2>/dev/null; do sleep 0.1; done; done
    rm -f "$work"/agent-*.out
}
ip netns exec "$(host 2)" socat "UDP4-LISTEN:9000,bind=$(addr 2),fork,reuseaddr" PIPE &
# echo LABEL: one datagram through the tunnel, at most 200 ms for its echo; exit 0 when it came back.
echo_once() {
    ip netns exec "$(host 1)" python3 -c "
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2); s.sendto(b'$1',('127.0.0.1',7000))
try: sys.exit(0 if s.recv(100)==b'$1' else 1)
except OSError: sys.exit(1)"
}
# prober FILE: for 6 s, a datagram into the tunnel every 20 ms carrying its send time; writes
# "sent received" (wall-clock ms) for each echo to FILE. Started before the break, so that the
# client's own start-up is not measured.
prober() {
    ip netns exec "$(host 1)" python3 -c "
import socket,sys,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setblocking(False); end=time.time()+6
out=open('$1','w')
while time.time()<end:
    s.sendto(b'%d'%int(time.time()*1000),('127.0.0.1',7000)); t=time.time()+0.02
    while time.time()<t:
        try:
            out.write('%s %d\\n'%(s.recv(100).decode(),int(time.time()*1000))); out.flush()
        except BlockingIOError:
            time.sleep(0.001)
out.close()"
}
hole() { ip netns exec "$(host "$1")" nft -f - <<NFT
table inet d2r2co {
    chain out { type filter hook output priority 0; ip daddr $(addr 2) drop; }
}
NFT
}
hole 3
hole 4
measure() {
    until echo_once warm; do sleep 0.2; done
    printf '%-17s %-4s %-22s %-24s %-16s %-8s\n' setting run "break → echo back (ms)" "break → relayed event (ms)" relay "found by"
    for run in $(seq 1 "$runs"); do
        events_before=$(grep -c '"to":"relayed"' "$work/agent-1.out" || true)
        rm -f "$work/echoes"
        prober "$work/echoes" &
        local probing=$!
        until [ -s "$work/echoes" ]; do sleep 0.05; done
        start=$(date +%s%3N)
        hole 1
        local holed
        holed=$(date +%s%3N)
        wait $probing
        # the first echo of a datagram sent once the rule was surely in place, timed from before it was added
        flowing=$(awk -v start="$start" -v holed="$holed" '$1 >= holed { print $2 - start; exit }' "$work/echoes")
        until [ "$(grep -c '"to":"relayed"' "$work/agent-1.out" || true)" -gt "$events_before" ]; do sleep 0.05; done
        line=$(grep '"to":"relayed"' "$work/agent-1.out" | tail -n 1)
        at=$(echo "$line" | sed -E 's/.*"time":([0-9]+).*/\1/')
        relay=$(echo "$line" | sed -E 's/.*"relay":"([^"]*)".*/\1/')
        found=$(echo "$line" | sed -E 's/.*"foundBy":"([^"]*)".*/\1/')
        printf '%-17s %-4s %-22s %-24s %-16s %-8s\n' "$1" "$run" "$flowing" "$((at - start))" "$relay" "$found"
        ip netns exec "$(host 1)" nft delete table inet d2r2co
        until [ "$(tail -n 1 "$work/agent-1.out" | grep -c '"to":"direct"')" = 1 ]; do sleep 0.05; done
        until echo_once "direct-$run"; do sleep 0.1; done
    done
}
start_agents
measure "flooding"
stop_agents
start_agents --cache
measure "flooding + cache"
stop_agents
start_agents --algorithm warp
measure "warp"
echo "RON, for comparison (the issue's reference, not run here): routes around outages in under 20 s on average."
