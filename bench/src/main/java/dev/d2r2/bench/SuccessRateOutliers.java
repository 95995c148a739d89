package dev.d2r2.bench;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Envoy's success-rate outlier detection as its documentation states it, for comparison with the
 * diagnosis: per interval, the hosts with at least {@code requestVolume} requests count, and only
 * when there are at least {@code minimumHosts} of them; a host is an outlier when its success rate
 * is below mean − {@code stdevFactor} × stdev of theirs (Envoy: {@code success_rate_stdev_factor}
 * 1900, i.e. 1.9; {@code success_rate_minimum_hosts} 5; {@code success_rate_request_volume} 100).
 */
record SuccessRateOutliers(double stdevFactor, int minimumHosts, long requestVolume) {
    static final SuccessRateOutliers ENVOY_DEFAULTS = new SuccessRateOutliers(1.9, 5, 100);

    /** One host's interval: requests sent, and how many succeeded. */
    record Volume(long requests, long successes) {
    }

    Set<String> outliers(Map<String, Volume> interval) {
        Set<String> out = new TreeSet<>();
        double sum = 0;
        int n = 0;
        for (Volume v : interval.values()) {
            if (v.requests() >= requestVolume) {
                sum += rate(v);
                n++;
            }
        }
        if (n < minimumHosts) {
            return out;
        }
        double mean = sum / n;
        double squares = 0;
        for (Volume v : interval.values()) {
            if (v.requests() >= requestVolume) {
                squares += (rate(v) - mean) * (rate(v) - mean);
            }
        }
        double floor = mean - stdevFactor * Math.sqrt(squares / n);
        interval.forEach((host, v) -> {
            if (v.requests() >= requestVolume && rate(v) < floor) {
                out.add(host);
            }
        });
        return out;
    }

    private static double rate(Volume v) {
        return 100.0 * v.successes() / v.requests();
    }
}
