package dev.d2r2.bench;

import dev.d2r2.app.replay.Output;
import dev.d2r2.app.replay.Recorded;
import dev.d2r2.app.replay.RecordedLog;
import dev.d2r2.app.replay.Replay;
import dev.d2r2.app.replay.ReplayException;
import dev.d2r2.app.replay.Rules;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 replay} over an hour of the demo's telemetry, with the demo's rules. The hour is a
 * recorded demo run ({@code d2r2 demo --dir}: samples, alarms and edge telemetry, flood and crash
 * included) laid end to end in a fresh data directory, every event and broker time shifted, so
 * that it holds a flood every run length — harder than a real hour. Measured: the replay's wall
 * time against the hour (the speed-up over real time), then the live heap (after a full GC,
 * every 20,000 records, outputs counted and dropped) over a quarter of the hour and over the whole
 * of it: memory held by the rules' windows stays the same whatever the length.
 */
@Command(name = "replay-bench", mixinStandardHelpOptions = true)
public final class ReplayBench implements Callable<Integer> {
    private static final int SAMPLE_EVERY = 20_000;

    @Option(names = "--recording", required = true, description = "A demo run's directory (d2r2 demo --dir DIR)") Path recording;
    @Option(names = "--length", defaultValue = "1h", description = "How much telemetry to replay (${DEFAULT-VALUE})") String length;
    @Option(names = "--runs", defaultValue = "3", description = "Timed replays of the whole length (the best is kept)") int runs;
    @Option(names = "--out", defaultValue = "bench/results/replay-latest.md") Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReplayBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Rules rules = Rules.load(recording.resolve("node.yaml"), Rules.Overrides.NONE);
        long lengthMs = dev.d2r2.core.Durations.parse(length).toMillis();
        Path data = Files.createTempDirectory("d2r2-replay-bench");
        long[] span = tile(rules, data, lengthMs);
        long records = span[2];
        System.out.printf("%d records over %s (%d runs of the recording end to end) in %s%n", records, length, span[3], data);

        Replay.Result warm = replay(rules, data, span[0], span[1], null);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            replay(rules, data, span[0], span[1], null);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        double speedUp = lengthMs / 1000.0 / best;
        long[] quarterHeap = {0};
        replay(rules, data, span[0], span[0] + lengthMs / 4, quarterHeap);
        long[] wholeHeap = {0};
        replay(rules, data, span[0], span[1], wholeHeap);

        Map<Output.Kind, Long> kinds = new EnumMap<>(Output.Kind.class);
        warm.outputs().forEach(o -> kinds.merge(o.kind(), 1L, Long::sum));
        String report = String.format("""
                # Replay benchmark (%s)

                `bench/replay.sh`: `d2r2 replay` of %s of the demo's telemetry (%d records: samples, alarms, edge telemetry;
                a %d-run tiling of one recorded demo run, so a flood every run), with the demo's rules (thresholds,
                flooding chronicles, policy; actuators replaced by recorders). Outputs: %s.

                | measure | value |
                |---|---|
                | wall time, best of %d | %.2f s |
                | speed-up over real time | **%.0f×** |
                | records per second | %.0f |
                | live heap, peak over a quarter of the length (after full GCs) | %.1f MiB |
                | live heap, peak over the whole length (after full GCs) | %.1f MiB |
                """, LocalDate.now(), length, records, span[3], kinds, runs, best, speedUp, records / best,
                quarterHeap[0] / 1048576.0, wholeHeap[0] / 1048576.0);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.print(report);
        dev.d2r2.core.Directories.deleteTree(data);
        return speedUp >= 100 ? 0 : 1;
    }

    /** Replays [from, to]; with {@code heap}, samples the live heap every {@link #SAMPLE_EVERY} records into it. */
    private static Replay.Result replay(Rules rules, Path data, long from, long to, long[] heap) throws IOException, ReplayException {
        try (RecordedLog log = RecordedLog.open(data, rules.inputChannels(), from, to)) {
            if (heap == null) {
                return Replay.collect(rules, log);
            }
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long[] seen = {0};
            Replay.Source sampled = new Replay.Source() {
                @Override
                public void play(RecordedLog.Reader reader) throws IOException, ReplayException {
                    log.play(new RecordedLog.Reader() {
                        @Override
                        public void record(Recorded r) throws ReplayException {
                            reader.record(r);
                            if (++seen[0] % SAMPLE_EVERY == 0) {
                                System.gc();
                                heap[0] = Math.max(heap[0], memory.getHeapMemoryUsage().getUsed());
                            }
                        }

                        @Override
                        public void missing(Output.Gap gap) {
                            reader.missing(gap);
                        }
                    });
                }

                @Override
                public long to() {
                    return log.to();
                }
            };
            long[] outputs = {0};
            long gaps = Replay.run(rules, sampled, o -> outputs[0]++);
            return new Replay.Result(List.of(), gaps);
        }
    }

    /**
     * Lays the recording's input channels end to end in {@code data} until {@code lengthMs} is
     * covered; returns {first broker time, last broker time, records, runs}.
     */
    private static long[] tile(Rules rules, Path data, long lengthMs) throws IOException, ReplayException {
        List<Recorded> one = new ArrayList<>();
        try (RecordedLog log = RecordedLog.open(rules.recorded(), rules.inputChannels(), null, null)) {
            log.play(new RecordedLog.Reader() {
                @Override
                public void record(Recorded r) {
                    one.add(r);
                }

                @Override
                public void missing(Output.Gap gap) {
                    throw new IllegalStateException("the recording has a gap: " + gap);
                }
            });
        }
        long first = one.getFirst().at();
        long period = one.getLast().at() - first + 1_000;
        long start = first;
        ManualClock clock = new ManualClock(start);
        long records = 0;
        int repeats = (int) ((lengthMs + period - 1) / period);
        try (Broker broker = Broker.open(data, clock); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            Map<String, Publisher> publishers = new HashMap<>();
            for (String tag : rules.inputChannels()) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER),
                        Set.of(), Set.of()));
                publishers.put(tag, admin.publisher(tag));
            }
            for (int k = 0; k < repeats; k++) {
                long shift = k * period;
                for (Recorded r : one) {
                    long at = r.at() + shift;
                    if (at - start > lengthMs) {
                        break;
                    }
                    if (at > clock.millis()) {
                        clock.advance(Duration.ofMillis(at - clock.millis()));
                    }
                    Event e = r.event();
                    publishers.get(r.channel()).publish(new Event(null, e.type(), e.time() + shift, e.source(), e.from(), e.to(), e.attrs()));
                    records++;
                }
            }
            for (Publisher p : publishers.values()) {
                p.close();
            }
        }
        return new long[]{start, clock.millis(), records, repeats};
    }
}
