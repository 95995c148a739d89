package dev.d2r2.scale;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.scale.events.CloudAccess;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a restarted scaler takes again: the clone bans in force, from the {@code scale.cloud}
 * events in its channel's log (a real broker's) — taken and not lifted since, nor expired; other
 * events and a malformed one are passed over.
 */
class CloudAccessLogTest {
    private static final long NOW = 1_795_000_000_000L;
    @TempDir
    Path dir;

    private static Event access(String cloud, String from, String to, String type, String action, String change, long expires) {
        return new CloudAccess(NOW, cloud, from, to, type, action, change, expires).toEvent();
    }

    @Test
    void theBansInForceAreThoseTakenAndNeitherLiftedNorExpired() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            admin.createChannel(new ChannelSpec("scale", ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER),
                    Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            assertThat(CloudAccessLog.read(admin, "scale", Duration.ofSeconds(10))).as("an empty log").isEmpty();
            try (Publisher p = admin.publisher("scale")) {
                p.publish(access("remote", "open", "forbidden", "sip", "ban/remote", CloudAccess.FORBID, NOW + 600_000));
                p.publish(new ScaleStep(NOW, "sip", "out", 1, 2, "scaler/scale-out/sip", null).toEvent());
                p.publish(access("far", "open", "forbidden", "*", "ban/far", CloudAccess.FORBID, NOW + 600_000));
                p.publish(access("far", "open", "forbidden", "*", "ban/far-again", CloudAccess.FORBID, NOW + 600_000));
                p.publish(access("far", "forbidden", "forbidden", "*", "ban/far", CloudAccess.LIFT, NOW + 600_000));
                p.publish(access("home", "open", "forbidden", "*", "ban/home", CloudAccess.FORBID, NOW - 1));
                p.publish(Event.state(ScaleEvents.CLOUD.name(), NOW, "mars", "open", "forbidden", Map.of("type", "*")));
                long last = p.publish(access("remote", "open", "forbidden", "sip", "ban/remote", CloudAccess.FORBID, NOW + 900_000));
                p.awaitAcknowledged(last, Duration.ofSeconds(10));
            }
            List<CloudAccess> history = CloudAccessLog.read(admin, "scale", Duration.ofSeconds(10));
            assertThat(history).extracting(CloudAccess::action).as("oldest first, the malformed one skipped")
                    .containsExactly("ban/remote", "ban/far", "ban/far-again", "ban/far", "ban/home", "ban/remote");
            assertThat(CloneBan.inForce(history, NOW)).containsExactly(
                    new CloneBan("ban/remote", "remote", "sip", NOW + 900_000),
                    new CloneBan("ban/far-again", "far", null, NOW + 600_000));
        }
    }
}
