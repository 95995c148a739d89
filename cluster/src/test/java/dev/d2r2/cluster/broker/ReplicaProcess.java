package dev.d2r2.cluster.broker;

import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.ForwardedCatchUp;
import dev.d2r2.broker.client.ForwardingLinks;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.broker.server.ForwardedGapFill;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.Clock;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A broker replica in a process of its own, for tests that kill it, as {@code d2r2 broker
 * --cluster FILE --id NAME [--forward-to FILE...]} runs one (its key file, over TLS, beside the
 * cluster file): arguments DATA CLUSTER-FILE NAME and, to forward, the port to listen on and the
 * other replicas' forwarding identity files (it then first catches up from them, printing
 * {@code CAUGHT-UP tag taken missing} per forwarded channel); prints {@code PORT n} once it serves clients.
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
        List<IdentityFile> forwardTo = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            forwardTo.add(IdentityFile.load(Path.of(args[i])));
        }
        if (!forwardTo.isEmpty()) {
            for (ForwardedGapFill.Result r : ForwardedCatchUp.run(broker, forwardTo, ClientSettings.DEFAULT,
                    ForwardedCatchUp.Reach.DEFAULT)) {
                System.out.println("CAUGHT-UP " + r.channel() + " " + r.taken() + " " + r.missing());
            }
            broker.forwardEvents(ForwardingLinks.start(forwardTo, ClientSettings.DEFAULT));
        }
        BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1",
                args.length > 3 ? Integer.parseInt(args[3]) : 0));
        System.out.println("PORT " + server.address().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
