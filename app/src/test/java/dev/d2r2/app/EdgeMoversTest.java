package dev.d2r2.app;

import dev.d2r2.app.node.EdgeConfig;
import dev.d2r2.app.node.EdgeService;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.sip.edge.Backend;
import dev.d2r2.sip.events.EdgeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code movers} of an edge's configuration reach its broker role: of two moves of the same
 * backend on the command channel, the first from a publisher that is not a mover and the second
 * from the mover, only the second is carried out (had the first been, the second would find no
 * backend to move).
 */
class EdgeMoversTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheConfiguredMoverMovesABackend() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : new String[]{"edge", "edge-commands"}) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            EdgeConfig c = ConfigLoader.parse("lb.yaml", """
                    listen: 127.0.0.1:0
                    backends: [{address: "127.0.0.1:5990"}]
                    probe: false
                    telemetry: edge
                    commands: edge-commands
                    movers: [migrate.h2]
                    """, EdgeConfig.class);
            try (EdgeService s = new EdgeService(c, admin, e -> { });
                 Publisher ops = broker.connectLocal("ops").publisher("edge-commands");
                 Publisher mover = broker.connectLocal("migrate.h2").publisher("edge-commands")) {
                long now = System.currentTimeMillis();
                ops.publish(EdgeCommand.move(now, "h9", "127.0.0.1:5990", "127.0.0.1:5991").toEvent());
                mover.publish(EdgeCommand.move(now, "h2", "127.0.0.1:5990", "127.0.0.1:5992").toEvent());
                await().atMost(Duration.ofSeconds(10)).until(() -> s.edge().backends().stream()
                        .anyMatch(b -> b.id().equals("127.0.0.1:5992")));
                assertThat(s.edge().backends()).extracting(Backend::id).containsExactly("127.0.0.1:5992");
            }
        }
    }
}
