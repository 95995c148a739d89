package dev.d2r2.cluster.config;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.Base64;

/** One replica of a cluster: its name (also its Raft peer id), Raft address and Ed25519 public key. */
public record Replica(String name, String address, String publicKey) {

    public Replica {
        try {
            Identity.validateName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "name");
        }
        if (address == null) {
            throw new InvalidAt("replica " + name + " needs an address (HOST:PORT)", "address");
        }
        try {
            if (HostPort.parse(address).getPort() == 0) {
                throw new IllegalArgumentException("replica " + name + " needs a fixed port, not 0");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "address");
        }
        if (publicKey == null) {
            throw new InvalidAt("replica " + name + " needs a publicKey (base64 X.509 Ed25519)", "publicKey");
        }
        try {
            Crypto.publicKey(Base64.getDecoder().decode(publicKey));
        } catch (IllegalArgumentException e) {
            throw new InvalidAt("replica " + name + ": publicKey is not a base64 Ed25519 public key", "publicKey");
        }
    }

    public InetSocketAddress socketAddress() {
        return HostPort.parse(address);
    }

    public PublicKey signingKey() {
        return Crypto.publicKey(Base64.getDecoder().decode(publicKey));
    }
}
