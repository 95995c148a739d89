package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Entry guards kept apart from the forwarding pool: chosen once, kept across pool refreshes and restarts, replaced slowly. */
class EntryGuardsTest {
    private static final Duration LIFETIME = Duration.ofDays(30);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(1_000_000);
    private int port = 2000;

    private List<Hop> freshPool(int size) {
        List<Hop> pool = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            pool.add(new Hop(X25519.raw(X25519.generate().getPublic()), new InetSocketAddress(InetAddress.getLoopbackAddress(), port++)));
        }
        return pool;
    }

    @Test
    void theGuardsStayWhilePoolRefreshesReturnOtherPeersEveryTime() throws Exception {
        EntryGuards guards = EntryGuards.persisted(3, new Random(1), clock, LIFETIME, dir.resolve("g"));
        List<Hop> first = guards.current(freshPool(32));

        for (int refresh = 0; refresh < 50; refresh++) {
            clock.advance(Duration.ofMinutes(5));
            assertThat(guards.current(freshPool(32))).as("a pool of 32 peers none of which is a guard").isEqualTo(first);
        }
        PathSelector paths = new PathSelector(freshPool(1).getFirst(), guards, new Random(2));
        Set<Hop> firstHops = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            firstHops.add(paths.pick(TunnelKind.INBOUND, freshPool(8)).getFirst());
        }
        assertThat(firstHops).as("every inbound tunnel starts at one of them, in none of the pools").isSubsetOf(first);
    }

    @Test
    void aRestartedAgentKeepsItsGuardsFromTheFileReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("alice.guards");
        List<Hop> chosen = EntryGuards.persisted(3, new Random(1), clock, LIFETIME, file).current(freshPool(32));

        EntryGuards restarted = EntryGuards.persisted(3, new Random(99), clock, LIFETIME, file);

        assertThat(restarted.current(freshPool(32))).isEqualTo(chosen);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aDepartedGuardIsReplacedFromThePoolAndTheFileSaysSo() throws Exception {
        Path file = dir.resolve("g");
        EntryGuards guards = EntryGuards.persisted(3, new Random(1), clock, LIFETIME, file);
        List<Hop> before = guards.current(freshPool(32));
        List<Hop> pool = freshPool(32);

        guards.departed(before.get(1));

        List<Hop> after = guards.current(pool);
        assertThat(after).hasSize(3).contains(before.get(0), before.get(2)).doesNotContain(before.get(1));
        assertThat(pool).contains(after.get(2));
        assertThat(EntryGuards.persisted(3, new Random(5), clock, LIFETIME, file).current(freshPool(32))).isEqualTo(after);
    }

    @Test
    void eachGuardIsKeptBetweenOneAndTwoLifetimesThenRotated() throws Exception {
        EntryGuards guards = EntryGuards.persisted(3, new Random(1), clock, LIFETIME, dir.resolve("g"));
        List<Hop> first = guards.current(freshPool(32));

        clock.advance(LIFETIME.minusMinutes(1));
        assertThat(guards.current(freshPool(32))).isEqualTo(first);
        clock.advance(LIFETIME.plusMinutes(2));
        assertThat(guards.current(freshPool(32))).hasSize(3).doesNotContainAnyElementsOf(first);
    }

    @Test
    void aLineThatIsNotAGuardIsRefusedNamingFileAndLine() throws Exception {
        Path file = dir.resolve("g");
        Files.writeString(file, "# guards\n" + freshPool(1).getFirst().text() + " 5\nnot-a-hop 7\n");

        assertThatThrownBy(() -> EntryGuards.persisted(3, new Random(1), clock, LIFETIME, file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(file + ":3: ");
        Files.writeString(file, freshPool(1).getFirst().text() + "\n");
        assertThatThrownBy(() -> EntryGuards.persisted(3, new Random(1), clock, LIFETIME, file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(file + ":1: ");
    }
}
