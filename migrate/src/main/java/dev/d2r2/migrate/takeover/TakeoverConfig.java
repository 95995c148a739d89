package dev.d2r2.migrate.takeover;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.Cidr;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One member of an IP takeover group:
 *
 * <pre>
 * name: backup                 # unique in the group, carried in every keepalive
 * role: backup                 # master | backup | witness (a witness never holds the address)
 * listen: 10.97.23.2:7400      # UDP keepalives in
 * peers:                       # every other member
 *   - name: master
 *     address: 10.97.23.1:7400
 *   - name: witness
 *     address: 10.97.23.3:7400
 * keyFile: group.key           # the group's shared key (64 hex digits) for HMAC-SHA256
 * address: 10.97.23.100/24     # the service address (not for a witness)
 * interface: eth0              # where to add it (not for a witness)
 * period: 10ms                 # keepalive period (default 10ms)
 * misses: 3                    # keepalives missed before a holder is declared dead (default 3)
 * margin: 3                    # extra periods a standby waits after the holder has fenced itself (default 3)
 * </pre>
 *
 * Fencing needs a majority, so a group has at least three members (two peers): a holder that
 * hears no majority releases the address, and a standby takes it only with a majority.
 *
 * <p>NAT takeover: the witness is the NAT front and steers a public address to the holder
 * ({@code nat}); the master and the backup behind it then hold no address (no {@code address},
 * no {@code interface}).
 *
 * <pre>
 * nat:
 *   public: 203.0.113.10:5060  # what clients send to (an address of the front)
 *   targets:                   # where each member serves
 *     master: 10.97.27.1:5060
 *     backup: 10.97.27.2:5060
 *   table: d2r2_takeover       # the nftables table (ip family) the front owns (default)
 * </pre>
 */
