package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A relay fed replayed, stale, foreign, tampered and misaddressed cells refuses and counts each, and goes on relaying. */
class BadInputTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private Relay relay;
    private RawPeer peer;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start("f1", InetAddress.getLoopbackAddress(), Clock.system(),
                (data, reply) -> reply.accept(TunnelTest.concat("echo:", data)));
        peer = RawPeer.connect(relay.self(), true);
    }

    @AfterEach
    void stop() throws Exception {
        peer.close();
        relay.close();
    }

    private void awaitRefused(Refusal reason, long count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.counters().refused(reason) == count);
    }

    /** Sets up a one-hop tunnel by hand and returns the origin's keys, after checking the acknowledgement. */
    private SetupOnion.Built setUp(int id) throws Exception {
        SetupOnion.Built built = SetupOnion.build(List.of(relay.self()), System.currentTimeMillis(), RANDOM);
        peer.send(new Cell(CellType.SETUP, id, built.body()));
        Cell ack = peer.receive();
        assertThat(ack.type()).isEqualTo(CellType.BACKWARD);
        assertThat(ack.linkId()).isEqualTo(id);
        assertThat(DataCell.openBackward(built.keys(), 0, ack.body()).kind()).isEqualTo(Payload.Kind.SETUP_ACK);
        return built;
    }

    @Test
    void aReplayedSetupIsRefusedAndCounted() throws Exception {
        SetupOnion.Built built = setUp(5);

        peer.send(new Cell(CellType.SETUP, 6, built.body()));

        awaitRefused(Refusal.SETUP_REPLAY, 1);
        assertThat(relay.views()).hasSize(1);
    }

    @Test
    void staleForeignAndDuplicateSetupsAreRefusedAndCounted() throws Exception {
        setUp(5);
        long tenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        Hop someoneElse = new Hop(X25519.raw(X25519.generate().getPublic()), relay.self().address());

        peer.send(new Cell(CellType.SETUP, 7, SetupOnion.build(List.of(relay.self()), tenMinutesAgo, RANDOM).body()));
        peer.send(new Cell(CellType.SETUP, 8, SetupOnion.build(List.of(someoneElse), System.currentTimeMillis(), RANDOM).body()));
        peer.send(new Cell(CellType.SETUP, 5, SetupOnion.build(List.of(relay.self()), System.currentTimeMillis(), RANDOM).body()));

        awaitRefused(Refusal.ID_IN_USE, 1);
        assertThat(relay.counters().refused(Refusal.SETUP_STALE)).isEqualTo(1);
        assertThat(relay.counters().refused(Refusal.BAD_SETUP)).isEqualTo(1);
        assertThat(relay.views()).hasSize(1);
    }

    @Test
    void aTamperedLayerIsRefusedCountedAndTearsTheTunnelDown() throws Exception {
        SetupOnion.Built built = setUp(5);
        byte[] body = DataCell.sealForward(built.keys(), 0, new Payload(Payload.Kind.DATA, new byte[10]), RANDOM);
        body[DataCell.SLOTS_BYTES + 3] ^= 1;

        peer.send(new Cell(CellType.FORWARD, 5, body));

        Cell destroy = peer.receive();
        assertThat(destroy.type()).isEqualTo(CellType.DESTROY);
        assertThat(destroy.linkId()).isEqualTo(5);
        assertThat(relay.counters().refused(Refusal.BAD_LAYER)).isEqualTo(1);
        assertThat(relay.views()).isEmpty();
    }

    @Test
    void aReplayedDataCellFailsItsLayer() throws Exception {
        SetupOnion.Built built = setUp(5);
        Cell data = new Cell(CellType.FORWARD, 5, DataCell.sealForward(built.keys(), 0,
                new Payload(Payload.Kind.DATA, "hi".getBytes(StandardCharsets.UTF_8)), RANDOM));
        peer.send(data);
        assertThat(peer.receive().type()).isEqualTo(CellType.BACKWARD);

        peer.send(data);

        assertThat(peer.receive().type()).isEqualTo(CellType.DESTROY);
        assertThat(relay.counters().refused(Refusal.BAD_LAYER)).isEqualTo(1);
    }

    @Test
    void wrongIdsGarbageAndCellsBeforeHelloAreRefusedAndTheRelayGoesOn() throws Exception {
        setUp(5);
        byte[] garbage = new byte[Cell.BYTES];
        garbage[0] = (byte) 0x7f;

        peer.send(new Cell(CellType.FORWARD, 99, new byte[Cell.BODY_BYTES]));
        peer.send(new Cell(CellType.BACKWARD, 5, new byte[Cell.BODY_BYTES]));
        peer.send(new Cell(CellType.ENTER, 12345, new byte[Cell.BODY_BYTES]));
        peer.sendRaw(garbage);
        try (RawPeer anonymous = RawPeer.connect(relay.self(), false)) {
            anonymous.send(new Cell(CellType.FORWARD, 5, new byte[Cell.BODY_BYTES]));
            awaitRefused(Refusal.NO_HELLO, 1);
        }

        awaitRefused(Refusal.UNKNOWN_TUNNEL, 3);
        assertThat(relay.counters().refused(Refusal.MALFORMED)).isEqualTo(1);
        assertThat(relay.views()).hasSize(1);
        try (Relay origin = Relay.start("a", InetAddress.getLoopbackAddress(), Clock.system(), TunnelEnd.IGNORE)) {
            BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            Tunnel t = origin.build(List.of(relay.self()), got::add).get(5, TimeUnit.SECONDS);
            t.send("still here".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(got.poll(5, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo("echo:still here");
        }
    }
}
