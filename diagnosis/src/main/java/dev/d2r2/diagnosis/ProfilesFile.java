package dev.d2r2.diagnosis;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Profiles as a JSON file: written by training, read (strictly, errors at {@code file:line:col}) by the role. */
public final class ProfilesFile {
    private ProfilesFile() {
    }

    public static void write(Profiles p, Path file) throws IOException {
        Files.writeString(file, ConfigLoader.json().writerWithDefaultPrettyPrinter().writeValueAsString(p) + "\n");
    }

    /** {@code metrics}: the metric set the profiles must have, in order; null to take the file's. */
    public static Profiles load(Path file, List<String> metrics) throws ConfigException {
        return ConfigLoader.load(file, Profiles.class, p -> {
            if (metrics != null && !metrics.equals(p.metrics())) {
                throw new InvalidAt("the profiles were trained on " + p.metrics() + ", not on the configured metrics "
                        + metrics + ": train again on this metric set", "metrics");
            }
            return p;
        });
    }
}
