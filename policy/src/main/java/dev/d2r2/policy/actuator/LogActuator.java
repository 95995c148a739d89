package dev.d2r2.policy.actuator;

import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.policy.config.ActuatorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/** Writes each action to the log: for trying a policy out, and for actions a human carries out. */
public final class LogActuator implements Actuator {
    private static final Logger LOG = LoggerFactory.getLogger(LogActuator.class);
    private final String name;

    LogActuator(String name) {
        this.name = name;
    }

    @Override
    public void deploy(Action a) {
        LOG.info("{}: {} {} {} until {} ({})", name, a.op(), a.target(), a.params(), Instant.ofEpochMilli(a.expires()), a.id());
    }

    @Override
    public void revoke(Action a) {
        LOG.info("{}: revoke {} {} ({})", name, a.op(), a.target(), a.id());
    }

    public static final class Kind implements ActuatorKind {
        @Override
        public String key() {
            return "log";
        }

        @Override
        public void validate(ActuatorConfig config) {
            Options.refuseUnused(config, key(), false, false);
        }

        @Override
        public Actuator create(String name, ActuatorConfig config) {
            return new LogActuator(name);
        }
    }
}
