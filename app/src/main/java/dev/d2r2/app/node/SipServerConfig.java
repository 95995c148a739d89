package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;

/**
 * A built-in SIP server: where it listens, its name, its capacity (0: no limit), and the channel
 * on which it shares its calls with its peers ({@code dialogs}; null: it shares none).
 */
public record SipServerConfig(String name, String listen, @JsonProperty("max-cps") Integer maxCps,
                              @JsonProperty("max-calls") Integer maxCalls, String dialogs) {
    public SipServerConfig {
        if (listen == null) {
            throw new IllegalArgumentException("a sip server needs listen: host:port");
        }
        HostPort.parse(listen);
        name = name == null ? "sip-" + listen : name;
        maxCps = maxCps == null ? 0 : maxCps;
        maxCalls = maxCalls == null ? 0 : maxCalls;
        if (maxCps < 0 || maxCalls < 0) {
            throw new IllegalArgumentException("sip server " + name + ": max-cps and max-calls cannot be negative");
        }
    }
}
