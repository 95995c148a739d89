package dev.d2r2.monitor;

import java.util.List;

/**
 * A metric of the resilience model profile, derived from a service's samples: exactly one of
 * {@code ewma} (with {@code alpha}), {@code rate} (change per second) or {@code ratio} ([a, b]).
 *
 * <pre>
 * model:
 *   - {name: connect_smooth, ewma: tcp.connect_ms, alpha: 0.2}
 *   - {name: requests_per_s, rate: snmp.in_pkts}
 *   - {name: error_ratio, ratio: [http.errors, http.requests]}
 * </pre>
 */
public record DerivedMetric(String name, String ewma, Double alpha, String rate, List<String> ratio) {
    public DerivedMetric {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a derived metric needs a name");
        }
        int kinds = (ewma != null ? 1 : 0) + (rate != null ? 1 : 0) + (ratio != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException("derived metric " + name + " needs exactly one of ewma, rate, ratio");
        }
        if (ewma != null && (alpha == null || alpha <= 0 || alpha > 1)) {
            throw new IllegalArgumentException("ewma needs alpha in (0, 1]");
        }
        if (ewma == null && alpha != null) {
            throw new IllegalArgumentException("alpha goes with ewma");
        }
        if (ratio != null && ratio.size() != 2) {
            throw new IllegalArgumentException("ratio needs [numerator, denominator]");
        }
        ratio = ratio == null ? null : List.copyOf(ratio);
    }

    /** The sample metrics it reads. */
    List<String> inputs() {
        return ewma != null ? List.of(ewma) : rate != null ? List.of(rate) : ratio;
    }
}
