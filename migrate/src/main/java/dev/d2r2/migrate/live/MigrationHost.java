package dev.d2r2.migrate.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.Event;
import dev.d2r2.migrate.events.MigrationOutcome;
import dev.d2r2.migrate.events.ReplicaTookOver;
import dev.d2r2.migrate.events.ServerArrived;
import dev.d2r2.sip.events.EdgeCommand;
import dev.d2r2.migrate.events.SnapshotRestored;
import dev.d2r2.migrate.events.SnapshotTaken;
import dev.d2r2.migrate.snapshot.SnapshotStore;
import dev.d2r2.sip.server.ServerState;
import dev.d2r2.migrate.takeover.ServiceAddress;
import dev.d2r2.sip.server.SipServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A host a SIP server can live on and move from, as a single-threaded agent: it runs at most one
 * server; migrations out are asked through its HTTP API ({@code POST /migrate}, bearer token),
 * migrations in arrive on its transfer listener. Both run on the agent's thread, one at a time.
 * With {@link #snapshots} it also sends its server's state to a keeper host every period, keeps
 * the snapshots other hosts send it, and restores one ({@code restore-snapshot}, {@code POST /restore}).
 */
public final class MigrationHost implements Agent, AutoCloseable {
    private record Outgoing(InetSocketAddress to, CompletableFuture<MigrationReport> report) {
    }

    private record Incoming(Socket socket) {
    }

    /** @param aor an address of record to look up in the registrations; null for none */
    private record Status(String aor, CompletableFuture<Map<String, Object>> result) {
    }

    /** @param redirect the seed's network × crash: serve at this host's {@code arrive} address, never take the service address */
    private record Restore(String of, boolean redirect, CompletableFuture<RestoreReport> report) {
    }

    private record Replicate(InetSocketAddress to, CompletableFuture<ReplicaReport> report) {
    }

    public static final Duration DEFAULT_REPLICA_PERIOD = Duration.ofMillis(100);
    public static final int DEFAULT_REPLICA_MISSES = 10;

    private final String name;
    private final ServiceAddress address;
    private final String arrivalListen;
    private final byte[] key;
    private final Migration.Settings settings;
    private final Clock clock;
    private final Consumer<MigrationOutcome> outcomes;
    private final ServerSocket transfer;
    private final HttpServer api;
    private final BearerToken token;
    private final AgentRunner runner;
    private SipServer server;
    private SnapshotStore store;
    private InetSocketAddress keeper;
    private long periodMillis;
    private long nextSnapshot = Long.MAX_VALUE;
    private long replicaPeriodMillis = DEFAULT_REPLICA_PERIOD.toMillis();
    private int replicaMisses = DEFAULT_REPLICA_MISSES;
    /** The stream keeping this host's replica in step (this host is its source); null when none. */
    private ReplicaFeed replicaFeed;
    private long nextDelta = Long.MAX_VALUE;
    /** The stream from this replica's source (this host runs the replica); null when none. */
    private SourceFeed sourceFeed;
    private Consumer<Event> events = e -> {
    };

    /**
     * @param server        the server this host starts with; null to wait for one
     * @param address       the service address that moves with the server; null when none does
     * @param arrivalListen where an arriving server binds; null: where it was bound at its source
     */
    public MigrationHost(String name, SipServer server, ServiceAddress address, String arrivalListen, byte[] key,
                         InetSocketAddress transfer, InetSocketAddress api, BearerToken token, Migration.Settings settings,
                         Clock clock, Consumer<MigrationOutcome> outcomes) throws IOException {
        this.name = name;
        this.server = server;
        this.address = address;
        this.arrivalListen = arrivalListen;
        this.key = key;
        this.settings = settings;
        this.clock = clock;
        this.outcomes = outcomes;
        this.token = token;
        this.transfer = new ServerSocket();
        this.transfer.bind(transfer);
        this.api = HttpServer.create(api, 0);
        this.api.createContext("/migrate", this::migrate);
        this.api.createContext("/status", this::status);
        this.api.createContext("/actions", this::action);
        this.api.createContext("/restore", this::restore);
        this.runner = new AgentRunner(this, 16, clock);
    }

    /**
     * Where this host's events go, set before {@link #start}: {@code migration.snapshot.taken},
     * {@code migration.snapshot.restored}, and for a server that arrived at another address
     * {@code migration.server.arrived} with the {@code sip.edge.command} that moves the edge's backend.
     */
    public MigrationHost events(Consumer<Event> events) {
        this.events = events;
        return this;
    }

    /**
     * Snapshots, set before {@link #start}: {@code store} keeps what other hosts send here and
     * what a restore reads (null: this host keeps none); every {@code period} this host's server
     * state goes to the keeper at {@code keeper} (null: none is sent).
     */
    public MigrationHost snapshots(SnapshotStore store, InetSocketAddress keeper, Duration period) {
        this.store = store;
        this.keeper = keeper;
        if (keeper != null) {
            this.periodMillis = Math.max(1, period.toMillis());
            this.nextSnapshot = clock.millis() + periodMillis;
        }
        return this;
    }

    /**
     * How a replica this host starts elsewhere ({@code replicate}) is kept in step, set before
     * {@link #start}: the changes go to it every {@code period}; after {@code misses} periods
     * without one it takes over (defaults 100 ms and 10).
     */
    public MigrationHost replication(Duration period, int misses) {
        if (period.toMillis() < 1 || misses < 1) {
            throw new IllegalArgumentException("a replica's period must be 1 ms or more and its misses 1 or more");
        }
        this.replicaPeriodMillis = period.toMillis();
        this.replicaMisses = misses;
        return this;
    }

    public MigrationHost start() throws IOException {
        if (server != null && address != null) {
            address.acquire();
        }
        runner.start();
        api.start();
        Thread.ofPlatform().name("d2r2-migrate-accept").daemon().start(this::accept);
        return this;
    }

    @Override
    public String roleName() {
        return "migrate-" + name;
    }

    public InetSocketAddress transferAddress() {
        return (InetSocketAddress) transfer.getLocalSocketAddress();
    }

    public InetSocketAddress apiAddress() {
        return api.getAddress();
    }

    private void accept() {
        while (!transfer.isClosed()) {
            try {
                runner.submit(new Incoming(transfer.accept()));
            } catch (IOException e) {
                if (!transfer.isClosed()) {
                    runner.errors().error("accept", roleName() + ": accept failed: " + e, null);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void onMessage(Object message) throws Exception {
        switch (message) {
            case Outgoing o -> o.report().complete(migrateTo(o.to()));
            case Incoming i -> arrive(i.socket());
            case Restore r -> r.report().complete(restoreFrom(r.of(), r.redirect()));
            case Replicate r -> r.report().complete(replicateTo(r.to()));
            case Status s -> s.result().complete(status(s.aor()));
            case SourceFeed.Delta d -> applyDelta(d);
            case SourceFeed.Lost l -> sourceLost(l);
            default -> throw new IllegalArgumentException("not a migration host message: " + message);
        }
    }

    private Map<String, Object> status(String aor) throws IOException {
        if (server == null) {
            return Map.of("serving", false);
        }
        Map<String, Object> status = new java.util.LinkedHashMap<>(Map.of("serving", true, "registrations", server.registrations(),
                "calls", server.activeCalls(), "listen", server.address().getHostString() + ":" + server.address().getPort()));
        if (aor != null) {
            status.put("registered", server.state().bindings().containsKey(aor));
        }
        if (sourceFeed != null) {
            status.put("replicaOf", sourceFeed.host());
            status.put("replicaLagMs", sourceFeed.lagMs());
            status.put("replicaStateAgeMs", Math.max(0, clock.millis() - sourceFeed.takenAt()));
            status.put("replicaDeltas", sourceFeed.deltas());
        }
        if (replicaFeed != null) {
            status.put("replica", replicaFeed.replica());
            status.put("replicaRounds", replicaFeed.rounds());
        }
        return status;
    }

    @Override
    public long nextDueMillis() {
        return Math.min(nextSnapshot, nextDelta);
    }

    @Override
    public void onTimer(long nowMillis) {
        if (nowMillis >= nextDelta) {
            nextDelta = nowMillis + replicaPeriodMillis;
            sendDelta(nowMillis);
        }
        if (nowMillis >= nextSnapshot) {
            nextSnapshot = nowMillis + periodMillis;
            if (server != null) {
                sendSnapshot(nowMillis);
            }
        }
    }

    /** A round of the replica's stream; a replica out of reach is let go (it takes over, as it would from a failed source). */
    private void sendDelta(long takenAt) {
        try {
            replicaFeed.send(server.state(), takenAt);
        } catch (IOException e) {
            runner.errors().error("replica", roleName() + ": the replica at " + replicaFeed.replica() + " is no longer kept in step: "
                    + e, null);
            stopFeed(null);
        }
    }

    /** Stops the replica's stream; with a {@code reason} the replica hears that this server did not fail, and does not take over. */
    private void stopFeed(String reason) {
        if (replicaFeed != null) {
            if (reason != null) {
                replicaFeed.end(reason);
            } else {
                replicaFeed.close();
            }
        }
        replicaFeed = null;
        nextDelta = Long.MAX_VALUE;
    }

    private void sendSnapshot(long takenAt) {
        ServerState state = server.state();
        byte[] frame = Migration.write(new SnapshotFrame(name, takenAt, state));
        int timeout = (int) settings.answerTimeout().toMillis();
        String keeperText = keeper.getHostString() + ":" + keeper.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(keeper, timeout);
            SecureChannel channel = SecureChannel.connect(socket, key);
            channel.setTimeout(timeout);
            channel.send(Migration.SNAPSHOT, frame);
            SecureChannel.Frame answer = channel.receive();
            if (answer.type() != Migration.DONE) {
                runner.errors().error("snapshot", roleName() + ": the keeper " + keeperText + " refused the snapshot: "
                        + Migration.text(answer.payload()), null);
                return;
            }
            events.accept(new SnapshotTaken(clock.millis(), name, keeperText, state.bindings().size(), state.calls().size(),
                    frame.length).toEvent());
        } catch (IOException e) {
            runner.errors().error("snapshot", roleName() + ": no snapshot reached the keeper " + keeperText + ": " + e, null);
        }
    }

    /** Stores a snapshot another host sent; bad ones are refused with the reason, nothing is stored. */
    private void keepSnapshot(SecureChannel channel, byte[] payload) throws IOException {
        String refusal;
        if (store == null) {
            refusal = name + " keeps no snapshots";
        } else {
            try {
                SnapshotFrame f = Migration.read(payload, SnapshotFrame.class);
                if (f.state() == null || f.state().listen() == null) {
                    throw new IOException("no server state in it");
                }
                store.put(f.host(), f.takenAt(), Migration.write(f.state()));
                channel.send(Migration.DONE, new byte[0]);
                return;
            } catch (IOException | RuntimeException e) {
                refusal = "not a snapshot this keeper can store: " + e.getMessage();
            }
        }
        runner.errors().error("keep", roleName() + ": " + refusal, null);
        channel.send(Migration.ABORT, Migration.bytes(refusal));
    }

    private RestoreReport restoreFrom(String of, boolean redirect) {
        if (server != null) {
            return new RestoreReport(false, of, -1, 0, 0, name + " already runs a server");
        }
        if (redirect && arrivalListen == null) {
            return new RestoreReport(false, of, -1, 0, 0, name + " has no arrive address to redirect the clients to");
        }
        if (store == null) {
            return new RestoreReport(false, of, -1, 0, 0, name + " keeps no snapshots");
        }
        int[] refused = {0};
        try {
            SnapshotStore.Snapshot snapshot = store.newest(SnapshotStore.checkHost(of), reason -> {
                refused[0]++;
                runner.errors().error("restore", roleName() + ": " + reason, null);
            });
            if (snapshot == null) {
                return new RestoreReport(false, of, -1, 0, refused[0], "no valid snapshot of " + of + " on " + name);
            }
            ServerState state = Migration.read(snapshot.payload(), ServerState.class);
            String movedFrom = state.listen();
            if (arrivalListen != null) {
                state = state.at(arrivalListen);
            }
            SipServer restored = new SipServer(state);
            try {
                if (address != null && !redirect) {
                    address.acquire();
                }
            } catch (IOException e) {
                restored.close();
                throw e;
            }
            server = restored;
            events.accept(new SnapshotRestored(clock.millis(), name, of, snapshot.takenAt(), state.bindings().size(), refused[0]).toEvent());
            System.err.println("migrate: " + name + " now runs the server restored from " + snapshot.file());
            if (!movedFrom.equals(restored.state().listen())) {
                announceRestored(movedFrom);
            }
            return new RestoreReport(true, of, snapshot.takenAt(), state.bindings().size(), refused[0], "");
        } catch (IOException | RuntimeException e) {
            return new RestoreReport(false, of, -1, 0, refused[0], "cannot restore " + of + ": " + e.getMessage());
        }
    }

    /** A server restored at another address than its snapshot's tells its subscribers and the edge, as an arrival does. */
    private void announceRestored(String movedFrom) {
        int notified = 0;
        try {
            notified = server.announce();
        } catch (IOException e) {
            runner.errors().error("restore", roleName() + ": the subscribers were not told the restored server's address: " + e, null);
        }
        followed(movedFrom, notified);
    }

    /**
     * The seed's host × omission or timing (the host lacks resources): a replica of this host's
     * server starts on the spare from its live state, at the spare's {@code arrive} address, and
     * the edge adds it beside this one, so a share of the new calls goes there. This server keeps
     * serving and keeps its subscribers. The stream stays open: every replication period what
     * changed here goes to the replica ({@link ReplicaFeed}), which takes over when it stops.
     */
    private ReplicaReport replicateTo(InetSocketAddress to) {
        if (server == null) {
            return new ReplicaReport(false, null, 0, "no server runs on " + name);
        }
        if (replicaFeed != null) {
            return new ReplicaReport(false, null, 0, name + " keeps a replica in step already, at " + replicaFeed.replica());
        }
        ServerState state = server.state();
        int timeout = (int) settings.answerTimeout().toMillis();
        Socket socket = new Socket();
        try {
            socket.connect(to, timeout);
            SecureChannel channel = SecureChannel.connect(socket, key);
            channel.setTimeout(timeout);
            channel.send(Migration.REPLICA, Migration.write(new ReplicaOpen(name, clock.millis(), state, replicaPeriodMillis,
                    replicaMisses)));
            SecureChannel.Frame answer = channel.receive();
            if (answer.type() != Migration.DONE) {
                channel.close();
                return new ReplicaReport(false, null, 0, "the spare refused the replica: " + Migration.text(answer.payload()));
            }
            replicaFeed = new ReplicaFeed(channel, Migration.text(answer.payload()), state);
            nextDelta = clock.millis() + replicaPeriodMillis;
            return new ReplicaReport(true, replicaFeed.replica(), state.bindings().size(), "");
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // no replica either way
            }
            return new ReplicaReport(false, null, 0, "no replica at " + to.getHostString() + ":" + to.getPort() + ": " + e.getMessage());
        }
    }

    /**
     * Starts the replica another host's live state describes, at {@code arrive}, tells the edge to
     * add it, and follows the source's stream ({@link SourceFeed}); returns false when refused.
     */
    private boolean startReplica(SecureChannel channel, byte[] payload) throws IOException {
        String refusal;
        if (server != null) {
            refusal = name + " already runs a server";
        } else if (arrivalListen == null) {
            refusal = name + " has no arrive address for a replica (it cannot share its source's)";
        } else {
            try {
                ReplicaOpen open = Migration.read(payload, ReplicaOpen.class);
                if (open.state() == null || open.state().listen() == null || open.host() == null || open.periodMs() < 1
                        || open.misses() < 1) {
                    throw new IOException("no server state, source name, period or misses in it");
                }
                server = new SipServer(open.state().withoutSubscriptions().at(arrivalListen));
                String listen = server.state().listen();
                sourceFeed = new SourceFeed(channel, open, clock.millis());
                System.err.println("migrate: " + name + " now runs a replica of " + open.host() + "'s server at " + listen
                        + ", kept in step every " + open.periodMs() + " ms");
                events.accept(EdgeCommand.add(clock.millis(), name, listen, 1).toEvent());
                channel.send(Migration.DONE, Migration.bytes(listen));
                sourceFeed.start(runner, clock);
                return true;
            } catch (IOException | RuntimeException e) {
                refusal = "cannot start the replica: " + e.getMessage();
            }
        }
        runner.errors().error("replica", roleName() + ": " + refusal, null);
        channel.send(Migration.ABORT, Migration.bytes(refusal));
        return false;
    }

    /** A round from this replica's source: into the mirror, and into the replica's server (paused while its tables are replaced). */
    private void applyDelta(SourceFeed.Delta d) {
        if (d.feed() != sourceFeed || server == null) {
            return;
        }
        StateDelta delta = sourceFeed.applied(d.frame(), d.receivedAt());
        if (delta.size() > 0) {
            load(delta);
        }
    }

    private void load(StateDelta delta) {
        server.pause();
        try {
            server.load(delta.applyTo(server.state()));
        } finally {
            server.resume();
        }
    }

    /**
     * This replica's source failed (its stream broke or fell silent): the replica takes over its
     * subscribers and tells them its address, and the edge removes the source's backend; the
     * source's registrations and calls are here already, as of its last round.
     */
    private void sourceLost(SourceFeed.Lost l) {
        if (l.feed() != sourceFeed) {
            return;
        }
        SourceFeed feed = sourceFeed;
        sourceFeed = null;
        if (server == null) {
            return;
        }
        if (l.ended()) {
            System.err.println("migrate: " + name + "'s replica is no longer kept in step: " + l.reason());
            return;
        }
        load(StateDelta.subscriptionsOf(feed.mirror()));
        int notified = 0;
        try {
            notified = server.announce();
        } catch (IOException e) {
            runner.errors().error("replica", roleName() + ": the source's subscribers were not told the replica's address: " + e, null);
        }
        long now = clock.millis();
        String listen = server.state().listen();
        String from = feed.mirror().listen();
        System.err.println("migrate: " + name + "'s replica takes over from " + feed.host() + ": " + l.reason());
        events.accept(new ReplicaTookOver(now, name, feed.host(), from, listen, l.reason(), Math.max(0, now - feed.takenAt()),
                feed.lagMs(), feed.deltas(), notified).toEvent());
        events.accept(EdgeCommand.remove(now, name, from).toEvent());
    }

    private MigrationReport migrateTo(InetSocketAddress to) throws IOException, InterruptedException {
        if (server == null) {
            return new MigrationReport(MigrationReport.ABORTED, 0, 0, 0, -1, -1, -1, "no server runs on " + name);
        }
        MigrationReport report = new MigrationSource(server, address, key, settings, clock).migrateTo(to);
        if (!report.outcome().equals(MigrationReport.ABORTED)) {
            stopFeed(name + "'s server moved to " + to.getHostString() + ":" + to.getPort());
            server.close();
            server = null;
        }
        outcomes.accept(new MigrationOutcome(clock.millis(), name, to.getHostString() + ":" + to.getPort(), report));
        return report;
    }

    private void arrive(Socket socket) {
        SecureChannel channel;
        SecureChannel.Frame first;
        try {
            socket.setSoTimeout((int) settings.answerTimeout().toMillis());
            channel = SecureChannel.accept(socket, key);
            first = channel.receive();
        } catch (IOException e) {
            runner.errors().error("arrival", roleName() + ": an arrival failed: " + e, null);
            try {
                socket.close();
            } catch (IOException ignored) {
                // refused either way
            }
            return;
        }
        if (first.type() == Migration.REPLICA) {
            try {
                if (!startReplica(channel, first.payload())) {
                    channel.close();
                }
            } catch (IOException e) {
                runner.errors().error("replica", roleName() + ": the replica's stream failed at its start: " + e, null);
            }
            return;
        }
        if (first.type() == Migration.SNAPSHOT || server != null) {
            try (channel) {
                if (first.type() == Migration.SNAPSHOT) {
                    keepSnapshot(channel, first.payload());
                } else {
                    channel.send(Migration.ABORT, Migration.bytes(name + " already runs a server"));
                }
            } catch (IOException ignored) {
                // the sender hears it as an abort either way
            }
            return;
        }
        MigrationTarget.Arrival arrival = new MigrationTarget(address, arrivalListen).receive(channel, first);
        server = arrival.server();
        System.err.println("migrate: " + name + (server != null ? " now runs the server" : " dropped an arrival: " + arrival.reason()));
        if (arrival.addressChanged()) {
            followed(arrival.movedFrom(), arrival.notified());
        }
    }

    /**
     * Redirection (b): the server serves here at another address than {@code movedFrom}, and
     * {@code notified} subscribers were told; the edge is told by the {@code move} command printed
     * beside {@code migration.server.arrived}.
     */
    private void followed(String movedFrom, int notified) {
        String listen = server.state().listen();
        long now = clock.millis();
        events.accept(new ServerArrived(now, name, movedFrom, listen, notified).toEvent());
        events.accept(EdgeCommand.move(now, name, movedFrom, listen).toEvent());
    }

    private void migrate(HttpExchange x) throws IOException {
        try (x) {
            Map<?, ?> body = authorizedBody(x);
            if (body == null) {
                return;
            }
            InetSocketAddress to = destination(x, body.get("to"));
            if (to != null) {
                MigrationReport r = askMigration(to);
                reply(x, r.moved() ? 200 : 409, Migration.JSON.writeValueAsString(r));
            }
        } catch (Exception e) {
            runner.errors().error("api", roleName() + ": POST /migrate failed: " + e, null);
        }
    }

    /**
     * The policy engine's webhook actuator ({@code docs/policy.md}): {@code deploy} of
     * {@code migrate-live} on this host moves the server to {@code params.to} (200; 502 when it
     * aborted, so the engine retries); {@code replicate} starts a replica on {@code params.to}
     * (200; 502 when none started); {@code restore-snapshot} and {@code redirect} are carried out
     * by the host {@code params.to} names; other operations are refused (400); a {@code revoke}
     * is acknowledged, as a migration is not undone.
     */
    private void action(HttpExchange x) throws IOException {
        try (x) {
            Map<?, ?> body = authorizedBody(x);
            if (body == null) {
                return;
            }
            if ("revoke".equals(body.get("call"))) {
                reply(x, 200, "{\"done\":\"a migration is not undone\"}");
                return;
            }
            Object to = body.get("params") instanceof Map<?, ?> p ? p.get("to") : null;
            if ("deploy".equals(body.get("call")) && ("restore-snapshot".equals(body.get("op")) || "redirect".equals(body.get("op")))) {
                restoreAction(x, String.valueOf(body.get("op")), String.valueOf(body.get("target")), String.valueOf(to));
                return;
            }
            if (!"deploy".equals(body.get("call")) || !name.equals(body.get("target"))) {
                reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString("expected a deploy whose target is " + name) + "}");
                return;
            }
            boolean replicate = "replicate".equals(body.get("op"));
            if (!replicate && !"migrate-live".equals(body.get("op"))) {
                reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString("not a migration strategy: " + body.get("op")) + "}");
                return;
            }
            InetSocketAddress destination = destination(x, to);
            if (destination != null && replicate) {
                CompletableFuture<ReplicaReport> report = new CompletableFuture<>();
                runner.submit(new Replicate(destination, report));
                ReplicaReport r = report.get(60, TimeUnit.SECONDS);
                reply(x, r.replicated() ? 200 : 502, Migration.JSON.writeValueAsString(r));
            } else if (destination != null) {
                MigrationReport r = askMigration(destination);
                reply(x, r.moved() ? 200 : r.outcome().equals(MigrationReport.ABORTED) ? 502 : 409,
                        Migration.JSON.writeValueAsString(r));
            }
        } catch (Exception e) {
            runner.errors().error("api", roleName() + ": POST /actions failed: " + e, null);
        }
    }

    /**
     * {@code restore-snapshot} and {@code redirect} of {@code target} are carried out where the
     * policy starts the server, {@code params.to}: this host when it names this host or its
     * transfer address (after a sudden crash or behind a cut network the target is out of reach,
     * so the webhook goes to the spare). {@code redirect} serves at this host's {@code arrive}
     * address and moves the clients there (NOTIFY, edge move); it never takes the service address.
     */
    private void restoreAction(HttpExchange x, String op, String target, String to) throws Exception {
        if (!isThisHost(to)) {
            reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString(op + " goes to " + to + ", not to " + name) + "}");
            return;
        }
        RestoreReport r = askRestore(target, op.equals("redirect"));
        reply(x, r.restored() ? 200 : 409, Migration.JSON.writeValueAsString(r));
    }

    private boolean isThisHost(String to) {
        if (name.equals(to)) {
            return true;
        }
        try {
            return HostPort.parse(to).equals(transferAddress());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code POST /restore {"of":"HOST"}} (token): restore here the newest valid snapshot of HOST (this host when absent). */
    private void restore(HttpExchange x) throws IOException {
        try (x) {
            Map<?, ?> body = authorizedBody(x);
            if (body == null) {
                return;
            }
            RestoreReport r = askRestore(body.get("of") == null ? name : String.valueOf(body.get("of")), false);
            reply(x, r.restored() ? 200 : 409, Migration.JSON.writeValueAsString(r));
        } catch (Exception e) {
            runner.errors().error("api", roleName() + ": POST /restore failed: " + e, null);
        }
    }

    private RestoreReport askRestore(String of, boolean redirect) throws Exception {
        CompletableFuture<RestoreReport> report = new CompletableFuture<>();
        runner.submit(new Restore(of, redirect, report));
        return report.get(60, TimeUnit.SECONDS);
    }

    /** The JSON body of an authorized POST, or null once the refusal is sent. */
    private Map<?, ?> authorizedBody(HttpExchange x) throws IOException {
        if (!x.getRequestMethod().equals("POST")) {
            reply(x, 405, "{\"error\":\"POST only\"}");
            return null;
        }
        if (!token.accepts(x.getRequestHeaders().getFirst("Authorization"))) {
            reply(x, 401, "{\"error\":\"a bearer token is needed\"}");
            return null;
        }
        try {
            return Migration.JSON.readValue(x.getRequestBody().readNBytes(65536), Map.class);
        } catch (IOException | RuntimeException e) {
            reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString("not a JSON object: " + e.getMessage()) + "}");
            return null;
        }
    }

    private static InetSocketAddress destination(HttpExchange x, Object to) throws IOException {
        try {
            return HostPort.parse(String.valueOf(to));
        } catch (RuntimeException e) {
            reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString("expected to: HOST:PORT, " + e.getMessage()) + "}");
            return null;
        }
    }

    private MigrationReport askMigration(InetSocketAddress to) throws Exception {
        CompletableFuture<MigrationReport> report = new CompletableFuture<>();
        runner.submit(new Outgoing(to, report));
        return report.get(60, TimeUnit.SECONDS);
    }

    private void status(HttpExchange x) throws IOException {
        try (x) {
            CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();
            String query = x.getRequestURI().getRawQuery();
            String aor = query != null && query.startsWith("aor=")
                    ? java.net.URLDecoder.decode(query.substring(4), StandardCharsets.UTF_8) : null;
            runner.submit(new Status(aor, result));
            reply(x, 200, Migration.JSON.writeValueAsString(result.get(10, TimeUnit.SECONDS)));
        } catch (Exception e) {
            runner.errors().error("api", roleName() + ": GET /status failed: " + e, null);
        }
    }

    private static void reply(HttpExchange x, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    @Override
    public void onClose() throws IOException {
        stopFeed(null);
        if (sourceFeed != null) {
            sourceFeed.close();
        }
        transfer.close();
        api.stop(0);
        if (server != null) {
            server.close();
            if (address != null) {
                address.release();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
