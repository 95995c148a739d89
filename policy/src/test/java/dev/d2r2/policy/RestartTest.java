package dev.d2r2.policy;

import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static org.assertj.core.api.Assertions.assertThat;

/** After a restart the engine picks up from its audit trail: no action forgotten, none applied twice. */
class RestartTest {
    private static final String BLOCK = "sip-edge/block/198.51.100.7";
    private static final String LIMIT = "sip-edge/rate-limit/198.51.100.7?rate=5/s";

    @TempDir
    Path dir;

    @Test
    void activeContextsAndActionsSurviveARestartAndAreRevokedOnceWhenTheyExpire() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        Restartable first = new Restartable(trail, Fixtures.T0);
        first.h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        assertThat(first.h.calls.log()).containsExactly("deploy " + BLOCK, "deploy " + LIMIT);
        first.close();

        Restartable second = new Restartable(trail, T0 + 60_000);
        assertThat(second.h.calls.calls).isEmpty();
        assertThat(second.h.engine.actions()).containsOnlyKeys(BLOCK, LIMIT);
        assertThat(second.h.engine.contexts()).extracting(ContextInstance::id)
                .containsExactly("nominal", "flooding{attacker=198.51.100.7,edge=edge-1}");
        second.h.advance(Duration.ofMinutes(9));
        assertThat(second.h.calls.log()).containsExactly("revoke " + BLOCK, "revoke " + LIMIT);
        second.close();

        Restartable third = new Restartable(trail, T0 + 20 * 60_000);
        assertThat(third.h.calls.calls).isEmpty();
        assertThat(third.h.engine.actions()).isEmpty();
    }

    @Test
    void actionsThatExpiredWhileTheEngineWasDownAreRevokedAtStart() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        Restartable first = new Restartable(trail, T0);
        first.h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        first.close();

        Restartable later = new Restartable(trail, T0 + 3_600_000);
        assertThat(later.h.calls.log()).containsExactly("revoke " + BLOCK, "revoke " + LIMIT);
        assertThat(later.h.contextChanges()).containsExactly("expired flooding{attacker=198.51.100.7,edge=edge-1}");
    }

    @Test
    void aCallCutShortByACrashIsMadeAgainWithTheSameIdAndOnlyOnce() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        Restartable first = new Restartable(trail, T0);
        first.h.calls.answering(c -> null);
        first.h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        first.close();
        Files.writeString(trail, "{\"type\":\"policy.outc", StandardOpenOption.APPEND);

        List<String> bad = new ArrayList<>();
        assertThat(AuditLog.read(trail, bad::add)).isNotEmpty();
        assertThat(bad).singleElement().asString().startsWith(trail + ":");

        Restartable second = new Restartable(trail, T0 + 1000);
        assertThat(second.h.calls.log()).containsExactly("deploy " + BLOCK, "deploy " + LIMIT);
        second.close();
        Restartable third = new Restartable(trail, T0 + 2000);
        assertThat(third.h.calls.calls).isEmpty();
    }

    /** An engine on the trail, started at {@code now}. */
    private static final class Restartable {
        final Harness h;
        final AuditLog audit;

        Restartable(Path trail, long now) throws Exception {
            List<Event> events = AuditLog.read(trail, bad -> {
            });
            audit = AuditLog.open(trail);
            h = new Harness(Fixtures.flooding(), audit, Map.of(), now, events);
        }

        void close() throws Exception {
            audit.close();
        }
    }
}
