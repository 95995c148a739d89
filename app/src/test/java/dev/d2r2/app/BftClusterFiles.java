package dev.d2r2.app;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;

/**
 * A BFT cluster file for process tests: replicas {@code r0}... at free loopback ports, f = 1, each
 * replica's identity file beside it ({@code rN.identity}, where {@code --bft} looks), and the
 * cluster's administrators if any.
 */
final class BftClusterFiles {
    private BftClusterFiles() {
    }

    /** Writes {@code bft.yaml} in {@code dir}, of {@code group} when not null, and returns it. */
    static Path write(Path dir, int replicas, String group, Map<String, PublicKey> admins) throws Exception {
        StringBuilder yaml = new StringBuilder(group == null ? "" : "group: " + group + "\n").append("f: 1\nreplicas:\n");
        for (int i = 0; i < replicas; i++) {
            KeyPair keys = Crypto.newSigningKeyPair();
            new IdentityFile("r" + i, Crypto.randomBytes(Crypto.SECRET_BYTES), keys.getPrivate(), keys.getPublic(), "", "")
                    .save(dir.resolve("r" + i + ".identity"));
            yaml.append("  - name: r").append(i).append("\n    address: 127.0.0.1:").append(D2r2Processes.freePort())
                    .append("\n    publicKey: ").append(encoded(keys.getPublic())).append('\n');
        }
        if (!admins.isEmpty()) {
            yaml.append("admins:\n");
            admins.forEach((name, key) -> yaml.append("  - name: ").append(name).append("\n    publicKey: ").append(encoded(key))
                    .append('\n'));
        }
        Path file = dir.resolve("bft.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Starts {@code d2r2 broker --bft} for each replica, its data in {@code data-rN}. */
    static void startBrokers(D2r2Processes processes, Path dir, Path cluster, int replicas) throws Exception {
        for (int i = 0; i < replicas; i++) {
            processes.start("r" + i, "broker", "--bft", cluster.toString(), "--id", "r" + i,
                    "--data", dir.resolve("data-r" + i).toString(), "--listen", "127.0.0.1:" + D2r2Processes.freePort(),
                    "--metrics", "off");
        }
    }

    private static String encoded(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }
}
