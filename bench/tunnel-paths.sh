#!/usr/bin/env bash
# Multihoming switch time in network namespaces (docs/tunnels.md, "Multihoming"): two namespaces
# joined by two veth paths, a `d2r2 tunnel mh` endpoint in each, a 1,000 datagrams/s
# sequence-numbered UDP echo stream from namespace a through both endpoints to an echo server in b.
# nftables black-holes the primary path p1 in one direction (b -> a) --rounds times, and lifts it
# after 1 s (p2 carries a penalty, so p1 wins the traffic back after the hold). Reports per black
# hole: the stream's loss window (lost datagrams x 1 ms: both endpoints must have switched) and the
# time from the black hole to each endpoint's tunnel.path.switched event.
# Then kernel MPTCP over the same two paths: a TCP echo stream (1 ms paced, 8-byte sequence numbers)
# under `mptcpize run`, a second subflow over p2 (client endpoint 10.62.2.1 subflow), the same black hole; reported: the
# longest time without an echo after each black hole; once with both subflows active, once with p2's
# subflow as backup (MP_PRIO), MPTCP's primary-backup.
# Usage: bench/tunnel-paths.sh [--rounds N] [--down-after MS] [--every MS] [--mptcp-rounds N] [--no-mptcp] [--mptcp-only] [--keep DIR]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
. "$root/bench/lib/netns.sh"

rounds=10 down=60 every=10 mptcp=1 mptcp_rounds=5 keep="" rate=1000 d2r2=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --down-after) down=$2; shift 2 ;;
        --every) every=$2; shift 2 ;;
        --mptcp-rounds) mptcp_rounds=$2; shift 2 ;;
        --no-mptcp) mptcp=0; shift ;;
        --mptcp-only) d2r2=0; shift ;;
        --keep) keep=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
need nftables /usr/sbin/nft
need mptcpize /usr/bin/mptcpize
bin/d2r2 --help > /dev/null

netns_begin d2r2-mhb- "a b"
for i in 1 2; do
    ip -n ${p}a link add d2r2-mhb-a$i type veth peer name d2r2-mhb-b$i netns ${p}b
    ip -n ${p}a addr add 10.62.$i.1/24 dev d2r2-mhb-a$i; ip -n ${p}a link set d2r2-mhb-a$i up
    ip -n ${p}b addr add 10.62.$i.2/24 dev d2r2-mhb-b$i; ip -n ${p}b link set d2r2-mhb-b$i up
done
inns b nft add table inet mhb
inns b nft add chain inet mhb out '{ type filter hook output priority 0; }'
hole() { inns b nft add rule inet mhb out ip daddr 10.62.1.1 "$@" drop; }
lift() { inns b nft flush chain inet mhb out; }

bin/d2r2 tunnel keygen "$work/tunnel.key" > /dev/null
for side in a b; do
    if [ $side = a ]; then me=1 peer=2 other=b app="{listen: 127.0.0.1:7100}"; else me=2 peer=1 other=a app="{listen: 127.0.0.1:0, to: 127.0.0.1:7000}"; fi
    cat > "$work/$side.yaml" <<YAML
name: $side
peer: $other
tunnel: 5
key: tunnel.key
paths:
  - {name: p1, local: 10.62.1.$me:4790, remote: 10.62.1.$peer:4790}
  - {name: p2, local: 10.62.2.$me:4790, remote: 10.62.2.$peer:4790, penalty: 20}
app: $app
probe: {every: ${every}ms, window: 50, down-after: ${down}ms}
hysteresis: {margin: 5, hold: 500ms}
YAML
done

if [ "$d2r2" = 1 ]; then
start() { # NS
    inns "$1" bin/d2r2 tunnel mh --config "$work/$1.yaml" > "$work/$1.out" 2> "$work/$1.err" &
    pids+=($!)
    await "$work/$1.err" 'application port' 1
    chrt -r -a -p 20 "$!" > /dev/null
}
start b; start a
inns b bin/d2r2 tunnel echo --listen 127.0.0.1:7000 --for 30m 2> /dev/null &
pids+=($!)
await "$work/a.out" '"reason":"up"' 1
await "$work/b.out" '"reason":"up"' 1

sleep 3
echo "d2r2 multihoming: $rounds black holes of p1 (b -> a), probes every ${every} ms, down after ${down} ms, stream $rate/s"
: > "$work/marks"
for k in $(seq "$rounds"); do
    probe_round a 127.0.0.1:7100 "$k"
    hole
    wait "$probe" || true
    lift
    await "$work/a.out" '"reason":"better"' "$k"
    await "$work/b.out" '"reason":"better"' "$k"
    sleep 0.5
