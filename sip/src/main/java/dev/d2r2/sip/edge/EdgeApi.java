package dev.d2r2.sip.edge;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.Cidr;
import dev.d2r2.core.Clock;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.agent.ErrorLog;
import dev.d2r2.core.config.ConfigLoader;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The edge's HTTP API: backends at run time ({@code /backends}, see {@link #backends}) and
 * enforcement. {@code POST /actions} takes the policy engine's webhook calls
 * ({@code {"call":"deploy"|"revoke","op":...,"target":...,"params":{...},"expires":...}}), so a
 * policy's {@code sip-edge} actuator is a webhook to the edge:
 * <ul>
 *   <li>{@code block} — the target (address, CIDR block or caller AOR) until {@code expires};</li>
 *   <li>{@code rate-limit} — the target source to {@code params.rate} ({@code 5/s} or {@code 5})
 *       requests a second, all requests or only {@code params.method}'s.</li>
 * </ul>
 * Every call that changes something needs {@code Authorization: Bearer TOKEN} ({@link BearerToken});
 * without a token the API takes no changes at all. Reads are open when the API listens on a
 * loopback address, else they need the token too. What an authenticated caller may ask is bounded
 * by {@link ApiLimits}. Answers are JSON; each is counted by its {@link ApiOutcome}, and refused
 * calls are logged (rate-limited).
 */
