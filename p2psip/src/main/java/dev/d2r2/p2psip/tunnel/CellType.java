package dev.d2r2.p2psip.tunnel;

/** The kinds of cell on a link; the code is the cell's first byte. */
public enum CellType {
    /** The connecting side names its key and listening address: first cell of every link. */
    HELLO(1),
    /** The onion of setup records, message flow (3) of the seed. */
    SETUP(2),
    /** Data away from the tunnel's origin: each hop removes a layer (flow (4)). */
    FORWARD(3),
    /** Data towards the origin: each hop adds a layer (flow (5)); also the last hop's setup acknowledgement. */
    BACKWARD(4),
    /** Data handed to an inbound tunnel's entry point under its published id. */
    ENTER(5),
    /** The tunnel is gone; the receiver drops its binding and passes the cell on. */
    DESTROY(6);

    private final int code;

    CellType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static CellType of(int code) throws MalformedCell {
        for (CellType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new MalformedCell(Refusal.MALFORMED, "unknown cell type " + code);
    }
}
