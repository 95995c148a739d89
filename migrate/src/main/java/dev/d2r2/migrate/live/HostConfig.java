package dev.d2r2.migrate.live;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A migration host: where a SIP server can run and to and from where it can move live.
 *
 * <pre>
 * name: h1
 * transfer: 10.97.23.1:7600    # TCP: migrations arrive here
 * keyFile: group.key           # 64 hex digits shared by the hosts (HMAC of the transfer)
 * api: 127.0.0.1:7700          # HTTP API (loopback); POST /migrate needs the bearer token
 * tokenFile: api.token         # created with a random token when absent
 * address: 10.97.23.100/24     # optional: the service address that moves with the server
 * interface: eth0              # where to add it
 * server:                      # optional: the SIP server this host starts with
 *   listen: 0.0.0.0:5070
 *   maxCps: 0
 *   maxCalls: 0
 * arrive: 10.97.23.2:5070      # optional: where an arriving server binds (the clients follow it there);
 *                              # default: where it was bound at its source (the address follows it)
 * snapshots:                   # optional: periodic snapshots (docs/migration.md)
 *   keeper: 10.97.23.2:7600    # send this host's server state to that host's transfer address
 *   period: 10s                # every period (default 10s)
 *   dir: snapshots             # keep the snapshots other hosts send here (relative to this file)
 *   keep: 10                   # the last N of each host (default 10)
 * replication:                 # optional: how a replica this host starts (replicate) is kept in step
 *   period: 100ms              # what changed goes to it every period (default 100ms)
 *   misses: 5                  # periods without a round before it takes over (default 10)
 * </pre>
 */
public record HostConfig(String name, String transfer, String keyFile, String api, String tokenFile, String address,
                         @JsonProperty("interface") String iface, Server server, Snapshots snapshots,
                         String arrive, Replication replication) {
    public record Replication(Duration period, Integer misses) {
        public Replication {
            if (period != null && period.toMillis() < 1) {
                throw new InvalidAt("period must be at least 1ms, not " + period, "period");
            }
            if (misses != null && misses < 1) {
                throw new InvalidAt("misses must be at least 1, not " + misses, "misses");
            }
        }

        public Duration periodOrDefault() {
            return period == null ? MigrationHost.DEFAULT_REPLICA_PERIOD : period;
        }

        public int missesOrDefault() {
            return misses == null ? MigrationHost.DEFAULT_REPLICA_MISSES : misses;
        }
    }

    public record Snapshots(String keeper, Duration period, String dir, Integer keep) {
        public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);
        public static final int DEFAULT_KEEP = 10;

        public Snapshots {
            if (keeper == null && dir == null) {
                throw new InvalidAt("snapshots needs keeper (where to send them), dir (where to keep them) or both", "keeper");
            }
            if (keeper != null) {
                checkHostPort(keeper, "keeper");
            }
            if (period != null && period.toMillis() < 1) {
                throw new InvalidAt("period must be at least 1ms, not " + period, "period");
            }
            if (keep != null && keep < 1) {
                throw new InvalidAt("keep at least 1 snapshot, not " + keep, "keep");
            }
        }

        public Duration periodOrDefault() {
            return period == null ? DEFAULT_PERIOD : period;
        }

        public int keepOrDefault() {
            return keep == null ? DEFAULT_KEEP : keep;
        }
    }

    public record Server(String listen, Integer maxCps, Integer maxCalls) {
        public Server {
            if (listen == null) {
                throw new InvalidAt("a server needs listen (host:port)", "listen");
            }
            checkHostPort(listen, "listen");
            if (maxCps != null && maxCps < 0) {
                throw new InvalidAt("maxCps cannot be negative", "maxCps");
            }
            if (maxCalls != null && maxCalls < 0) {
                throw new InvalidAt("maxCalls cannot be negative", "maxCalls");
            }
        }
    }

    public HostConfig {
        if (name == null || name.isBlank()) {
            throw new InvalidAt("a host needs a name", "name");
        }
        if (transfer == null) {
            throw new InvalidAt("a host needs transfer (host:port where migrations arrive)", "transfer");
        }
        checkHostPort(transfer, "transfer");
        if (keyFile == null) {
            throw new InvalidAt("a host needs keyFile, the hosts' shared key", "keyFile");
        }
        if (api == null) {
            throw new InvalidAt("a host needs api (host:port of its HTTP API, loopback)", "api");
        }
        checkHostPort(api, "api");
        if (tokenFile == null) {
            throw new InvalidAt("a host needs tokenFile, the API's bearer token", "tokenFile");
        }
        if ((address == null) != (iface == null)) {
            throw new InvalidAt("address and interface go together", address == null ? "interface" : "address");
        }
        if (address != null && !address.contains("/")) {
            throw new InvalidAt("address needs its prefix length, as in 10.0.0.100/24", "address");
        }
        if (arrive != null) {
            checkHostPort(arrive, "arrive");
        }
    }

    private static void checkHostPort(String text, String key) {
        try {
            HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(key + ": " + e.getMessage(), key);
        }
    }

    public static HostConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, HostConfig.class);
    }
}
