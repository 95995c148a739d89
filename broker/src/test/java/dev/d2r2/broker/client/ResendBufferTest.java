package dev.d2r2.broker.client;

import dev.d2r2.broker.wire.EnvelopeBytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResendBufferTest {
    private static final int MAX_BYTES = 64 * 1024;

    /**
     * An op: a positive size appends an event of that many bytes; zero or less acknowledges up to
     * that many events back from the last. An append must succeed whenever the events fit the
     * bound (it may also when the array grew past the bound for one large event).
     */
    @Property(tries = 100)
    void holdsExactlyTheUnacknowledgedEventsAndRefusesOnlyWhenFull(@ForAll("ops") List<Integer> ops) {
        ResendBuffer buffer = new ResendBuffer(MAX_BYTES);
        Deque<byte[]> model = new ArrayDeque<>();
        long first = 1;
        long next = 1;
        int held = 0;
        for (int op : ops) {
            if (op > 0) {
                byte[] bytes = new byte[op];
                Arrays.fill(bytes, (byte) next);
                bytes[0] = (byte) (next >> 8);
                boolean room = model.size() < ResendBuffer.MAX_EVENTS && (model.isEmpty() || held + op + 1 <= MAX_BYTES);
                boolean taken = buffer.append(next, of(bytes));
                if (room) {
                    assertThat(taken).as("append %d bytes with %d held in %d events", op, held, model.size()).isTrue();
                }
                if (model.size() == ResendBuffer.MAX_EVENTS) {
                    assertThat(taken).isFalse();
                }
                if (taken) {
                    model.addLast(bytes);
                    held += op;
                    next++;
                }
            } else {
                long acked = Math.max(first - 1, next - 1 + op);
                buffer.release(acked);
                while (first <= acked) {
                    held -= model.removeFirst().length;
                    first++;
                }
            }
            assertThat(buffer.first()).isEqualTo(first);
            assertThat(buffer.last()).isEqualTo(next - 1);
            long q = first;
            for (byte[] expected : model) {
                assertThat(bytes(buffer.get(q))).as("event %d", q).isEqualTo(expected);
                q++;
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> ops() {
        Arbitrary<Integer> append = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(1, 300)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(301, 20_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(MAX_BYTES, 2 * MAX_BYTES)));
        Arbitrary<Integer> ack = Arbitraries.integers().between(-40, 0);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, append), net.jqwik.api.Tuple.of(1, ack))
                .list().ofMaxSize(400);
    }

    @Test
    void keepsAThousandAndTwentyFourEventsAtMostTheBrokersDeduplicationWindow() {
        ResendBuffer buffer = new ResendBuffer(MAX_BYTES);
        for (long s = 1; s <= ResendBuffer.MAX_EVENTS; s++) {
            assertThat(buffer.append(s, of(new byte[]{1}))).isTrue();
        }
        assertThat(buffer.append(ResendBuffer.MAX_EVENTS + 1, of(new byte[]{1}))).isFalse();
        buffer.release(1);
        assertThat(buffer.append(ResendBuffer.MAX_EVENTS + 1, of(new byte[]{2}))).isTrue();
        assertThat(bytes(buffer.get(ResendBuffer.MAX_EVENTS + 1))).containsExactly(2);
    }

    private static EnvelopeBytes of(byte[] bytes) {
        return new EnvelopeBytes() {
            @Override
            public int length() {
                return bytes.length;
            }

            @Override
            public void writeTo(DataOutput out) throws IOException {
                out.write(bytes);
            }
        };
    }

    private static byte[] bytes(EnvelopeBytes e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            e.writeTo(new DataOutputStream(out));
        } catch (IOException x) {
            throw new AssertionError(x);
        }
        assertThat(out.size()).isEqualTo(e.length());
        return out.toByteArray();
    }
}
