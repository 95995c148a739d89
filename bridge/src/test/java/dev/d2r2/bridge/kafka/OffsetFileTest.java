package dev.d2r2.bridge.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffsetFileTest {
    @TempDir
    Path dir;

    @Test
    void aFirstStartHasNoPositionAndAStoredOneReadsBack() throws Exception {
        OffsetFile f = new OffsetFile(dir.resolve("state/kafka-out-a-b.offset"));
        assertThat(f.read()).isEmpty();
        f.store(41);
        f.store(42);
        assertThat(f.read()).hasValue(42);
        assertThat(Files.readString(f.path())).isEqualTo("next-offset=42\n");
        try (var files = Files.list(f.path().getParent())) {
            assertThat(files).as("no temporary file left").containsExactly(f.path());
        }
    }

    @Test
    void aDamagedFileIsAnErrorNamingFileLineAndColumn() throws Exception {
        OffsetFile f = new OffsetFile(dir.resolve("p.offset"));
        Files.writeString(f.path(), "next-offset=-3\n");
        assertThatThrownBy(f::read).hasMessage(f.path() + ":1:13: not an offset: \"-3\"");
        Files.writeString(f.path(), "offset 3\n");
        assertThatThrownBy(f::read).hasMessage(f.path() + ":1:1: expected next-offset=N, found \"offset 3\"");
    }
}
