package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.p2psip.auth.AsClient;
import dev.d2r2.p2psip.auth.AsRequest;
import dev.d2r2.p2psip.auth.AuthServer;
import dev.d2r2.p2psip.auth.BadCertificate;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateAuthority;
import dev.d2r2.p2psip.auth.CertificateKind;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.auth.Enrolments;
import dev.d2r2.p2psip.auth.RequestRefused;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code d2r2 p2psip as|enrol|cert|ua}: Pr2-P2PSIP's authentication server, its users' side and the SIP face (docs/p2psip.md). */
@Command(name = "p2psip", mixinStandardHelpOptions = true,
        description = "Pr2-P2PSIP: run the authentication server, enrol users, fetch certificates, run SIP faces.",
        subcommands = {P2psipCommand.As.class, P2psipCommand.Enrol.class, P2psipCommand.Cert.class, P2psipUaCommand.class,
                P2psipPeerCommand.class, P2psipAgentCommand.class})
public final class P2psipCommand extends CommandGroup {

    @Command(name = "as", mixinStandardHelpOptions = true,
            description = "Run the authentication server until stopped: certificates for enrolled users' identity and pseudonym keys, over UDP.")
    static final class As implements Callable<Integer> {
        @Option(names = "--users", required = true, paramLabel = "FILE", description = "Enrolled users (d2r2 p2psip enrol)") Path users;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The server's Ed25519 signing key (created if missing)")
        Path key;

        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "UDP address to bind (default ${DEFAULT-VALUE})")
        String listen = "127.0.0.1:5300";

        @Option(names = "--identity-lifetime", paramLabel = "DURATION", description = "Identity certificates' lifetime (default ${DEFAULT-VALUE})")
        String identityLifetime = "30d";

        @Option(names = "--pseudonym-epoch", paramLabel = "DURATION",
                description = "Pseudonyms are issued per epoch and valid for two (default ${DEFAULT-VALUE})")
        String pseudonymEpoch = "6h";

        @Option(names = "--pseudonyms-per-epoch", paramLabel = "N",
                description = "Pseudonyms of one kind a user may get per epoch (default ${DEFAULT-VALUE})")
        int pseudonymsPerEpoch = 16;

        @Option(names = "--replay-window", paramLabel = "DURATION",
                description = "How far a request's time may be from the server's (default ${DEFAULT-VALUE})")
        String replayWindow = "30s";

        @Option(names = "--status-every", paramLabel = "DURATION", description = "Status interval (default ${DEFAULT-VALUE})")
        String statusEvery = "10s";

        @Option(names = "--print", description = "Print each p2psip.as.status event on stdout") boolean print;

        @Option(names = "--channel", paramLabel = "TAG", description = "Publish the status events on this broker channel") String channel;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N status reports (default: run until stopped)") long count;

        @Mixin ClientOptions client;

