package dev.d2r2.bench;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.model.Reliability;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.Tunnel;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import dev.d2r2.p2psip.tunnel.TunnelKind;
import dev.d2r2.p2psip.ua.PeerNetwork;
import dev.d2r2.p2psip.ua.SetupFailed;
import dev.d2r2.p2psip.ua.UserAgent;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Pr2-P2PSIP with churn, in one process (docs/p2psip.md#measured): {@code --peers} loopback peers
 * (a storage-overlay node and a TLS relay each) and {@code --pairs} caller/callee user agents over
 * them. Each round: (1) every caller sets up {@code --calls} calls, an INVITE through Pr2-P2PSIP answered by
 * a 200 through it ({@link UserAgent#call}: retried after a fresh lookup when no answer comes within the agents'
 * time-out; success within {@code --call-timeout}, latency; from the second round on, after churn);
 * (2) tunnels of 1..4 hops are built from a probing relay (setup latency by length); (3) a fraction 1 − µ of the
 * live peers leaves at once (relay and storage node closed), and the round's probe tunnels that
 * stay open are counted: virtual users of q tunnels of p hops and m replica peers are reachable
 * if one tunnel and one replica survived — set against the model's µ^p series, q-parallel tunnels
 * and m-parallel replicas (eqs. 12–18). The user agents rebuild and republish on their own;
 * the agents' pool is the live peers (what a refresh by random lookups returns: only peers that answer).
 * Each call that fails is printed with its cause ({@link #cause}: what the sends of its request did, and whether the
 * callee got it), and the causes are counted.
 * Bounded by --rounds and --seconds.
 * Usage: P2psipChurnBench [--peers N] [--pairs N] [--calls N] [--rounds N] [--mu X] [--q N] [--m N]
 *        [--probes N] [--call-timeout S] [--seconds S]
 */
public final class P2psipChurnBench {
    private static final int MAX_LENGTH = 4;

    private P2psipChurnBench() {
    }

    public static void main(String[] args) throws Exception {
        int peers = 1000;
        int pairs = 5;
        int calls = 10;
        int rounds = 3;
        double mu = 0.9;
        int q = 2;
        int m = 2;
        int probes = 40;
        long callTimeout = 10;
        long seconds = 240;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--peers" -> peers = Integer.parseInt(args[i + 1]);
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--calls" -> calls = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--mu" -> mu = Double.parseDouble(args[i + 1]);
                case "--q" -> q = Integer.parseInt(args[i + 1]);
                case "--m" -> m = Integer.parseInt(args[i + 1]);
                case "--probes" -> probes = Integer.parseInt(args[i + 1]);
                case "--call-timeout" -> callTimeout = Long.parseLong(args[i + 1]);
                case "--seconds" -> seconds = Long.parseLong(args[i + 1]);
                default -> {
                    System.err.println("usage: P2psipChurnBench [--peers N] [--pairs N] [--calls N] [--rounds N] [--mu X] [--q N]"
                            + " [--m N] [--probes N] [--call-timeout S] [--seconds S]");
                    System.exit(2);
                }
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        InetAddress host = InetAddress.getLoopbackAddress();
        Random random = new Random(1);
        long t0 = System.nanoTime();
        try (PeerNetwork network = PeerNetwork.start(peers, host, Clock.system())) {
            network.awaitJoined(6, Duration.ofSeconds(Math.max(30, seconds / 2)));
            System.out.printf("%d peers started and joined in %.1f s%n", peers, (System.nanoTime() - t0) / 1e9);
            List<PeerNetwork.Peer> live = new CopyOnWriteArrayList<>(network.peers());
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                Relay prober = Relay.start("prober", host, Clock.system(), TunnelEnd.IGNORE);
                opened.add(prober);
                List<UserAgent> callers = new ArrayList<>();
                List<UserAgent> callees = new ArrayList<>();
                Set<String> invited = ConcurrentHashMap.newKeySet();
                Set<Hop> gone = ConcurrentHashMap.newKeySet();
                Map<String, Integer> causes = new TreeMap<>();
                t0 = System.nanoTime();
                for (int i = 0; i < pairs; i++) {
                    UserAgent callee = agent("callee" + i, host, live, opened);
                    callee.onMessage((from, message) -> answer(callees, invited, from, message));
                    callees.add(callee);
                    callers.add(agent("caller" + i, host, live, opened));
                }
                System.out.printf("%d user agents up (tunnels built, contact data published) in %.1f s%n", 2 * pairs,
                        (System.nanoTime() - t0) / 1e9);
                long[] probeSurvivors = new long[MAX_LENGTH + 1];
                long[] probeTotal = new long[MAX_LENGTH + 1];
                long callsTried = 0;
                long callsOk = 0;
                List<Long> callLatencies = new ArrayList<>();
                List<List<Long>> setupLatencies = new ArrayList<>();
                for (int p = 0; p <= MAX_LENGTH; p++) {
                    setupLatencies.add(new ArrayList<>());
                }
                List<Boolean> replicaStayed = new ArrayList<>();
                int round = 0;
                for (; round < rounds && System.nanoTime() < end; round++) {
                    int tried = 0;
                    int ok = 0;
                    List<CompletableFuture<Boolean>> outcomes = new ArrayList<>();
                    for (int c = 0; c < calls && System.nanoTime() < end; c++) {
                        outcomes.clear();
                        for (int i = 0; i < pairs; i++) {
                            String id = "INVITE " + round + "." + c + "." + i;
                            byte[] ok200 = ("200 " + id.substring(7)).getBytes();
                            long s = System.nanoTime();
                            UserAgent callee = callees.get(i);
                            outcomes.add(callers.get(i).call(callee.identityKey(), id.getBytes(), reply -> Arrays.equals(reply, ok200),
                                    Duration.ofSeconds(callTimeout)).handle((reply, failure) -> {
                                if (failure != null) {
                                    String cause = cause(failure, invited.contains(id.substring(7)), callee, gone);
                                    synchronized (causes) {
                                        causes.merge(cause.substring(0, cause.indexOf(':')), 1, Integer::sum);
                                    }
                                    System.out.printf("call %s failed: %s%n", id.substring(7), cause);
                                    return false;
                                }
                                synchronized (callLatencies) {
                                    callLatencies.add(System.nanoTime() - s);
                                }
                                return true;
                            }));
                        }
                        for (CompletableFuture<Boolean> o : outcomes) {
                            tried++;
                            if (o.join()) {
                                ok++;
                            }
                        }
                    }
                    PathSelector paths = new PathSelector(prober.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random);
                    List<List<Tunnel>> byLength = new ArrayList<>();
                    byLength.add(List.of());
                    List<Hop> pool = hops(live);
                    for (int p = 1; p <= MAX_LENGTH; p++) {
                        List<Tunnel> built = new ArrayList<>();
                        for (int i = 0; i < probes && System.nanoTime() < end; i++) {
                            long s = System.nanoTime();
                            try {
                                built.add(prober.build(paths.pick(TunnelKind.OUTBOUND, p, pool), data -> { }).get(10, TimeUnit.SECONDS));
                                setupLatencies.get(p).add(System.nanoTime() - s);
                            } catch (Exception e) {
                                // a failed build is not a probe: reliability counts tunnels that were up when the round's churn came
                            }
                        }
                        byLength.add(built);
                    }
                    callsTried += tried;
                    callsOk += ok;
                    int before = live.size();
                    List<PeerNetwork.Peer> leaving = new ArrayList<>(live);
                    Collections.shuffle(leaving, random);
                    leaving = leaving.subList(0, (int) Math.round(before * (1 - mu)));
                    Set<PeerNetwork.Peer> leavingSet = Set.copyOf(leaving);
                    for (PeerNetwork.Peer peer : live) {
                        replicaStayed.add(!leavingSet.contains(peer));
                    }
                    for (PeerNetwork.Peer peer : leaving) {
                        live.remove(peer);
                        gone.add(peer.relay().self());
                        peer.relay().close();
                        peer.storage().close();
                    }
                    double measuredMu = live.size() / (double) before;
                    // closure reaches the origin as DESTROY cells or a lost link: await every tunnel through a departed hop
                    long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int p = 1; p <= MAX_LENGTH; p++) {
                        for (Tunnel t : byLength.get(p)) {
                            boolean hit = t.path().stream().anyMatch(gone::contains);
                            if (hit) {
                                try {
                                    t.closed().get(Math.max(1, settle - System.nanoTime()), TimeUnit.NANOSECONDS);
                                } catch (Exception e) {
                                    // still open after 30 s: counted as open, which is what a caller would see
                                }
                            }
                            probeTotal[p]++;
                            if (!t.closed().isDone()) {
                                probeSurvivors[p]++;
                            }
                        }
                    }
                    System.out.printf("round %d: calls %d/%d set up; %d of %d peers left (µ = %.3f)%n", round + 1, ok, tried,
                            leaving.size(), before, measuredMu);
                }
                report(mu, q, m, probeSurvivors, probeTotal, replicaStayed, setupLatencies, callsTried, callsOk, callLatencies, callers, callees,
                        random);
                System.out.println("## Failed calls by cause: " + (causes.isEmpty() ? "none" : causes));
            } finally {
                for (AutoCloseable c : opened.reversed()) {
                    c.close();
                }
                for (PeerNetwork.Peer peer : network.peers()) {
                    if (!live.contains(peer)) {
                        continue;
                    }
                    peer.relay().close();
                    peer.storage().close();
                }
            }
        }
        System.exit(0);
    }

    private static UserAgent agent(String name, InetAddress host, List<PeerNetwork.Peer> live, List<AutoCloseable> opened) throws Exception {
        Relay relay = Relay.start(name, host, Clock.system(), TunnelEnd.IGNORE);
        opened.add(relay);
        Random random = new Random();
        UserAgent ua = UserAgent.start(Identity.generate(), relay,
                new UserAgent.Settings(2, 2, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(3)), Clock.system(),
                () -> hops(live), new PathSelector(relay.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random));
        opened.add(ua);
        return ua;
    }

    private static List<Hop> hops(List<PeerNetwork.Peer> live) {
        return live.stream().map(p -> p.relay().self()).toList();
    }

    /** The callee answers every INVITE with a 200 carrying the call's id, through Pr2-P2PSIP. */
    private static void answer(List<UserAgent> callees, Set<String> invited, byte[] from, byte[] message) {
        String text = new String(message);
        if (!text.startsWith("INVITE ")) {
            return;
        }
        invited.add(text.substring(7));
        int i = Integer.parseInt(text.substring(text.lastIndexOf('.') + 1));
        callees.get(i).send(from, ("200 " + text.substring(7)).getBytes());
    }

    /**
     * Why a call failed, as {@code CAUSE: detail}: its callee got the request but the answer did not come back
     * ({@code answer-lost}); no send at all ({@code no-contact-data}: every lookup failed); every send went to an entry
     * point that left ({@code entry-departed}) or whose tunnel the callee had rebuilt since ({@code stale-contact-data}:
     * the callee's new contact data was not found in time) — both counted as {@code stale-contact-data} when mixed; or
     * some send went to one of the callee's current entry points and was lost on the way ({@code request-lost}).
     */
    private static String cause(Throwable failure, boolean calleeGotIt, UserAgent callee, Set<Hop> gone) {
        Throwable f = failure instanceof CompletionException c ? c.getCause() : failure;
        if (!(f instanceof SetupFailed setup)) {
            return "other: " + f;
        }
        String detail = setup.getMessage() + "; callee published " + callee.contacts().published() + " (failed "
                + callee.contacts().publishFailures() + "), tunnels rebuilt " + callee.rebuilt();
        if (calleeGotIt) {
            return "answer-lost: " + detail;
        }
        if (setup.sends().isEmpty()) {
            return "no-contact-data: " + detail;
        }
        List<Tunnel> current = callee.inboundTunnels();
        boolean toCurrent = setup.sends().stream().anyMatch(s -> current.stream().anyMatch(t -> t.entryId() == s.route().entry().entryId()
                && t.path().getLast().equals(s.route().entry().hop())));
        if (toCurrent) {
            return "request-lost: " + detail;
        }
        boolean allDeparted = setup.sends().stream().allMatch(s -> gone.contains(s.route().entry().hop()));
        return (allDeparted ? "entry-departed: " : "stale-contact-data: ") + detail;
    }

    private static void report(double mu, int q, int m, long[] survivors, long[] total, List<Boolean> replicaStayed, List<List<Long>> setup, long callsTried,
                               long callsOk, List<Long> callLatencies, List<UserAgent> callers, List<UserAgent> callees, Random random) {
        System.out.println("## Tunnel setup by length (probing relay, live links reused)");
        for (int p = 1; p < setup.size(); p++) {
            System.out.printf("p = %d: %d setups, %s%n", p, setup.get(p).size(), percentiles(setup.get(p)));
        }
        System.out.println("## Call setup (INVITE → 200 through Pr2-P2PSIP, q = 2, 3 inbound / 2 outbound hops)");
        System.out.printf("%d of %d calls set up (%.2f %%), %s; tunnels rebuilt by the agents: %d%n", callsOk, callsTried,
                100.0 * callsOk / Math.max(1, callsTried), percentiles(callLatencies),
                callers.stream().mapToLong(UserAgent::rebuilt).sum() + callees.stream().mapToLong(UserAgent::rebuilt).sum());
        for (int i = 0; i < callers.size(); i++) {
            UserAgent caller = callers.get(i);
            UserAgent callee = callees.get(i);
            System.out.printf("pair %d: caller sent %d, setup retries %d (calls failed %d), lookups %d (retries %d, not found %d),"
                            + " tunnels suspected %d (kept %d); callee received %d, sent %d, lookups %d (not found %d), published %d (failed %d)%n", i,
                    caller.sent(), caller.setupRetries(), caller.setupFailures(), caller.contacts().lookups(), caller.contacts().retries(),
                    caller.contacts().notFound(), caller.suspected(), caller.cleared(), callee.received(), callee.sent(),
                    callee.contacts().lookups(), callee.contacts().notFound(), callee.contacts().published(),
                    callee.contacts().publishFailures());
        }
        System.out.printf("## Tunnel reliability after one churn step (µ = %.2f; model: tunnel µ^p, user (1-(1-µ)^m)(1-(1-µ^p)^q), m = %d, q = %d)%n",
                mu, m, q);
        for (int p = 1; p < survivors.length; p++) {
            if (total[p] == 0) {
                continue;
            }
            double measured = survivors[p] / (double) total[p];
            double half = 1.96 * Math.sqrt(measured * (1 - measured) / total[p]);
            double tunnelModel = Reliability.series(mu, p);
            double user = Reliability.parallel(mu, m) * Reliability.parallel(tunnelModel, q);
            double userMeasured = users(survivors[p], total[p], q, m, replicaStayed, random);
            System.out.printf("p = %d: %d of %d tunnels survived = %.4f ± %.4f (model %.4f); user reachability %.4f (model %.4f)%n",
                    p, survivors[p], total[p], measured, half, tunnelModel, userMeasured, user);
        }
    }

    /**
     * Virtual users, each of q of the measured tunnels and m of the peers that were live before a churn step
     * (drawn at random): the fraction with a surviving tunnel and a surviving replica.
     */
    private static double users(long survived, long total, int q, int m, List<Boolean> replicaStayed, Random random) {
        boolean[] up = new boolean[(int) total];
        Arrays.fill(up, 0, (int) survived, true);
        int trials = 100_000;
        int reachable = 0;
        for (int t = 0; t < trials; t++) {
            boolean tunnel = false;
            for (int i = 0; i < q; i++) {
                tunnel |= up[random.nextInt(up.length)];
            }
            boolean replica = false;
            for (int i = 0; i < m; i++) {
                replica |= replicaStayed.get(random.nextInt(replicaStayed.size()));
            }
            if (tunnel && replica) {
                reachable++;
            }
        }
        return reachable / (double) trials;
    }

    private static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "none";
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", at(sorted, 0.5), at(sorted, 0.9), at(sorted, 0.99),
                sorted.getLast() / 1e6);
    }

    private static double at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (q * sorted.size()))) / 1e6;
    }
}
