package dev.d2r2.migrate.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot file that must not be loaded: cut short, altered, or not a snapshot at all. */
public final class CorruptSnapshotException extends IOException {
    public CorruptSnapshotException(Path file, String reason) {
        super("snapshot " + file + " refused: " + reason);
    }
}
