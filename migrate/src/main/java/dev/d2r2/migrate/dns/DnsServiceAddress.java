package dev.d2r2.migrate.dns;

import dev.d2r2.migrate.takeover.ServiceAddress;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * DNS-based redundancy for a takeover member: when it takes the service over, the name is
 * pointed at this member's own address by a signed DNS UPDATE; clients that resolve the name
 * follow once their cached answer expires (the TTL bounds how fast). Releasing changes nothing
 * in DNS: the next holder points the name at itself.
 *
 * <p>The update runs on its own thread, so a slow or absent DNS server never delays the
 * member's keepalives; it is retried every {@code retry} up to {@code attempts} times while this
 * member still holds the service, and each outcome is told to {@code log}.
 */
public final class DnsServiceAddress implements ServiceAddress, AutoCloseable {
    private final DnsUpdater updater;
    private final String name;
    private final Inet4Address own;
    private final long ttl;
    private final int attempts;
    private final Duration retry;
    private final Consumer<String> log;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("d2r2-takeover-dns").daemon().factory());
    private volatile long generation;
    private volatile boolean holding;

    public DnsServiceAddress(DnsUpdater updater, String name, Inet4Address own, long ttl, int attempts, Duration retry,
                             Consumer<String> log) {
        if (!updater.covers(name)) {
            throw new IllegalArgumentException(name + " is not in the zone the updater changes");
        }
        this.updater = updater;
        this.name = DnsNames.normalise(name);
        this.own = own;
        this.ttl = ttl;
        this.attempts = attempts;
        this.retry = retry;
        this.log = log;
        worker.execute(updater::warmUp);
    }

    @Override
    public void acquire() {
        holding = true;
        long g = ++generation;
        worker.execute(() -> update(g, 1));
    }

    private void update(long g, int attempt) {
        if (!holding || g != generation) {
            return;
        }
        long start = System.nanoTime();
        try {
            updater.replaceA(name, own, ttl);
            log.accept("dns: " + name + " A " + own.getHostAddress() + " (ttl " + ttl + " s) in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (DnsUpdateException e) {
            boolean again = attempt < attempts;
            log.accept("dns: attempt " + attempt + " of " + attempts + " failed: " + e.getMessage()
                    + (again ? "; again in " + retry.toMillis() + " ms" : "; giving up"));
            if (again) {
                worker.schedule(() -> update(g, attempt + 1), retry.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void release() {
        holding = false;
    }

    @Override
    public String address() {
        return own.getHostAddress() + "/32";
    }

    @Override
    public String iface() {
        return "dns " + name;
    }

    @Override
    public void close() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }
}
