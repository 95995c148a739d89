package dev.d2r2.broker.client;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.BrokerProcess;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * Broker processes a test starts ({@link BrokerProcess}) and what it opens on them; after the test,
 * what it opened is closed, last first, then the processes are killed
 * ({@code @RegisterExtension final BrokerProcesses brokers = new BrokerProcesses();}).
 */
final class BrokerProcesses implements AfterEachCallback {
    private final List<Process> started = new ArrayList<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Starts a broker on {@code data}; returns its administrator's identity once it listens. */
    IdentityFile start(Path data) throws IOException {
        return BrokerProcess.start(data, started);
    }

    /** The {@code i}-th broker started. */
    Process process(int i) {
        return started.get(i);
    }

    /** Closes {@code c} after the test. */
    <T extends AutoCloseable> T open(T c) {
        opened.add(c);
        return c;
    }

    /** Registers {@code name}, with {@code keys}, at the broker {@code adminId} administers: its identity file for that broker. */
    static IdentityFile identity(RemoteBrokerClient admin, IdentityFile adminId, String name, KeyPair keys, boolean isAdmin) {
        byte[] secret = admin.register(name, keys.getPublic(), isAdmin);
        return new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), adminId.broker(), adminId.brokerCertificatePem());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        for (Process p : started) {
            p.destroyForcibly().waitFor();
        }
    }
}
