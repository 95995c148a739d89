package dev.d2r2.scale;

import dev.d2r2.core.config.InvalidAt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an instance starts: a command (with {@code ${address}}, {@code ${port}}, {@code ${name}},
 * {@code ${cloud}} and {@code ${identity}} — the cloud's broker identity file — filled in per
 * instance), the SIP port it serves on, the CPU it may use (in cores, enforced by
 * the driver: a cgroup quota for {@code process}, a CPU limit for {@code kubernetes}), optionally
 * the image artifact a clone carries to its cloud ({@code process}), and the container image
 * ({@code kubernetes}, which needs it).
 */
public record Template(List<String> command, int port, double cpu, String artifact, String image) {
    static final List<String> PLACEHOLDERS = List.of("address", "port", "name", "cloud", "identity");
    static final String IDENTITY = "identity";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    public Template {
        if (command == null || command.isEmpty()) {
            throw new InvalidAt("template needs a command: [program, args...]", "command");
        }
        command = List.copyOf(command);
        for (int i = 0; i < command.size(); i++) {
            Matcher m = PLACEHOLDER.matcher(command.get(i));
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    throw new InvalidAt("unknown placeholder ${" + m.group(1) + "} (known: " + String.join(", ", PLACEHOLDERS) + ")",
                            "command", i);
                }
            }
        }
        if (port < 1 || port > 65535) {
            throw new InvalidAt("port must be 1-65535", "port");
        }
        if (cpu <= 0 || cpu > 64) {
            throw new InvalidAt("cpu must be a number of cores above 0 (0.5: half a core)", "cpu");
        }
    }

    /** Whether the command names the cloud's identity file: then every cloud the type may run in needs one. */
    boolean usesIdentity() {
        return command.stream().anyMatch(a -> a.contains("${" + IDENTITY + "}"));
    }

    /** The command of one instance in {@code cloud}, whose identity file is {@code identity} (null: none, and none used). */
    public List<String> command(String address, String name, String cloud, String identity) {
        Map<String, String> values = Map.of("address", address, "port", Integer.toString(port), "name", name, "cloud", cloud,
                IDENTITY, identity == null ? "" : identity);
        List<String> out = new ArrayList<>(command.size());
        for (String arg : command) {
            out.add(PLACEHOLDER.matcher(arg).replaceAll(m -> Matcher.quoteReplacement(values.get(m.group(1)))));
        }
        return out;
    }
}
