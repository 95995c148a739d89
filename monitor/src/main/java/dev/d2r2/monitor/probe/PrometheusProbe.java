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
import java.util.List;
import java.util.Map;

/**
 * {@code kind: prometheus}: scrapes a {@code /metrics} endpoint (text exposition format) and
 * keeps the {@code series} selected by name and labels ({@code name} or {@code name{k="v",...}};
 * a selector matching several series gives their sum). The value is named after the metric
 * name of its selector.
 */
public final class PrometheusProbe implements Probe {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private final URI target;
    private final List<Selector> selectors;

    PrometheusProbe(URI target, List<Selector> selectors) {
        this.target = target;
        this.selectors = selectors;
    }

    /** {@code name{k="v",...}}: a series matches when it has this name and at least these labels. */
    record Selector(String name, Map<String, String> labels) {
        static Selector parse(String text) {
            int brace = text.indexOf('{');
            if (brace < 0) {
                return new Selector(text.strip(), Map.of());
            }
            if (!text.endsWith("}")) {
                throw new IllegalArgumentException("series selector " + text + " does not end with }");
            }
            return new Selector(text.substring(0, brace).strip(), PrometheusProbe.labels(text.substring(brace + 1, text.length() - 1)));
        }

        boolean matches(String name, Map<String, String> seriesLabels) {
            if (!this.name.equals(name)) {
                return false;
            }
            for (Map.Entry<String, String> l : labels.entrySet()) {
                if (!l.getValue().equals(seriesLabels.get(l.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Parses {@code k="v",k2="v2"} (escapes \" \\ \n). */
    static Map<String, String> labels(String text) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            if (eq < 0 || eq + 1 >= text.length() || text.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("bad labels: " + text);
            }
            String key = text.substring(i, eq).strip();
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            while (j < text.length() && text.charAt(j) != '"') {
                char c = text.charAt(j++);
                if (c == '\\' && j < text.length()) {
                    char n = text.charAt(j++);
                    v.append(n == 'n' ? '\n' : n);
                } else {
                    v.append(c);
                }
            }
            if (j >= text.length()) {
                throw new IllegalArgumentException("unterminated label value: " + text);
            }
            out.put(key, v.toString());
            i = j + 1;
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
                i++;
            }
        }
        return out;
    }

    @Override
    public Measurement measure(Duration timeout) throws ProbeException {
        String body;
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(target).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new ProbeException("GET " + target + ": HTTP " + r.statusCode());
            }
            body = r.body();
        } catch (IOException e) {
            throw new ProbeException("GET " + target + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("GET " + target + ": interrupted", e);
        }
        Map<String, Double> values = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = brace >= 0 ? line.indexOf(' ', line.lastIndexOf('}')) : line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = (brace >= 0 ? line.substring(0, brace) : line.substring(0, space)).strip();
            Map<String, String> labels = brace >= 0 ? labels(line.substring(brace + 1, line.lastIndexOf('}'))) : Map.of();
            String[] rest = line.substring(space + 1).strip().split(" ");
            double value;
            try {
                value = Double.parseDouble(rest[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            for (Selector s : selectors) {
                if (s.matches(name, labels)) {
                    values.merge(s.name(), value, Double::sum);
                }
            }
        }
        return Measurement.of(values);
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "prometheus";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target", "series");
            URI.create(c.requireTarget("the URL of a /metrics endpoint"));
            if (c.series() == null || c.series().isEmpty()) {
                throw new IllegalArgumentException("a prometheus probe needs series: [name{label=\"value\"}, ...]");
            }
            c.series().forEach(Selector::parse);
        }

        @Override
        public Probe create(ProbeConfig c) {
            return new PrometheusProbe(URI.create(c.target()), c.series().stream().map(Selector::parse).toList());
        }
    }
}
