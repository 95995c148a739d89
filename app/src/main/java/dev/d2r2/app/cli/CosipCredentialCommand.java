package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.cosip.Credential;
import dev.d2r2.overlay.node.KeyFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code d2r2 cosip-credential}: a CoSIP credential issued offline with the provider's key, for a
 * provider that does not issue them on REGISTER (Kamailio); the proxy takes it with {@code --credential}.
 */
@Command(name = "cosip-credential", mixinStandardHelpOptions = true,
        description = "Issue a CoSIP credential offline: the provider's word that a CoSIP proxy's public key speaks for an AOR until"
                + " it expires. Prints it (one line) for the proxy's --credential file.")
public final class CosipCredentialCommand implements Callable<Integer> {
    @Option(names = "--provider-keypair", paramLabel = "FILE", required = true, description = "The provider's Ed25519 identity")
    Path providerKeypair;

    @Option(names = "--domain", paramLabel = "DOMAIN", required = true, description = "The provider's domain")
    String domain;

    @Option(names = "--user", paramLabel = "USER", required = true, description = "The user: the AOR is sip:USER@DOMAIN")
    String user;

    @Option(names = "--key", paramLabel = "HEX", required = true, description = "The proxy's public key (the 'public' line of its --keypair)")
    String key;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "30d", description = "How long it is valid (${DEFAULT-VALUE})")
    String ttl;

    @Override
    public Integer call() throws Exception {
        KeyFiles.hex("--key", 1, 1, key, 32);
        String credential = Credential.issuer(KeyFiles.readIdentity(providerKeypair), domain, Durations.parse(ttl), Clock.system())
                .issue("sip:" + user + "@" + domain, key);
        if (credential == null) {
            throw new IllegalArgumentException("--user: '" + user + "' makes no AOR");
        }
        System.out.println(credential);
        return 0;
    }
}
