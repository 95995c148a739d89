#!/usr/bin/env bash
# Pr2-P2PSIP's reliability models (docs/models.md): the tunnel cost table for p = 0..3 with its
# overhead plot, the Weibull replica count, and a churn simulation of the seed's worked example
# (µ = 0.8, p = 2 and 3) whose unreachability is checked against the model's; then the CPU cost of
# the onion layers per hop and a 3-hop tunnel on loopback TLS (docs/p2psip.md#tunnels); then calls and tunnel
# reliability over --peers in-process peers with churn (P2psipChurnBench, bounded to 230 s), and a SIPp call
# over 20 peers in network namespaces (bench/p2psip-netns.sh, as root) (docs/p2psip.md#measured).
# Usage: bench/p2psip.sh [--trials 1000000] [--svg docs/models-overhead.svg] [--cells 20000] [--peers 1000] [--mu 0.9]
#        [--only models|layers|churn|netns] (--layers-only: the same as --only layers)
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/bench.sh"
trials=1000000
svg=docs/models-overhead.svg
only=all
cells=20000
peers=1000
mu=0.9
while [ $# -gt 0 ]; do
    case "$1" in
        --trials) trials=$2; shift 2 ;;
        --svg) svg=$2; shift 2 ;;
        --layers-only) only=layers; shift ;;
        --only) only=$2; shift 2 ;;
        --cells) cells=$2; shift 2 ;;
        --peers) peers=$2; shift 2 ;;
        --mu) mu=$2; shift 2 ;;
        *) echo "usage: bench/p2psip.sh [--trials N] [--svg FILE] [--cells N] [--peers N] [--mu X] [--only models|layers|churn|netns]" >&2
           exit 2 ;;
    esac
done
wants() { [ "$only" = all ] || [ "$only" = "$1" ]; }
if wants models; then
    ./mvnw -q -B -DskipTests -pl app -am package
    echo "## Tunnel cost (R̄ = 1 − 10⁻⁵)"
    bin/d2r2 model pr2 --svg "$svg"
    echo "## Replicas under the Skype supernode Weibull fit"
    bin/d2r2 model replicas
    echo "## Churn simulation, the seed's example"
    # a 95 % interval misses the truth one run in twenty by design: three seeds per sizing, and the count
    inside=0
    for p in 2 3; do
        for seed in 1 2 3; do
            if bin/d2r2 model simulate --mu 0.8 --p "$p" --trials "$trials" --seed "$seed"; then
                inside=$((inside + 1))
            fi
        done
    done
    echo "the model's prediction inside the simulation's 95 % interval in $inside of 6 runs"
fi
if wants layers; then
    echo "## Onion layers"
    (run OnionLayerBench -- --cells "$cells" --setups 1000 --seconds 20)
fi
if wants churn; then
    echo "## $peers in-process peers with churn (µ = $mu per round)"
    (run P2psipChurnBench -- --peers "$peers" --mu "$mu" --rounds 2 --seconds 230) 2>&1 | grep -v -e ' WARN ' -e '^SLF4J'
fi
if wants netns; then
    echo "## A SIPp call over 20 peers in network namespaces"
    bench/p2psip-netns.sh --peers 20 --calls 10
fi
