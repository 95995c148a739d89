package dev.d2r2.broker.security;

/**
 * One broker a client may connect to: its {@code HOST:PORT} and its certificate (PEM), pinned:
 * the only certificate the client trusts at that address.
 */
public record BrokerReplica(String address, String certificatePem) {
    public BrokerReplica {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("a broker replica needs an address");
        }
        if (certificatePem == null) {
            throw new IllegalArgumentException("broker replica " + address + " needs its certificate");
        }
    }
}
