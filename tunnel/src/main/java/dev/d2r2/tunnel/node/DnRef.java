package dev.d2r2.tunnel.node;

import dev.d2r2.core.HostPort;

import java.net.InetSocketAddress;

/** One DN in an EN's configuration: its name (for events) and its tunnel port. */
public record DnRef(String name, String address) {
    public DnRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a DN needs a name");
        }
        if (address == null) {
            throw new IllegalArgumentException("a DN needs an address (HOST:PORT)");
        }
        HostPort.parse(address);
    }

    InetSocketAddress endpoint() {
        return HostPort.parse(address);
    }
}
