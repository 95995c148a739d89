#!/usr/bin/env bash
# Tunnel DN failover in network namespaces (docs/tunnels.md): an EN with two DNs, a server behind
# them, a 1,000 datagrams/s sequence-numbered UDP echo stream from the EN's namespace; the primary
# DN is killed (-9) and restarted --failovers times. Reports the loss window per failover and per
# failback (lost datagrams at 1/ms), false switches, and the throughput of one TCP stream (iperf3)
# through the tunnel beside kernel VXLAN on the same veth. The EN and the DNs run at real-time
# priority (chrt -r, as keepalived's vrrp_rt_priority) once started: on a loaded 2-core machine a
# process at normal priority can wait longer than a 30 ms detection time for the CPU, and BFD
# flaps. A node starts at normal priority, so that a restarting JVM does not starve the others.
# Then the same for keepalived 2.2 (VRRPv3) on a second LAN between the EN and the DNs: the DNs
# as plain routers sharing a virtual IP on each side, dn1 "dies" (keepalived -9, its links down)
# and comes back, at keepalived's default advert_int (1 s) and at --vrrp-fast (default 0.05 s).
# With --esr, the return path instead: the DNs report to an edge service router that routes the EN's
# address via the DN carrying it, and the stream runs from a service behind the ESR to an echo server
# at the EN's address (no iperf, no VRRP): the loss window is then the return traffic's interruption.
# With --bird, the ESR is a BGP route server instead (BgpRouteNamespaceTest's topology): the DNs, the
# ESR and the service router on one LAN, BIRD beside the ESR announcing its routes by eBGP with the
# DN as next hop (examples/tunnel/bird-esr.conf) to BIRD on the service router
# (examples/tunnel/bird-service.conf), whose kernel route is the only way back to the EN; it also
# reports when that route moved (ip -ts monitor route) after the ESR's and after the EN's move.
# With --download N, no stream and no VRRP: iperf3 (with the CPU the EN and dn1 spend per Gbit), then
# N rounds of a TCP download (iperf3 -R, --download-size, default 50M, paced at --download-rate,
# default 100mbit, tc syntax) by tc tbf on the server's links, which no sender catches up on after a stall
# as iperf3 -b does, so that the machine's load does not decide its length) from the server to the
# EN, each once undisturbed and once with dn1 killed (-9) at 40 % of the undisturbed time: the
# penalty is the difference (the thesis: up to 2.7 s). dn1 is restarted and takes the EN back
# between rounds.
# Usage: bench/tunnel.sh [--failovers N] [--tx MS] [--multiplier N] [--rate N] [--no-iperf] [--no-vrrp]
#                        [--vrrp-failovers N] [--vrrp-fast S] [--vrrp-only] [--esr] [--bird] [--keep DIR]
#                        [--download N] [--download-size BYTES] [--download-rate RATE]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
. "$root/bench/lib/netns.sh"

failovers=20 tx=10 mult=3 rate=1000 iperf=1 keep="" vrrp=1 tunnel=1 vrrp_failovers=10 vrrp_fast=0.05 esr=0 bird=0
download=0 download_size=50M download_rate=100mbit
while [ $# -gt 0 ]; do
    case "$1" in
        --failovers) failovers=$2; shift 2 ;;
        --tx) tx=$2; shift 2 ;;
        --multiplier) mult=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --no-iperf) iperf=0; shift ;;
        --keep) keep=$2; shift 2 ;;
        --no-vrrp) vrrp=0; shift ;;
        --vrrp-only) tunnel=0 iperf=0; shift ;;
        --vrrp-failovers) vrrp_failovers=$2; shift 2 ;;
        --vrrp-fast) vrrp_fast=$2; shift 2 ;;
        --esr) esr=1 iperf=0 vrrp=0; shift ;;
        --bird) esr=1 bird=1 iperf=0 vrrp=0; shift ;;
        --download) download=$2 failovers=0 vrrp=0; shift 2 ;;
        --download-size) download_size=$2; shift 2 ;;
        --download-rate) download_rate=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
need iproute2 /usr/bin/ip
need arping /usr/sbin/arping
need iperf3 /usr/bin/iperf3
need keepalived /usr/sbin/keepalived
bin/d2r2 --help > /dev/null

