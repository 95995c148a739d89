package dev.d2r2.scale;

import java.util.HashMap;
import java.util.Map;

/**
 * Whether a type is overloaded, underloaded or neither, from its metrics over time: a metric is
 * WARNING from its warning threshold and CRITICAL from its critical one, and the type is
 * {@link Level#OVERLOAD} once any metric has been WARNING (or worse) for its {@code warning-for},
 * or CRITICAL for its {@code critical-for}; {@link Level#UNDERLOAD} once the scale-down metric
 * stayed below its floor for its {@code for} while no metric is WARNING. A metric with no value
 * yet counts as not overloaded and blocks underload (missing data never shrinks the pool).
 * Fed on one thread; times are the caller's clock.
 */
public final class LoadState {
    public enum Level { OK, OVERLOAD, UNDERLOAD }

    private final InstanceType type;
    private final Map<String, Long> warningSince = new HashMap<>();
    private final Map<String, Long> criticalSince = new HashMap<>();
    private long lowSince = -1;
    private Level level = Level.OK;

    public LoadState(InstanceType type) {
        this.type = type;
    }

    /**
     * One look at the metrics (per-instance averages, the scale-down metric among them).
     *
     * @return the level now
     */
    public Level observe(long now, Map<String, Double> values) {
        boolean overloaded = false;
        boolean warning = false;
        for (Map.Entry<String, Thresholds> m : type.metrics().entrySet()) {
            Double v = values.get(m.getKey());
            Thresholds t = m.getValue();
            boolean warn = v != null && v >= t.warning();
            boolean crit = v != null && v >= t.critical();
            warning |= warn;
            overloaded |= held(warningSince, m.getKey(), warn, now, t.warningFor().toMillis())
                    | held(criticalSince, m.getKey(), crit, now, t.criticalFor().toMillis());
        }
        Double low = values.get(type.scaleDown().metric());
        boolean under = low != null && low < type.scaleDown().below() && !warning;
        lowSince = under ? (lowSince < 0 ? now : lowSince) : -1;
        boolean underloaded = under && now - lowSince >= type.scaleDown().holdFor().toMillis();
        level = overloaded ? Level.OVERLOAD : underloaded ? Level.UNDERLOAD : Level.OK;
        return level;
    }

    private static boolean held(Map<String, Long> since, String metric, boolean on, long now, long forMillis) {
        if (!on) {
            since.remove(metric);
            return false;
        }
        return now - since.computeIfAbsent(metric, k -> now) >= forMillis;
    }

    public Level level() {
        return level;
    }

    /** Forgets the time already spent in a state: after a step, the new pool's load is judged afresh. */
    public void restart() {
        warningSince.clear();
        criticalSince.clear();
        lowSince = -1;
        level = Level.OK;
    }
}
