package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running multihomed endpoint: a socket per path, the application socket, the {@link MhRole}
 * on its {@link AgentRunner}, a {@link PathReader} thread per path and the {@link AppSender}.
 * Events go to the given sink, on the role's thread. Its frames are sealed with the keys of its
 * identity and the peer's, one per direction: the endpoint whose public key is the lower (unsigned)
 * takes the EN's place in {@link TunnelIdentity#pairKey}, so both ends agree without a word.
 */
public final class MhNode implements AutoCloseable {
    private final AgentRunner runner;
    private final Links links;
    private final List<Thread> threads;

    private MhNode(AgentRunner runner, Links links, List<Thread> threads) {
        this.runner = runner;
        this.links = links;
        this.threads = threads;
    }

    public static MhConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, MhConfig.class);
    }

    /** Starts an endpoint from its configuration file (the identity file is found relative to it). */
    public static MhNode start(Path file, Clock clock, Consumer<Event> events) throws IOException, ConfigException {
        MhConfig c = load(file);
        Path dir = file.toAbsolutePath().getParent();
        TunnelIdentity me = TunnelIdentity.of(IdentityFile.load(dir == null ? Path.of(c.identity()) : dir.resolve(c.identity())).signingKey());
        byte[] peer = TunnelIdentity.parsePublic(c.peerPublicKey());
        boolean first = Arrays.compareUnsigned(me.publicKey(), peer) < 0;
        byte[] sendKey = me.pairKey(peer, c.tunnel(), first, first ? Direction.EN_TO_DN : Direction.DN_TO_EN);
        byte[] receiveKey = me.pairKey(peer, c.tunnel(), first, first ? Direction.DN_TO_EN : Direction.EN_TO_DN);
        int n = c.paths().size();
        String[] names = new String[n];
        DatagramChannel[] channels = new DatagramChannel[n];
        InetSocketAddress[] remotes = new InetSocketAddress[n];
        DatagramChannel app = null;
        try {
            for (int i = 0; i < n; i++) {
                MhConfig.PathRef p = c.paths().get(i);
                names[i] = p.name();
                remotes[i] = p.remoteAddress();
                channels[i] = DatagramChannel.open().bind(p.localAddress());
            }
            app = DatagramChannel.open().bind(HostPort.parse(c.app().listen()));
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel ch : channels) {
                if (ch != null) {
                    ch.close();
                }
            }
            throw e;
        }
        Links links = new Links(names, channels, remotes, app, c.app().to() == null ? null : HostPort.parse(c.app().to()));
        AgentRunner runner = new AgentRunner(new MhRole(c, links, new PacketMac(sendKey), clock, System::nanoTime, events), 4096, clock);
        runner.start();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().name("d2r2-mh-" + names[i] + "-in").daemon()
                    .start(new PathReader(i, c.tunnel(), links, new PacketMac(receiveKey), new PacketMac(sendKey), runner)));
        }
        threads.add(Thread.ofPlatform().name("d2r2-mh-app-in").daemon().start(new AppSender(c.tunnel(), links, new PacketMac(sendKey))));
        return new MhNode(runner, links, threads);
    }

    /** Applies a change of trust in a path or the peer (on the role's thread). */
    public void trust(TrustInput input) {
        runner.offer(input);
    }

    /** The application socket's bound address. */
    public InetSocketAddress appAddress() throws IOException {
        return (InetSocketAddress) links.app.getLocalAddress();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        runner.close();
        links.close();
        for (Thread t : threads) {
            t.join(2000);
        }
    }
}
