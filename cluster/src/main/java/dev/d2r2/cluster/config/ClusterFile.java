package dev.d2r2.cluster.config;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The replicas a broker cluster starts with, and the number of faults it must survive:
 *
 * <pre>
 * group: d2r2            # optional; replicas of one cluster share it (default d2r2)
 * f: 1                   # crash faults tolerated: at least 2f+1 replicas
 * replicas:
 *   - name: b1           # an identity name
 *     address: 10.0.0.1:7300   # its Raft (gRPC) listener
 *     publicKey: MCowBQYDK2VwAyEA...   # base64 X.509 Ed25519 key
 * tls:                   # optional: Raft over mutual TLS
 *   ca: cluster-ca.pem   # the cluster CA's certificate, relative to this file
 * admins:                # optional, Byzantine clusters (--bft) only: who signs control commands
 *   - name: root
 *     publicKey: MCowBQYDK2VwAyEA...
 * </pre>
 *
 * The file only bootstraps a replica's first start: membership then changes in-band
 * ({@code d2r2 cluster add|remove}), and every replica remembers it in its own Raft storage.
 */
public record ClusterFile(String group, Integer f, List<Replica> replicas, ClusterTls tls, List<Administrator> admins) {
    public static final String DEFAULT_GROUP = "d2r2";

    public ClusterFile {
        group = group == null ? DEFAULT_GROUP : group;
        if (group.isBlank()) {
            throw new InvalidAt("group must not be empty", "group");
        }
        if (f == null) {
            throw new InvalidAt("a cluster file needs f, the number of crash faults it tolerates", "f");
        }
        if (f < 0) {
            throw new InvalidAt("f must be 0 or more, not " + f, "f");
        }
        if (replicas == null || replicas.isEmpty()) {
            throw new InvalidAt("a cluster needs at least one replica", "replicas");
        }
        replicas = List.copyOf(replicas);
        admins = admins == null ? List.of() : List.copyOf(admins);
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> addresses = new HashMap<>();
        for (int i = 0; i < replicas.size(); i++) {
            Replica r = replicas.get(i);
            Integer before = names.putIfAbsent(r.name(), i);
            if (before != null) {
                throw new InvalidAt("replica name " + r.name() + " is also replicas[" + before + "]", "replicas", i, "name");
            }
            before = addresses.putIfAbsent(r.address(), i);
            if (before != null) {
                throw new InvalidAt("address " + r.address() + " is also replicas[" + before + "]'s", "replicas", i, "address");
            }
        }
        Map<String, Integer> adminNames = new HashMap<>();
        for (int i = 0; i < admins.size(); i++) {
            Integer before = adminNames.putIfAbsent(admins.get(i).name(), i);
            if (before != null) {
                throw new InvalidAt("administrator " + admins.get(i).name() + " is also admins[" + before + "]", "admins", i, "name");
            }
        }
        if (replicas.size() < 2 * f + 1) {
            throw new InvalidAt(replicas.size() + " replicas cannot tolerate f = " + f + " crash faults; that needs "
                    + (2 * f + 1), "f");
        }
    }

    /** A cluster whose Raft traffic is not encrypted (no {@code tls} section). */
    public ClusterFile(String group, Integer f, List<Replica> replicas) {
        this(group, f, replicas, null, null);
    }

    public ClusterFile(String group, Integer f, List<Replica> replicas, ClusterTls tls) {
        this(group, f, replicas, tls, null);
    }

    /** Loads {@code file}; the CA file its {@code tls} names is taken relative to it. */
    public static ClusterFile load(Path file) throws ConfigException {
        ClusterFile c = ConfigLoader.load(file, ClusterFile.class);
        Path dir = file.toAbsolutePath().getParent();
        return c.tls == null ? c : new ClusterFile(c.group, c.f, c.replicas, c.tls.resolvedAgainst(dir), c.admins);
    }

    public Optional<ClusterTls> raftTls() {
        return Optional.ofNullable(tls);
    }

    public Optional<Replica> replica(String name) {
        return replicas.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The Raft group of this cluster, the same on every replica that reads this file. */
    public UUID groupUuid() {
        return UUID.nameUUIDFromBytes(("d2r2-cluster:" + group).getBytes(StandardCharsets.UTF_8));
    }
}
