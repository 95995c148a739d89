package dev.d2r2.app;

import dev.d2r2.core.EventCodec;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.events.MigrationOutcome;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.d2r2.app.SwitchedHosts.must;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A SIP server moves live between two hosts (network namespaces on a bridge) while `d2r2 sip-load`
 * calls it through `d2r2 lb` from a third; the service address follows it (gratuitous ARP), so
 * the edge and the callers keep their routes. The load starts once the edge listens and the
 * server answers through it; across the move calls keep being set up (at the target after it),
 * at most a few fail and no established call is dropped; then a move to a host that is gone
 * leaves the server where it was.
 */
class MigrationNamespaceTest {
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-mgm", "10.97.24.", 3);
    private static final String SERVICE = "10.97.24.100";
    /** sip-load's report line: calls, ok, established, dropped. */
    private static final Pattern LOAD_REPORT = Pattern.compile(
            "legitimate: (\\d+) calls, (\\d+) ok \\([^)]*\\), (\\d+) established of which (\\d+) dropped");
    /**
     * Calls that may fail across one move: requests that reach the paused server are dropped and
     * retransmitted from 500 ms, so with a pause of tens of milliseconds none should fail; the
     * bound leaves room for a scheduler stall on a loaded machine, not for a lost address.
     */
    private static final long MAX_FAILED_CALLS = 5;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void topology() throws Exception {
        removeTopology();
        LAN.create();
        for (int i = 1; i <= 3; i++) {
            // the server binds the service address, which a target host does not have until the move
            must("ip", "netns", "exec", LAN.host(i), "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=1");
        }
        LAN.addClient(9);
        Files.writeString(dir.resolve("hosts.key"), "3c".repeat(32) + "\n");
        // one token for both hosts, made before either starts: two hosts creating it at once would each keep their own
        BearerToken.loadOrCreate(dir.resolve("api.token"));
    }

    @AfterEach
    void removeTopology() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        LAN.remove();
    }

    private Process d2r2In(int host, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", LAN.host(host),
                ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr-" + host + "-" + processes.size()).toFile()).start();
        processes.add(p);
        return p;
    }

    private List<MigrationOutcome> migrationHost(int i, boolean withServer) throws IOException {
        String yaml = "name: h" + i + "\ntransfer: " + LAN.address(i) + ":7600\nkeyFile: hosts.key\napi: " + LAN.address(i)
                + ":7700\ntokenFile: api.token\naddress: " + SERVICE + "/24\ninterface: " + LAN.link(i) + "\n"
                + (withServer ? "server:\n  listen: " + SERVICE + ":5070\n" : "");
        Path file = dir.resolve("h" + i + ".yaml");
        Files.writeString(file, yaml);
        Process p = d2r2In(i, "migrate", "host", "--config", file.toString());
        List<MigrationOutcome> outcomes = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    outcomes.add(MigrationOutcome.from(EventCodec.decode(line)));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return outcomes;
    }

    private HttpResponse<String> http(String method, int host, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + LAN.address(host) + ":7700" + path))
                .timeout(Duration.ofSeconds(60));
        if (Files.exists(dir.resolve("api.token"))) {
            b.header("Authorization", "Bearer " + Files.readString(dir.resolve("api.token")).strip());
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean serving(int host) {
        try {
            return http("GET", host, "/status", null).body().contains("\"serving\":true");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private int status(int host) {
        try {
            return http("GET", host, "/status", null).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private boolean hasCalls(int host) {
        try {
            return http("GET", host, "/status", null).body().matches(".*\"calls\":[1-9].*");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static ConditionFactory await(String what) {
        return Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20));
    }

    /** Starts the edge on host 3 in front of the service address and waits until a call through it reaches the server. */
    private void edgeInFrontOfTheService() throws IOException {
        // probes tolerant of the move's pause, so the edge never takes the one backend down while it moves
        Path config = dir.resolve("lb.yaml");
        Files.writeString(config, "listen: " + LAN.address(3) + ":5060\nbackends:\n  - address: " + SERVICE
                + ":5070\nprobe-interval: 1s\nprobe-timeout: 1s\n");
        Path log = dir.resolve("stderr-3-" + processes.size());
        d2r2In(3, "lb", "--config", config.toString());
        await("the edge to listen").until(() -> Files.exists(log) && Files.readString(log).contains("edge on "));
        InetSocketAddress edge = new InetSocketAddress(LAN.address(3), 5060);
        AtomicInteger seq = new AtomicInteger();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LAN.address(9), 0))) {
            socket.setSoTimeout(500);
            await("the server to answer through the edge").until(() -> SipOptions.answered(socket, edge, seq.incrementAndGet()));
        }
    }

    @Test
    void theServerMovesUnderLoadAndCallsKeepSucceeding() throws Exception {
        List<MigrationOutcome> source = migrationHost(1, true);
        migrationHost(2, false);
        await("the source host").until(() -> serving(1));
        await("the target host").until(() -> status(2) == 200);
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + LAN.address(1)
                + ":7700/migrate")).POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + LAN.address(2) + ":7600\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("the API needs the token").isEqualTo(401);

        edgeInFrontOfTheService();
        Process load = d2r2In(3, "sip-load", "--target", LAN.address(3) + ":5060", "--rate", "50", "--call-length", "2s", "--users", "50",
                "--duration", "12s");
        Path loadLog = dir.resolve("stderr-3-" + (processes.size() - 1));
        await("calls to be set up at the source").until(() -> hasCalls(1));
        HttpResponse<String> moved = http("POST", 1, "/migrate", "{\"to\":\"" + LAN.address(2) + ":7600\"}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(moved.body()).contains("\"outcome\":\"moved\"");
        assertThat(serving(2)).isTrue();
        assertThat(serving(1)).isFalse();
        await("calls to be set up at the target").until(() -> hasCalls(2));

        String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(load.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Matcher report = LOAD_REPORT.matcher(out);
        assertThat(report.find()).as(out + (Files.exists(loadLog) ? Files.readString(loadLog) : "")).isTrue();
        long calls = Long.parseLong(report.group(1));
        long ok = Long.parseLong(report.group(2));
        assertThat(calls).as("12 s at 50 calls/s").isGreaterThan(400);
        assertThat(Long.parseLong(report.group(4))).as("established calls dropped: " + out).isZero();
        assertThat(calls - ok).as("calls failed across the move: " + out).isLessThanOrEqualTo(MAX_FAILED_CALLS);
        assertThat(source).singleElement().satisfies(o -> {
            assertThat(o.report().moved()).isTrue();
            assertThat(o.report().downtimeMs()).isGreaterThanOrEqualTo(0);
        });

        HttpResponse<String> nowhere = http("POST", 2, "/migrate", "{\"to\":\"" + LAN.address(3) + ":7600\"}");
        assertThat(nowhere.statusCode()).isEqualTo(409);
        assertThat(nowhere.body()).contains("\"outcome\":\"aborted\"").contains("cannot reach");
        assertThat(serving(2)).as("the failed move leaves the server where it was").isTrue();
    }
}
