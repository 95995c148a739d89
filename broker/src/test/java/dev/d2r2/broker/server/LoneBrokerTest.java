package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.MadeOnce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;

/** Tests of one broker behind its TLS listener on loopback, with the administrator's identity file. */
abstract class LoneBrokerTest {
    @TempDir
    Path dir;
    Broker broker;
    BrokerServer server;
    IdentityFile adminId;

    @BeforeEach
    void start() throws Exception {
        MadeOnce.copyInto(dir, "broker-tls", TlsMaterial::loadOrCreate);
        broker = Broker.open(dir, Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        adminId = IdentityFile.load(broker.adminIdentityPath());
    }

    @AfterEach
    void stop() {
        server.close();
        broker.close();
    }

    /** A new identity registered by {@code admin}, as the identity file its holder would be given. */
    IdentityFile register(BrokerClient admin, String name) {
        KeyPair keys = Crypto.newSigningKeyPair();
        byte[] secret = admin.register(name, keys.getPublic(), false);
        return new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), adminId.broker(),
                adminId.brokerCertificatePem());
    }
}
