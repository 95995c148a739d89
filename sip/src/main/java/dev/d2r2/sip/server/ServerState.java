package dev.d2r2.sip.server;

import java.util.Map;

/**
 * Everything a {@link SipServer} knows, to start a copy of it elsewhere (docs/migration.md): its
 * configuration and its tables — registrations (address of record → expiry, epoch ms), confirmed
 * and unconfirmed calls and replicas (Call-ID → since), calls ended lately (Call-ID → when).
 */
public record ServerState(String listen, int maxCps, int maxCalls, Map<String, Long> bindings, Map<String, Long> calls,
                          Map<String, Long> unconfirmed, Map<String, Long> ended, Map<String, Long> replicas) {
    public ServerState {
        bindings = Map.copyOf(bindings);
        calls = Map.copyOf(calls);
        unconfirmed = Map.copyOf(unconfirmed);
        ended = Map.copyOf(ended);
        replicas = Map.copyOf(replicas);
    }
}
