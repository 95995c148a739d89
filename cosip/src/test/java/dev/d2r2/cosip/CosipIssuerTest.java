package dev.d2r2.cosip;

import dev.d2r2.core.Clock;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.node.OverlayNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The issuer's HTTP side and the revocation list, without Kamailio. */
class CosipIssuerTest {
    private static final long HOUR = 3600_000;
    private static final String TOKEN = "a-token-of-enough-length";
    private final Identity provider = Identity.generate();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void itIssuesACheckableCredentialAndRefusesBadRequests() throws Exception {
        try (OverlayNode node = node(); CosipIssuer issuer = issuer(node, null)) {
            String url = "http://127.0.0.1:" + issuer.address().getPort();
            String key = "ab".repeat(32);
            HttpResponse<String> ok = post(url + "/credential", TOKEN, "user=alice&key=" + key);
            assertThat(ok.statusCode()).isEqualTo(200);
            Credential.Checked c = Credential.check(ok.body().strip(), provider.publicKey(), "sip:alice@example.org", System.currentTimeMillis());
            assertThat(c.verdict()).isEqualTo(Credential.Verdict.OK);

            assertThat(post(url + "/credential", null, "user=alice&key=" + key).statusCode()).isEqualTo(401);
            assertThat(post(url + "/credential", "another-token-of-length", "user=alice&key=" + key).statusCode()).isEqualTo(401);
            assertThat(post(url + "/credential", TOKEN, "user=alice&key=abc").statusCode()).isEqualTo(400);
            assertThat(post(url + "/credential", TOKEN, "user=al%20ice&key=" + key).statusCode()).as("a space in the user").isEqualTo(400);
            assertThat(post(url + "/credential", TOKEN, "junk").statusCode()).isEqualTo(400);
            assertThat(post(url + "/credential", TOKEN, "user=" + "a".repeat(2000)).statusCode()).isEqualTo(413);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/credential")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
            assertThat(issuer.counters().get(5, TimeUnit.SECONDS)).containsEntry("issued", 1L).containsEntry("refused.malformed", 2L)
                    .containsEntry("refused.unauthenticated", 2L);
        }
    }

    @Test
    void revocationsAreKeptInTheirFileAndABadFileIsNamedByLine() throws Exception {
        Path file = dir.resolve("revoked.txt");
        try (OverlayNode node = node(); CosipIssuer issuer = issuer(node, file)) {
            String url = "http://127.0.0.1:" + issuer.address().getPort();
            assertThat(post(url + "/revoke", TOKEN, "user=carol").statusCode()).as("no other DHT node takes the list").isEqualTo(503);
            assertThat(post(url + "/credential", TOKEN, "user=carol&key=" + "ab".repeat(32)).statusCode()).isEqualTo(403);
            assertThat(post(url + "/revocations", TOKEN, "").body()).startsWith("carol ");
        }
        try (OverlayNode node = node(); CosipIssuer again = issuer(node, file)) {
            String url = "http://127.0.0.1:" + again.address().getPort();
            assertThat(post(url + "/credential", TOKEN, "user=carol&key=" + "ab".repeat(32)).statusCode()).as("still revoked after a restart")
                    .isEqualTo(403);
        }
        Files.writeString(file, "carol 12\nmallory soon\n");
        try (OverlayNode node = node()) {
            assertThatThrownBy(() -> issuer(node, file)).isInstanceOf(IOException.class).hasMessage(file + ":2:1: expected 'user epoch-millis'");
        }
    }

    @Test
    void aListRevokesOnlyCredentialsIssuedUpToItsTimeAndOnlyTheProvidersListCounts() {
        long now = System.currentTimeMillis();
        Revocations list = Revocations.none().with("carol", now, HOUR);
        SignedValue signed = list.sign(provider, "example.org");
        Revocations read = Revocations.from(signed, provider.publicKey(), "example.org");
        SignedValue before = Credential.issue(provider, "sip:carol@example.org", new byte[32], now - 1, HOUR);
        SignedValue after = Credential.issue(provider, "sip:carol@example.org", new byte[32], now + 1, HOUR);
        SignedValue alices = Credential.issue(provider, "sip:alice@example.org", new byte[32], now - 1, HOUR);
        assertThat(read.revokes(before)).isTrue();
        assertThat(read.revokes(after)).isFalse();
        assertThat(read.revokes(alices)).isFalse();
        assertThat(Revocations.from(list.sign(Identity.generate(), "example.org"), provider.publicKey(), "example.org"))
                .as("another key's list").isNull();
        assertThat(Revocations.from(signed, provider.publicKey(), "example.com")).as("another domain's").isNull();
        ByteBuffer bytes = ByteBuffer.allocate(signed.encodedSize());
        signed.write(bytes);
        String text = new String(bytes.array(), StandardCharsets.ISO_8859_1);
        byte[] tampered = text.replace("carol ", "caryl ").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Revocations.from(SignedValue.read(ByteBuffer.wrap(tampered)), provider.publicKey(), "example.org")).as("tampered").isNull();

        assertThat(list.with("dave", now + 2 * HOUR, HOUR).entries()).as("carol's entry voids only expired credentials now")
                .isEqualTo(Map.of("dave", now + 2 * HOUR));
        Revocations full = Revocations.none();
        int users = 0;
        while (full != null) {
            full = full.with("user-with-a-long-name-" + users++, now, HOUR);
        }
        assertThat(users).as("a list stays within a DHT value").isBetween(10, SignedValue.MAX_DATA / 20);
    }

    private OverlayNode node() throws IOException {
        return OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress("127.0.0.1", 0), List.of(), new byte[32], KadConfig.defaults(),
                Duration.ofSeconds(30)), Clock.system());
    }

    private CosipIssuer issuer(OverlayNode node, Path revocations) throws IOException {
        return CosipIssuer.start(new CosipIssuer.Settings(new InetSocketAddress("127.0.0.1", 0), "example.org", Duration.ofHours(1), revocations),
                provider, BearerToken.of(TOKEN), node, e -> { }, Clock.system());
    }

    private HttpResponse<String> post(String url, String token, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(form));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
