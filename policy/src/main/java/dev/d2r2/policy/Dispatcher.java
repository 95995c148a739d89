package dev.d2r2.policy;

import dev.d2r2.core.actuator.Action;

import java.util.function.Consumer;

/** Carries the engine's calls to actuators, and reports each result (from any thread). */
public interface Dispatcher {
    /** One call: {@code deploy} or {@code revoke} of an action, the {@code attempt}-th time. */
    record Call(String call, Action action, int attempt) {
    }

    /** {@code outcome} is {@code ok}, {@code failed} or {@code refused}; {@code error} says why when not ok. */
    record Result(Call call, String outcome, String error) {
    }

    void call(Call call, Consumer<Result> done);
}