public final class EdgeApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeApi.class);
    private static final ApiOutcome[] OUTCOMES = ApiOutcome.values();
    private static final Set<String> CALL_KEYS = Set.of("call", "id", "actuator", "op", "target", "params", "expires");
    private static final Set<String> BACKEND_KEYS = Set.of("address", "weight");
    private static final Set<String> MOVE_KEYS = Set.of("address");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final ObjectReader JSON = ConfigLoader.json().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final HttpServer server;
    private final EdgeProxy edge;
    private final Enforcement enforcement;
    private final BearerToken token;
    private final ApiLimits limits;
    private final Clock clock;
    private final boolean openReads;
    private final LongAdder[] counts = new LongAdder[OUTCOMES.length];
    private final ErrorLog refusals;

    /** A call's answer: its outcome, status and JSON body (null for none). */
    private record Reply(ApiOutcome outcome, int status, JsonNode body) {
        static Reply of(ApiOutcome o, String error) {
            return new Reply(o, o.status(), ConfigLoader.json().createObjectNode().put("error", error));
        }
    }

    /** Ends a call early with its answer; the API's own requests only, never the SIP path. */
    private static final class Refusal extends Exception {
        final transient Reply reply;

        Refusal(ApiOutcome o, String error) {
            super(error, null, false, false);
            this.reply = Reply.of(o, error);
        }
    }

    private interface Handler {
        Reply handle(HttpExchange ex) throws Refusal, IOException;
    }

    /**
     * @param token null for an API that takes no changes
     * @param limits what an authenticated caller may ask
     */
    public EdgeApi(InetSocketAddress listen, EdgeProxy edge, BearerToken token, ApiLimits limits) throws IOException {
        this.edge = edge;
        this.enforcement = edge.enforcement();
        this.token = token;
        this.limits = limits;
        this.clock = edge.clock();
        this.refusals = new ErrorLog(LOG, clock, 10_000);
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        this.server = HttpServer.create(listen, 0);
        this.openReads = server.getAddress().getAddress().isLoopbackAddress();
        server.createContext("/actions", ex -> serve(ex, this::actions));
        server.createContext("/backends", ex -> serve(ex, this::backends));
        server.createContext("/", ex -> serve(ex, e -> Reply.of(ApiOutcome.NOT_FOUND, "the API has /actions and /backends")));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Calls by outcome ({@link ApiOutcome#label()}); zeros left out. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new TreeMap<>();
        for (ApiOutcome o : OUTCOMES) {
            long n = counts[o.ordinal()].sum();
            if (n > 0) {
                m.put(o.label(), n);
            }
        }
        return m;
    }

    /** Registers {@code d2r2_edge_api_requests{outcome}}. */
    public void registerMetrics(PrometheusRegistry registry) {
        CounterWithCallback.builder().name("d2r2_edge_api_requests")
                .help("Calls to the edge's HTTP API by outcome: read, applied, unauthorized, refused, bad_request, ...")
                .labelNames("outcome")
                .callback(cb -> {
                    for (ApiOutcome o : OUTCOMES) {
                        cb.call(counts[o.ordinal()].sum(), o.label());
                    }
                })
                .register(registry);
    }

    private void serve(HttpExchange ex, Handler h) throws IOException {
        try (ex) {
            Reply r;
            try {
                r = h.handle(ex);
            } catch (Refusal e) {
                r = e.reply;
            } catch (RuntimeException e) {
                r = Reply.of(ApiOutcome.ERROR, "the edge failed to carry out the call");
                refusals.error("error", "edge API: " + ex.getRequestMethod() + " " + printable(ex.getRequestURI().getPath()) + " failed", e);
            }
            counts[r.outcome().ordinal()].increment();
            if (r.outcome() != ApiOutcome.READ && r.outcome() != ApiOutcome.APPLIED && r.outcome() != ApiOutcome.ERROR) {
                refusals.warn(r.outcome().label(), "edge API: " + ex.getRequestMethod() + " " + printable(ex.getRequestURI().getPath())
                        + " from " + ex.getRemoteAddress().getAddress().getHostAddress() + " " + r.outcome().label() + ": "
                        + r.body().path("error").asText());
            }
            send(ex, r);
        }
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        if (r.outcome() == ApiOutcome.UNAUTHORIZED) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"d2r2-edge\"");
        }
        if (r.body() == null) {
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        byte[] b = (r.body() + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(r.status(), b.length);
        ex.getResponseBody().write(b);
    }

    /** A change needs the token; a read needs it unless the API listens on loopback. */
    private void authorize(HttpExchange ex, boolean change) throws Refusal {
        if (!change && openReads) {
            return;
        }
        if (token == null) {
            throw new Refusal(change ? ApiOutcome.READ_ONLY : ApiOutcome.UNAUTHORIZED,
                    "this API was given no token: it takes no changes" + (change ? "" : " and serves reads on loopback only"));
        }
        if (!token.accepts(ex.getRequestHeaders().getFirst("Authorization"))) {
            throw new Refusal(ApiOutcome.UNAUTHORIZED, "give Authorization: Bearer TOKEN (the API's token-file)");
        }
    }

    private Reply actions(HttpExchange ex) throws Refusal, IOException {
        if (!ex.getRequestURI().getPath().equals("/actions")) {
            return Reply.of(ApiOutcome.NOT_FOUND, "no such path: POST /actions");
        }
        if (!ex.getRequestMethod().equals("POST")) {
            return Reply.of(ApiOutcome.METHOD_NOT_ALLOWED, "POST an action");
        }
        authorize(ex, true);
        ObjectNode call = body(ex, CALL_KEYS);
        String kind = text(call, "call");
        if (!kind.equals("deploy") && !kind.equals("revoke")) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "call must be deploy or revoke, not \"" + printable(kind) + "\"");
        }
        boolean deploy = kind.equals("deploy");
        String op = text(call, "op");
        Target target;
        try {
            target = Target.parse(text(call, "target"));
        } catch (IllegalArgumentException e) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "target: " + e.getMessage());
        }
        ObjectNode params = params(call);
        Long expires = expires(call);
        return switch (op) {
            case "block" -> {
                onlyParams(params, Set.of(), op);
                yield deploy ? applied(op, target, block(target, expires)) : revoked(() -> enforcement.unblock(target));
            }
            case "rate-limit" -> {
                onlyParams(params, Set.of("rate", "method"), op);
                if (!(target instanceof Target.Addresses(Cidr source)) || !source.isAddress()) {
                    throw new Refusal(ApiOutcome.BAD_REQUEST, "a rate limit applies to one source address, not " + target);
                }
                String method = params.hasNonNull("method") ? params.get("method").asText().toUpperCase(Locale.ROOT) : null;
                if (method != null && !METHOD.matcher(method).matches()) {
                    throw new Refusal(ApiOutcome.BAD_REQUEST, "params.method must be a SIP method such as INVITE");
                }
                yield deploy ? applied(op, target, rateLimit(source, rate(params), method, expires))
                        : revoked(() -> enforcement.unlimit(source.toString(), method));
            }
            default -> throw new Refusal(ApiOutcome.UNKNOWN_OP,
                    "the edge does not know the op \"" + printable(op) + "\" (it knows block, rate-limit)");
        };
    }

    private long block(Target target, Long expires) throws Refusal {
        long until = until(target, expires);
        enforcement.block(target, until);
        return until;
    }

    private long rateLimit(Cidr source, double rate, String method, Long expires) throws Refusal {
        long until = until(new Target.Addresses(source), expires);
        enforcement.rateLimit(source.toString(), rate, method, until);
        return until;
    }

    /** When a deploy on {@code target} ends, once the limits allow it at all. */
    private long until(Target target, Long expires) throws Refusal {
        String why = limits.refusal(target);
        if (why != null) {
            throw new Refusal(ApiOutcome.REFUSED, why);
        }
        long now = clock.millis();
        if (expires != null && expires <= now) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "expires " + expires + " is past (now " + now + ")");
        }
        return limits.until(expires, now);
    }

    private static Reply applied(String op, Target target, long until) {
        return new Reply(ApiOutcome.APPLIED, 200, ConfigLoader.json().createObjectNode()
                .put("op", op).put("target", target.toString()).put("expires", until));
    }

    private static Reply revoked(Runnable lift) {
        lift.run();
        return new Reply(ApiOutcome.APPLIED, 204, null);
    }

    private static double rate(ObjectNode params) throws Refusal {
        String text = params.path("rate").asText("");
        String t = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        try {
            double r = Double.parseDouble(t);
            if (r > 0 && Double.isFinite(r)) {
                return r;
            }
        } catch (NumberFormatException e) {
            // answered below, like a rate out of range
        }
        throw new Refusal(ApiOutcome.BAD_REQUEST, "rate-limit needs a positive params.rate, e.g. 5/s (got \"" + printable(text) + "\")");
    }

    /**
     * {@code GET /backends}: the list; {@code POST /backends {"address":"IP:PORT","weight":1}}: add
     * (or re-weight); {@code DELETE /backends/ID}: remove; {@code POST /backends/ID/drain}: drain.
     */
    private Reply backends(HttpExchange ex) throws Refusal, IOException {
        String path = ex.getRequestURI().getPath();
        String rest = path.startsWith("/backends/") ? path.substring("/backends/".length()) : "";
        if (!path.equals("/backends") && rest.isEmpty()) {
            return Reply.of(ApiOutcome.NOT_FOUND, "no such path: /backends");
        }
        String method = ex.getRequestMethod();
        if (rest.isEmpty() && method.equals("GET")) {
            authorize(ex, false);
            ArrayNode list = ConfigLoader.json().createArrayNode();
            for (Backend b : edge.backends()) {
                list.addObject().put("id", b.id()).put("weight", b.weight()).put("up", b.up()).put("draining", b.draining())
                        .put("dialogs", b.activeDialogs()).put("requests", b.requests()).put("answers", b.finalAnswers())
                        .put("errors", b.errorAnswers());
            }
            return new Reply(ApiOutcome.READ, 200, list);
        }
        boolean drain = rest.endsWith("/drain") && method.equals("POST");
        boolean move = rest.endsWith("/move") && method.equals("POST");
        boolean add = rest.isEmpty() && method.equals("POST");
        boolean remove = !rest.isEmpty() && method.equals("DELETE");
        if (!drain && !move && !add && !remove) {
            return Reply.of(ApiOutcome.METHOD_NOT_ALLOWED,
                    "GET or POST /backends, DELETE /backends/ID, POST /backends/ID/drain, POST /backends/ID/move");
        }
        authorize(ex, true);
        if (move) {
            String id = rest.substring(0, rest.length() - "/move".length());
            Backend moved = edge.move(id, address(body(ex, MOVE_KEYS)));
            if (moved == null) {
                throw new Refusal(ApiOutcome.NOT_FOUND, "no backend " + printable(id));
            }
            return new Reply(ApiOutcome.APPLIED, 200, ConfigLoader.json().createObjectNode().put("id", moved.id()));
        }
        if (add) {
            ObjectNode body = body(ex, BACKEND_KEYS);
            InetSocketAddress address = address(body);
            JsonNode w = body.path("weight");
            double weight = w.isMissingNode() ? 1 : w.isNumber() ? w.asDouble() : -1;
            if (!(weight > 0) || !Double.isFinite(weight)) {
                throw new Refusal(ApiOutcome.BAD_REQUEST, "weight must be a positive number");
            }
            return new Reply(ApiOutcome.APPLIED, 201, ConfigLoader.json().createObjectNode().put("id", edge.add(address, weight).id()));
        }
        String id = drain ? rest.substring(0, rest.length() - "/drain".length()) : rest;
        if (!(drain ? edge.drain(id) : edge.remove(id))) {
            throw new Refusal(ApiOutcome.NOT_FOUND, "no backend " + printable(id));
        }
        return drain ? new Reply(ApiOutcome.APPLIED, 202, ConfigLoader.json().createObjectNode().put("draining", id))
                : new Reply(ApiOutcome.APPLIED, 204, null);
    }

    /** The body's {@code address}: an IP literal and a port, never a name. */
    private static InetSocketAddress address(ObjectNode body) throws Refusal {
        try {
            return BackendAddress.parse(text(body, "address"));
        } catch (IllegalArgumentException e) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, e.getMessage());
        }
    }

    /** The request's body: a JSON object of at most the limit's size, with no key outside {@code keys}. */
    private ObjectNode body(HttpExchange ex, Set<String> keys) throws Refusal, IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && (length.length() > 12 || !length.chars().allMatch(Character::isDigit)
                || Long.parseLong(length) > limits.maxBodyBytes())) {
            throw new Refusal(ApiOutcome.TOO_LARGE, "a body is at most " + limits.maxBodyBytes() + " bytes");
        }
        byte[] b = ex.getRequestBody().readNBytes(limits.maxBodyBytes() + 1);
        if (b.length > limits.maxBodyBytes()) {
            throw new Refusal(ApiOutcome.TOO_LARGE, "a body is at most " + limits.maxBodyBytes() + " bytes");
        }
        JsonNode n;
        try {
            n = JSON.readTree(b);
        } catch (JacksonException e) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (!(n instanceof ObjectNode o)) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "the body must be a JSON object");
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw new Refusal(ApiOutcome.BAD_REQUEST, "unknown key \"" + printable(k) + "\" (known: " + new TreeSet<>(keys) + ")");
            }
        }
        return o;
    }

    private static String text(ObjectNode o, String key) throws Refusal {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, key + " must be a non-empty string");
        }
        return v.asText();
    }

    private static ObjectNode params(ObjectNode call) throws Refusal {
        JsonNode p = call.get("params");
        if (p == null || p.isNull()) {
            return ConfigLoader.json().createObjectNode();
        }
        if (!(p instanceof ObjectNode o)) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "params must be an object");
        }
        for (JsonNode v : o) {
            if (!v.isTextual() && !v.isNumber()) {
                throw new Refusal(ApiOutcome.BAD_REQUEST, "params' values must be strings or numbers");
            }
        }
        return o;
    }

    private static void onlyParams(ObjectNode params, Set<String> known, String op) throws Refusal {
        for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new Refusal(ApiOutcome.BAD_REQUEST, op + " takes no params." + printable(k));
            }
        }
    }

    /** The call's {@code expires} in epoch milliseconds; null when absent, null or {@link Long#MAX_VALUE} (no end). */
    private static Long expires(ObjectNode call) throws Refusal {
        JsonNode e = call.get("expires");
        if (e == null || e.isNull()) {
            return null;
        }
        if (!e.isIntegralNumber() || !e.canConvertToLong()) {
            throw new Refusal(ApiOutcome.BAD_REQUEST, "expires must be a time in epoch milliseconds");
        }
        return e.asLong() == Long.MAX_VALUE ? null : e.asLong();
    }

    /** Caller-supplied text cut short and stripped of control characters, to quote in an answer or a log line. */
    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
