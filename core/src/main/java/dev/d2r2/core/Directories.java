package dev.d2r2.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Directory helpers the JDK lacks. */
public final class Directories {
    private Directories() {
    }

    /** Deletes {@code dir} and everything under it. */
    public static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
