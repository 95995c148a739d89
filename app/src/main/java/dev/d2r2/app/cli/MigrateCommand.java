package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.GroupKey;
import dev.d2r2.migrate.classify.AnswerJudge;
import dev.d2r2.migrate.classify.ClassifierConfig;
import dev.d2r2.migrate.classify.ClassifierRole;
import dev.d2r2.migrate.classify.JudgeRole;
import dev.d2r2.migrate.live.HostConfig;
import dev.d2r2.migrate.live.Migration;
import dev.d2r2.migrate.live.MigrationHost;
import dev.d2r2.migrate.snapshot.SnapshotStore;
import dev.d2r2.migrate.takeover.IpServiceAddress;
import dev.d2r2.sip.server.SipServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 migrate}: live migration of the built-in SIP server between hosts (docs/migration.md). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Live migration of the built-in SIP server between hosts: its registrations, calls and limits,"
                + " with the service address following it; and the classification of a host's failures that picks the strategy.",
        subcommands = {MigrateCommand.Host.class, MigrateCommand.Move.class, MigrateCommand.Classify.class,
                MigrateCommand.Judge.class, MigrateCommand.Restore.class})
public final class MigrateCommand extends CommandGroup {
    @Command(name = "host", mixinStandardHelpOptions = true,
            description = "Run a migration host: the SIP server of its configuration (if any), migrations in on its transfer"
                    + " address, migrations out through its HTTP API. Prints its events on stdout: migration.outcome, the snapshots',"
                    + " and for a server that arrived at another address (arrive) migration.server.arrived and the sip.edge.command"
                    + " that moves the edge's backend; a replica whose source failed, migration.replica.took-over and the"
                    + " edge's remove of the source's backend.")
    static final class Host implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", required = true, description = "The host's YAML file")
        Path config;

