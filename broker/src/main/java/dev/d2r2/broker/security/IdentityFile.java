package dev.d2r2.broker.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.broker.PrivateFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * What a client needs to reach a broker as an identity: its name and secret, its signing key
 * pair, the broker's address and the broker's certificate (pinned: the only one trusted).
 * Stored as JSON, readable by its owner only.
 */
public record IdentityFile(String name, byte[] secret, PrivateKey signingKey, PublicKey publicKey,
                           String broker, String brokerCertificatePem) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static IdentityFile load(Path file) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not an identity file: " + e.getMessage(), e);
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            return new IdentityFile(req(n, "name", file).asText(),
                    b64.decode(req(n, "secret", file).asText()),
                    Crypto.privateKey(b64.decode(req(n, "signingKey", file).asText())),
                    Crypto.publicKey(b64.decode(req(n, "publicKey", file).asText())),
                    req(n, "broker", file).asText(),
                    req(n, "brokerCertificate", file).asText());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad identity file: " + e.getMessage(), e);
        }
    }

    private static JsonNode req(JsonNode n, String key, Path file) throws IOException {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new IOException(file + ": identity file lacks \"" + key + "\"");
        }
        return v;
    }

    /** Writes the file atomically with mode 0600. */
    public void save(Path file) throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode n = JSON.createObjectNode();
        n.put("name", name);
        n.put("secret", b64.encodeToString(secret));
        n.put("signingKey", b64.encodeToString(signingKey.getEncoded()));
        n.put("publicKey", b64.encodeToString(publicKey.getEncoded()));
        n.put("broker", broker);
        n.put("brokerCertificate", brokerCertificatePem);
        PrivateFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    public IdentityFile withBroker(String address, String certificatePem) {
        return new IdentityFile(name, secret, signingKey, publicKey, address, certificatePem);
    }
}
