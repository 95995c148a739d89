package dev.d2r2.bench;

import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** One single-node broker process, a replica of {@link BftNetBench}'s {@code voted} run: prints {@code PORT n}. */
public final class BftNetBroker {
    private BftNetBroker() {
    }

    public static void main(String[] args) throws Exception {
        Broker broker = Broker.open(Path.of(args[0]), Clock.system());
        BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        System.out.println("PORT " + server.address().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
