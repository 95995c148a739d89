package dev.d2r2.bench;

import dev.d2r2.sip.load.SipLoad;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SIP edge against Kamailio 5.6's dispatcher (bench/kamailio/kamailio.cfg: Call-ID hashing,
 * record-route, tm), in the same run: SIPp calls (following the route set, {@code -d} long) →
 * proxy → two SIPp uas (copying the Record-Route, {@code uas-routes.xml}), at fixed rates. For each: CPU seconds of the proxy's processes per
 * 1,000 calls, call setup time (INVITE → 200) percentiles from SIPp, and failed calls. One SIPp
 * saturates near 1,000 calls/s on these 2 cores, so rates stay moderate and CPU per call is
 * compared, not the maximum rate.
 */
@Command(name = "sip-bench", mixinStandardHelpOptions = true)
public final class SipBench implements Callable<Integer> {
    @Option(names = "--rates", split = ",", defaultValue = "200,500") List<Integer> rates;
    @Option(names = "--seconds", defaultValue = "30", description = "Measured seconds per run") int seconds;
    @Option(names = "--warmup", defaultValue = "10",
            description = "Seconds of calls (at 500 calls/s, or the measured rate if higher) before each measured run") int warmup;
    @Option(names = "--warmup-max", defaultValue = "60",
            description = "Warm-up goes on in steps of 10 s while the proxy's JIT compilers work, up to this many seconds in all") int warmupMax;
    @Option(names = "--call-ms", defaultValue = "1000", description = "How long each call lasts") int callMs;
    @Option(names = "--out", defaultValue = "bench/results/sip-latest.md") Path out;
    @Option(names = "--flood-rate", defaultValue = "2000", description = "Flood scenario: INVITEs a second from blocked sources (0: no flood scenario)")
    int floodRate;
    @Option(names = "--flood-sources", defaultValue = "40", description = "Flood scenario: distinct attacking addresses") int floodSources;
    @Option(names = "--legit-rate", defaultValue = "100", description = "Flood scenario: legitimate calls a second") int legitRate;
    @Option(names = "--flood-seconds", defaultValue = "20", description = "Flood scenario: measured seconds") int floodSeconds;
    @Option(names = "--flood-warmup", defaultValue = "15",
            description = "Flood scenario: seconds of the same load before the measured ones (the JVMs on the path compile their hot code)")
    int floodWarmup;

    /** Warm-up runs at least this fast, so both proxies are warm (JIT) whatever the measured rate. */
    private static final int WARMUP_RATE = 500;
    private static final int WARMUP_STEP_S = 10;
    /** JIT compiler CPU in one warm-up step under which the proxy counts as compiled: a few methods' worth. */
    private static final double JIT_QUIET_S = 0.1;
    /** One tick of SIPp's clock on this machine (a 250 Hz kernel). */
    private static final long SLOW_MICROS = 4000;
    private static final Path SCENARIO = Path.of("sip/src/test/resources/sipp/uac-routes.xml").toAbsolutePath();
    private static final Path UAS_SCENARIO = Path.of("sip/src/test/resources/sipp/uas-routes.xml").toAbsolutePath();
    private static final Path KAMAILIO_CFG = Path.of("bench/kamailio/kamailio.cfg").toAbsolutePath();

    public static void main(String[] args) {
        System.exit(new CommandLine(new SipBench()).execute(args));
    }

