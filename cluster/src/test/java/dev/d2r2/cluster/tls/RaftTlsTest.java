package dev.d2r2.cluster.tls;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.ClusterTls;
import dev.d2r2.cluster.config.Replica;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading a replica's Raft TLS: every bad file stops it at start with {@code file:line: why}. */
class RaftTlsTest {
    @TempDir
    Path dir;
    ClusterCa ca;
    ClusterFile cluster;
    Path key;

    @BeforeEach
    void makeCa() throws IOException {
        ca = ClusterCa.loadOrCreate(dir, "unit", Duration.ofDays(1));
        key = ca.issue("b1", Optional.of("127.0.0.1"), Duration.ofDays(1));
        String publicKey = Base64.getEncoder().encodeToString(Crypto.newSigningKeyPair().getPublic().getEncoded());
        cluster = new ClusterFile("unit", 0, List.of(new Replica("b1", "127.0.0.1:7300", publicKey)),
                new ClusterTls(ca.certificateFile().toString()));
    }

    @Test
    void aKeyFileTheCaIssuedLoadsAndNamesItsHost() throws IOException {
        RaftTls tls = RaftTls.load(cluster, key);
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.toString()).isEqualTo("TLS as CN=b1");
        tls.checkServes("127.0.0.1");
        assertThatThrownBy(() -> tls.checkServes("10.0.0.1")).hasMessage(key
                + ": the certificate names [127.0.0.1], not 10.0.0.1, this replica's Raft host (make one for this address"
                + " with `d2r2 cluster certs`)");
    }

    @Test
    void aClusterFileWithoutTlsIsPlainText() throws IOException {
        ClusterFile plain = new ClusterFile("unit", 0, cluster.replicas());
        assertThat(RaftTls.load(plain, dir.resolve("absent.raft.pem"))).isSameAs(RaftTls.PLAIN);
    }

    @Test
    void aCorruptCertificateIsReportedAtItsLine() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(key));
        int begin = lines.indexOf("-----BEGIN CERTIFICATE-----");
        lines.set(begin + 1, "AAAA" + lines.get(begin + 1).substring(4));
        Files.write(key, lines);
        assertThatThrownBy(() -> RaftTls.load(cluster, key)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(key + ":" + (begin + 1) + ": not an X.509 certificate");
    }

    @Test
    void aTruncatedFileIsReportedAtTheBlockWithoutEnd() throws IOException {
        List<String> lines = Files.readAllLines(key);
        int begin = lines.indexOf("-----BEGIN CERTIFICATE-----");
        Files.write(key, lines.subList(0, begin + 3));
        assertThatThrownBy(() -> RaftTls.load(cluster, key))
                .hasMessage(key + ":" + (begin + 1) + ": CERTIFICATE has no END line");
    }

    @Test
    void invalidBase64IsReportedAtItsBlock() throws IOException {
        Files.writeString(key, "# b1\n-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> RaftTls.load(cluster, key)).hasMessageStartingWith(key + ":2: PRIVATE KEY is not valid base64");
    }

    @Test
    void aCertificateOfAnotherCaIsRefused(@TempDir Path other) throws IOException {
        Path foreign = ClusterCa.loadOrCreate(other, "other", Duration.ofDays(1)).issue("b1", Optional.of("127.0.0.1"),
                Duration.ofDays(1));
        int certAt = Files.readAllLines(foreign).indexOf("-----BEGIN CERTIFICATE-----") + 1;
        assertThatThrownBy(() -> RaftTls.load(cluster, foreign))
                .hasMessage(foreign + ":" + certAt + ": certificate CN=b1 is not signed by the cluster CA of " + ca.certificateFile());
    }

    @Test
    void aKeyWithAnotherKeysCertificateIsRefused() throws IOException {
        Path second = ca.issue("b2", Optional.of("127.0.0.1"), Duration.ofDays(1));
        List<String> mine = Files.readAllLines(key);
        List<String> theirs = Files.readAllLines(second);
        int certAt = mine.indexOf("-----BEGIN CERTIFICATE-----");
        List<String> mixed = new ArrayList<>(mine.subList(0, certAt));
        mixed.addAll(theirs.subList(theirs.indexOf("-----BEGIN CERTIFICATE-----"), theirs.size()));
        Files.write(key, mixed);
        assertThatThrownBy(() -> RaftTls.load(cluster, key))
                .hasMessage(key + ":" + (certAt + 1) + ": the certificate is not the private key's");
    }

    @Test
    void aCaFileHoldingAKeyOrMissingIsRefused() throws IOException {
        Files.writeString(ca.certificateFile(), Files.readString(ca.certificateFile()) + Files.readString(dir.resolve(ClusterCa.KEY_FILE)));
        assertThatThrownBy(() -> RaftTls.load(cluster, key)).hasMessageStartingWith(ca.certificateFile() + ":")
                .hasMessageContaining("a PRIVATE KEY in the CA file, which holds certificates only");
        Files.delete(ca.certificateFile());
        assertThatThrownBy(() -> RaftTls.load(cluster, key)).hasMessage(ca.certificateFile()
                + ": no such file (`d2r2 cluster certs` makes the CA and key files)");
    }

    @Test
    void theCaIsKeptAndIssuesMoreKeyFilesLater() throws IOException {
        String certificate = Files.readString(ca.certificateFile());
        ClusterCa again = ClusterCa.loadOrCreate(dir, "unit", Duration.ofDays(1));
        Path later = again.issue("b4", Optional.of("127.0.0.1"), Duration.ofDays(1));
        assertThat(Files.readString(ca.certificateFile())).isEqualTo(certificate);
        assertThat(RaftTls.load(cluster, later).toString()).isEqualTo("TLS as CN=b4");
        assertThat(Files.getPosixFilePermissions(later)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
}
