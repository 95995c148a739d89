#!/usr/bin/env bash
# Server redundancy and live migration in network namespaces on a bridge (docs/migration.md):
#  1. IP takeover time — the client's outage around the master host's death (kill -9 and link down):
#     the longest silence between two SIP OPTIONS answers on the service address (probed every 2 ms
#     from a client namespace), the later one after the death — for
#     d2r2 takeover (10 ms keepalives, 3 misses, margin 3; under chrt -r 10) and keepalived 2.2 VRRP
#     with its default advert_int 1 s and advert_int 0.1 s, the same topology, prober and SIP servers
#     (d2r2 sip-server, under chrt -r 10 as the members);
#  2. live migration of d2r2's SIP server, moved N times back and forth under d2r2 sip-load through
#     d2r2 lb: downtime (the largest inter-arrival gap of a 20 packets/s OPTIONS stream around each
#     move, as the seed measures it), the phase times the source reports, and sip-load's failed
#     and dropped calls;
#  3. NAT takeover — the same outage as 1, the client sending to the public address of a NAT front
#     (host 3, the group's witness with nat:) that steers it to the holder; the members answer
#     through the front (a host route to the client);
#  4. DNS-based redundancy — from the master host's death to kdig (polling the zone's knotd from a
#     client namespace, one query after another) seeing the name at the backup's address, for
#     d2r2 takeover with --dns-* (same group settings as 1, record TTL 5 s).
# Usage: bench/migrate.sh [--takeovers N] [--migrations N] [--rate CALLS_PER_S] [--only takeover|nat|dns|migration]
#                         [--without-keepalived]   (IP takeover: d2r2 only)
#                         [--misses N]             (the takeover members' misses; default 3, theirs)
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
need arping /usr/sbin/arping
need keepalived /usr/sbin/keepalived
need python3-minimal /usr/bin/python3
need knot /usr/sbin/knotd
need knot-dnsutils /usr/bin/kdig
takeovers=5 migrations=10 rate=100 only= misses=3 setups=(d2r2 "keepalived 1" "keepalived 0.1")
while [ $# -gt 0 ]; do
    case $1 in
        --takeovers) takeovers=$2; shift 2 ;;
        --migrations) migrations=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --without-keepalived) setups=(d2r2); shift ;;
        --misses) misses=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
