package dev.d2r2.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.config.ConfigLoader;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The web dashboard and its REST API (described in {@code /api/openapi.yaml}): the page and its
 * scripts from the classpath, and JSON views of an {@link Observatory}. Bad requests get a JSON
 * error with status 400 or 404, and are counted.
 */
public final class Dashboard implements AutoCloseable {
    private static final ObjectMapper JSON = ConfigLoader.json();
    private static final String STATIC = "/dev/d2r2/app/web/";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js",
            "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "yaml", "application/yaml", "svg", "image/svg+xml");

    private final HttpServer server;
    private final Observatory observatory;
    private final AtomicLong badRequests = new AtomicLong();
    private volatile Supplier<Object> report = () -> null;
    private volatile Supplier<Object> story = () -> null;
    private volatile Supplier<Object> replicas = () -> null;

    public Dashboard(InetSocketAddress listen, Observatory observatory) throws IOException {
        this.observatory = observatory;
        this.server = HttpServer.create(listen, 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/api/", this::api);
        server.createContext("/", this::file);
        server.start();
    }

    /** What {@code /api/report} answers (a demo's resilience report so far); null: 404. */
    public void report(Supplier<Object> report) {
        this.report = report;
    }

    /** What {@code /api/story} answers (a demo's phases); null: 404. */
    public void story(Supplier<Object> story) {
        this.story = story;
    }

    /** What {@code /api/replicas} answers (a demo's broker replicas and changes of leader); null: 404. */
    public void replicas(Supplier<Object> replicas) {
        this.replicas = replicas;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Requests refused as bad (unknown path, bad parameter, wrong method). */
    public long badRequests() {
        return badRequests.get();
    }

    private void api(HttpExchange x) throws IOException {
        try (x) {
            answer(x);
        }
    }

    /** Answers an API request; the caller closes the exchange only once the error, if any, is sent. */
    private void answer(HttpExchange x) throws IOException {
        try {
            if (refusedMethod(x)) {
                return;
            }
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            String path = x.getRequestURI().getPath();
            if (path.equals("/api/openapi.yaml")) {
                file(x, "openapi.yaml");
                return;
            }
            Object body = switch (path) {
                case "/api/services" -> services();
                case "/api/timeline" -> Map.of("events", observatory.timeline(number(q, "since", 0), limit(q)));
                case "/api/audit" -> Map.of("entries", observatory.audit(number(q, "since", 0), limit(q)));
                case "/api/heatmap" -> observatory.heat(q.getOrDefault("metric", "dialogs"));
                case "/api/actions" -> Map.of("actions", observatory.actions());
                case "/api/diagnosis" -> observatory.diagnosis();
                case "/api/instances" -> Map.of("instances", observatory.instances());
                case "/api/tunnels" -> Map.of("tunnels", observatory.tunnels());
                case "/api/chain" -> chain(q.get("action"));
                case "/api/report" -> present(report.get(), "no report: this process runs no demo");
                case "/api/story" -> present(story.get(), "no story: this process runs no demo");
                case "/api/replicas" -> present(replicas.get(), "no broker replicas: this process runs no demo on a cluster");
                default -> throw new NotFound("no such resource: " + path);
            };
            send(x, 200, "application/json", JSON.writeValueAsBytes(body));
        } catch (BadRequest e) {
            error(x, 400, e.getMessage());
        } catch (NotFound e) {
            error(x, 404, e.getMessage());
        }
    }

    /** Refuses (405) any method but GET; true when it did. */
    private boolean refusedMethod(HttpExchange x) throws IOException {
        if (x.getRequestMethod().equals("GET")) {
            return false;
        }
        error(x, 405, "only GET is served");
        return true;
    }

    private static int limit(Map<String, String> q) {
        return (int) Math.min(Integer.MAX_VALUE, number(q, "limit", 1000));
    }

    private Map<String, Object> services() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("servers", observatory.servers());
        m.put("traffic", observatory.traffic());
        return m;
    }

    private Object chain(String action) {
        if (action == null || action.isEmpty()) {
            throw new BadRequest("give ?action=ID (an id from /api/actions)");
        }
        List<Map<String, Object>> chain = observatory.chain(action);
        if (chain == null) {
            throw new NotFound("no action " + action);
        }
        return Map.of("action", action, "chain", chain);
    }

    private static Object present(Object value, String missing) {
        if (value == null) {
            throw new NotFound(missing);
        }
        return value;
    }

    private void file(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String name = path.equals("/") ? "index.html" : path.substring(1);
            if (refusedMethod(x)) {
                return;
            }
            if (name.contains("..") || name.contains("/")) {
                error(x, 404, "no such file: " + path);
                return;
            }
            file(x, name);
        }
    }

    private void file(HttpExchange x, String name) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream(STATIC + name)) {
            if (in == null) {
                error(x, 404, "no such file: " + name);
                return;
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            send(x, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        }
    }

    private void error(HttpExchange x, int status, String message) throws IOException {
        badRequests.incrementAndGet();
        send(x, status, "application/json", JSON.writeValueAsBytes(Map.of("error", message)));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                q.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static long number(Map<String, String> q, String name, long otherwise) {
        String v = q.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new BadRequest(name + " cannot be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " must be a whole number, not " + v);
        }
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
