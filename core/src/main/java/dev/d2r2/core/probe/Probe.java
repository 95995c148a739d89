package dev.d2r2.core.probe;

import java.time.Duration;

/**
 * A probe measures one target (the monitoring layer of an R-Peer). Implementations are one
 * class each, found by their config key (see the monitor module's {@code ProbeKind}).
 */
public interface Probe extends AutoCloseable {
    /**
     * Takes one measurement within {@code timeout}.
     *
     * @throws ProbeException when the target did not answer usefully; the monitor turns this
     *                        into the {@code unknown} state, never into silence
     */
    Measurement measure(Duration timeout) throws ProbeException;

    @Override
    default void close() {
    }
}
