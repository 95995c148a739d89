package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.FailoverPolicy;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a CLI client reaches the broker: an identity file, optionally other addresses, and how
 * long it looks for another replica when it loses its broker.
 */
public final class ClientOptions {
    @Option(names = "--identity", paramLabel = "FILE",
            description = "Identity file (default: the local broker's administrator, ${DEFAULT-VALUE})")
    Path identity = DataDirs.defaultIdentity();

    @Option(names = "--broker", paramLabel = "HOST:PORT", split = ",",
            description = "Broker replicas to use, in order, comma-separated (default: those in the identity file)")
    List<String> broker;

    @Option(names = "--failover-timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to look for another broker replica after losing one, before failing"
                    + " (0: fail at once; default ${DEFAULT-VALUE})")
    String failoverTimeout;

    public BrokerClient connect() throws IOException {
        return connect(Duration.ZERO);
    }

    /** With a publish linger (see {@link RemoteBrokerClient#connect(IdentityFile, List, ClientSettings)}). */
    public BrokerClient connect(Duration linger) throws IOException {
        IdentityFile id = IdentityFile.load(identity);
        return RemoteBrokerClient.connect(id, replicas(id), ClientSettings.DEFAULT.withLinger(linger)
                .withFailover(FailoverPolicy.DEFAULT.withGiveUpAfter(failoverTimeout())));
    }

    /** The replicas to use: those of {@code --broker} (each with the certificate the file pins for it), else the file's. */
    List<BrokerReplica> replicas(IdentityFile id) throws IOException {
        if (broker == null) {
            if (id.replicas().isEmpty()) {
                throw new IOException(identity + " names no broker address: start `d2r2 broker` or pass --broker");
            }
            return id.replicas();
        }
        for (String address : broker) {
            try {
                HostPort.parse(address);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--broker: " + e.getMessage(), e);
            }
        }
        return id.replicasAt(broker);
    }

    private Duration failoverTimeout() {
        try {
            return Durations.parse(failoverTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--failover-timeout: " + e.getMessage(), e);
        }
    }
}
