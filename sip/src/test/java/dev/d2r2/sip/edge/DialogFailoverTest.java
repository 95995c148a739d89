package dev.d2r2.sip.edge;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.sip.load.SipLoad;
import dev.d2r2.sip.server.Replication;
import dev.d2r2.sip.server.ServerRole;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Calls set up on a server that dies end cleanly on a peer holding their replicas. */
class DialogFailoverTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final ChannelClass LOGGED = ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER);

    @TempDir
    Path dir;

    @Test
    void aByeForACallTheServerNeverSawIsRefusedUnlessItHoldsTheCallsReplica() throws Exception {
        try (SipServer server = new SipServer(ANY, 0, 0); SipServer peer = new SipServer(ANY, 0, 0); Caller caller = new Caller()) {
            List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
            peer.replicate(new Replication() {
                @Override
                public void started(String callId) {
                    told.add("start " + callId);
                }

                @Override
                public void ended(String callId) {
                    told.add("end " + callId);
                }
            });
            SipLoad.Report r = new SipLoad(plan(peer.address(), 20, Duration.ofMillis(100), Duration.ofMillis(500))).run();
            assertThat(r.dropped()).isZero();
            assertThat(told).hasSize((int) (2 * r.calls())).filteredOn(t -> t.startsWith("start")).hasSize((int) r.calls());

            String callId = told.getFirst().substring("start ".length());
            assertThat(caller.bye(server.address(), callId)).isEqualTo(481);
            assertThat(server.counters()).containsEntry("bye.unknown", 1L);
            server.adopt(callId);
            assertThat(server.replicas()).isOne();
            assertThat(caller.bye(server.address(), callId)).isEqualTo(200);
            assertThat(caller.bye(server.address(), callId)).as("a retransmitted BYE").isEqualTo(200);
            assertThat(server.counters()).containsEntry("calls.ended.replica", 1L);
            assertThat(server.replicas()).isZero();
        }
    }

    @Test
    void whenAServerDiesItsEstablishedCallsEndOnAPeerAndNoneIsDropped() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient client = broker.connectLocal(Broker.ADMIN);
            client.createChannel(new ChannelSpec("dialogs", LOGGED, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            List<SipServer> servers = new ArrayList<>();
            List<ServerRole> roles = new ArrayList<>();
            List<Backend> backends = new ArrayList<>();
            for (String name : List.of("s1", "s2", "s3")) {
                SipServer s = new SipServer(ANY, 0, 0);
                servers.add(s);
                roles.add(new ServerRole(client, s, name, "dialogs"));
                backends.add(new Backend(s.address(), 1));
            }
            try (EdgeProxy edge = new EdgeProxy(ANY, backends, Duration.ofMillis(100), Duration.ofMillis(300), e -> { })) {
                SipLoad.Plan plan = plan(edge.address(), 30, Duration.ofSeconds(2), Duration.ofSeconds(4));
                CompletableFuture<SipLoad.Report> load = CompletableFuture.supplyAsync(() -> run(plan));
                SipServer victim = servers.get(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> victim.activeCalls() >= 5);
                await().atMost(Duration.ofSeconds(10)).until(() -> servers.get(0).replicas() >= 5 && servers.get(2).replicas() >= 5);
                int orphaned = victim.activeCalls();
                roles.get(1).close();
                victim.close();

                SipLoad.Report r = load.get();
                assertThat(r.established()).isEqualTo(r.calls());
                assertThat(r.dropped()).isZero();
                long endedOnPeers = servers.get(0).counters().getOrDefault("calls.ended.replica", 0L)
                        + servers.get(2).counters().getOrDefault("calls.ended.replica", 0L);
                assertThat(endedOnPeers).isGreaterThanOrEqualTo(orphaned);
                assertThat(edge.counters().get("failover.in_dialog")).isGreaterThanOrEqualTo(orphaned);
                await().atMost(Duration.ofSeconds(5)).until(() -> servers.get(0).replicas() == 0 && servers.get(2).replicas() == 0);
            } finally {
                for (int i = 0; i < servers.size(); i++) {
                    roles.get(i).close();
                    servers.get(i).close();
                }
            }
        }
    }

    @Test
    void aRestartedServerReplaysTheCallsItHadAndEndsThem() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient client = broker.connectLocal(Broker.ADMIN);
            client.createChannel(new ChannelSpec("dialogs", LOGGED, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            String callId;
            try (SipServer before = new SipServer(ANY, 0, 0); ServerRole role = new ServerRole(client, before, "s1", "dialogs");
                 Caller caller = new Caller()) {
                callId = caller.call(before.address());
                await().atMost(Duration.ofSeconds(5)).until(() -> before.counters().containsKey("ack"));
                before.close();
            }
            try (SipServer after = new SipServer(ANY, 0, 0); ServerRole role = new ServerRole(client, after, "s1", "dialogs");
                 Caller caller = new Caller()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> after.replicas() == 1);
                assertThat(caller.bye(after.address(), callId)).isEqualTo(200);
                assertThat(after.counters()).containsEntry("calls.ended.replica", 1L);
                assertThat(role.malformed()).isZero();
            }
        }
    }

    private static SipLoad.Plan plan(InetSocketAddress target, double rate, Duration callLength, Duration duration) {
        return new SipLoad.Plan(target, rate, callLength, 5, 0, 0, "INVITE", duration);
    }

    private static SipLoad.Report run(SipLoad.Plan plan) {
        try {
            return new SipLoad(plan).run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
