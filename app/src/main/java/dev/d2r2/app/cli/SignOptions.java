package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.SignedCommand;
import dev.d2r2.cluster.config.ClusterFile;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A control command for a Byzantine cluster ({@code d2r2 broker --bft}): signed here with an
 * administrator's key, sent to the replica the client reaches, checked by every replica.
 */
public final class SignOptions {
    @Option(names = "--sign", paramLabel = "FILE",
            description = "On a Byzantine cluster: sign the command as the administrator of this identity file (its"
                    + " name and signing key; the cluster file's admins, or an identity registered with --admin)")
    Path sign;

    @Option(names = "--group", paramLabel = "NAME", defaultValue = ClusterFile.DEFAULT_GROUP,
            description = "With --sign: the cluster's group, as its file says (default ${DEFAULT-VALUE})")
    String group;

    boolean signing() {
        return sign != null;
    }

    /** Sends {@code command}, signed; returns what it did once applied at the replica. */
    String submit(BrokerClient client, ControlCommand command) throws IOException {
        IdentityFile admin = IdentityFile.load(sign);
        if (admin.signingKey() == null) {
            throw new IllegalArgumentException("--sign: " + sign + " holds no signing key");
        }
        return client.submitSigned(SignedCommand.sign(group, admin.name(), admin.signingKey(), command));
    }
}
