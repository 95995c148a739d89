package dev.d2r2.scale;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.PhaseTimed;
import dev.d2r2.scale.events.ScaleStep;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Per-cloud broker identities on a real broker over TLS: each cloud's events go on its own channel
 * under its own identity, and a cloud's identity cannot publish on another cloud's channel — the
 * broker refuses it and counts the refusal.
 */
class CloudIdentitiesTest {
    private static final String TYPES = """
            clouds:
              home:   { subnet: 10.98.1.0/24, location: eu, identity: %s }
              remote: { subnet: 10.98.2.0/24, location: eu, identity: %s }
              far:    { subnet: 10.98.3.0/24, location: us }
            types:
              sip:
                template: { command: [d2r2, sip-server, --name, "${name}", --dialogs, "dialogs.${cloud}", --identity, "${identity}"], port: 5060, cpu: 0.5 }
                cloud: home
                %s
                min: 1
                max: 4
                metrics:
                  active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                target: { metric: active_calls, per-instance: 500 }
                scale-down: { below: 1, for: 1h }
            """;
    @TempDir
    Path dir;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private Broker broker;
    private BrokerServer server;
    private IdentityFile adminId;
    private final List<BrokerClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = Broker.open(dir.resolve("broker"), Clock.system(), registry);
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        adminId = IdentityFile.load(broker.adminIdentityPath());
    }

    @AfterEach
    void stop() {
        clients.forEach(BrokerClient::close);
        server.close();
        broker.close();
    }

    private BrokerClient connect(Path identity) throws Exception {
        BrokerClient c = RemoteBrokerClient.connect(IdentityFile.load(identity));
        clients.add(c);
        return c;
    }

    private double forbidden() {
        CounterSnapshot refusals = (CounterSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("d2r2_broker_refusals")).findFirst().orElseThrow();
        return refusals.getDataPoints().stream().filter(d -> "forbidden".equals(d.getLabels().get("reason")))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }

    @Test
    void eachCloudPublishesUnderItsOwnIdentityAndNoneOnAnothersChannel() throws Exception {
        Path home = dir.resolve("home.identity");
        Path remote = dir.resolve("remote.identity");
        ScaleConfig config = ScaleConfig.parse("t.yaml", TYPES.formatted(home, remote, "require: { location: eu }"));
        BrokerClient admin = connect(broker.adminIdentityPath());
        assertThat(CloudIdentities.register(admin, adminId, config, "scale", ChannelClass.DEFAULT)).containsExactly("home", "remote");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote))).isEqualTo("rw-------");
        assertThat(CloudIdentities.register(admin, adminId, config, "scale", ChannelClass.DEFAULT))
                .as("files there are kept").isEmpty();
        assertThat(config.type("sip").template().command("10.98.2.2", "sip-2", "remote", config.clouds().get("remote").identity()))
                .as("an instance gets its cloud's identity").containsSubsequence("dialogs.remote", "--identity", remote.toString());

        List<Delivery> onHome = new CopyOnWriteArrayList<>();
        List<Delivery> onRemote = new CopyOnWriteArrayList<>();
        admin.subscribe("scale.home", StartPosition.live(), onHome::add);
        admin.subscribe("scale.remote", StartPosition.live(), onRemote::add);
        List<Event> others = new ArrayList<>();
        BrokerClient homeCloud = connect(home);
        try (CloudPublishers publish = new CloudPublishers(Map.of("home", homeCloud, "remote", connect(remote)), "scale", others::add)) {
            publish.accept(new InstanceChange(1, "sip-2", "starting", "running", "sip", "remote", "10.98.2.2:5060", null).toEvent());
            publish.accept(new PhaseTimed(2, "sip-1", "home", "boot", 400, "initial", null).toEvent());
            publish.accept(new InstanceChange(3, "sip-3", "starting", "running", "sip", "far", "10.98.3.2:5060", null).toEvent());
            publish.accept(new ScaleStep(4, "sip", "out", 1, 2, "scaler/scale-out/sip", null).toEvent());
        }
        await().until(() -> onHome.size() == 1 && onRemote.size() == 1);
        assertThat(onRemote.getFirst().publisher()).isEqualTo("scale-remote");
        assertThat(onRemote.getFirst().event().source()).isEqualTo("sip-2");
        assertThat(onHome.getFirst().publisher()).isEqualTo("scale-home");
        assertThat(onHome.getFirst().event().type()).isEqualTo("scale.phase");
        assertThat(others).as("a cloud without an identity, and the scaler's own events").extracting(Event::source)
                .containsExactly("sip-3", "sip");

        double before = forbidden();
        assertThatThrownBy(() -> homeCloud.publisher("scale.remote")).isInstanceOf(BrokerException.class)
                .hasMessage("forbidden: scale-home may not publish on channel scale.remote");
        assertThat(forbidden()).as("counted").isEqualTo(before + 1);
        assertThat(onRemote).hasSize(1);
    }

    @Test
    void aCommandThatPassesTheIdentityNeedsOneInEveryCloudTheTypeMayRunIn() {
        assertThatThrownBy(() -> ScaleConfig.parse("t.yaml", TYPES.formatted("h.identity", "r.identity", "")))
                .hasMessageContaining("t.yaml:").hasMessageContaining("key types.sip.template.command")
                .hasMessageContaining("cloud far, where the type may run, has no identity");
    }
}
