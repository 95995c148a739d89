package dev.d2r2.diagnosis;

/**
 * Holds the rates of rare events — metrics that were zero in most training windows, such as the
 * packets a firewall dropped or the time a CPU quota held a peer back — at their largest over the
 * last {@code windows} windows of one peer. A 5 % loss of a SIP server's packets is about 2 drops
 * a second: some 1 s windows have none, though the loss goes on, and without the hold such a
 * window looks healthy, breaks the vote's run of suspect windows and clears a peer indicted.
 * Held for as many windows as the vote's {@code consecutive}, one event makes an odd spell of
 * exactly that length, which the vote does not indict; events in two windows close together do.
 * Dense rates are passed through: their windows are never empty by chance.
 */
final class Hold {
    private final boolean[] sparse;
    private final double[][] recent;
    private int next;

    Hold(boolean[] sparse, int windows) {
        this.sparse = sparse.clone();
        this.recent = new double[windows][];
    }

    /** This window's raw vector with its sparse metrics held (a new array). */
    double[] apply(double[] raw) {
        recent[next] = raw.clone();
        next = (next + 1) % recent.length;
        double[] held = raw.clone();
        for (int m = 0; m < held.length; m++) {
            if (sparse[m]) {
                for (double[] past : recent) {
                    if (past != null) {
                        held[m] = Math.max(held[m], past[m]);
                    }
                }
            }
        }
        return held;
    }
}
