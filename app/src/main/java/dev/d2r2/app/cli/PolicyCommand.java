package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyEngine;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.policy.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 policy check|simulate|run}: Or-BAC remediation policies. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Check a remediation policy, simulate it on recorded events, or run it against the broker.",
        subcommands = {PolicyCommand.Check.class, PolicyCommand.Simulate.class, PolicyCommand.Run.class})
public final class PolicyCommand extends CommandGroup {

    static Path defaultAudit() {
        return DataDirs.defaultDataDir().resolve("policy").resolve("audit.jsonl");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check policy files: exit 0 when valid, 2 when not (the error on stderr as file:line:col).")
    public static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() {
            int code = 0;
            for (Path f : files) {
                try {
                    Policy p = Policy.load(f);
                    System.err.println(f + ": ok (" + p.contexts().size() + " contexts, " + p.rules().size() + " rules, "
                            + p.actuators().size() + " actuators)");
                } catch (ConfigException e) {
                    System.err.println(e.getMessage());
                    code = CliErrors.BAD_INPUT;
                }
            }
            return code;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = {"Run a policy in virtual time on JSON Lines events, calling no actuator.",
                    "Prints one JSON line per decision (deploy, extend, revoke, refuse) on stdout, in time order;"
                            + " after the last event, time runs on until every threat context and action has ended."})
    public static final class Simulate implements Callable<Integer> {
        @Option(names = "--policy", paramLabel = "FILE", required = true) Path policy;

        @Option(names = "--events", paramLabel = "FILE|-", required = true, description = "Events (- for stdin)")
        String events;

        @Option(names = "--stats", description = "Print counters on stderr at the end")
        boolean stats;

        @Override
        public Integer call() throws Exception {
            Policy p = Policy.load(policy);
            PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
            Simulation sim = new Simulation(p, out::println);
            long malformed = EventInput.read(events, (e, line, position) -> sim.accept(e));
            sim.finish();
            out.flush();
            if (stats) {
                PolicyEngine.Stats s = sim.stats();
                System.err.printf("events %d, malformed %d, out of order %d, activations %d, renewals %d, clears %d,"
                                + " expirations %d, deploys %d, extensions %d, revokes %d, refusals %d%n", s.events, malformed,
                        sim.reordered(), s.activations, s.renewals, s.clears, s.expirations, s.deploys, s.extensions, s.revokes,
                        s.refusals);
            }
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "The policy role: alerts and alarms from broker channels in, actions through the actuators,"
                    + " decisions and outcomes on the actions channel, every step in the audit trail.")
    public static final class Run implements Callable<Integer> {
        @Option(names = "--policy", paramLabel = "FILE", required = true) Path policy;

        @Mixin ClientOptions client;

        @Option(names = "--input", paramLabel = "TAG", defaultValue = PolicyRole.DEFAULT_INPUT,
                description = "A channel of alerts or alarms (repeatable; default: ${DEFAULT-VALUE})")
        List<String> inputs;

        @Option(names = "--actions", paramLabel = "TAG", defaultValue = PolicyRole.DEFAULT_ACTIONS,
                description = "The channel for context changes, decisions and outcomes (${DEFAULT-VALUE})")
        String actions;

        @Option(names = "--audit", paramLabel = "FILE", description = "The audit trail (default: ${DEFAULT-VALUE})")
        Path audit = defaultAudit();

        @Option(names = "--dry-run", description = "Decide and audit everything, call no actuator")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            Policy p = Policy.load(policy);
            CountDownLatch stopped = new CountDownLatch(1);
            try (var c = client.connect();
                 PolicyRole role = new PolicyRole(c, p, inputs, actions, audit, dryRun, Clock.system())) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        role.close();
                    } catch (Exception e) {
                        System.err.println("policy: " + e.getMessage());
                    }
                    stopped.countDown();
                }));
                System.err.println("policy: " + policy + " on " + String.join(", ", inputs) + "; decisions on " + actions
                        + "; audit " + audit + (dryRun || p.safety().dryRun() ? " (dry run: no actuator is called)" : ""));
                stopped.await();
            }
            return 0;
        }
    }
}