keep_files="*.out *.err *marks ka* *.mon downloads"
if [ "$bird" = 1 ]; then need bird2 /usr/sbin/bird; netns_begin d2r2-bgp-b "en dn1 dn2 esr svc"
elif [ "$esr" = 1 ]; then netns_begin d2r2-esr-b "en dn1 dn2 esr svc"; else netns_begin d2r2-tun-b "en dn1 dn2 srv"; fi
veth() { # ns-a name-a addr-a ns-b name-b [addr-b]
    ip -n $p$1 link add "$2" type veth peer name "$5" netns $p$4
    ip -n $p$1 addr add "$3" dev "$2"; ip -n $p$1 link set "$2" up
    if [ -n "${6:-}" ]; then ip -n $p$4 addr add "$6" dev "$5"; fi
    ip -n $p$4 link set "$5" up
}
veth en d2r2-tun-e1 10.1.1.1/24 dn1 d2r2-tun-d1 10.1.1.2/24
veth en d2r2-tun-e2 10.1.2.1/24 dn2 d2r2-tun-d2 10.1.2.2/24
if [ "$bird" = 1 ]; then
    # dn1, dn2, the ESR and the service router on one LAN; the service's way back to the EN is BIRD's route
    ip -n ${p}svc link add d2r2-bgp-br type bridge
    ip -n ${p}svc addr add 10.99.0.2/24 dev d2r2-bgp-br
    ip -n ${p}svc link set d2r2-bgp-br up
    veth dn1 d2r2-bgp-h1 10.99.0.11/24 svc d2r2-bgp-s1
    veth dn2 d2r2-bgp-h2 10.99.0.12/24 svc d2r2-bgp-s2
    veth esr d2r2-bgp-r 10.99.0.3/24 svc d2r2-bgp-s3
    for s in 1 2 3; do ip -n ${p}svc link set d2r2-bgp-s$s master d2r2-bgp-br; done
    for n in dn1 dn2; do inns $n sysctl -q -w net.ipv4.ip_forward=1; done
elif [ "$esr" = 1 ]; then
    # dn1 -- esr -- dn2, the service behind the ESR (EsrNamespaceTest's topology)
    veth dn1 d2r2-esr-h1 10.3.1.2/24 esr d2r2-esr-r1 10.3.1.1/24
    veth dn2 d2r2-esr-h2 10.3.2.2/24 esr d2r2-esr-r2 10.3.2.1/24
    veth svc d2r2-esr-s 10.3.9.2/24 esr d2r2-esr-rs 10.3.9.1/24
    ip -n ${p}svc route add default via 10.3.9.1
    ip -n ${p}dn1 route add 10.3.9.0/24 via 10.3.1.1
    ip -n ${p}dn2 route add 10.3.9.0/24 via 10.3.2.1
    for n in dn1 dn2 esr; do inns $n sysctl -q -w net.ipv4.ip_forward=1; done
else
ip -n ${p}srv link add d2r2-tun-br type bridge
ip -n ${p}srv addr add 10.99.0.2/24 dev d2r2-tun-br
ip -n ${p}srv link set d2r2-tun-br up
veth dn1 d2r2-tun-h1 10.99.0.11/24 srv d2r2-tun-s1
veth dn2 d2r2-tun-h2 10.99.0.12/24 srv d2r2-tun-s2
ip -n ${p}srv link set d2r2-tun-s1 master d2r2-tun-br
ip -n ${p}srv link set d2r2-tun-s2 master d2r2-tun-br
ip -n ${p}srv route add 10.77.0.0/16 dev d2r2-tun-br
inns srv sysctl -q -w net.ipv4.neigh.d2r2-tun-br.locktime=0
inns dn1 sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.neigh.d2r2-tun-h1.proxy_delay=0
inns dn2 sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.neigh.d2r2-tun-h2.proxy_delay=0
fi

bin/d2r2 tunnel keygen "$work/tunnel.key" > /dev/null
bfd="bfd: {tx: ${tx}ms, rx: ${tx}ms, multiplier: $mult, idle: 100ms}"
cat > "$work/en.yaml" <<YAML
name: en1
tunnel: 1
key: tunnel.key
device: d2r2-tun-en
dns:
  - {name: dn1, address: 10.1.1.2:4789}
  - {name: dn2, address: 10.1.2.2:4789}
