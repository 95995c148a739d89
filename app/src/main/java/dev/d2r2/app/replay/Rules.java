package dev.d2r2.app.replay;

import dev.d2r2.app.node.ChroniclesConfig;
import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.app.node.PolicyRoleConfig;
import dev.d2r2.chronicle.Chronicle;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.diagnosis.DiagnosisConfig;
import dev.d2r2.diagnosis.Profiles;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.monitor.MonitorConfig;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a replay runs, and how the stages are connected, as a node connects its roles: the
 * thresholds of a monitor (samples on {@code metrics} in, alarms on {@code alarms} out), the
 * chronicles ({@code chronicleInputs} in, alerts on {@code alerts} out) and the policy
 * ({@code policyInputs} in, its context changes and decisions out), and the peer-similarity
 * diagnosis (its input channel of samples in, its verdicts on its channel out). A stage without
 * rules (null monitor, no chronicles, null policy, null diagnosis) is not run: what it published
 * is replayed as recorded.
 *
 * @param peer     the monitoring peer named in recomputed alarms (the node's name, as the live monitor)
 * @param recorded the data directory the configuration's broker records into, or null
 */
public record Rules(Path recorded, String peer, MonitorConfig monitor, List<Chronicle> chronicles, Recognizer.Options recognition,
                    List<String> chronicleInputs, String alerts, Policy policy, List<String> policyInputs, String actions,
                    Diagnosis diagnosis) {

    /** The diagnosis a node runs: its configuration and the profiles it learned. */
    public record Diagnosis(DiagnosisConfig config, Profiles profiles) {
    }

    public Rules {
        chronicles = List.copyOf(chronicles);
        chronicleInputs = List.copyOf(chronicleInputs);
        policyInputs = List.copyOf(policyInputs);
    }

    /** The files to use instead of those a configuration names (null: keep the configuration's). */
    public record Overrides(List<Path> chronicles, Path policy, Path thresholds) {
        public static final Overrides NONE = new Overrides(null, null, null);

        public boolean any() {
            return chronicles != null && !chronicles.isEmpty() || policy != null || thresholds != null;
        }
    }

    /**
     * The rules of a node configuration (null: none, so only what {@code overrides} names runs,
     * on the channels of the demo's defaults), with the overriding files in place of its own.
     * A file that does not check is a {@link ConfigException} naming file, line and key.
     */
    public static Rules load(Path config, Overrides overrides) throws ConfigException, IOException {
        NodeConfig node = config == null ? null : ConfigLoader.load(config, NodeConfig.class);
        Path base = config == null ? Path.of(".") : config.toAbsolutePath().getParent();
        MonitorConfig monitor = node == null ? null : node.monitor();
        if (overrides.thresholds() != null) {
            MonitorConfig t = ConfigLoader.load(overrides.thresholds(), MonitorConfig.class);
            monitor = monitor == null ? t
                    : new MonitorConfig(monitor.metrics(), monitor.alarms(), monitor.reassert(), null, null, t.services());
        }
        ChroniclesConfig ch = node == null ? null : node.chronicles();
        List<Chronicle> chronicles = List.of();
        if (overrides.chronicles() != null && !overrides.chronicles().isEmpty()) {
            chronicles = Node.compileChronicles(overrides.chronicles());
        } else if (ch != null) {
            chronicles = Node.compileChronicles(ch.files().stream().map(base::resolve).toList());
        }
        PolicyRoleConfig pc = node == null ? null : node.policy();
        Policy policy = overrides.policy() != null ? Policy.load(requireFile(overrides.policy()))
                : pc == null ? null : Policy.load(requireFile(base.resolve(pc.file())));
        String alarms = monitor == null ? MonitorConfig.DEFAULT_ALARMS : monitor.alarms();
        Path recorded = node == null || node.broker() == null ? null
                : base.resolve(node.broker().data() == null ? "data" : node.broker().data());
        return new Rules(recorded, node == null ? "monitor" : node.name(), monitor, chronicles,
                ch == null ? Recognizer.Options.LIVE : Recognizer.Options.of(ch.lateness(), ch.horizon()),
                ch == null ? List.of(alarms) : ch.inputs(), ch == null ? "alerts" : ch.alerts(), policy,
                pc == null ? List.of(PolicyRole.DEFAULT_INPUT) : pc.inputs(), pc == null ? PolicyRole.DEFAULT_ACTIONS : pc.actions(),
                diagnosis(node, base));
    }

    private static Diagnosis diagnosis(NodeConfig node, Path base) throws ConfigException {
        DiagnosisConfig d = node == null ? null : node.diagnosis();
        return d == null ? null : new Diagnosis(d, ProfilesFile.load(base.resolve(d.profiles()), d.metrics()));
    }

    private static Path requireFile(Path f) throws ConfigException {
        if (!Files.isRegularFile(f)) {
            throw new ConfigException(f + ": no such policy file");
        }
        return f;
    }

    /** The same rules with the stages reading other channels (null: as they were). */
    public Rules wiredTo(List<String> chronicleChannels, List<String> policyChannels) {
        return new Rules(recorded, peer, monitor, chronicles, recognition, chronicleChannels == null ? chronicleInputs : chronicleChannels,
                alerts, policy, policyChannels == null ? policyInputs : policyChannels, actions, diagnosis);
    }

    boolean runsThresholds() {
        return monitor != null && !monitor.services().isEmpty();
    }

    boolean runsChronicles() {
        return !chronicles.isEmpty();
    }

    boolean runsPolicy() {
        return policy != null;
    }

    boolean runsDiagnosis() {
        return diagnosis != null;
    }

    /**
     * The recorded channels a replay reads: the inputs of the stages it runs, and what the stages
     * it does not run published for those that it does. Alerts are not read when the chronicles
     * run, nor the diagnosis channel when the diagnosis runs (they are recomputed); alarms are read
     * when the thresholds run, for their re-assertions.
     */
    public List<String> inputChannels() {
        Set<String> in = new LinkedHashSet<>();
        if (runsThresholds()) {
            in.add(monitor.metrics());
            in.add(monitor.alarms());
        }
        if (runsChronicles()) {
            in.addAll(chronicleInputs);
        }
        if (runsDiagnosis()) {
            in.addAll(diagnosis.config().inputs());
        }
        if (runsPolicy()) {
            in.addAll(policyInputs);
        }
        if (runsChronicles()) {
            in.remove(alerts);
        }
        if (runsDiagnosis()) {
            in.remove(diagnosis.config().channel());
        }
        return new ArrayList<>(in);
    }
}
