package dev.d2r2.app.node;

import dev.d2r2.monitor.MonitorConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The broker identity an in-process role connects with ({@code <node>.<role>}), and the channels
 * it publishes and subscribes to. On an embedded broker, {@code d2r2 run} registers one identity
 * per role and grants each exactly these rights, so its own roles go through the control table
 * as remote ones do.
 */
public record RoleAccess(String role, String identity, Set<String> publishes, Set<String> subscribes) {
    public static final String MONITOR = "monitor";
    public static final String CHRONICLES = "chronicles";
    public static final String POLICY = "policy";
    public static final String EDGE = "edge";
    public static final String DASHBOARD = "dashboard";
    public static final String DIAGNOSIS = "diagnosis";
    private static final int MAX_IDENTITY = 128;

    public RoleAccess {
        publishes = Set.copyOf(publishes);
        subscribes = Set.copyOf(subscribes);
    }

    /** The role of a built-in SIP server. */
    public static String sipServer(String name) {
        return "sip-server." + name;
    }

    /** Every broker-using role of {@code c}, in start order. */
    public static List<RoleAccess> of(NodeConfig c) {
        List<RoleAccess> roles = new ArrayList<>();
        for (SipServerConfig s : c.sipServers()) {
            if (s.dialogs() != null) {
                roles.add(access(c, sipServer(s.name()), Set.of(s.dialogs()), Set.of(s.dialogs())));
            }
        }
        if (c.lb() != null && c.lb().telemetry() != null) {
            roles.add(access(c, EDGE, Set.of(c.lb().telemetry()),
                    c.lb().commands() == null ? Set.of() : Set.of(c.lb().commands())));
        }
        if (c.monitor() != null) {
            roles.add(monitor(c, c.monitor()));
        }
        if (c.diagnosis() != null) {
            roles.add(access(c, DIAGNOSIS, Set.of(c.diagnosis().channel()), Set.copyOf(c.diagnosis().inputs())));
        }
        if (c.chronicles() != null) {
            roles.add(access(c, CHRONICLES, Set.of(c.chronicles().alerts()), Set.copyOf(c.chronicles().inputs())));
        }
        if (c.policy() != null) {
            roles.add(access(c, POLICY, Set.of(c.policy().actions()), Set.copyOf(c.policy().inputs())));
        }
        if (c.dashboard() != null) {
            roles.add(access(c, DASHBOARD, Set.of(), Set.copyOf(c.dashboard().channels())));
        }
        return roles;
    }

    private static RoleAccess monitor(NodeConfig c, MonitorConfig m) {
        Set<String> publishes = new LinkedHashSet<>(List.of(m.metrics(), m.alarms()));
        Set<String> subscribes = new LinkedHashSet<>();
        if (m.resilience() != null) {
            publishes.add(m.resilience().channel());
        }
        if (m.peers() != null) {
            publishes.add(m.peers().channel());
            subscribes.add(m.peers().channel());
            subscribes.add(m.alarms());
        }
        return access(c, MONITOR, publishes, subscribes);
    }

    private static RoleAccess access(NodeConfig c, String role, Set<String> publishes, Set<String> subscribes) {
        return new RoleAccess(role, identity(c.name(), role), publishes, subscribes);
    }

    /** {@code <node>.<role>}, with any character an identity name cannot hold replaced by '-'. */
    static String identity(String node, String role) {
        String name = (node + "." + role).replaceAll("[^A-Za-z0-9_.@-]", "-");
        return name.length() <= MAX_IDENTITY ? name : name.substring(0, MAX_IDENTITY);
    }
}
