package dev.d2r2.migrate.takeover;

import dev.d2r2.migrate.events.NatSteered;
import dev.d2r2.migrate.takeover.TakeoverConfig.Nat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAT front's steering with the real nft, in a network namespace of its own (needs root):
 * the rule follows the leader it is given, and every failure — nft refusing, a holder without a
 * target — is counted, retried no sooner than the retry time, and leaves the last rule in place.
 */
class NatFrontTest {
    private static final String NS = "d2r2-natfront";
    private static final Nat NAT = new Nat("203.0.113.10:5060", Map.of("master", "10.97.29.1:5060", "backup", "10.97.29.2:5070"),
            "d2r2_natfront");
    private final List<NatSteered> events = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        run("ip", "netns", "del", NS);
        assertThat(run("ip", "netns", "add", NS)).isZero();
    }

    @AfterEach
    void remove() throws Exception {
        run("ip", "netns", "del", NS);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static String rules() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", NS, "nft", "list", "table", "ip", NAT.table()).redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    private NatFront front(String namespace) {
        NftSteering nft = new NftSteering(List.of("ip", "netns", "exec", namespace, "nft"), NAT.table(), NAT.publicSocket());
        return new NatFront("front", NAT, nft, 200, events::add, errors::add, Runnable::run);
    }

    private static Optional<Keepalive> holder(String name, long epoch) {
        return Optional.of(new Keepalive(name, name.equals("master") ? 2 : 1, true, epoch, 1));
    }

    @Test
    void theRuleFollowsTheLeaderInOneTransactionEach() throws Exception {
        NatFront front = front(NS);
        front.follow(Optional.empty(), 0);
        assertThat(rules()).as("no holder heard yet: no rule").doesNotContain("daddr set");
        front.follow(holder("master", 1), 10);
        assertThat(rules()).contains("ip daddr 203.0.113.10 udp dport 5060 notrack ip daddr set 10.97.29.1 udp dport set 5060")
                .contains("ip saddr 10.97.29.1 udp sport 5060 ip saddr set 203.0.113.10 udp sport set 5060")
                .contains("master epoch 1");
        front.follow(holder("master", 1), 20);
        front.follow(holder("backup", 2), 30);
        String now = rules();
        assertThat(now).contains("ip daddr set 10.97.29.2 tcp dport set 5070").contains("backup epoch 2").doesNotContain("10.97.29.1");
        assertThat(events).extracting(e -> e.member() + " " + e.target() + " " + e.epoch())
                .containsExactly("master 10.97.29.1:5060 1", "backup 10.97.29.2:5070 2");
        assertThat(front.rewrites()).isEqualTo(2);
        assertThat(front.failures()).isZero();
    }

    /**
     * The rewrite runs elsewhere: the member's thread goes on (its keepalives with it) while nft
     * runs, starts no second rewrite meanwhile, and reports the rewrite on its next call after it.
     */
    @Test
    void aRewriteRunsOffTheMembersThreadAndIsReportedOnceDone() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        NatFront front = new NatFront("front", NAT, new NftSteering(List.of("ip", "netns", "exec", NS, "nft"), NAT.table(),
                NAT.publicSocket()), 200, events::add, errors::add, queued::add);
        front.follow(holder("master", 1), 0);
        front.follow(holder("backup", 2), 10);
        assertThat(queued).as("one rewrite at a time").hasSize(1);
        assertThat(events).as("not steered before nft ran").isEmpty();
        queued.removeFirst().run();
        assertThat(rules()).contains("master epoch 1");
        front.follow(holder("backup", 2), 20);
        assertThat(events).extracting(NatSteered::member).containsExactly("master");
        assertThat(queued).as("the newer holder next").hasSize(1);
        queued.removeFirst().run();
        front.follow(holder("backup", 2), 30);
        assertThat(events).extracting(NatSteered::member).containsExactly("master", "backup");
        assertThat(front.rewrites()).isEqualTo(2);
    }

    @Test
    void failuresAreCountedRetriedAfterTheRetryTimeAndLeaveTheLastRule() throws Exception {
        NatFront broken = front("d2r2-natfront-absent");
        broken.follow(holder("backup", 2), 0);
        broken.follow(holder("backup", 2), 100);
        assertThat(broken.failures()).as("not retried before 200 ms").isEqualTo(1);
        broken.follow(holder("backup", 2), 200);
        assertThat(broken.failures()).isEqualTo(2);
        assertThat(errors).allSatisfy(e -> assertThat(e).contains("steering to backup failed"));
        assertThat(events).isEmpty();

        NatFront front = front(NS);
        front.follow(holder("master", 1), 0);
        front.follow(holder("stranger", 3), 10);
        assertThat(front.failures()).isEqualTo(1);
        assertThat(errors.getLast()).contains("member stranger holds epoch 3 but has no target");
        assertThat(rules()).contains("ip daddr set 10.97.29.1");
    }
}
