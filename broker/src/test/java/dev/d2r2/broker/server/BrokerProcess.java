package dev.d2r2.broker.server;

import dev.d2r2.core.Clock;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A broker in a process of its own, for tests that kill it: prints {@code PORT n} when ready.
 * Arguments: the data directory and, optionally, the port (default: any free one).
 */
public final class BrokerProcess {
    private BrokerProcess() {
    }

    public static void main(String[] args) throws Exception {
        Broker broker = Broker.open(Path.of(args[0]), Clock.system());
        BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 0));
        System.out.println("PORT " + server.address().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
