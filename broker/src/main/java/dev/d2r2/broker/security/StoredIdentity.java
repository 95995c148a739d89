package dev.d2r2.broker.security;

import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;

import java.util.Base64;
import java.util.List;

/** An identity file as written: what {@link IdentityFile#load} checks, key by key, before it decodes the keys. */
record StoredIdentity(String name, String secret, String signingKey, String publicKey, String broker,
                      String brokerCertificate, List<Replica> replicas) {

    record Replica(String address, String certificate) {
        Replica {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("a replica needs an \"address\"");
            }
            try {
                HostPort.parse(address);
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), "address");
            }
            if (certificate == null || certificate.isBlank()) {
                throw new IllegalArgumentException("replica " + address + " needs its \"certificate\"");
            }
        }
    }

    StoredIdentity {
        for (String[] key : new String[][]{{"name", name}, {"secret", secret}, {"signingKey", signingKey},
                {"publicKey", publicKey}}) {
            if (key[1] == null) {
                throw new IllegalArgumentException("identity file lacks \"" + key[0] + "\"");
            }
        }
        if (replicas == null || replicas.isEmpty()) {
            if (broker == null || brokerCertificate == null) {
                throw new IllegalArgumentException("identity file lacks \"broker\" and \"brokerCertificate\" (or \"replicas\")");
            }
        } else if (broker != null && !broker.equals(replicas.getFirst().address())) {
            throw new InvalidAt("broker " + broker + " is not the first of the replicas (" + replicas.getFirst().address()
                    + ")", "broker");
        }
    }

    IdentityFile toIdentity() {
        List<BrokerReplica> list = replicas == null ? List.of()
                : replicas.stream().map(r -> new BrokerReplica(r.address(), r.certificate())).toList();
        return new IdentityFile(name, bytes(secret, "secret"),
                key(() -> Crypto.privateKey(bytes(signingKey, "signingKey")), "signingKey"),
                key(() -> Crypto.publicKey(bytes(publicKey, "publicKey")), "publicKey"),
                broker == null ? "" : broker, brokerCertificate == null ? "" : brokerCertificate, list);
    }

    private static byte[] bytes(String base64, String key) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt("not base64: " + e.getMessage(), key);
        }
    }

    private interface KeyDecoder<K> {
        K decode();
    }

    private static <K> K key(KeyDecoder<K> decoder, String key) {
        try {
            return decoder.decode();
        } catch (InvalidAt e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidAt("not a key: " + e.getMessage(), key);
        }
    }
}
