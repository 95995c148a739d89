package dev.d2r2.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real peers that integration tests run (Nagios plugins, SIPp, snmpd...). {@code bin/test}
 * installs them; when one is missing anyway, CI fails and a developer's run skips.
 */
public final class Peers {
    private Peers() {
    }

    public static void require(Path executable, String debianPackage) {
        if (Files.isExecutable(executable)) {
            return;
        }
        String why = executable + " is missing: install the Debian package " + debianPackage + " (bin/test does)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
    }
}
