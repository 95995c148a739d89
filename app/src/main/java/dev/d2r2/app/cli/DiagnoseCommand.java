package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.diagnosis.DiagnosisConfig;
import dev.d2r2.diagnosis.DiagnosisRole;
import dev.d2r2.diagnosis.Profiles;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.diagnosis.SampleFile;
import dev.d2r2.diagnosis.Trainer;
import dev.d2r2.diagnosis.VoteSettings;
import dev.d2r2.monitor.events.Sample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 diagnose train|run}: peer-similarity diagnosis (see docs/diagnosis.md). */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Learn OS-metric profiles from fault-free samples, or run the diagnosis role against the broker.",
        subcommands = {DiagnoseCommand.Train.class, DiagnoseCommand.Run.class})
public final class DiagnoseCommand extends CommandGroup {
    private static final int MAX_REPORTED_ERRORS = 20;

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Learn K profiles (k-means++) from recorded fault-free samples (JSON Lines, as `d2r2 subscribe metrics` prints them)"
                    + " and the threshold under which they indict nobody; writes the profiles file and prints a report on stderr."})
    public static final class Train implements Callable<Integer> {
        @Option(names = "--samples", paramLabel = "FILE", required = true) Path samples;

        @Option(names = "--k", paramLabel = "K", required = true, description = "The number of profiles") int k;

        @Option(names = "--out", paramLabel = "FILE", required = true) Path out;

        @Option(names = "--window", paramLabel = "DURATION", defaultValue = "5s", description = "Window length (${DEFAULT-VALUE})")
        String window;

        @Option(names = "--metrics", paramLabel = "M,M,...", split = ",",
                description = "The metric set (default: every rate of the prefix that every peer reports, non-zero in at least half its samples,"
                        + " and os.throttled_pct and os.net_rx_filtered_per_s)")
        List<String> metrics = List.of();

        @Option(names = "--prefix", defaultValue = "os", description = "The probe whose rates form the default metric set (${DEFAULT-VALUE})")
        String prefix;

        @Option(names = "--group", paramLabel = "NAME=P,P,P", description = "Peers that vote together (repeatable; default: all peers)")
        List<String> groups = List.of();

        @Option(names = "--decay", description = "Each window multiplies a peer's histogram by this (${DEFAULT-VALUE})")
        double decay = VoteSettings.DEFAULTS.decay();

        @Option(names = "--consecutive", description = "Suspect windows in a row to indict (${DEFAULT-VALUE})")
        int consecutive = VoteSettings.DEFAULTS.consecutive();

        @Option(names = "--clear-after", description = "Windows that are not suspect to clear (${DEFAULT-VALUE})")
        int clearAfter = VoteSettings.DEFAULTS.clearAfter();

        @Option(names = "--effect-floor",
                description = "How far a suspect differs from a majority in some metric, in that metric's pairwise spreads (${DEFAULT-VALUE})")
        double effectFloor = VoteSettings.DEFAULTS.effectFloor();

        @Option(names = "--warmup", description = "Windows a peer is seen in before it votes (${DEFAULT-VALUE})")
        int warmup = VoteSettings.DEFAULTS.warmup();

        @Option(names = "--margin", defaultValue = "0.25", description = "Threshold margin above the training data's largest distance, relative (${DEFAULT-VALUE})")
        double margin;

        @Option(names = "--seed", defaultValue = "1") long seed;

        @Override
        public Integer call() throws Exception {
            List<String> errors = new ArrayList<>();
            List<Sample> read = SampleFile.read(samples, errors::add);
            errors.stream().limit(MAX_REPORTED_ERRORS).forEach(System.err::println);
            Trainer.Training t;
            try {
                t = Trainer.train(read, new Trainer.Request(metrics, prefix, groups(), Durations.parse(window).toMillis(), k,
                        new VoteSettings(decay, consecutive, clearAfter, effectFloor, warmup), margin, seed));
            } catch (IllegalArgumentException e) {
                System.err.println(samples + ": " + e.getMessage());
                return CliErrors.BAD_INPUT;
            }
            ProfilesFile.write(t.profiles(), out);
            Profiles p = t.profiles();
            System.err.printf(Locale.ROOT, "%s: %d samples (%d unreadable lines), %d windows of %d ms, %d peer-windows%n", samples,
                    read.size(), errors.size(), t.windows(), p.windowMs(), t.vectors());
            System.err.println("metrics: " + String.join(", ", p.metrics()));
            List<String> held = new ArrayList<>();
            for (int m = 0; m < p.metrics().size(); m++) {
                if (p.held()[m]) {
                    held.add(p.metrics().get(m));
                }
            }
            if (!held.isEmpty()) {
                System.err.printf(Locale.ROOT, "held over %d windows (fault rates, zero in most training windows): %s%n",
                        p.vote().consecutive(), String.join(", ", held));
            }
            List<String> spreads = new ArrayList<>();
            for (int m = 0; m < p.metrics().size(); m++) {
                spreads.add(String.format(Locale.ROOT, "%s %.2f", p.metrics().get(m), p.spread()[m]));
            }
            System.err.println("healthy peers' pairwise spread (the effect's unit per metric, normalised): " + String.join(", ", spreads));
            t.groups().forEach((g, peers) -> System.err.println("group " + g + ": " + String.join(", ", peers)));
            for (int i = 0; i < p.k(); i++) {
                System.err.printf(Locale.ROOT, "profile %d: %d vectors%n", i, p.sizes()[i]);
            }
            System.err.printf(Locale.ROOT, "largest deciding sqrt-JSD in training %.4f (over runs of %d windows); one odd window %.4f;"
                    + " threshold %.4f%s%n", t.largestDistance(), p.vote().consecutive(), t.oneOddWindow(), p.threshold(), p.threshold() >= 1 ? " (1.0: the training data is too uneven for any indictment; record longer, "
                            + "use fewer profiles or a lower decay)" : "");
            System.err.println("wrote " + out);
            return 0;
        }

        private Map<String, List<String>> groups() {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String g : groups) {
                int eq = g.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--group " + g + ": give NAME=PEER,PEER,PEER");
                }
                out.put(g.substring(0, eq), List.of(g.substring(eq + 1).split(",")));
            }
            return out;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "The diagnosis role: samples from the metrics channel, a vote per group and window, indictments,"
                    + " clearances and distance matrices on the diagnosis channel.")
    public static final class Run implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", required = true) Path config;

        @Mixin ClientOptions client;

        @Override
        public Integer call() throws Exception {
            DiagnosisConfig c = ConfigLoader.load(config, DiagnosisConfig.class);
            Path base = config.toAbsolutePath().getParent();
            Profiles p = ProfilesFile.load(base.resolve(c.profiles()), c.metrics());
            CountDownLatch stopped = new CountDownLatch(1);
            try (var broker = client.connect(); DiagnosisRole role = new DiagnosisRole(broker, c, p, Clock.system())) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        role.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    stopped.countDown();
                }));
                System.err.println("diagnosis: " + p.k() + " profiles of " + p.metrics().size() + " metrics from " + c.input()
                        + ", windows of " + p.windowMs() + " ms, threshold " + p.threshold() + "; indictments on " + c.channel());
                stopped.await();
            }
            return 0;
        }
    }
}
