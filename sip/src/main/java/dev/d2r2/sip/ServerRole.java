package dev.d2r2.sip;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SIP server on the broker: its confirmed calls and their ends published on a dialogs channel
 * ({@code sip.server.dialog}, source the server's name, {@code op} {@code start} or {@code end},
 * {@code call} the Call-ID), and every server's — its own included — applied to it as
 * replicas. The channel must keep a log: a server that starts (or restarts after a crash)
 * replays the calls still open, so it can end them whichever server they began on.
 */
public final class ServerRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRole.class);
    public static final String TYPE = "sip.server.dialog";
    private final SipServer server;
    private final Publisher publisher;
    private final Subscription subscription;
    private final AtomicLong malformed = new AtomicLong();

    public ServerRole(BrokerClient client, SipServer server, String name, String channel) {
        this.server = server;
        this.publisher = client.publisher(channel);
        long horizon = System.currentTimeMillis() - SipServer.REPLICA_TTL_MS;
        this.subscription = client.subscribe(channel, StartPosition.since(horizon), this::apply);
        server.replicate(new Replication() {
            @Override
            public void started(String callId) {
                publish(name, "start", callId);
            }

            @Override
            public void ended(String callId) {
                publish(name, "end", callId);
            }
        });
    }

    private void publish(String name, String op, String callId) {
        publisher.publish(Event.message(TYPE, System.currentTimeMillis(), name, Map.of("op", op, "call", callId)));
    }

    private void apply(Delivery d) {
        try {
            Event e = d.event();
            if (!e.type().equals(TYPE)) {
                return;
            }
            Object op = e.attrs().get("op");
            if (!(e.attrs().get("call") instanceof String call) || !("start".equals(op) || "end".equals(op))) {
                malformed.incrementAndGet();
                LOG.warn("sip-server: dialog event at offset {} needs op start|end and a call", d.offset());
                return;
            }
            if (op.equals("start")) {
                server.adopt(call);
            } else {
                server.forget(call);
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
    public void close() {
        server.replicate(Replication.NONE);
        subscription.close();
        publisher.close();
    }
}
