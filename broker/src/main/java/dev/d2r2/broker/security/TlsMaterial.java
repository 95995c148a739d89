package dev.d2r2.broker.security;

import dev.d2r2.core.files.PrivateFiles;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The broker's TLS key and certificate. On first start the broker makes a self-signed EC
 * certificate with the JDK's {@code keytool} (the JDK has no API for it) and keeps it in its data
 * directory; clients pin that certificate, carried in their identity files.
 */
public final class TlsMaterial {
    private static final String ALIAS = "d2r2-broker";
    /**
     * TLS 1.3 suites, cheapest first on CPUs with AES instructions (JDK 25 here: AES-128-GCM
     * 2.7–16 GB/s for 1–16 KiB records, ChaCha20-Poly1305 1.0–3.6 GB/s).
     */
    public static final String[] CIPHER_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_256_GCM_SHA384"};
    public static final String[] PROTOCOLS = {"TLSv1.3"};
    private final KeyStore keyStore;
    private final char[] password;

    private TlsMaterial(KeyStore keyStore, char[] password) {
        this.keyStore = keyStore;
        this.password = password;
    }

    /** Loads {@code broker.p12} from {@code dataDir}, creating it first if absent. */
    public static TlsMaterial loadOrCreate(Path dataDir) throws IOException {
        Path store = dataDir.resolve("broker.p12");
        Path passFile = dataDir.resolve("broker.p12.password");
        if (!Files.exists(store)) {
            create(store, passFile);
        }
        char[] password = Files.readString(passFile).strip().toCharArray();
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return new TlsMaterial(ks, password);
        } catch (GeneralSecurityException e) {
            throw new IOException(store + ": unreadable key store: " + e.getMessage(), e);
        }
    }

    private static void create(Path store, Path passFile) throws IOException {
        String password = HexFormat.of().formatHex(Crypto.randomBytes(16));
        PrivateFiles.replace(passFile, password.getBytes(StandardCharsets.US_ASCII));
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path tmp = store.resolveSibling(store.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=d2r2-broker", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "3650", "-storetype", "PKCS12", "-keystore", tmp.toString(),
                "-storepass", password, "-keypass", password);
        try {
            runKeytool(cmd);
            Files.setPosixFilePermissions(tmp, PrivateFiles.FILE_MODE);
            Files.move(tmp, store, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void runKeytool(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed to create the broker's TLS key: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating the broker's TLS key", e);
        }
    }

    /**
     * Runs TLS over a connected socket ({@code client}: this end starts the handshake), with
     * d2r2's protocols and cipher suites, in the broker's order of preference.
     */
    public static SSLSocket layer(SSLContext ctx, Socket plain, boolean client) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        s.setUseClientMode(client);
        s.setEnabledProtocols(PROTOCOLS);
        s.setEnabledCipherSuites(CIPHER_SUITES);
        SSLParameters params = s.getSSLParameters();
        params.setUseCipherSuitesOrder(true);
        s.setSSLParameters(params);
        return s;
    }

    public SSLContext serverContext() throws IOException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, password);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public String certificatePem() throws IOException {
        try {
            Certificate cert = keyStore.getCertificate(ALIAS);
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot export the broker certificate: " + e.getMessage(), e);
        }
    }

    /** A client context that trusts exactly the given broker certificate. */
    public static SSLContext clientContext(String certificatePem) throws IOException {
        try {
            Certificate cert = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("bad broker certificate: " + e.getMessage(), e);
        }
    }
}
