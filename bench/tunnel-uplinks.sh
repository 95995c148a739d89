#!/usr/bin/env bash
# An EN's uplink switch in network namespaces (docs/tunnels.md, "Multihoming in the EN"): an EN with
# two uplinks (veth pairs with their own source addresses and routing tables) to one DN, a 1,000
# datagrams/s sequence-numbered UDP echo stream through the EN's TUN device to an echo server behind
# the DN. The primary uplink is cut (`ip link set down` in the EN's namespace) --rounds times and
# restored after the stream's 3 s (up2 carries a penalty, so up1 wins the traffic back after the
# hold). Reports per cut: the stream's loss window (lost datagrams x 1 ms) and the time from the cut
# to the EN's tunnel.path.switched event; and whether the EN ever left its DN (it must not).
# Usage: bench/tunnel-uplinks.sh [--rounds N] [--down-after MS] [--every MS] [--keep DIR]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
. "$root/bench/lib/netns.sh"

rounds=5 down=60 every=10 keep="" rate=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --down-after) down=$2; shift 2 ;;
        --every) every=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
need iproute2 /usr/bin/ip
bin/d2r2 --help > /dev/null

netns_begin d2r2-upb- "en dn"
for i in 1 2; do
    ip -n ${p}en link add d2r2-upb-e$i type veth peer name d2r2-upb-d$i netns ${p}dn
    ip -n ${p}en addr add 10.82.$i.1/24 dev d2r2-upb-e$i; ip -n ${p}en link set d2r2-upb-e$i up
    ip -n ${p}dn addr add 10.82.$i.2/24 dev d2r2-upb-d$i; ip -n ${p}dn link set d2r2-upb-d$i up
    ip -n ${p}en rule add from 10.82.$i.1 table $((100 + i))
done
uplink_route() { ip -n ${p}en route replace 10.82.0.1/32 via 10.82.$1.2 dev d2r2-upb-e$1 table $((100 + $1)); }
uplink_route 1; uplink_route 2
ip -n ${p}dn addr add 10.82.0.1/32 dev lo
ip -n ${p}dn addr add 10.99.0.2/32 dev lo

bin/d2r2 tunnel keygen "$work/tunnel.key" > /dev/null
bfd="bfd: {tx: 20ms, rx: 20ms, multiplier: 10, idle: 100ms}"
cat > "$work/en.yaml" <<YAML
name: en1
tunnel: 1
key: tunnel.key
device: d2r2-upb-tun
dns:
  - {name: dn1, address: 10.82.0.1:4789}
  - {name: dn2, address: 10.82.0.2:4789}
routes: [10.99.0.0/24]
hello-every: 100ms
$bfd
uplinks:
  - {name: up1, local: 10.82.1.1:0}
  - {name: up2, local: 10.82.2.1:0, penalty: 20}
multipath:
  probe: {every: ${every}ms, window: 50, down-after: ${down}ms}
  hysteresis: {margin: 5, hold: 500ms}
YAML
cat > "$work/dn.yaml" <<YAML
name: dn1
key: tunnel.key
listen: 10.82.0.1:4789
device: d2r2-upb-tdn
pool: 10.77.1.0/24
clients: 10.77.0.0/16
$bfd
YAML

start() { # NS ROLE
    inns "$1" bin/d2r2 tunnel "$2" --config "$work/$1.yaml" > "$work/$1.out" 2> "$work/$1.err" &
    pids+=($!)
}
start dn dn
inns dn bin/d2r2 tunnel echo --listen 10.99.0.2:7000 --for 30m 2> /dev/null &
pids+=($!)
sleep 2
start en en
await "$work/en.out" '"tunnel.en.dn"' 1
for pid in "${pids[@]}"; do chrt -r -a -p 20 "$pid" > /dev/null 2>&1 || true; done
await "$work/en.out" '"to":"up1"' 1

sleep 2
echo "d2r2 EN uplinks: $rounds cuts of up1 (ip link set down), probes every ${every} ms, down after ${down} ms, stream $rate/s"
: > "$work/marks"
for k in $(seq "$rounds"); do
    probe_round en 10.99.0.2:7000 "$k"
    ip -n ${p}en link set d2r2-upb-e1 down
    wait "$probe" || true
    ip -n ${p}en link set d2r2-upb-e1 up
    uplink_route 1
    await "$work/en.out" '"reason":"better"' "$((k + 1))"
    sleep 0.5
done

PYTHONPATH="$root/bench/lib" PYTHONDONTWRITEBYTECODE=1 python3 - "$work/marks" "$work/en.out" "$rate" "$work"/probe*.out <<'PY'
import json, sys
from probe_stats import line, loss_windows, read_marks
marks, en = read_marks(sys.argv[1]), sys.argv[2]
loss = loss_windows(marks, int(sys.argv[3]), sys.argv[4:])
events = [json.loads(l) for l in open(en) if l.startswith("{")]
left = [e for e in events if e["type"] == "tunnel.path.switched" and e["from"] == "up1"]
switch = [min((e["time"] - m for e in left if e["time"] >= m), default=float("nan")) for m in marks]
line("stream loss window per uplink cut", loss)
line("cut -> EN leaves up1", switch)
moves = sum(1 for e in events if e["type"] == "tunnel.en.dn" and e["attrs"]["reason"] != "connected")
downs = sum(1 for e in events if e["type"] == "tunnel.en.session" and e["to"] == "down")
print(f"DN changes other than connecting: {moves}; BFD sessions down: {downs}")
lost = sum(1 for e in events if e["type"] == "tunnel.path.switched" and e["attrs"]["reason"] == "lost")
print(f"both uplinks declared down at once (a process stall longer than down-after, not the network): {lost} times")
PY
