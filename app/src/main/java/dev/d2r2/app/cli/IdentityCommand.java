package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.cluster.command.ControlCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 identity create NAME --out FILE}: registers an identity (admin only) and writes its
 * file; {@code d2r2 identity revoke NAME}: revokes one (admin only); {@code d2r2 identity replicas}: lists and changes the broker replicas a file names.
 */
@Command(name = "identity", mixinStandardHelpOptions = true, description = "Manage identities.",
        subcommands = {IdentityCommand.Create.class, IdentityCommand.Revoke.class, IdentityCommand.Replicas.class})
public final class IdentityCommand {

    /** The replicas named in other identity files (a replica's own admin.identity names it and its certificate). */
    private static List<BrokerReplica> replicasOf(List<Path> files) throws IOException {
        List<BrokerReplica> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(IdentityFile.load(f).replicas());
        }
        return all;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Register a new identity; its signing key is made here and never leaves this file.")
    static final class Create implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--admin", description = "May manage channels and identities") boolean admin;
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the identity file (mode 0600)")
        Path out;
        @Option(names = "--replicas-from", paramLabel = "FILE",
                description = "Also name the broker replicas of these identity files (e.g. each replica's admin.identity)")
        List<Path> replicasFrom = List.of();
        @Mixin SignOptions signing;

        @Override
        public Integer call() throws IOException {
            IdentityFile me = IdentityFile.load(client.identity);
            KeyPair keys = Crypto.newSigningKeyPair();
            try (BrokerClient c = client.connect()) {
                byte[] secret;
                if (signing.signing()) {
                    ControlCommand.AddIdentity add = ControlCommand.AddIdentity.fresh(name, keys.getPublic().getEncoded(), admin);
                    signing.submit(c, add);
                    secret = add.secret();
                } else {
                    secret = c.register(name, keys.getPublic(), admin);
                }
                new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), "", "", client.replicas(me))
                        .plusReplicas(replicasOf(replicasFrom))
                        .save(out);
            }
            System.err.println("registered " + name + (admin ? " (admin)" : "") + "; identity file " + out);
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke an identity: its open sessions are closed and its later connects refused.")
    static final class Revoke implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "NAME") String name;
        @Mixin SignOptions signing;

        @Override
        public Integer call() throws IOException {
            try (BrokerClient c = client.connect()) {
                if (signing.signing()) {
                    signing.submit(c, new ControlCommand.RevokeIdentity(name));
                } else {
                    c.revokeIdentity(name);
                }
            }
            System.err.println("revoked " + name);
            return 0;
        }
    }

    @Command(name = "replicas", mixinStandardHelpOptions = true,
            description = "List the broker replicas an identity file names, in the order a client tries them; add or remove some.")
    static final class Replicas implements Callable<Integer> {
        @Option(names = "--identity", paramLabel = "FILE", description = "The identity file to read and change (default: ${DEFAULT-VALUE})")
        Path identity = DataDirs.defaultIdentity();
        @Option(names = "--add", paramLabel = "FILE", description = "Add the replicas of this identity file (e.g. a replica's admin.identity)")
        List<Path> add = List.of();
        @Option(names = "--remove", paramLabel = "HOST:PORT", description = "Remove the replica at this address")
        List<String> remove = List.of();

        @Override
        public Integer call() throws IOException {
            IdentityFile id = IdentityFile.load(identity);
            IdentityFile changed = id.plusReplicas(replicasOf(add));
            for (String address : remove) {
                if (changed.replicas().stream().noneMatch(r -> r.address().equals(address))) {
                    throw new IllegalArgumentException(identity + " names no replica at " + address);
                }
                changed = changed.withReplicas(changed.replicas().stream().filter(r -> !r.address().equals(address)).toList());
            }
            if (!changed.replicas().equals(id.replicas())) {
                changed.save(identity);
            }
            changed.replicas().forEach(r -> System.out.println(r.address()));
            return 0;
        }
    }
}
