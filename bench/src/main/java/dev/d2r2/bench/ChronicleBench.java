package dev.d2r2.bench;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import dev.d2r2.chronicle.ChronicleCompiler;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.core.Event;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * d2r2's chronicle recognizer against Esper 9 on equivalent patterns, in one run: after checking
 * that both find the same matches, events/s, p99 per-event latency and peak heap for each, and
 * heap after GC along a 10-minute stream.
 */
@Command(name = "chronicle-bench", mixinStandardHelpOptions = true)
public final class ChronicleBench implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "2000000", description = "Events per throughput run") int events;
    @Option(names = "--check-events", defaultValue = "300000", description = "Events for the equality check") int checkEvents;
    @Option(names = "--only", description = "Run only scenarios whose name contains this") String only;
    @Option(names = "--heap-minutes", defaultValue = "10", description = "Event-time length of the heap-flatness stream")
    int heapMinutes;
    @Option(names = "--rounds", defaultValue = "3", description = "Timed runs per engine, alternating; the median is reported")
    int rounds;
    @Option(names = "--profile-d2r2", description = "Only time d2r2 on each stream (for profiling), no report")
    boolean profileD2r2;
    @Option(names = "--out", defaultValue = "bench/results/chronicle-latest.md") Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChronicleBench()).execute(args));
    }

    record Measure(double eventsPerSecond, double p99Micros, long peakHeapBytes, long matches) {
    }

    record Row(String scenario, Measure d2r2, Measure esper, long checkedMatches, List<long[]> heapD2r2, List<long[]> heapEsper) {
    }

    @Override
    public Integer call() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (ChronicleScenario s : ChronicleScenario.all()) {
            if (only != null && !s.name().contains(only)) {
                continue;
            }
            System.out.println("== " + s.name());
            if (profileD2r2) {
                List<BenchEvent> stream = s.generate(events, 2);
                for (int round = 0; round < 2 * rounds; round++) {
                    System.out.printf("d2r2 %,.0f ev/s%n", runD2r2(s, stream, x -> { }, null).eventsPerSecond());
                }
                continue;
            }
            List<BenchEvent> check = s.generate(checkEvents, 1);
            Set<String> mine = new HashSet<>();
            runD2r2(s, check, mine::add, null);
            Set<String> theirs = new HashSet<>();
            runEsper(s, check, theirs::add, null);
            if (!mine.equals(theirs)) {
                Set<String> onlyMine = new HashSet<>(mine);
                onlyMine.removeAll(theirs);
                Set<String> onlyTheirs = new HashSet<>(theirs);
                onlyTheirs.removeAll(mine);
                System.out.println("MATCHES DIFFER: d2r2 " + mine.size() + ", Esper " + theirs.size() + "; only d2r2 (first 5) "
                        + onlyMine.stream().limit(5).toList() + "; only Esper " + onlyTheirs.stream().limit(5).toList());
                return 1;
            }
            System.out.println("same matches: " + mine.size());
            List<BenchEvent> stream = s.generate(events, 2);
            runD2r2(s, stream.subList(0, stream.size() / 5), x -> { }, null);
            runEsper(s, stream.subList(0, stream.size() / 5), x -> { }, null);
            List<Measure> ds = new ArrayList<>();
            List<Measure> es = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                ds.add(runD2r2(s, stream, x -> { }, null));
                es.add(runEsper(s, stream, x -> { }, null));
            }
            Measure d = median(ds);
            Measure e = median(es);
            System.out.printf("d2r2 %,.0f ev/s p99 %.2f us peak heap %d MiB | Esper %,.0f ev/s p99 %.2f us peak heap %d MiB | ratio %.2f%n",
                    d.eventsPerSecond, d.p99Micros, d.peakHeapBytes >> 20, e.eventsPerSecond, e.p99Micros, e.peakHeapBytes >> 20,
                    d.eventsPerSecond / e.eventsPerSecond);
            List<BenchEvent> longStream = s.generate(heapMinutes * 60_000, 3);
            List<long[]> hd = new ArrayList<>();
            runD2r2(s, longStream, x -> { }, hd);
            List<long[]> he = new ArrayList<>();
            runEsper(s, longStream, x -> { }, he);
            rows.add(new Row(s.name(), d, e, mine.size(), hd, he));
        }
        String report = report(rows);
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        return 0;
    }

    private Measure runD2r2(ChronicleScenario s, List<BenchEvent> stream, Consumer<String> matches, List<long[]> heapCheckpoints)
            throws Exception {
        long[] count = {0};
        Recognizer r = new Recognizer(ChronicleCompiler.compile(s.name() + ".chr", s.chronicle()).chronicles(),
                Recognizer.Options.DEFAULT, rec -> {
            count[0]++;
            matches.accept(String.join(",", rec.events()));
        });
        Event[] evs = stream.stream().map(BenchEvent::event).toArray(Event[]::new);
        return measure(evs.length, i -> r.accept(evs[i]), r::close, count, stream, heapCheckpoints);
    }

    private Measure runEsper(ChronicleScenario s, List<BenchEvent> stream, Consumer<String> matches, List<long[]> heapCheckpoints)
            throws Exception {
        Configuration config = new Configuration();
        config.getCommon().addEventType(BenchEvent.class);
        config.getRuntime().getThreading().setInternalTimerEnabled(false);
        EPCompiled compiled = EPCompilerProvider.getCompiler().compile("@name('p') " + s.epl(), new CompilerArguments(config));
        EPRuntime runtime = EPRuntimeProvider.getRuntime("bench-" + System.nanoTime(), config);
        try {
            EPEventService events = runtime.getEventService();
            events.clockExternal();
            events.advanceTime(0);
            EPDeployment d = runtime.getDeploymentService().deploy(compiled);
            EPStatement st = runtime.getDeploymentService().getStatement(d.getDeploymentId(), "p");
            long[] count = {0};
            String[] columns = s.eplColumns();
            st.addListener((newData, oldData, statement, rt) -> {
                for (var row : newData) {
                    count[0]++;
                    StringBuilder k = new StringBuilder();
                    for (String c : columns) {
                        if (!k.isEmpty()) {
                            k.append(',');
                        }
                        k.append('e').append(row.get(c));
                    }
                    matches.accept(k.toString());
                }
            });
            BenchEvent[] evs = stream.toArray(BenchEvent[]::new);
            return measure(evs.length, i -> {
                events.advanceTime(evs[i].time);
                events.sendEventBean(evs[i], "BenchEvent");
            }, () -> events.advanceTime(Long.MAX_VALUE / 2), count, stream, heapCheckpoints);
        } finally {
            runtime.destroy();
        }
    }

    private static Measure median(List<Measure> ms) {
        List<Measure> sorted = new ArrayList<>(ms);
        sorted.sort(java.util.Comparator.comparingDouble(Measure::eventsPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    /** Per-event latency is timed on one event in 8: timing every event would cost both engines more than a tenth of their throughput. */
    private static final int LATENCY_SAMPLE_MASK = 7;

    private interface Feed {
        void send(int i) throws Exception;
    }

    private interface End {
        void end() throws Exception;
    }

    private static Measure measure(int n, Feed feed, End end, long[] count, List<BenchEvent> stream, List<long[]> heapCheckpoints)
            throws Exception {
        Histogram h = new Histogram(60_000_000_000L, 3);
        Runtime rt = Runtime.getRuntime();
        long peak = 0;
        long every = heapCheckpoints == null ? 0 : Math.max(1, n / 10);
        System.gc();
        long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if ((i & LATENCY_SAMPLE_MASK) == 0) {
                long a = System.nanoTime();
                feed.send(i);
                h.recordValue(System.nanoTime() - a);
            } else {
                feed.send(i);
            }
            if ((i & 0x3fff) == 0) {
                peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
            }
            if (every > 0 && (i + 1) % every == 0) {
                System.gc();
                heapCheckpoints.add(new long[]{stream.get(i).time / 60_000, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() - baseline});
            }
        }
        end.end();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Measure(n / seconds, h.getValueAtPercentile(99) / 1e3, peak - baseline, count[0]);
    }

    private static String report(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("# Chronicle benchmark, ").append(LocalDate.now()).append("\n\n")
                .append("d2r2's recognizer and Esper ").append(com.espertech.esper.runtime.client.EPRuntimeProvider.class.getPackage().getImplementationVersion() == null
                        ? "9" : com.espertech.esper.runtime.client.EPRuntimeProvider.class.getPackage().getImplementationVersion())
                .append(" in one JVM (").append(Runtime.version()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores), external time, one thread, pre-built events. Both engines found the same matches first. ")
                .append("Median of 3 alternating timed runs per engine; throughput over the whole stream; p99 of the time to process one event, timed on one event in 8; ")
                .append("peak heap: the most heap in use (garbage included) during the run, above the heap used before it (the stream).\n\n")
                .append("| scenario | matches checked | d2r2 events/s | Esper events/s | ratio | d2r2 p99 µs | Esper p99 µs | d2r2 peak heap MiB | Esper peak heap MiB |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format("| %s | %d | %,.0f | %,.0f | %.2f | %.2f | %.2f | %d | %d |%n", r.scenario, r.checkedMatches,
                    r.d2r2.eventsPerSecond, r.esper.eventsPerSecond, r.d2r2.eventsPerSecond / r.esper.eventsPerSecond,
                    r.d2r2.p99Micros, r.esper.p99Micros, r.d2r2.peakHeapBytes >> 20, r.esper.peakHeapBytes >> 20));
        }
        b.append("\nHeap held by the engine (used after a full GC, minus the same before the first event) along a ")
                .append("stream of one event per ms (event-time minute: MiB):\n\n");
        for (Row r : rows) {
            b.append("- ").append(r.scenario).append(": d2r2 ").append(checkpoints(r.heapD2r2)).append("; Esper ")
                    .append(checkpoints(r.heapEsper)).append("\n");
        }
        return b.toString();
    }

    private static String checkpoints(List<long[]> cps) {
        StringBuilder b = new StringBuilder();
        for (long[] c : cps) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append(c[0]).append(": ").append(String.format("%.1f", c[1] / 1048576.0));
        }
        return b.toString();
    }
}
