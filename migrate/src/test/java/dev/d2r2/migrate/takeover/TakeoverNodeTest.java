package dev.d2r2.migrate.takeover;

import dev.d2r2.core.ManualClock;
import dev.d2r2.migrate.events.AddressChange;
import dev.d2r2.migrate.takeover.TakeoverConfig.Peer;
import dev.d2r2.migrate.takeover.TakeoverConfig.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A master on a loopback socket in virtual time, its backup and witness played by the test: each
 * period the peers' keepalives go into the master's socket, the clock moves a period, and the test
 * waits for the keepalive the master sends on that tick, so it knows the master has judged.
 */
class TakeoverNodeTest {
    private static final Duration PERIOD = Duration.ofMillis(10);
    private static final int MISSES = 3;

    private final byte[] key = "a group key of thirty-two bytes!".getBytes();
    private final KeepaliveCodec codec = new KeepaliveCodec(key);
    private final ManualClock clock = new ManualClock(1_000_000);
    private final List<AddressChange> changes = new CopyOnWriteArrayList<>();
    private DatagramSocket backup;
    private DatagramSocket witness;
    private TakeoverNode master;
    private InetSocketAddress masterAddress;
    private long seq;

    @BeforeEach
    void peers() throws Exception {
        backup = peerSocket();
        witness = peerSocket();
        TakeoverConfig config = new TakeoverConfig("master", Role.master, "127.0.0.1:0",
                List.of(new Peer("backup", "127.0.0.1:" + backup.getLocalPort()), new Peer("witness", "127.0.0.1:" + witness.getLocalPort())),
                "group.key", null, null, PERIOD, MISSES, 3, null);
        master = new TakeoverNode(config, key, new NoAddress(), clock, changes::add, null);
        masterAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), master.address().getPort());
    }

    @AfterEach
    void close() throws Exception {
        master.close();
        backup.close();
        witness.close();
    }

    @Test
    void aMasterWhoseWakerNeverRunsReadsItsPeersBeforeJudgingAndStillFencesWhenTheyFallSilent() throws Exception {
        master.startWithoutWaker();
        acquire();
        for (int i = 0; i < 100; i++) {
            assertThat(period(true).holding()).as("period %d: the peers' keepalives wait in the socket, read before judging", i).isTrue();
        }
        assertThat(changes).extracting(AddressChange::acquired).containsExactly(true);
        for (int i = 0; i <= MISSES + 1; i++) {
            period(false);
        }
        assertThat(changes).extracting(AddressChange::acquired).containsExactly(true, false);
        assertThat(changes.get(1).reason()).contains("heard 0 of the 1 peers");
    }

    @Test
    void aMasterWhoseOwnTimerFiresLateDoesNotFenceBeforeItHasRunForAPeriod() throws Exception {
        master.start();
        acquire();
        // the whole host was paused 50 ms: nobody sent, and the master's timer fires 40 ms late
        assertThat(step(Duration.ofMillis(50), false).holding()).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(period(true).holding()).as("period %d after the stall", i).isTrue();
        }
        assertThat(changes).extracting(AddressChange::acquired).as("never released").containsExactly(true);
        assertThat(master.counters()).contains("own stalls 1");
    }

    private void acquire() throws Exception {
        receive(witness); // the tick at start
        receive(backup);
        for (int i = 0; i < 50 && changes.isEmpty(); i++) {
            period(true);
        }
        assertThat(changes).extracting(AddressChange::acquired).containsExactly(true);
        period(true); // its keepalives say so from the next tick
    }

    private Keepalive period(boolean peersSend) throws Exception {
        return step(PERIOD, peersSend);
    }

    /** The peers send (or not), the clock moves, and the master's keepalive of that tick comes back. */
    private Keepalive step(Duration step, boolean peersSend) throws Exception {
        if (peersSend) {
            send(backup, new Keepalive("backup", Role.backup.priority(), false, 0, ++seq));
            send(witness, new Keepalive("witness", Role.witness.priority(), false, 0, ++seq));
        }
        clock.advance(step);
        Keepalive toWitness = receive(witness);
        Keepalive toBackup = receive(backup);
        assertThat(toBackup).isEqualTo(toWitness);
        return toBackup;
    }

    private void send(DatagramSocket from, Keepalive k) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(KeepaliveCodec.MAX_PACKET);
        codec.encode(k, out);
        from.send(new DatagramPacket(out.array(), out.limit(), masterAddress));
    }

    private Keepalive receive(DatagramSocket at) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[KeepaliveCodec.MAX_PACKET], KeepaliveCodec.MAX_PACKET);
        at.receive(p);
        return codec.decode(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
    }

    private static DatagramSocket peerSocket() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(10_000);
        return s;
    }
}
