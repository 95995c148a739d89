package dev.d2r2.sip.edge;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.sip.events.EdgeCommand;
import dev.d2r2.sip.events.SipEvents;
import dev.d2r2.sip.events.SipKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Backend commands from a broker channel, and every backend change published as an event. */
class EdgeRoleTest {
    @TempDir
    Path dir;

    @Test
    void commandsOnTheBrokerAddDrainAndRemoveBackendsAndEachChangeIsPublished() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             DatagramSocket first = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket second = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("edge", "edge-commands")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Event> published = new CopyOnWriteArrayList<>();
            AtomicReference<EdgeRole> role = new AtomicReference<>();
            String firstId = "127.0.0.1:" + first.getLocalPort();
            String secondId = "127.0.0.1:" + second.getLocalPort();
            try (Subscription sub = admin.subscribe("edge", StartPosition.live(), (Delivery d) -> {
                try {
                    if (SipEvents.EDGE_BACKEND.matches(d.event().type())) {
                        published.add(d.event());
                    }
                } catch (dev.d2r2.core.EventFormatException e) {
                    throw new AssertionError(e);
                }
            });
                 EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                         List.of(new Backend((InetSocketAddress) first.getLocalSocketAddress(), 1)),
                         Duration.ofHours(1), Duration.ofMillis(300), e -> role.get().changed(e));
                 Publisher commands = admin.publisher("edge-commands")) {
                role.set(new EdgeRole(admin, edge, "edge", "edge-commands", Set.of()));
                long now = System.currentTimeMillis();
                commands.publish(EdgeCommand.add(now, "ops", secondId, 2.0).toEvent());
                commands.publish(EdgeCommand.drain(now, "ops", firstId).toEvent());
                commands.publish(EdgeCommand.remove(now, "ops", firstId).toEvent());
                commands.publish(EdgeCommand.add(now, "ops", "sip.example.com:5060", 1.0).toEvent());
                commands.publish(Event.message(SipEvents.EDGE_COMMAND.name(), now, "ops", Map.of(SipKeys.OP, "explode")));
                await().atMost(Duration.ofSeconds(10)).until(() -> published.size() >= 4);
                assertThat(published).extracting(e -> e.from() + " -> " + e.to() + " " + e.source()).containsExactly(
                        "null -> added " + secondId, "null -> draining " + firstId, "draining -> drained " + firstId,
                        "null -> removed " + firstId);
                assertThat(edge.backends()).extracting(Backend::id).containsExactly(secondId);
                assertThat(edge.backends().getFirst().weight()).isEqualTo(2.0);
                await().atMost(Duration.ofSeconds(10)).until(() -> role.get().refusedCommands() == 2);
                assertThat(edge.backends()).extracting(Backend::id).as("a name is never looked up").containsExactly(secondId);
                role.get().close();
            }
        }
    }
}
