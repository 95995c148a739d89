package dev.d2r2.monitor.probe;

import dev.d2r2.core.nagios.NagiosPlugin;
import dev.d2r2.core.nagios.PerfData;
import dev.d2r2.core.nagios.PluginOutput;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kind: nagios}: runs a Nagios-compatible plugin ({@code command}); its exit code is the
 * state (0-3 → ok/warning/critical/unknown) and its performance data are the values, by label.
 * The metric prefix defaults to {@code nagios.<plugin file name>}. A plugin that gives no answer
 * (cannot start, times out) is a {@link ProbeException}, as an unreachable target is for the others.
 */
public final class NagiosProbe implements Probe {
    private final List<String> command;

    NagiosProbe(List<String> command) {
        this.command = command;
    }

    @Override
    public Measurement measure(Duration timeout) throws ProbeException {
        PluginOutput out = NagiosPlugin.answer(command, timeout);
        Map<String, Double> values = new HashMap<>();
        for (PerfData p : out.perfData()) {
            values.put(p.label().replaceAll("[^A-Za-z0-9_.]", "_"), p.value());
        }
        return new Measurement(values, out.state().eventName(), out.text());
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "nagios";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("command");
            if (c.command() == null || c.command().isEmpty()) {
                throw new IllegalArgumentException("a nagios probe needs a command: [plugin, args...]");
            }
        }

        @Override
        public String defaultName(ProbeConfig c) {
            return "nagios." + Path.of(c.command().getFirst()).getFileName();
        }

        @Override
        public Probe create(ProbeConfig c) {
            return new NagiosProbe(c.command());
        }
    }
}
