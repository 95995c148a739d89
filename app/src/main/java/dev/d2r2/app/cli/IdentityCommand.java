package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

/** {@code d2r2 identity create NAME --out FILE}: registers an identity (admin only) and writes its file. */
@Command(name = "identity", mixinStandardHelpOptions = true, description = "Manage identities.",
        subcommands = IdentityCommand.Create.class)
public final class IdentityCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Register a new identity; its signing key is made here and never leaves this file.")
    static final class Create implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--admin", description = "May manage channels and identities") boolean admin;
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the identity file (mode 0600)")
        Path out;

        @Override
        public Integer call() throws IOException {
            IdentityFile me = IdentityFile.load(client.identity);
            KeyPair keys = Crypto.newSigningKeyPair();
            try (BrokerClient c = client.connect()) {
                byte[] secret = c.register(name, keys.getPublic(), admin);
                String broker = client.broker != null ? client.broker : me.broker();
                new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), broker, me.brokerCertificatePem())
                        .save(out);
            }
            System.err.println("registered " + name + (admin ? " (admin)" : "") + "; identity file " + out);
            return 0;
        }
    }
}
