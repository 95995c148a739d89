package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.SipParser;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The space a TCP reader routes into (the bytes to send and their {@link Route}), lent for what
 * one read brought and given back after, so an idle connection holds none. Lock-free and without
 * allocation while fewer than {@code kept} are out at once; beyond, fresh ones are made and the
 * surplus left to the collector.
 */
final class ScratchPool {
    /** One reader's output space: room for the largest message with the edge's Via and Record-Route. */
    static final class Scratch {
        final ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
        final Route route = new Route();
    }

    private final AtomicReferenceArray<Scratch> slots;

    ScratchPool(int kept) {
        slots = new AtomicReferenceArray<>(kept);
    }

    Scratch take() {
        for (int i = 0; i < slots.length(); i++) {
            Scratch s = slots.get(i);
            if (s != null && slots.compareAndSet(i, s, null)) {
                return s;
            }
        }
        return new Scratch();
    }

    void give(Scratch s) {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, s)) {
                return;
            }
        }
    }
}
