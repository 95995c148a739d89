package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.cosip.CosipIssuer;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.overlay.node.OverlayNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code d2r2 cosip-issuer}: CoSIP credentials for a registrar that cannot sign them (Kamailio), and their revocation (docs/cosip.md). */
@Command(name = "cosip-issuer", mixinStandardHelpOptions = true,
        description = "Issue CoSIP credentials over HTTP for a registrar that cannot sign them (Kamailio calls POST /credential on each"
                + " REGISTER and puts the answer into its 200), and revoke them (POST /revoke: a signed revocation list in the DHT)."
                + " Every request needs the bearer token.")
public final class CosipIssuerCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8470",
            description = "The HTTP address (${DEFAULT-VALUE}; beyond loopback only with --beyond-loopback: the token travels in clear)")
    String listen;

    @Option(names = "--beyond-loopback", description = "Allow --listen on an address other than loopback")
    boolean beyondLoopback;

    @Option(names = "--token-file", paramLabel = "FILE", required = true,
            description = "The bearer token (created, mode 600, if missing); Kamailio's route reads the same file")
    Path tokenFile;

    @Option(names = "--provider-keypair", paramLabel = "FILE", required = true,
            description = "The provider's Ed25519 identity (created if missing; its public key is printed: the proxies' --provider-key)")
    Path providerKeypair;

    @Option(names = "--domain", paramLabel = "DOMAIN", required = true, description = "The provider's domain (AORs are sip:user@DOMAIN)")
    String domain;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "How long a credential is valid (${DEFAULT-VALUE})")
    String ttl;

    @Option(names = "--revocations", paramLabel = "FILE",
            description = "Where revocations are kept across restarts ('user epoch-millis' lines; default: in memory only)")
    Path revocations;

    @Mixin DhtNodeOptions dht;

    @Mixin EventOutlet events;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress at = HostPort.parse(listen);
        if (!beyondLoopback && !at.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--listen " + listen + " is not loopback (add --beyond-loopback to mean it)");
        }
        Identity provider = Files.exists(providerKeypair) ? KeyFiles.readIdentity(providerKeypair) : KeyFiles.createIdentity(providerKeypair);
        BearerToken token = BearerToken.loadOrCreate(tokenFile);
        CosipIssuer.Settings settings = new CosipIssuer.Settings(at, domain, Durations.parse(ttl), revocations);
        CountDownLatch stopped = new CountDownLatch(1);
        try (EventOutlet.Open out = events.open();
             OverlayNode node = dht.start();
             CosipIssuer issuer = CosipIssuer.start(settings, provider, token, node, out, Clock.system())) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    System.err.println("cosip-issuer: " + issuer.counters().get(2, TimeUnit.SECONDS));
                } catch (Exception e) {
                    System.err.println("cosip-issuer: no counters at exit: " + e);
                }
                stopped.countDown();
            }));
            System.out.println("cosip-issuer: http://" + issuer.address().getHostString() + ":" + issuer.address().getPort()
                    + " for " + domain + ", provider key " + HexFormat.of().formatHex(provider.publicKey()));
            System.out.flush();
            stopped.await();
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return 0;
    }
}
