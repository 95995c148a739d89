package dev.d2r2.broker.server;

import java.util.List;

/**
 * Where a Byzantine replica sends the events published on its {@code ordered} channels: a BFT
 * ordering service (HotStuff, wired by the application) that decides blocks of commands in one
 * order at every correct replica. The broker treats whatever it decides as untrusted bytes and
 * checks each event again when it applies it ({@link Broker#applyOrdered}).
 */
public interface EventOrderer {

    /** Queues {@code command} for ordering; false if the orderer is full (the publisher must send it again). */
    boolean submit(byte[] command);

    /** Registers the one receiver of the decided blocks; set before the orderer starts deciding. */
    void onDecided(Decisions decisions);

    /** Receives decided blocks once each, in height order from 1, on one thread. */
    @FunctionalInterface
    interface Decisions {
        void decided(long height, List<byte[]> commands);
    }
}
