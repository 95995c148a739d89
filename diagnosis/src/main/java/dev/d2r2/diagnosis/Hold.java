package dev.d2r2.diagnosis;

/**
 * Holds the fault rates — the packets a firewall dropped, the time a CPU quota held a peer back:
 * zero in health — at their largest over the last {@code windows} windows of one peer. A 5 % loss
 * of a SIP server's packets is about 2 drops a second: some 1 s windows have none, though the loss
 * goes on, and without the hold such a window looks healthy, breaks the vote's run of suspect
 * windows and clears a peer indicted. Held for as many windows as the vote's {@code consecutive},
 * one event makes an odd spell of exactly that length, which the vote does not indict; events in
 * two windows close together do. The other metrics are passed through; the windows are the peer's
 * own (a window it missed does not age the hold).
 */
final class Hold {
    private final boolean[] held;
    private final double[][] recent;
    private int next;

    Hold(boolean[] held, int windows) {
        this.held = held.clone();
        this.recent = new double[windows][];
    }

    /** This window's raw vector with the held metrics at their largest (a new array). */
    double[] apply(double[] raw) {
        recent[next] = raw.clone();
        next = (next + 1) % recent.length;
        double[] out = raw.clone();
        for (int m = 0; m < out.length; m++) {
            if (held[m]) {
                for (double[] past : recent) {
                    if (past != null) {
                        out[m] = Math.max(out[m], past[m]);
                    }
                }
            }
        }
        return out;
    }
}
