package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.cosip.CosipProxy;
import dev.d2r2.cosip.CosipSettings;
import dev.d2r2.cosip.Credential;
import dev.d2r2.cosip.Roster;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.overlay.node.OverlayNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code d2r2 cosip}: the CoSIP proxy in front of unmodified user agents (docs/cosip.md). */
@Command(name = "cosip", mixinStandardHelpOptions = true,
        description = "A local SIP proxy for user agents that keeps their calls going when the SIP provider fails: REGISTERs go"
                + " to the provider and into the overlay's DHT; while the provider does not answer its OPTIONS probes, calls are"
                + " set up through a DHT lookup straight to the callee's CoSIP proxy (signed both ways, rate-limited).")
public final class CosipCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5060",
            description = "Where the user agents send (UDP; ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--peer-listen", paramLabel = "HOST:PORT", required = true,
            description = "Where the provider and other CoSIP proxies reach this one (a concrete address: it goes into Contacts and the DHT)")
    String peerListen;

    @Option(names = "--server", paramLabel = "HOST:PORT", required = true, description = "The SIP provider (registrar and proxy)")
    String server;

    @Option(names = "--domain", paramLabel = "DOMAIN", required = true, description = "The provider's domain (AORs are sip:user@DOMAIN)")
    String domain;

    @Mixin DhtNodeOptions dht;

    @Option(names = "--keypair", paramLabel = "FILE", required = true,
            description = "This proxy's Ed25519 identity (created if missing); its 'public' line goes into the roster")
    Path keypair;

    @Option(names = "--roster", paramLabel = "FILE",
            description = "Without a credential-issuing provider: its users, 'sip:user@domain <public key hex>' lines")
    Path roster;

    @Option(names = "--provider-key", paramLabel = "HEX",
            description = "The provider's public key (64 hex digits): calls through the DHT are authenticated with the credentials it issues")
    String providerKey;

    @Option(names = "--credential", paramLabel = "FILE",
            description = "A credential issued offline (d2r2 cosip-credential) for a provider that issues none on REGISTER (repeatable)")
    List<Path> credentialFiles = List.of();

    @Option(names = "--revocations-every", paramLabel = "DURATION", defaultValue = "1m",
            description = "With --provider-key: how often the provider's revocation list is read from the DHT, besides at start and on"
                    + " switching to P2P mode (${DEFAULT-VALUE})")
    String revocationsEvery;

    @Option(names = "--probe-every", paramLabel = "DURATION", defaultValue = "500ms", description = "OPTIONS probe interval (${DEFAULT-VALUE})")
    String probeEvery;

    @Option(names = "--down-after", paramLabel = "N", defaultValue = "2", description = "Missed probes in a row for down (${DEFAULT-VALUE})")
    int downAfter;

    @Option(names = "--up-after", paramLabel = "N", defaultValue = "2", description = "Answered probes in a row for up (${DEFAULT-VALUE})")
    int upAfter;

    @Option(names = "--p2p-calls-per-minute", paramLabel = "N", defaultValue = "6",
            description = "The own users' new calls per minute in P2P mode (${DEFAULT-VALUE})")
    double p2pRate;

    @Option(names = "--p2p-burst", paramLabel = "N", defaultValue = "3", description = "Calls at once from a full bucket (${DEFAULT-VALUE})")
    int p2pBurst;

    @Mixin EventOutlet events;

    @Override
    public Integer call() throws Exception {
        Identity identity = Files.exists(keypair) ? KeyFiles.readIdentity(keypair) : KeyFiles.createIdentity(keypair);
        if ((roster == null) == (providerKey == null)) {
            throw new IllegalArgumentException("give --provider-key (credentials from the provider) or --roster, one of them");
        }
        Roster users = roster == null ? Roster.of(Map.of()) : Roster.read(roster);
        CosipSettings base = CosipSettings.defaults(HostPort.parse(listen), HostPort.parse(peerListen), HostPort.parse(server), domain);
        CosipSettings settings = base.withProbes(Durations.parse(probeEvery), downAfter, upAfter).withP2pRate(p2pRate, p2pBurst);
        if (providerKey != null) {
            settings = settings.withProvider(KeyFiles.hex("--provider-key", 1, 1, providerKey, 32))
                    .withRevocationsEvery(Durations.parse(revocationsEvery));
        }
        List<SignedValue> held = new ArrayList<>();
        for (Path f : credentialFiles) {
            held.add(offline(f, settings.providerKey(), identity));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (EventOutlet.Open out = events.open();
             OverlayNode node = dht.start();
             CosipProxy proxy = CosipProxy.start(settings, identity, users, node, out, Clock.system())) {
            held.forEach(proxy::hold);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    System.err.println("cosip: " + proxy.status().get(2, TimeUnit.SECONDS));
                } catch (Exception e) {
                    System.err.println("cosip: no status at exit: " + e);
                }
                stopped.countDown();
            }));
            System.out.println("cosip: user agents → " + hostPort(proxy.address()) + ", peers → " + hostPort(proxy.peerAddress())
                    + ", provider " + server + ", DHT node " + hostPort(node.address()));
            System.out.flush();
            stopped.await();
        }
        return 0;
    }

    /** An offline credential, checked now: the provider's, not expired, for this proxy's key. */
    private static SignedValue offline(Path file, byte[] providerKey, Identity identity) throws IOException {
        if (providerKey == null) {
            throw new IllegalArgumentException("--credential needs --provider-key");
        }
        SignedValue value = Credential.decode(Files.readString(file));
        if (value == null) {
            throw new IllegalArgumentException(file + ": not a CoSIP credential");
        }
        Credential.Checked c = Credential.check(value, providerKey, Credential.aor(value), System.currentTimeMillis());
        if (c.verdict() != Credential.Verdict.OK) {
            throw new IllegalArgumentException(file + ": the credential is " + c.verdict().name().toLowerCase(Locale.ROOT));
        }
        if (!Arrays.equals(c.key(), identity.publicKey())) {
            throw new IllegalArgumentException(file + ": the credential is for another key than --keypair's");
        }
        return value;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
