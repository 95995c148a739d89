package dev.d2r2.app;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import dev.d2r2.cosip.Credential;

import java.util.ArrayList;
import java.util.HexFormat;
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
    void anOfflineCredentialIsCheckedAtStart() throws Exception {
        Path provider = dir.resolve("provider.id");
        Path alice = dir.resolve("alice.id");
        assertThat(cosip(provider)).as("creates the keypair, then wants --roster or --provider-key").isEqualTo(2);
        assertThat(cosip(alice)).isEqualTo(2);
        String aliceKey = Files.readAllLines(alice).get(1).substring(7);
        String providerKey = Files.readAllLines(provider).get(1).substring(7);

        console.clear();
        assertThat(Main.commandLine().execute("cosip-credential", "--provider-keypair", provider.toString(), "--domain", "example.org",
                "--user", "alice", "--key", aliceKey, "--ttl", "2h")).isZero();
        Path credential = Files.writeString(dir.resolve("alice.cred"), console.out());
        Credential.Checked c = Credential.check(console.out().strip(), HexFormat.of().parseHex(providerKey), "sip:alice@example.org",
                System.currentTimeMillis());
        assertThat(c.verdict()).isEqualTo(Credential.Verdict.OK);
        assertThat(c.key()).isEqualTo(HexFormat.of().parseHex(aliceKey));

        assertThat(cosip(dir.resolve("bob.id"), "--provider-key", providerKey, "--credential", credential.toString())).isEqualTo(2);
        assertThat(console.err()).contains(credential + ": the credential is for another key than --keypair's");
        assertThat(cosip(alice, "--provider-key", aliceKey, "--credential", credential.toString())).isEqualTo(2);
        assertThat(console.err()).contains(credential + ": the credential is forged");
        Path junk = Files.writeString(dir.resolve("junk.cred"), "no credential\n");
        assertThat(cosip(alice, "--provider-key", providerKey, "--credential", junk.toString())).isEqualTo(2);
        assertThat(console.err()).contains(junk + ": not a CoSIP credential");
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

    @Test
    void theIssuerNamesABadRevocationsFileAndRefusesAnAddressBeyondLoopbackUnlessTold() throws Exception {
        Path revoked = Files.writeString(dir.resolve("revoked.txt"), "carol 12\nmallory soon\n");
        List<String> base = List.of("cosip-issuer", "--token-file", dir.resolve("issuer.token").toString(), "--provider-keypair",
                dir.resolve("provider.id").toString(), "--domain", "example.org", "--dht", "127.0.0.1:9", "--network-key", key.toString());
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of("--listen", "127.0.0.1:0", "--revocations", revoked.toString()));
        assertThat(Main.commandLine().execute(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(console.err()).contains(revoked + ":2:1: expected 'user epoch-millis'");
        args = new ArrayList<>(base);
        args.addAll(List.of("--listen", "192.0.2.1:8470"));
        assertThat(Main.commandLine().execute(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(console.err()).contains("--listen 192.0.2.1:8470 is not loopback (add --beyond-loopback to mean it)");
    }
}