done

PYTHONPATH="$root/bench/lib" PYTHONDONTWRITEBYTECODE=1 python3 - "$work/marks" "$work/a.out" "$work/b.out" "$rate" "$work"/probe*.out <<'PY'
import json, sys
from probe_stats import line, loss_windows, read_marks
marks, a, b = read_marks(sys.argv[1]), sys.argv[2], sys.argv[3]
loss = loss_windows(marks, int(sys.argv[4]), sys.argv[5:])
def switch_times(path):
    ev = [json.loads(l) for l in open(path) if '"tunnel.path.switched"' in l]
    ev = [e for e in ev if e["from"] == "p1"]
    return [min((e["time"] - m for e in ev if e["time"] >= m), default=float("nan")) for m in marks]
line("stream loss window per black hole", loss)
line("black hole -> a leaves p1", switch_times(a))
line("black hole -> b leaves p1", switch_times(b))
def falls(path):
    return sum(1 for l in open(path) if '"tunnel.path.switched"' in l and '"reason":"lost"' in l)
print(f"both paths declared down at once (a process stall, not the network): a {falls(a)}, b {falls(b)} times")
PY

fi

if [ "$mptcp" = 1 ]; then
    for n in a b; do kill -9 $(ip netns pids $p$n) 2>/dev/null || true; done
    lift
    for n in a b; do inns $n ip mptcp limits set subflow 2 add_addr_accepted 2; done
    inns b ip mptcp endpoint add 10.62.2.2 dev d2r2-mhb-b2 signal
    cat > "$work/mpserver.py" <<'PY'
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.62.1.2", 7200)); s.listen(8)
def serve(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while (d := c.recv(65536)):
        c.sendall(d)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PY
    cat > "$work/mpclient.py" <<'PY'
import socket, sys, threading, time
# runs SECONDS: a 1 ms paced stream of 8-byte sequence numbers, echoed back;
# prints every silence longer than 20 ms (epoch ms of its start, its length)
seconds = float(sys.argv[1])
c = socket.create_connection(("10.62.1.2", 7200)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
arrivals = []
def rx():
    buf = b""
    while True:
        d = c.recv(65536)
        if not d:
            return
        now = time.time() * 1000
        buf += d
        while len(buf) >= 8:
            buf = buf[8:]
            arrivals.append(now)
threading.Thread(target=rx, daemon=True).start()
t0 = time.monotonic(); seq = 0
while time.monotonic() - t0 < seconds:
    c.sendall(seq.to_bytes(8, "big")); seq += 1
    time.sleep(max(0, t0 + seq / 1000 - time.monotonic()))
time.sleep(1)
print("sent", seq, "echoed", len(arrivals))
for x, y in zip(arrivals, arrivals[1:]):
    if y - x > 20:
        print("silence", int(x), int(y - x))
PY
    inns b mptcpize run python3 "$work/mpserver.py" 2> "$work/mpserver.err" &
    pids+=($!)
    sleep 1
    for flag in "" backup; do
    inns a ip mptcp endpoint flush
    inns a ip mptcp endpoint add 10.62.2.1 dev d2r2-mhb-a2 subflow $flag
    echo "kernel MPTCP (mptcpize, a second subflow on p2 from the client endpoint 10.62.2.1${flag:+, as backup}): $mptcp_rounds black holes of p1 (b -> a)"
    rm -f "$work"/mpclient*.out
    : > "$work/mpmarks"
    for k in $(seq "$mptcp_rounds"); do
        inns a mptcpize run python3 "$work/mpclient.py" 6 > "$work/mpclient$k.out" 2>&1 &
        client=$!
        sleep 2
        echo "$(now_ms)" >> "$work/mpmarks"
        hole
        sleep 3
        lift
        wait "$client" || true
    done
    python3 - "$work/mpmarks" "$work"/mpclient*.out <<'PY'
import sys
marks = [int(l) for l in open(sys.argv[1]) if l.strip()]
stalls = []
for m, out in zip(marks, sys.argv[2:]):
    sil = [tuple(map(int, l.split()[1:])) for l in open(out) if l.startswith("silence")]
    after = [d + (s - m) for s, d in sil if m - 50 <= s < m + 3000]
    stalls.append(max(after, default=0))
    print(out.rsplit("/", 1)[1], open(out).readline().strip())
v = sorted(stalls)
print(f"MPTCP: longest time without an echo after the black hole (ms, n={len(v)}): p50 {v[len(v) // 2]:.0f}  max {max(v):.0f}  all {stalls}")
PY

    done
fi
