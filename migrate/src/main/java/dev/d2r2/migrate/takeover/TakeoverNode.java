package dev.d2r2.migrate.takeover;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.migrate.events.AddressChange;
import dev.d2r2.migrate.takeover.KeepaliveCodec.BadKeepalive;
import dev.d2r2.migrate.takeover.TakeoverConfig.Peer;
import dev.d2r2.migrate.takeover.TakeoverMachine.Action;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One member of a takeover group as a single-threaded agent: every period it sends its
 * keepalive to each peer and lets its {@link TakeoverMachine} decide; a receiver thread only
 * copies datagrams into the inbox, where they are authenticated. Acquiring and releasing the
 * {@link ServiceAddress} happen on the agent's thread, and each is reported as an
 * {@link AddressChange}. A witness that is the group's NAT front tells its {@link NatFront} the
 * leader after each keepalive and tick, on the same thread.
 */
public final class TakeoverNode implements Agent, AutoCloseable {
    private static final int INBOX = 1024;

    private record Datagram(byte[] bytes) {
    }

    /** A decision due between two ticks, judged once the keepalives queued before it are read. */
    private record Judge() {
    }

    private final TakeoverConfig config;
    private final ServiceAddress service;
    private final Clock clock;
    private final Consumer<AddressChange> changes;
    private final NatFront front;
    private final TakeoverMachine machine;
    private final KeepaliveCodec codec;
    private final DatagramChannel channel;
    private final List<InetSocketAddress> peers;
    private final ByteBuffer out = ByteBuffer.allocateDirect(KeepaliveCodec.MAX_PACKET);
    private final AtomicLong inboxFull = new AtomicLong();
    private final AgentRunner runner;
    private long seq;
    private long nextTick;
    private boolean judging;
    private long rejected;
    private long sendFailures;
    private Thread receiver;

    /**
     * @param service the address to hold; null for a witness
     * @param changes told of every acquisition and release, on the agent's thread
     * @param front the NAT front this witness steers; null for none
     */
    public TakeoverNode(TakeoverConfig config, byte[] key, ServiceAddress service, Clock clock, Consumer<AddressChange> changes,
                        NatFront front) throws IOException {
        if ((service == null) != (config.role() == TakeoverConfig.Role.witness)) {
            throw new IllegalArgumentException("a witness has no service address, and a master or backup needs one");
        }
        if (front != null && config.role() != TakeoverConfig.Role.witness) {
            throw new IllegalArgumentException("only a witness steers a NAT front");
        }
        this.front = front;
        this.config = config;
        this.service = service;
        this.clock = clock;
        this.changes = changes;
        this.codec = new KeepaliveCodec(key);
        long now = clock.millis();
        this.machine = new TakeoverMachine(config.name(), config.role(), config.peers().stream().map(Peer::name).toList(),
                config.periodDuration().toMillis(), config.missCount(), config.marginPeriods(), now);
        this.peers = config.peers().stream().map(Peer::socketAddress).toList();
        this.seq = now * 1000;
        this.nextTick = now;
        if (service != null) {
            service.release(); // left behind by a member that crashed here: it starts as a standby
        }
        this.channel = DatagramChannel.open();
        channel.bind(config.listenAddress());
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    public TakeoverNode start() {
        runner.start();
        receiver = Thread.ofPlatform().name("d2r2-takeover-rx").daemon().start(this::receive);
        return this;
    }

    @Override
    public String roleName() {
        return "takeover-" + config.name();
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(KeepaliveCodec.MAX_PACKET + 1);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                if (!runner.offer(new Datagram(bytes))) {
                    inboxFull.incrementAndGet();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                runner.errors().error("receive", roleName() + ": receive failed: " + e, null);
            }
        }
    }

    @Override
    public void onMessage(Object message) throws IOException {
        if (message instanceof Judge) {
            judging = false;
            apply(machine.onTick(clock.millis()));
            steer();
            return;
        }
        if (!(message instanceof Datagram d)) {
            throw new IllegalArgumentException("not a takeover message: " + message);
        }
        Keepalive k;
        try {
            k = codec.decode(ByteBuffer.wrap(d.bytes()));
        } catch (BadKeepalive e) {
            rejected++;
            runner.errors().error("keepalive", roleName() + ": refused a datagram: " + e.getMessage(), null);
            return;
        }
        apply(machine.onKeepalive(k, clock.millis()));
        steer();
    }

    private void steer() {
        if (front != null) {
            front.follow(machine.leader(), clock.millis());
        }
    }

    @Override
    public long nextDueMillis() {
        return judging ? nextTick : Math.min(nextTick, machine.judgementDueMillis());
    }

    /**
     * Every period: keepalives out, then the machine judges. A decision due between two ticks is
     * judged then rather than up to a period later, but behind the keepalives already in the inbox
     * (a timer that falls due runs before them): a holder that was descheduled must not release,
     * nor a standby acquire, for want of a keepalive it has received and not yet read.
     */
    @Override
    public void onTimer(long nowMillis) throws IOException {
        if (nowMillis < nextTick) {
            // not again before the next tick if the inbox is full: that tick judges
            judging = true;
            runner.offer(new Judge());
            return;
        }
        judging = false;
        codec.encode(machine.keepalive(++seq), out);
        for (InetSocketAddress peer : peers) {
            try {
                channel.send(out.rewind(), peer);
            } catch (IOException e) {
                sendFailures++;
            }
        }
        apply(machine.onTick(nowMillis));
        steer();
        nextTick = nowMillis + machine.periodMs();
    }

    private void apply(Action action) throws IOException {
        switch (action) {
            case NONE -> {
            }
            case ACQUIRE -> {
                changes.accept(change(true, clock.millis()));
                service.acquire();
            }
            case RELEASE -> {
                service.release();
                changes.accept(change(false, clock.millis()));
            }
        }
    }

    private AddressChange change(boolean acquired, long time) {
        return new AddressChange(acquired, time, config.name(), service.address(), service.iface(), machine.ownEpoch(),
                machine.reason());
    }

    @Override
    public void onClose() throws IOException {
        channel.close();
        if (machine.holding()) {
            service.release();
            changes.accept(new AddressChange(false, clock.millis(), config.name(), service.address(), service.iface(),
                    machine.ownEpoch(), "stopped"));
        }
    }

    /** Counters for the log: refused datagrams, replays, unknown members, failed sends, inbox overflow. */
    public String counters() {
        return "refused " + rejected + ", replayed " + machine.replays() + ", unknown members " + machine.strangers()
                + ", own stalls " + machine.stalls()
                + ", send failures " + sendFailures + ", inbox full " + inboxFull.get()
                + (front == null ? "" : ", nat rewrites " + front.rewrites() + ", nat failures " + front.failures());
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
