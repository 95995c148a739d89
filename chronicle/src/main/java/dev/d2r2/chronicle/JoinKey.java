package dev.d2r2.chronicle;

import java.util.Arrays;

/** The hash key of a set of variable values: the value itself for one variable, a list for several. */
final class JoinKey {
    /** The key when no variable is shared: everything is in one bucket. */
    static final Object ALL = new Object();

    private JoinKey() {
    }

    static Object of(int[] vars, String[] vals) {
        return switch (vars.length) {
            case 0 -> ALL;
            case 1 -> vals[vars[0]];
            default -> {
                String[] k = new String[vars.length];
                for (int i = 0; i < vars.length; i++) {
                    k[i] = vals[vars[i]];
                }
                yield Arrays.asList(k);
            }
        };
    }
}
