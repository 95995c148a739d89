package dev.d2r2.cluster.broker;

import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.Clock;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A broker replica in a process of its own, for tests that kill it, as {@code d2r2 broker
 * --cluster FILE --id NAME} runs one (its key file, over TLS, beside the cluster file): arguments
 * DATA CLUSTER-FILE NAME; prints {@code PORT n}
 * once it serves clients.
 */
public final class ReplicaProcess {
    private ReplicaProcess() {
    }

    public static void main(String[] args) throws Exception {
        Broker broker = Broker.open(Path.of(args[0]), Clock.system());
        Path clusterFile = Path.of(args[1]);
        ClusterFile cluster = ClusterFile.load(clusterFile);
        ReplicatedBroker.start(broker, cluster, args[2], null,
                RaftTls.load(cluster, RaftTls.defaultKeyFile(clusterFile, args[2])));
        BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        System.out.println("PORT " + server.address().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
