package dev.d2r2.core.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM files: blocks of base64 DER between {@code -----BEGIN TYPE-----} and
 * {@code -----END TYPE-----}. Reading reports what is wrong as {@code file:line: why}.
 */
public final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    /** One block: its type ({@code CERTIFICATE}, {@code PRIVATE KEY}), content and first line. */
    public record Block(String type, byte[] der, int line) {
    }

    private Pem() {
    }

    public static String encode(String type, byte[] der) {
        return BEGIN + type + DASHES + "\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n" + END + type + DASHES + "\n";
    }

    /** The blocks of {@code file}, in order; text outside blocks is allowed (comments). */
    public static List<Block> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        String type = null;
        int start = 0;
        StringBuilder base64 = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (type == null) {
                if (line.startsWith(BEGIN)) {
                    type = label(file, i + 1, line, BEGIN);
                    start = i + 1;
                    base64.setLength(0);
                }
            } else if (line.startsWith(END)) {
                if (!label(file, i + 1, line, END).equals(type)) {
                    throw error(file, i + 1, "END " + label(file, i + 1, line, END) + " closes BEGIN " + type + " of line " + start);
                }
                try {
                    blocks.add(new Block(type, Base64.getMimeDecoder().decode(base64.toString()), start));
                } catch (IllegalArgumentException e) {
                    throw error(file, start, type + " is not valid base64: " + e.getMessage());
                }
                type = null;
            } else if (line.startsWith(BEGIN)) {
                throw error(file, i + 1, "BEGIN inside the " + type + " of line " + start + ", which has no END");
            } else {
                base64.append(line);
            }
        }
        if (type != null) {
            throw error(file, start, type + " has no END line");
        }
        return blocks;
    }

    private static String label(Path file, int line, String text, String prefix) throws IOException {
        if (!text.endsWith(DASHES) || text.length() <= prefix.length() + DASHES.length()) {
            throw error(file, line, "malformed PEM line: " + text);
        }
        return text.substring(prefix.length(), text.length() - DASHES.length());
    }

    /** The certificate in {@code block} of {@code file}. */
    public static X509Certificate certificate(Path file, Block block) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(block.der()));
        } catch (CertificateException e) {
            throw error(file, block.line(), "not an X.509 certificate: " + e.getMessage());
        }
    }

    /** The PKCS#8 EC private key in {@code block} of {@code file}. */
    public static PrivateKey ecPrivateKey(Path file, Block block) throws IOException {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(block.der()));
        } catch (GeneralSecurityException e) {
            throw error(file, block.line(), "not a PKCS#8 EC private key: " + e.getMessage());
        }
    }

    public static IOException error(Path file, int line, String why) {
        return new IOException(file + ":" + line + ": " + why);
    }
}