routes: [$([ "$esr" = 1 ] && [ "$bird" = 0 ] && echo 10.3.9.0/24 || echo 10.99.0.0/24)]
hello-every: 100ms
$bfd
YAML
for i in 1 2; do cat > "$work/dn$i.yaml" <<YAML
name: dn$i
key: tunnel.key
listen: 10.1.$i.2:4789
device: d2r2-tun-dn
pool: 10.77.$i.0/24
clients: 10.77.0.0/16
$(if [ "$bird" = 1 ]; then echo "esr: {address: 10.99.0.3:4790, tunnel: 901, report-every: 100ms}"
  elif [ "$esr" = 1 ]; then echo "esr: {address: 10.3.$i.1:4790, tunnel: 901, report-every: 100ms}"; else echo "announce: d2r2-tun-h$i"; fi)
$bfd
YAML
done
cat > "$work/esr.yaml" <<YAML
name: esr1
tunnel: 901
key: tunnel.key
dns:
  - {name: dn1, via: $([ "$bird" = 1 ] && echo 10.99.0.11 || echo 10.3.1.2)}
  - {name: dn2, via: $([ "$bird" = 1 ] && echo 10.99.0.12 || echo 10.3.2.2)}
YAML

# report PROBE-OUT MARKS EN-OUT|-: loss per failover and failback, from the probe's gaps and the kill/restart times
report() {
python3 - "$1" "$2" "$3" "$rate" <<'PY'
import json, sys
probe, marks, en, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(probe).read().split("\n")
start = next(int(l.split()[1]) for l in lines if l.startswith("start "))
gaps = [(int(l.split()[1]), int(l.split()[2])) for l in lines if l.startswith("gap ")]
events = [tuple(l.split()) for l in open(marks).read().split("\n") if l]
events = [(kind, int(t)) for kind, t in events]
ms_per = 1000.0 / rate
loss = {i: 0.0 for i in range(len(events))}
other = 0.0
for first, length in gaps:
    t = start + first * ms_per
    owner = None
    # a gap's time is reckoned from its sequence number at the nominal rate, and a loaded probe falls behind
    # its schedule, so a gap may seem to start before the kill that caused it; events are over 1 s apart
    for i, (kind, at) in enumerate(events):
        if at - 500 <= t:
            owner = i
    if owner is None:
        other += length * ms_per
    else:
        loss[owner] += length * ms_per
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else float("nan")
fo = [loss[i] for i, (k, _) in enumerate(events) if k == "kill"]
fb = [loss[i] for i, (k, _) in enumerate(events) if k == "restart"]
switches = [json.loads(l) for l in open(en) if '"tunnel.en.dn"' in l] if en != "-" else []
failovers = sum(1 for s in switches if s["attrs"]["reason"] == "failover")
print(f"loss window per failover (ms, n={len(fo)}): p50 {pct(fo, .5):.0f}  p95 {pct(fo, .95):.0f}  max {max(fo):.0f}  all {[round(x) for x in fo]}")
print(f"loss per failback (ms, n={len(fb)}):         p50 {pct(fb, .5):.0f}  p95 {pct(fb, .95):.0f}  max {max(fb):.0f}  failbacks with no loss: {sum(1 for x in fb if x == 0)}")
print(f"loss before the first kill: {other:.0f} ms" + (f";  EN failovers {failovers} for {len(fo)} kills (more = false detections)" if en != "-" else ""))
PY
}

# start NS ROLE NAME: a tunnel role in the background, its events in $work/NAME.out
start() {
    local before
    before=$(grep -c 'tunnel port' "$work/$3.err" 2>/dev/null || true)
    ip netns exec "$p$1" bin/d2r2 tunnel "$2" --config "$work/$3.yaml" >> "$work/$3.out" 2>> "$work/$3.err" &
    local pid=$!
    pids+=($pid)
    eval "pid_$3=$pid"
    await "$work/$3.err" 'tunnel port' "$(( ${before:-0} + 1 ))"
    chrt -r -a -p 20 "$pid" > /dev/null
}
if [ "$tunnel" = 1 ]; then
start dn1 dn dn1; start dn2 dn dn2
if [ "$bird" = 1 ]; then
    for b in esr svc; do
        conf=$root/examples/tunnel/bird-$([ $b = esr ] && echo esr || echo service).conf
        inns $b bird -f -c "$conf" -s "$work/bird-$b.ctl" -P "$work/bird-$b.pid" >> "$work/bird-$b.err" 2>&1 &
        pids+=($!)
        chrt -r -a -p 20 $! > /dev/null
        inns $b ip -ts monitor route > "$work/$b-routes.mon" 2>&1 &  # stamps what it prints: it must not wait for the CPU
        pids+=($!)
        chrt -r -a -p 30 $! > /dev/null
    done
