package dev.d2r2.sip.codec;

/**
 * What the edge does with a message: forward it, answer it statelessly ({@code status} with
 * {@code reason}, and {@code unsupported} option tags for 420), or drop it. {@code why} names
 * the rule, for counting rejections by reason.
 */
public record Verdict(Kind kind, int status, String reason, String why, String unsupported) {
    public enum Kind { FORWARD, RESPOND, DROP }

    static final Verdict FORWARD = new Verdict(Kind.FORWARD, 0, null, "ok", null);

    static Verdict respond(int status, String reason, String why) {
        return new Verdict(Kind.RESPOND, status, reason, why, null);
    }

    static Verdict drop(String why) {
        return new Verdict(Kind.DROP, 0, null, why, null);
    }

    public boolean forward() {
        return kind == Kind.FORWARD;
    }
}
