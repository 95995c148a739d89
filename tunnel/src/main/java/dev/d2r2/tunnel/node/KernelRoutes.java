package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.IpCommand;

import java.io.IOException;

/**
 * Return routes in the kernel's main table through rtnetlink ({@code ip route}), marked with their
 * own protocol number so that the ESR finds and flushes its own routes, and only those.
 */
final class KernelRoutes implements ReturnRoutes {
    /** The routes' {@code proto}: not one of iproute2's named protocols, so no daemon claims them. */
    static final String PROTOCOL = "77";

    /** Removes what an earlier run of the ESR left: the DNs' reports rebuild the table within their report period. */
    static KernelRoutes flushed() throws IOException {
        IpCommand.run("route", "flush", "proto", PROTOCOL);
        return new KernelRoutes();
    }

    @Override
    public void replace(int address, String via) throws IOException {
        IpCommand.run("route", "replace", Ipv4.text(address) + "/32", "via", via, "proto", PROTOCOL);
    }

    @Override
    public void remove(int address) throws IOException {
        IpCommand.run("route", "del", Ipv4.text(address) + "/32", "proto", PROTOCOL);
    }
}
