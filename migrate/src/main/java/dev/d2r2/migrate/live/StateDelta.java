package dev.d2r2.migrate.live;

import dev.d2r2.sip.server.ServerState;
import dev.d2r2.sip.server.Subscription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What changed in a {@link ServerState} between two copies: per table, entries put and keys removed. */
public record StateDelta(Table<Long> bindings, Table<Long> calls, Table<Long> unconfirmed, Table<Long> ended,
                         Table<Long> replicas, Table<Subscription> subscriptions, Table<String> contacts) {
    public record Table<V>(Map<String, V> put, List<String> removed) {
        public Table {
            put = Map.copyOf(put);
            removed = List.copyOf(removed);
        }

        static <V> Table<V> between(Map<String, V> before, Map<String, V> after) {
            Map<String, V> put = new HashMap<>();
            after.forEach((k, v) -> {
                if (!v.equals(before.get(k))) {
                    put.put(k, v);
                }
            });
            List<String> removed = new ArrayList<>();
            for (String k : before.keySet()) {
                if (!after.containsKey(k)) {
                    removed.add(k);
                }
            }
            return new Table<>(put, removed);
        }

        Map<String, V> applyTo(Map<String, V> before) {
            Map<String, V> after = new HashMap<>(before);
            removed.forEach(after::remove);
            after.putAll(put);
            return after;
        }

        int size() {
            return put.size() + removed.size();
        }
    }

    public static StateDelta between(ServerState before, ServerState after) {
        return new StateDelta(Table.between(before.bindings(), after.bindings()), Table.between(before.calls(), after.calls()),
                Table.between(before.unconfirmed(), after.unconfirmed()), Table.between(before.ended(), after.ended()),
                Table.between(before.replicas(), after.replicas()), Table.between(before.subscriptions(), after.subscriptions()),
                Table.between(before.contacts(), after.contacts()));
    }

    public ServerState applyTo(ServerState before) {
        return new ServerState(before.listen(), before.maxCps(), before.maxCalls(), bindings.applyTo(before.bindings()),
                calls.applyTo(before.calls()), unconfirmed.applyTo(before.unconfirmed()), ended.applyTo(before.ended()),
                replicas.applyTo(before.replicas()), subscriptions.applyTo(before.subscriptions()), before.epoch(),
                contacts.applyTo(before.contacts()));
    }

    /** This delta with no change to the subscriptions: for a replica that serves beside its source, which keeps its subscribers. */
    public StateDelta withoutSubscriptions() {
        return new StateDelta(bindings, calls, unconfirmed, ended, replicas, new Table<>(Map.of(), List.of()), contacts);
    }

    /** A delta that puts {@code state}'s subscriptions and changes nothing else: a replica taking its source's subscribers over. */
    public static StateDelta subscriptionsOf(ServerState state) {
        Table<Long> none = new Table<>(Map.of(), List.of());
        return new StateDelta(none, none, none, none, none, new Table<>(state.subscriptions(), List.of()), new Table<>(Map.of(), List.of()));
    }

    /** Entries put or removed, all tables together. */
    public int size() {
        return bindings.size() + calls.size() + unconfirmed.size() + ended.size() + replicas.size() + subscriptions.size() + contacts.size();
    }
}
