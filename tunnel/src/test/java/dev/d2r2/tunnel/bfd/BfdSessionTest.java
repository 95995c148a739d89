package dev.d2r2.tunnel.bfd;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BfdSessionTest {
    private static final BfdTimers FAST = new BfdTimers(Duration.ofMillis(10), Duration.ofMillis(10), 3, Duration.ofMillis(100));

    @Test
    void theThreeWayHandshakeBringsBothSidesUp() {
        BfdPair pair = new BfdPair(FAST, FAST, 1);
        pair.runUntil(1000);
        assertThat(pair.active.state()).isEqualTo(BfdState.UP);
        assertThat(pair.passive.state()).isEqualTo(BfdState.UP);
        assertThat(pair.passiveChanges.stream().map(c -> BfdState.values()[(int) c[1]]))
                .containsExactly(BfdState.INIT, BfdState.UP);
    }

    @Test
    void silenceForTheDetectionTimeTakesTheSessionDownWithDiagnosticOne() {
        BfdPair pair = new BfdPair(FAST, FAST, 2);
        pair.runUntil(1000);
        pair.activeSilent = true;
        long last = pair.lastPassiveHeardActive;
        pair.runUntil(2000);
        assertThat(pair.passive.state()).isEqualTo(BfdState.DOWN);
        assertThat(pair.passive.diag()).isEqualTo(BfdSession.DIAG_TIME_EXPIRED);
        long downAt = pair.passiveChanges.getLast()[0];
        assertThat(downAt - last).isEqualTo(30);
    }

    @Test
    void aPeerThatSaysDownTakesAnUpSessionDownWithDiagnosticThree() {
        BfdSession s = new BfdSession(FAST, 5, false, new java.util.SplittableRandom(1), 0);
        s.onPacket(new BfdPacket(0, BfdState.DOWN, false, false, 3, 9, 0, 100_000, 10_000), 0);
        s.onPacket(new BfdPacket(0, BfdState.UP, false, false, 3, 9, 5, 10_000, 10_000), 1);
        assertThat(s.state()).isEqualTo(BfdState.UP);
        s.onPacket(new BfdPacket(0, BfdState.DOWN, false, false, 3, 9, 5, 10_000, 10_000), 2);
        assertThat(s.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.diag()).isEqualTo(BfdSession.DIAG_NEIGHBOR_DOWN);
    }

    /** One EN's uplinks delayed differently: its first Down, sent before the handshake, arrives after it. */
    @Test
    void aDownSentBeforeTheHandshakeAndOvertakenLeavesAnUpSessionUp() {
        BfdSession s = new BfdSession(FAST, 5, false, new java.util.SplittableRandom(1), 0);
        BfdPacket first = new BfdPacket(0, BfdState.DOWN, false, false, 3, 9, 0, 100_000, 10_000);
        s.onPacket(first, 0);
        s.onPacket(new BfdPacket(0, BfdState.UP, false, false, 3, 9, 5, 10_000, 10_000), 1);
        s.onPacket(first, 80);
        assertThat(s.state()).isEqualTo(BfdState.UP);
    }

    @Test
    void aPeerWhoseDetectionTimeExpiredStillTakesAnUpSessionDown() {
        BfdSession s = new BfdSession(FAST, 5, false, new java.util.SplittableRandom(1), 0);
        s.onPacket(new BfdPacket(0, BfdState.DOWN, false, false, 3, 9, 0, 100_000, 10_000), 0);
        s.onPacket(new BfdPacket(0, BfdState.UP, false, false, 3, 9, 5, 10_000, 10_000), 1);
        s.onPacket(new BfdPacket(BfdSession.DIAG_TIME_EXPIRED, BfdState.DOWN, false, false, 3, 9, 0, 100_000, 10_000), 40);
        assertThat(s.state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void aRestartedPeerTakesAnUpSessionDown() {
        BfdSession s = new BfdSession(FAST, 5, false, new java.util.SplittableRandom(1), 0);
        s.onPacket(new BfdPacket(0, BfdState.DOWN, false, false, 3, 9, 0, 100_000, 10_000), 0);
        s.onPacket(new BfdPacket(0, BfdState.UP, false, false, 3, 9, 5, 10_000, 10_000), 1);
        s.onPacket(new BfdPacket(0, BfdState.DOWN, false, false, 3, 11, 0, 100_000, 10_000), 40);
        assertThat(s.state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void aPacketForAnotherDiscriminatorIsIgnored() {
        BfdSession s = new BfdSession(FAST, 5, false, new java.util.SplittableRandom(1), 0);
        s.onPacket(new BfdPacket(0, BfdState.INIT, false, false, 3, 9, 6, 10_000, 10_000), 0);
        assertThat(s.state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void aPollIsAnsweredAtOnceWithFinal() {
        BfdSession s = new BfdSession(FAST, 5, true, new java.util.SplittableRandom(1), 0);
        s.onPacket(new BfdPacket(0, BfdState.DOWN, true, false, 3, 9, 0, 100_000, 10_000), 50);
        assertThat(s.nextDueMillis()).isEqualTo(50);
        BfdPacket answer = s.onTimer(50);
        assertThat(answer.fin()).isTrue();
        assertThat(answer.poll()).isFalse();
        assertThat(answer.yourDiscriminator()).isEqualTo(9);
    }

    @Test
    void aPassiveSessionIsSilentUntilItHearsItsPeer() {
        BfdSession s = new BfdSession(FAST, 5, true, new java.util.SplittableRandom(1), 0);
        assertThat(s.nextDueMillis()).isEqualTo(Long.MAX_VALUE);
        assertThat(s.onTimer(10_000)).isNull();
    }
}
