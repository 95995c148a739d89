package dev.d2r2.core.actuator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.agent.ErrorLog;
import dev.d2r2.core.config.ConfigLoader;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP API through which the policy engine's webhook actuator drives a mechanism (the
 * scaler, a migration host...): {@code POST /actions} takes a {@link WebhookCall}, further POST
 * routes take a JSON object, GET routes read state. Every POST needs the bearer token; bodies are
 * capped at {@value #MAX_BODY} bytes; refusals are JSON {@code {"error":...}} with 400, 401, 405
 * or 413; a handler's failure is a 500 whose text stays in the log. It binds loopback unless it is
 * told it may bind beyond.
 */
public final class ActionApi implements AutoCloseable {
    public static final int MAX_BODY = 16_384;

    /** A reply: its status and a body written as JSON (null for none). */
    public record Reply(int status, Object body) {
        public static Reply ok(Object body) {
            return new Reply(200, body);
        }

        public static Reply error(int status, String message) {
            String clean = message.length() > 200 ? message.substring(0, 200) : message;
            return new Reply(status, Map.of("error", clean.replaceAll("\\p{Cntrl}", " ")));
        }
    }

    @FunctionalInterface
    public interface CallHandler {
        Reply handle(WebhookCall call) throws Exception;
    }

    @FunctionalInterface
    public interface JsonHandler {
        Reply handle(JsonNode body) throws Exception;
    }

    private final HttpServer server;
    private final BearerToken token;
    private final ErrorLog errors;

    private ActionApi(Builder b) throws IOException {
        if (!b.beyondLoopback && !b.listen.getAddress().isLoopbackAddress()) {
            throw new IOException(b.name + "'s API listens on loopback only unless configured to bind beyond (asked for " + b.listen + ")");
        }
        this.token = b.token;
        this.errors = b.errors;
        this.server = HttpServer.create(b.listen, 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        b.posts.forEach((path, handler) -> server.createContext(path, x -> post(x, handler)));
        b.gets.forEach((path, handler) -> server.createContext(path, x -> get(x, handler)));
        server.start();
    }

    public static Builder builder(String name, InetSocketAddress listen, BearerToken token, ErrorLog errors) {
        return new Builder(name, listen, token, errors);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void post(HttpExchange x, JsonHandler handler) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("POST")) {
                reply(x, Reply.error(405, "POST only"));
                return;
            }
            if (!token.accepts(x.getRequestHeaders().getFirst("Authorization"))) {
                x.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                reply(x, Reply.error(401, "a bearer token is required"));
                return;
            }
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                reply(x, Reply.error(413, "body too large"));
                return;
            }
            reply(x, handle(x, () -> handler.handle(jsonObject(body))));
        }
    }

    private void get(HttpExchange x, Supplier<Reply> handler) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET")) {
                reply(x, Reply.error(405, "GET only"));
                return;
            }
            reply(x, handle(x, handler::get));
        }
    }

    private interface Work {
        Reply run() throws Exception;
    }

    private Reply handle(HttpExchange x, Work work) {
        try {
            return work.run();
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        } catch (Exception e) {
            errors.error("api", x.getRequestMethod() + " " + x.getRequestURI().getPath() + " failed: " + e, e);
            return Reply.error(500, "internal error");
        }
    }

    private static JsonNode jsonObject(byte[] body) {
        JsonNode node;
        try {
            node = ConfigLoader.json().readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the body must be one JSON object");
        }
        return node;
    }

    private static void reply(HttpExchange x, Reply r) throws IOException {
        if (r.body() == null) {
            x.sendResponseHeaders(r.status(), -1);
            return;
        }
        byte[] bytes = ConfigLoader.json().writeValueAsBytes(r.body());
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(r.status(), bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Stops listening, giving the replies being written (calls answered as the API closes) up to {@code seconds} to go out. */
    public void close(int seconds) {
        server.stop(seconds);
    }

    public static final class Builder {
        private final String name;
        private final InetSocketAddress listen;
        private final BearerToken token;
        private final ErrorLog errors;
        private final Map<String, JsonHandler> posts = new LinkedHashMap<>();
        private final Map<String, Supplier<Reply>> gets = new LinkedHashMap<>();
        private boolean beyondLoopback;

        private Builder(String name, InetSocketAddress listen, BearerToken token, ErrorLog errors) {
            this.name = name;
            this.listen = listen;
            this.token = token;
            this.errors = errors;
        }

        /** {@code POST /actions}: the webhook actuator's deploy and revoke calls. */
        public Builder actions(CallHandler handler) {
            return post("/actions", body -> handler.handle(WebhookCall.from(body)));
        }

        public Builder post(String path, JsonHandler handler) {
            posts.put(path, handler);
            return this;
        }

        public Builder get(String path, Supplier<Reply> handler) {
            gets.put(path, handler);
            return this;
        }

        /** Whether the API may listen on an address other than loopback (a host in its own namespace, say). */
        public Builder beyondLoopback(boolean allowed) {
            this.beyondLoopback = allowed;
            return this;
        }

        public ActionApi start() throws IOException {
            return new ActionApi(this);
        }
    }
}
