package dev.d2r2.core.actuator;

import java.util.OptionalInt;

/**
 * Something that enforces actions in the world: the SIP edge, a firewall, a webhook. Calls are
 * made one at a time per actuator, in decision order, from a thread that may block.
 *
 * <p>{@code deploy} is idempotent by {@link Action#id()}: a second deploy of the same id updates
 * the expiry and must not apply the action twice. An actuator that can expire actions by itself
 * should use {@link Action#expires()} as a safety net in case its caller dies.
 */
public interface Actuator extends AutoCloseable {

    void deploy(Action action) throws ActuatorException;

    void revoke(Action action) throws ActuatorException;

    /**
     * How many subjects or backends this actuator can affect in all, when it knows: the base
     * of the blast-radius share.
     */
    default OptionalInt population() {
        return OptionalInt.empty();
    }

    @Override
    default void close() {
    }
}
