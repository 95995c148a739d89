package dev.d2r2.app;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 takeover --dns-*}: mistakes are refused before the member starts, each with its reason. */
class TakeoverDnsCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("group.key"), "00".repeat(32));
        Files.writeString(dir.resolve("dns.key"), "hmac-sha256:takeover:c2VjcmV0\n");
        for (String role : List.of("master", "witness")) {
            Files.writeString(dir.resolve(role + ".yaml"), """
                    name: %1$s
                    role: %1$s
                    listen: 127.0.0.1:7400
                    keyFile: group.key
                    peers:
                      - name: a
                        address: 127.0.0.1:7401
                      - name: b
                        address: 127.0.0.1:7402
                    """.formatted(role) + (role.equals("master") ? "address: 10.0.0.100/24\ninterface: lo\n" : ""));
        }
    }

    private int run(String role, String... more) {
        List<String> args = new ArrayList<>(List.of("takeover", "--config", dir.resolve(role + ".yaml").toString(),
                "--dns-server", "127.0.0.1:53", "--dns-zone", "example.net", "--dns-key", dir.resolve("dns.key").toString()));
        args.addAll(List.of(more));
        return Main.commandLine().execute(args.toArray(String[]::new));
    }

    private String err() {
        return console.err();
    }

    @Test
    void aWitnessTakesNoDnsOptions() {
        assertThat(run("witness", "--dns-name", "svc.example.net")).isEqualTo(2);
        assertThat(err()).contains("a witness never holds the service: remove the --dns-* options");
    }

    @Test
    void theDnsOptionsGoTogether() {
        assertThat(run("master")).isEqualTo(2);
        assertThat(err()).contains("--dns-name");
    }

    @Test
    void aNameOutsideTheZoneIsRefused() {
        assertThat(run("master", "--dns-name", "svc.example.org")).isEqualTo(2);
        assertThat(err()).contains("svc.example.org is not in the zone");
    }

    @Test
    void aWildcardAddressCannotBeTheName() {
        assertThat(run("master", "--dns-name", "svc.example.net", "--dns-address", "0.0.0.0")).isEqualTo(2);
        assertThat(err()).contains("needs this member's own IPv4 address, not 0.0.0.0");
    }

    @Test
    void aBadKeyFileIsRefusedAtItsLine() throws Exception {
        Files.writeString(dir.resolve("dns.key"), "# a comment\nnot a key\n");
        assertThat(run("master", "--dns-name", "svc.example.net")).isEqualTo(2);
        assertThat(err()).contains(dir.resolve("dns.key") + ":2:1: expected hmac-sha256:NAME:SECRET");
    }
}
