package dev.d2r2.bench;

import java.nio.charset.StandardCharsets;

/**
 * A benchmark event: real event JSON of a chosen size whose first attribute is the send time
 * (System.nanoTime, 19 zero-padded digits at a fixed position), so the receiver reads it back
 * without parsing.
 */
final class BenchPayload {
    private static final byte[] PREFIX = "{\"type\":\"bench\",\"time\":0,\"source\":\"bench\",\"attrs\":{\"sent\":"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int DIGITS = 19;

    private BenchPayload() {
    }

    static byte[] template(int sizeBytes) {
        String head = new String(PREFIX, StandardCharsets.US_ASCII) + "0".repeat(DIGITS) + ",\"pad\":\"";
        String tail = "\"}}";
        int pad = Math.max(0, sizeBytes - head.length() - tail.length());
        return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.US_ASCII);
    }

    /** A copy of the template stamped with {@code nanos}. */
    static byte[] stamped(byte[] template, long nanos) {
        byte[] b = template.clone();
        long v = nanos;
        for (int i = PREFIX.length + DIGITS - 1; i >= PREFIX.length; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return b;
    }

    static long sentNanos(byte[] payload) {
        long v = 0;
        for (int i = PREFIX.length; i < PREFIX.length + DIGITS; i++) {
            v = v * 10 + (payload[i] - '0');
        }
        return v;
    }
}
