package dev.d2r2.sip.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.sip.events.ServerDialog;
import dev.d2r2.sip.events.SipEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A SIP server on the broker, as an {@link Agent} on one owning thread: its confirmed calls and
 * their ends published as {@link ServerDialog} events on a dialogs channel, and every server's —
 * its own included — applied to it as replicas. The server's threads and the broker's delivery
 * only hand it messages. The channel must keep a log: a server that starts (or restarts after a
 * crash) replays the calls still open, so it can end them whichever server they began on.
 */
public final class ServerRole implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRole.class);
    private static final int INBOX = 65_536;
    private final BrokerClient client;
    private final SipServer server;
    private final String name;
    private final String channel;
    private final Clock clock;
    private final AgentRunner runner;
    private final AtomicLong malformed = new AtomicLong();
    private Publisher publisher;
    private Subscription subscription;

    public ServerRole(BrokerClient client, SipServer server, String name, String channel) {
        this(client, server, name, channel, Clock.system());
    }

    public ServerRole(BrokerClient client, SipServer server, String name, String channel, Clock clock) {
        this.client = client;
        this.server = server;
        this.name = name;
        this.channel = channel;
        this.clock = clock;
        this.runner = new AgentRunner(this, INBOX, clock);
        runner.start();
    }

    @Override
    public String roleName() {
        return "sip-server-role";
    }

    @Override
    public void onStart() {
        publisher = client.publisher(channel);
        long horizon = clock.millis() - SipServer.REPLICA_TTL_MS;
        subscription = client.subscribe(channel, StartPosition.since(horizon), runner::offer);
        server.replicate(new Replication() {
            @Override
            public void started(String callId) {
                runner.deliver(new ServerDialog(clock.millis(), name, ServerDialog.Op.START, callId));
            }

            @Override
            public void ended(String callId) {
                runner.deliver(new ServerDialog(clock.millis(), name, ServerDialog.Op.END, callId));
            }
        });
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case ServerDialog d -> publisher.publish(d.toEvent());
            case Delivery d -> apply(d);
            default -> throw new IllegalArgumentException("unexpected " + message.getClass().getSimpleName());
        }
    }

    private void apply(Delivery d) {
        try {
            Event e = d.event();
            if (!SipEvents.SERVER_DIALOG.matches(e.type())) {
                return;
            }
            ServerDialog dialog = ServerDialog.from(e);
            switch (dialog.op()) {
                case START -> server.adopt(dialog.call());
                case END -> server.forget(dialog.call());
            }
        } catch (EventFormatException ex) {
            malformed.incrementAndGet();
            LOG.warn("sip-server: malformed dialog event at offset {}: {}", d.offset(), ex.getMessage());
        }
    }

    /** Dialog events refused as malformed. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void onClose() {
        server.replicate(Replication.NONE);
        subscription.close();
        publisher.close();
    }

    @Override
    public void close() {
        try {
            runner.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
