package dev.d2r2.broker;

/** Receives a subscription's events, in the channel's order, on one thread. */
@FunctionalInterface
public interface DeliveryHandler {
    void onEvent(Delivery delivery);

    /** Events were dropped for this subscriber (drop-oldest policy): the TESS Missing-Event notice. */
    default void onMissing(MissingNotice notice) {
    }

    /** The subscription ended without {@code close()}: disconnected, or the channel was closed. */
    default void onClosed(BrokerException cause) {
    }
}
