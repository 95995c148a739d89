package dev.d2r2.app;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.tunnel.probe.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 tunnel}: keygen, pubkey, bad configurations (an EN's, an ESR's) reported at file:line:col, and probe against echo on loopback. */
class TunnelCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @Test
    void keygenWritesAnOwnerOnlyKeyOfSixtyFourHexDigits() throws Exception {
        Path key = dir.resolve("tunnel.key");
        assertThat(Main.commandLine().execute("tunnel", "keygen", key.toString())).isZero();
        assertThat(Files.readString(key).strip()).matches("[0-9a-f]{64}");
        assertThat(Files.getPosixFilePermissions(key).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    @Test
    void pubkeyPrintsAnIdentitysTunnelPublicKeyTheSameEachTime() throws Exception {
        KeyPair pair = Crypto.newSigningKeyPair();
        Path identity = dir.resolve("dn1.identity");
        new IdentityFile("dn1", Crypto.randomBytes(32), pair.getPrivate(), pair.getPublic(), "", "").save(identity);
        assertThat(Main.commandLine().execute("tunnel", "pubkey", "--identity", identity.toString())).isZero();
        assertThat(Main.commandLine().execute("tunnel", "pubkey", "--identity", identity.toString())).isZero();
        String[] lines = console.out().strip().split("\n");
        assertThat(lines).hasSize(2).allMatch(l -> l.matches("[0-9a-f]{64}"));
        assertThat(lines[0]).isEqualTo(lines[1]);

        assertThat(Main.commandLine().execute("tunnel", "pubkey", "--identity", dir.resolve("none.identity").toString())).isNotZero();
    }

    @Test
    void aBadConfigurationExitsWithTwoAndSaysWhere() throws Exception {
        Path config = Files.writeString(dir.resolve("en.yaml"), """
                name: en1
                tunnel: 1
                key: tunnel.key
                device: d2r2-tun-x
                dns:
                  - {name: dn1, address: 10.1.1.2:4789}
                  - {name: dn2, address: 10.1.2.2:4789}
                colour: blue
                """);
        assertThat(Main.commandLine().execute("tunnel", "en", "--config", config.toString())).isEqualTo(2);
        assertThat(console.err()).contains("en.yaml:8:1").contains("unknown key \"colour\"");
    }

    @Test
    void anEsrWithABadNextHopExitsWithTwoBeforeTouchingAnyRoute() throws Exception {
        Path config = Files.writeString(dir.resolve("esr.yaml"), """
                name: esr1
                tunnel: 901
                identity: esr1.identity
                dns:
                  - {name: dn1, via: 10.3.1.300}
                """);
        assertThat(Main.commandLine().execute("tunnel", "esr", "--config", config.toString())).isEqualTo(2);
        assertThat(console.err()).contains("esr.yaml:5:");
    }

    @Test
    void theProbeCountsEveryEchoAndReportsNoGap() throws Exception {
        try (EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0))) {
            int code = Main.commandLine().execute("tunnel", "probe", "--to", "127.0.0.1:" + echo.address().getPort(),
                    "--rate", "1000", "--count", "200", "--linger", "300ms");
            assertThat(code).isZero();
            assertThat(console.out()).contains("sent 200 received 200").doesNotContain("gap ");
        }
    }
}