./mvnw -q -B -o -DskipTests -pl app -am install
bin/d2r2 --help > /dev/null
work=$(mktemp -d /tmp/d2r2-mgb.XXXXXX)
sw=d2r2-mgb-sw
service=10.97.25.100
pids=()
# the sip-servers need no pre-touched gigabyte here
export D2R2_JAVA_OPTS="-Xms64m"
cleanup() {
    for p in "${pids[@]}"; do
        for c in $(pgrep -P "$p"); do kill "$c" 2>/dev/null || true; done
        kill "$p" 2>/dev/null || true
    done
    sleep 1
    for i in 1 2 3 4; do ip netns del d2r2-mgb-h$i 2>/dev/null || true; done
    ip netns del $sw 2>/dev/null || true
}
trap cleanup EXIT
topology() {
    cleanup
    pids=()
    ip netns add $sw
    ip -n $sw link add br0 type bridge
    ip -n $sw link set br0 up
    for i in 1 2 3 4; do
        ip netns add d2r2-mgb-h$i
        ip link add d2r2-mgb${i}a type veth peer name d2r2-mgb${i}b
        ip link set d2r2-mgb${i}a netns d2r2-mgb-h$i
        ip link set d2r2-mgb${i}b netns $sw
        ip -n $sw link set d2r2-mgb${i}b master br0 up
        ip -n d2r2-mgb-h$i addr add 10.97.25.$i/24 dev d2r2-mgb${i}a
        ip -n d2r2-mgb-h$i link set d2r2-mgb${i}a up
        ip -n d2r2-mgb-h$i link set lo up
        ip netns exec d2r2-mgb-h$i sysctl -qw net.ipv4.ip_nonlocal_bind=1
    done
}
inns() { local h=$1; shift; ip netns exec d2r2-mgb-h$h "$@"; }
bg() { local h=$1; shift; inns "$h" "$@" & pids+=($!); }
await_answer() {  # await_answer: OPTIONS from host 4 answered on the service address
    for _ in $(seq 200); do
        [ -n "$(inns 4 python3 bench/migrate/probe.py 10.97.25.4 $service 5070 50 0.2)" ] && return 0
        sleep 0.3
    done
    echo "nobody answers on $service" >&2; return 1
}
servers() {  # servers ADDRESS1 ADDRESS2: d2r2 sip-servers on hosts 1 and 2 at real-time priority, as the members; sets server1
    bg 1 chrt -r 10 bin/d2r2 sip-server --listen "$1:5070" >/dev/null 2>&1; server1=$!
    bg 2 chrt -r 10 bin/d2r2 sip-server --listen "$2:5070" >/dev/null 2>&1
}
group_files() {  # group_files EXTRA NAME1 NAME2 NAME3: the group's key and m1..m3.yaml (master, backup, witness); EXTRA I adds member I's lines
    local extra=$1; shift
    local names=("$@") kinds=(master backup witness)
    openssl rand -hex 32 > "$work/group.key"
    for i in 1 2 3; do
        {
            echo "name: ${names[i-1]}"; echo "role: ${kinds[i-1]}"; echo "listen: 10.97.25.$i:7400"; echo "keyFile: group.key"
            echo "misses: $misses"
            echo "peers:"
            for j in 1 2 3; do [ "$j" = "$i" ] || printf '  - name: %s
    address: 10.97.25.%s:7400
' "${names[j-1]}" "$j"; done
            "$extra" "$i"
        } > "$work/m$i.yaml"
    done
}
service_yaml() { [ "$1" = 3 ] || printf 'address: %s/24
interface: d2r2-mgb%sa
' $service "$1"; }
nat_yaml() {
    [ "$1" != 3 ] || printf 'nat:
  public: %s:5070
  table: d2r2_mgb
  targets:
    master: 10.97.25.1:5070
    backup: 10.97.25.2:5070
' $service
}
outage() {  # outage SECONDS EVENTS PID...: probes every 2 ms, kills the master host (PIDs) 1.5 s in; prints the outage (ms),
            # and on stderr where it went (EVENTS: the backup's stdout; empty for none)
    local seconds=$1 events=$2 died; shift 2
    await_answer
    inns 4 python3 bench/migrate/probe.py 10.97.25.4 $service 5070 2 "$seconds" > "$work/answers" & local probe=$!
    sleep 1.5
    kill_master "$@" > "$work/died"
    died=$(cat "$work/died")
    wait $probe
    if [ -n "$events" ] && python3 bench/migrate/split.py "$work/answers" "$died" "$events" >&2; then
        printf 'void:'
    fi
    python3 bench/migrate/gap.py "$work/answers" "$died"
}
kill_master() {  # kill_master PID...: the master host dies; prints the time of death (ns)
    local t
    t=$(date +%s%N)
    kill -9 "$@" 2>/dev/null || true
    ip -n d2r2-mgb-h1 link set d2r2-mgb1a down
    echo "$t"
}
pctl() { sort -n | awk -v q="$1" '{v[NR]=$1} END {i=int((NR-1)*q+1); print v[i]}'; }

takeover_d2r2() {
    topology
    group_files service_yaml master backup witness
    local server1
    servers $service $service
    bg 3 chrt -r 10 bin/d2r2 takeover --config "$work/m3.yaml" >/dev/null 2>&1
    bg 1 chrt -r 10 bin/d2r2 takeover --config "$work/m1.yaml" > "$work/m1.out" 2>/dev/null; local member1=$!
    until grep -q acquired "$work/m1.out" 2>/dev/null; do sleep 0.2; done
    bg 2 chrt -r 10 bin/d2r2 takeover --config "$work/m2.yaml" > "$work/m2.out" 2>/dev/null
    sleep 8
    outage 4 "$work/m2.out" "$member1" "$server1" $(pgrep -P "$member1") $(pgrep -P "$server1")
    # killed, the master prints no release: one it printed is a fence before its death, with its reason
    grep -h '"takeover.address.released"' "$work/m1.out" >&2 || true
}

takeover_nat() {  # the front (host 3) steers $service:5070 to the holder's own address
    topology
    group_files nat_yaml master backup front
    inns 3 ip addr add $service/24 dev d2r2-mgb3a
    inns 3 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.d2r2-mgb3a.send_redirects=0
    for i in 1 2; do inns $i ip route add 10.97.25.4/32 via 10.97.25.3; done
    local server1
    servers 10.97.25.1 10.97.25.2
    bg 3 chrt -r 10 bin/d2r2 takeover --config "$work/m3.yaml" > "$work/m3.out" 2>/dev/null
    bg 1 chrt -r 10 bin/d2r2 takeover --config "$work/m1.yaml" >/dev/null 2>&1; local member1=$!
    until grep -q steered "$work/m3.out" 2>/dev/null; do sleep 0.2; done
    bg 2 chrt -r 10 bin/d2r2 takeover --config "$work/m2.yaml" > "$work/m2.out" 2>/dev/null
    sleep 8
    outage 4 "$work/m2.out" "$member1" "$server1" $(pgrep -P "$member1") $(pgrep -P "$server1")
}

takeover_keepalived() {  # takeover_keepalived ADVERT_INT
    topology
    for i in 1 2; do
        cat > "$work/k$i.conf" <<CONF
global_defs { router_id d2r2-mgb$i
  script_user root
  enable_script_security }
vrrp_instance VI_1 {
  state $([ "$i" = 1 ] && echo MASTER || echo BACKUP)
  interface d2r2-mgb${i}a
  virtual_router_id 97
  priority $([ "$i" = 1 ] && echo 150 || echo 100)
  advert_int $1
  virtual_ipaddress { $service/24 }
}
CONF
    done
    local server1
    servers $service $service
    inns 1 keepalived -n -l -D -f "$work/k1.conf" -p "$work/k1.pid" -r "$work/k1.vrrp.pid" >/dev/null 2>&1 & pids+=($!); local k1=$!
    inns 2 keepalived -n -l -D -f "$work/k2.conf" -p "$work/k2.pid" -r "$work/k2.vrrp.pid" >/dev/null 2>&1 & pids+=($!)
    sleep 8
    outage 9 "" "$k1" $(pgrep -P "$k1") "$server1" $(pgrep -P "$server1")
}

takeover_dns() {  # master host death → the name resolves to the backup (ms)
    topology
    group_files service_yaml master backup witness
    keymgr -t d2r2-mgb hmac-sha256 > "$work/dns.key"
    local zone=d2r2-mgb.test knot=$work/knot
    rm -rf "$knot"; mkdir -p "$knot/run" "$knot/storage"
    printf '$ORIGIN %s.\n$TTL 5\n@ SOA ns hostmaster 1 3600 600 86400 5\n@ NS ns\nns A 10.97.25.4\n' $zone > "$knot/storage/$zone.zone"
    {
        printf 'server:\n    rundir: "%s/run"\n    listen: 10.97.25.4@5353\n' "$knot"
        printf 'database:\n    storage: "%s/storage"\n' "$knot"
        grep -v '^#' "$work/dns.key"
        printf 'acl:\n  - id: takeover\n    key: d2r2-mgb\n    action: update\n'
        printf 'template:\n  - id: default\n    storage: "%s/storage"\n    zonefile-sync: -1\n    journal-content: none\n' "$knot"
        printf 'zone:\n  - domain: %s\n    acl: takeover\n' $zone
    } > "$knot/knot.conf"
    bg 4 knotd -c "$knot/knot.conf" >/dev/null 2>&1
    local dnsopts=(--dns-server 10.97.25.4:5353 --dns-zone $zone --dns-name svc.$zone --dns-key "$work/dns.key")
    resolved() { inns 4 kdig @10.97.25.4 -p 5353 +short +time=1 +retry=0 "svc.$zone" A 2>/dev/null; }
    bg 3 chrt -r 10 bin/d2r2 takeover --config "$work/m3.yaml" >/dev/null 2>&1
    bg 1 chrt -r 10 bin/d2r2 takeover --config "$work/m1.yaml" "${dnsopts[@]}" >/dev/null 2>&1; local member1=$!
    until [ "$(resolved)" = 10.97.25.1 ]; do sleep 0.2; done
    bg 2 chrt -r 10 bin/d2r2 takeover --config "$work/m2.yaml" "${dnsopts[@]}" >/dev/null 2>&1
    sleep 8
    local died now
    died=$(kill_master "$member1" $(pgrep -P "$member1"))
    until [ "$(resolved)" = 10.97.25.2 ]; do :; done
    now=$(date +%s%N)
    echo $(((now - died) / 1000000))
}

migrations_under_load() {
    topology
    openssl rand -hex 32 > "$work/hosts.key"
    for i in 1 2; do
        printf 'name: h%s\ntransfer: 10.97.25.%s:7600\nkeyFile: hosts.key\napi: 127.0.0.1:7700\ntokenFile: api.token\naddress: %s/24\ninterface: d2r2-mgb%sa\n' \
            "$i" "$i" $service "$i" > "$work/h$i.yaml"
    done
    printf 'server:\n  listen: %s:5070\n' $service >> "$work/h1.yaml"
    bg 1 bin/d2r2 migrate host --config "$work/h1.yaml" > "$work/h1.out" 2>/dev/null
    bg 2 bin/d2r2 migrate host --config "$work/h2.yaml" > "$work/h2.out" 2>/dev/null
    bg 3 bin/d2r2 lb --listen 10.97.25.3:5060 --backend $service:5070 >/dev/null 2>&1
    sleep 10
    await_answer
    local seconds=$((migrations * 3 + 14))
    inns 3 bin/d2r2 sip-load --target 10.97.25.3:5060 --rate "$rate" --users 200 --call-length 2s --duration "${seconds}s" > "$work/load.out" 2>&1 &
    local load=$!
    inns 4 python3 bench/migrate/probe.py 10.97.25.4 $service 5070 50 $((seconds + 2)) > "$work/answers" & local probe=$!
    sleep 8
    local from=1 to=2 starts=()
    for _ in $(seq "$migrations"); do
        starts+=("$(date +%s%N)")
        inns $from curl -s -H "Authorization: Bearer $(cat "$work/api.token")" -d "{\"to\":\"10.97.25.$to:7600\"}" 127.0.0.1:7700/migrate > /dev/null
        local t=$from; from=$to; to=$t
        sleep 3
    done
    wait $load || true
    wait $probe
    echo "sip-load: $(tail -1 "$work/load.out")"
    # downtime of each move: the largest gap between consecutive answers of the 20/s stream after its start
    python3 - "$work/answers" "${starts[@]}" <<'PY'
import bisect, sys
a = sorted(int(l) for l in open(sys.argv[1]) if l.strip())
for s in (int(x) for x in sys.argv[2:]):
    i = bisect.bisect_left(a, s)
    window = a[max(i - 1, 0):bisect.bisect_left(a, s + 2_500_000_000) + 1]
    gaps = [b - c for c, b in zip(window, window[1:])]
    # no two answers around the move: the outage outlasted the window
    print("gap %.0f" % (max(gaps) / 1e6) if gaps else "gap inf")
PY
    cat "$work/h1.out" "$work/h2.out" | python3 -c '
import json, sys
for l in sys.stdin:
    a = json.loads(l)["attrs"]
    print("phases %s rounds %d entries %d precopy %d stopcopy %d redirect %d downtime %d" % (a["outcome"], a["rounds"], a["entries"],
          a["precopy_ms"], a["stopcopy_ms"], a["redirect_ms"], a["downtime_ms"]))'
}

echo "# bench/migrate.sh — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
section() { [ -z "$only" ] || [ "$only" = "$1" ]; }
trials() {  # trials COMMAND...: runs it $takeovers times; prints the results and their median (in this shell: the
            # cleanup must see the trials' processes)
    local results=()
    for _ in $(seq "$takeovers"); do
        # into a file, not $(...): the background processes of a trial would hold its pipe open
        "$@" > "$work/result"
        results+=("$(cat "$work/result")")
    done
    # a trial whose backup held before the death (the master fenced itself first) measured no takeover
    local valid=("${results[@]/void*/}") v
    v=$(printf '%s\n' ${valid[@]})
    echo "${results[*]} (valid $(echo "$v" | grep -c .) of $takeovers: p50 $(echo "$v" | pctl 0.5), p95 $(echo "$v" | pctl 0.95), max $(echo "$v" | pctl 1))"
}
echo
if section takeover; then
echo "## IP takeover: the client's outage around the master host's death, the longest silence between two answers (ms, $takeovers runs each)"
for setup in "${setups[@]}"; do
    case $setup in
        d2r2) printf -- '- d2r2 (10 ms keepalives, %s misses, margin 3): ' "$misses"; trials takeover_d2r2 ;;
        *) printf -- '- %s: ' "$setup"; trials takeover_keepalived "${setup#keepalived }" ;;
    esac
done
echo
fi
if section nat; then
echo "## NAT takeover: the client's outage on the front's public address around the master host's death (ms, $takeovers runs)"
printf -- '- d2r2 (10 ms keepalives, %s misses, margin 3): ' "$misses"; trials takeover_nat
echo
fi
if section dns; then
echo "## DNS-based redundancy: master host death → kdig sees the backup's address (ms, $takeovers runs)"
printf -- '- d2r2 --dns-*: '; trials takeover_dns
echo
fi
section migration || exit 0
echo "## Live migration: $migrations moves under $rate calls/s"
migrations_under_load > "$work/migrations"
cat "$work/migrations"
gaps=$(grep '^gap' "$work/migrations" | cut -d' ' -f2)
echo "- downtime (20/s stream gap, ms): p50 $(echo "$gaps" | pctl 0.5), p95 $(echo "$gaps" | pctl 0.95), max $(echo "$gaps" | pctl 1)"