        @Override
        public Integer call() throws Exception {
            Identity signing = Files.exists(key) ? KeyFiles.readIdentity(key) : KeyFiles.createIdentity(key);
            CertificateAuthority authority = new CertificateAuthority(signing, new CertificateAuthority.Policy(
                    Durations.parse(identityLifetime), Durations.parse(pseudonymEpoch), pseudonymsPerEpoch), new SecureRandom());
            Enrolments enrolled = Enrolments.load(users);
            Duration every = Durations.parse(statusEvery);
            try (AuthServer server = AuthServer.start(new AuthServer.Settings(HostPort.parse(listen), Durations.parse(replayWindow)),
                    authority, enrolled, Clock.system());
                 BrokerClient broker = channel == null ? null : client.connect();
                 Publisher publisher = broker == null ? null : broker.publisher(channel)) {
                String address = server.address().getHostString() + ":" + server.address().getPort();
                System.out.println("p2psip as on " + address + " for " + enrolled.size() + " users, key "
                        + HexFormat.of().formatHex(server.publicKey()));
                System.out.flush();
                StatusReports.run(every, count, print, publisher,
                        () -> List.of(server.status().event(System.currentTimeMillis(), address).toEvent()));
            }
            return 0;
        }
    }

    @Command(name = "enrol", mixinStandardHelpOptions = true,
            description = "Enrol USER in --users (created owner-only if missing) and print the long-term secret to hand them.")
    static final class Enrol implements Callable<Integer> {
        @Option(names = "--users", required = true, paramLabel = "FILE", description = "The server's enrolment file") Path users;
        @Parameters(paramLabel = "USER", description = "1–64 bytes, no blanks") String user;

        @Override
        public Integer call() throws Exception {
            System.out.println(HexFormat.of().formatHex(Enrolments.enrol(users, user)));
            return 0;
        }
    }

    @Command(name = "cert", mixinStandardHelpOptions = true,
            description = "Create --count key pairs in --out and get the authentication server's certificates for them.")
    static final class Cert implements Callable<Integer> {
        @Option(names = "--as", required = true, paramLabel = "HOST:PORT", description = "The authentication server") String server;
        @Option(names = "--as-key", required = true, paramLabel = "HEX", description = "Its public key (printed when it starts)") String serverKey;
        @Option(names = "--user", required = true, paramLabel = "USER") String user;
        @Option(names = "--secret-file", required = true, paramLabel = "FILE", description = "The user's secret (hex, from enrol)") Path secretFile;
        @Option(names = "--kind", paramLabel = "KIND", description = "IDENTITY, STORAGE or FORWARDING (default ${DEFAULT-VALUE})")
        CertificateKind kind = CertificateKind.STORAGE;
        @Option(names = "--count", paramLabel = "N", description = "Keys, 1 for an identity, at most 8 (default ${DEFAULT-VALUE})") int count = 1;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where KIND-N.key and KIND-N.cert (hex) go") Path out;
        @Option(names = "--timeout", paramLabel = "DURATION", description = "Per attempt, 3 attempts (default ${DEFAULT-VALUE})")
        String timeout = "2s";

        @Override
        public Integer call() throws Exception {
            byte[] secret = KeyFiles.hex(secretFile, 1, 1, Files.readString(secretFile, StandardCharsets.US_ASCII).strip(), Enrolments.SECRET_BYTES);
            byte[] asKey = KeyFiles.hex("--as-key", 1, 1, serverKey, Certificate.KEY_BYTES);
            if (count < 1 || count > AsRequest.MAX_KEYS || (kind == CertificateKind.IDENTITY && count != 1)) {
                throw new IllegalArgumentException("--count: 1 for an identity, 1–" + AsRequest.MAX_KEYS + " for pseudonyms, not " + count);
            }
            Files.createDirectories(out);
            String stem = kind.name().toLowerCase(Locale.ROOT);
            for (int i = 1; i <= count; i++) {
                if (Files.exists(out.resolve(stem + "-" + i + ".key"))) {
                    throw new IllegalArgumentException(out.resolve(stem + "-" + i + ".key") + " exists; choose another --out");
                }
            }
            List<Identity> keys = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                keys.add(KeyFiles.createIdentity(out.resolve(stem + "-" + i + ".key")));
            }
            try (AsClient as = new AsClient(HostPort.parse(server), user, secret, new CertificateVerifier(asKey, Clock.system()), Clock.system(),
                    Durations.parse(timeout), 3)) {
                List<Certificate> certificates = kind.pseudonym() ? as.pseudonyms(kind, keys) : List.of(as.identity(keys.getFirst()));
                for (int i = 0; i < certificates.size(); i++) {
                    Certificate c = certificates.get(i);
                    Files.writeString(out.resolve(stem + "-" + (i + 1) + ".cert"), HexFormat.of().formatHex(c.encode()) + "\n");
                    System.out.println(c + " node " + c.nodeId());
                }
            } catch (RequestRefused | BadCertificate e) {
                System.err.println("d2r2 p2psip cert: " + e.getMessage());
                return CliErrors.BAD_INPUT;
            }
            return 0;
        }
    }
}
