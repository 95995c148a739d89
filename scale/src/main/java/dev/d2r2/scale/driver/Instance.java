package dev.d2r2.scale.driver;

/**
 * An instance a driver started: its name ({@code type-N}, unique per driver), type, cloud, and the
 * address its SIP service answers on.
 */
public record Instance(String name, String type, String cloud, String host, int port) {
    /** {@code host:port}, as the edge names its backends. */
    public String address() {
        return host + ":" + port;
    }
}
