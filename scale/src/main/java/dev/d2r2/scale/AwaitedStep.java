package dev.d2r2.scale;

import java.util.concurrent.CompletableFuture;

/**
 * A {@link ScaleRequest} or {@link ReplaceRequest} whose caller awaits the step's end: the policy's
 * webhook call, which the scaler's API answers only once the step is over, so that the action's
 * outcome is the step's. {@code done} completes on the role's thread.
 */
public record AwaitedStep(Object request, CompletableFuture<End> done) {
    /**
     * How a step ended: {@code ok} with null or the reason it was declined (nothing to do), or
     * failed with what went wrong (an instance that did not come into service, a drain left at its
     * deadline, the scaler stopping first).
     */
    public record End(boolean ok, String why) {
        public static End failed(String why) {
            return new End(false, why);
        }
    }

    public AwaitedStep {
        if (!(request instanceof ScaleRequest) && !(request instanceof ReplaceRequest)) {
            throw new IllegalArgumentException("not a step: " + request);
        }
    }

    public AwaitedStep(Object request) {
        this(request, new CompletableFuture<>());
    }

    /** The step's id: the policy's action id. */
    public String step() {
        return request instanceof ScaleRequest r ? r.step() : ((ReplaceRequest) request).step();
    }
}
