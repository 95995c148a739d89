#!/usr/bin/env bash
# Demo benchmark: the demo's floors (flood detection ≤ 1 s, remediation ≤ 1.5 s, legitimate success
# during the flood ≥ 99 %, crash detection ≤ 1 s, no established call dropped, no acknowledged event lost
# when the broker's leader replica is killed, and the failover's time) over several runs of
# `d2r2 demo --headless`. Run it on a machine doing nothing else: the times are wall-clock.
# Usage: bench/demo.sh [--runs N] [--duration 30s]
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
runs=5
duration=30s
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        *) echo "bench/demo.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
bin/d2r2 --help > /dev/null
work=$(mktemp -d -t d2r2-demo-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '| run | flood_detection_s | flood_remediation_s | legit_success_during_flood | crash_detection_s | established_calls_dropped | legit_setup_p99_ms | broker_failover_s | events_lost | floors |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n'
missed=0
for i in $(seq 1 "$runs"); do
    if bin/d2r2 demo --headless --duration "$duration" --report "$work/report-$i.json" > "$work/demo-$i.out" 2>&1; then
        floors=met
    else
        floors=MISSED
        missed=$((missed + 1))
    fi
    "$JAVA_HOME/bin/jshell" -R-Dreport="$work/report-$i.json" -q - <<'JSH' | sed -n 's/^ROW //p' | sed "s/^/| $i /; s/\$/ | $floors |/"
var t = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("report")));
String f(String k) { var m = java.util.regex.Pattern.compile("\"" + k + "\"\\s*:\\s*([-0-9.Ee]+)").matcher(t); return m.find() ? m.group(1) : "-"; }
System.out.println("ROW | " + String.join(" | ", f("flood_detection_s"), f("flood_remediation_s"), f("legit_success_during_flood"), f("crash_detection_s"), f("established_calls_dropped"), f("legit_setup_p99_ms"), f("broker_failover_s"), f("events_lost")));
/exit
JSH
done
echo
echo "floors missed in $missed of $runs runs"
