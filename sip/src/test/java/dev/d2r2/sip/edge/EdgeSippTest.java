package dev.d2r2.sip.edge;

import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real SIPp calls through the edge over UDP: SIPp's default uac against two SIPp default uas. */
class EdgeSippTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");

    @TempDir
    Path dir;

    private Process sipp(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SIPP.toString()));
        cmd.addAll(List.of(args));
        cmd.add("-nostdin");
        return Processes.start(dir, name, cmd);
    }

    @Test
    void aKilledBackendIsTakenOutOfRotationByProbingAndNewCallsGoToTheOther() throws Exception {
        Peers.require(SIPP, "sip-tester");
        int uas1 = Processes.freeUdpPort();
        int uas2 = Processes.freeUdpPort();
        Process first = sipp("uas1", "-sn", "uas", "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas1));
        Process second = sipp("uas2", "-sn", "uas", "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas2));
        List<BackendEvent> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(
                new Backend(new InetSocketAddress("127.0.0.1", uas1), 1),
                new Backend(new InetSocketAddress("127.0.0.1", uas2), 1)), changes::add)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> edge.counters().getOrDefault("probe.answers", 0L) >= 4);
            first.destroyForcibly();
            await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
            assertThat(changes.getFirst().state()).isEqualTo("down");
            assertThat(changes.getFirst().backend().id()).isEqualTo("127.0.0.1:" + uas1);
            int port = edge.address().getPort();
            Process uac = sipp("uac", "-sn", "uac", "127.0.0.1:" + port, "-i", "127.0.0.1", "-p", Integer.toString(Processes.freeUdpPort()),
                    "-m", "50", "-r", "50", "-timeout", "60s", "-timeout_error");
            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
            assertThat(edge.counters()).containsEntry("dialogs.started.127.0.0.1:" + uas2, 50L)
                    .doesNotContainKey("dialogs.started.127.0.0.1:" + uas1);
        } finally {
            second.destroy();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static final String TOKEN = "edge-sipp-test-token-0123456789";

    @Test
    void aUasThatAnswersCallsButNotOptionsStaysInRotationAndItsCallsSucceed() throws Exception {
        Peers.require(SIPP, "sip-tester");
        int uasPort = Processes.freeUdpPort();
        Process uas = sipp("uas", "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort));
        List<BackendEvent> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                List.of(new Backend(new InetSocketAddress("127.0.0.1", uasPort), 1)),
                Duration.ofMillis(200), Duration.ofMillis(100), changes::add)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> edge.counters().getOrDefault("probe.unanswered", 0L) >= 4);
            assertThat(edge.backends().getFirst().up()).isTrue();
            Process uac = sipp("uac", "-sn", "uac", "127.0.0.1:" + edge.address().getPort(), "-i", "127.0.0.1",
                    "-p", Integer.toString(Processes.freeUdpPort()), "-m", "50", "-r", "25", "-d", "500",
                    "-timeout", "60s", "-timeout_error");
            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
            assertThat(edge.counters()).containsEntry("dialogs.started", 50L).doesNotContainKeys("answered.503", "backend.down",
                    "probe.answers");
            assertThat(changes).isEmpty();
        } finally {
            uas.destroy();
            uas.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int http(String method, String url, String body) throws Exception {
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            return client.send(req, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void backendsAddedRemovedAndDrainedMidCallsKeepEveryDialogOnItsBackend() throws Exception {
        Peers.require(SIPP, "sip-tester");
        int[] uas = {Processes.freeUdpPort(), Processes.freeUdpPort(), Processes.freeUdpPort()};
        List<Process> servers = new ArrayList<>();
        Path uasScenario = Processes.resource(dir, "/sipp/uas-routes.xml");
        for (int i = 0; i < 3; i++) {
            servers.add(sipp("uas" + i, "-sf", uasScenario.toString(), "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas[i])));
        }
        Path scenario = Processes.resource(dir, "/sipp/uac-routes.xml");
        List<BackendEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(
                new Backend(new InetSocketAddress("127.0.0.1", uas[0]), 1),
                new Backend(new InetSocketAddress("127.0.0.1", uas[1]), 1)), events::add);
             EdgeApi api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(TOKEN), ApiLimits.DEFAULT)) {
            String base = "http://127.0.0.1:" + api.address().getPort() + "/backends";
            String first = "127.0.0.1:" + uas[0];
            String second = "127.0.0.1:" + uas[1];
            String third = "127.0.0.1:" + uas[2];
            Process uac = sipp("uac", "-sf", scenario.toString(), "127.0.0.1:" + edge.address().getPort(), "-i", "127.0.0.1",
                    "-p", Integer.toString(Processes.freeUdpPort()), "-m", "60", "-r", "20", "-d", "1500", "-timeout", "60s", "-timeout_error");
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.counters().getOrDefault("dialogs.started." + first, 0L) >= 3
                    && edge.counters().getOrDefault("dialogs.started." + second, 0L) >= 3);
            assertThat(http("POST", base, "{\"address\":\"" + third + "\",\"weight\":1}")).isEqualTo(201);
            assertThat(http("DELETE", base + "/" + first, null)).isEqualTo(204);
            assertThat(http("POST", base + "/" + second + "/drain", null)).isEqualTo(202);
            long startedOnSecond = edge.counters().getOrDefault("dialogs.started." + second, 0L);

            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.activeDialogs() == 0);
            var counters = edge.counters();
            assertThat(counters).containsEntry("dialogs.started", 60L).containsEntry("dialogs.ended", 60L);
            assertThat(counters.get("dialogs.started." + third)).isPositive();
            assertThat(counters.get("dialogs.started." + second)).isLessThanOrEqualTo(startedOnSecond + 2);
            assertThat(events).extracting(e -> e.state() + " " + e.backend().id())
                    .contains("added " + third, "removed " + first, "draining " + second, "drained " + second);
            assertThat(http("DELETE", base + "/nobody:1", null)).isEqualTo(404);
        } finally {
            for (Process p : servers) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"uac", "uac-routes"})
    void callsOverTcpFromTheCallerAllSucceedWithUdpBackends(String scenario) throws Exception {
        Peers.require(SIPP, "sip-tester");
        int uas1 = Processes.freeUdpPort();
        int uas2 = Processes.freeUdpPort();
        Path file = Processes.resource(dir, "/sipp/uac-routes.xml");
        List<String> uas = scenario.equals("uac") ? List.of("-sn", "uas")
                : List.of("-sf", Processes.resource(dir, "/sipp/uas-routes.xml").toString());
        List<Process> servers = new ArrayList<>();
        for (int port : new int[]{uas1, uas2}) {
            List<String> args = new ArrayList<>(uas);
            args.addAll(List.of("-aa", "-i", "127.0.0.1", "-p", Integer.toString(port)));
            servers.add(sipp("uas" + port, args.toArray(String[]::new)));
        }
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(
                new Backend(new InetSocketAddress("127.0.0.1", uas1), 1),
                new Backend(new InetSocketAddress("127.0.0.1", uas2), 1)), c -> { })) {
            List<String> how = scenario.equals("uac") ? List.of("-sn", "uac") : List.of("-sf", file.toString());
            List<String> args = new ArrayList<>(how);
            args.addAll(List.of("127.0.0.1:" + edge.address().getPort(), "-t", "t1", "-i", "127.0.0.1", "-p",
                    Integer.toString(Processes.freeUdpPort()), "-m", "100", "-r", "50", "-d", "200", "-timeout", "60s", "-timeout_error"));
            Process uac = sipp("uac", args.toArray(String[]::new));
            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.activeDialogs() == 0);
            assertThat(edge.counters()).containsEntry("dialogs.started", 100L).containsEntry("dialogs.ended", 100L)
                    .containsEntry("tcp.accepted", 1L).doesNotContainKeys("errors", "tcp.errors", "dropped.connection_gone");
        } finally {
            for (Process p : servers) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void defaultUacCallsThroughTheEdgeAllSucceedAndSpreadOverBothBackendsWithDialogAffinity() throws Exception {
        Peers.require(SIPP, "sip-tester");
        int uas1 = Processes.freeUdpPort();
        int uas2 = Processes.freeUdpPort();
        List<Process> servers = List.of(
                sipp("uas1", "-sn", "uas", "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas1)),
                sipp("uas2", "-sn", "uas", "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas2)));
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(
                new Backend(new InetSocketAddress("127.0.0.1", uas1), 1),
                new Backend(new InetSocketAddress("127.0.0.1", uas2), 1)), c -> { })) {
            int port = edge.address().getPort();
            Process uac = sipp("uac", "-sn", "uac", "127.0.0.1:" + port, "-i", "127.0.0.1", "-p", Integer.toString(Processes.freeUdpPort()),
                    "-m", "200", "-r", "100", "-d", "100", "-timeout", "60s", "-timeout_error");
            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.activeDialogs() == 0);
            var counters = edge.counters();
            assertThat(counters).containsEntry("dialogs.started", 200L).containsEntry("dialogs.ended", 200L);
            assertThat(counters.get("dialogs.started.127.0.0.1:" + uas1)).isBetween(60L, 140L);
            assertThat(counters.get("dialogs.started.127.0.0.1:" + uas2)).isBetween(60L, 140L);
            assertThat(counters).doesNotContainKeys("errors", "dropped.not_our_via", "backend.down");
            assertThat(counters.get("probe.answers")).isPositive();
            for (Backend b : edge.backends()) {
                long dialogs = counters.get("dialogs.started." + b.id());
                assertThat(b.requests()).as("INVITE and BYE of each call").isGreaterThanOrEqualTo(2 * dialogs);
                assertThat(b.finalAnswers()).isGreaterThanOrEqualTo(2 * dialogs).isLessThanOrEqualTo(b.requests());
                assertThat(b.errorAnswers()).isZero();
            }
        } finally {
            for (Process p : servers) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
