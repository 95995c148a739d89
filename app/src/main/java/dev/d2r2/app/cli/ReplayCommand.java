package dev.d2r2.app.cli;

import dev.d2r2.app.replay.Diff;
import dev.d2r2.app.replay.Output;
import dev.d2r2.app.replay.RecordedLog;
import dev.d2r2.app.replay.Replay;
import dev.d2r2.app.replay.ReplayException;
import dev.d2r2.app.replay.Rules;
import dev.d2r2.broker.security.IdentityFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code d2r2 replay}: the detection and remediation loop re-run over a broker's recorded channels, in virtual time. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-run thresholds, chronicles and the policy over the channels a broker recorded, in virtual time, with"
                + " the rules in force or candidate files; actuators are replaced by recorders.",
                "Prints every alarm recomputed, alert, context change and decision as one JSON line, in time order.",
                "Reads the log from a broker's data directory (--data, or the configuration's), or from a running broker"
                        + " (--broker, --identity: its logs as they were when the replay began).",
                "With --diff, replays twice (the configuration's rules, then the candidates) and prints what changed;"
                        + " exit 0 when nothing did, 1 when something did, 2 for bad input."})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "The node configuration whose rules are in force (and whose broker recorded)")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", description = "The broker's data directory (default: the configuration's broker data)")
    Path data;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "TIME", description = "Start of the range: an instant (2026-12-04T10:00:00Z) or epoch ms (default: the log's first record)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End of the range, likewise (default: the log's last record)")
    String to;

    @Option(names = "--chronicles", paramLabel = "FILE", arity = "1..*", description = "Chronicle files instead of the configuration's")
    List<Path> chronicles;

    @Option(names = "--policy", paramLabel = "FILE", description = "A policy file instead of the configuration's")
    Path policy;

    @Option(names = "--thresholds", paramLabel = "FILE", description = "A monitor configuration whose services' thresholds replace the configuration's")
    Path thresholds;

    @Option(names = "--diff", description = "Compare the configuration's rules with the candidate files: print the differences")
    boolean diff;

    @Override
    public Integer call() throws Exception {
        Rules.Overrides overrides = new Rules.Overrides(chronicles, policy, thresholds);
        Rules candidate = Rules.load(config, overrides);
        boolean running = spec.commandLine().getParseResult().hasMatchedOption("--broker")
                || spec.commandLine().getParseResult().hasMatchedOption("--identity");
        if (running && data != null) {
            throw new ReplayException("read the log from a data directory (--data) or from a running broker (--broker, --identity), not both");
        }
        Path dir = data != null ? data : candidate.recorded();
        if (dir == null && !running) {
            throw new ReplayException("no log to replay: give --data DIR, --broker HOST:PORT, or --config naming a broker with its data directory");
        }
        Opener opener = rules -> running ? openRunning(rules) : open(dir, rules);
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        try {
            if (!diff) {
                try (RecordedLog log = opener.open(candidate)) {
                    warnGaps(Replay.run(candidate, log, o -> out.println(o.json())));
                }
                return 0;
            }
            if (config == null) {
                throw new ReplayException("--diff compares the rules of a configuration with candidate files: give --config");
            }
            Rules baseline = Rules.load(config, Rules.Overrides.NONE);
            Replay.Result before;
            Replay.Result after;
            try (RecordedLog log = opener.open(baseline)) {
                before = Replay.collect(baseline, log);
            }
            try (RecordedLog log = opener.open(candidate)) {
                after = Replay.collect(candidate, log);
            }
            warnGaps(after.gaps());
            List<Diff.Change> changes = Diff.compare(before.outputs(), after.outputs());
            changes.forEach(c -> out.println(c.json()));
            System.err.println("replay --diff: " + (changes.isEmpty() ? "no change" : changes.size() + " changes " + Diff.summary(changes))
                    + " (" + count(before, Output.Kind.DECISION) + " decisions before, " + count(after, Output.Kind.DECISION) + " after)");
            return changes.isEmpty() ? 0 : CliErrors.RUNTIME_FAILURE;
        } finally {
            out.flush();
        }
    }

    /** Opens the recording the rules read. */
    @FunctionalInterface
    private interface Opener {
        RecordedLog open(Rules rules) throws ReplayException, IOException;
    }

    private RecordedLog open(Path dir, Rules rules) throws ReplayException, IOException {
        return RecordedLog.open(dir, rules.inputChannels(), RecordedLog.instant(from, "--from"), RecordedLog.instant(to, "--to"));
    }

    private RecordedLog openRunning(Rules rules) throws ReplayException, IOException {
        String address = client.broker != null ? String.join(",", client.broker) : IdentityFile.load(client.identity).broker();
        return RecordedLog.open(address, client::connect, rules.inputChannels(),
                RecordedLog.instant(from, "--from"), RecordedLog.instant(to, "--to"));
    }

    private static long count(Replay.Result r, Output.Kind kind) {
        return r.outputs().stream().filter(o -> o.kind() == kind).count();
    }

    private static void warnGaps(long gaps) {
        if (gaps > 0) {
            System.err.println("replay: " + gaps + " gaps in the log (Missing-Event): outputs from the first one on are marked uncertain");
        }
    }
}
