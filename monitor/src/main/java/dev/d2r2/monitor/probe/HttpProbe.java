package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code kind: http}: GET {@code target}; {@code status} (the HTTP status code) and
 * {@code latency_ms}, and with {@code match} (a regular expression), {@code match} = 1 when the
 * body contains it, else 0. Any status is a measurement: thresholds judge it.
 */
public final class HttpProbe implements Probe {
    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final URI target;
    private final Pattern match;

    HttpProbe(URI target, Pattern match) {
        this.target = target;
        this.match = match;
    }

    @Override
    public Measurement measure(Duration timeout) throws ProbeException {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(target).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Double> values = new HashMap<>();
            values.put("status", (double) r.statusCode());
            values.put("latency_ms", (System.nanoTime() - t0) / 1e6);
            if (match != null) {
                values.put("match", match.matcher(r.body()).find() ? 1.0 : 0.0);
            }
            return Measurement.of(values);
        } catch (IOException e) {
            throw new ProbeException("GET " + target + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("GET " + target + ": interrupted", e);
        }
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "http";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target", "match");
            URI u = uri(c.requireTarget("an http:// or https:// URL"));
            if (u.getScheme() == null || !u.getScheme().matches("https?") || u.getHost() == null) {
                throw new IllegalArgumentException("target must be an http:// or https:// URL, not " + c.target());
            }
            if (c.match() != null) {
                try {
                    Pattern.compile(c.match());
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("match is not a regular expression: " + e.getDescription());
                }
            }
        }

        private static URI uri(String s) {
            try {
                return URI.create(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("target is not a URL: " + s);
            }
        }

        @Override
        public Probe create(ProbeConfig c) {
            return new HttpProbe(URI.create(c.target()), c.match() == null ? null : Pattern.compile(c.match()));
        }
    }
}
