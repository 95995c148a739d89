package dev.d2r2.sip.edge;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.sip.events.EdgeCommand;
import dev.d2r2.sip.events.SipEvents;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The edge moves a backend at once when a live migration took its server to another address (a
 * {@code move} command on the broker, as a migration host sends it): the calls set up before
 * end at the new address, whether their BYE names the old backend in its Route or carries no
 * Route at all, and new calls go there. Only a mover (the migration host's identity) may move a
 * backend: a move signed by another publisher of the command channel is refused and counted.
 */
class EdgeMoveTest {
    @TempDir
    Path dir;

    @Test
    void aMoveCommandSendsTheBackendsDialogsAndNewCallsToItsNewAddress() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             SipServer before = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             Caller caller = new Caller()) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("edge", "edge-commands")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Event> published = new CopyOnWriteArrayList<>();
            AtomicReference<EdgeRole> role = new AtomicReference<>();
            String oldId = "127.0.0.1:" + before.address().getPort();
            try (Subscription sub = admin.subscribe("edge", StartPosition.live(), (Delivery d) -> {
                try {
                    if (SipEvents.EDGE_BACKEND.matches(d.event().type())) {
                        published.add(d.event());
                    }
                } catch (EventFormatException e) {
                    throw new AssertionError(e);
                }
            });
                 EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(new Backend(before.address(), 3)),
                         Duration.ofHours(1), Duration.ofMillis(300), e -> role.get().changed(e));
                 Publisher commands = broker.connectLocal(MOVER).publisher("edge-commands")) {
                role.set(new EdgeRole(admin, edge, "edge", "edge-commands", Set.of(MOVER)));
                InetSocketAddress edgeAt = edge.address();
                String routed = caller.call(edgeAt);
                String unrouted = caller.call(edgeAt);
                await().atMost(Duration.ofSeconds(5)).until(() -> before.activeCalls() == 2);

                try (SipServer after = new SipServer(before.state().at("127.0.0.1:0"))) {
                    before.close();
                    String newId = "127.0.0.1:" + after.address().getPort();
                    commands.publish(EdgeCommand.move(System.currentTimeMillis(), "h2", oldId, newId).toEvent());
                    await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
                    assertThat(published).extracting(e -> e.to() + " " + e.source() + " " + e.attrs().get("why"))
                            .containsExactly("moved " + newId + " from " + oldId);
                    assertThat(edge.backends()).extracting(Backend::id).containsExactly(newId);
                    assertThat(edge.backends().getFirst().weight()).isEqualTo(3);
                    assertThat(edge.backends().getFirst().activeDialogs()).as("its dialogs moved with it").isEqualTo(2);

                    String recordRoute = "<sip:127.0.0.1:" + edgeAt.getPort() + ";lr;d2r2-b=" + oldId + ">";
                    assertThat(caller.bye(edgeAt, routed, recordRoute)).as("a BYE routed to the old backend").isEqualTo(200);
                    assertThat(caller.bye(edgeAt, unrouted)).as("a BYE found by the dialog table").isEqualTo(200);
                    assertThat(after.counters()).containsEntry("calls.ended", 2L);
                    String fresh = caller.call(edgeAt);
                    assertThat(caller.bye(edgeAt, fresh)).isEqualTo(200);
                    assertThat(edge.counters()).containsEntry("dialogs.started." + newId, 1L).containsEntry("backend.moved", 1L);
                    assertThat(edge.activeDialogs()).isZero();
                }
                commands.publish(EdgeCommand.move(System.currentTimeMillis(), "h2", oldId, "127.0.0.1:5999").toEvent());
                await().atMost(Duration.ofSeconds(10)).until(() -> role.get().refusedCommands() == 1);
                role.get().close();
            }
        }
    }

    private static final String MOVER = "migrate.h2";

    @Test
    void aMoveFromAPublisherThatIsNotAMoverIsRefusedAndCountedWhileItsOtherCommandsAreTaken() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             SipServer first = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             SipServer second = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            admin.createChannel(new ChannelSpec("edge", ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            admin.createChannel(new ChannelSpec("edge-commands", ChannelClass.DEFAULT.withProtection(FaultModel.CRASH, Protection.PKS),
                    Set.of("ops", MOVER), Set.of(ChannelSpec.ANYONE)));
            String firstId = "127.0.0.1:" + first.address().getPort();
            String secondId = "127.0.0.1:" + second.address().getPort();
            AtomicReference<EdgeRole> role = new AtomicReference<>();
            try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(new Backend(first.address(), 1)),
                    Duration.ofHours(1), Duration.ofMillis(300), e -> role.get().changed(e));
                 Publisher ops = broker.connectLocal("ops").publisher("edge-commands");
                 Publisher mover = broker.connectLocal(MOVER).publisher("edge-commands")) {
                role.set(new EdgeRole(admin, edge, "edge", "edge-commands", Set.of(MOVER)));
                long now = System.currentTimeMillis();
                ops.publish(EdgeCommand.move(now, "h2", firstId, "127.0.0.1:5999").toEvent());
                await().atMost(Duration.ofSeconds(10)).until(() -> role.get().unauthorisedCommands() == 1);
                assertThat(edge.backends()).extracting(Backend::id).as("not moved").containsExactly(firstId);
                assertThat(role.get().refusedCommands()).isEqualTo(1);

                ops.publish(EdgeCommand.add(now, "ops", secondId, 1.0).toEvent());
                await().atMost(Duration.ofSeconds(10)).until(() -> edge.backends().size() == 2);
                mover.publish(EdgeCommand.move(now, "h2", firstId, "127.0.0.1:5999").toEvent());
                await().atMost(Duration.ofSeconds(10)).until(() -> edge.backends().stream().anyMatch(b -> b.id().equals("127.0.0.1:5999")));
                assertThat(role.get().unauthorisedCommands()).isEqualTo(1);
                assertThat(edge.counters()).containsEntry("backend.moved", 1L);
                role.get().close();
            }
        }
    }

    private static final String TOKEN = "edge-move-test-token-0123456789";

    private static int post(EdgeApi api, String path, String token, String body) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            return client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void theApiMovesABackendWithTheTokenAndRefusesWhatItCannotMove() throws Exception {
        try (SipServer before = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             SipServer after = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             Caller caller = new Caller();
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(new Backend(before.address(), 1)),
                     Duration.ofHours(1), Duration.ofMillis(300), e -> {
                     });
             EdgeApi api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, dev.d2r2.core.actuator.http.BearerToken.of(TOKEN),
                     ApiLimits.DEFAULT)) {
            String oldId = "127.0.0.1:" + before.address().getPort();
            String newId = "127.0.0.1:" + after.address().getPort();
            String call = caller.call(edge.address());
            before.pause(); // state() is exact only when paused: the call's ACK may be moving it between tables
            after.load(before.state());
            String path = "/backends/" + oldId + "/move";
            assertThat(post(api, path, null, "{\"address\":\"" + newId + "\"}")).isEqualTo(401);
            assertThat(post(api, path, TOKEN, "{\"address\":\"sip.example.com:5060\"}")).as("a name is never looked up").isEqualTo(400);
            assertThat(post(api, path, TOKEN, "{\"address\":\"" + newId + "\",\"weight\":2}")).isEqualTo(400);
            assertThat(post(api, "/backends/127.0.0.1:1/move", TOKEN, "{\"address\":\"" + newId + "\"}")).isEqualTo(404);
            assertThat(post(api, path, TOKEN, "{\"address\":\"" + oldId + "\"}")).as("onto a backend's address").isEqualTo(400);
            assertThat(edge.backends()).extracting(Backend::id).containsExactly(oldId);
            assertThat(post(api, path, TOKEN, "{\"address\":\"" + newId + "\"}")).isEqualTo(200);
            assertThat(edge.backends()).extracting(Backend::id).containsExactly(newId);
            before.close();
            assertThat(caller.bye(edge.address(), call)).isEqualTo(200);
            assertThat(after.counters()).containsEntry("calls.ended", 1L);
        }
    }
}
