package dev.d2r2.cluster.tls;

import dev.d2r2.core.files.PrivateFiles;
import dev.d2r2.core.x509.CertificateBuilder;
import dev.d2r2.core.x509.Pem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A cluster's certification authority, kept in a directory: {@code cluster-ca.pem} (its
 * certificate, which the cluster file names and every replica and client trusts) and
 * {@code cluster-ca.key} (its private key, mode 0600, needed only to issue certificates: keep it
 * off the replicas). It issues each replica's and client's key file, {@code NAME.raft.pem}.
 */
public final class ClusterCa {
    public static final String CERTIFICATE_FILE = "cluster-ca.pem";
    public static final String KEY_FILE = "cluster-ca.key";
    /** Certificates start this long before they are made, for hosts whose clocks lag. */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Path dir;

    private ClusterCa(X509Certificate certificate, PrivateKey key, Path dir) {
        this.certificate = certificate;
        this.key = key;
        this.dir = dir;
    }

    /** The CA of {@code dir}, made there first (named after {@code group}) if it has none. */
    public static ClusterCa loadOrCreate(Path dir, String group, Duration validity) throws IOException {
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (Files.exists(keyFile)) {
            List<Pem.Block> key = Pem.read(keyFile);
            if (key.size() != 1 || !key.getFirst().type().equals("PRIVATE KEY")) {
                throw Pem.error(keyFile, 1, "needs exactly one PRIVATE KEY");
            }
            X509Certificate cert = RaftTls.authorities(certFile).getFirst();
            return new ClusterCa(cert, Pem.ecPrivateKey(keyFile, key.getFirst()), dir);
        }
        if (Files.exists(certFile)) {
            throw new IOException(certFile + " exists without " + keyFile + ": give the directory holding the CA's key");
        }
        KeyPair pair = CertificateBuilder.newKeyPair();
        Instant now = Instant.now();
        try {
            X509Certificate cert = CertificateBuilder.of("d2r2 cluster CA " + group, pair.getPublic(),
                    now.minus(CLOCK_SKEW), now.plus(validity)).authority().selfSigned(pair.getPrivate());
            PrivateFiles.replace(keyFile, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded())
                    .getBytes(StandardCharsets.US_ASCII));
            Files.writeString(certFile, Pem.encode("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            return new ClusterCa(cert, pair.getPrivate(), dir);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the cluster CA: " + e.getMessage(), e);
        }
    }

    /**
     * Issues {@code name}'s key file, {@code NAME.raft.pem} (mode 0600): a new key and its
     * certificate, naming {@code host} when given (a replica, which clients reach there) and no
     * host for a client.
     */
    public Path issue(String name, Optional<String> host, Duration validity) throws IOException {
        KeyPair pair = CertificateBuilder.newKeyPair();
        Instant now = Instant.now();
        CertificateBuilder b = CertificateBuilder.of(name, pair.getPublic(), now.minus(CLOCK_SKEW), now.plus(validity));
        host.ifPresent(b::host);
        try {
            X509Certificate cert = b.signedBy(certificate, key);
            Path out = dir.resolve(name + RaftTls.KEY_FILE_SUFFIX);
            PrivateFiles.replace(out, (Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded())
                    + Pem.encode("CERTIFICATE", cert.getEncoded())).getBytes(StandardCharsets.US_ASCII));
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot issue " + name + "'s certificate: " + e.getMessage(), e);
        }
    }

    public Path certificateFile() {
        return dir.resolve(CERTIFICATE_FILE);
    }
}
