package dev.d2r2.migrate.takeover;

import dev.d2r2.migrate.events.NatSteered;
import dev.d2r2.migrate.takeover.TakeoverConfig.Nat;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The NAT front of a takeover group (its witness): the public address goes to the member that
 * holds with the highest epoch it heard ({@link TakeoverMachine#leader()}), never back to one of
 * lower rank, so a master that was fenced off and still believes it holds never gets the traffic
 * back. The front is where the clients' traffic passes, so its choice is the fence: whatever the
 * members believe, only the steered one is reached. A failed rewrite is counted and tried again
 * after {@code retryMs}; the last rule stays in place meanwhile, and when the front stops.
 * A rewrite runs {@code nft}, a process, on {@code steering}, never on the member's thread: the
 * witness must go on sending its keepalives meanwhile, or the holder, missing them, fences itself,
 * takes the address again at a new epoch, and the front rewrites again.
 */
public final class NatFront {
    private final String name;
    private final Nat nat;
    private final NftSteering nft;
    private final long retryMs;
    private final Consumer<NatSteered> steered;
    private final Consumer<String> errors;
    private final Executor steering;
    /** A rewrite's result, set on the steering thread, taken on the member's. */
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    private Keepalive inFlight;
    private Keepalive current;
    private long nextAttempt = Long.MIN_VALUE;
    private long failures;
    private long rewrites;

    private record Outcome(Keepalive holder, IOException failure) {
    }

    /** @param steering where the rules are rewritten: a thread of their own, or the caller's ({@code Runnable::run}) in tests */
    public NatFront(String name, Nat nat, NftSteering nft, long retryMs, Consumer<NatSteered> steered, Consumer<String> errors,
                    Executor steering) {
        this.steering = steering;
        this.name = name;
        this.nat = nat;
        this.nft = nft;
        this.retryMs = retryMs;
        this.steered = steered;
        this.errors = errors;
    }

    /** Called on the member's thread after each keepalive and tick with the leader it knows. */
    public void follow(Optional<Keepalive> leader, long nowMs) {
        settle(nowMs);
        if (inFlight != null || leader.isEmpty() || nowMs < nextAttempt) {
            return;
        }
        Keepalive k = leader.get();
        if (current != null && current.name().equals(k.name()) && current.epoch() == k.epoch()) {
            return;
        }
        if (!nat.targets().containsKey(k.name())) {
            nextAttempt = nowMs + retryMs;
            failures++;
            errors.accept("nat: member " + k.name() + " holds epoch " + k.epoch() + " but has no target; the rule stays");
            return;
        }
        var target = nat.target(k.name());
        inFlight = k;
        steering.execute(() -> {
            IOException failure = null;
            try {
                nft.point(target, "d2r2 takeover: " + k.name() + " epoch " + k.epoch());
            } catch (IOException e) {
                failure = e;
            }
            outcome.set(new Outcome(k, failure));
        });
        settle(nowMs);
    }

    private void settle(long nowMs) {
        Outcome o = outcome.getAndSet(null);
        if (o == null) {
            return;
        }
        inFlight = null;
        Keepalive k = o.holder();
        if (o.failure() != null) {
            nextAttempt = nowMs + retryMs;
            failures++;
            errors.accept("nat: steering to " + k.name() + " failed (again in " + retryMs + " ms): " + o.failure().getMessage());
            return;
        }
        current = k;
        rewrites++;
        steered.accept(new NatSteered(nowMs, name, nat.publicAddress(), k.name(), nat.targets().get(k.name()), k.epoch()));
    }

    /** Rewrites of the rule that failed (nft refused, no target for the holder). */
    public long failures() {
        return failures;
    }

    public long rewrites() {
        return rewrites;
    }
}
