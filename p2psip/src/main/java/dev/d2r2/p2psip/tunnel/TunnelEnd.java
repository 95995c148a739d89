package dev.d2r2.p2psip.tunnel;

import java.util.function.Consumer;

/**
 * What the last hop of a tunnel does with the data that reaches it (an outbound tunnel's exit
 * runs the overlay request; an inbound tunnel's entry point normally gets nothing from its origin).
 * Called on the relay's agent thread; {@code reply} may be called from any thread.
 */
@FunctionalInterface
public interface TunnelEnd {
    void onData(byte[] data, Consumer<byte[]> reply);

    TunnelEnd IGNORE = (data, reply) -> { };
}
