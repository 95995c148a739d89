package dev.d2r2.app.cli;

import dev.d2r2.chronicle.ChronicleCompiler;
import dev.d2r2.chronicle.RecognitionWriter;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.chronicle.lang.Diagnostic;
import dev.d2r2.core.Durations;
import dev.d2r2.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code d2r2 chronicle check|run}: the chronicle language on files and JSON Lines streams. */
@Command(name = "chronicle", mixinStandardHelpOptions = true,
        description = "Check chronicles, or recognize them in a stream of JSON Lines events.",
        subcommands = {ChronicleCommand.Check.class, ChronicleCommand.Run.class, ChronicleCommand.Watch.class})
public final class ChronicleCommand extends CommandGroup {

    /** Compiles the files; prints every diagnostic on stderr; null when there are errors. */
    static ChronicleCompiler.Result load(List<Path> files) throws IOException, ConfigException {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(f + ": no such file");
            }
        }
        try {
            ChronicleCompiler.Result r = ChronicleCompiler.compileFiles(files);
            r.warnings().forEach(w -> System.err.println(w.format()));
            return r;
        } catch (ChronicleException e) {
            e.diagnostics().stream().sorted(java.util.Comparator.comparing(d -> d.severity() == Diagnostic.Severity.WARNING))
                    .forEach(d -> System.err.println(d.format()));
            return null;
        }
    }

    /**
     * The recognizer's options, shared by {@code run} and {@code watch}; each command starts them
     * at its defaults, declared in {@link Recognizer.Options} (picocli shows the initial values).
     */
    static final class EngineOptions {
        @Option(names = "--lateness", paramLabel = "DURATION",
                description = "How far behind the largest time seen an event may arrive (${DEFAULT-VALUE})")
        String lateness;

        @Option(names = "--horizon", paramLabel = "DURATION",
                description = "Life of partial instances of chronicles not bounded in time (${DEFAULT-VALUE})")
        String horizon;

        EngineOptions(Recognizer.Options defaults) {
            lateness = Durations.format(Duration.ofMillis(defaults.lateness()));
            horizon = Durations.format(Duration.ofMillis(defaults.horizon()));
        }

        Recognizer.Options options() {
            return Recognizer.Options.of(Durations.parse(lateness), Durations.parse(horizon));
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check chronicle files: exit 0 when valid, 2 when not (errors on stderr as file:line:col).")
    public static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() throws IOException, ConfigException {
            return load(files) == null ? CliErrors.BAD_INPUT : 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Recognize chronicles in JSON Lines events; one JSON line per recognition on stdout.",
                    "Exit 0, or 2 when a line was not an event (reported as FILE:LINE:COL, skipped, the rest recognized)."})
    public static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Chronicle files") List<Path> files;

        @Option(names = "--events", paramLabel = "FILE|-", defaultValue = "-", description = "Events (default: stdin)")
        String events;

        @Mixin EngineOptions engine = new EngineOptions(Recognizer.Options.DEFAULT);

        @Option(names = "--stats", description = "Print counters on stderr at the end")
        boolean stats;

        @Option(names = "--explain", description = "Add which event matched which statement, and the constraint values")
        boolean explain;

        @Override
        public Integer call() throws IOException, ConfigException {
            ChronicleCompiler.Result compiled = load(files);
            if (compiled == null) {
                return CliErrors.BAD_INPUT;
            }
            Recognizer.Options options = engine.options();
            PrintStream out = new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
            Recognizer recognizer = new Recognizer(compiled.chronicles(), options, r -> {
                out.println(RecognitionWriter.toJson(r, explain));
                out.flush();
            });
            String name = EventInput.name(events);
            long[] largest = {Long.MIN_VALUE};
            long malformed = EventInput.read(events, (e, lineNo, position) -> {
                if (e.id() == null) {
                    e = Recognizer.withPositionId(e, position);
                }
                long lateBefore = recognizer.late();
                recognizer.accept(e);
                if (recognizer.late() > lateBefore) {
                    System.err.println(name + ":" + lineNo + ": late event " + e.id() + " dropped: time " + e.time()
                            + " is more than " + engine.lateness + " behind the largest time seen, " + largest[0]);
                }
                largest[0] = Math.max(largest[0], e.time());
            });
            recognizer.close();
            out.flush();
            if (stats) {
                Recognizer.Stats s = recognizer.stats();
                System.err.printf("events %d, malformed %d, late %d, discarded at source %d, recognitions %d, emitted %d,"
                                + " peak partial instances %d%n", s.events(), malformed, s.late(), s.discardedAtSource(),
                        s.recognitions(), s.emitted(), s.peakInstances());
            }
            return malformed > 0 ? CliErrors.BAD_INPUT : 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "The chronicle role: recognize chronicles in events from broker channels and publish alerts.")
    public static final class Watch implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Chronicle files") List<Path> files;

        @Mixin ClientOptions client;

        @Mixin EngineOptions engine = new EngineOptions(Recognizer.Options.LIVE);

        @Option(names = "--input", paramLabel = "TAG", required = true, description = "A channel to read events from (repeatable)")
        List<String> inputs;

        @Option(names = "--alerts", paramLabel = "TAG", required = true, description = "The channel to publish alerts on")
        String alerts;

        @Option(names = "--print", description = "Also print each recognition as a JSON line on stdout")
        boolean print;

        @Option(names = "--count", paramLabel = "N", description = "Exit after N recognitions")
        long count;

        @Override
        public Integer call() throws Exception {
            ChronicleCompiler.Result compiled = load(files);
            if (compiled == null) {
                return CliErrors.BAD_INPUT;
            }
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
            try (var c = client.connect();
                 var role = new dev.d2r2.chronicle.ChronicleRole(c, compiled.chronicles(), engine.options(), inputs, alerts,
                         dev.d2r2.core.Clock.system(), r -> {
                     if (print) {
                         System.out.println(RecognitionWriter.toJson(r, false));
                         System.out.flush();
                     }
                     if (seen.incrementAndGet() == count) {
                         done.countDown();
                     }
                 })) {
                System.err.println("chronicle: watching " + String.join(", ", inputs) + " for " + compiled.chronicles().size()
                        + " chronicles; alerts on " + alerts);
                done.await();
                Recognizer.Stats s = role.stats();
                System.err.printf("chronicle: events %d, malformed %d, late %d, discarded at source %d, focused first %d,"
                                + " dropped by rule-on %d, recognitions %d%n", s.events(), role.malformed(), s.late(),
                        s.discardedAtSource(), role.focusedFirst(), role.ruleOnDropped(), s.recognitions());
            }
            return 0;
        }
    }
}
