package dev.d2r2.core.x509;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Minimal X.509 certificates (ECDSA P-256 with SHA-256, names of one common name), DER-encoded by
 * hand because the JDK has no public API to make one. Without extensions the certificate is a
 * version 1 one; with them (a CA's basic constraints, a server's subject alternative names, which
 * TLS clients check against the address they dialled) a version 3 one.
 */
public final class CertificateBuilder {
    private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final byte[] BASIC_CONSTRAINTS = {0x06, 0x03, 0x55, 0x1d, 0x13};
    private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
    private static final byte[] TRUE = {0x01, 0x01, (byte) 0xff};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String subject;
    private final PublicKey subjectKey;
    private final Instant notBefore;
    private final Instant notAfter;
    private boolean authority;
    private final List<byte[]> altNames = new ArrayList<>();

    private CertificateBuilder(String subject, PublicKey subjectKey, Instant notBefore, Instant notAfter) {
        this.subject = subject;
        this.subjectKey = subjectKey;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    /** A certificate for {@code subjectKey}, named {@code commonName}, valid from {@code notBefore} to {@code notAfter}. */
    public static CertificateBuilder of(String commonName, PublicKey subjectKey, Instant notBefore, Instant notAfter) {
        return new CertificateBuilder(commonName, subjectKey, notBefore, notAfter);
    }

    /** A new ECDSA P-256 key pair, the kind these certificates sign with. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks EC P-256", e);
        }
    }

    /** Marks the certificate as a certification authority's (basic constraints, critical). */
    public CertificateBuilder authority() {
        this.authority = true;
        return this;
    }

    /** Adds a subject alternative name: an IP address if {@code host} is a literal one, else a DNS name. */
    public CertificateBuilder host(String host) {
        if (isIpLiteral(host)) {
            try {
                altNames.add(der(0x87, InetAddress.getByName(host).getAddress()));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + host, e);
            }
        } else {
            altNames.add(der(0x82, host.getBytes(StandardCharsets.US_ASCII)));
        }
        return this;
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** Signs with the subject's own key: issuer = subject. */
    public X509Certificate selfSigned(PrivateKey subjectPrivate) throws GeneralSecurityException {
        return sign(name(subject), subjectPrivate);
    }

    /** Signs as {@code issuer} (its subject becomes this certificate's issuer, byte for byte) with its key. */
    public X509Certificate signedBy(X509Certificate issuer, PrivateKey issuerKey) throws GeneralSecurityException {
        return sign(issuer.getSubjectX500Principal().getEncoded(), issuerKey);
    }

    private X509Certificate sign(byte[] issuer, PrivateKey issuerKey) throws GeneralSecurityException {
        byte[] algorithm = der(0x30, ECDSA_WITH_SHA256);
        byte[] serial = der(0x02, new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray());
        byte[] validity = der(0x30, time(notBefore), time(notAfter));
        byte[] extensions = extensions();
        byte[] tbs = extensions.length == 0
                ? der(0x30, serial, algorithm, issuer, validity, name(subject), subjectKey.getEncoded())
                : der(0x30, der(0xa0, der(0x02, new byte[] {2})), serial, algorithm, issuer, validity, name(subject),
                        subjectKey.getEncoded(), der(0xa3, extensions));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(issuerKey);
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] certificate = der(0x30, tbs, algorithm, der(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate));
    }

    private byte[] extensions() {
        List<byte[]> list = new ArrayList<>();
        if (authority) {
            list.add(der(0x30, BASIC_CONSTRAINTS, TRUE, der(0x04, der(0x30, TRUE))));
        }
        if (!altNames.isEmpty()) {
            list.add(der(0x30, SUBJECT_ALT_NAME, der(0x04, der(0x30, altNames.toArray(byte[][]::new)))));
        }
        return list.isEmpty() ? new byte[0] : der(0x30, list.toArray(byte[][]::new));
    }

    private static byte[] name(String commonName) {
        return der(0x30, der(0x31, der(0x30, COMMON_NAME, der(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(Instant t) {
        return der(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        int length = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >>> 8);
            out.write(length);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
