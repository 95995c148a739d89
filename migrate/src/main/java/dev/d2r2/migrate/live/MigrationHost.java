package dev.d2r2.migrate.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.migrate.events.MigrationOutcome;
import dev.d2r2.migrate.takeover.ServiceAddress;
import dev.d2r2.sip.server.SipServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A host a SIP server can live on and move from, as a single-threaded agent: it runs at most one
 * server; migrations out are asked through its HTTP API ({@code POST /migrate}, bearer token),
 * migrations in arrive on its transfer listener. Both run on the agent's thread, one at a time.
 */
public final class MigrationHost implements Agent, AutoCloseable {
    private record Outgoing(InetSocketAddress to, CompletableFuture<MigrationReport> report) {
    }

    private record Incoming(Socket socket) {
    }

    private record Status(CompletableFuture<Map<String, Object>> result) {
    }

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
        this.runner = new AgentRunner(this, 16, clock);
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
            case Status s -> s.result().complete(server == null ? Map.of("serving", false)
                    : Map.of("serving", true, "registrations", server.registrations(), "calls", server.activeCalls()));
            default -> throw new IllegalArgumentException("not a migration host message: " + message);
        }
    }

    private MigrationReport migrateTo(InetSocketAddress to) throws IOException, InterruptedException {
        if (server == null) {
            return new MigrationReport(MigrationReport.ABORTED, 0, 0, 0, -1, -1, -1, "no server runs on " + name);
        }
        MigrationReport report = new MigrationSource(server, address, key, settings, clock).migrateTo(to);
        if (!report.outcome().equals(MigrationReport.ABORTED)) {
            server.close();
            server = null;
        }
        outcomes.accept(new MigrationOutcome(clock.millis(), name, to.getHostString() + ":" + to.getPort(), report));
        return report;
    }

    private void arrive(Socket socket) {
        if (server != null) {
            try (socket) {
                SecureChannel.accept(socket, key).send(Migration.ABORT, Migration.bytes(name + " already runs a server"));
            } catch (IOException ignored) {
                // the source hears it as an abort either way
            }
            return;
        }
        try {
            MigrationTarget.Arrival arrival = new MigrationTarget(address, arrivalListen).receive(SecureChannel.accept(socket, key));
            server = arrival.server();
            System.err.println("migrate: " + name + (server != null ? " now runs the server" : " dropped an arrival: " + arrival.reason()));
        } catch (IOException e) {
            runner.errors().error("arrival", roleName() + ": an arrival failed: " + e, null);
        }
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
     * aborted, so the engine retries); the table's other strategies are refused (400) until
     * they are built; a {@code revoke} is acknowledged, as a migration is not undone.
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
            if (!"deploy".equals(body.get("call")) || !name.equals(body.get("target"))) {
                reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString("expected a deploy whose target is " + name) + "}");
                return;
            }
            if (!"migrate-live".equals(body.get("op"))) {
                reply(x, 400, "{\"error\":" + Migration.JSON.writeValueAsString("not built yet: " + body.get("op")) + "}");
                return;
            }
            InetSocketAddress to = destination(x, body.get("params") instanceof Map<?, ?> p ? p.get("to") : null);
            if (to != null) {
                MigrationReport r = askMigration(to);
                reply(x, r.moved() ? 200 : r.outcome().equals(MigrationReport.ABORTED) ? 502 : 409,
                        Migration.JSON.writeValueAsString(r));
            }
        } catch (Exception e) {
            runner.errors().error("api", roleName() + ": POST /actions failed: " + e, null);
        }
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
            runner.submit(new Status(result));
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
