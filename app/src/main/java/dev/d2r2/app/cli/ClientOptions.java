package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.HostPort;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** How a CLI client reaches the broker: an identity file and, optionally, another address. */
public final class ClientOptions {
    @Option(names = "--identity", paramLabel = "FILE",
            description = "Identity file (default: the local broker's administrator, ${DEFAULT-VALUE})")
    Path identity = DataDirs.defaultIdentity();

    @Option(names = "--broker", paramLabel = "HOST:PORT",
            description = "Broker address (default: the one in the identity file)")
    String broker;

    public BrokerClient connect() throws IOException {
        return connect(java.time.Duration.ZERO);
    }

    /** With a publish linger (see {@link RemoteBrokerClient#connect(IdentityFile, java.net.InetSocketAddress, java.time.Duration)}). */
    public BrokerClient connect(java.time.Duration linger) throws IOException {
        IdentityFile id = IdentityFile.load(identity);
        if (id.broker().isEmpty() && broker == null) {
            throw new IOException(identity + " names no broker address: start `d2r2 broker` or pass --broker");
        }
        return RemoteBrokerClient.connect(id, broker == null ? HostPort.parse(id.broker()) : HostPort.parse(broker), linger);
    }
}
