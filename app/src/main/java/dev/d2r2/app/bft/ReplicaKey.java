package dev.d2r2.app.bft;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;

/** A BFT replica's signing key, read from its identity file and checked against its public key in the cluster file. */
public final class ReplicaKey {
    private ReplicaKey() {
    }

    public static PrivateKey load(Path clusterPath, ClusterFile cluster, String name, Path identity) throws IOException {
        Replica me = cluster.replica(name).orElseThrow(() -> new IllegalArgumentException(clusterPath + ": no replica "
                + name + " (it lists " + cluster.replicas().stream().map(Replica::name).toList() + ")"));
        IdentityFile key = IdentityFile.load(identity);
        if (key.signingKey() == null || key.publicKey() == null) {
            throw new IllegalArgumentException(identity + " holds no signing key");
        }
        if (!key.publicKey().equals(me.signingKey())) {
            throw new IllegalArgumentException(identity + ": its public key is not replica " + name + "'s publicKey in " + clusterPath);
        }
        return key.signingKey();
    }

    /** Where a replica's identity file is unless given: {@code NAME.identity} beside the cluster file. */
    public static Path defaultFile(Path clusterPath, String name) {
        return clusterPath.toAbsolutePath().resolveSibling(name + ".identity");
    }
}
