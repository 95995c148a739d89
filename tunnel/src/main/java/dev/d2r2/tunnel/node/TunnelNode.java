package dev.d2r2.tunnel.node;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.tunnel.path.TrustInput;
import dev.d2r2.tunnel.tun.IpCommand;
import dev.d2r2.tunnel.tun.TunDevice;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.ReplayWindow;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelKey;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A running EN or DN: its TUN device, its UDP port, its role on an {@link AgentRunner} and its
 * {@link DataPath}. Events go to the given sink, on the role's thread.
 */
public final class TunnelNode implements RunningNode {
    private final AgentRunner runner;
    private final DataPath dataPath;
    private final Announcer announcer;
    private final InetSocketAddress address;

    private TunnelNode(AgentRunner runner, DataPath dataPath, Announcer announcer, InetSocketAddress address) {
        this.runner = runner;
        this.dataPath = dataPath;
        this.announcer = announcer;
        this.address = address;
    }

    public static EnConfig loadEn(Path file) throws ConfigException {
        return ConfigLoader.load(file, EnConfig.class);
    }

    public static DnConfig loadDn(Path file) throws ConfigException {
        return ConfigLoader.load(file, DnConfig.class);
    }

    /** Starts an EN from its configuration file (the key or identity file is found relative to it). */
    public static TunnelNode startEn(Path file, Clock clock, Consumer<Event> events) throws IOException, ConfigException {
        EnConfig c = loadEn(file);
        EnKeys keys = c.identity() == null ? EnKeys.master(TunnelKey.read(resolve(file, c.key())), c.tunnel(), c.dns().size())
                : EnKeys.identity(identity(file, c.identity()), c.tunnel(), c.dns().stream().map(d -> TunnelIdentity.parsePublic(d.publicKey())).toList());
        TunDevice tun = TunDevice.open(c.device());
        DatagramChannel[] uplinks = new DatagramChannel[Math.max(1, c.uplinks().size())];
        try {
            IpCommand.run("link", "set", "dev", c.device(), "mtu", Integer.toString(c.mtuOrDefault()), "up");
            for (int i = 0; i < uplinks.length; i++) {
                uplinks[i] = DatagramChannel.open().bind(HostPort.parse(c.uplinks().isEmpty() ? c.listenOrDefault() : c.uplinks().get(i).local()));
            }
            Counters counters = new Counters(uplinks.length);
            EnRole role = new EnRole(c, keys, uplinks, clock, System::nanoTime, new SplittableRandom(), events, (a, prefix) -> {
                IpCommand.run("addr", "replace", Ipv4.text(a) + "/32", "dev", c.device());
                for (String route : c.routes()) {
                    IpCommand.run("route", "replace", route, "dev", c.device(), "src", Ipv4.text(a));
                }
            }, counters);
            AgentRunner runner = new AgentRunner(role, 4096, clock);
            DataPath.Inbound inbound = new DataPath.Inbound() {
                @Override
                public DataPath.ReaderKeys readerKeys() {
                    PacketMac[] fromDn = new PacketMac[keys.size()];
                    for (int i = 0; i < fromDn.length; i++) {
                        fromDn[i] = keys.fromDn(i);
                    }
                    return (from, tunnelId) -> {
                        int dn = tunnelId == c.tunnel() ? role.dnIndexAt(from) : -1;
                        return dn < 0 ? null : fromDn[dn];
                    };
                }

                @Override
                public void control(InetSocketAddress from, int tunnelId, Control message) {
                    runner.offer(new Received(from, tunnelId, message));
                }

                @Override
                public boolean data(int tunnelId) {
                    return true;
                }

                @Override
                public ReplayWindow window(InetSocketAddress from, int tunnelId) {
                    return role.windowFrom(from);
                }
            };
            DelayStages delay = DelayStages.of(c.testDelays(), c.mtuOrDefault() + GreFrame.OVERHEAD, clock, new SplittableRandom());
            DataPath dataPath = new DataPath(tun, uplinks, (buf, offset, length) -> role.activePeer(), role::nextUplink, inbound, counters,
                    delay);
            return start(runner, dataPath, null, uplinks[0], c.name());
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel u : uplinks) {
                if (u != null) {
                    u.close();
                }
            }
            tun.close();
            throw e;
        }
    }

    /** Starts a DN from its configuration file (the key and identity files are found relative to it). */
    public static TunnelNode startDn(Path file, Clock clock, Consumer<Event> events) throws IOException, ConfigException {
        DnConfig c = loadDn(file);
        DnKeys keys = new DnKeys(c.key() == null ? null : TunnelKey.read(resolve(file, c.key())),
                c.identity() == null ? null : identity(file, c.identity()), c.peerKeys());
        TunDevice tun = TunDevice.open(c.device());
        DatagramChannel channel = null;
        Announcer announcer = null;
        try {
            announcer = new Announcer(c.announce());
            IpCommand.run("link", "set", "dev", c.device(), "mtu", Integer.toString(c.mtuOrDefault()), "up");
            IpCommand.run("route", "replace", c.clients(), "dev", c.device());
            channel = DatagramChannel.open().bind(HostPort.parse(c.listen()));
            Counters counters = new Counters();
            DnRole role = new DnRole(c, keys, channel, clock, new SplittableRandom(), events, announcer, counters);
            AgentRunner runner = new AgentRunner(role, 4096, clock);
            WindowTable windows = new WindowTable(c.bfd().timers().replayForgetNanos());
            DataPath.Inbound inbound = new DataPath.Inbound() {
                @Override
                public DataPath.ReaderKeys readerKeys() {
                    MacCache cache = new MacCache(keys::fromEn);
                    return (from, tunnelId) -> cache.macFor(tunnelId);
                }

                @Override
                public void control(InetSocketAddress from, int tunnelId, Control message) {
                    runner.offer(new Received(from, tunnelId, message));
                }

                @Override
                public boolean data(int tunnelId) {
                    Peer peer = role.table().byTunnel(tunnelId);
                    if (peer == null) {
                        return false;
                    }
                    if (!peer.carrying && peer.activationAsked.compareAndSet(false, true)) {
                        runner.offer(new Activate(tunnelId));
                    }
                    return true;
                }

                @Override
                public ReplayWindow window(InetSocketAddress from, int tunnelId) {
                    return windows.windowFor(tunnelId);
                }
            };
            DataPath dataPath = new DataPath(tun, channel, (buf, offset, length) -> role.table().route(buf, offset, length), inbound, counters,
                    DelayStages.of(new TestDelay[]{c.testDelay()}, c.mtuOrDefault() + GreFrame.OVERHEAD, clock, new SplittableRandom()));
            return start(runner, dataPath, announcer, channel, c.name());
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            if (announcer != null) {
                announcer.close();
            }
            tun.close();
            throw e;
        }
    }

    private static TunnelNode start(AgentRunner runner, DataPath dataPath, Announcer announcer, DatagramChannel channel, String name)
            throws IOException {
        InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
        runner.start();
        dataPath.start(name);
        return new TunnelNode(runner, dataPath, announcer, bound);
    }

    /** The tunnel public key of a d2r2 identity file, as its peers configure it ({@code public-key}: 64 hex digits). */
    public static String publicKey(Path identityFile) throws IOException {
        return TunnelIdentity.of(IdentityFile.load(identityFile).signingKey()).publicHex();
    }

    /** The tunnel key of the d2r2 identity file {@code identityFile} (relative to the configuration file). */
    static TunnelIdentity identity(Path configFile, String identityFile) throws IOException {
        return TunnelIdentity.of(IdentityFile.load(resolve(configFile, identityFile)).signingKey());
    }

    static Path resolve(Path configFile, String keyFile) {
        Path dir = configFile.toAbsolutePath().getParent();
        return dir == null ? Path.of(keyFile) : dir.resolve(keyFile);
    }

    /** An EN's change of trust in one of its DNs or uplinks (applied on the role's thread). */
    public void trust(TrustInput input) {
        runner.offer(input);
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        runner.close();
        dataPath.close();
        if (announcer != null) {
            announcer.close();
        }
    }
}
