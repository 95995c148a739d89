package dev.d2r2.app.cli;

import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.raft.ClusterStatus;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 cluster status|add|remove}: the replicas of a broker cluster's control plane,
 * reached through the replicas its cluster file lists. Membership changes are committed in the
 * Raft log itself: no file needs copying to the replicas.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show and change the replicas of a broker cluster (control plane on Raft).",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Add.class, ClusterCommand.Remove.class})
public final class ClusterCommand extends CommandGroup {

    abstract static class WithCluster implements Callable<Integer> {
        @Option(names = "--cluster", required = true, paramLabel = "FILE",
                description = "Cluster file: its replicas are where to start looking")
        Path cluster;

        ClusterFile file() throws ConfigException {
            return ClusterFile.load(cluster);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each replica's role, commit and applied index, lag and state digest; exit 1 with no leader.")
    static final class Status extends WithCluster {
        @Override
        public Integer call() throws IOException, ConfigException {
            try (ClusterClient client = new ClusterClient(file())) {
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
            try (ClusterClient client = new ClusterClient(file)) {
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
            try (ClusterClient client = new ClusterClient(file())) {
                client.remove(name);
            }
            System.err.println("removed replica " + name);
            return 0;
        }
    }
}
