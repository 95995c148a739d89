package dev.d2r2.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.sip.edge.BearerToken;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * The scaler's actuator API, the way the SIP edge's is driven: the policy engine's webhook
 * actuator POSTs its calls to {@code /actions} ({@code {"call":"deploy","op":"scale-out",
 * "target":"sip",...}}) with the bearer token of the API's token file; {@code GET /instances}
 * lists the instances and their states. Binds loopback unless told otherwise.
 */
public final class ScalerApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16_384;
    private static final Set<String> KEYS = Set.of("call", "id", "actuator", "op", "target", "params", "expires");

    private final HttpServer server;
    private final Scaling role;
    private final BearerToken token;

    public ScalerApi(InetSocketAddress listen, BearerToken token, Scaling role) throws IOException {
        if (!listen.getAddress().isLoopbackAddress()) {
            throw new IOException("the scaler's API listens on loopback only (asked for " + listen + ")");
        }
        this.role = role;
        this.token = token;
        this.server = HttpServer.create(listen, 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/actions", this::actions);
        server.createContext("/instances", this::instances);
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void actions(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "{\"error\":\"POST only\"}");
                return;
            }
            if (!token.accepts(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                reply(ex, 401, "{\"error\":\"a bearer token is required\"}");
                return;
            }
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                byte[] bytes = in.readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    reply(ex, 413, "{\"error\":\"body too large\"}");
                    return;
                }
                body = JSON.readTree(bytes);
            } catch (IOException e) {
                reply(ex, 400, error("not JSON"));
                return;
            }
            String problem = check(body);
            if (problem != null) {
                reply(ex, 400, error(problem));
                return;
            }
            if (body.path("call").asText().equals("revoke")) {
                // a scale-out or scale-in done stays done: capacity follows the load, not the context's end
                ex.sendResponseHeaders(204, -1);
                return;
            }
            String op = body.path("op").asText();
            String type = body.path("target").asText();
            if (!op.equals(ScaleRequest.OUT) && !op.equals(ScaleRequest.IN)) {
                reply(ex, 422, error("unknown op " + op + " (scale-out or scale-in)"));
                return;
            }
            if (!role.knows(type)) {
                reply(ex, 404, error("unknown instance type " + type));
                return;
            }
            if (!role.submit(new ScaleRequest(op, type, body.path("id").asText(op + "/" + type)))) {
                reply(ex, 503, error("the scaler is busy"));
                return;
            }
            reply(ex, 202, JSON.createObjectNode().put("op", op).put("target", type).toString());
        }
    }

    private static String check(JsonNode body) {
        if (!body.isObject()) {
            return "the body must be one JSON object";
        }
        for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
            String k = keys.next();
            if (!KEYS.contains(k)) {
                return "unknown key " + k;
            }
        }
        String call = body.path("call").asText("");
        if (!call.equals("deploy") && !call.equals("revoke")) {
            return "call must be deploy or revoke";
        }
        if (!body.path("op").isTextual() || !body.path("target").isTextual()) {
            return "op and target are required";
        }
        return null;
    }

    private void instances(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET")) {
                reply(ex, 405, "{\"error\":\"GET only\"}");
                return;
            }
            reply(ex, 200, JSON.writeValueAsString(role.instances()));
        }
    }

    private static String error(String message) {
        String clean = message.length() > 120 ? message.substring(0, 120) : message;
        return JSON.createObjectNode().put("error", clean.replaceAll("\\p{Cntrl}", " ")).toString();
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
