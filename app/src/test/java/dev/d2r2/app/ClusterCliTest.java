package dev.d2r2.app;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.tls.RaftTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 cluster certs} and a replica's start on its Raft key file. */
class ClusterCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    private Path clusterFile(String tls) throws Exception {
        StringBuilder yaml = new StringBuilder("f: 1\nreplicas:\n");
        for (int i = 1; i <= 3; i++) {
            yaml.append("  - name: b").append(i).append("\n    address: 127.0.0.").append(i).append(":7300\n    publicKey: ")
                    .append(Base64.getEncoder().encodeToString(Crypto.newSigningKeyPair().getPublic().getEncoded())).append('\n');
        }
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, yaml + tls);
        return file;
    }

    @Test
    void certsMakesTheCaAndAKeyFilePerReplicaAndForTheClient() throws Exception {
        Path file = clusterFile("");
        assertThat(Main.commandLine().execute("cluster", "certs", "--cluster", file.toString())).isZero();
        assertThat(console.err()).contains("b2.raft.pem (replica at 127.0.0.2)", "client.raft.pem (client)",
                "the cluster file has no tls section yet; add:\ntls:\n  ca: cluster-ca.pem");
        Files.writeString(file, Files.readString(file) + "tls:\n  ca: cluster-ca.pem\n");
        ClusterFile cluster = ClusterFile.load(file);
        for (String name : List.of("b1", "b2", "b3", "client")) {
            assertThat(RaftTls.load(cluster, dir.resolve(name + ".raft.pem")).enabled()).isTrue();
        }
        RaftTls.load(cluster, dir.resolve("b3.raft.pem")).checkServes("127.0.0.3");

        String ca = Files.readString(dir.resolve("cluster-ca.pem"));
        assertThat(Main.commandLine().execute("cluster", "certs", "b4", "--address", "127.0.0.4:7300",
                "--cluster", file.toString())).isZero();
        assertThat(Files.readString(dir.resolve("cluster-ca.pem"))).as("the CA is kept").isEqualTo(ca);
        RaftTls.load(cluster, dir.resolve("b4.raft.pem")).checkServes("127.0.0.4");
    }

    @Test
    void aReplicaWithACorruptKeyFileStopsAtStartSayingWhere() throws Exception {
        Path file = clusterFile("tls:\n  ca: cluster-ca.pem\n");
        assertThat(Main.commandLine().execute("cluster", "certs", "--cluster", file.toString())).isZero();
        Path key = dir.resolve("b1.raft.pem");
        List<String> lines = new ArrayList<>(Files.readAllLines(key));
        int begin = lines.indexOf("-----BEGIN CERTIFICATE-----");
        lines.set(begin + 1, "AAAA" + lines.get(begin + 1).substring(4));
        Files.write(key, lines);
        console.clear();
        assertThat(Main.commandLine().execute("broker", "--cluster", file.toString(), "--id", "b1",
                "--data", dir.resolve("data").toString(), "--listen", "127.0.0.1:0", "--metrics", "off")).isNotZero();
        assertThat(console.err()).contains(key + ":" + (begin + 1) + ": not an X.509 certificate");
        assertThat(dir.resolve("data")).as("stopped before opening anything").doesNotExist();
    }
}