        @Override
        public Integer call() throws Exception {
            HostConfig c = HostConfig.load(config);
            Path dir = config.toAbsolutePath().getParent();
            byte[] key = GroupKey.read(dir.resolve(c.keyFile()));
            BearerToken token = BearerToken.loadOrCreate(dir.resolve(c.tokenFile()));
            SipServer server = c.server() == null ? null : new SipServer(HostPort.parse(c.server().listen()),
                    c.server().maxCps() == null ? 0 : c.server().maxCps(), c.server().maxCalls() == null ? 0 : c.server().maxCalls());
            CountDownLatch stopped = new CountDownLatch(1);
            try (MigrationHost host = new MigrationHost(c.name(), server, c.address() == null ? null
                    : new IpServiceAddress(c.address(), c.iface()), c.arrive(), key, HostPort.parse(c.transfer()), HostPort.parse(c.api()), token,
                    Migration.Settings.DEFAULT, Clock.system(), outcome -> {
                        System.out.println(EventCodec.encodeToString(outcome.toEvent()));
                        System.out.flush();
                    })) {
                host.events(event -> {
                    // on the host's one thread, as the outcomes: lines never interleave
                    System.out.println(EventCodec.encodeToString(event));
                    System.out.flush();
                });
                if (c.replication() != null) {
                    host.replication(c.replication().periodOrDefault(), c.replication().missesOrDefault());
                }
                if (c.snapshots() != null) {
                    HostConfig.Snapshots s = c.snapshots();
                    host.snapshots(s.dir() == null ? null : new SnapshotStore(dir.resolve(s.dir()), s.keepOrDefault()),
                            s.keeper() == null ? null : HostPort.parse(s.keeper()), s.periodOrDefault());
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        host.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    stopped.countDown();
                }));
                host.start();
                System.err.println("migrate: " + c.name() + (server != null ? " runs a SIP server on " + c.server().listen() : " waits for a server")
                        + ", transfers on " + c.transfer() + ", API on " + host.apiAddress().getHostString() + ":" + host.apiAddress().getPort());
                stopped.await();
            }
            return 0;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = "Ask a host (its API) to move its SIP server live to another host (its transfer address); prints the report.")
    static final class Move implements Callable<Integer> {
        @Option(names = "--api", paramLabel = "HOST:PORT", required = true, description = "The source host's API")
        String api;

        @Option(names = "--token-file", paramLabel = "FILE", required = true, description = "The source host's API token")
        Path tokenFile;

        @Option(names = "--to", paramLabel = "HOST:PORT", required = true, description = "The target host's transfer address")
        String to;

        @Override
        public Integer call() throws Exception {
            HostPort.parse(to);
            String token = BearerToken.read(tokenFile);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + api + "/migrate"))
                    .timeout(Duration.ofSeconds(70)).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + to + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(r.body());
            return r.statusCode() == 200 ? 0 : CliErrors.RUNTIME_FAILURE;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Ask a host (its API) to start serving from the newest valid snapshot it keeps of a host; prints the report.")
    static final class Restore implements Callable<Integer> {
        @Option(names = "--api", paramLabel = "HOST:PORT", required = true, description = "The API of the host that restores (the keeper)")
        String api;

        @Option(names = "--token-file", paramLabel = "FILE", required = true, description = "That host's API token")
        Path tokenFile;

        @Option(names = "--of", paramLabel = "NAME", required = true, description = "The host whose snapshot is restored")
        String of;

        @Override
        public Integer call() throws Exception {
            String token = BearerToken.read(tokenFile);
            String body = "{\"of\":\"" + SnapshotStore.checkHost(of) + "\"}";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + api + "/restore"))
                    .timeout(Duration.ofSeconds(70)).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(r.body());
            return r.statusCode() == 200 ? 0 : CliErrors.RUNTIME_FAILURE;
        }
    }

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = "Classify a host's failures (crash, byzantine, omission, timing × vm, host, network × predictable) from the"
                    + " monitor's probe and alarm events and the answer judge's verdicts (JSON Lines); prints a migration.host.at-risk event on stdout at each"
                    + " change of verdict, for the strategy policy.")
    static final class Classify implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", required = true, description = "The classifier's YAML file")
        Path config;

        @Option(names = "--events", paramLabel = "FILE", defaultValue = "-", description = "Monitor events, - for stdin (default)")
        String events;

        @Override
        public Integer call() throws Exception {
            ClassifierRole role = new ClassifierRole(ClassifierConfig.load(config), atRisk -> {
                System.out.println(EventCodec.encodeToString(atRisk.toEvent()));
                System.out.flush();
            });
            // this thread is the role's one thread: the events are taken in their order, none is left in an inbox at the end
            long[] read = {0};
            long malformedLines = EventInput.read(events, (e, line, position) -> {
                read[0]++;
                role.onMessage(e);
            });
            System.err.println("classify: " + read[0] + " events, " + malformedLines + " unreadable lines, " + role.malformed()
                    + " probe values or judge verdicts malformed, " + role.published() + " verdicts published");
            return malformedLines + role.malformed() == 0 ? 0 : CliErrors.BAD_INPUT;
        }
    }

    @Command(name = "judge", mixinStandardHelpOptions = true,
            description = "Judge a SIP registrar's answers: every period a REGISTER of the judge's own address of record, its answer"
                    + " checked against the request (Call-ID, CSeq, Via, From, To, the binding registered). Prints a"
                    + " migration.answer.judged event per probe (right, wrong, refused, lost) for d2r2 migrate classify.")
    static final class Judge implements Callable<Integer> {
        @Option(names = "--server", paramLabel = "HOST:PORT", required = true, description = "The SIP server judged (UDP)")
        String server;

        @Option(names = "--source", paramLabel = "NAME", required = true,
                description = "The service's name: the source of the events, the classifier's judge")
        String source;

        @Option(names = "--aor", paramLabel = "USER@DOMAIN", defaultValue = "d2r2-judge@invalid",
                description = "The address of record the judge registers (default: ${DEFAULT-VALUE})")
        String aor;

        @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:0", description = "Where the probes go from")
        String bind;

        @Option(names = "--period", paramLabel = "DURATION", defaultValue = "1s", description = "One probe each (default: ${DEFAULT-VALUE})")
        String period;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "500ms",
                description = "A probe without a final answer by then is lost (default: ${DEFAULT-VALUE})")
        String timeout;

        @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N probes (default: no end)")
        long count;

        @Override
        public Integer call() throws Exception {
            var settings = new JudgeRole.Settings(source, HostPort.parse(server), Durations.parse(period).toMillis(),
                    Durations.parse(timeout).toMillis(), count);
            String nonce = Long.toHexString(new SecureRandom().nextLong());
            CountDownLatch stopped = new CountDownLatch(1);
            try (JudgeRole judge = new JudgeRole(settings, new AnswerJudge(aor, nonce), HostPort.parse(bind), Clock.system(),
                    judged -> {
                        System.out.println(EventCodec.encodeToString(judged.toEvent()));
                        System.out.flush();
                    })) {
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                judge.start();
                System.err.println("judge: " + source + " at " + server + ", a REGISTER of " + aor + " every " + period);
                if (count > 0) {
                    judge.awaitFinished();
                } else {
                    stopped.await();
                }
                judge.close();
                System.err.println("judge: " + judge.counters());
            }
            return 0;
        }
    }
}