fi
if [ "$esr" = 1 ]; then start esr esr esr; fi
start en en en
await "$work/en.out" '"reason":"connected"' 1
await "$work/en.out" '"to":"up"' 2
if [ "$esr" = 1 ]; then
    # the stream runs from the service to the EN's address, echoed in the EN's namespace
    echo_ns=en echo_at=0.0.0.0 probe_ns=svc
    target=$(grep -m1 '"reason":"connected"' "$work/en.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["attrs"]["address"])')
    if [ "$bird" = 1 ]; then await "$work/svc-routes.mon" "$target via 10.99.0.11" 1; fi
else
    echo_ns=srv echo_at=10.99.0.2 probe_ns=en target=10.99.0.2
fi
if [ "$failovers" -gt 0 ]; then
ip netns exec $p$echo_ns bin/d2r2 tunnel echo --listen $echo_at:7000 --for 30m 2> /dev/null &
pids+=($!)
sleep 1

count=$(( failovers * 30 * rate ))
echo "tunnel failover$([ "$bird" = 1 ] && echo ", return traffic by the service router's BGP route from the ESR's BIRD" || ([ "$esr" = 1 ] && echo ", return traffic through the ESR")): $failovers kills of the primary DN, BFD ${tx} ms x $mult (detection $((tx * mult)) ms), stream $rate/s"
ip netns exec $p$probe_ns bin/d2r2 tunnel probe --to $target:7000 --rate "$rate" --count "$count" --linger 1s > "$work/probe.out" 2> "$work/probe.err" &
probe=$!
pids+=($probe)
await "$work/probe.out" '^start ' 1
await "$work/dn1.out" '"to":"carrying"' 1
sleep 1
: > "$work/marks"
for k in $(seq "$failovers"); do
    echo "kill $(now_ms)" >> "$work/marks"
    kill -9 "$pid_dn1"
    await "$work/en.out" '"failover"' "$k"
    sleep 1
    echo "restart $(now_ms)" >> "$work/marks"
    start dn1 dn dn1
    await "$work/en.out" '"failback"' "$k"
    sleep 1
done
sleep 1
kill -TERM "$probe"
wait "$probe" || true

report "$work/probe.out" "$work/marks" "$work/en.out"
if [ "$esr" = 1 ]; then
python3 - "$work/en.out" "$work/esr.out" <<'PY'
import json, sys
def events(path, kind):
    out = []
    for line in open(path):
        if line.startswith("{") and f'"{kind}"' in line:
            out.append(json.loads(line))
    return out
routes = events(sys.argv[2], "tunnel.esr.route")
for reason in ("failover", "failback"):
    lags = []
    for e in (x for x in events(sys.argv[1], "tunnel.en.dn") if x["attrs"]["reason"] == reason):
        later = [r["time"] - e["time"] for r in routes if r["to"] == e["to"] and r["time"] >= e["time"]]
        lags.append(min(later) if later else None)
    print(f"ESR route moved after the EN's {reason} (ms): {lags}")
print(f"ESR routes removed while the EN was there: {sum(1 for r in routes if r['to'] == 'none')}")
PY
fi
if [ "$bird" = 1 ]; then
python3 - "$work/en.out" "$work/esr.out" "$work/svc-routes.mon" "$target" "$work/esr-routes.mon" "$work/marks" <<'PY'
import datetime, json, sys
def events(path, kind):
    return [json.loads(l) for l in open(path) if l.startswith("{") and f'"{kind}"' in l]
hop = {"dn1": "10.99.0.11", "dn2": "10.99.0.12"}
# ip -ts monitor route: "[2026-12-06T20:10:56.127985] 10.77.1.1 via 10.99.0.12 dev ... proto bird ..."
def routes(path):
    out = []
    for line in open(path):
        if line.startswith("[") and "] " + sys.argv[4] + " via " in line:
            at = datetime.datetime.fromisoformat(line[1:line.index("]")]).timestamp() * 1000
            via = line.split(" via ")[1].split()[0]
            if not out or out[-1][1] != via:  # a route replaced by the same one moves nothing
                out.append((at, via))
    return out
seen = routes(sys.argv[3])
kernel = routes(sys.argv[5])
withdrawn = sum(1 for l in open(sys.argv[3]) if "Deleted " + sys.argv[4] + " " in l)
def lag(after, dn):
    later = [at - after for at, via in seen if via == hop[dn] and at >= after - 1]
    return round(min(later), 1) if later else None
def pct(v, q):
    v = sorted(x for x in v if x is not None)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else float("nan")
# the EN's first move after each kill and each restart of dn1 (not its false detections)
marks = [(k, int(t)) for k, t in (l.split() for l in open(sys.argv[6]) if l.strip())]
moves = [(e["time"], e["to"], e["attrs"]["reason"]) for e in events(sys.argv[1], "tunnel.en.dn") if e["to"] in hop]
want = {"kill": "failover", "restart": "failback"}
en = [next((m for m in moves if m[2] == want[k] and m[0] >= t), None) for k, t in marks]
en = [m for m in en if m is not None]
# BIRD and BGP alone: the n-th move of the ESR's kernel route (its namespace's monitor) against the service's n-th
if [via for _, via in kernel] == [via for _, via in seen]:
    bgp = [round(b[0] - a[0], 1) for a, b in zip(kernel, seen)]
    print(f"service's BGP route moved after the ESR's kernel route (ms, n={len(bgp)}): p50 {pct(bgp, .5)}  p95 {pct(bgp, .95)}  max {pct(bgp, 1)}  all {bgp}")
else:
    print(f"the service's route moves ({len(seen)}) are not the ESR's ({len(kernel)})")
esr = [lag(r["time"], r["to"]) for r in events(sys.argv[2], "tunnel.esr.route") if r["to"] in hop]
print(f"service's BGP route moved after the ESR's decision (ms, n={len(esr)}): p50 {pct(esr, .5)}  p95 {pct(esr, .95)}  max {pct(esr, 1)}")
for reason in ("failover", "failback"):
    lags = [lag(t, to) for t, to, r in en if r == reason]
    print(f"service's BGP route moved after the EN's {reason} following a kill/restart (ms): p50 {pct(lags, .5)}  p95 {pct(lags, .95)}  max {pct(lags, 1)}  all {lags}")
print(f"service's route withdrawn while the EN was there: {withdrawn}")
PY
fi
fi
fi

# cpu_s PID...: the CPU seconds (user + system) the processes have used so far
cpu_s() {
    local t=0 pid
    for pid in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$pid/stat") )); done
    echo "$t $(getconf CLK_TCK)" | awk '{printf "%.3f", $1 / $2}'
}
# iperf_run NS ARGS...: iperf3's JSON; prints "Mbit/s cpu-seconds-of-both-iperf3-ends"
iperf_run() {
    local ns=$1; shift
    inns "$ns" iperf3 "$@" -J 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
secs = j["end"]["sum_received"]["seconds"]
cpu = j["end"]["cpu_utilization_percent"]
print(round(j["end"]["sum_received"]["bits_per_second"] / 1e6), round((cpu["host_total"] + cpu["remote_total"]) / 100 * secs, 3))' || echo "n/a n/a"
}

if [ "$iperf" = 1 ]; then
    inns dn1 iperf3 -s -1 -B 10.99.0.11 -D 2>/dev/null || true
    sleep 0.5
    before=$(cpu_s "$pid_en" "$pid_dn1")
    read -r tun tun_iperf_cpu < <(iperf_run en -c 10.99.0.11 -t 5)
    tun_cpu=$(echo "$(cpu_s "$pid_en" "$pid_dn1") $before" | awk '{printf "%.2f", $1 - $2}')
    ip -n ${p}en link add d2r2-tun-vx type vxlan id 42 remote 10.1.1.2 local 10.1.1.1 dstport 4790 dev d2r2-tun-e1
    ip -n ${p}dn1 link add d2r2-tun-vx type vxlan id 42 remote 10.1.1.1 local 10.1.1.2 dstport 4790 dev d2r2-tun-d1
    ip -n ${p}en addr add 10.200.0.1/24 dev d2r2-tun-vx; ip -n ${p}en link set d2r2-tun-vx up
    ip -n ${p}dn1 addr add 10.200.0.2/24 dev d2r2-tun-vx; ip -n ${p}dn1 link set d2r2-tun-vx up
    inns dn1 iperf3 -s -1 -B 10.200.0.2 -D 2>/dev/null || true
    sleep 0.5
    read -r vx vx_iperf_cpu < <(iperf_run en -c 10.200.0.2 -t 5)
    ip -n ${p}en link del d2r2-tun-vx
    echo "one TCP stream EN -> DN1, 5 s (iperf3): d2r2 tunnel $tun Mbit/s, kernel VXLAN $vx Mbit/s"
    python3 - "$tun" "$tun_cpu" "$tun_iperf_cpu" "$vx" "$vx_iperf_cpu" <<'PY'
import sys
tun, tun_cpu, tun_iperf, vx, vx_iperf = sys.argv[1:]
def per_gbit(cpu, mbps):
    return float(cpu) / (float(mbps) * 5 / 1000)
print(f"CPU per Gbit carried: d2r2 EN + DN {per_gbit(tun_cpu, tun):.2f} s (+ iperf3's own {per_gbit(tun_iperf, tun):.2f} s); "
      f"kernel VXLAN: iperf3's processes {per_gbit(vx_iperf, vx):.2f} s (the kernel's encapsulation runs in their system time and in softirq)")
PY
fi

if [ "$download" -gt 0 ]; then
    inns srv iperf3 -s -B 10.99.0.2 -D 2>/dev/null || true
    for s in 1 2; do  # the server's way to each DN shaped: a strict rate, which no sender catches up on after a stall
        inns srv tc qdisc replace dev d2r2-tun-s$s root tbf rate "$download_rate" burst 64k latency 50ms
    done
    sleep 0.5
    # download: the wall time (ms) of one TCP download of $download_size from the server to the EN
    download() { local t0; t0=$(now_ms); inns en iperf3 -c 10.99.0.2 -R -n "$download_size" > /dev/null 2>&1; echo $(( $(now_ms) - t0 )); }
    echo "TCP download of $download_size at $download_rate through the tunnel, dn1 killed at 40 %: $download rounds"
    : > "$work/downloads"
    for k in $(seq "$download"); do
        plain=$(download)
        download > "$work/dl.ms" &
        dl=$!
        sleep "$(echo "$plain" | awk '{printf "%.3f", $1 * 0.4 / 1000}')"
        kill -9 "$pid_dn1"
        wait "$dl"
        echo "$plain $(cat "$work/dl.ms")" >> "$work/downloads"
        carried=$(grep -c '"to":"carrying"' "$work/dn1.out" || true)
        start dn1 dn dn1
        await "$work/dn1.out" '"to":"carrying"' "$(( carried + 1 ))"
        sleep 1
    done
    python3 - "$work/downloads" <<'PY'
import sys
rows = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if l.strip()]
pen = sorted(k - p for p, k in rows)
print(f"undisturbed (ms): {[p for p, _ in rows]};  with dn1 killed at 40 % (ms): {[k for _, k in rows]}")
print(f"download penalty (ms, n={len(pen)}): p50 {pen[len(pen) // 2]}  max {pen[-1]}  all {[k - p for p, k in rows]}")
PY
fi

