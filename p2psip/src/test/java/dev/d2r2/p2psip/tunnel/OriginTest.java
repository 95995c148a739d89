package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The origin's side against a hand-driven first hop: a tampered backward layer, and a last hop that never acknowledges. */
class OriginTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ManualClock clock = new ManualClock(1_000_000);
    private final KeyPair hopKey = X25519.generate();
    private ServerSocket hopServer;
    private Hop hop;
    private Relay origin;

    @BeforeEach
    void start() throws Exception {
        hopServer = LinkSecurity.TLS.sockets("hop").listen(InetAddress.getLoopbackAddress());
        hop = new Hop(X25519.raw(hopKey.getPublic()), new InetSocketAddress(InetAddress.getLoopbackAddress(), hopServer.getLocalPort()));
        origin = Relay.start("a", InetAddress.getLoopbackAddress(), clock, TunnelEnd.IGNORE, LinkSecurity.TLS,
                Relay.DEFAULT_SETUP_WINDOW, Relay.DEFAULT_SETUP_TIMEOUT);
    }

    @AfterEach
    void stop() throws Exception {
        origin.close();
        hopServer.close();
    }

    private static Cell backward(int id, LayerKeys keys, long sequence, Payload payload) {
        byte[] body = DataCell.startBackward(payload, RANDOM);
        DataCell.wrap(keys, sequence, body);
        return new Cell(CellType.BACKWARD, id, body);
    }

    @Test
    void aTamperedBackwardLayerIsRefusedCountedAndClosesTheTunnel() throws Exception {
        CompletableFuture<Tunnel> built = origin.build(List.of(hop), data -> { });
        try (RawPeer f1 = RawPeer.accept(hopServer)) {
            Cell setup = f1.receive();
            SetupOnion.Opened opened = SetupOnion.open(setup.body(), hopKey.getPrivate(), hop.publicKey(), RANDOM);
            assertThat(opened.originMillis()).isEqualTo(clock.millis());
            assertThat(opened.last()).isTrue();
            f1.send(backward(setup.linkId(), opened.keys(), 0,
                    new Payload(Payload.Kind.SETUP_ACK, ByteBuffer.allocate(4).putInt(42).array())));
            Tunnel t = built.get(5, TimeUnit.SECONDS);
            assertThat(t.entryId()).isEqualTo(42);

            Cell tampered = backward(setup.linkId(), opened.keys(), 1, new Payload(Payload.Kind.DATA, new byte[5]));
            tampered.body()[DataCell.SLOTS_BYTES] ^= 1;
            f1.send(tampered);

            Cell destroy = f1.receive();
            assertThat(destroy.type()).isEqualTo(CellType.DESTROY);
            assertThat(destroy.linkId()).isEqualTo(setup.linkId());
            assertThat(origin.counters().refused(Refusal.BAD_LAYER)).isEqualTo(1);
            assertThat(t.closed()).isDone();
        }
    }

    @Test
    void aTunnelNotAcknowledgedWithinTheSetupTimeoutFailsAndIsDestroyed() throws Exception {
        CompletableFuture<Tunnel> built = origin.build(List.of(hop), data -> { });
        try (RawPeer f1 = RawPeer.accept(hopServer)) {
            Cell setup = f1.receive();
            assertThat(setup.type()).isEqualTo(CellType.SETUP);

            clock.advance(Relay.DEFAULT_SETUP_TIMEOUT.plusMillis(1));

            await().atMost(Duration.ofSeconds(5)).until(built::isCompletedExceptionally);
            Cell destroy = f1.receive();
            assertThat(destroy.type()).isEqualTo(CellType.DESTROY);
            assertThat(destroy.linkId()).isEqualTo(setup.linkId());
        }
    }

    @Test
    void aPathThatCannotBeBuiltFailsTheBuildAndTheRelayGoesOn() throws Exception {
        Hop zeroKey = new Hop(new byte[X25519.KEY_BYTES], hop.address());
        List<Hop> tooLong = Collections.nCopies(SetupOnion.MAX_HOPS + 1, hop);

        assertThatThrownBy(() -> origin.build(List.of(zeroKey), data -> { }).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> origin.build(List.of(), data -> { }).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> origin.build(tooLong, data -> { }).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(origin.views()).isEmpty();
    }
}
