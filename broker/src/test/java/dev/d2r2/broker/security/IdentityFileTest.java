package dev.d2r2.broker.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityFileTest {
    private static final String CERT_A = "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n";
    private static final String CERT_B = "-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    private final KeyPair keys = Crypto.newSigningKeyPair();
    private final IdentityFile single = new IdentityFile("probe", Crypto.randomBytes(32), keys.getPrivate(), keys.getPublic(),
            "127.0.0.1:7100", CERT_A);

    @Test
    void aFileWithOneBrokerIsWrittenAndReadAsBeforeReplicas() throws Exception {
        Path f = dir.resolve("probe.identity");
        single.save(f);
        assertThat(Files.readString(f)).doesNotContain("replicas");
        IdentityFile back = IdentityFile.load(f);
        assertThat(back.broker()).isEqualTo("127.0.0.1:7100");
        assertThat(back.replicas()).containsExactly(new BrokerReplica("127.0.0.1:7100", CERT_A));
        assertThat(back.secret()).isEqualTo(single.secret());
        assertThat(back.publicKey()).isEqualTo(single.publicKey());
    }

    @Test
    void replicasAreKeptInOrderAndTheFirstIsTheBrokerOlderClientsRead() throws Exception {
        Path f = dir.resolve("cluster.identity");
        IdentityFile two = single.plusReplicas(List.of(new BrokerReplica("127.0.0.1:7200", CERT_B),
                new BrokerReplica("127.0.0.1:7100", CERT_B)));
        two.save(f);
        IdentityFile back = IdentityFile.load(f);
        assertThat(back.replicas()).containsExactly(new BrokerReplica("127.0.0.1:7100", CERT_A),
                new BrokerReplica("127.0.0.1:7200", CERT_B));
        assertThat(back.broker()).isEqualTo("127.0.0.1:7100");
        assertThat(back.brokerCertificatePem()).isEqualTo(CERT_A);
        assertThat(back.withBroker("127.0.0.1:7200", CERT_B).replicas()).extracting(BrokerReplica::address)
                .containsExactly("127.0.0.1:7200", "127.0.0.1:7100");
        assertThat(back.replicasAt(List.of("127.0.0.1:7200", "127.0.0.1:9999")))
                .containsExactly(new BrokerReplica("127.0.0.1:7200", CERT_B), new BrokerReplica("127.0.0.1:9999", CERT_A));
    }

    @Test
    void badFilesAreReportedAtTheirLineAndColumn() throws Exception {
        String good = """
                {
                  "name" : "probe",
                  "secret" : "%s",
                  "signingKey" : "%s",
                  "publicKey" : "%s",
                  "broker" : "127.0.0.1:7100",
                  "brokerCertificate" : "x"%s
                }
                """;
        Base64.Encoder b64 = Base64.getEncoder();
        String secret = b64.encodeToString(single.secret());
        String signing = b64.encodeToString(keys.getPrivate().getEncoded());
        String pub = b64.encodeToString(keys.getPublic().getEncoded());

        assertThat(load(good.formatted(secret, signing, pub, "")).name()).isEqualTo("probe");
        assertThatThrownBy(() -> load(good.formatted("not base64!", signing, pub, "")))
                .hasMessageMatching(".*bad.identity:3:\\d+: key secret: not base64.*");
        assertThatThrownBy(() -> load(good.formatted(secret, signing, "AAAA", "")))
                .hasMessageMatching(".*bad.identity:5:\\d+: key publicKey: not a key.*");
        assertThatThrownBy(() -> load(good.formatted(secret, signing, pub, ",\n  \"colour\" : \"red\"")))
                .hasMessageMatching(".*bad.identity:8:\\d+:.*unknown key \"colour\".*");
        assertThatThrownBy(() -> load(good.formatted(secret, signing, pub,
                ",\n  \"replicas\" : [ {\"address\": \"127.0.0.1:7100\", \"certificate\": \"x\"},\n"
                        + "    {\"address\": \"nowhere\", \"certificate\": \"y\"} ]")))
                .hasMessageMatching(".*bad.identity:9:\\d+: key replicas\\[1]\\.address: .*HOST:PORT.*");
        assertThatThrownBy(() -> load(good.formatted(secret, signing, pub,
                ",\n  \"replicas\" : [ {\"address\": \"127.0.0.1:7200\", \"certificate\": \"x\"} ]")))
                .hasMessageMatching(".*bad.identity:6:\\d+: key broker: .*not the first of the replicas.*");
        assertThatThrownBy(() -> load("{ \"name\": \"probe\" }"))
                .hasMessageMatching(".*bad.identity:1:\\d+:.*lacks \"secret\".*");
    }

    private IdentityFile load(String text) throws Exception {
        Path f = dir.resolve("bad.identity");
        Files.writeString(f, text);
        return IdentityFile.load(f);
    }
}
