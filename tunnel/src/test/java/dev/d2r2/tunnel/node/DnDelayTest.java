package dev.d2r2.tunnel.node;

import dev.d2r2.core.ManualClock;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.TunnelKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A DN's test-only delay stage holds its control frames too, in virtual time: the answer to a hello
 * leaves on the role's timer once the delay has passed, not before, so the EN's BFD and path scorer
 * see a DN that is far away.
 */
class DnDelayTest {
    private static final TunnelKey KEY = new TunnelKey(new byte[32]);
    private final ManualClock clock = new ManualClock(1_000);
    private DatagramChannel dnSocket;
    private DatagramChannel en;

    @AfterEach
    void tearDown() throws Exception {
        dnSocket.close();
        en.close();
    }

    @Test
    void theAnswerToAHelloWaitsForTheDelay(@TempDir Path dir) throws Exception {
        DnConfig config = TunnelNode.loadDn(Files.writeString(dir.resolve("dn.yaml"), """
                name: dn1
                key: tunnel.key
                listen: 127.0.0.1:0
                device: d2r2-tun-x
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                bfd: {tx: 10s, rx: 10s, multiplier: 3}
                test-delay: {delay: 30ms}
                """));
        dnSocket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        en = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        en.configureBlocking(false);
        DnRole role = new DnRole(config, new DnKeys(KEY, null, Map.of()), dnSocket, clock, new SplittableRandom(1), e -> { },
                new Announcer(null), new Counters());
        role.onStart();

        role.onMessage(new Received((InetSocketAddress) en.getLocalAddress(), 5, new Control.Hello(true, 0)));
        assertThat(received()).as("held, not sent").isNull();
        assertThat(role.nextDueMillis()).isEqualTo(clock.millis() + 30);

        clock.advance(Duration.ofMillis(29));
        role.onTimer(clock.millis());
        assertThat(received()).isNull();

        clock.advance(Duration.ofMillis(1));
        role.onTimer(clock.millis());
        ByteBuffer answer = awaitReceived();
        assertThat(GreFrame.open(answer, KEY::macFor)).isNull();
        assertThat(Control.read(answer, GreFrame.HEADER_BYTES, GreFrame.payloadLength(answer))).isInstanceOf(Control.Assign.class);
    }

    private ByteBuffer received() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(256);
        return en.receive(buf) == null ? null : buf.flip();
    }

    /** A datagram sent on loopback is there at once, but give the kernel a moment on a loaded machine. */
    private ByteBuffer awaitReceived() {
        return await().atMost(Duration.ofSeconds(20)).until(this::received, Objects::nonNull);
    }
}
