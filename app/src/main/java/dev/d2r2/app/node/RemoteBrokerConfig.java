package dev.d2r2.app.node;

import dev.d2r2.core.HostPort;

/** A broker on another host: the identity file to connect with, and its address (default: the one in the file). */
public record RemoteBrokerConfig(String identity, String address) {
    public RemoteBrokerConfig {
        if (identity == null) {
            throw new IllegalArgumentException("connect needs identity: FILE (made by `d2r2 identity create`)");
        }
        if (address != null) {
            HostPort.parse(address);
        }
    }
}
