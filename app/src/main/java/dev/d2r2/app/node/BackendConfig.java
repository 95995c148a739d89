package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;

/** A SIP server behind the edge: its address, capacity weight (default 1) and most dialogs (0: no limit). */
public record BackendConfig(String address, Double weight, @JsonProperty("max-dialogs") Integer maxDialogs) {
    public BackendConfig {
        if (address == null) {
            throw new IllegalArgumentException("a backend needs an address host:port");
        }
        HostPort.parse(address);
        weight = weight == null ? 1.0 : weight;
        maxDialogs = maxDialogs == null ? 0 : maxDialogs;
        if (!(weight > 0)) {
            throw new IllegalArgumentException("backend " + address + ": the weight must be positive");
        }
        if (maxDialogs < 0) {
            throw new IllegalArgumentException("backend " + address + ": max-dialogs cannot be negative");
        }
    }

    /** The command line's form, {@code HOST:PORT[,WEIGHT[,MAX_DIALOGS]]}. */
    public static BackendConfig parse(String text) {
        String[] parts = text.split(",");
        if (parts.length > 3) {
            throw new IllegalArgumentException("backend " + text + ": expected HOST:PORT[,WEIGHT[,MAX_DIALOGS]]");
        }
        try {
            return new BackendConfig(parts[0], parts.length > 1 ? Double.parseDouble(parts[1]) : null,
                    parts.length > 2 ? Integer.parseInt(parts[2]) : null);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backend " + text + ": the weight and the dialog limit are numbers");
        }
    }
}
