package dev.d2r2.app;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 cosip}: bad roster and keypair files are one line naming file:line:col, exit code 2. */
class CosipCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;
    Path key;

    @BeforeEach
    void start() {
        key = dir.resolve("net.key");
        assertThat(Main.commandLine().execute("overlay", "keygen", key.toString())).isZero();
    }

    private int cosip(Path keypair, Path roster) {
        return Main.commandLine().execute("cosip", "--listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0", "--server", "127.0.0.1:9",
                "--domain", "example.org", "--dht", "127.0.0.1:9", "--network-key", key.toString(), "--keypair", keypair.toString(),
                "--roster", roster.toString());
    }

    @Test
    void aBadRosterLineIsNamedAndTheKeypairIsCreated() throws Exception {
        Path roster = Files.writeString(dir.resolve("roster.txt"), "sip:alice@example.org " + "ab".repeat(32) + "\nbob nothex\n");
        Path keypair = dir.resolve("alice.id");
        assertThat(cosip(keypair, roster)).isEqualTo(2);
        assertThat(console.err()).contains(roster + ":2:1: expected 'sip:user@domain");
        assertThat(Files.readAllLines(keypair)).hasSize(2).last().asString().startsWith("public ");
    }

    @Test
    void aBadKeypairFileIsNamed() throws Exception {
        Path roster = Files.writeString(dir.resolve("roster.txt"), "");
        Path keypair = Files.writeString(dir.resolve("bad.id"), "not a key\n");
        assertThat(cosip(keypair, roster)).isEqualTo(2);
        assertThat(console.err()).contains(keypair + ":1:1:");
    }
}
