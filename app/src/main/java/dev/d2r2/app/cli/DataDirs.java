package dev.d2r2.app.cli;

import java.nio.file.Path;

/** Where d2r2 keeps its state on this machine: {@code $XDG_DATA_HOME/d2r2}, else {@code ~/.local/share/d2r2}. */
public final class DataDirs {
    private DataDirs() {
    }

    public static Path defaultDataDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("d2r2");
    }

    public static Path defaultIdentity() {
        return defaultDataDir().resolve("admin.identity");
    }
}
