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

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The edge on the broker: its backend changes published as state events
 * ({@code sip.edge.backend}, source the backend, {@code to} the new state) with its telemetry, and
 * backend commands taken from a channel: {@code sip.edge.command} events with {@code op}
 * {@code add} ({@code address}, {@code weight}), {@code remove} or
 * {@code drain} ({@code backend}). A command that cannot be carried out is logged and counted.
 */
public final class EdgeRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeRole.class);
    private final EdgeProxy edge;
    private final Publisher publisher;
    private final Subscription commands;

    /** @param commandChannel null for no commands */
    public EdgeRole(BrokerClient client, EdgeProxy edge, String eventChannel, String commandChannel) {
        this.edge = edge;
        this.publisher = client.publisher(eventChannel);
        edge.startTelemetry(java.time.Duration.ofMillis(100), publisher::publish);
        this.commands = commandChannel == null ? null : client.subscribe(commandChannel, StartPosition.live(), this::command);
    }

    /** Publishes a backend change (give this to the edge as its change listener). */
    public void changed(BackendEvent e) {
        String from = switch (e.state()) {
            case "down" -> "up";
            case "up" -> "down";
            case "drained" -> "draining";
            default -> null;
        };
        publisher.publish(Event.state("sip.edge.backend", System.currentTimeMillis(), e.backend().id(), from, e.state(),
                Map.of("why", e.why(), "dialogs", (long) e.backend().activeDialogs())));
    }

    private void command(Delivery d) {
        try {
            Event e = d.event();
            if (!e.type().equals("sip.edge.command")) {
                return;
            }
            String problem = apply(e.attrs());
            if (problem != null) {
                LOG.warn("edge: command at offset {} refused: {}", d.offset(), problem);
            }
        } catch (EventFormatException ex) {
            LOG.warn("edge: malformed command at offset {}: {}", d.offset(), ex.getMessage());
        }
    }

    private String apply(Map<String, Object> a) {
        String op = String.valueOf(a.get("op"));
        switch (op) {
            case "add" -> {
                InetSocketAddress address = Hop.hostPort(String.valueOf(a.get("address")), 5060);
                double weight = a.get("weight") instanceof Number n ? n.doubleValue() : 1;
                if (address == null || !(weight > 0)) {
                    return "add needs an address host:port and a positive weight";
                }
                edge.add(address, weight);
                return null;
            }
            case "remove" -> {
                return edge.remove(String.valueOf(a.get("backend"))) ? null : "no backend " + a.get("backend");
            }
            case "drain" -> {
                return edge.drain(String.valueOf(a.get("backend"))) ? null : "no backend " + a.get("backend");
            }
            default -> {
                return "unknown op " + op + " (add, remove, drain)";
            }
        }
    }

    @Override
    public void close() {
        if (commands != null) {
            commands.close();
        }
        publisher.close();
    }
}
