package dev.d2r2.sip.edge;

import dev.d2r2.core.Cidr;
import dev.d2r2.sip.codec.Hop;

/**
 * What a block or a rate limit applies to: {@link Addresses} (an IP literal or a CIDR block) or
 * a {@link Caller} (the From AOR, {@code sip:eve@example.com}). Parsed strictly, without a DNS
 * lookup; the exception's message says what is wrong.
 */
public sealed interface Target {
    int MAX_LENGTH = 256;

    record Addresses(Cidr block) implements Target {
        @Override
        public String toString() {
            return block.toString();
        }
    }

    /** @param aor {@code user@host}, the host lower-cased, as {@link Hop#aor} gives it */
    record Caller(String aor) implements Target {
        @Override
        public String toString() {
            return aor;
        }
    }

    static Target parse(String text) {
        if (text.isEmpty() || text.length() > MAX_LENGTH || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a target is 1 to " + MAX_LENGTH + " visible ASCII characters: an IP address,"
                    + " a CIDR block or a caller (sip:user@host)");
        }
        if (text.indexOf('@') >= 0 || text.startsWith("sip:") || text.startsWith("sips:")) {
            return caller(text);
        }
        return new Addresses(Cidr.parse(text));
    }

    private static Caller caller(String text) {
        String aor = Hop.aor(text);
        int at = aor.indexOf('@');
        boolean plain = aor.chars().noneMatch(c -> c == '<' || c == '>' || c == '"');
        if (at <= 0 || at == aor.length() - 1 || aor.indexOf('@', at + 1) >= 0 || !plain) {
            throw new IllegalArgumentException("not a caller: \"" + text + "\" (e.g. sip:eve@example.com)");
        }
        return new Caller(aor);
    }
}
