package dev.d2r2.policy;

/**
 * Something due at a time on the engine's timer heap: a context's lifetime, an action's expiry, a
 * retry. Checked against the current state when it comes up, so entries made stale since (an
 * instance renewed, an action extended) are skipped rather than removed.
 */
record Due(long time, Kind kind, String id) implements Comparable<Due> {
    enum Kind { CONTEXT, EXPIRY, DEPLOY_RETRY, REVOKE_RETRY }

    @Override
    public int compareTo(Due o) {
        int c = Long.compare(time, o.time);
        return c != 0 ? c : Integer.compare(kind.ordinal(), o.kind.ordinal());
    }
}
