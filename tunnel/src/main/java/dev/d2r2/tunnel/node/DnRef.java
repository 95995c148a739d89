package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.tunnel.wire.TunnelIdentity;

import java.net.InetSocketAddress;

/**
 * One DN in an EN's configuration: its name (for events), its tunnel port, and, when the EN keys its
 * tunnels by identity, the DN's tunnel public key ({@code d2r2 tunnel pubkey}; null otherwise).
 */
public record DnRef(String name, String address, @JsonProperty("public-key") String publicKey) {
    public DnRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a DN needs a name");
        }
        if (address == null) {
            throw new IllegalArgumentException("a DN needs an address (HOST:PORT)");
        }
        HostPort.parse(address);
        if (publicKey != null) {
            TunnelIdentity.parsePublic(publicKey);
        }
    }

    /** A DN of an EN keyed by the master key file. */
    public DnRef(String name, String address) {
        this(name, address, null);
    }

    InetSocketAddress endpoint() {
        return HostPort.parse(address);
    }
}
