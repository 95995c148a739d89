package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.GratuitousArp;
import dev.d2r2.tunnel.tun.IpCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Draws an EN's return traffic to the DN that carries it, on the DN's side of the destination
 * network: a gratuitous ARP at once, on the caller's thread (one {@code sendto}), so that
 * neighbours whose caches point at the failed DN switch before anything else happens; then a
 * proxy-ARP entry for the EN's address on the {@code announce} interface, for neighbours that ask
 * later. The {@code ip} commands run on their own thread, in order, so that the role's BFD timers
 * never wait for a process.
 */
final class Announcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Announcer.class);
    private final String device;
    private final ExecutorService worker;
    private final GratuitousArp arp;

    /** Opens the announcing socket in the calling thread's namespace; {@code device} null announces nothing. */
    Announcer(String device) throws IOException {
        this.device = device;
        this.arp = device == null ? null : GratuitousArp.open(device);
        this.worker = device == null ? null
                : Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("d2r2-tunnel-announce").daemon().unstarted(r));
    }

    void announce(int address) {
        if (arp == null) {
            return;
        }
        try {
            arp.announce(address);
        } catch (IOException e) {
            LOG.warn("gratuitous ARP on {} failed: {}", device, e.getMessage());
        }
        submit(() -> IpCommand.run("neigh", "replace", "proxy", Ipv4.text(address), "dev", device));
    }

    void withdraw(int address) {
        submit(() -> IpCommand.run("neigh", "del", "proxy", Ipv4.text(address), "dev", device));
    }

    private interface Step {
        void run() throws Exception;
    }

    private void submit(Step step) {
        if (worker == null) {
            return;
        }
        worker.execute(() -> {
            try {
                step.run();
            } catch (Exception e) {
                LOG.warn("announcing on {} failed: {}", device, e.getMessage());
            }
        });
    }

    @Override
    public void close() throws IOException {
        if (worker != null) {
            worker.shutdown();
            arp.close();
        }
    }
}
