package dev.d2r2.cluster.raft;

/**
 * The reads a replica's {@link ControlStateMachine} answers outside the log, by the first
 * byte of the query: {@link #SUMMARY} (a {@link ReplicaSummary}) or {@link #TABLE} (the
 * canonical encoding of its {@link dev.d2r2.cluster.state.ControlState}).
 */
public enum ControlQuery {
    SUMMARY(1), TABLE(2);

    private final int code;

    ControlQuery(int code) {
        this.code = code;
    }

    public byte[] encode() {
        return new byte[] {(byte) code};
    }

    /** The query in {@code bytes}, or null when they are not one. */
    public static ControlQuery decode(byte[] bytes) {
        if (bytes.length == 1) {
            for (ControlQuery q : values()) {
                if (q.code == bytes[0]) {
                    return q;
                }
            }
        }
        return null;
    }
}
