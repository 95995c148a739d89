package dev.d2r2.sip.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.sip.codec.Hop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

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
 * 204 when done; 422 for an op or parameter the edge does not know (the policy engine counts it
 * refused and does not retry); 400 for a body that is not such a call.
 */
public final class EdgeApi implements AutoCloseable {
    private final HttpServer server;
    private final EdgeProxy edge;
    private final Enforcement enforcement;

    public EdgeApi(InetSocketAddress listen, EdgeProxy edge) throws IOException {
        this.edge = edge;
        this.enforcement = edge.enforcement();
        this.server = HttpServer.create(listen, 0);
        server.createContext("/actions", this::actions);
        server.createContext("/backends", this::backends);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void actions(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "POST an action\n");
                return;
            }
            JsonNode call;
            try {
                call = ConfigLoader.json().readTree(ex.getRequestBody());
            } catch (IOException e) {
                reply(ex, 400, "not JSON\n");
                return;
            }
            String problem = apply(call);
            if (problem == null) {
                ex.sendResponseHeaders(204, -1);
            } else {
                reply(ex, problem.startsWith("bad request") ? 400 : 422, problem + "\n");
            }
        }
    }

    /**
     * {@code GET /backends}: the list; {@code POST /backends {"address":"h:p","weight":1}}: add (or
     * re-weight); {@code DELETE /backends/ID}: remove; {@code POST /backends/ID/drain}: drain.
     */
    private void backends(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String rest = path.length() > "/backends".length() ? path.substring("/backends/".length()) : "";
            String method = ex.getRequestMethod();
            if (rest.isEmpty() && method.equals("GET")) {
                com.fasterxml.jackson.databind.node.ArrayNode list = ConfigLoader.json().createArrayNode();
                for (Backend b : edge.backends()) {
                    list.addObject().put("id", b.id()).put("weight", b.weight()).put("up", b.up()).put("draining", b.draining())
                            .put("dialogs", b.activeDialogs());
                }
                reply(ex, 200, list + "\n");
            } else if (rest.isEmpty() && method.equals("POST")) {
                JsonNode body;
                try {
                    body = ConfigLoader.json().readTree(ex.getRequestBody());
                } catch (IOException e) {
                    reply(ex, 400, "not JSON\n");
                    return;
                }
                InetSocketAddress address = Hop.hostPort(body.path("address").asText(""), 5060);
                double weight = body.path("weight").asDouble(1);
                if (address == null || !(weight > 0)) {
                    reply(ex, 400, "expected {\"address\":\"host:port\",\"weight\":1} with a positive weight\n");
                    return;
                }
                reply(ex, 201, edge.add(address, weight).id() + "\n");
            } else if (!rest.isEmpty() && method.equals("DELETE")) {
                boolean removed = edge.remove(rest);
                reply(ex, removed ? 204 : 404, removed ? "" : "no backend " + rest + "\n");
            } else if (rest.endsWith("/drain") && method.equals("POST")) {
                String id = rest.substring(0, rest.length() - "/drain".length());
                if (edge.drain(id)) {
                    reply(ex, 202, "draining " + id + "\n");
                } else {
                    reply(ex, 404, "no backend " + id + "\n");
                }
            } else {
                reply(ex, 405, "GET or POST /backends, DELETE /backends/ID, POST /backends/ID/drain\n");
            }
        }
    }

    /** Applies one call; why it cannot be, or null. */
    private String apply(JsonNode call) {
        String kind = call.path("call").asText("");
        String op = call.path("op").asText("");
        String target = call.path("target").asText("");
        if (!(kind.equals("deploy") || kind.equals("revoke")) || target.isEmpty()) {
            return "bad request: expected {\"call\":\"deploy\"|\"revoke\",\"op\":...,\"target\":...}";
        }
        long until = call.path("expires").asLong(Long.MAX_VALUE);
        JsonNode params = call.path("params");
        String method = params.hasNonNull("method") ? params.get("method").asText().toUpperCase(Locale.ROOT) : null;
        try {
            switch (op) {
                case "block" -> {
                    if (kind.equals("deploy")) {
                        enforcement.block(target, until);
                    } else {
                        enforcement.unblock(target);
                    }
                }
                case "rate-limit" -> {
                    if (kind.equals("deploy")) {
                        enforcement.rateLimit(target, rate(params.path("rate").asText("")), method, until);
                    } else {
                        enforcement.unlimit(target, method);
                    }
                }
                default -> {
                    return "the edge does not know the op \"" + op + "\" (it knows block, rate-limit)";
                }
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return null;
    }

    private static double rate(String text) {
        String t = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rate-limit needs params.rate, e.g. 5/s (got \"" + text + "\")");
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, status == 204 || b.length == 0 ? -1 : b.length);
        if (b.length > 0 && status != 204) {
            ex.getResponseBody().write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
