package dev.d2r2.migrate.dns;

import dev.d2r2.migrate.dns.DnsMessage.Question;
import dev.d2r2.migrate.dns.DnsMessage.Rr;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * DNS wire format (RFC 1035 §4.1). Encoding never compresses names; decoding follows a compression
 * pointer only to before the labels it ends (so pointers cannot loop) and refuses anything that does not
 * parse exactly: a count larger than the records present, bytes after the last record, a name
 * longer than 255 bytes, a label this package cannot write back.
 */
public final class DnsCodec {
    public static final int HEADER = 12;

    private DnsCodec() {
    }

    /** A decoded message and where its last record starts (TSIG's digest covers the bytes before it). */
    public record Decoded(DnsMessage message, int lastRecordOffset) {
    }

    public static byte[] encode(DnsMessage m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        u16(out, m.id());
        u16(out, m.flags());
        u16(out, m.questions().size());
        u16(out, m.answers().size());
        u16(out, m.authorities().size());
        u16(out, m.additionals().size());
        for (Question q : m.questions()) {
            out.writeBytes(DnsNames.wire(q.name(), false));
            u16(out, q.type());
            u16(out, q.dnsClass());
        }
        for (List<Rr> section : List.of(m.answers(), m.authorities(), m.additionals())) {
            for (Rr r : section) {
                out.writeBytes(DnsNames.wire(r.name(), false));
                u16(out, r.type());
                u16(out, r.dnsClass());
                u32(out, r.ttl());
                byte[] rdata = r.rdata();
                u16(out, rdata.length);
                out.writeBytes(rdata);
            }
        }
        return out.toByteArray();
    }

    public static Decoded decode(byte[] bytes) throws BadDnsMessage {
        Reader in = new Reader(bytes, 0);
        int id = in.u16("header");
        int flags = in.u16("header");
        int qd = in.u16("header");
        int an = in.u16("header");
        int ns = in.u16("header");
        int ar = in.u16("header");
        List<Question> questions = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            questions.add(new Question(in.name(), in.u16("question"), in.u16("question")));
        }
        List<Rr> answers = records(in, an, "answer");
        List<Rr> authorities = records(in, ns, "authority");
        List<Rr> additionals = new ArrayList<>();
        int last = -1;
        for (int i = 0; i < ar; i++) {
            last = in.pos;
            additionals.add(record(in, "additional"));
        }
        if (in.pos != bytes.length) {
            throw new BadDnsMessage((bytes.length - in.pos) + " bytes after the last record");
        }
        return new Decoded(new DnsMessage(id, flags, questions, answers, authorities, additionals), last);
    }

    private static List<Rr> records(Reader in, int count, String section) throws BadDnsMessage {
        List<Rr> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(record(in, section));
        }
        return out;
    }

    private static Rr record(Reader in, String section) throws BadDnsMessage {
        String name = in.name();
        int type = in.u16(section);
        int cls = in.u16(section);
        long ttl = in.u32(section);
        int length = in.u16(section);
        return new Rr(name, type, cls, ttl, in.bytes(length, section + " rdata"));
    }

    static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }

    static void u32(ByteArrayOutputStream out, long v) {
        u16(out, (int) (v >>> 16) & 0xFFFF);
        u16(out, (int) v & 0xFFFF);
    }

    /** A bounds-checked cursor; names may be compressed only when {@code pointers} is allowed. */
    static final class Reader {
        private final byte[] b;
        private final boolean pointers;
        int pos;

        Reader(byte[] b, int pos) {
            this(b, pos, true);
        }

        Reader(byte[] b, int pos, boolean pointers) {
            this.b = b;
            this.pos = pos;
            this.pointers = pointers;
        }

        boolean atEnd() {
            return pos == b.length;
        }

        int u8(String what) throws BadDnsMessage {
            need(1, what);
            return b[pos++] & 0xFF;
        }

        int u16(String what) throws BadDnsMessage {
            need(2, what);
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long u32(String what) throws BadDnsMessage {
            return ((long) u16(what) << 16) | u16(what);
        }

        long u48(String what) throws BadDnsMessage {
            return ((long) u16(what) << 32) | u32(what);
        }

        byte[] bytes(int n, String what) throws BadDnsMessage {
            need(n, what);
            byte[] out = new byte[n];
            System.arraycopy(b, pos, out, 0, n);
            pos += n;
            return out;
        }

        private void need(int n, String what) throws BadDnsMessage {
            if (pos + n > b.length) {
                throw new BadDnsMessage("message ends inside the " + what + " (offset " + pos + ", " + b.length + " bytes)");
            }
        }

        String name() throws BadDnsMessage {
            StringBuilder name = new StringBuilder();
            int p = pos;
            int wire = 1;
            int end = -1;
            int limit = pos;
            while (true) {
                if (p >= b.length) {
                    throw new BadDnsMessage("message ends inside a name (offset " + p + ")");
                }
                int len = b[p] & 0xFF;
                if (len == 0) {
                    p++;
                    break;
                }
                if ((len & 0xC0) == 0xC0) {
                    if (!pointers) {
                        throw new BadDnsMessage("a compressed name where none is allowed (offset " + p + ")");
                    }
                    if (p + 1 >= b.length) {
                        throw new BadDnsMessage("message ends inside a name pointer (offset " + p + ")");
                    }
                    int target = ((len & 0x3F) << 8) | (b[p + 1] & 0xFF);
                    if (target >= limit) {
                        throw new BadDnsMessage("name pointer at offset " + p + " does not point before the labels it follows");
                    }
                    if (end < 0) {
                        end = p + 2;
                    }
                    limit = target;
                    p = target;
                    continue;
                }
                if ((len & 0xC0) != 0) {
                    throw new BadDnsMessage("unknown label type 0x" + Integer.toHexString(len) + " at offset " + p);
                }
                if (p + 1 + len > b.length) {
                    throw new BadDnsMessage("message ends inside a label (offset " + p + ")");
                }
                wire += 1 + len;
                if (wire > DnsNames.MAX_WIRE_LENGTH) {
                    throw new BadDnsMessage("name longer than 255 bytes at offset " + pos);
                }
                for (int i = p + 1; i <= p + len; i++) {
                    if (!DnsNames.printable(b[i] & 0xFF)) {
                        throw new BadDnsMessage("unsupported byte " + (b[i] & 0xFF) + " in a label at offset " + i);
                    }
                }
                if (!name.isEmpty()) {
                    name.append('.');
                }
                name.append(new String(b, p + 1, len, StandardCharsets.US_ASCII));
                p += 1 + len;
            }
            pos = end < 0 ? p : end;
            return name.toString();
        }
    }
}
