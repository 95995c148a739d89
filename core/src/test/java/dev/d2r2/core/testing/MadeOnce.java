package dev.d2r2.core.testing;

import dev.d2r2.core.Directories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Files that take a process of their own to make, made once per test JVM and copied into each
 * directory a test needs them in: a broker's TLS key store, which {@code keytool} (a JVM) makes
 * when the broker's data directory has none. The copies are what the maker makes, so the code
 * under test takes them for its own; tests of the making itself do not use this.
 */
public final class MadeOnce {
    /** Makes files in an empty directory. */
    @FunctionalInterface
    public interface Maker {
        void make(Path dir) throws IOException;
    }

    private static final Map<String, Path> MADE = new ConcurrentHashMap<>();

    private MadeOnce() {
    }

    /**
     * Copies into {@code dir} (created if need be) the files {@code maker} made in a directory of
     * their own the first time {@code name} was asked for in this JVM, those {@code dir} has not got.
     */
    public static void copyInto(Path dir, String name, Maker maker) throws IOException {
        Path made;
        try {
            made = MADE.computeIfAbsent(name, n -> make(n, maker));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(made)) {
            for (Path f : files.toList()) {
                Path copy = dir.resolve(f.getFileName());
                if (!Files.exists(copy)) {
                    Files.copy(f, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Path make(String name, Maker maker) {
        try {
            Path dir = Files.createTempDirectory("d2r2-made-" + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            maker.make(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try {
            Directories.deleteTree(dir);
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}
