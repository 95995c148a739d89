package dev.d2r2.policy.actuator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.actuator.ActuatorException;
import dev.d2r2.core.actuator.http.WebhookCall;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.policy.config.ActuatorConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs each deploy and revoke as JSON to a URL. A 2xx answer means done; 4xx means refused (not
 * retried); anything else, or no answer within the timeout, means failed (retried). With a
 * {@code token-file}, each call carries {@code Authorization: Bearer} and the file's first line,
 * read at each call so that a new token takes effect without a restart; a file that cannot be read
 * fails the call (retried). A token is never sent in clear off the machine: with one, the URL is
 * https or names a loopback host.
 */
public final class WebhookActuator implements Actuator {
    private final HttpClient http;
    private final URI url;
    private final Map<String, String> headers;
    private final Path tokenFile;
    private final Duration timeout;

    WebhookActuator(ActuatorConfig c) {
        this.url = URI.create(c.url());
        this.headers = c.headers();
        this.tokenFile = c.tokenFile() == null ? null : Path.of(c.tokenFile());
        this.timeout = c.timeout();
        this.http = HttpClient.newBuilder().connectTimeout(c.timeout()).build();
    }

    @Override
    public void deploy(Action a) throws ActuatorException {
        post(WebhookCall.deploy(a).toJson());
    }

    @Override
    public void revoke(Action a) throws ActuatorException {
        post(WebhookCall.revoke(a).toJson());
    }

    private void post(String body) throws ActuatorException {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(req::header);
        if (tokenFile != null) {
            req.header("Authorization", "Bearer " + token());
        }
        HttpResponse<String> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ActuatorException.failed(url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActuatorException.failed(url + ": interrupted");
        }
        int status = res.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String why = url + " answered " + status + (res.body().isBlank() ? "" : ": " + reason(res.body()));
        throw status / 100 == 4 ? ActuatorException.refused(why) : ActuatorException.failed(why);
    }

    /** The {@code error} of an actuator API's JSON refusal ({@code {"error":...}}), or the body's first line. */
    private static String reason(String body) {
        try {
            JsonNode error = ConfigLoader.json().readTree(body).path("error");
            if (error.isTextual()) {
                return error.asText();
            }
        } catch (IOException e) {
            // not JSON: the text itself
        }
        return body.strip().lines().findFirst().orElse("");
    }

    private String token() throws ActuatorException {
        String t;
        try {
            t = Files.readString(tokenFile, StandardCharsets.US_ASCII).lines().findFirst().orElse("").strip();
        } catch (IOException | UncheckedIOException e) {
            throw ActuatorException.failed(url + ": cannot read the token-file " + tokenFile + ": " + e.getMessage());
        }
        if (t.isEmpty() || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ActuatorException.failed(url + ": the token-file " + tokenFile + " holds no token on its first line");
        }
        return t;
    }

    /** Called once the dispatcher's lanes had their time to finish: a call still waiting (a step of minutes) is cut off. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    /** Whether the URL's host is a loopback name or literal; never a DNS lookup. */
    private static boolean loopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            return InetAddress.ofLiteral(h).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static final class Kind implements ActuatorKind {
        @Override
        public String key() {
            return "webhook";
        }

        @Override
        public void validate(ActuatorConfig config) {
            Options.refuseUnused(config, key(), true, false);
            if (config.url() == null) {
                throw new InvalidAt("a webhook actuator needs a url", "kind");
            }
            URI u;
            try {
                u = URI.create(config.url());
            } catch (IllegalArgumentException e) {
                throw new InvalidAt("not a URL: " + config.url(), "url");
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new InvalidAt("a webhook url is http:// or https:// with a host: " + config.url(), "url");
            }
            if (config.tokenFile() != null && config.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Authorization"))) {
                throw new InvalidAt("give the token in token-file or an Authorization header, not both", "token-file");
            }
            if (config.tokenFile() != null && "http".equals(u.getScheme()) && !loopback(u.getHost())) {
                throw new InvalidAt("a token would cross the network in clear: use https, or http to a loopback host", "url");
            }
        }

        @Override
        public Actuator create(String name, ActuatorConfig config) {
            return new WebhookActuator(config);
        }
    }
}
