package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordedChannelTest {
    @TempDir
    Path dir;

    private static List<Delivery> readAll(RecordedChannel r) throws Exception {
        List<Delivery> out = new ArrayList<>();
        for (Delivery d = r.next(); d != null; d = r.next()) {
            out.add(d);
        }
        return out;
    }

    @Test
    void readsTheLogFromATimeToItsEndOnTheCallersThread() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        try (Broker broker = Broker.open(dir, clock); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            for (String tag : List.of("plain", "sealed")) {
                ChannelClass c = ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER);
                admin.createChannel(new ChannelSpec(tag, tag.equals("sealed") ? c.withProtection(FaultModel.CRASH, Protection.PKE) : c,
                        Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            assertThat(broker.logSpan("plain")).isNull();
            for (String tag : List.of("plain", "sealed")) {
                try (Publisher p = broker.connectLocal(broker.localIdentity("writer", false)).publisher(tag)) {
                    for (int i = 0; i < 10; i++) {
                        p.publish(InProcessBrokerTest.ev("e" + i, i));
                        clock.advance(Duration.ofSeconds(1));
                    }
                }
            }
            try (RecordedChannel r = broker.readLog("plain", 1_004_000)) {
                List<Delivery> got = readAll(r);
                assertThat(got).extracting(Delivery::offset).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
                assertThat(got).extracting(d -> d.event().type()).containsExactly("e4", "e5", "e6", "e7", "e8", "e9");
                assertThat(got.getFirst().publishTime()).isEqualTo(1_004_000);
                assertThat(r.unreadable()).isZero();
            }
            try (RecordedChannel r = broker.readLog("sealed", 0)) {
                assertThat(readAll(r)).extracting(d -> d.event().type()).hasSize(10).startsWith("e0");
            }
            assertThat(broker.logSpan("plain")).isEqualTo(new LogSpan(0, 10, 1_000_000L, 1_009_000L));
            RecordedChannel upToNow = broker.readLog("plain", 1_008_000);
            try (Publisher p = admin.publisher("plain")) {
                p.publish(InProcessBrokerTest.ev("later", 99));
            }
            assertThat(readAll(upToNow)).hasSize(2);
            upToNow.close();
        }
    }

    @Test
    void aChannelWithoutALogOrUnknownIsAClearError() throws Exception {
        try (Broker broker = Broker.open(dir, new ManualClock(0)); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            admin.createChannel(new ChannelSpec("mem", ChannelClass.DEFAULT, Set.of(), Set.of()));
            assertThatThrownBy(() -> broker.readLog("mem", 0)).isInstanceOf(BrokerException.class)
                    .satisfies(e -> assertThat(((BrokerException) e).code()).isEqualTo(ErrorCode.NOT_PERSISTENT));
            assertThatThrownBy(() -> broker.logSpan("mem")).isInstanceOf(BrokerException.class)
                    .satisfies(e -> assertThat(((BrokerException) e).code()).isEqualTo(ErrorCode.NOT_PERSISTENT));
            assertThatThrownBy(() -> broker.readLog("nope", 0)).isInstanceOf(BrokerException.class)
                    .satisfies(e -> assertThat(((BrokerException) e).code()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL));
        }
    }
}
