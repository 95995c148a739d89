package dev.d2r2.cosip;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.files.PrivateFiles;
import dev.d2r2.cosip.events.RevocationPublished;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.node.OverlayNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code d2r2 cosip-issuer}: the provider's credential issuer for a registrar that cannot sign
 * (Kamailio). The registrar calls it on every successful REGISTER that carries a CoSIP proxy's
 * key — {@code POST /credential} with the form body {@code user=alice&key=<64 hex>} — and puts the
 * answer, one line of base64url ({@link Credential}), into its 200 as {@code X-CoSIP-Credential};
 * so the credentials are short-lived and renewed with each registration, as {@code d2r2
 * sip-server}'s are. {@code POST /revoke} with {@code user=carol} voids every credential issued to
 * carol so far: the issuer signs a new {@link Revocations} list and puts it into the DHT, where the
 * proxies read it, and issues carol none any more. Every request needs the bearer token; bodies
 * are capped; the issuer binds where it is told (loopback by default on the CLI: the token travels
 * in clear).
 *
 * <p>One agent: the HTTP threads only hand requests to its inbox and wait for the answer.
 */
public final class CosipIssuer implements Agent, AutoCloseable {
    public static final int MAX_BODY = 1024;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._~-]{1,64}");
    private static final Pattern KEY = Pattern.compile("[0-9a-fA-F]{64}");
    private static final long ANSWER_SECONDS = 10;

    /**
     * @param listen          the HTTP address
     * @param domain          the provider's domain: credentials are for {@code sip:user@domain}
     * @param ttl             how long a credential is valid
     * @param revocationsFile where the revocation list is kept across restarts (null: in memory only)
     */
    public record Settings(InetSocketAddress listen, String domain, Duration ttl, Path revocationsFile) {
    }

    /** An HTTP answer: status and one line of text. */
    record Answer(int status, String text) {
    }

    private record Issue(String user, String key, CompletableFuture<Answer> answer) {
    }

    private record Revoke(String user, CompletableFuture<Answer> answer) {
    }

    private record Listed(CompletableFuture<Answer> answer) {
    }

    private record Stored(String user, Revocations list, PutResult result, Throwable error, CompletableFuture<Answer> answer) {
    }

    private final Settings settings;
    private final Identity provider;
    private final BearerToken token;
    private final OverlayNode dht;
    private final Consumer<Event> events;
    private final Clock clock;
    private final HttpServer server;
    private final AgentRunner runner;
    private final Map<String, Long> counters = new TreeMap<>();
    private Revocations revocations;

    private CosipIssuer(Settings settings, Identity provider, BearerToken token, OverlayNode dht, Consumer<Event> events, Clock clock)
            throws IOException {
        this.settings = settings;
        this.provider = provider;
        this.token = token;
        this.dht = dht;
        this.events = events;
        this.clock = clock;
        this.revocations = load(settings.revocationsFile());
        this.server = HttpServer.create(settings.listen(), 0);
        this.runner = new AgentRunner(this, 1024, clock);
    }

    /**
     * Starts issuing; a revocation list kept in {@code settings.revocationsFile()} is put into the DHT
     * again at once. {@code events} is called on the issuer's thread.
     */
    public static CosipIssuer start(Settings settings, Identity provider, BearerToken token, OverlayNode dht, Consumer<Event> events,
                                    Clock clock) throws IOException {
        CosipIssuer issuer = new CosipIssuer(settings, provider, token, dht, events, clock);
        issuer.runner.start();
        issuer.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        issuer.server.createContext("/credential", x -> issuer.serve(x, form -> new Issue(form.get("user"), form.get("key"),
                new CompletableFuture<>())));
        issuer.server.createContext("/revoke", x -> issuer.serve(x, form -> new Revoke(form.get("user"), new CompletableFuture<>())));
        issuer.server.createContext("/revocations", x -> issuer.serve(x, form -> new Listed(new CompletableFuture<>())));
        issuer.server.start();
        return issuer;
    }

    private static Revocations load(Path file) throws IOException {
        if (file == null || Files.notExists(file)) {
            return Revocations.none();
        }
        Map<String, Long> entries = new TreeMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split(" ");
            try {
                if (f.length != 2 || !USER.matcher(f[0]).matches()) {
                    throw new NumberFormatException();
                }
                entries.put(f[0], Long.parseLong(f[1]));
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + n + ":1: expected 'user epoch-millis'");
            }
        }
        return Revocations.of(entries);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public String roleName() {
        return "cosip-issuer";
    }

    /** The counters: issued, refused by reason, revocations. */
    public CompletableFuture<Map<String, Long>> counters() {
        CompletableFuture<Map<String, Long>> f = new CompletableFuture<>();
        runner.deliver((Runnable) () -> f.complete(Map.copyOf(counters)));
        return f;
    }

    @Override
    public void onStart() {
        if (!revocations.entries().isEmpty()) {
            publish(null, revocations, new CompletableFuture<>());
        }
    }

    @Override
    public void onMessage(Object message) throws IOException {
        switch (message) {
            case Issue i -> i.answer().complete(issue(i.user(), i.key()));
            case Revoke r -> revoke(r);
            case Listed l -> l.answer().complete(new Answer(200, listing()));
            case Stored s -> stored(s);
            case Runnable r -> r.run();
            default -> throw new IllegalArgumentException("unexpected message " + message);
        }
    }

    private Answer issue(String user, String key) {
        if (user == null || key == null || !USER.matcher(user).matches() || !KEY.matcher(key).matches()) {
            count("refused.malformed");
            return new Answer(400, "user=<user part> and key=<64 hex> expected");
        }
        if (revocations.entries().containsKey(user)) {
            count("refused.revoked");
            return new Answer(403, "revoked");
        }
        count("issued");
        long now = clock.millis();
        return new Answer(200, Credential.encode(Credential.issue(provider, "sip:" + user + "@" + settings.domain(),
                HexFormat.of().parseHex(key), now, settings.ttl().toMillis())));
    }

    private void revoke(Revoke r) throws IOException {
        if (r.user() == null || !USER.matcher(r.user()).matches()) {
            count("refused.malformed");
            r.answer().complete(new Answer(400, "user=<user part> expected"));
            return;
        }
        // Strictly after the last list and any credential issued in this millisecond.
        long now = Math.max(clock.millis(), revocations.seq() + 1);
        Revocations next = revocations.with(r.user(), now, settings.ttl().toMillis());
        if (next == null) {
            count("revocations.full");
            r.answer().complete(new Answer(507, "the revocation list is full until older entries outlive a credential's lifetime"));
            return;
        }
        revocations = next;
        save();
        count("revocations");
        publish(r.user(), next, r.answer());
    }

    private void publish(String user, Revocations list, CompletableFuture<Answer> answer) {
        dht.put(list.sign(provider, settings.domain())).whenComplete((res, e) -> runner.deliver(new Stored(user, list, res, e, answer)));
    }

    private void stored(Stored s) {
        int nodes = s.error() == null ? s.result().stored() : 0;
        count(nodes > 0 ? "dht.put.stored" : "dht.put.failed");
        if (s.user() != null) {
            String aor = "sip:" + s.user() + "@" + settings.domain();
            events.accept(new RevocationPublished(clock.millis(), hostPort(), aor, s.list().entries().size(), nodes).toEvent());
        }
        s.answer().complete(nodes > 0 ? new Answer(200, "revoked; " + s.list().entries().size() + " in the list, stored on " + nodes + " DHT nodes")
                : new Answer(503, "revoked here, but the DHT took the list nowhere; revoke again"));
    }

    private void save() throws IOException {
        if (settings.revocationsFile() != null) {
            PrivateFiles.replace(settings.revocationsFile(), listing().getBytes(StandardCharsets.UTF_8));
        }
    }

    private String listing() {
        StringBuilder b = new StringBuilder();
        revocations.entries().forEach((u, t) -> b.append(u).append(' ').append(t).append('\n'));
        return b.toString();
    }

    private String hostPort() {
        return address().getAddress().getHostAddress() + ":" + address().getPort();
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    /** One request: authenticated, POST, a small form; answered by the agent. */
    private void serve(HttpExchange x, Function<Map<String, String>, Object> request) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("POST")) {
                reply(x, new Answer(405, "POST only"));
                return;
            }
            if (!token.accepts(x.getRequestHeaders().getFirst("Authorization"))) {
                runner.deliver((Runnable) () -> count("refused.unauthenticated"));
                x.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                reply(x, new Answer(401, "a bearer token is required"));
                return;
            }
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                reply(x, new Answer(413, "body too large"));
                return;
            }
            Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
            if (form == null) {
                reply(x, new Answer(400, "a form body (a=b&c=d) expected"));
                return;
            }
            Object message = request.apply(form);
            runner.deliver(message);
            reply(x, answerOf(message).get(ANSWER_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            reply(x, new Answer(503, "no answer in time"));
        }
    }

    private static CompletableFuture<Answer> answerOf(Object message) {
        return switch (message) {
            case Issue i -> i.answer();
            case Revoke r -> r.answer();
            case Listed l -> l.answer();
            default -> throw new IllegalArgumentException("not a request: " + message);
        };
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        if (body.isBlank()) {
            return form;
        }
        for (String pair : body.strip().split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return null;
            }
            try {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return form;
    }

    private static void reply(HttpExchange x, Answer a) throws IOException {
        byte[] bytes = (a.text() + "\n").getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        x.sendResponseHeaders(a.status(), bytes.length);
        x.getResponseBody().write(bytes);
    }

    /** Stops taking requests, then the agent. */
    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        runner.close();
    }
}
