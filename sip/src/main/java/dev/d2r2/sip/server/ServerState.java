package dev.d2r2.sip.server;

import java.util.Map;

/**
 * Everything a {@link SipServer} knows, to start a copy of it elsewhere (docs/migration.md): its
 * configuration and its tables — registrations (address of record → expiry, epoch ms), confirmed
 * and unconfirmed calls and replicas (Call-ID → since), calls ended lately (Call-ID → when), and
 * the {@code server-mobility} subscriptions (by dialog, see {@link MobilityPackage#key}), the
 * server's mobility {@code epoch} (a copy started from this state takes a later one), and the
 * registrations' contacts (address of record → contact URI). A state written before
 * subscriptions or contacts existed (an old snapshot) reads with none, and epoch 0.
 */
public record ServerState(String listen, int maxCps, int maxCalls, Map<String, Long> bindings, Map<String, Long> calls,
                          Map<String, Long> unconfirmed, Map<String, Long> ended, Map<String, Long> replicas,
                          Map<String, Subscription> subscriptions, long epoch, Map<String, String> contacts) {
    public ServerState {
        bindings = Map.copyOf(bindings);
        calls = Map.copyOf(calls);
        unconfirmed = Map.copyOf(unconfirmed);
        ended = Map.copyOf(ended);
        replicas = Map.copyOf(replicas);
        subscriptions = subscriptions == null ? Map.of() : Map.copyOf(subscriptions);
        contacts = contacts == null ? Map.of() : Map.copyOf(contacts);
    }

    /** The same state for a server bound at {@code listen} instead. */
    public ServerState at(String listen) {
        return new ServerState(listen, maxCps, maxCalls, bindings, calls, unconfirmed, ended, replicas, subscriptions, epoch, contacts);
    }

    /** The same state without its subscriptions: for a replica, whose source keeps notifying them. */
    public ServerState withoutSubscriptions() {
        return new ServerState(listen, maxCps, maxCalls, bindings, calls, unconfirmed, ended, replicas, Map.of(), epoch, contacts);
    }

    /**
     * The configuration and registrations only: what a clone serving beside this server starts
     * with (docs/scaling.md). Its calls, ended calls, replicas and subscriptions stay with this
     * server, whose dialogs they are.
     */
    public ServerState registrationsOnly() {
        return registrations(listen, maxCps, maxCalls, bindings, epoch, contacts);
    }

    /** A state with these registrations and no calls nor subscriptions (see {@link #registrationsOnly}). */
    static ServerState registrations(String listen, int maxCps, int maxCalls, Map<String, Long> bindings, long epoch,
                                     Map<String, String> contacts) {
        return new ServerState(listen, maxCps, maxCalls, bindings, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), epoch, contacts);
    }
}
