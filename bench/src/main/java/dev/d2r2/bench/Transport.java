package dev.d2r2.bench;

import java.util.function.Consumer;

/** One system under test: a publisher and a subscriber on one channel or topic. */
interface Transport extends AutoCloseable {
    String name();

    /** Starts the subscriber; {@code onPayload} runs on the transport's delivery thread. */
    void subscribe(Consumer<byte[]> onPayload) throws Exception;

    /** Publishes one payload (pipelined). */
    void publish(byte[] payload) throws Exception;

    /** Waits until the server acknowledged everything published so far. */
    void awaitAcknowledged() throws Exception;

    @Override
    void close() throws Exception;
}
