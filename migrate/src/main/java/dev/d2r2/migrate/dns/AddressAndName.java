package dev.d2r2.migrate.dns;

import dev.d2r2.migrate.takeover.ServiceAddress;

import java.io.IOException;

/** IP takeover and DNS-based redundancy together: the address is taken over, and the name pointed at this member. */
public record AddressAndName(ServiceAddress ip, DnsServiceAddress dns) implements ServiceAddress {
    @Override
    public void acquire() throws IOException {
        ip.acquire();
        dns.acquire();
    }

    @Override
    public void release() throws IOException {
        dns.release();
        ip.release();
    }

    @Override
    public String address() {
        return ip.address();
    }

    @Override
    public String iface() {
        return ip.iface();
    }
}
