package dev.d2r2.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code d2r2 p2psip enrol|as|cert}: enrol a user, run the server on loopback, fetch certificates, see a refusal counted. */
class P2psipCliTest {
    private static final Pattern STARTED = Pattern.compile("p2psip as on (\\S+) for 1 users, key ([0-9a-f]{64})");

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @Test
    void enrolsRunsTheServerAndFetchesCertificates() throws Exception {
        Path users = dir.resolve("users");
        assertThat(Main.commandLine().execute("p2psip", "enrol", "--users", users.toString(), "alice")).isZero();
        String secret = console.out().strip();
        assertThat(secret).matches("[0-9a-f]{64}");
        Files.writeString(dir.resolve("alice.secret"), secret + "\n");
        Files.writeString(dir.resolve("wrong.secret"), "00".repeat(32) + "\n");
        assertThat(Main.commandLine().execute("p2psip", "enrol", "--users", users.toString(), "alice")).isEqualTo(2);
        assertThat(console.err()).contains("already enrolled");

        CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> Main.commandLine().execute("p2psip", "as",
                "--users", users.toString(), "--key", dir.resolve("as.key").toString(), "--listen", "127.0.0.1:0",
                "--status-every", "1s", "--count", "10", "--print"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> STARTED.matcher(console.out()).find());
        Matcher m = STARTED.matcher(console.out());
        assertThat(m.find()).isTrue();

        assertThat(Main.commandLine().execute("p2psip", "cert", "--as", m.group(1), "--as-key", m.group(2), "--user", "alice",
                "--secret-file", dir.resolve("alice.secret").toString(), "--kind", "FORWARDING", "--count", "3",
                "--out", dir.resolve("certs").toString())).isZero();
        assertThat(console.out()).containsPattern("FORWARDING [0-9a-f]{16}… serial [0-9a-f]+ \\[\\d+, \\d+\\) node [0-9a-f]{40}");
        assertThat(Files.readString(dir.resolve("certs/forwarding-3.cert")).strip()).matches("[0-9a-f]+");
        assertThat(dir.resolve("certs/forwarding-3.key")).exists();

        assertThat(Main.commandLine().execute("p2psip", "cert", "--as", m.group(1), "--as-key", m.group(2), "--user", "alice",
                "--secret-file", dir.resolve("wrong.secret").toString(), "--out", dir.resolve("other").toString())).isEqualTo(2);
        assertThat(console.err()).contains("BAD_MAC: unknown user or wrong secret");
        assertThat(Main.commandLine().execute("p2psip", "cert", "--as", m.group(1), "--as-key", m.group(2), "--user", "alice",
                "--secret-file", dir.resolve("alice.secret").toString(), "--kind", "IDENTITY", "--count", "2",
                "--out", dir.resolve("other").toString())).isEqualTo(2);

        assertThat(server.get(30, TimeUnit.SECONDS)).isZero();
        String[] lines = console.out().strip().split("\n");
        assertThat(lines[lines.length - 1]).startsWith("{\"type\":\"p2psip.as.status\"").contains("\"issued\":3", "\"badMac\":1",
                "\"requests\":2");
    }
}
