package dev.d2r2.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The SIP edge's HTTP API as the scaler uses it (docs/sip-edge.md, "Backends at run time"): add a
 * backend, drain it, remove it, and read each backend's active dialogs. Changes carry the API's
 * bearer token. Thread-safe.
 */
public final class EdgeClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** @param base the API's root, e.g. {@code http://127.0.0.1:8090} */
    public EdgeClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    public void add(String address) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("/backends")).POST(HttpRequest.BodyPublishers.ofString(
                JSON.createObjectNode().put("address", address).put("weight", 1).toString())), 201);
    }

    public void drain(String backend) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("/backends/" + backend + "/drain")).POST(HttpRequest.BodyPublishers.noBody()), 202);
    }

    public void remove(String backend) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("/backends/" + backend)).DELETE(), 204);
    }

    /** Every backend's active dialogs, by id ({@code host:port}). */
    public Map<String, Long> dialogs() throws IOException {
        String body = send(HttpRequest.newBuilder(base.resolve("/backends")).GET(), 200);
        Map<String, Long> out = new HashMap<>();
        for (JsonNode b : JSON.readTree(body)) {
            out.put(b.path("id").asText(), b.path("dialogs").asLong());
        }
        return out;
    }

    private String send(HttpRequest.Builder request, int expected) throws IOException {
        request.timeout(TIMEOUT).header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IOException("edge " + r.request().method() + " " + r.request().uri().getPath() + ": " + r.statusCode() + " "
                        + r.body().strip());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
