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

/** {@code d2r2 cosip}: bad roster, keypair and provider key are one line naming where, exit code 2; so are contradicting options. */
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
        return cosip(keypair, "--roster", roster.toString());
    }

    private int cosip(Path keypair, String... trust) {
        List<String> args = new ArrayList<>(List.of("cosip", "--listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0", "--server",
                "127.0.0.1:9", "--domain", "example.org", "--dht", "127.0.0.1:9", "--network-key", key.toString(), "--keypair", keypair.toString()));
        args.addAll(List.of(trust));
        return Main.commandLine().execute(args.toArray(String[]::new));
    }

    @Test
    void theProvidersKeyOrARosterOneOfThem() throws Exception {
        Path keypair = dir.resolve("alice.id");
        Path roster = Files.writeString(dir.resolve("roster.txt"), "");
        assertThat(cosip(keypair)).isEqualTo(2);
        assertThat(console.err()).contains("give --provider-key (credentials from the provider) or --roster, one of them");
        assertThat(cosip(keypair, "--roster", roster.toString(), "--provider-key", "ab".repeat(32))).isEqualTo(2);
        assertThat(cosip(keypair, "--provider-key", "ab".repeat(31) + "xy")).isEqualTo(2);
        assertThat(console.err()).contains("--provider-key:1:63: 'x' is not a hex digit");
    }

    @Test
    void theSipServersCredentialOptionsGoTogether() {
        assertThat(Main.commandLine().execute("sip-server", "--listen", "127.0.0.1:0", "--cosip-domain", "example.org")).isEqualTo(2);
        assertThat(console.err()).contains("--cosip-keypair and --cosip-domain go together");
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
