package dev.d2r2.broker.server;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.wire.EventWindow;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a replica's broker applies committed entries of a replicated channel: in order, each
 * event once, an entry replayed after a restart skipped, an event resent in a later entry
 * recognised from the log.
 */
class ReplicatedApplyTest {
    private static final String TAG = "orders";
    private static final ChannelSpec SPEC = new ChannelSpec(TAG, ChannelClass.DEFAULT
            .withPersistence(Persistence.LOG, FsyncPolicy.NEVER).withDurability(Durability.REPLICATED), Set.of("*"), Set.of("*"));
    private static final byte[] KEY = Crypto.randomBytes(Crypto.SECRET_BYTES);

    @TempDir
    Path dir;

    private static byte[] event(long seq) {
        return Envelope.ofEvent("pub", seq, 1000 + seq, Event.message("test", seq, "t", Map.of())).bytes();
    }

    private Broker replica() throws IOException {
        Broker b = Broker.open(dir, Clock.system());
        b.applyReplicated(Map.of(), Map.of(TAG, SPEC), Map.of(TAG, KEY));
        return b;
    }

    private static List<String> log(Broker b) throws IOException {
        List<String> out = new ArrayList<>();
        try (RecordedChannel r = b.readLog(TAG, 0)) {
            Delivery d;
            while ((d = r.next()) != null) {
                out.add(d.offset() + ":" + d.publisherSeq() + "@" + d.publishTime());
            }
        }
        return out;
    }

    @Test
    void appliesEachEventOnceAtTheEntrysTimeAndSkipsEntriesItHasAfterARestart() throws IOException {
        try (Broker b = replica()) {
            b.applyCommitted(TAG, 5, 777, List.of(event(1), event(2)));
            b.applyCommitted(TAG, 6, 778, List.of(event(2), event(3)));
            assertThat(log(b)).containsExactly("0:1@777", "1:2@777", "2:3@778");
        }
        try (Broker b = replica()) {
            b.applyCommitted(TAG, 5, 777, List.of(event(1), event(2)));
            b.applyCommitted(TAG, 6, 778, List.of(event(2), event(3)));
            b.applyCommitted(TAG, 7, 779, List.of(event(3), event(4)));
            assertThat(log(b)).containsExactly("0:1@777", "1:2@777", "2:3@778", "3:4@779");
        }
    }

    @Test
    void anEntryReplayedAfterARestartIsSkippedEvenWhenItsEventsLeftTheWindow() throws IOException {
        List<byte[]> many = new ArrayList<>();
        for (long seq = 2; seq <= EventWindow.SIZE + 1; seq++) {
            many.add(event(seq));
        }
        try (Broker b = replica()) {
            b.applyCommitted(TAG, 5, 777, List.of(event(1)));
            b.applyCommitted(TAG, 6, 778, many);
        }
        try (Broker b = replica()) {
            b.applyCommitted(TAG, 5, 777, List.of(event(1)));
            b.applyCommitted(TAG, 6, 778, many);
            assertThat(log(b)).hasSize(EventWindow.SIZE + 1).startsWith("0:1@777", "1:2@778");
        }
    }
}
