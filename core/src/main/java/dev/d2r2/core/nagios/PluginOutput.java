package dev.d2r2.core.nagios;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Nagios plugin's result, parsed as the Nagios Plugin Development Guidelines describe it: the
 * first line is the status text, optionally followed by {@code |} and performance data; later
 * lines are long text, and performance data may follow a {@code |} there too. Parsing never
 * fails: items that are not performance data are skipped and counted.
 */
public record PluginOutput(NagiosState state, String text, String longText, List<PerfData> perfData,
                           int malformedPerfData) {
    /** Output beyond this many characters is ignored. */
    public static final int MAX_OUTPUT_CHARS = 64 * 1024;
    private static final Pattern VALUE = Pattern.compile("(-?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)([^;0-9.\\-][^;]*)?");

    public PluginOutput {
        perfData = List.copyOf(perfData);
    }

    public static PluginOutput parse(int exitCode, String stdout) {
        String out = stdout == null ? "" : stdout.length() > MAX_OUTPUT_CHARS ? stdout.substring(0, MAX_OUTPUT_CHARS) : stdout;
        String[] lines = out.split("\r?\n", -1);
        String first = lines.length == 0 ? "" : lines[0];
        List<String> perfParts = new ArrayList<>();
        int bar = first.indexOf('|');
        String text = (bar < 0 ? first : first.substring(0, bar)).strip();
        if (bar >= 0) {
            perfParts.add(first.substring(bar + 1));
        }
        StringBuilder longText = new StringBuilder();
        boolean inPerf = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (inPerf) {
                perfParts.add(line);
                continue;
            }
            int b = line.indexOf('|');
            if (b >= 0) {
                appendLine(longText, line.substring(0, b));
                perfParts.add(line.substring(b + 1));
                inPerf = true;
            } else {
                appendLine(longText, line);
            }
        }
        List<PerfData> perf = new ArrayList<>();
        int malformed = 0;
        for (String part : perfParts) {
            malformed += parsePerfData(part, perf);
        }
        return new PluginOutput(NagiosState.fromExitCode(exitCode), text, longText.toString().strip(), perf, malformed);
    }

    private static void appendLine(StringBuilder sb, String line) {
        if (!line.isBlank()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(line.strip());
        }
    }

    /** Parses space-separated items into {@code out}; returns how many were malformed. */
    static int parsePerfData(String s, List<PerfData> out) {
        int malformed = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder label = new StringBuilder();
            if (s.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\'') {
                        if (i < n && s.charAt(i) == '\'') {
                            label.append('\'');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        label.append(c);
                    }
                }
                if (!closed) {
                    return malformed + 1;
                }
            } else {
                while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                    label.append(s.charAt(i++));
                }
            }
            if (i >= n || s.charAt(i) != '=' || label.isEmpty()) {
                malformed++;
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                continue;
            }
            i++;
            int start = i;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            PerfData p = item(label.toString(), s.substring(start, i));
            if (p == null) {
                malformed++;
            } else {
                out.add(p);
            }
        }
        return malformed;
    }

    private static PerfData item(String label, String spec) {
        String[] f = spec.split(";", -1);
        Matcher m = VALUE.matcher(f[0]);
        if (!m.matches()) {
            return null;
        }
        try {
            return new PerfData(label, Double.parseDouble(m.group(1)), m.group(2) == null ? "" : m.group(2),
                    field(f, 1), field(f, 2), number(field(f, 3)), number(field(f, 4)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String field(String[] f, int i) {
        return i < f.length && !f[i].isEmpty() ? f[i] : null;
    }

    private static Double number(String s) {
        return s == null ? null : Double.valueOf(s);
    }

    /** A performance-data label as an event attribute key: ASCII letters, digits, '_' and '.'; anything else '_'. */
    public static String sanitize(String label) {
        StringBuilder sb = new StringBuilder(label.length());
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.') ? c : '_');
        }
        return sb.isEmpty() ? "_" : sb.toString();
    }
}
