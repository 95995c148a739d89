package dev.d2r2.sip.edge;

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
import dev.d2r2.sip.events.EdgeBackend;
import dev.d2r2.sip.events.EdgeCommand;
import dev.d2r2.sip.events.SipEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;

/**
 * The edge on the broker, as an {@link Agent} on one owning thread: its backend changes published
 * as {@link EdgeBackend} state events with its telemetry, and {@link EdgeCommand}s taken from a
 * channel. The edge's threads, the telemetry and the broker's delivery only hand it messages, so
 * its publisher is used from its own thread alone. A command that cannot be carried out is logged
 * and counted. A {@code move} is taken only from the {@code movers}, the broker identities of the
 * migration hosts: the broker authenticated the publisher (and checked its Ed25519 signature on a
 * PKS channel), and the channel's publisher list lets others send add, drain or remove, not a move
 * that would send the service's calls elsewhere — one from anyone else is refused and counted as
 * unauthorised.
 */
public final class EdgeRole implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeRole.class);
    private static final int INBOX = 4096;
    private final BrokerClient client;
    private final EdgeProxy edge;
    private final Clock clock;
    private final String eventChannel;
    private final String commandChannel;
    private final AgentRunner runner;
    private Publisher publisher;
    private Subscription commands;
    private final Set<String> movers;
    private volatile long refused;
    private volatile long unauthorised;

    /**
     * @param commandChannel null for no commands
     * @param movers         the identities whose {@code move} commands are taken
     */
    public EdgeRole(BrokerClient client, EdgeProxy edge, String eventChannel, String commandChannel, Set<String> movers) {
        this(client, edge, eventChannel, commandChannel, movers, Clock.system());
    }

    public EdgeRole(BrokerClient client, EdgeProxy edge, String eventChannel, String commandChannel, Set<String> movers,
                    Clock clock) {
        this.movers = Set.copyOf(movers);
        this.client = client;
        this.edge = edge;
        this.clock = clock;
        this.eventChannel = eventChannel;
        this.commandChannel = commandChannel;
        this.runner = new AgentRunner(this, INBOX, clock);
        runner.start();
    }

    @Override
    public String roleName() {
        return "edge-role";
    }

    @Override
    public void onStart() {
        publisher = client.publisher(eventChannel);
        commands = commandChannel == null ? null : client.subscribe(commandChannel, StartPosition.live(), runner::deliver);
        edge.startTelemetry(Duration.ofMillis(100), runner::offer);
    }

    /** Publishes a backend change (give this to the edge as its change listener); any thread. */
    public void changed(BackendEvent e) {
        runner.deliver(new EdgeBackend(clock.millis(), e.backend().id(), EdgeBackend.previous(e.state()), e.state(), e.why(),
                e.backend().activeDialogs()));
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case EdgeBackend b -> publisher.publish(b.toEvent());
            case Event e -> publisher.publish(e);
            case Delivery d -> command(d);
            default -> throw new IllegalArgumentException("unexpected " + message.getClass().getSimpleName());
        }
    }

    private void command(Delivery d) {
        try {
            Event e = d.event();
            if (!SipEvents.EDGE_COMMAND.matches(e.type())) {
                return;
            }
            EdgeCommand c = EdgeCommand.from(e);
            if (c.op() == EdgeCommand.Op.MOVE && !movers.contains(d.publisher())) {
                refused++;
                unauthorised++;
                LOG.warn("edge: move at offset {} refused: {} is not a mover", d.offset(), d.publisher());
                return;
            }
            String problem = apply(c);
            if (problem != null) {
                refused++;
                LOG.warn("edge: command at offset {} refused: {}", d.offset(), problem);
            }
        } catch (EventFormatException ex) {
            refused++;
            LOG.warn("edge: malformed command at offset {}: {}", d.offset(), ex.getMessage());
        }
    }

    private String apply(EdgeCommand c) {
        return switch (c.op()) {
            case ADD -> {
                if (!(c.weight() > 0) || !Double.isFinite(c.weight())) {
                    yield "add needs a positive weight";
                }
                try {
                    edge.add(BackendAddress.parse(c.address()), c.weight());
                    yield null;
                } catch (IllegalArgumentException e) {
                    yield "add: " + e.getMessage();
                }
            }
            case REMOVE -> edge.remove(c.backend()) ? null : "no backend " + c.backend();
            case DRAIN -> edge.drain(c.backend()) ? null : "no backend " + c.backend();
            case MOVE -> {
                try {
                    yield edge.move(c.backend(), BackendAddress.parse(c.address())) != null ? null : "no backend " + c.backend();
                } catch (IllegalArgumentException e) {
                    yield "move: " + e.getMessage();
                }
            }
        };
    }

    /** Commands refused as malformed, impossible or unauthorised. */
    public long refusedCommands() {
        return refused;
    }

    /** Moves refused because their publisher is not a mover. */
    public long unauthorisedCommands() {
        return unauthorised;
    }

    @Override
    public void onClose() {
        edge.stopTelemetry();
        if (commands != null) {
            commands.close();
        }
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