public record TakeoverConfig(String name, Role role, String listen, List<Peer> peers, String keyFile, String address,
                             @JsonProperty("interface") String iface, Duration period, Integer misses, Integer margin,
                             Nat nat) {
    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(10);
    public static final int DEFAULT_MISSES = 3;
    public static final int DEFAULT_MARGIN = 3;

    public enum Role {
        master(2), backup(1), witness(0);

        private final int priority;

        Role(int priority) {
            this.priority = priority;
        }

        public int priority() {
            return priority;
        }
    }

    public record Peer(String name, String address) {
        public Peer {
            if (name == null || name.isBlank()) {
                throw new InvalidAt("a peer needs a name", "name");
            }
            if (address == null) {
                throw new InvalidAt("a peer needs an address (host:port)", "address");
            }
            checkHostPort(address, "address");
        }

        public InetSocketAddress socketAddress() {
            return HostPort.parse(address);
        }
    }

    /** The NAT front's steering: the public address and each member's service address, IPv4. */
    public record Nat(@JsonProperty("public") String publicAddress, Map<String, String> targets, String table) {
        public static final String DEFAULT_TABLE = "d2r2_takeover";

        public Nat {
            if (publicAddress == null) {
                throw new InvalidAt("nat needs public, the address:port clients send to", "public");
            }
            checkIpv4HostPort(publicAddress, "public");
            if (targets == null || targets.isEmpty()) {
                throw new InvalidAt("nat needs targets, where each member serves (name: address:port)", "targets");
            }
            targets = Map.copyOf(targets);
            targets.forEach((member, target) -> checkIpv4HostPort(target, "targets", member));
            table = table == null ? DEFAULT_TABLE : table;
            if (!table.matches("[A-Za-z][A-Za-z0-9_]{0,30}")) {
                throw new InvalidAt("table: a letter then letters, digits or _ (at most 31), not " + table, "table");
            }
        }

        public InetSocketAddress publicSocket() {
            return HostPort.parse(publicAddress);
        }

        public InetSocketAddress target(String member) {
            return HostPort.parse(targets.get(member));
        }

        private static void checkIpv4HostPort(String text, Object... path) {
            InetSocketAddress a;
            try {
                a = HostPort.parse(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), path);
            }
            if (!(a.getAddress() instanceof Inet4Address) || a.getAddress().isAnyLocalAddress() || a.getPort() == 0) {
                throw new InvalidAt("needs an IPv4 address and a port, not " + text, path);
            }
        }
    }

    public TakeoverConfig {
        if (name == null || name.isBlank()) {
            throw new InvalidAt("a member needs a name", "name");
        }
        if (role == null) {
            throw new InvalidAt("a member needs a role: master, backup or witness", "role");
        }
        if (listen == null) {
            throw new InvalidAt("a member needs listen (host:port for keepalives)", "listen");
        }
        checkHostPort(listen, "listen");
        if (peers == null || peers.size() < 2) {
            throw new InvalidAt("fencing needs a majority: list at least two peers (a group of three, one may be a witness)",
                    "peers");
        }
        peers = List.copyOf(peers);
        Set<String> names = new HashSet<>(Set.of(name));
        for (int i = 0; i < peers.size(); i++) {
            if (!names.add(peers.get(i).name())) {
                throw new InvalidAt("member name " + peers.get(i).name() + " appears twice", "peers", i, "name");
            }
        }
        if (keyFile == null) {
            throw new InvalidAt("a member needs keyFile, the group's shared key", "keyFile");
        }
        if (role == Role.witness) {
            if (address != null) {
                throw new InvalidAt("a witness never holds the address: remove address", "address");
            }
            if (iface != null) {
                throw new InvalidAt("a witness never holds the address: remove interface", "interface");
            }
            if (nat != null) {
                for (String member : nat.targets().keySet()) {
                    if (peers.stream().noneMatch(p -> p.name().equals(member))) {
                        throw new InvalidAt("nat target " + member + " is not a peer", "nat", "targets", member);
                    }
                }
            }
        } else if (nat != null) {
            throw new InvalidAt("only a witness steers a NAT front: remove nat", "nat");
        } else if (address != null || iface != null) {
            if (address == null) {
                throw new InvalidAt("a " + role + " needs address, the service address with its prefix (10.0.0.100/24)", "address");
            }
            checkInterfaceAddress(address);
            if (iface == null || iface.isBlank()) {
                throw new InvalidAt("a " + role + " needs interface, where to add the address", "interface");
            }
        }
        if (period != null) {
            if (period.toMillis() < 1) {
                throw new InvalidAt("period must be at least 1ms, not " + period, "period");
            }
        }
        if (misses != null && misses < 1) {
            throw new InvalidAt("misses must be at least 1, not " + misses, "misses");
        }
        if (margin != null && margin < 1) {
            throw new InvalidAt("margin must be at least 1 period, not " + margin, "margin");
        }
    }

    private static void checkInterfaceAddress(String address) {
        int slash = address.indexOf('/');
        if (slash < 0) {
            throw new InvalidAt("address needs its prefix length, as in 10.0.0.100/24", "address");
        }
        String host = address.substring(0, slash);
        boolean v6 = host.contains(":");
        try {
            Cidr.parse(host + (v6 ? "/128" : "/32"));
            int prefix = Integer.parseInt(address.substring(slash + 1));
            if (prefix < 1 || prefix > (v6 ? 128 : 32)) {
                throw new IllegalArgumentException("prefix length out of range: " + prefix);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidAt("address: " + e.getMessage(), "address");
        }
    }

    private static void checkHostPort(String text, String key) {
        try {
            HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(key + ": " + e.getMessage(), key);
        }
    }

    public static TakeoverConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, TakeoverConfig.class);
    }

    public Duration periodDuration() {
        return period == null ? DEFAULT_PERIOD : period;
    }

    public int missCount() {
        return misses == null ? DEFAULT_MISSES : misses;
    }

    public int marginPeriods() {
        return margin == null ? DEFAULT_MARGIN : margin;
    }

    public InetSocketAddress listenAddress() {
        return HostPort.parse(listen);
    }
}
