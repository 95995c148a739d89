package dev.d2r2.broker.wire;

/** Control operations carried by REQUEST frames, each with its code on the wire (never the ordinal). */
public enum Op {
    REGISTER(0),
    CREATE_CHANNEL(1),
    ALTER_CHANNEL(2),
    LIST_CHANNELS(3),
    SHOW_CHANNEL(4),
    OPEN_PUBLISHER(5),
    CLOSE_PUBLISHER(6),
    SUBSCRIBE(7),
    UNSUBSCRIBE(8),
    LOG_SPAN(9),
    DELETE_CHANNEL(10),
    REVOKE_IDENTITY(11),
    SIGNED_CONTROL(12),
    COPIES(13);

    private static final Op[] BY_CODE = new Op[256];

    static {
        for (Op op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Op(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Op of(int code) throws ProtocolException {
        Op op = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (op == null) {
            throw new ProtocolException("unknown request op " + code);
        }
        return op;
    }
}
