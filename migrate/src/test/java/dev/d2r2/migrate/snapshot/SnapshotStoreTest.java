package dev.d2r2.migrate.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotStoreTest {
    @TempDir
    Path dir;

    private static byte[] payload(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsTheLastNOfEachHostAndReadsTheNewestBack() throws IOException {
        SnapshotStore store = new SnapshotStore(dir, 3);
        for (long t = 1; t <= 5; t++) {
            store.put("h1", t * 1000, payload("{\"n\":" + t + "}"));
        }
        store.put("h2", 7000, payload("other"));

        assertThat(store.files("h1")).extracting(p -> SnapshotStore.read(p).takenAt()).containsExactly(3000L, 4000L, 5000L);
        SnapshotStore.Snapshot newest = store.newest("h1", r -> {
            throw new AssertionError(r);
        });
        assertThat(newest.takenAt()).isEqualTo(5000L);
        assertThat(new String(newest.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":5}");
        assertThat(store.files("h2")).hasSize(1);
        assertThat(store.newest("h3", r -> { })).isNull();
    }

    @Test
    void filesArePrivateAndNoTemporaryFileIsLeft() throws IOException {
        Path file = new SnapshotStore(dir, 2).put("h1", 1000, payload("state"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("snapshot-00000000000000001000.snap");
        }
    }

    @Test
    void aWriteThatFailsLeavesThePreviousSnapshotWholeAndNoTemporaryFile() throws IOException {
        SnapshotStore store = new SnapshotStore(dir, 2);
        Path file = store.put("h1", 1000, payload("first"));
        byte[] before = Files.readAllBytes(file);
        // a directory in the way of the rename: the replacement fails after the temporary file was written
        Path blocked = file.resolveSibling("snapshot-00000000000000002000.snap");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("x"), "x");
        assertThatThrownBy(() -> store.put("h1", 2000, payload("second"))).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }
    }

    @Test
    void aTruncatedOrAlteredSnapshotIsRefusedAndTheNewestValidOneIsLoaded() throws IOException {
        SnapshotStore store = new SnapshotStore(dir, 5);
        store.put("h1", 1000, payload("{\"good\":true}"));
        Path cut = store.put("h1", 2000, payload("{\"cut\":\"a longer payload\"}"));
        Path altered = store.put("h1", 3000, payload("{\"altered\":1}"));
        Path garbage = store.put("h1", 4000, payload("x"));

        byte[] c = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(c, c.length - 5));
        byte[] a = Files.readAllBytes(altered);
        a[a.length - 2] ^= 1;
        Files.write(altered, a);
        Files.write(garbage, new byte[0]);

        assertThatThrownBy(() -> SnapshotStore.read(cut)).isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(cut.toString()).hasMessageContaining("truncated");
        assertThatThrownBy(() -> SnapshotStore.read(altered)).isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("SHA-256 does not match");
        assertThatThrownBy(() -> SnapshotStore.read(garbage)).isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("no header line");

        List<String> refused = new ArrayList<>();
        SnapshotStore.Snapshot loaded = store.newest("h1", refused::add);
        assertThat(loaded.takenAt()).isEqualTo(1000L);
        assertThat(new String(loaded.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"good\":true}");
        assertThat(refused).hasSize(3).allSatisfy(r -> assertThat(r).contains("refused"));
    }

    @Test
    void aHostNameThatIsNotADirectoryNameIsRefused() {
        SnapshotStore store = new SnapshotStore(dir, 1);
        for (String bad : new String[]{"..", "../etc", "a/b", "", ".hidden"}) {
            assertThatThrownBy(() -> store.put(bad, 1, payload("x"))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new SnapshotStore(dir, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
