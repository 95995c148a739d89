package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.cosip.Credential;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.sip.server.ServerRole;
import dev.d2r2.sip.server.ServerState;
import dev.d2r2.sip.server.SipServer;
import dev.d2r2.sip.server.StateFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 sip-server}: the built-in registrar and user agent server. */
@Command(name = "sip-server", mixinStandardHelpOptions = true,
        description = "A fast built-in SIP registrar and UAS over UDP (REGISTER, INVITE → 180/200, ACK, BYE, OPTIONS),"
                + " answering 503 beyond its capacity; with --dialogs it shares its calls with its peers, so that one of them"
                + " ends them if it dies.")
public final class SipServerCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5070", description = "(${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--max-cps", paramLabel = "N", defaultValue = "0", description = "New calls a second at most (0: no limit)")
    int maxCps;

    @Option(names = "--max-calls", paramLabel = "N", defaultValue = "0", description = "Calls at once at most (0: no limit)")
    int maxCalls;

    @Option(names = "--name", paramLabel = "NAME", description = "This server's name in its dialog events (default sip-HOST:PORT)")
    String name;

    @Option(names = "--dialogs", paramLabel = "TAG",
            description = "Share confirmed calls on this broker channel (it must keep a log), and hold the peers' as replicas")
    String dialogs;

    @Option(names = "--cosip-keypair", paramLabel = "FILE",
            description = "Issue CoSIP credentials on REGISTER, signed with this Ed25519 identity (created if missing; its 'public' line is"
                    + " the proxies' --provider-key)")
    Path cosipKeypair;

    @Option(names = "--cosip-domain", paramLabel = "DOMAIN", description = "The domain of the AORs credentials are issued for")
    String cosipDomain;

    @Option(names = "--cosip-ttl", paramLabel = "DURATION", defaultValue = "1h", description = "How long a credential is valid (${DEFAULT-VALUE})")
    String cosipTtl;

    @Option(names = "--state", paramLabel = "FILE",
            description = "Keep the registrations in this file: read at start (a clone's, copied from its source), written after each change")
    Path state;

    @Option(names = "--route-registered",
            description = "Forward requests for a registered address of record to its contact (a stateless proxy) instead of answering them")
    boolean routeRegistered;

    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
        if (maxCps < 0 || maxCalls < 0) {
            throw new IllegalArgumentException("--max-cps and --max-calls cannot be negative");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        String me = name != null ? name : "sip-" + listen;
        if ((cosipKeypair == null) != (cosipDomain == null)) {
            throw new IllegalArgumentException("--cosip-keypair and --cosip-domain go together");
        }
        ServerState startWith = state == null ? null : StateFile.startWith(state);
        try (SipServer server = new SipServer(HostPort.parse(listen), maxCps, maxCalls, "server", startWith, routeRegistered);
             BrokerClient broker = dialogs == null ? null : client.connect(Duration.ofMillis(5));
             ServerRole role = dialogs == null ? null : new ServerRole(broker, server, me, dialogs);
             StateFile kept = state == null ? null : StateFile.keep(state, server)) {
            if (cosipKeypair != null) {
                Identity provider = Files.exists(cosipKeypair) ? KeyFiles.readIdentity(cosipKeypair) : KeyFiles.createIdentity(cosipKeypair);
                server.issueCredentials(Credential.issuer(provider, cosipDomain, Durations.parse(cosipTtl), Clock.system()));
                System.err.println("sip-server: issuing CoSIP credentials for " + cosipDomain + ", provider key "
                        + HexFormat.of().formatHex(provider.publicKey()));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("sip-server: " + server.counters());
                stopped.countDown();
            }));
            System.err.println("sip-server: " + me + " listening on " + server.address().getHostString() + ":"
                    + server.address().getPort() + " (UDP)" + (maxCps > 0 ? ", at most " + maxCps + " calls/s" : "")
                    + (maxCalls > 0 ? ", at most " + maxCalls + " calls" : "")
                    + (dialogs != null ? ", sharing its calls on " + dialogs : "")
                    + (kept != null ? ", " + server.registrations() + " registrations kept in " + state : "")
                    + (routeRegistered ? ", routing to registered contacts" : ""));
            stopped.await();
        }
        return 0;
    }
}