[ "$vrrp" = 1 ] || exit 0
for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
# The VRRP LAN: a bridge in the EN's namespace, one leg to each DN; the server reaches the EN's
# LAN through the DNs' virtual IP on its side, the EN the server's 10.98.0.2 through the other.
ip -n ${p}en link add d2r2-tun-cl type bridge
ip -n ${p}en addr add 10.2.0.1/24 dev d2r2-tun-cl
ip -n ${p}en link set d2r2-tun-cl up
for i in 1 2; do
    veth dn$i d2r2-tun-c$i 10.2.0.1$i/24 en d2r2-tun-l$i
    ip -n ${p}en link set d2r2-tun-l$i master d2r2-tun-cl
done
ip -n ${p}srv addr add 10.98.0.2/32 dev lo
ip -n ${p}en route add 10.98.0.0/24 via 10.2.0.254
ip -n ${p}dn1 route add 10.98.0.0/24 via 10.99.0.2
ip -n ${p}dn2 route add 10.98.0.0/24 via 10.99.0.2
ip -n ${p}srv route add 10.2.0.0/24 via 10.99.0.254
inns en sysctl -q -w net.ipv4.neigh.d2r2-tun-cl.locktime=0

# keepalived_conf DN ADVERT: both virtual IPs in one sync group; dn1 has the higher priority
keepalived_conf() {
    local prio=$(( $1 == 1 ? 200 : 100 ))
    cat <<CONF
global_defs {
    router_id dn$1
    vrrp_version 3
    enable_script_security
}
vrrp_sync_group G {
    group { C S }
}
vrrp_instance C {
    state BACKUP
    interface d2r2-tun-c$1
    virtual_router_id 51
    priority $prio
    advert_int $2
    virtual_ipaddress { 10.2.0.254/24 }
}
vrrp_instance S {
    state BACKUP
    interface d2r2-tun-h$1
    virtual_router_id 52
    priority $prio
    advert_int $2
    virtual_ipaddress { 10.99.0.254/24 }
}
CONF
}
start_keepalived() { # DN ADVERT
    keepalived_conf "$1" "$2" > "$work/ka$1.conf"
    rm -f "$work/ka$1.pid" "$work/ka$1-vrrp.pid"
    ip netns exec ${p}dn$1 keepalived -n -l -D -f "$work/ka$1.conf" -p "$work/ka$1.pid" -r "$work/ka$1-vrrp.pid" \
        > "$work/ka$1.log" 2>&1 &
    pids+=($!)
    eval "ka_$1=$!"
}
# await_vip NS ADDRESS: until ADDRESS is on an interface of NS
await_vip() {
    for _ in $(seq 600); do
        ip -n $p$1 -4 addr show | grep -q " $2/" && return 0
        sleep 0.05
    done
    echo "timed out waiting for $2 on $1" >&2
    exit 1
}

