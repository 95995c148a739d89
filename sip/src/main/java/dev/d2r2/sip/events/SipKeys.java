package dev.d2r2.sip.events;

/** The attribute keys of the SIP module's events. */
public final class SipKeys {
    public static final String WHY = "why";
    public static final String DIALOGS = "dialogs";
    /** Prefix of {@code sip.edge.traffic}'s per-backend dialog counts ({@code dialogs.<backend>}). */
    public static final String DIALOGS_OF = "dialogs.";
    public static final String IN = "in";
    /** Prefix of {@code sip.edge.traffic}'s per-method request rates ({@code in.INVITE}). */
    public static final String IN_OF = "in.";
    public static final String OUT = "out";
    public static final String DROPPED = "dropped";
    public static final String SOURCES = "sources";
    public static final String SUSPECTS = "suspects";
    public static final String RATE = "rate";
    public static final String INVITE_RATE = "invite_rate";
    public static final String ERROR = "error";
    public static final String SRC = "src";
    public static final String OP = "op";
    public static final String ADDRESS = "address";
    public static final String WEIGHT = "weight";
    public static final String BACKEND = "backend";
    public static final String CALL = "call";

    private SipKeys() {
    }

    /** The key of a response class's rate in {@code sip.edge.traffic} ({@code out.2xx}). */
    public static String outOf(int responseClass) {
        return "out." + responseClass + "xx";
    }
}
