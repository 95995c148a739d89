package dev.d2r2.cluster.tls;

import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.ClusterTls;
import dev.d2r2.core.x509.Pem;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * How one process (a replica, or a client of the cluster) speaks Raft: in plain text when the
 * cluster file has no {@code tls} section, else over mutual TLS with Ratis' own support
 * ({@link GrpcTlsConfig}): its key and certificate from its key file, trusting the certificates
 * signed by the CA the cluster file names. Everything is checked when loaded, so a bad file
 * stops the process at start with {@code file:line: why} instead of failing handshakes later.
 */
public final class RaftTls {
    public static final RaftTls PLAIN = new RaftTls(null, null, null);
    /** A key file's name, {@code <name>.raft.pem}, as {@code d2r2 cluster certs} writes it. */
    public static final String KEY_FILE_SUFFIX = ".raft.pem";

    private final GrpcTlsConfig config;
    private final X509Certificate certificate;
    private final Path keyFile;

    private RaftTls(GrpcTlsConfig config, X509Certificate certificate, Path keyFile) {
        this.config = config;
        this.certificate = certificate;
        this.keyFile = keyFile;
    }

    /** Where a replica's (or client's) key file is unless given: beside the cluster file. */
    public static Path defaultKeyFile(Path clusterFile, String name) {
        return clusterFile.toAbsolutePath().resolveSibling(name + KEY_FILE_SUFFIX);
    }

    /** Plain when {@code cluster} has no {@code tls}; else TLS with the key and certificate of {@code keyFile}. */
    public static RaftTls load(ClusterFile cluster, Path keyFile) throws IOException {
        if (cluster.raftTls().isEmpty()) {
            return PLAIN;
        }
        ClusterTls tls = cluster.raftTls().get();
        List<X509Certificate> trusted = authorities(tls.caFile());
        List<Pem.Block> blocks = blocks(keyFile);
        Pem.Block keyBlock = only(keyFile, blocks, "PRIVATE KEY");
        Pem.Block certBlock = blocks.stream().filter(b -> b.type().equals("CERTIFICATE")).findFirst()
                .orElseThrow(() -> Pem.error(keyFile, blocks.isEmpty() ? 1 : blocks.getLast().line(), "no CERTIFICATE"));
        PrivateKey key = Pem.ecPrivateKey(keyFile, keyBlock);
        X509Certificate cert = Pem.certificate(keyFile, certBlock);
        checkUsable(keyFile, certBlock.line(), cert, key, trusted, tls.caFile());
        return new RaftTls(new GrpcTlsConfig(key, cert, trusted, true), cert, keyFile);
    }

    /** The CA certificates of {@code caFile} (more than one while the cluster changes CA). */
    static List<X509Certificate> authorities(Path caFile) throws IOException {
        List<X509Certificate> list = new ArrayList<>();
        for (Pem.Block b : blocks(caFile)) {
            if (!b.type().equals("CERTIFICATE")) {
                throw Pem.error(caFile, b.line(), "a " + b.type() + " in the CA file, which holds certificates only"
                        + " (keep the CA's key out of it)");
            }
            list.add(Pem.certificate(caFile, b));
        }
        if (list.isEmpty()) {
            throw Pem.error(caFile, 1, "no CERTIFICATE");
        }
        return list;
    }

    private static List<Pem.Block> blocks(Path file) throws IOException {
        try {
            return Pem.read(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file (`d2r2 cluster certs` makes the CA and key files)", e);
        }
    }

    private static Pem.Block only(Path file, List<Pem.Block> blocks, String type) throws IOException {
        List<Pem.Block> of = blocks.stream().filter(b -> b.type().equals(type)).toList();
        if (of.size() != 1) {
            throw Pem.error(file, of.isEmpty() ? 1 : of.get(1).line(), "needs exactly one " + type + ", has " + of.size());
        }
        return of.getFirst();
    }

    private static void checkUsable(Path file, int line, X509Certificate cert, PrivateKey key,
                                    List<X509Certificate> trusted, Path caFile) throws IOException {
        try {
            cert.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw Pem.error(file, line, "certificate " + cert.getSubjectX500Principal().getName() + " is not valid now ("
                    + cert.getNotBefore().toInstant() + " to " + cert.getNotAfter().toInstant() + ")");
        }
        if (!matches(cert, key)) {
            throw Pem.error(file, line, "the certificate is not the private key's");
        }
        if (trusted.stream().noneMatch(ca -> signs(ca, cert))) {
            throw Pem.error(file, line, "certificate " + cert.getSubjectX500Principal().getName()
                    + " is not signed by the cluster CA of " + caFile);
        }
    }

    private static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            byte[] probe = "d2r2 raft key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean signs(X509Certificate ca, X509Certificate cert) {
        try {
            cert.verify(ca.getPublicKey());
            return cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public boolean enabled() {
        return config != null;
    }

    /**
     * Checks that this certificate names {@code host}, the replica's Raft address: clients check
     * it against the address they dial, so a replica whose certificate does not name it would
     * start and then refuse every connection.
     */
    public void checkServes(String host) throws IOException {
        if (!enabled()) {
            return;
        }
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alt = certificate.getSubjectAlternativeNames();
            if (alt != null) {
                alt.forEach(n -> names.add(Objects.toString(n.get(1))));
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IOException(keyFile + ": unreadable subject alternative names: " + e.getMessage(), e);
        }
        if (!names.contains(host)) {
            throw new IOException(keyFile + ": the certificate names " + names + ", not " + host
                    + ", this replica's Raft host (make one for this address with `d2r2 cluster certs`)");
        }
    }

    /** The Ratis parameters that carry the TLS setup (none when plain). */
    public Parameters parameters() {
        Parameters p = new Parameters();
        if (config != null) {
            GrpcConfigKeys.TLS.setConf(p, config);
        }
        return p;
    }

    @Override
    public String toString() {
        return enabled() ? "TLS as " + certificate.getSubjectX500Principal().getName() : "plain";
    }
}
