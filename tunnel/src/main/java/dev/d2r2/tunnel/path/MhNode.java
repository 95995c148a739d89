package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.tunnel.wire.TunnelKey;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running multihomed endpoint: a socket per path, the application socket, the {@link MhRole}
 * on its {@link AgentRunner}, a {@link PathReader} thread per path and the {@link AppSender}.
 * Events go to the given sink, on the role's thread.
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

    /** Starts an endpoint from its configuration file (the key file is found relative to it). */
    public static MhNode start(Path file, Clock clock, Consumer<Event> events) throws IOException, ConfigException {
        MhConfig c = load(file);
        Path dir = file.toAbsolutePath().getParent();
        TunnelKey key = TunnelKey.read(dir == null ? Path.of(c.key()) : dir.resolve(c.key()));
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
        AgentRunner runner = new AgentRunner(new MhRole(c, links, key.macFor(c.tunnel()), clock, System::nanoTime, events), 4096, clock);
        runner.start();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().name("d2r2-mh-" + names[i] + "-in").daemon()
                    .start(new PathReader(i, c.tunnel(), links, key.macFor(c.tunnel()), runner)));
        }
        threads.add(Thread.ofPlatform().name("d2r2-mh-app-in").daemon().start(new AppSender(c.tunnel(), links, key.macFor(c.tunnel()))));
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
