package dev.d2r2.broker.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What a client needs to reach a broker as an identity: its name and secret, its signing key
 * pair, and the brokers it may connect to, each with its certificate (pinned: the only one
 * trusted at that address). {@code broker} and {@code brokerCertificatePem} are the first of
 * {@code replicas}; a client that loses its broker fails over to the next one. Stored as JSON,
 * readable by its owner only: a file with one broker has the keys {@code broker} and
 * {@code brokerCertificate}; one with more also has {@code replicas}, a list of
 * {@code {address, certificate}}.
 */
public record IdentityFile(String name, byte[] secret, PrivateKey signingKey, PublicKey publicKey,
                           String broker, String brokerCertificatePem, List<BrokerReplica> replicas) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public IdentityFile {
        if (replicas == null || replicas.isEmpty()) {
            replicas = broker.isEmpty() ? List.of() : List.of(new BrokerReplica(broker, brokerCertificatePem));
        } else {
            replicas = List.copyOf(replicas);
            broker = replicas.getFirst().address();
            brokerCertificatePem = replicas.getFirst().certificatePem();
        }
    }

    /** An identity file naming one broker (or none yet: {@code ""}). */
    public IdentityFile(String name, byte[] secret, PrivateKey signingKey, PublicKey publicKey,
                        String broker, String brokerCertificatePem) {
        this(name, secret, signingKey, publicKey, broker, brokerCertificatePem, List.of());
    }

    /** Loads an identity file; a bad one is reported as {@code file:line:col: key ...: why}. */
    public static IdentityFile load(Path file) throws IOException {
        try {
            return ConfigLoader.load(file, StoredIdentity.class, StoredIdentity::toIdentity);
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
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
        if (replicas.size() > 1) {
            ArrayNode list = n.putArray("replicas");
            for (BrokerReplica r : replicas) {
                list.addObject().put("address", r.address()).put("certificate", r.certificatePem());
            }
        }
        PrivateFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    /**
     * The same identity with {@code address} as its first broker; the other replicas stay, after
     * it (what a broker writes into its administrator's file when it learns its address).
     */
    public IdentityFile withBroker(String address, String certificatePem) {
        List<BrokerReplica> list = new ArrayList<>();
        list.add(new BrokerReplica(address, certificatePem));
        replicas.stream().filter(r -> !r.address().equals(address)).forEach(list::add);
        return withReplicas(list);
    }

    public IdentityFile withReplicas(List<BrokerReplica> list) {
        return new IdentityFile(name, secret, signingKey, publicKey, "", "", list);
    }

    /** The same identity with {@code more} replicas added after its own (an address it has already is kept as it is). */
    public IdentityFile plusReplicas(List<BrokerReplica> more) {
        List<BrokerReplica> list = new ArrayList<>(replicas);
        for (BrokerReplica r : more) {
            if (list.stream().noneMatch(known -> known.address().equals(r.address()))) {
                list.add(r);
            }
        }
        return withReplicas(list);
    }

    /**
     * The replicas at {@code addresses}, in that order: each with the certificate this file pins
     * for that address, or the first replica's when the file does not list it (a broker whose
     * address changed).
     */
    public List<BrokerReplica> replicasAt(List<String> addresses) {
        return addresses.stream().map(a -> replicas.stream().filter(r -> r.address().equals(a)).findFirst()
                .orElseGet(() -> new BrokerReplica(a, brokerCertificatePem))).toList();
    }
}
