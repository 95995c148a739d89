package dev.d2r2.bench;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.policy.AuditLog;
import dev.d2r2.policy.Dispatcher;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyEngine;
import dev.d2r2.policy.Simulation;
import dev.d2r2.policy.events.ActionOutcome;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The policy engine under a flood of FloodingSuspect alerts from many sources, with the shipped
 * flooding policy (its rate and blast-radius guards lifted, so that every alert is acted on):
 * (1) in virtual time, as {@code d2r2 policy simulate} runs it; (2) live on the real clock with
 * the audit trail forced to disk after every alert, as {@code d2r2 policy run} does, timing
 * each alert from arrival to its decisions being durable and the actuator calls issued.
 */
@Command(name = "policy-bench", mixinStandardHelpOptions = true)
public final class PolicyBench implements Callable<Integer> {
    @Option(names = "--alerts", defaultValue = "200000") int alerts;
    @Option(names = "--sources", defaultValue = "50000", description = "Distinct attacking sources") int sources;
    @Option(names = "--live-alerts", defaultValue = "20000", description = "Alerts in the live run (each one fsyncs)") int liveAlerts;
    @Option(names = "--policy", defaultValue = "examples/policies/sip-flooding.yaml") Path policyFile;
    @Option(names = "--out", defaultValue = "bench/results/policy-latest.md") Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PolicyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Policy policy = Policy.parse(policyFile.toString(), Files.readString(policyFile)
                .replace("max-per-minute: 120, max-share: 0.25, population: 1000", "max-per-minute: 100000000"));
        List<Event> flood = flood(alerts, 1_795_000_000_000L);
        simulate(policy, flood.subList(0, Math.min(20_000, flood.size())));
        long[] decisions = {0};
        long t0 = System.nanoTime();
        Simulation sim = simulate(policy, flood, decisions);
        double simSeconds = (System.nanoTime() - t0) / 1e9;
        PolicyEngine.Stats s = sim.stats();

        Path dir = Files.createTempDirectory("d2r2-policy-bench");
        Histogram latency = new Histogram(3);
        long liveStart;
        long calls;
        try (AuditLog audit = AuditLog.open(dir.resolve("audit.jsonl"))) {
            long[] issued = {0};
            Dispatcher noop = (call, done) -> {
                issued[0]++;
                done.accept(new Dispatcher.Result(call, ActionOutcome.Result.OK, null));
            };
            PolicyEngine engine = new PolicyEngine(policy, Clock.system(), noop, Map.of(), audit, e -> {
            });
            engine.start();
            List<Event> live = flood(liveAlerts, System.currentTimeMillis());
            liveStart = System.nanoTime();
            for (Event e : live) {
                long a = System.nanoTime();
                engine.accept(e);
                engine.tick();
                latency.recordValue((System.nanoTime() - a) / 1000);
            }
            calls = issued[0];
        }
        double liveSeconds = (System.nanoTime() - liveStart) / 1e9;
        String report = String.format("""
                # Policy engine benchmark (%s)

                `bench/policy.sh`: the shipped flooding policy (guards lifted), FloodingSuspect alerts from %,d distinct sources.

                | run | alerts | alerts/s | decisions | notes |
                |---|---:|---:|---:|---|
                | virtual time (`policy simulate`) | %,d | %,.0f | %,d | %,d activations, %,d renewals, %,d deploys, %,d extensions, %,d revokes |
                | live, audit forced to disk per alert (`policy run`) | %,d | %,.0f | %,d actuator calls | alert → decisions durable and calls issued: p50 %,d µs, p99 %,d µs, max %,d µs |
                """, LocalDate.now(), sources, alerts, alerts / simSeconds, decisions[0], s.activations, s.renewals, s.deploys,
                s.extensions, s.revokes, liveAlerts, liveAlerts / liveSeconds, calls, latency.getValueAtPercentile(50),
                latency.getValueAtPercentile(99), latency.getMaxValue());
        System.out.print(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        return 0;
    }

    private static Simulation simulate(Policy policy, List<Event> flood, long... decisions) {
        Simulation sim = new Simulation(policy, line -> {
            if (decisions.length > 0) {
                decisions[0]++;
            }
        });
        flood.forEach(sim::accept);
        sim.finish();
        return sim;
    }

    /** Alerts 10 ms apart, each from one of the sources at random, all at one edge. */
    private List<Event> flood(int n, long start) {
        SplittableRandom random = new SplittableRandom(7);
        List<Event> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int src = random.nextInt(sources);
            out.add(new Event("a" + i, "FloodingSuspect", start + 10L * i, "edge-1", null, null, Map.of(
                    "attacker", "198." + (18 + (src >> 16)) + "." + ((src >> 8) & 255) + "." + (src & 255),
                    "edge", "edge-1", "chronicle", "sip_flooding")));
        }
        return out;
    }
}
