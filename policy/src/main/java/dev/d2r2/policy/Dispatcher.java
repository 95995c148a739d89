package dev.d2r2.policy;

import dev.d2r2.core.actuator.Action;
import dev.d2r2.policy.events.ActionOutcome;

import java.util.function.Consumer;

/** Carries the engine's calls to actuators, and reports each result (from any thread). */
public interface Dispatcher {
    /** One call: deploy or revoke of an action, the {@code attempt}-th time. */
    record Call(ActionOutcome.Call call, Action action, int attempt) {
    }

    /** {@code outcome} is ok, failed or refused; {@code error} says why when not ok. */
    record Result(Call call, ActionOutcome.Result outcome, String error) {
    }

    void call(Call call, Consumer<Result> done);
}
