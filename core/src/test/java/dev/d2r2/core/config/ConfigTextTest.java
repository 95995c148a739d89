package dev.d2r2.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hostile configuration files are refused up front, with where and why, before the YAML parser sees them. */
class ConfigTextTest {
    record Named(String name) {
    }

    @Test
    void aNonUtf8FileIsNamedWithTheLineAndColumnOfTheBadByte(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d2r2.yaml");
        byte[] head = "name: ok\nlisten: caf".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 1];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xe9;
        Files.write(f, bytes);
        assertThatThrownBy(() -> ConfigLoader.load(f, Named.class))
                .hasMessage(f + ":2:12: not UTF-8 text (byte 0xe9); save the file as UTF-8");
    }

    @Test
    void aHugeScalarIsRefusedAtOnceWithItsLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d2r2.yaml");
        Files.writeString(f, "# a comment\nname: " + "x".repeat(2_000_000) + "\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Named.class))
                .hasMessageStartingWith(f + ":2:65537: line longer than 65536 characters");
    }

    @Test
    void aFileOverTheSizeLimitIsNotRead(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d2r2.yaml");
        Files.writeString(f, ("# " + "y".repeat(60) + "\n").repeat(40_000) + "name: a\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Named.class))
                .hasMessage(f + ": larger than 2 MiB; not a configuration file");
    }

    @Test
    void textGivenDirectlyHasTheSameLineLimit() {
        assertThatThrownBy(() -> ConfigLoader.parse("inline.yaml", "name: " + "z".repeat(70_000), Named.class))
                .hasMessageStartingWith("inline.yaml:1:65537: line longer than");
    }

    @Test
    void anOrdinaryFileStillLoads(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d2r2.yaml");
        Files.writeString(f, "name: \"caf\u00e9\"\n");
        assertThat(ConfigLoader.load(f, Named.class).name()).isEqualTo("caf\u00e9");
    }
}
