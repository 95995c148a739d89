package dev.d2r2.broker;

/** Where a subscription starts: live, or replayed from a persistent channel's log. */
public sealed interface StartPosition {
    record Live() implements StartPosition { }

    record FromOffset(long offset) implements StartPosition { }

    record Since(long timeMillis) implements StartPosition { }

    static StartPosition live() {
        return new Live();
    }

    static StartPosition fromOffset(long offset) {
        return new FromOffset(offset);
    }

    static StartPosition since(long timeMillis) {
        return new Since(timeMillis);
    }
}
