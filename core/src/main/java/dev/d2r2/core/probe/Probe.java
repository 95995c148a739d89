package dev.d2r2.core.probe;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

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

    /**
     * The same measurement without holding a thread while the target answers. The default runs
     * {@link #measure} on {@code blocking} (virtual threads, in the monitor); probes with
     * non-blocking I/O override it.
     */
    default CompletionStage<Measurement> measureAsync(Duration timeout, Executor blocking) {
        CompletableFuture<Measurement> result = new CompletableFuture<>();
        blocking.execute(() -> {
            try {
                result.complete(measure(timeout));
            } catch (ProbeException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    default void close() {
    }
}