for advert in 1 "$vrrp_fast"; do
    ip -n ${p}dn1 route replace 10.98.0.0/24 via 10.99.0.2
    start_keepalived 2 "$advert"
    start_keepalived 1 "$advert"
    await_vip dn1 10.2.0.254
    ip netns exec ${p}srv bin/d2r2 tunnel echo --listen 10.98.0.2:7001 --for 30m 2> /dev/null &
    pids+=($!)
    sleep 1
    : > "$work/vprobe.out"
    ip netns exec ${p}en bin/d2r2 tunnel probe --to 10.98.0.2:7001 --rate "$rate" --count $(( vrrp_failovers * 40 * rate )) \
        --linger 1s > "$work/vprobe.out" 2> /dev/null &
    vprobe=$!
    pids+=($vprobe)
    await "$work/vprobe.out" '^start ' 1
    sleep 2
    : > "$work/vmarks"
    for k in $(seq "$vrrp_failovers"); do
        echo "kill $(now_ms)" >> "$work/vmarks"
        ip netns pids ${p}dn1 | xargs -r kill -9
        ip -n ${p}dn1 link set d2r2-tun-c1 down
        ip -n ${p}dn1 link set d2r2-tun-h1 down
        await_vip dn2 10.2.0.254
        sleep $(( ${advert%.*} * 5 + 2 ))
        echo "restart $(now_ms)" >> "$work/vmarks"
        ip -n ${p}dn1 addr del 10.2.0.254/24 dev d2r2-tun-c1 2>/dev/null || true
        ip -n ${p}dn1 addr del 10.99.0.254/24 dev d2r2-tun-h1 2>/dev/null || true
        ip -n ${p}dn1 link set d2r2-tun-c1 up
        ip -n ${p}dn1 link set d2r2-tun-h1 up
        ip -n ${p}dn1 route replace 10.98.0.0/24 via 10.99.0.2
        start_keepalived 1 "$advert"
        await_vip dn1 10.2.0.254
        sleep $(( ${advert%.*} * 5 + 2 ))
    done
    kill -TERM "$vprobe"
    wait "$vprobe" || true
    echo "keepalived 2.2 VRRPv3, advert_int $advert s (master down after 3 x advert + skew), $vrrp_failovers failovers:"
    report "$work/vprobe.out" "$work/vmarks" -
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for n in dn1 dn2 srv; do ip netns pids $p$n | xargs -r kill -9; done
    wait 2>/dev/null || true
    pids=()
    ip -n ${p}dn1 addr del 10.2.0.254/24 dev d2r2-tun-c1 2>/dev/null || true
    ip -n ${p}dn1 addr del 10.99.0.254/24 dev d2r2-tun-h1 2>/dev/null || true
    ip -n ${p}dn2 addr del 10.2.0.254/24 dev d2r2-tun-c2 2>/dev/null || true
    ip -n ${p}dn2 addr del 10.99.0.254/24 dev d2r2-tun-h2 2>/dev/null || true
done
