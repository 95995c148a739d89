package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.overlay.ForwardingNode;
import dev.d2r2.p2psip.overlay.ForwardingPool;
import dev.d2r2.p2psip.overlay.PseudonymOverlays;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import dev.d2r2.p2psip.ua.SipFace;
import dev.d2r2.p2psip.ua.UserAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 p2psip agent}: one user's Pr2-P2PSIP user agent and SIP face in its own process, its
 * tunnels through relays of its forwarding pool, filled by lookups of random ids in the forwarding
 * overlay (docs/p2psip.md, "Across processes").
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run one user's Pr2-P2PSIP user agent with a SIP face on --listen, its tunnels through relays found by "
                + "lookups of random ids in the forwarding overlay.")
final class P2psipAgentCommand implements Callable<Integer> {
    @Option(names = "--forwarding-seed", required = true, paramLabel = "HOST:PORT",
            description = "A forwarding-overlay node to join through (printed by d2r2 p2psip peer); repeat for more")
    List<String> forwardingSeeds = new ArrayList<>();

    @Option(names = "--forwarding-key", required = true, paramLabel = "FILE", description = "The forwarding overlay's key") Path forwardingKey;

    @Option(names = "--as-key", required = true, paramLabel = "HEX",
            description = "The authentication server's public key, which the relays' forwarding certificates must check against") String asKey;

    @Option(names = "--pool-size", paramLabel = "N", description = "Relays kept in the forwarding pool (default ${DEFAULT-VALUE})")
    int poolSize = 32;

    @Option(names = "--pool-lookups", paramLabel = "N", description = "Random ids looked up per pool refresh (default ${DEFAULT-VALUE})")
    int poolLookups = 3;

    @Option(names = "--pool-refresh", paramLabel = "DURATION", description = "The pool is refreshed every (default ${DEFAULT-VALUE})")
    String poolRefresh = "1m";

    @Option(names = "--pool-min", paramLabel = "N", description = "Relays the pool must hold before the agent starts (default ${DEFAULT-VALUE})")
    int poolMin = 6;

    @Option(names = "--guards", paramLabel = "FILE",
            description = "Where the entry guards are kept across restarts (default: next to --user-key, its name + .guards)")
    Path guardsFile;

    @Option(names = "--guard-lifetime", paramLabel = "DURATION",
            description = "An entry guard is kept between one and two of these, unless it leaves (default ${DEFAULT-VALUE})")
    String guardLifetime = "30d";

    @Option(names = "--user-key", required = true, paramLabel = "FILE", description = "The user's identity key (created if missing)")
    Path identityFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "The SIP face (its agent's outbound proxy; default ${DEFAULT-VALUE})")
    String listen = "127.0.0.1:5070";

    @Option(names = "--sip-ua", paramLabel = "HOST:PORT",
            description = "Where calls to this user are delivered (default: where the local agent last sent from)") String sipUa;

    @Option(names = "--contact", paramLabel = "USER=HEXKEY", description = "An address book entry: a SIP user name and its identity key")
    Map<String, String> contacts = new LinkedHashMap<>();

    @Option(names = "--inbound-tunnels", paramLabel = "Q", description = "Inbound tunnels (entry points) (default ${DEFAULT-VALUE})")
    int inbound = 2;

    @Option(names = "--refresh", paramLabel = "DURATION", description = "τ, contact data published again every (default ${DEFAULT-VALUE})")
    String refresh = "5m";

    @Option(names = "--lifetime", paramLabel = "DURATION", description = "Contact data valid for, more than τ (default ${DEFAULT-VALUE})")
    String lifetime = "15m";

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Per overlay request through a tunnel (default ${DEFAULT-VALUE})")
    String timeout = "3s";

    @Option(names = "--status-every", paramLabel = "DURATION", description = "Status interval (default ${DEFAULT-VALUE})") String statusEvery = "10s";

    @Option(names = "--print", description = "Print each p2psip.ua.status event on stdout") boolean print;

    @Option(names = "--channel", paramLabel = "TAG", description = "Publish the status events on this broker channel") String channel;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N status reports (default: run until stopped)") long count;

    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
        UserAgent.Settings settings = new UserAgent.Settings(inbound, 2, Durations.parse(refresh), Durations.parse(lifetime),
                Durations.parse(timeout));
        if (settings.lifetime().compareTo(settings.refresh()) <= 0) {
            throw new IllegalArgumentException("--lifetime must be longer than --refresh, or contact data lapses between refreshes");
        }
        if (poolMin < 1 || poolMin > poolSize) {
            throw new IllegalArgumentException("--pool-min: 1 to --pool-size (" + poolSize + "), not " + poolMin);
        }
        Map<String, byte[]> addressBook = new LinkedHashMap<>();
        contacts.forEach((user, key) -> addressBook.put(user, KeyFiles.hex("--contact " + user, 1, 1, key, 32)));
        Identity identity = Files.exists(identityFile) ? KeyFiles.readIdentity(identityFile) : KeyFiles.createIdentity(identityFile);
        InetSocketAddress face = HostPort.parse(listen);
        CertificateVerifier verifier = new CertificateVerifier(KeyFiles.hex("--as-key", 1, 1, asKey, Certificate.KEY_BYTES), Clock.system());
        SecureRandom random = new SecureRandom();
        Path guardsAt = guardsFile != null ? guardsFile : identityFile.resolveSibling(identityFile.getFileName() + ".guards");
        EntryGuards guards = EntryGuards.persisted(EntryGuards.DEFAULT_COUNT, random, Clock.system(), Durations.parse(guardLifetime), guardsAt);
        try (Relay relay = Relay.start("agent", face.getAddress(), Clock.system(), TunnelEnd.IGNORE);
             ForwardingNode forwarding = PseudonymOverlays.lookupNode(new OverlayNode.Settings(new InetSocketAddress(face.getAddress(), 0),
                     forwardingSeeds.stream().map(HostPort::parse).toList(), KeyFiles.readNetworkKey(forwardingKey), KadConfig.defaults(),
                     Duration.ofSeconds(30)), new ForwardingPool(new ForwardingPool.Settings(poolSize, poolLookups), verifier, random),
                     Clock.system())) {
            forwarding.awaitPool(poolMin, Duration.ofSeconds(60));
            forwarding.refreshEvery(Durations.parse(poolRefresh));
            ForwardingPool pool = forwarding.pool();
            UserAgent agent = UserAgent.start(identity, relay, settings, Clock.system(), pool::hops,
                    new PathSelector(relay.self(), guards, random));
            try (SipFace sip = new SipFace(agent, face, sipUa == null ? null : HostPort.parse(sipUa), addressBook);
                 BrokerClient broker = channel == null ? null : client.connect();
                 Publisher publisher = broker == null ? null : broker.publisher(channel)) {
                String address = sip.address().getHostString() + ":" + sip.address().getPort();
                System.out.println("p2psip agent " + HexFormat.of().formatHex(identity.publicKey()) + ": SIP face on " + address
                        + " over " + pool.hops().size() + " relays of the forwarding overlay");
                System.out.flush();
                StatusReports.run(Durations.parse(statusEvery), count, print, publisher,
                        () -> List.of(sip.status(System.currentTimeMillis()).toEvent()));
            }
        }
        return 0;
    }
}
