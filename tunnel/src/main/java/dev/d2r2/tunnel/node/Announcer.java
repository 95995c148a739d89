package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.IpCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Draws an EN's return traffic to the DN that carries it, on the DN's side of the destination
 * network: a proxy-ARP entry for the EN's address on the {@code announce} interface, and a
 * gratuitous ARP so that neighbours whose caches point at the failed DN switch at once. Runs the
 * commands on its own thread, in order, so that the role's BFD timers never wait for a process.
 */
final class Announcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Announcer.class);
    private final String device;
    private final ExecutorService worker;

    Announcer(String device) {
        this.device = device;
        this.worker = device == null ? null
                : Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("d2r2-tunnel-announce").daemon().unstarted(r));
    }

    void announce(int address) {
        submit(() -> {
            String a = Ipv4.text(address);
            IpCommand.run("neigh", "replace", "proxy", a, "dev", device);
            gratuitousArp(a);
        });
    }

    void withdraw(int address) {
        submit(() -> IpCommand.run("neigh", "del", "proxy", Ipv4.text(address), "dev", device));
    }

    private void gratuitousArp(String address) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("arping", "-q", "-U", "-c", "1", "-w", "0", "-i", device, "-S", address, address))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
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
    public void close() {
        if (worker != null) {
            worker.shutdown();
        }
    }
}
