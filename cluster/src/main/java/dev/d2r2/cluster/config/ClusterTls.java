package dev.d2r2.cluster.config;

import dev.d2r2.core.config.InvalidAt;

import java.nio.file.Path;

/**
 * The {@code tls} section of a cluster file: Raft traffic (replica to replica, and clients) runs
 * over mutual TLS, trusting the certificates the cluster's CA signed.
 *
 * @param ca the file of the CA's certificate (PEM; several during a change of CA), relative to
 *           the cluster file
 */
public record ClusterTls(String ca) {

    public ClusterTls {
        if (ca == null || ca.isBlank()) {
            throw new InvalidAt("tls needs ca, the file of the cluster CA's certificate (`d2r2 cluster certs` makes it)", "ca");
        }
    }

    /** This section with {@code ca} resolved against {@code dir}, the cluster file's directory. */
    ClusterTls resolvedAgainst(Path dir) {
        return new ClusterTls(dir.resolve(ca).toString());
    }

    public Path caFile() {
        return Path.of(ca);
    }
}
