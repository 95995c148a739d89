package dev.d2r2.cosip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RosterTest {
    private static final String KEY = "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void readsAorsAndKeysSkippingCommentsAndMatchesAorsWithoutCase() throws Exception {
        Path f = Files.writeString(dir.resolve("roster"), "# users\n\nsip:alice@example.org " + KEY + "\n  sip:Bob@Example.org\t" + "cd".repeat(32) + "\n");
        Roster r = Roster.read(f);
        assertThat(r.keyOf("sip:ALICE@example.org")).hasSize(32).containsOnly((byte) 0xab);
        assertThat(r.keyOf("sip:bob@example.org")).containsOnly((byte) 0xcd);
        assertThat(r.keyOf("sip:carol@example.org")).isNull();
        assertThat(r.keyOf(null)).isNull();
    }

    @Test
    void badLinesAreNamedByFileLineAndColumn() throws Exception {
        Path f = Files.writeString(dir.resolve("r1"), "sip:alice@example.org " + KEY + "\nalice " + KEY + "\n");
        assertThatThrownBy(() -> Roster.read(f)).hasMessageStartingWith(f + ":2:1: expected 'sip:user@domain");
        Path g = Files.writeString(dir.resolve("r2"), "sip:alice@example.org " + KEY.substring(0, 63) + "x\n");
        assertThatThrownBy(() -> Roster.read(g)).hasMessageStartingWith(g + ":1:86: 'x' is not a hex digit");
        Path h = Files.writeString(dir.resolve("r3"), "sip:alice@example.org " + KEY + "\nsip:alice@example.org " + KEY + "\n");
        assertThatThrownBy(() -> Roster.read(h)).hasMessage(h + ":2:1: sip:alice@example.org is listed twice");
    }
}
