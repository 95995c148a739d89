package dev.d2r2.policy;

import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.actuator.ActuatorException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.policy.actuator.ActuatorKinds;
import dev.d2r2.policy.config.ActuatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook actuator against a real HTTP server; the command actuator running real programs. */
class ActuatorsTest {
    private static final Action BLOCK = new Action("edge/block/192.0.2.1?rate=5/s", "edge", "block", "192.0.2.1",
            Map.of("rate", "5/s"), 1_700_000_600_000L);
    private HttpServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static Actuator create(String yaml) throws Exception {
        ActuatorConfig c = ConfigLoader.parse("actuator.yaml", yaml, ActuatorConfig.class);
        ActuatorKinds.of(c.kind()).validate(c);
        return ActuatorKinds.of(c.kind()).create("edge", c);
    }

    @Test
    void theWebhookPostsEachCallAsJsonAndReadsTheStatus() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger status = new AtomicInteger(200);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            bodies.add(ex.getRequestHeaders().getFirst("X-Token") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = status.get() == 200 ? new byte[0] : "no such edge\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.get(), answer.length == 0 ? -1 : answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        try (Actuator hook = create("{ kind: webhook, url: \"" + url + "\", headers: { X-Token: s3cret }, timeout: 2s }")) {
            hook.deploy(BLOCK);
            hook.revoke(BLOCK);
            assertThat(bodies).containsExactly(
                    "s3cret {\"call\":\"deploy\",\"id\":\"edge/block/192.0.2.1?rate=5/s\",\"actuator\":\"edge\",\"op\":\"block\","
                            + "\"target\":\"192.0.2.1\",\"params\":{\"rate\":\"5/s\"},\"expires\":1700000600000}",
                    "s3cret {\"call\":\"revoke\",\"id\":\"edge/block/192.0.2.1?rate=5/s\",\"actuator\":\"edge\",\"op\":\"block\","
                            + "\"target\":\"192.0.2.1\",\"params\":{\"rate\":\"5/s\"},\"expires\":1700000600000}");
            status.set(409);
            assertThatThrownBy(() -> hook.deploy(BLOCK)).isInstanceOfSatisfying(ActuatorException.class,
                    e -> assertThat(e.refused()).isTrue()).hasMessage(url + " answered 409: no such edge");
            status.set(503);
            assertThatThrownBy(() -> hook.deploy(BLOCK)).isInstanceOfSatisfying(ActuatorException.class,
                    e -> assertThat(e.refused()).isFalse());
        }
        server.stop(0);
        server = null;
        try (Actuator hook = create("{ kind: webhook, url: \"" + url + "\", timeout: 1s }")) {
            assertThatThrownBy(() -> hook.deploy(BLOCK)).isInstanceOfSatisfying(ActuatorException.class,
                    e -> assertThat(e.refused()).isFalse()).hasMessageStartingWith(url + ": ");
        }
    }

    @Test
    void withATokenFileTheWebhookSendsTheTokenReadAtEachCall() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/actions", ex -> {
            seen.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        Path token = dir.resolve("edge-api.token");
        Files.writeString(token, "first-token-0123456789\n");
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/actions";
        try (Actuator hook = create("{ kind: webhook, url: \"" + url + "\", token-file: \"" + token + "\", timeout: 2s }")) {
            hook.deploy(BLOCK);
            Files.writeString(token, "  rotated-token-0123456789  \nignored\n");
            hook.revoke(BLOCK);
            Files.delete(token);
            assertThatThrownBy(() -> hook.deploy(BLOCK)).isInstanceOfSatisfying(ActuatorException.class,
                    e -> assertThat(e.refused()).isFalse()).hasMessageContaining("cannot read the token-file " + token);
            Files.writeString(token, "\n");
            assertThatThrownBy(() -> hook.deploy(BLOCK)).isInstanceOfSatisfying(ActuatorException.class,
                    e -> assertThat(e.refused()).isFalse()).hasMessageContaining("holds no token");
        }
        assertThat(seen).containsExactly("Bearer first-token-0123456789", "Bearer rotated-token-0123456789");
    }

    @Test
    void aTokenIsNeverSentInClearOffTheMachineNorTwice() throws Exception {
        assertThatThrownBy(() -> create("{ kind: webhook, url: \"http://edge.example.com:8090/actions\", token-file: t }"))
                .hasMessage("a token would cross the network in clear: use https, or http to a loopback host");
        assertThatThrownBy(() -> create("{ kind: webhook, url: \"http://10.0.0.5:8090/actions\", token-file: t }"))
                .hasMessageContaining("in clear");
        assertThatThrownBy(() -> create("{ kind: webhook, url: \"http://127.0.0.1:8090/a\", token-file: t, headers: { authorization: x } }"))
                .hasMessage("give the token in token-file or an Authorization header, not both");
        for (String ok : List.of("https://edge.example.com/actions", "http://127.0.0.2:8090/a", "http://[::1]:8090/a", "http://localhost:1/a")) {
            assertThat(ConfigLoader.parse("a.yaml", "{ kind: webhook, url: \"" + ok + "\", token-file: t }", ActuatorConfig.class))
                    .satisfies(c -> ActuatorKinds.of(c.kind()).validate(c));
        }
    }

    @Test
    void aRelativeTokenFileIsTakenFromThePolicyFilesDirectory() throws Exception {
        Path policyFile = dir.resolve("sub/policy.yaml");
        Files.createDirectories(policyFile.getParent());
        Files.writeString(policyFile, """
                organizations: { o: {} }
                actuators:
                  edge: { kind: webhook, url: "http://127.0.0.1:1/actions", token-file: edge-api.token }
                """);
        assertThat(Policy.load(policyFile).actuators().get("edge").tokenFile())
                .isEqualTo(dir.resolve("sub/edge-api.token").toAbsolutePath().toString());
    }

    @Test
    void theCommandGetsTheActionInItsArgumentsEnvironmentAndStdin() throws Exception {
        Path out = dir.resolve("out.txt");
        Path script = dir.resolve("fw.sh");
        Files.writeString(script, """
                #!/bin/sh
                printf '%s %s %s %s|' "$1" "$2" "$D2R2_TARGET" "$D2R2_PARAM_RATE" >> "$OUT"
                cat >> "$OUT"
                echo >> "$OUT"
                case "$D2R2_TARGET" in
                  refuse*) echo "not mine" >&2; exit 2 ;;
                  fail*) echo "table full" >&2; exit 1 ;;
                  slow*) sleep 5 ;;
                esac
                """.replace("$OUT", out.toString()));
        Actuator fw = create("{ kind: command, command: [/bin/sh, \"" + script + "\", \"${call}\", \"${op}\"], timeout: 1s }");
        fw.deploy(BLOCK);
        fw.revoke(BLOCK);
        assertThat(Files.readAllLines(out)).containsExactly(
                "deploy block 192.0.2.1 5/s|{\"call\":\"deploy\",\"id\":\"edge/block/192.0.2.1?rate=5/s\",\"actuator\":\"edge\","
                        + "\"op\":\"block\",\"target\":\"192.0.2.1\",\"params\":{\"rate\":\"5/s\"},\"expires\":1700000600000}",
                "revoke block 192.0.2.1 5/s|{\"call\":\"revoke\",\"id\":\"edge/block/192.0.2.1?rate=5/s\",\"actuator\":\"edge\","
                        + "\"op\":\"block\",\"target\":\"192.0.2.1\",\"params\":{\"rate\":\"5/s\"},\"expires\":1700000600000}");
        assertThatThrownBy(() -> fw.deploy(target("refuse-me"))).isInstanceOfSatisfying(ActuatorException.class,
                e -> assertThat(e.refused()).isTrue()).hasMessage("/bin/sh exited with 2: not mine");
        assertThatThrownBy(() -> fw.deploy(target("fail-me"))).isInstanceOfSatisfying(ActuatorException.class,
                e -> assertThat(e.refused()).isFalse()).hasMessage("/bin/sh exited with 1: table full");
        assertThatThrownBy(() -> fw.deploy(target("slow-me"))).isInstanceOfSatisfying(ActuatorException.class,
                e -> assertThat(e.refused()).isFalse()).hasMessage("/bin/sh did not finish within 1000 ms");
    }

    private static Action target(String t) {
        return new Action("edge/block/" + t, "edge", "block", t, Map.of(), 0);
    }

    @Test
    void optionsOfAnotherKindAreRefused() {
        assertThatThrownBy(() -> create("{ kind: log, url: \"http://x\" }"))
                .hasMessage("url, headers and token-file are for webhook actuators, not log");
        assertThatThrownBy(() -> create("{ kind: command, command: [/bin/true], token-file: t }"))
                .hasMessage("url, headers and token-file are for webhook actuators, not command");
        assertThatThrownBy(() -> create("{ kind: command, command: [\"${who}\"] }"))
                .hasMessageContaining("uses ${who}, which is not defined here");
        assertThatThrownBy(() -> create("{ kind: webhook, url: \"ftp://x/y\" }"))
                .hasMessage("a webhook url is http:// or https:// with a host: ftp://x/y");
    }
}
