package dev.d2r2.sip.server;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Timers E and F on real sockets, with a T1 of 20 ms: an unanswered NOTIFY is sent again at
 * doubling intervals capped at T2 and given up after 64·T1 with its subscription; a final answer
 * stops it, a provisional one does not, and an answer of another branch finishes nothing.
 */
class NotifyTransactionsTest {
    private static final Duration T1 = Duration.ofMillis(20);
    private static final Duration T2 = Duration.ofMillis(80);
    private final Counters counters = new Counters();
    private final List<String> givenUp = new CopyOnWriteArrayList<>();

    @Test
    void anUnansweredNotifyIsRetransmittedUntilTimerFThenGivenUp() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             NotifyTransactions t = new NotifyTransactions(server, T1, T2, counters, givenUp::add, "test-notify")) {
            t.send("b1", "c1|ua", "NOTIFY".getBytes(), (InetSocketAddress) silent.getLocalAddress());
            await().atMost(Duration.ofSeconds(10)).until(() -> givenUp.contains("c1|ua"));
            // 64·T1 = 1280 ms: E at 20, 60, 140, then every 80 ms up to 1280: 3 + 14 retransmissions at most
            // (fewer when a busy machine runs the timer late: the deadline does not move).
            assertThat(counters.snapshot().get("notify.retransmitted")).isBetween(3L, 17L);
            assertThat(counters.snapshot()).containsEntry("notify.timeout", 1L);
            assertThat(t.inProgress()).isZero();
            assertThat(t.answered("b1", 200)).as("too late").isFalse();
        }
    }

    @Test
    void aFinalAnswerStopsTheRetransmissionsAndAProvisionalOneDoesNot() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             NotifyTransactions t = new NotifyTransactions(server, T1, T2, counters, givenUp::add, "test-notify")) {
            t.send("b1", "c1|ua", "NOTIFY".getBytes(), (InetSocketAddress) peer.getLocalAddress());
            peer.receive(ByteBuffer.allocate(64));
            peer.receive(ByteBuffer.allocate(64));
            assertThat(t.answered("b1", 100)).isTrue();
            assertThat(t.answered("other", 200)).as("another branch").isFalse();
            peer.receive(ByteBuffer.allocate(64));
            assertThat(t.answered("b1", 200)).isTrue();
            assertThat(t.inProgress()).isZero();
            // the peer saw two retransmissions; the timer thread counts each just after sending it
            await().atMost(Duration.ofSeconds(5)).until(() -> counters.snapshot().getOrDefault("notify.retransmitted", 0L) >= 2);
            assertThat(givenUp).isEmpty();
        }
    }
}