    /** {@code jitPerThousand}: of {@code cpuPerThousand}, the proxy's JIT compiler threads; {@code warmedS}: its warm-up. */
    record Row(String proxy, int rate, long calls, long failed, double cpuPerThousand, double jitPerThousand, int warmedS,
               double p50, double p99, double max, double slowShare) {
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-sip-bench");
        List<Row> rows = new ArrayList<>();
        for (int rate : rates) {
            for (String proxy : List.of("d2r2", "kamailio")) {
                Row r = run(proxy, rate, work.resolve(proxy + "-" + rate));
                rows.add(r);
                System.out.printf("%-8s %4d calls/s: %d calls, %d failed, CPU %.3f s / 1,000 calls (JIT %.3f, after %d s of warm-up),"
                        + " setup p50 %.2f ms p99 %.2f ms, %.2f %% ≥ 4 ms%n", r.proxy, r.rate, r.calls, r.failed, r.cpuPerThousand,
                        r.jitPerThousand, r.warmedS, r.p50, r.p99, 100 * r.slowShare);
            }
        }
        List<FloodRow> floods = new ArrayList<>();
        if (floodRate > 0) {
            FloodRow d = direct(work.resolve("direct"));
            floods.add(d);
            System.out.println(d);
            for (int flood : List.of(0, floodRate)) {
                FloodRow f = flood(flood, work.resolve("flood-" + flood));
                floods.add(f);
                System.out.println(f);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# SIP edge vs Kamailio 5.6 dispatcher, ").append(LocalDate.now()).append("\n\n")
                .append("`bench/sip.sh`: SIPp uac (following the route set, calls of ").append(callMs).append(" ms) → proxy → two SIPp")
                .append(" uas, UDP, ").append(seconds).append(" s per run after ").append(warmup)
                .append(" s of warm-up at ≥ ").append(WARMUP_RATE).append(" calls/s, continued in steps of ").append(WARMUP_STEP_S)
                .append(" s while the proxy's JIT compiler threads used over ").append(JIT_QUIET_S).append(" s CPU in a step (at most ")
                .append(warmupMax).append(" s in all); 2 cores. CPU counts every thread of the proxy, its JIT compilers")
                .append(" included (column JIT: their part).\n\n")
                .append("SIPp's clock ticks every ").append(SLOW_MICROS / 1000).append(" ms here (a coarse kernel clock), so setup")
                .append(" times read 0, 4, 8... ms; the share of setups of 4 ms or more tells the proxies' latency apart below p99.\n\n")
                .append("| rate (calls/s) | proxy | calls | failed | CPU s / 1,000 calls | of which JIT | warm-up s | setup p50 ms |")
                .append(" setup p99 ms | setup max ms | setups ≥ 4 ms |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format("| %d | %s | %d | %d | %.3f | %.3f | %d | %.2f | %.2f | %.2f | %.2f %% |%n", r.rate, r.proxy, r.calls,
                    r.failed, r.cpuPerThousand, r.jitPerThousand, r.warmedS, r.p50, r.p99, r.max, 100 * r.slowShare));
        }
        md.append("\n| rate | CPU per call, d2r2 / Kamailio | setup p99, d2r2 − Kamailio (ms) | setups ≥ 4 ms, d2r2 / Kamailio |\n")
                .append("|---:|---:|---:|---:|\n");
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            Row d = rows.get(i);
            Row k = rows.get(i + 1);
            md.append(String.format("| %d | %.2f | %+.2f | %.2f |%n", d.rate, d.cpuPerThousand / k.cpuPerThousand, d.p99 - k.p99,
                    d.slowShare / k.slowShare));
        }
        if (!floods.isEmpty()) {
            md.append("\n## Legitimate calls while a flood is blocked\n\n")
                    .append("`d2r2 sip-load` (in the bench's JVM, setup INVITE → 200 timed with `System.nanoTime()`): ")
                    .append(legitRate).append(" legitimate calls/s of 1 s from 127.0.0.1, for ").append(floodSeconds)
                    .append(" s after ").append(floodWarmup).append(" s of the same load as warm-up, through `d2r2 lb` to two `d2r2 sip-server`s; with the flood, ")
                    .append("INVITEs at the given rate from ").append(floodSources)
                    .append(" addresses 127.1.1.x, each blocked beforehand through the edge's API (`POST /actions`, op `block`,")
                    .append(" as the policy does), so the edge sheds them before parsing. The first row is the same calls")
                    .append(" straight to one `d2r2 sip-server`, no edge: the tail of the path without it, in the same run.\n\n")
                    .append("| path | flood INVITE/s | legit calls | ok | flood sent | flood answered | edge CPU s / 1,000 legit calls |")
                    .append(" setup p50 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (FloodRow f : floods) {
                md.append(String.format("| %s | %d | %d | %d | %d | %d | %s | %.3f | %.3f | %.3f | %.3f |%n", f.path, f.floodRate, f.calls,
                        f.ok, f.attacks, f.attacksAnswered, Double.isNaN(f.cpuPerThousand) ? "—" : String.format("%.3f", f.cpuPerThousand),
                        f.p50, f.p99, f.p999, f.max));
            }
        }
        System.out.print(md);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString());
        return 0;
    }

    private Row run(String proxy, int rate, Path dir) throws Exception {
        Files.createDirectories(dir);
        int uas1 = freePort();
        int uas2 = freePort();
        int proxyPort = freePort();
        List<ServerProcess> servers = new ArrayList<>();
        try {
            servers.add(new ServerProcess(List.of("sipp", "-sf", UAS_SCENARIO.toString(), "-aa", "-i", "127.0.0.1",
                    "-p", Integer.toString(uas1), "-nostdin"), dir.resolve("uas1.log")));
            servers.add(new ServerProcess(List.of("sipp", "-sf", UAS_SCENARIO.toString(), "-aa", "-i", "127.0.0.1",
                    "-p", Integer.toString(uas2), "-nostdin"), dir.resolve("uas2.log")));
            ServerProcess server;
            if (proxy.equals("d2r2")) {
                server = new ServerProcess(ServerProcess.d2r2("lb", "--listen", "127.0.0.1:" + proxyPort,
                        "--backend", "127.0.0.1:" + uas1, "--backend", "127.0.0.1:" + uas2), dir.resolve("proxy.log"));
            } else {
                Files.writeString(dir.resolve("dispatcher.list"), "1 sip:127.0.0.1:" + uas1 + "\n1 sip:127.0.0.1:" + uas2 + "\n");
                server = new ServerProcess(List.of("kamailio", "-f", KAMAILIO_CFG.toString(), "-l", "udp:127.0.0.1:" + proxyPort,
                        "-w", dir.toString(), "-DD", "-E", "-m", "256", "-M", "32"), dir.resolve("proxy.log"));
            }
            servers.add(server);
            Thread.sleep(proxy.equals("d2r2") ? 3000 : 1000);
            int warmed = warmUp(dir, proxyPort, rate, server);
            double cpu0 = server.cpuSeconds();
            double jit0 = server.compilerCpuSeconds();
            long[] result = uac(dir, proxyPort, rate, seconds, "measured");
            double cpu = server.cpuSeconds() - cpu0;
            double jit = server.compilerCpuSeconds() - jit0;
            Histogram setup = setupTimes(dir.resolve("measured"));
            double slow = setup.getTotalCount() == 0 ? 0
                    : (double) (setup.getTotalCount() - setup.getCountBetweenValues(0, SLOW_MICROS - 1)) / setup.getTotalCount();
            return new Row(proxy, rate, result[0], result[1], cpu / result[0] * 1000, jit / result[0] * 1000, warmed,
                    setup.getValueAtPercentile(50) / 1000.0,
                    setup.getValueAtPercentile(99) / 1000.0, setup.getMaxValue() / 1000.0, slow);
        } finally {
            for (ServerProcess s : servers.reversed()) {
                s.close();
            }
        }
    }

    /**
     * {@link #warmup} s of calls, then more in steps while the proxy's JIT compilers are still at work:
     * the measured run sees the proxy's steady cost, as a proxy that runs for days has it. Returns the seconds warmed.
     */
    private int warmUp(Path dir, int port, int rate, ServerProcess proxy) throws Exception {
        int warmRate = Math.max(rate, WARMUP_RATE);
        uac(dir, port, warmRate, warmup, "warmup");
        int warmed = warmup;
        while (warmed + WARMUP_STEP_S <= warmupMax) {
            double jit0 = proxy.compilerCpuSeconds();
            uac(dir, port, warmRate, WARMUP_STEP_S, "warmup-" + warmed);
            warmed += WARMUP_STEP_S;
            if (proxy.compilerCpuSeconds() - jit0 < JIT_QUIET_S) {
                break;
            }
        }
        return warmed;
    }

    record FloodRow(String path, int floodRate, long calls, long ok, long attacks, long attacksAnswered, double cpuPerThousand,
                    double p50, double p99, double p999, double max) {
    }

    /**
     * Legitimate calls through the edge to two d2r2 SIP servers, measured by {@link SipLoad}, with
     * {@code flood} INVITEs a second from {@link #floodSources} addresses the edge was told to block.
     */
    private FloodRow flood(int flood, Path dir) throws Exception {
        Files.createDirectories(dir);
        int s1 = freePort();
        int s2 = freePort();
        int proxyPort = freePort();
        int apiPort = freeTcpPort();
        Path tokenFile = dir.resolve("edge-api.token");
        List<ServerProcess> servers = new ArrayList<>();
        try {
            servers.add(new ServerProcess(ServerProcess.d2r2("sip-server", "--listen", "127.0.0.1:" + s1), dir.resolve("s1.log")));
            servers.add(new ServerProcess(ServerProcess.d2r2("sip-server", "--listen", "127.0.0.1:" + s2), dir.resolve("s2.log")));
            ServerProcess edge = new ServerProcess(ServerProcess.d2r2("lb", "--listen", "127.0.0.1:" + proxyPort,
                    "--backend", "127.0.0.1:" + s1, "--backend", "127.0.0.1:" + s2, "--api", "127.0.0.1:" + apiPort,
                    "--api-token-file", tokenFile.toString()), dir.resolve("proxy.log"));
            servers.add(edge);
            HttpClient http = HttpClient.newHttpClient();
            URI api = URI.create("http://127.0.0.1:" + apiPort);
            awaitApi(http, api);
            String token = Files.readString(tokenFile).strip();
            for (int i = 0; i < floodSources; i++) {
                block(http, api, token, SipLoad.floodSource(i).getHostAddress());
            }
            return legitimate("edge", new InetSocketAddress("127.0.0.1", proxyPort), flood, edge);
        } finally {
            for (ServerProcess s : servers.reversed()) {
                s.close();
            }
        }
    }

    /** The same legitimate calls, without a flood, straight to one d2r2 SIP server. */
    private FloodRow direct(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        ServerProcess server = new ServerProcess(ServerProcess.d2r2("sip-server", "--listen", "127.0.0.1:" + port), dir.resolve("s1.log"));
        try {
            Thread.sleep(3000);
            return legitimate("no edge", new InetSocketAddress("127.0.0.1", port), 0, null);
        } finally {
            server.close();
        }
    }

    /** {@link #floodWarmup} s of warm-up, then {@link #floodSeconds} measured, with {@code flood} INVITEs a second; CPU of {@code edge} if any. */
    private FloodRow legitimate(String path, InetSocketAddress target, int flood, ServerProcess edge) throws Exception {
        new SipLoad(new SipLoad.Plan(target, legitRate, Duration.ofSeconds(1), 100, flood, floodSources, "INVITE",
                Duration.ofSeconds(floodWarmup))).run();
        double cpu0 = edge == null ? 0 : edge.cpuSeconds();
        SipLoad.Report r = new SipLoad(new SipLoad.Plan(target, legitRate, Duration.ofSeconds(1), 100, flood, floodSources,
                "INVITE", Duration.ofSeconds(floodSeconds))).run();
        double cpu = edge == null ? Double.NaN : edge.cpuSeconds() - cpu0;
        Histogram h = r.setupMicros();
        return new FloodRow(path, flood, r.calls(), r.callsOk(), r.attacks(), r.attacksAnswered(), cpu / r.calls() * 1000,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0);
    }

    private static void awaitApi(HttpClient http, URI api) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(api.resolve("/backends")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the edge's API did not come up at " + api, e);
                }
            }
            Thread.sleep(100);
        }
    }

    /** Blocks {@code address} for the API's longest (default 24 h): the edge is stopped long before. */
    private static void block(HttpClient http, URI api, String token, String address) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/actions")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"" + address + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("blocking " + address + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One SIPp uac run; returns {calls, failed calls}. */
    private long[] uac(Path dir, int port, int rate, int secs, String name) throws Exception {
        Path runDir = Files.createDirectories(dir.resolve(name));
        long calls = (long) rate * secs;
        Process p = new ProcessBuilder("sipp", "-sf", SCENARIO.toString(), "127.0.0.1:" + port, "-i", "127.0.0.1",
                "-p", Integer.toString(freePort()), "-r", Integer.toString(rate), "-m", Long.toString(calls), "-d",
                Integer.toString(callMs), "-timeout", (secs + 60) + "s", "-trace_rtt", "-rtt_freq", "1", "-timer_resol", "1", "-nostdin")
                .directory(runDir.toFile()).redirectErrorStream(true).redirectOutput(runDir.resolve("uac.log").toFile()).start();
        if (!p.waitFor(secs + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("SIPp did not finish: " + runDir);
        }
        String log = Files.readString(runDir.resolve("uac.log"));
        return new long[]{calls, lastNumber(log, "Failed call")};
    }

    private static long lastNumber(String log, String row) {
        Matcher m = Pattern.compile(Pattern.quote(row) + "\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)").matcher(log);
        long v = -1;
        while (m.find()) {
            v = Long.parseLong(m.group(1));
        }
        return v;
    }

    /** The INVITE → 200 times SIPp wrote (-trace_rtt: date_ms;response_time_ms;rtd_no), in microseconds. */
    private static Histogram setupTimes(Path runDir) throws IOException {
        Histogram h = new Histogram(3);
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(x -> x.toString().endsWith("_rtt.csv")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] cols = line.split(";");
                    if (cols.length >= 2 && cols[1].matches("[0-9.]+")) {
                        h.recordValue(Math.round(Double.parseDouble(cols[1]) * 1000));
                    }
                }
            }
        }
        return h;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }
}
