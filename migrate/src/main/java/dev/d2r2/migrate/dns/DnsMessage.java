package dev.d2r2.migrate.dns;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A DNS message (RFC 1035 §4.1) in the shape RFC 2136 gives an UPDATE: the four sections are
 * question/zone, answer/prerequisite, authority/update and additional. Names are dotted, without
 * the root's trailing dot ("" is the root).
 */
public record DnsMessage(int id, int flags, List<Question> questions, List<Rr> answers, List<Rr> authorities,
                         List<Rr> additionals) {
    public static final int TYPE_A = 1;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_TSIG = 250;
    public static final int CLASS_IN = 1;
    public static final int CLASS_NONE = 254;
    public static final int CLASS_ANY = 255;
    public static final int OPCODE_UPDATE = 5;
    public static final int FLAG_QR = 0x8000;
    public static final int FLAG_TC = 0x0200;

    public DnsMessage {
        if (id < 0 || id > 0xFFFF || flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("id and flags are 16-bit: " + id + ", " + flags);
        }
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    public int opcode() {
        return (flags >> 11) & 0xF;
    }

    public int rcode() {
        return flags & 0xF;
    }

    public boolean response() {
        return (flags & FLAG_QR) != 0;
    }

    public boolean truncated() {
        return (flags & FLAG_TC) != 0;
    }

    public record Question(String name, int type, int dnsClass) {
        public Question {
            DnsNames.check(name);
            check16(type, "type");
            check16(dnsClass, "class");
        }
    }

    /** A resource record; {@code rdata} is kept as it is on the wire. */
    public record Rr(String name, int type, int dnsClass, long ttl, byte[] rdata) {
        public Rr {
            DnsNames.check(name);
            check16(type, "type");
            check16(dnsClass, "class");
            if (ttl < 0 || ttl > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("a TTL is 32-bit unsigned: " + ttl);
            }
            if (rdata.length > 0xFFFF) {
                throw new IllegalArgumentException("rdata longer than 65535 bytes");
            }
            rdata = rdata.clone();
        }

        @Override
        public byte[] rdata() {
            return rdata.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rr r && r.name.equalsIgnoreCase(name) && r.type == type && r.dnsClass == dnsClass
                    && r.ttl == ttl && Arrays.equals(r.rdata, rdata);
        }

        @Override
        public int hashCode() {
            return (name.toLowerCase(Locale.ROOT).hashCode() * 31 + type) * 31 + Arrays.hashCode(rdata);
        }

        @Override
        public String toString() {
            return name + " " + type + " " + dnsClass + " " + ttl + " " + HexFormat.of().formatHex(rdata);
        }
    }

    private static void check16(int value, String what) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(what + " is 16-bit: " + value);
        }
    }
}
