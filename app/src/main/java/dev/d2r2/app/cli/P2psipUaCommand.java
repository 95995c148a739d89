package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import dev.d2r2.p2psip.ua.PeerNetwork;
import dev.d2r2.p2psip.ua.SipFace;
import dev.d2r2.p2psip.ua.UserAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 p2psip ua}: SIP faces for two unmodified SIP agents, a caller and a callee, over a
 * Pr2-P2PSIP network of peers run in this process (docs/p2psip.md, "The SIP face").
 */
@Command(name = "ua", mixinStandardHelpOptions = true,
        description = "Run two Pr2-P2PSIP user agents with SIP faces over --peers in-process peers: a SIP agent that sends to --listen "
                + "calls sip:CALLEE@..., which reaches the agent at --callee-ua through the tunnels.")
final class P2psipUaCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "The caller's SIP face (its agent's outbound proxy; default ${DEFAULT-VALUE})")
    String listen = "127.0.0.1:5070";

    @Option(names = "--callee", paramLabel = "USER", description = "The callee's SIP user name (default ${DEFAULT-VALUE})") String callee = "bob";

    @Option(names = "--callee-listen", paramLabel = "HOST:PORT", description = "The callee's SIP face (default ${DEFAULT-VALUE})")
    String calleeListen = "127.0.0.1:5072";

    @Option(names = "--callee-ua", required = true, paramLabel = "HOST:PORT", description = "Where the callee's SIP agent listens") String calleeUa;

    @Option(names = "--peers", paramLabel = "N", description = "Peers (storage node and relay each), at least 6 (default ${DEFAULT-VALUE})")
    int peers = 16;

    @Option(names = "--inbound-tunnels", paramLabel = "Q", description = "Inbound tunnels (entry points) per user (default ${DEFAULT-VALUE})")
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
        if (peers < 6) {
            throw new IllegalArgumentException("--peers: at least 6 (3 inbound hops, 2 outbound, distinct), not " + peers);
        }
        InetSocketAddress callerFace = HostPort.parse(listen);
        InetSocketAddress calleeFace = HostPort.parse(calleeListen);
        UserAgent.Settings settings = new UserAgent.Settings(inbound, 2, Durations.parse(refresh), Durations.parse(lifetime),
                Durations.parse(timeout));
        if (settings.lifetime().compareTo(settings.refresh()) <= 0) {
            throw new IllegalArgumentException("--lifetime must be longer than --refresh, or contact data lapses between refreshes");
        }
        InetAddress host = callerFace.getAddress();
        try (PeerNetwork network = PeerNetwork.start(peers, host, Clock.system());
             Relay callerRelay = Relay.start("caller", host, Clock.system(), TunnelEnd.IGNORE);
             Relay calleeRelay = Relay.start("callee", host, Clock.system(), TunnelEnd.IGNORE)) {
            network.awaitJoined(6, Duration.ofSeconds(30));
            UserAgent calleeAgent = agent(calleeRelay, settings, network);
            try (SipFace calleeSip = new SipFace(calleeAgent, calleeFace, HostPort.parse(calleeUa), Map.of());
                 SipFace callerSip = new SipFace(agent(callerRelay, settings, network), callerFace, null,
                         Map.of(callee, calleeAgent.identityKey()));
                 BrokerClient broker = channel == null ? null : client.connect();
                 Publisher publisher = broker == null ? null : broker.publisher(channel)) {
                System.out.println("p2psip ua over " + peers + " peers: caller's SIP face on " + address(callerSip) + ", calls to sip:"
                        + callee + "@… reach " + calleeUa + " through " + address(calleeSip));
                System.out.flush();
                StatusReports.run(Durations.parse(statusEvery), count, print, publisher, () -> List.of(
                        callerSip.status(System.currentTimeMillis()).toEvent(), calleeSip.status(System.currentTimeMillis()).toEvent()));
            }
        }
        return 0;
    }

    private static UserAgent agent(Relay relay, UserAgent.Settings settings, PeerNetwork network) throws Exception {
        SecureRandom random = new SecureRandom();
        return UserAgent.start(Identity.generate(), relay, settings, Clock.system(), network::hops,
                new PathSelector(relay.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random));
    }

    private static String address(SipFace face) {
        return face.address().getHostString() + ":" + face.address().getPort();
    }
}
