package dev.d2r2.cluster.config;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.core.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterFileTest {
    private static final String KEY = Base64.getEncoder().encodeToString(Crypto.newSigningKeyPair().getPublic().getEncoded());

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static String replica(String name, String address) {
        return "  - name: " + name + "\n    address: " + address + "\n    publicKey: " + KEY + "\n";
    }

    @Test
    void loadsReplicasAndF() throws Exception {
        ClusterFile c = ClusterFile.load(write("f: 1\nreplicas:\n" + replica("b1", "127.0.0.1:7301")
                + replica("b2", "127.0.0.1:7302") + replica("b3", "127.0.0.1:7303")));
        assertThat(c.f()).isEqualTo(1);
        assertThat(c.group()).isEqualTo(ClusterFile.DEFAULT_GROUP);
        assertThat(c.replicas()).extracting(Replica::name).containsExactly("b1", "b2", "b3");
        assertThat(c.replica("b2").orElseThrow().socketAddress().getPort()).isEqualTo(7302);
        assertThat(c.replica("b2").orElseThrow().signingKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
    }

    @Test
    void tooFewReplicasForFIsReportedAtF() throws Exception {
        Path f = write("replicas:\n" + replica("b1", "127.0.0.1:7301") + replica("b2", "127.0.0.1:7302") + "f: 1\n");
        assertThatThrownBy(() -> ClusterFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":8:1: key f: 2 replicas cannot tolerate f = 1 crash faults; that needs 3");
    }

    @Test
    void duplicateNameIsReportedAtTheSecondOne() throws Exception {
        Path f = write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301") + replica("b1", "127.0.0.1:7302"));
        assertThatThrownBy(() -> ClusterFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":6:5: key replicas[1].name: replica name b1 is also replicas[0]");
    }

    @Test
    void badAddressAndKeyAreReportedWhereTheyAre() throws Exception {
        Path f = write("f: 0\nreplicas:\n  - name: b1\n    address: nowhere\n    publicKey: " + KEY + "\n");
        assertThatThrownBy(() -> ClusterFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":4:5: key replicas[0].address: \"nowhere\" is not HOST:PORT");
        Path g = write("f: 0\nreplicas:\n  - name: b1\n    address: 127.0.0.1:7301\n    publicKey: AAAA\n");
        assertThatThrownBy(() -> ClusterFile.load(g)).isInstanceOf(ConfigException.class)
                .hasMessage(g + ":5:5: key replicas[0].publicKey: replica b1: publicKey is not a base64 Ed25519 public key");
    }

    @Test
    void unknownKeyAndMissingFAreErrors() throws Exception {
        Path f = write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301") + "leader: b1\n");
        assertThatThrownBy(() -> ClusterFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":6:1:").hasMessageContaining("unknown key \"leader\"");
        Path g = write("replicas:\n" + replica("b1", "127.0.0.1:7301"));
        assertThatThrownBy(() -> ClusterFile.load(g)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key f: a cluster file needs f");
    }

    @Test
    void administratorsAreOptionalAndCheckedWhereTheyAre() throws Exception {
        ClusterFile none = ClusterFile.load(write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301")));
        assertThat(none.admins()).isEmpty();
        ClusterFile c = ClusterFile.load(write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301")
                + "admins:\n  - name: root\n    publicKey: " + KEY + "\n"));
        assertThat(c.admins()).extracting(Administrator::name).containsExactly("root");
        assertThat(c.admins().getFirst().signingKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
        Path f = write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301")
                + "admins:\n  - name: root\n    publicKey: AAAA\n");
        assertThatThrownBy(() -> ClusterFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":8:5: key admins[0].publicKey: administrator root: publicKey is not a base64 Ed25519 public key");
    }

    @Test
    void tlsNamesTheCaFileRelativeToTheClusterFile() throws Exception {
        ClusterFile plain = ClusterFile.load(write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301")));
        assertThat(plain.raftTls()).isEmpty();
        ClusterFile c = ClusterFile.load(write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301")
                + "tls:\n  ca: certs/cluster-ca.pem\n"));
        assertThat(c.raftTls().orElseThrow().caFile()).isEqualTo(dir.toAbsolutePath().resolve("certs/cluster-ca.pem"));
        Path f = write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301") + "tls:\n  ca: ca.pem\n  key: b1.pem\n");
        assertThatThrownBy(() -> ClusterFile.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":8:3:").hasMessageContaining("unknown key \"key\"");
        Path g = write("f: 0\nreplicas:\n" + replica("b1", "127.0.0.1:7301") + "tls:\n  ca: \"\"\n");
        assertThatThrownBy(() -> ClusterFile.load(g)).isInstanceOf(ConfigException.class).hasMessage(g
                + ":7:3: key tls.ca: tls needs ca, the file of the cluster CA's certificate (`d2r2 cluster certs` makes it)");
    }
}
