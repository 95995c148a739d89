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
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.function.Consumer;

/**
 * One member of a takeover group as a single-threaded agent: every period it sends its
 * keepalive to each peer and lets its {@link TakeoverMachine} decide. The agent's thread alone
 * reads the socket (non-blocking): whenever a waker thread, which only waits for the socket to
 * become readable, tells it so, and always just before judging. Judging never depends on the waker
 * having run: on a busy host (real-time processes of the same priority, round robin) a thread that
 * copied datagrams into the inbox could be held back for a whole slice while the agent's thread
 * ran, and a holder judged its peers silent with their keepalives in its socket and fenced itself.
 * Acquiring and releasing the
 * {@link ServiceAddress} happen on the agent's thread, and each is reported as an
 * {@link AddressChange}. A witness that is the group's NAT front tells its {@link NatFront} the
 * leader after each keepalive and tick, on the same thread.
 */
public final class TakeoverNode implements Agent, AutoCloseable {
    private static final int INBOX = 1024;
    /** Datagrams read at a time at most, so that a flood cannot hold the ticks back. */
    private static final int READ_BATCH = 256;

    /** The waker's word that the socket has datagrams to read. */
    private record Readable() {
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
    private final ByteBuffer in = ByteBuffer.allocateDirect(KeepaliveCodec.MAX_PACKET + 1);
    private final Selector selector;
    private final SelectionKey readable;
    private final AgentRunner runner;
    private long seq;
    private long nextTick;
    private long rejected;
    private long sendFailures;
    private long readBeforeJudging;

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
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.readable = channel.register(selector, SelectionKey.OP_READ);
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    public TakeoverNode start() {
        startWithoutWaker();
        Thread.ofPlatform().name("d2r2-takeover-rx").daemon().start(this::watch);
        return this;
    }

    /**
     * Starts the member as if the scheduler never ran its waker: it reads its socket only when it
     * judges (on its ticks and deadlines), which is what {@link #start()} must never depend on.
     */
    TakeoverNode startWithoutWaker() {
        runner.start();
        return this;
    }

    @Override
    public String roleName() {
        return "takeover-" + config.name();
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * The waker: waits until the socket is readable, stops watching it and tells the agent, which
     * reads it and watches again ({@link #read}). It ends when the agent closes the selector.
     */
    private void watch() {
        try {
            while (selector.isOpen()) {
                if (selector.select() > 0) {
                    selector.selectedKeys().clear();
                    readable.interestOps(0);
                    runner.offer(new Readable());
                }
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            // closed by the agent
        } catch (IOException e) {
            runner.errors().error("select", roleName() + ": waiting for keepalives failed, they are read on ticks only: " + e, null);
        }
    }

    @Override
    public void onMessage(Object message) throws IOException {
        if (!(message instanceof Readable)) {
            throw new IllegalArgumentException("not a takeover message: " + message);
        }
        read();
    }

    /**
     * Takes the datagrams off the socket, in order (up to {@link #READ_BATCH}; the waker tells of
     * the rest), and watches it again.
     *
     * @return how many datagrams there were
     */
    private int read() throws IOException {
        int n = 0;
        while (n < READ_BATCH) {
            in.clear();
            if (channel.receive(in) == null) {
                break;
            }
            n++;
            in.flip();
            onDatagram(in);
        }
        // watched again only after this read, so the waker does not spin meanwhile
        if (readable.isValid() && readable.interestOps() == 0) {
            readable.interestOps(SelectionKey.OP_READ);
            selector.wakeup();
        }
        return n;
    }

    private void onDatagram(ByteBuffer datagram) throws IOException {
        Keepalive k;
        try {
            k = codec.decode(datagram);
        } catch (BadKeepalive e) {
            rejected++;
            runner.errors().error("keepalive", roleName() + ": refused a datagram: " + e.getMessage(), null);
            return;
        }
        apply(machine.onKeepalive(k, clock.millis()));
        steer();
    }

    /** The machine judges on what the socket holds now, whether or not the waker has run. */
    private void judge(long nowMillis) throws IOException {
        readBeforeJudging += read();
        apply(machine.onTick(nowMillis));
        steer();
    }

    private void steer() {
        if (front != null) {
            front.follow(machine.leader(), clock.millis());
        }
    }

    @Override
    public long nextDueMillis() {
        return Math.min(nextTick, machine.judgementDueMillis());
    }

    /**
     * Every period: keepalives out, then the machine judges. A decision due between two ticks is
     * judged then rather than up to a period later. Either way the socket is read first: a holder
     * that was descheduled must not release, nor a standby acquire, for want of a keepalive it has
     * received and not yet read.
     */
    @Override
    public void onTimer(long nowMillis) throws IOException {
        if (nowMillis < nextTick) {
            judge(nowMillis);
            return;
        }
        codec.encode(machine.keepalive(++seq), out);
        for (InetSocketAddress peer : peers) {
            try {
                channel.send(out.rewind(), peer);
            } catch (IOException e) {
                sendFailures++;
            }
        }
        judge(nowMillis);
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
        selector.close();
        channel.close();
        if (machine.holding()) {
            service.release();
            changes.accept(new AddressChange(false, clock.millis(), config.name(), service.address(), service.iface(),
                    machine.ownEpoch(), "stopped"));
        }
    }

    /**
     * Counters for the log: refused datagrams, replays, unknown members, this member's own stalls,
     * datagrams it read just before judging (the waker had not yet told it of them), failed sends.
     */
    public String counters() {
        return "refused " + rejected + ", replayed " + machine.replays() + ", unknown members " + machine.strangers()
                + ", own stalls " + machine.stalls() + ", read before judging " + readBeforeJudging
                + ", send failures " + sendFailures
                + (front == null ? "" : ", nat rewrites " + front.rewrites() + ", nat failures " + front.failures());
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
