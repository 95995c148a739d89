package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A group's √JSD matrix in one window, for the heat map: attributes are scalars, so the voters are
 * a space-separated list and the matrix its rows separated by {@code ;}, values by spaces.
 */
public record DistanceMatrix(long time, String group, List<String> peers, double[][] distances, double threshold) {
    public static final String TYPE = "diagnosis.distances";
    static final String PEERS = "peers";
    static final String MATRIX = "matrix";

    public Event toEvent() {
        StringBuilder m = new StringBuilder();
        for (double[] row : distances) {
            if (!m.isEmpty()) {
                m.append(';');
            }
            for (int j = 0; j < row.length; j++) {
                m.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", row[j]));
            }
        }
        return Event.message(TYPE, time, group, Map.of(PEERS, String.join(" ", peers), MATRIX, m.toString(),
                PeerIndicted.THRESHOLD, threshold));
    }

    public static DistanceMatrix from(Event e) throws EventFormatException {
        EventAttrs.expect(e, DiagnosisEvents.DISTANCES);
        List<String> peers = List.of(EventAttrs.string(e, PEERS).split(" "));
        String[] rows = EventAttrs.string(e, MATRIX).split(";");
        if (rows.length != peers.size()) {
            throw new EventFormatException(TYPE + ": " + rows.length + " rows for " + peers.size() + " peers");
        }
        List<double[]> matrix = new ArrayList<>();
        for (String row : rows) {
            try {
                double[] r = Arrays.stream(row.split(" ")).mapToDouble(Double::parseDouble).toArray();
                if (r.length != peers.size()) {
                    throw new EventFormatException(TYPE + ": a row of " + r.length + " values for " + peers.size() + " peers");
                }
                matrix.add(r);
            } catch (NumberFormatException bad) {
                throw new EventFormatException(TYPE + ": not a number in matrix row \"" + row + "\"");
            }
        }
        return new DistanceMatrix(e.time(), e.source(), peers, matrix.toArray(double[][]::new),
                EventAttrs.number(e, PeerIndicted.THRESHOLD));
    }
}
