package dev.d2r2.policy.actuator;

import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.policy.config.ActuatorConfig;

/** Checks that an actuator config uses only the options its kind takes. */
final class Options {
    private Options() {
    }

    static void refuseUnused(ActuatorConfig c, String kind, boolean urlOk, boolean commandOk) {
        if (!urlOk && (c.url() != null || !c.headers().isEmpty() || c.tokenFile() != null)) {
            throw new InvalidAt("url, headers and token-file are for webhook actuators, not " + kind,
                    c.url() != null ? "url" : !c.headers().isEmpty() ? "headers" : "token-file");
        }
        if (!commandOk && !c.command().isEmpty()) {
            throw new InvalidAt("command is for command actuators, not " + kind, "command");
        }
    }
}
