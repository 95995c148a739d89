package dev.d2r2.app.cli;

import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.raft.ClusterStatus;
import dev.d2r2.cluster.tls.ClusterCa;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 cluster status|add|remove}: the replicas of a broker cluster's control plane,
 * reached through the replicas its cluster file lists. Membership changes are committed in the
 * Raft log itself: no file needs copying to the replicas. {@code d2r2 cluster certs} makes the
 * cluster's CA and the key files for Raft over mutual TLS.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show and change the replicas of a broker cluster (control plane on Raft).",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Add.class, ClusterCommand.Remove.class,
                ClusterCommand.Certs.class})
public final class ClusterCommand extends CommandGroup {

    abstract static class WithCluster implements Callable<Integer> {
        @Option(names = "--cluster", required = true, paramLabel = "FILE",
                description = "Cluster file: its replicas are where to start looking")
        Path cluster;

        @Option(names = "--raft-key", paramLabel = "FILE",
                description = "With a cluster file that has `tls`: the key file to reach the replicas with (default:"
                        + " client.raft.pem beside the cluster file; a replica's own works too)")
        Path raftKey;

        ClusterFile file() throws ConfigException {
            return ClusterFile.load(cluster);
        }

        ClusterClient client(ClusterFile file) throws IOException {
            return new ClusterClient(file, RaftTls.load(file, raftKey != null ? raftKey
                    : RaftTls.defaultKeyFile(cluster, CLIENT)));
        }
    }

    /** The name of the key file {@code cluster certs} makes for operators' commands. */
    static final String CLIENT = "client";

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each replica's role, commit and applied index, lag and state digest; exit 1 with no leader.")
    static final class Status extends WithCluster {
        @Override
        public Integer call() throws IOException, ConfigException {
            try (ClusterClient client = client(file())) {
                ClusterStatus s = client.status();
                System.out.print(s.render());
                if (!s.converged()) {
                    System.out.println("replicas differ or some did not answer");
                }
                return s.leader().isPresent() ? 0 : CliErrors.RUNTIME_FAILURE;
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a replica, already started with `d2r2 broker --cluster FILE --id NAME --raft HOST:PORT`; "
                    + "it catches up from the leader.")
    static final class Add extends WithCluster {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--address", paramLabel = "HOST:PORT",
                description = "Its Raft address (default: the one the cluster file gives it)")
        String address;

        @Override
        public Integer call() throws IOException, ConfigException {
            ClusterFile file = file();
            String at = address != null ? address : file.replica(name).map(Replica::address).orElseThrow(() ->
                    new IllegalArgumentException("the cluster file does not list " + name + "; give its --address"));
            HostPort.parse(at);
            try (ClusterClient client = client(file)) {
                client.add(name, at);
            }
            System.err.println("added replica " + name + " at " + at);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a replica from the members; stop its process afterwards.")
    static final class Remove extends WithCluster {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws IOException, ConfigException {
            try (ClusterClient client = client(file())) {
                client.remove(name);
            }
            System.err.println("removed replica " + name);
            return 0;
        }
    }

    @Command(name = "certs", mixinStandardHelpOptions = true,
            description = "Make the cluster's CA (cluster-ca.pem and its key cluster-ca.key, once) and Raft key files,"
                    + " NAME.raft.pem, in the cluster file's directory: by default one per replica of the file (naming"
                    + " its Raft host) and one for `client` (the cluster commands'). Add `tls: {ca: cluster-ca.pem}`"
                    + " to the cluster file to use them.")
    static final class Certs implements Callable<Integer> {
        @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "Cluster file")
        Path cluster;
        @Parameters(paramLabel = "NAME", arity = "0..*",
                description = "Whose key files to make (a replica of the file, one given --address, or a client)")
        List<String> names = new ArrayList<>();
        @Option(names = "--address", paramLabel = "HOST:PORT",
                description = "The Raft address of the one NAME, a replica the file does not list (one to add)")
        String address;
        @Option(names = "--days", paramLabel = "N", description = "Validity of new certificates (default 3650)")
        int days = 3650;

        @Override
        public Integer call() throws IOException, ConfigException {
            ClusterFile file = ClusterFile.load(cluster);
            if (address != null && names.size() != 1) {
                throw new IllegalArgumentException("--address goes with exactly one NAME");
            }
            List<String> whom = names.isEmpty() ? new ArrayList<>(file.replicas().stream().map(Replica::name).toList())
                    : names;
            if (names.isEmpty()) {
                whom.add(CLIENT);
            }
            Duration validity = Duration.ofDays(days);
            ClusterCa ca = ClusterCa.loadOrCreate(cluster.toAbsolutePath().getParent(), file.group(), validity);
            for (String name : whom) {
                Optional<String> host = address != null ? Optional.of(HostPort.parse(address).getHostString())
                        : file.replica(name).map(r -> r.socketAddress().getHostString());
                Path out = ca.issue(name, host, validity);
                System.err.println("wrote " + out + host.map(h -> " (replica at " + h + ")").orElse(" (client)"));
            }
            if (file.raftTls().isEmpty()) {
                System.err.println("the cluster file has no tls section yet; add:\ntls:\n  ca: " + ClusterCa.CERTIFICATE_FILE);
            }
            return 0;
        }
    }
}
