package dev.d2r2.broker;

/** A live subscription; {@link #close()} unsubscribes. */
public interface Subscription extends AutoCloseable {
    String channel();

    @Override
    void close();
}
