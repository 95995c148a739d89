package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A group's √JSD matrix in one window, for the heat map, with each voter's decayed histogram over
 * the profiles (the last bin: "like no profile") as shares: attributes are scalars, so the voters
 * are a space-separated list and each table its rows separated by {@code ;}, values by spaces.
 * The histograms are optional (empty when absent).
 */
public record DistanceMatrix(long time, String group, List<String> peers, double[][] distances, double threshold,
                             double[][] histograms) {
    public static final String TYPE = "diagnosis.distances";
    static final String PEERS = "peers";
    static final String MATRIX = "matrix";
    static final String HISTOGRAMS = "histograms";

    public Event toEvent() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(PEERS, String.join(" ", peers));
        a.put(MATRIX, table(distances));
        a.put(PeerIndicted.THRESHOLD, threshold);
        if (histograms.length > 0) {
            a.put(HISTOGRAMS, table(histograms));
        }
        return Event.message(TYPE, time, group, a);
    }

    private static String table(double[][] rows) {
        StringBuilder m = new StringBuilder();
        for (double[] row : rows) {
            if (!m.isEmpty()) {
                m.append(';');
            }
            for (int j = 0; j < row.length; j++) {
                m.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", row[j]));
            }
        }
        return m.toString();
    }

    public static DistanceMatrix from(Event e) throws EventFormatException {
        EventAttrs.expect(e, DiagnosisEvents.DISTANCES);
        List<String> peers = List.of(EventAttrs.string(e, PEERS).split(" "));
        double[][] matrix = table(EventAttrs.string(e, MATRIX), MATRIX, peers.size(), peers.size());
        String histograms = EventAttrs.string(e, HISTOGRAMS, null);
        return new DistanceMatrix(e.time(), e.source(), peers, matrix, EventAttrs.number(e, PeerIndicted.THRESHOLD),
                histograms == null ? new double[0][] : table(histograms, HISTOGRAMS, peers.size(), -1));
    }

    /** {@code columns} -1: any number, the same in every row. */
    private static double[][] table(String text, String key, int rows, int columns) throws EventFormatException {
        String[] lines = text.split(";");
        if (lines.length != rows) {
            throw new EventFormatException(TYPE + ": " + lines.length + " " + key + " rows for " + rows + " peers");
        }
        List<double[]> out = new ArrayList<>();
        for (String row : lines) {
            try {
                double[] r = Arrays.stream(row.split(" ")).mapToDouble(Double::parseDouble).toArray();
                int expected = columns >= 0 ? columns : out.isEmpty() ? r.length : out.getFirst().length;
                if (r.length != expected) {
                    throw new EventFormatException(TYPE + ": a " + key + " row of " + r.length + " values for " + expected);
                }
                out.add(r);
            } catch (NumberFormatException bad) {
                throw new EventFormatException(TYPE + ": not a number in " + key + " row \"" + row + "\"");
            }
        }
        return out.toArray(double[][]::new);
    }
}
