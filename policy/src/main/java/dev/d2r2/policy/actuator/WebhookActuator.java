package dev.d2r2.policy.actuator;

import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.actuator.ActuatorException;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.policy.config.ActuatorConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs each deploy and revoke as JSON to a URL. A 2xx answer means done; 4xx means refused (not
 * retried); anything else, or no answer within the timeout, means failed (retried).
 */
public final class WebhookActuator implements Actuator {
    private final HttpClient http;
    private final URI url;
    private final Map<String, String> headers;
    private final Duration timeout;

    WebhookActuator(ActuatorConfig c) {
        this.url = URI.create(c.url());
        this.headers = c.headers();
        this.timeout = c.timeout();
        this.http = HttpClient.newBuilder().connectTimeout(c.timeout()).build();
    }

    @Override
    public void deploy(Action a) throws ActuatorException {
        post(ActionJson.of("deploy", a));
    }

    @Override
    public void revoke(Action a) throws ActuatorException {
        post(ActionJson.of("revoke", a));
    }

    private void post(String body) throws ActuatorException {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(req::header);
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
        String why = url + " answered " + status + (res.body().isBlank() ? "" : ": " + res.body().strip().lines().findFirst().orElse(""));
        throw status / 100 == 4 ? ActuatorException.refused(why) : ActuatorException.failed(why);
    }

    @Override
    public void close() {
        http.close();
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
        }

        @Override
        public Actuator create(String name, ActuatorConfig config) {
            return new WebhookActuator(config);
        }
    }
}
