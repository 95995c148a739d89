package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.HostPort;
import dev.d2r2.migrate.GroupKey;
import dev.d2r2.migrate.dns.AddressAndName;
import dev.d2r2.migrate.dns.DnsServiceAddress;
import dev.d2r2.migrate.dns.DnsUpdater;
import dev.d2r2.migrate.dns.TsigKey;
import dev.d2r2.migrate.takeover.IpServiceAddress;
import dev.d2r2.migrate.takeover.NatFront;
import dev.d2r2.migrate.takeover.NftSteering;
import dev.d2r2.migrate.takeover.NoAddress;
import dev.d2r2.migrate.takeover.ServiceAddress;
import dev.d2r2.migrate.takeover.TakeoverConfig;
import dev.d2r2.migrate.takeover.TakeoverNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 takeover}: one member of an IP takeover group (docs/migration.md). */
@Command(name = "takeover", mixinStandardHelpOptions = true,
        description = "Run one member of an IP takeover group: keepalives every period, the service address taken over"
                + " with gratuitous ARP when the holder falls silent, fenced by a majority and epochs. A witness with nat"
                + " is the group's NAT front: it rewrites its nftables rule so the public address reaches the holder."
                + " Prints its takeover.* events on stdout.")
public final class TakeoverCommand implements Callable<Integer> {
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(1);
    private static final int DNS_ATTEMPTS = 5;
    private static final Duration NAT_RETRY = Duration.ofMillis(200);

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The member's YAML file")
    Path config;

    @ArgGroup(exclusive = false, heading = "DNS-based redundancy: the holder also points a name at its own address"
            + " (--dns-server, --dns-zone, --dns-name and --dns-key together)%n")
    DnsOptions dns;

    static final class DnsOptions {
        @Option(names = "--dns-server", paramLabel = "HOST:PORT", required = true,
                description = "The zone's primary server, which accepts RFC 2136 updates signed with the key")
        String server;
        @Option(names = "--dns-zone", paramLabel = "ZONE", required = true, description = "The zone to update")
        String zone;
        @Option(names = "--dns-name", paramLabel = "NAME", required = true, description = "The name clients resolve, in the zone")
        String name;
        @Option(names = "--dns-key", paramLabel = "FILE", required = true,
                description = "TSIG key, HMAC-SHA256: what knot's keymgr -t prints, or one line hmac-sha256:NAME:BASE64")
        Path key;
        @Option(names = "--dns-address", paramLabel = "IPV4",
                description = "The address the name points at while this member holds (default: the host of listen)")
        String address;
        @Option(names = "--dns-ttl", paramLabel = "SECONDS", defaultValue = "5",
                description = "TTL of the record: how long resolvers may keep the old address (default: ${DEFAULT-VALUE})")
        long ttl;
    }

    @Override
    public Integer call() throws Exception {
        TakeoverConfig c = TakeoverConfig.load(config);
        byte[] key = GroupKey.read(config.toAbsolutePath().getParent().resolve(c.keyFile()));
        CountDownLatch stopped = new CountDownLatch(1);
        ServiceAddress own = c.role() == TakeoverConfig.Role.witness ? null
                : c.address() == null ? new NoAddress() : new IpServiceAddress(c.address(), c.iface());
        if (dns != null && own == null) {
            throw new IllegalArgumentException("a witness never holds the service: remove the --dns-* options");
        }
        DnsServiceAddress named = dns == null ? null : dnsAddress(c);
        ServiceAddress service = named == null ? own : new AddressAndName(own, named);
        NatFront front = c.nat() == null ? null : new NatFront(c.name(), c.nat(),
                new NftSteering(List.of("nft"), c.nat().table(), c.nat().publicSocket()), NAT_RETRY.toMillis(),
                steered -> print(steered.toEvent()), line -> {
                    System.err.println("takeover: " + line);
                    System.err.flush();
                }, task -> Thread.ofVirtual().name("d2r2-nat-steer").start(task));
        try (named; TakeoverNode node = new TakeoverNode(c, key, service, Clock.system(), change -> print(change.toEvent()),
                front)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.err.println("takeover: " + node.counters());
                stopped.countDown();
            }));
            node.start();
            System.err.println("takeover: " + c.name() + " (" + c.role() + ") on " + c.listen() + ", keepalives every "
                    + c.periodDuration().toMillis() + " ms, " + c.missCount() + " misses"
                    + (service != null ? ", address " + service.address() + " on " + service.iface() : "")
                    + (front != null ? ", NAT front of " + c.nat().publicAddress() + " (table ip " + c.nat().table() + ")" : "")
                    + (named != null ? ", name " + dns.name + " -> " + named.address() + " at " + dns.server : ""));
            stopped.await();
        }
        return 0;
    }

    private static synchronized void print(Event e) {
        System.out.println(EventCodec.encodeToString(e));
        System.out.flush();
    }

    private DnsServiceAddress dnsAddress(TakeoverConfig c) throws Exception {
        TsigKey key = TsigKey.load(dns.key);
        String own = dns.address != null ? dns.address : c.listenAddress().getHostString();
        InetAddress parsed;
        try {
            parsed = InetAddress.ofLiteral(own);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dns-address: " + own + " is not an IPv4 address");
        }
        if (!(parsed instanceof Inet4Address v4) || v4.isAnyLocalAddress()) {
            throw new IllegalArgumentException("--dns-address: the name needs this member's own IPv4 address, not " + own
                    + (dns.address == null ? " (from listen); give --dns-address" : ""));
        }
        if (dns.ttl < 0 || dns.ttl > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--dns-ttl: " + dns.ttl + " is not a TTL in seconds");
        }
        DnsUpdater updater = new DnsUpdater(HostPort.parse(dns.server), dns.zone, key, DNS_TIMEOUT);
        return new DnsServiceAddress(updater, dns.name, v4, dns.ttl, DNS_ATTEMPTS, DNS_TIMEOUT, line -> {
            System.err.println("takeover: " + line);
            System.err.flush();
        });
    }
}
