package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;

import java.util.List;

/**
 * The publishing end of a {@code forwarded} channel (TRONE's replicated paths, crash faults):
 * each event goes to f + 1 replicas, one connection each, so that at least one of them survives
 * f crashes. An event is acknowledged once <em>one</em> replica still in use acknowledged it:
 * that replica then holds it as a lone broker holds an acknowledged event (in its log, by the
 * channel's {@code fsync}, and in its subscriber queues). The other copies are on their way but
 * not waited for; a replica that fails is left out (after its client's failover gives up), and
 * publishing fails only when none is left. Not thread-safe: one publishing thread.
 */
public final class ForwardedPublisher extends FanOutPublisher {

    private ForwardedPublisher(String tag, List<? extends BrokerClient> clients) {
        super(tag, 1, openAll(clients, tag));
    }

    /** Opens a publisher on {@code tag} at each of {@code clients}: f + 1 of them, one per replica. */
    public static ForwardedPublisher open(List<? extends BrokerClient> clients, int f, String tag) {
        if (f < 0 || clients.size() != f + 1) {
            throw new IllegalArgumentException("a forwarded publisher tolerating f = " + f + " crashes sends to f + 1 = "
                    + (f + 1) + " replicas, not " + clients.size());
        }
        return new ForwardedPublisher(tag, clients);
    }
}
