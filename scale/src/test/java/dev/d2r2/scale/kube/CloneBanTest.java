package dev.d2r2.scale.kube;

import dev.d2r2.core.Clock;
import dev.d2r2.scale.CloneBan;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.events.CloudAccess;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The policy's prohibition on cloning into a cloud, as the scaler carries it out (the mock
 * cluster, a real SIP edge): a clone goes to the next cloud the placement rule allows, saying which
 * prohibition kept it out of the preferred one; with no cloud left the step is declined with that
 * reason; a revoke opens the cloud again. Each change of a cloud's access is a {@code scale.cloud} event,
 * from which a restarted scaler takes again the bans still in force.
 */
class CloneBanTest {
    private static final String TOKEN = "clone-ban-test-token-0123456789";
    private static final String TYPES = """
            clouds:
              home:   { subnet: 10.98.1.0/24, capacity: 1 }
              remote: { subnet: 10.98.2.0/24, capacity: 3, cost: 1 }
              far:    { subnet: 10.98.3.0/24, capacity: 3, cost: 2 }
            types:
              sip:
                template:
                  command: [d2r2, sip-server, --listen, "${address}:${port}", --name, "${name}"]
                  port: 5060
                  cpu: 0.5
                  image: example.org/d2r2:1
                cloud: home
                min: 1
                max: 6
                metrics:
                  active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                target: { metric: active_calls, per-instance: 500 }
                scale-down: { below: 1, for: 1h }
                cooldown: { out: 0s, in: 0s }
            """;
    private static final String BAN_REMOTE = "scaler-placement/forbid-clone/remote?type=sip";
    private static final String BAN_FAR = "scaler-placement/forbid-clone/far";
    @RegisterExtension
    final MockCluster cluster = new MockCluster();
    private final RecordedEvents events = new RecordedEvents();
    @RegisterExtension
    final LoopbackEdge edge = new LoopbackEdge(TOKEN);

    private ScalerRole scaler() throws Exception {
        return scaler(List.of());
    }

    /** A scaler with the bans a previous run left; the edge is made once and outlives it. */
    private ScalerRole scaler(List<CloneBan> restored) throws Exception {
        ScaleConfig config = ScaleConfig.parse("t.yaml", TYPES);
        EdgeClient client = edge.client();
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(10), Duration.ofSeconds(1), null, null).withRestoredBans(restored);
        return new ScalerRole(config, cluster.drivers(config, "bans", Duration.ofSeconds(10), "home", "remote", "far"),
                client, options, Clock.system(), events);
    }

    private List<String> servingIn() {
        return events.changes().stream().filter(c -> c.to().equals("serving")).map(InstanceChange::cloud).toList();
    }

    private ScaleStep lastStep() {
        return events.of(ScaleEvents.STEP, ScaleStep::from).getLast();
    }

    @Test
    void aForbiddenCloudIsSkippedThenTheStepDeclinedWithTheProhibitionThenOpenedByTheRevoke() throws Exception {
        long forever = System.currentTimeMillis() + 600_000;
        try (ScalerRole role = scaler()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().equals(List.of("home")));

            role.submit(new CloneBan(BAN_REMOTE, "remote", "sip", forever));
            role.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/out-1"));
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().size() == 2);
            assertThat(servingIn()).as("remote is cheaper, but forbidden").containsExactly("home", "far");
            ScaleStep taken = lastStep();
            assertThat(taken.after()).isEqualTo(2);
            assertThat(taken.why()).isEqualTo("remote is forbidden by the policy (" + BAN_REMOTE + ")");

            role.submit(new CloneBan(BAN_FAR, "far", null, forever));
            role.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/out-2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> lastStep().step().equals("test/out-2"));
            ScaleStep declined = lastStep();
            assertThat(declined.before()).as("declined").isEqualTo(declined.after());
            assertThat(declined.why()).isEqualTo("no cloud for another sip instance: home is full (1); remote is forbidden by the"
                    + " policy (" + BAN_REMOTE + "); far is forbidden by the policy (" + BAN_FAR + ")");

            role.submit(new CloneBan.Lift(BAN_REMOTE));
            role.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/out-3"));
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().size() == 3);
            assertThat(servingIn()).containsExactly("home", "far", "remote");
            assertThat(lastStep().why()).as("far is still forbidden, but remote was preferred anyway").isEqualTo(
                    "far is forbidden by the policy (" + BAN_FAR + ")");
        }
        assertThat(events.of(ScaleEvents.CLOUD, CloudAccess::from)).extracting(a -> a.cloud() + " " + a.type() + " " + a.from()
                + "->" + a.to() + " by " + a.action()).containsExactly(
                "remote sip open->forbidden by " + BAN_REMOTE,
                "far * open->forbidden by " + BAN_FAR,
                "remote sip forbidden->open by " + BAN_REMOTE);
    }

    @Test
    void aRestartedScalerTakesAgainTheBansItsPredecessorLeftInForce() throws Exception {
        long forever = System.currentTimeMillis() + 600_000;
        try (ScalerRole first = scaler()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().equals(List.of("home")));
            first.submit(new CloneBan(BAN_REMOTE, "remote", "sip", forever));
            first.submit(new CloneBan(BAN_FAR, "far", null, forever));
            first.submit(new CloneBan.Lift(BAN_FAR));
            await().atMost(Duration.ofSeconds(5)).until(() -> events.of(ScaleEvents.CLOUD, CloudAccess::from).size() == 3);
        }
        List<CloneBan> left = CloneBan.inForce(events.of(ScaleEvents.CLOUD, CloudAccess::from), System.currentTimeMillis());
        assertThat(left).containsExactly(new CloneBan(BAN_REMOTE, "remote", "sip", forever));
        events.clear();

        try (ScalerRole next = scaler(left)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().equals(List.of("home")));
            assertThat(events.of(ScaleEvents.CLOUD, CloudAccess::from)).extracting(CloudAccess::action, CloudAccess::to)
                    .as("taken again before anything is placed").containsExactly(tuple(BAN_REMOTE, "forbidden"));
            next.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/after-restart"));
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().size() == 2);
            assertThat(servingIn()).containsExactly("home", "far");
        }
    }

    @Test
    void aBanLapsesAtItsExpiryEvenWithoutItsRevoke() throws Exception {
        try (ScalerRole role = scaler()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().equals(List.of("home")));
            role.submit(new CloneBan(BAN_REMOTE, "remote", "sip", System.currentTimeMillis() - 1));
            role.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/out"));
            await().atMost(Duration.ofSeconds(20)).until(() -> servingIn().size() == 2);
            assertThat(servingIn()).containsExactly("home", "remote");
            assertThat(lastStep().why()).isNull();
        }
    }
}
